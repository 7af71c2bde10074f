/**
 * The console's public URL (SLUIMER_PUBLIC_URL): the address devices use to reach it, e.g.
 * https://sluimer.school.nl. The install commands in the web app carry it, so they work on a pupil's
 * laptop and not only on the machine where IT opened the browser.
 */
export class PublicUrlError extends Error {}

/** The origin of `raw` (scheme, host, port), or a PublicUrlError a person can act on. */
export function parsePublicUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new PublicUrlError(
      `SLUIMER_PUBLIC_URL is geen adres / is not an address: ${raw} (bijv. / e.g. https://sluimer.school.nl)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PublicUrlError(
      `SLUIMER_PUBLIC_URL moet met http:// of https:// beginnen / must start with http:// or https://: ${raw}`,
    );
  }
  if (
    (url.pathname !== '/' && url.pathname !== '') ||
    url.search ||
    url.hash ||
    url.username ||
    url.password
  ) {
    throw new PublicUrlError(
      `SLUIMER_PUBLIC_URL is alleen schema, naam en poort, zonder pad / is scheme, host and port only, without a path: ${raw}`,
    );
  }
  return url.origin;
}

/** Whether a host name only reaches this machine (localhost, 127.0.0.0/8, ::1). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::1';
}
