import { createPlatformAdapter } from '../platform/index.js';
import type { Capability, PlatformAdapter } from '../platform/types.js';

/**
 * `sluimer-agent doctor [--json] [--os simulated]`: probes every capability on this machine (reads,
 * harmless write-backs of current values, tool and privilege checks) and prints what the agent can
 * read and enforce here, and why not where it cannot.
 */
const LABEL: Record<Capability['status'], string> = {
  readable: 'leesbaar / readable',
  enforceable: 'afdwingbaar / enforceable',
  'needs-admin': 'beheerder nodig / needs admin',
  unsupported: 'niet ondersteund / unsupported',
};

export async function collect(adapter: PlatformAdapter): Promise<{
  os: string;
  capabilities: Capability[];
  sample: Record<string, unknown>;
}> {
  const capabilities = await adapter.capabilities();
  const sample: Record<string, unknown> = {};
  const safe = async (key: string, f: () => Promise<unknown>) => {
    try {
      sample[key] = await f();
    } catch (e) {
      sample[key] = { error: (e as Error).message };
    }
  };
  await safe('idleMs', () => adapter.idleMs());
  await safe('powerSource', () => adapter.powerSource());
  await safe('displayState', () => adapter.displayState());
  await safe('battery', () => adapter.battery());
  await safe('settings', () => adapter.readSettings());
  await safe('blockers', () => adapter.blockers());
  await safe('inventory', () => adapter.inventory());
  return { os: adapter.os, capabilities, sample };
}

export interface TransportFinding {
  server: string | null;
  /** plain http:// is allowed for a non-loopback console (flag, env, registry or agent.json) */
  insecureAllowed: boolean;
  /** the configured console is reached over plain http */
  insecureInUse: boolean;
  warning: string | null;
}

/**
 * What the deployment config says about the console's transport (docs/security.md): doctor warns
 * when plain http is allowed or used, so an IT admin sees it before a pupil on the network does.
 */
export async function transportFinding(env: NodeJS.ProcessEnv = process.env): Promise<TransportFinding> {
  const { loadDeploymentConfig } = await import('../config/config.js');
  const { checkTransport } = await import('../config/transport.js');
  let config: Awaited<ReturnType<typeof loadDeploymentConfig>>;
  try {
    config = await loadDeploymentConfig({}, { env });
  } catch (err) {
    return { server: null, insecureAllowed: false, insecureInUse: false, warning: (err as Error).message };
  }
  const server = env.SLUIMER_SERVER ?? config.server ?? null;
  const allowed = config.allowInsecureHttp;
  const check = server ? checkTransport(server, allowed) : null;
  const inUse = check !== null && (!check.ok || check.insecure);
  const warnings: string[] = [];
  if (allowed)
    warnings.push(
      `onversleuteld http is toegestaan (allowInsecureHttp uit ${config.sources.allowInsecureHttp}) / plain http is allowed (allowInsecureHttp from ${config.sources.allowInsecureHttp})`,
    );
  if (check && !check.ok) warnings.push(check.message);
  else if (check?.insecure) warnings.push(check.warning);
  return {
    server,
    insecureAllowed: allowed,
    insecureInUse: inUse,
    warning: warnings.length ? warnings.join('; ') : null,
  };
}

export function renderTable(caps: Capability[]): string {
  const w1 = Math.max(10, ...caps.map((c) => c.id.length));
  const w2 = Math.max(...Object.values(LABEL).map((l) => l.length));
  const lines = [`${'capability'.padEnd(w1)}  ${'status'.padEnd(w2)}  how / why`];
  lines.push(`${'-'.repeat(w1)}  ${'-'.repeat(w2)}  ${'-'.repeat(20)}`);
  for (const c of caps) lines.push(`${c.id.padEnd(w1)}  ${LABEL[c.status].padEnd(w2)}  ${c.detail}`);
  return lines.join('\n');
}

export async function command(args: string[]): Promise<number> {
  const json = args.includes('--json');
  const osIdx = args.indexOf('--os');
  const os = osIdx >= 0 ? args[osIdx + 1] : undefined;
  const unknown = args.filter((a, i) => a !== '--json' && a !== '--os' && !(osIdx >= 0 && i === osIdx + 1));
  if (unknown.length > 0 || (osIdx >= 0 && !os)) {
    console.error(
      `Usage: sluimer-agent doctor [--json] [--os linux|win32|darwin|simulated]\nUnknown: ${unknown.join(' ')}`,
    );
    return 2;
  }
  const transport = await transportFinding();
  const adapter = await createPlatformAdapter(os ? { os: os as NodeJS.Platform } : {});
  try {
    const report = await collect(adapter);
    if (json) console.log(JSON.stringify({ ...report, transport }, null, 2));
    else {
      if (transport.warning) console.log(`WAARSCHUWING / WARNING: ${transport.warning}\n`);
      console.log(`Sluimer doctor: ${report.os} (${process.platform}, uid ${process.getuid?.() ?? 'n/a'})\n`);
      console.log(renderTable(report.capabilities));
      const idle = report.sample.idleMs;
      console.log(
        `\nNu / now: idle ${typeof idle === 'number' ? `${Math.round(idle / 1000)} s` : JSON.stringify(idle)}, stroom / power ${JSON.stringify(report.sample.powerSource)}, scherm / display ${JSON.stringify(report.sample.displayState)}`,
      );
    }
    return 0;
  } finally {
    await adapter.close?.();
  }
}
