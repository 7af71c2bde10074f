/**
 * Whether a host name only reaches this machine: localhost and *.localhost, 127.0.0.0/8, ::1 (also
 * written out, and IPv4-mapped). The agent allows plain http only to these, the console warns when
 * it serves plain HTTP beyond them, and the web app warns when install commands would carry one.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}
