import { isLoopbackHost } from '@sluimer/shared';
/**
 * Is the console address safe to send the enroll secret and the device token to? Plain `http://`
 * (and `ws://`) carries both readable by anyone on the school network, so the agent refuses it for
 * anything but this machine itself unless the deployment allows it explicitly
 * (`--allow-insecure-http`, SLUIMER_ALLOW_INSECURE_HTTP=1, `"allowInsecureHttp": true`).
 * docs/security.md "Agent transport and enrollment secret".
 */

export type TransportCheck =
  | { ok: true; insecure: false }
  /** plain http that is allowed: to loopback, or by the deployment's explicit choice */
  | { ok: true; insecure: true; loopback: boolean; warning: string }
  | { ok: false; message: string };

export function checkTransport(serverUrl: string, allowInsecureHttp: boolean): TransportCheck {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    return {
      ok: false,
      message: `"${serverUrl}" is geen adres / is not a URL (e.g. https://sluimer.school.nl).`,
    };
  }
  if (url.protocol === 'https:' || url.protocol === 'wss:') return { ok: true, insecure: false };
  if (url.protocol !== 'http:' && url.protocol !== 'ws:') {
    return {
      ok: false,
      message: `De console-URL moet met https:// beginnen / the console URL must start with https:// (got ${url.protocol}).`,
    };
  }
  const loopback = isLoopbackHost(url.hostname);
  if (loopback) {
    return {
      ok: true,
      insecure: true,
      loopback,
      warning: `onversleuteld http naar deze computer zelf (${url.host}) / plain http to this machine itself (${url.host})`,
    };
  }
  if (!allowInsecureHttp) {
    return {
      ok: false,
      message:
        `Onversleuteld http:// naar ${url.host} geweigerd: de inschrijfcode en het apparaattoken zouden leesbaar over het netwerk gaan. Gebruik https:// (met --ca-file voor een school-CA), of sta het bewust toe met --allow-insecure-http / SLUIMER_ALLOW_INSECURE_HTTP=1 (alleen voor een testopstelling). / ` +
        `Plain http:// to ${url.host} refused: the enroll secret and the device token would cross the network readable by anyone. Use https:// (with --ca-file for a school CA), or allow it deliberately with --allow-insecure-http / SLUIMER_ALLOW_INSECURE_HTTP=1 (test setups only).`,
    };
  }
  return {
    ok: true,
    insecure: true,
    loopback,
    warning: `ONVEILIG: onversleuteld http naar ${url.host} is toegestaan; inschrijfcode en token gaan leesbaar over het netwerk / INSECURE: plain http to ${url.host} is allowed; the enroll secret and token cross the network readable`,
  };
}
