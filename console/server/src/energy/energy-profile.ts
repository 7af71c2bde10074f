import { type DevicePowerProfile, type Settings, type StateWatts, totalWatts } from '@sluimer/shared';
import type { DeviceRecord } from '../store/types.js';

type ProfileSource = Pick<DeviceRecord, 'deviceClass' | 'detectedClass' | 'desktopPreset' | 'monitors'>;

/**
 * The class the energy model uses: the console override, else what the inventory says (docs/energy-model.md).
 */
export function effectiveClass(device: Pick<DeviceRecord, 'deviceClass' | 'detectedClass'>) {
  return device.deviceClass ?? device.detectedClass;
}

export function powerProfile(device: ProfileSource): DevicePowerProfile {
  const profile: DevicePowerProfile = { deviceClass: effectiveClass(device) };
  if (device.desktopPreset) profile.desktopPreset = device.desktopPreset;
  if (device.monitors) profile.monitors = device.monitors;
  return profile;
}

/** Ptot per state for a device under the deployment settings (docs/energy-model.md). */
export function deviceTotalWatts(device: ProfileSource, settings: Settings): StateWatts {
  return totalWatts(powerProfile(device), settings);
}
