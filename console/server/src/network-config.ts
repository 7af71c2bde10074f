import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * How the console is reached, from the environment (docs/deployment.md):
 * - SLUIMER_PUBLIC_URL: the address people and agents use, e.g. https://sluimer.school.nl. Its host
 *   is the name the console answers to (Host allow-list, http/host-check.ts) and its origin the one
 *   cookie-authenticated writes may come from. Other code (install commands) reads it from here.
 * - SLUIMER_ALLOWED_HOSTS: more host names the console answers to, comma-separated.
 * - SLUIMER_TRUST_PROXY: which reverse proxies may set X-Forwarded-For/-Host/-Proto, in Fastify's
 *   trustProxy terms: true/false, or a comma-separated list of addresses and CIDR ranges (also
 *   `loopback`, `linklocal`, `uniquelocal`). No hop count: Fastify 5 treats a hop count as "trust
 *   no one" (it cannot tell who sent the header), so accepting one would silently do nothing.
 */
export type TrustProxy = boolean | string[];

export interface NetworkConfig {
  /** origin of SLUIMER_PUBLIC_URL (scheme, host, port; no path), or null when not set */
  publicUrl: string | null;
  allowedHosts: string[];
  trustProxy: TrustProxy;
}

const PublicUrlSchema = z
  .string()
  .trim()
  .transform((text, ctx) => {
    let u: URL;
    try {
      u = new URL(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not a URL; write it like https://sluimer.school.nl' });
      return z.NEVER;
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') {
      ctx.addIssue({ code: 'custom', message: 'must start with https:// (or http://)' });
      return z.NEVER;
    }
    if (u.username || u.password || u.search || u.hash || (u.pathname !== '/' && u.pathname !== '')) {
      ctx.addIssue({
        code: 'custom',
        message: 'only scheme, host and port: the console is served at the root of its address',
      });
      return z.NEVER;
    }
    return u.origin;
  });

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

const AllowedHostsSchema = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z.string().regex(HOST_NAME, 'a host name without scheme or port, e.g. sluimer or sluimer.school.nl'),
    ),
  );

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function validProxyEntry(entry: string): boolean {
  if (PROXY_NAMES.has(entry) || isIP(entry)) return true;
  const m = /^([^/]+)\/(\d{1,3})$/.exec(entry);
  if (!m) return false;
  const family = isIP(m[1]!);
  const bits = Number(m[2]);
  return (family === 4 && bits <= 32) || (family === 6 && bits <= 128);
}

const TrustProxySchema = z
  .string()
  .trim()
  .transform((text, ctx): TrustProxy => {
    const lower = text.toLowerCase();
    if (lower === '' || lower === 'false') return false;
    if (lower === 'true') return true;
    if (/^\d+$/.test(lower)) {
      ctx.addIssue({
        code: 'custom',
        message:
          'a hop count cannot tell who set X-Forwarded-For; give the proxy address or range instead, e.g. 127.0.0.1 or 10.0.0.0/8',
      });
      return z.NEVER;
    }
    const entries = lower
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = entries.filter((e) => !validProxyEntry(e));
    if (bad.length) {
      ctx.addIssue({
        code: 'custom',
        message: `not an address, CIDR range or loopback/linklocal/uniquelocal: ${bad.join(', ')}`,
      });
      return z.NEVER;
    }
    return entries;
  });

const NetworkEnvSchema = z.object({
  SLUIMER_PUBLIC_URL: PublicUrlSchema.optional(),
  SLUIMER_ALLOWED_HOSTS: AllowedHostsSchema.optional(),
  SLUIMER_TRUST_PROXY: TrustProxySchema.optional(),
});

/** Reads the network settings; a bad value throws an error that names the variable and what is wrong. */
export function networkConfigFromEnv(env: NodeJS.ProcessEnv): NetworkConfig {
  const pick = (k: string) => (env[k]?.trim() ? env[k] : undefined);
  const r = NetworkEnvSchema.safeParse({
    SLUIMER_PUBLIC_URL: pick('SLUIMER_PUBLIC_URL'),
    SLUIMER_ALLOWED_HOSTS: pick('SLUIMER_ALLOWED_HOSTS'),
    SLUIMER_TRUST_PROXY: pick('SLUIMER_TRUST_PROXY'),
  });
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Ongeldige netwerkinstelling / invalid network setting: ${issues}`);
  }
  return {
    publicUrl: r.data.SLUIMER_PUBLIC_URL ?? null,
    allowedHosts: r.data.SLUIMER_ALLOWED_HOSTS ?? [],
    trustProxy: r.data.SLUIMER_TRUST_PROXY ?? false,
  };
}

/** The same checks for values given to startConsole directly (tests, embedding). */
export function checkNetworkOptions(opts: {
  publicUrl?: string | null;
  allowedHosts?: readonly string[];
  trustProxy?: TrustProxy;
}): NetworkConfig {
  const trust = opts.trustProxy;
  return networkConfigFromEnv({
    SLUIMER_PUBLIC_URL: opts.publicUrl ?? undefined,
    SLUIMER_ALLOWED_HOSTS: opts.allowedHosts?.join(','),
    SLUIMER_TRUST_PROXY: Array.isArray(trust)
      ? trust.join(',')
      : trust === undefined
        ? undefined
        : String(trust),
  });
}
