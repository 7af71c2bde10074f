import { readFileSync } from 'node:fs';

export interface TlsFiles {
  key: Buffer;
  cert: Buffer;
}

/**
 * HTTPS/WSS from SLUIMER_TLS_CERT and SLUIMER_TLS_KEY (PEM file paths; the certificate file may hold
 * the chain). Both or neither: one without the other is a configuration error, never a silent
 * fall-back to plain HTTP.
 */
export function tlsFromEnv(env: NodeJS.ProcessEnv): TlsFiles | undefined {
  const certPath = env.SLUIMER_TLS_CERT?.trim();
  const keyPath = env.SLUIMER_TLS_KEY?.trim();
  if (!certPath && !keyPath) return undefined;
  if (!certPath || !keyPath) {
    throw new Error(
      'Zet SLUIMER_TLS_CERT én SLUIMER_TLS_KEY (of geen van beide). / ' +
        'Set both SLUIMER_TLS_CERT and SLUIMER_TLS_KEY (or neither).',
    );
  }
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(
        `Kan ${what} niet lezen / cannot read the ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
  };
  const cert = read(certPath, 'TLS certificate');
  const key = read(keyPath, 'TLS key');
  if (!cert.includes('-----BEGIN CERTIFICATE-----'))
    throw new Error(`${certPath} is geen PEM-certificaat / is not a PEM certificate`);
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key.toString()))
    throw new Error(`${keyPath} is geen PEM-sleutel / is not a PEM private key`);
  return { key, cert };
}
