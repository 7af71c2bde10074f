import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { PlatformAdapter } from '../platform/types.js';
import { systemClock } from '../platform/types.js';
import { PolicyEnforcer, type RestoreOutcome, type SavedOriginals, toApplied } from '../service/policy.js';
import { type DataDirLock, FileStore, lockDataDir } from '../service/store.js';
import { defaultDataDir } from './run.js';

/**
 * `sluimer-agent restore [--data DIR] [--simulate] [--json]`: writes back, through the platform
 * adapter, the settings the agent changed (as recorded), from the originals saved before its first
 * change (mode 'restore', so "never" and other values outside the policy bounds come back as they
 * were), then forgets them. Settings it never changed are left alone. Stop the service first
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
  if (!store.read<SavedOriginals>('originals')) return nothingToRestore(dataDir, values.json);
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
    return await restoreWith(platform, dataDir, { json: values.json ?? false });
  } finally {
    await platform.close?.().catch(() => {});
  }
}

function nothingToRestore(dataDir: string, json?: boolean): number {
  if (json) console.log(JSON.stringify({ restored: false, reason: 'nothing saved', dataDir }));
  else
    console.log(
      `Niets terug te zetten: Sluimer heeft op dit apparaat niets veranderd (${dataDir}). / Nothing to restore: Sluimer has not changed this device's settings.`,
    );
  return 0;
}

/**
 * Puts back what the agent changed (as recorded in the data dir) through `platform`. Exit code 0 when
 * all of it is back (or nothing was changed), 1 when something could not be restored; the message
 * names each such setting and why, and a second run retries only those.
 */
export async function restoreWith(
  platform: PlatformAdapter,
  dataDir: string,
  opts: { json: boolean },
): Promise<number> {
  const store = new FileStore(dataDir);
  const saved = store.read<SavedOriginals>('originals');
  if (!saved) return nothingToRestore(dataDir, opts.json);
  let out: RestoreOutcome | null;
  try {
    out = await new PolicyEnforcer(platform, store, systemClock).restore();
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  }
  if (!out) return nothingToRestore(dataDir, opts.json);
  const ok = out.notRestored.length === 0;
  const savedAt = new Date(saved.savedAt).toISOString();
  if (opts.json) {
    console.log(
      JSON.stringify(
        {
          restored: ok,
          savedAt,
          restoredFields: out.restored,
          notRestored: out.notRestored,
          applied: toApplied(out.applied),
          errors: out.errors,
        },
        null,
        2,
      ),
    );
  } else if (ok) {
    console.log(
      out.restored.length > 0
        ? `Oorspronkelijke instellingen teruggezet (bewaard op ${savedAt}): ${out.restored.join(', ')}. / Original settings restored: ${out.restored.join(', ')}.`
        : 'Sluimer had niets veranderd; er was niets terug te zetten. / Sluimer had changed nothing; nothing to restore.',
    );
    console.log(JSON.stringify(toApplied(out.applied), null, 2));
  } else {
    if (out.restored.length > 0) console.log(`Teruggezet / Restored: ${out.restored.join(', ')}.`);
    console.error(
      `Niet teruggezet / Not restored: ${out.notRestored.join(', ')}. Los dit op en start restore opnieuw; alleen deze worden opnieuw geprobeerd. / Fix this and run restore again; only these are retried:`,
    );
    for (const e of out.errors) console.error(`  ${e.setting ?? ''} ${e.code}: ${e.message}`);
  }
  return ok ? 0 : 1;
}
