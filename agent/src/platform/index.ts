import { ErrorCode, SluimerError } from '@sluimer/shared';
import type { PlatformAdapter } from './types.js';

/**
 * Picks the adapter for this OS (or the one asked for). Adapters are loaded on demand so a Linux
 * agent never loads the Windows parsers and the reverse.
 */
export async function createPlatformAdapter(
  options: { os?: NodeJS.Platform | 'simulated' } = {},
): Promise<PlatformAdapter> {
  const os = options.os ?? process.platform;
  switch (os) {
    case 'linux': {
      const { LinuxAdapter } = await import('./linux/adapter.js');
      return new LinuxAdapter();
    }
    case 'win32': {
      const { WindowsAdapter } = await import('./windows/adapter.js');
      return new WindowsAdapter();
    }
    case 'darwin': {
      const { MacosAdapter } = await import('./macos/adapter.js');
      return new MacosAdapter();
    }
    case 'simulated': {
      const { SimulatedPlatform } = await import('./simulated/index.js');
      return new SimulatedPlatform();
    }
    default:
      throw new SluimerError(
        ErrorCode.Unsupported,
        `Sluimer has no platform adapter for "${os}" (supported: linux, win32, darwin, simulated)`,
      );
  }
}
