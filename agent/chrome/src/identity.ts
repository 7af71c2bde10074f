/**
 * Who this Chromebook is to the console. On a managed ChromeOS device a force-installed extension may
 * read the device's directory id, serial number and asset id (chrome.enterprise.deviceAttributes);
 * elsewhere (an unmanaged device, Chromium on a desktop) those calls fail or return "" and a
 * generated id stands in, kept in extension storage so it survives restarts.
 */
export interface DeviceAttributes {
  directoryId?: string;
  serial?: string;
  assetId?: string;
  hostname?: string;
}

const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '-');

/** The enroll installId ([A-Za-z0-9_-], 8–100 chars): stable per device where ChromeOS tells who it is. */
export function installIdFor(attrs: DeviceAttributes, generated: string): string {
  const base = attrs.directoryId || attrs.serial;
  const id = base ? `cros-${clean(base)}` : `chrx-${clean(generated)}`;
  return id.length >= 8 ? id.slice(0, 100) : id.padEnd(8, '0');
}

/** The name IT sees in the console: the asset id or host name from Google Admin, else the serial. */
export function hostnameFor(attrs: DeviceAttributes, installId: string): string {
  const name = attrs.assetId || attrs.hostname || attrs.serial;
  return (name || `Chromebook-${installId.slice(-6)}`).slice(0, 255);
}

/** chrome.runtime platform os → inventory os. */
export function inventoryOs(platformOs: string): 'chromeos' | 'windows' | 'macos' | 'linux' | 'other' {
  switch (platformOs) {
    case 'cros':
      return 'chromeos';
    case 'win':
      return 'windows';
    case 'mac':
      return 'macos';
    case 'linux':
    case 'openbsd':
      return 'linux';
    default:
      return 'other';
  }
}
