import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { PlatformAdapter } from '../platform/types.js';
import { systemClock } from '../platform/types.js';
import { PolicyEnforcer, type SavedOriginals, toApplied } from '../service/policy.js';
import { type DataDirLock, FileStore, lockDataDir } from '../service/store.js';
import { defaultDataDir } from './run.js';

/**
 * `sluimer-agent restore [--data DIR] [--simulate] [--json]`: writes the power settings saved before
 * the agent's first change back through the platform adapter (mode 'restore', so "never" and other
 * values outside the policy bounds come back as they were), then forgets them. Stop the service first
 * (uninstall does), or its policy would be applied again.
 */

const USAGE = 'Usage: sluimer-agent restore [--data DIR] [--simulate] [--json]';

export async function command(args: string[]): Promise<number> {
  let values: { data?: string; simulate?: boolean; json?: boolean; help?: boolean };
  try {
    values = parseArgs({
      args,
      options: {
        data: { type: 'string' },
        simulate: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const dataDir = resolve(values.data ?? defaultDataDir(values.simulate ?? false));
  let lock: DataDirLock;
  try {
    // a running service would apply its policy again right after
    lock = lockDataDir(dataDir);
  } catch (err) {
    console.error(`${(err as Error).message}\n(Stop de service eerst / stop the service first.)`);
    return 1;
  }
  try {
    return await restoreIn(dataDir, values);
  } finally {
    lock.release();
  }
}

async function restoreIn(dataDir: string, values: { simulate?: boolean; json?: boolean }): Promise<number> {
  const store = new FileStore(dataDir);
  const saved = store.read<SavedOriginals>('originals');
  if (!saved) {
    const msg = `Niets terug te zetten: Sluimer heeft op dit apparaat niets veranderd (${dataDir}). / Nothing to restore: Sluimer has not changed this device's settings.`;
    if (values.json) console.log(JSON.stringify({ restored: false, reason: 'nothing saved', dataDir }));
    else console.log(msg);
    return 0;
  }

  let platform: PlatformAdapter;
  if (values.simulate) {
    const { SimulatedPlatform } = await import('../platform/simulated/index.js');
    platform = new SimulatedPlatform();
  } else {
    const { createPlatformAdapter } = await import('../platform/index.js');
    try {
      platform = await createPlatformAdapter();
    } catch (err) {
      console.error((err as Error).message);
      return 1;
    }
  }
  try {
    const out = await new PolicyEnforcer(platform, store, systemClock).restore();
    if (!out) return 0;
    const ok = out.errors.length === 0;
    if (values.json) {
      console.log(
        JSON.stringify(
          {
            restored: ok,
            savedAt: new Date(saved.savedAt).toISOString(),
            applied: toApplied(out.applied),
            errors: out.errors,
          },
          null,
          2,
        ),
      );
    } else if (ok) {
      console.log(
        `Oorspronkelijke instellingen teruggezet (bewaard op ${new Date(saved.savedAt).toISOString()}). / Original settings restored.`,
      );
      console.log(JSON.stringify(toApplied(out.applied), null, 2));
    } else {
      console.error(
        'Niet alles kon worden teruggezet; de bewaarde instellingen blijven staan zodat u het opnieuw kunt proberen. / Not everything could be restored; the saved settings are kept so you can try again:',
      );
      for (const e of out.errors) console.error(`  ${e.setting ?? ''} ${e.code}: ${e.message}`);
    }
    return ok ? 0 : 1;
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  } finally {
    await platform.close?.().catch(() => {});
  }
}
