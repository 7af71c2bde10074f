import { chmod, lstat, readFile, rename, writeFile } from 'node:fs/promises';
import type { ConfigSource } from './config.js';

/**
 * After enrolling, the enroll secret has done its job: the device token is what the agent uses from
 * then on. A secret left in agent.json can be read by anyone who gets that file (a backup, an image,
 * a misconfigured ACL) and enroll any device into the school's group. So the agent takes it out of
 * the config file it came from. A secret from the command line, the environment or the Windows
 * registry policy cannot be removed by the agent (the service definition or the GPO puts it back):
 * the result says so, and the log tells IT where to remove it.
 */
export type ForgetResult =
  | { removed: true; file: string }
  | {
      removed: false;
      reason: 'not-set' | 'not-in-file' | 'kept-by-source';
      source?: ConfigSource;
      file?: string;
    }
  | { removed: false; reason: 'write-failed'; file: string; error: string };

export async function forgetEnrollSecret(
  source: ConfigSource | undefined,
  file: string | undefined,
): Promise<ForgetResult> {
  if (!source) return { removed: false, reason: 'not-set' };
  if (source !== 'file' || !file) return { removed: false, reason: 'kept-by-source', source };
  try {
    const st = await lstat(file);
    const text = await readFile(file, 'utf8');
    const json = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>;
    if (!('enrollSecret' in json)) return { removed: false, reason: 'not-in-file', file };
    delete json.enrollSecret;
    // atomic: a half-written config would stop the agent at the next start
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(json, null, 2)}\n`, { mode: st.mode & 0o777 });
    await chmod(tmp, st.mode & 0o777);
    await rename(tmp, file);
    return { removed: true, file };
  } catch (err) {
    return { removed: false, reason: 'write-failed', file, error: (err as Error).message };
  }
}
