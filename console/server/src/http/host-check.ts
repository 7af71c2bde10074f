import { isIP } from 'node:net';
import { ErrorCode } from '@sluimer/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';

/**
 * The Host allow-list, against DNS rebinding: a page on evil.example whose name the attacker points
 * at the console's address afterwards talks to the console as "evil.example", same-origin in the
 * browser's eyes. The browser still says `Host: evil.example`, so the console answers only to the
 * names it is meant to have.
 *
 * Always allowed: IP literals (a rebinding attack needs a DNS name; a browser sends an IP as Host
 * only when the person typed that address), `localhost` and `*.localhost` (resolved to loopback by
 * the browser itself, RFC 6761). Then the host of SLUIMER_PUBLIC_URL and any SLUIMER_ALLOWED_HOSTS.
 * Without a public URL the machine's own host name is allowed too, so a first start on a school
 * server reached by its name works; the console logs a warning asking for SLUIMER_PUBLIC_URL.
 */
export interface HostPolicy {
  /** origin of SLUIMER_PUBLIC_URL, e.g. https://sluimer.school.nl, or null */
  publicOrigin: string | null;
  /** lower-case host names (no port) the console answers to, besides IP literals and localhost */
  names: ReadonlySet<string>;
}

export function hostPolicy(opts: {
  publicUrl: string | null;
  allowedHosts?: readonly string[];
  machineNames?: readonly string[];
}): HostPolicy {
  const names = new Set<string>();
  let publicOrigin: string | null = null;
  if (opts.publicUrl) {
    const u = new URL(opts.publicUrl);
    publicOrigin = u.origin;
    names.add(normaliseName(u.hostname));
  } else {
    for (const n of opts.machineNames ?? []) if (n) names.add(normaliseName(n));
  }
  for (const n of opts.allowedHosts ?? []) names.add(normaliseName(n));
  return { publicOrigin, names };
}

function normaliseName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/**
 * The host name in a Host header (or the host of an Origin), lower case, without port and without
 * IPv6 brackets; null when it is not a plain `name[:port]`.
 */
export function hostnameOf(host: string | undefined): string | null {
  if (!host || /[\s/\\?#@]/.test(host)) return null;
  let url: URL;
  try {
    url = new URL(`http://${host}`);
  } catch {
    return null;
  }
  const name = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return name ? normaliseName(name) : null;
}

/** whether the console answers to this host name (from hostnameOf) */
export function isAllowedHostname(policy: HostPolicy, hostname: string): boolean {
  if (isIP(hostname)) return true;
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true;
  return policy.names.has(hostname);
}

/** the host the client addressed: Host, or X-Forwarded-Host when the proxy is trusted (Fastify's request.host) */
function requestHost(request: FastifyRequest): string | undefined {
  return request.host || undefined;
}

/**
 * Whether a cookie-authenticated write may come from this Origin: the public URL's origin, or the
 * host the request itself was sent to (same origin) when that host is on the allow-list.
 */
export function originAllowed(policy: HostPolicy, origin: string, request: FastifyRequest): boolean {
  if (policy.publicOrigin !== null && origin === policy.publicOrigin) return true;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false; // includes the opaque origin "null"
  }
  if (o.protocol !== 'http:' && o.protocol !== 'https:') return false;
  const host = requestHost(request);
  let addressed: string;
  try {
    addressed = new URL(`http://${host}`).host;
  } catch {
    return false;
  }
  if (!host || o.host !== addressed) return false;
  const name = hostnameOf(o.host);
  return name !== null && isAllowedHostname(policy, name);
}

/** Refuses (421, host_not_allowed) every request addressed to a host name not on the allow-list. */
export function installHostCheck(app: FastifyInstance, policy: HostPolicy): void {
  app.addHook('onRequest', async (request) => {
    const host = requestHost(request);
    const name = hostnameOf(host);
    if (name !== null && isAllowedHostname(policy, name)) return;
    const nl = policy.publicOrigin ?? 'localhost, een IP-adres of de naam van deze machine';
    const en = policy.publicOrigin ?? 'localhost, an IP address or this machine’s name';
    throw new ApiError(
      421,
      ErrorCode.HostNotAllowed,
      `deze console antwoordt niet op de naam ${JSON.stringify(String(host ?? '').slice(0, 100))}; gebruik ${nl}, of zet de naam in SLUIMER_PUBLIC_URL (of SLUIMER_ALLOWED_HOSTS) / ` +
        `this console does not answer to that host name; use ${en}, or set SLUIMER_PUBLIC_URL (or SLUIMER_ALLOWED_HOSTS) to the name people and agents use`,
    );
  });
}
