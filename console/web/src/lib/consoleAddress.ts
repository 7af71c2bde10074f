import { type Health, isLoopbackHost } from '@sluimer/shared';
import { useApi } from './hooks.js';

/**
 * The address the install commands carry: the console's configured public URL (SLUIMER_PUBLIC_URL,
 * from GET /api/v1/health), else the address this browser used. A loopback address only reaches the
 * machine the browser runs on, so devices could never enroll with it: the page warns.
 */
export interface ConsoleAddress {
  url: string;
  /** whether the console has SLUIMER_PUBLIC_URL set */
  configured: boolean;
  /** localhost, 127.x or ::1: devices cannot reach it */
  loopback: boolean;
}

export function consoleAddress(publicUrl: string | null | undefined, browserOrigin: string): ConsoleAddress {
  const url = publicUrl || browserOrigin;
  let host = '';
  try {
    host = new URL(url).hostname;
  } catch {
    // no usable address: treat like one devices cannot reach
  }
  return { url, configured: !!publicUrl, loopback: !host || isLoopbackHost(host) };
}

export function useConsoleAddress(): ConsoleAddress {
  const health = useApi<Health>('/api/v1/health');
  return consoleAddress(health.data?.publicUrl, typeof location === 'undefined' ? '' : location.origin);
}
