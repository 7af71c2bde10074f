import { EnrollRequestSchema } from '@sluimer/shared';
import { describe, expect, it } from 'vitest';
import { hostnameFor, installIdFor, inventoryOs } from './identity.js';

describe('the Chromebook identity', () => {
  it('uses the directory device id of a managed Chromebook, so a reinstall enrolls the same device', () => {
    const id = installIdFor({ directoryId: 'a1b2c3d4-e5f6', serial: 'SN1' }, 'generated');
    expect(id).toBe('cros-a1b2c3d4-e5f6');
    expect(installIdFor({ directoryId: 'a1b2c3d4-e5f6' }, 'other')).toBe(id);
  });

  it('falls back to the generated id where ChromeOS tells nothing, and stays a valid installId', () => {
    const id = installIdFor({ directoryId: '', serial: '' }, 'c2e6b90c-00b6-4706');
    expect(id).toBe('chrx-c2e6b90c-00b6-4706');
    expect(
      EnrollRequestSchema.safeParse({
        enrollSecret: 's',
        installId: installIdFor({ serial: 'A B/C' }, 'x'),
        hostname: 'h',
      }).success,
    ).toBe(true);
  });

  it('names the device by its asset id, then host name, then serial', () => {
    expect(hostnameFor({ assetId: 'LOK12-07', serial: 'SN1' }, 'cros-x')).toBe('LOK12-07');
    expect(hostnameFor({ serial: 'SN1' }, 'cros-x')).toBe('SN1');
    expect(hostnameFor({}, 'chrx-abcdef123456')).toBe('Chromebook-123456');
  });

  it('reports ChromeOS as chromeos, which the console classes as a Chromebook', () => {
    expect(inventoryOs('cros')).toBe('chromeos');
    expect(inventoryOs('linux')).toBe('linux');
    expect(inventoryOs('fuchsia')).toBe('other');
  });
});
