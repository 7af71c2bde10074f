import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CreateUserRequestSchema } from '@sluimer/shared';
import Database from 'better-sqlite3';
import { generatePassword, hashPassword } from '../auth/crypto.js';
import { MIGRATIONS } from '../store/migrations.js';
import { DB_FILE, insertAuditRow } from '../store/sqlite.js';
import { auditDetails } from './audit.js';

/**
 * `sluimer-console reset-password [user]`: a new password for a user (default `admin`), for when the
 * first-start password is lost. Works on the database file directly, so it works whether the console
 * runs or not (SQLite in WAL mode takes a second writer). Every session of the user ends; API tokens
 * stay (they are revoked in the web app). Written to the audit log as `CLI reset-password`.
 *
 * Where the new password comes from, first match wins: SLUIMER_ADMIN_PASSWORD; standard input when it
 * is not a terminal (`echo … | sluimer-console reset-password ict`); otherwise one is generated and
 * printed.
 */
export interface ResetPasswordIo {
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** the password piped in, or undefined when standard input is a terminal */
  readStdin?: () => Promise<string | undefined>;
}

const PasswordSchema = CreateUserRequestSchema.shape.password;

export class ResetPasswordError extends Error {}

export interface ResetResult {
  username: string;
  /** set when the command made the password up (it has to be shown) */
  generated?: string;
  sessionsEnded: number;
}

/** Sets a user's password in the database in `dataDir` and ends the user's sessions. */
export async function resetPassword(
  dataDir: string,
  username: string,
  password: string | undefined,
  now: () => number = Date.now,
): Promise<ResetResult> {
  const file = join(resolve(dataDir), DB_FILE);
  if (!existsSync(file)) {
    throw new ResetPasswordError(
      `Geen database in ${dataDir}; zet SLUIMER_DATA op de datamap van de console / ` +
        `no database in ${dataDir}; set SLUIMER_DATA to the console's data folder`,
    );
  }
  if (password !== undefined) {
    const ok = PasswordSchema.safeParse(password);
    if (!ok.success) {
      throw new ResetPasswordError(
        'Het wachtwoord moet 10 tot 200 tekens hebben / the password needs 10 to 200 characters',
      );
    }
  }
  const newPassword = password ?? generatePassword();
  const hash = await hashPassword(newPassword);
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version < 1 || version > MIGRATIONS.length) {
      throw new ResetPasswordError(
        `Schemaversie ${version} is onbekend voor deze console / schema version ${version} is unknown to this console`,
      );
    }
    const user = db.prepare('SELECT id, role FROM users WHERE username = ?').get(username) as
      | { id: number; role: string }
      | undefined;
    if (!user) {
      const names = (
        db.prepare('SELECT username FROM users ORDER BY username').all() as { username: string }[]
      )
        .map((u) => u.username)
        .join(', ');
      throw new ResetPasswordError(
        `Gebruiker "${username}" bestaat niet (wel: ${names || 'geen'}) / user "${username}" does not exist (users: ${names || 'none'})`,
      );
    }
    const sessionsEnded = db.transaction(() => {
      db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(hash, user.id);
      const ended = db.prepare('DELETE FROM sessions WHERE user_id = ?').run(user.id).changes;
      insertAuditRow(db, {
        at: now(),
        userId: null,
        username: null,
        role: null,
        via: 'cli',
        ip: 'local',
        method: 'CLI',
        route: 'reset-password',
        targetId: user.id,
        status: 200,
        details: auditDetails({ username, sessionsEnded: ended }),
      });
      return ended;
    })();
    return { username, sessionsEnded, ...(password === undefined ? { generated: newPassword } : {}) };
  } finally {
    db.close();
  }
}

/** Reads standard input to the end when it is a pipe or file; undefined on a terminal. */
export async function readPipedStdin(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  return text === '' ? undefined : text;
}

export async function resetPasswordCommand(argv: string[], io: ResetPasswordIo): Promise<number> {
  const [, user, ...rest] = argv;
  if (rest.length) {
    io.stderr.write('Gebruik / usage: sluimer-console reset-password [gebruiker/user]\n');
    return 2;
  }
  const username = user ?? 'admin';
  const dataDir = resolve(io.env.SLUIMER_DATA || './data');
  try {
    const given = io.env.SLUIMER_ADMIN_PASSWORD || (await (io.readStdin ?? readPipedStdin)());
    const r = await resetPassword(dataDir, username, given);
    const ended = `${r.sessionsEnded} sessie(s) beëindigd / session(s) ended`;
    if (r.generated) {
      io.stdout.write(
        [
          '',
          '============================================================',
          ` Nieuw wachtwoord voor "${r.username}" / new password for "${r.username}":`,
          '',
          `     ${r.generated}`,
          '',
          ` ${ended}. Bewaar het nu / save it now.`,
          '============================================================',
          '',
        ].join('\n'),
      );
    } else {
      io.stdout.write(
        `Wachtwoord van "${r.username}" ingesteld / password of "${r.username}" set; ${ended}.\n`,
      );
    }
    return 0;
  } catch (e) {
    io.stderr.write(`reset-password mislukt / failed: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
