import { existsSync, type FSWatcher, watch } from 'node:fs';
import { chmod, lchown, lstat, mkdir, readdir, rm, unlink } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import {
  defaultIpcPath,
  encode,
  IPC_PROTOCOL,
  lineSplitter,
  type NudgeMessage,
  type OutcomeMessage,
  parseLine,
  type ServiceMessage,
  type SessionSignalsMessage,
  TrayMessageSchema,
  type TrayState,
} from './protocol.js';

export interface IpcServerOptions {
  /** socket path or `\\.\pipe\name`; default per OS (`defaultIpcPath`) */
  path?: string;
  /**
   * Unix: the uid of the pupil's session, who alone (with root) may open the socket; null = nobody
   * but the service's own user. The socket's directory is made 0700 and handed to that uid, the
   * socket 0600, so where the socket is proves who is on the other end. Asked again every
   * `ownerCheckMs`; a change moves the socket to the new user and drops every connection.
   * Not given: the socket belongs to the service's own user (development, a per-user service).
   */
  owner?: () => Promise<number | null>;
  /** how often `owner` is asked when nothing announces a change (default 30 s: each ask runs loginctl or stat) */
  ownerCheckMs?: number;
  /**
   * A directory whose changes announce a new session (logind's `/run/systemd/sessions`): when given
   * and watchable, `owner` is asked on its changes instead of every `ownerCheckMs`, so the service is
   * not woken while nobody logs in or out. A directory that does not exist means there is no such
   * session manager on this machine (a container, a system without logind): asked once only.
   */
  ownerWatchDir?: string;
  /** per-connection and per-server bounds (defaults: IPC_LIMITS) */
  limits?: Partial<IpcLimits>;
  /** current state, sent to every tray as soon as it says hello */
  getState: () => TrayState;
  onSession?: (signals: AggregateSignals) => void;
  onOutcome?: (outcome: OutcomeMessage) => void;
  onSnooze?: () => void;
  log?: (msg: string) => void;
}

/** Bounds against a local user flooding the privileged service (docs/security.md). */
export interface IpcLimits {
  /** connections at once; one more is told `too_many_connections` and closed */
  maxConnections: number;
  /** longest line from a tray (a real one sends < 1 KiB); longer: `frame_too_large`, closed */
  maxLineBytes: number;
  /** messages per connection: a bucket of `burst` refilled at `perSecond` */
  perSecond: number;
  burst: number;
  /** a connection that keeps sending over its budget this many times is closed */
  maxDropped: number;
  /** a connection that has not said hello by then is closed */
  helloTimeoutMs: number;
}

export const IPC_LIMITS: IpcLimits = {
  maxConnections: 8,
  maxLineBytes: 8 * 1024,
  perSecond: 5,
  burst: 20,
  maxDropped: 100,
  helloTimeoutMs: 5_000,
};

/** Session signals over all connected trays: the least idle session counts, any presenting counts. */
export interface AggregateSignals {
  idleMs: number | null;
  presenting: boolean;
  trays: number;
  /** the power source a tray reported (Electron powerMonitor); absent when none did */
  power?: 'ac' | 'battery';
}

export interface IpcServer {
  readonly path: string;
  /** the uid the socket is handed to (managed mode); null: the service's own user */
  owner(): number | null;
  /** number of trays that said hello */
  trayCount(): number;
  /** pushes the current state to every tray */
  broadcastState(state?: TrayState): void;
  /** sends a nudge to the trays; returns how many got it */
  sendNudge(nudge: Omit<NudgeMessage, 'type'>): number;
  signals(): AggregateSignals;
  close(): Promise<void>;
}

interface Client {
  socket: net.Socket;
  hello: boolean;
  signals?: SessionSignalsMessage;
  badLines: number;
  tokens: number;
  refilledAt: number;
  dropped: number;
  warnedAt: number;
}

const MAX_BAD_LINES = 20;

/**
 * Removes a socket file left by a crashed service, but never a live one or a non-socket — except in
 * a directory the service manages for a session (`managed`), where anything at that name was left by
 * the previous owner and is removed (unlink never follows a symlink).
 */
async function clearStaleSocket(file: string, managed: boolean): Promise<void> {
  let st: Awaited<ReturnType<typeof lstat>>;
  try {
    st = await lstat(file);
  } catch {
    return;
  }
  if (!st.isSocket() && !managed)
    throw new Error(`IPC path ${file} exists and is not a socket; refusing to replace it`);
  if (st.isSocket()) {
    const live = await new Promise<boolean>((resolve) => {
      const s = net.connect(file);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (live) throw new Error(`another Sluimer service is already listening on ${file}`);
  }
  await unlink(file);
}

/**
 * The socket's directory: created 0700 if absent; refused when shared (world-writable or sticky, like
 * /tmp), where another user could take the name first. In managed mode the service also changes the
 * folder's owner and mode, so it must be the socket's own folder: anything else in it is refused (a
 * misconfigured `--ipc /run/agent.sock` must never chmod /run), except what the previous session user
 * left at a handover (`clean`) or in the default folder, which is removed (never following a link).
 */
async function prepareDir(dir: string, socketName: string, managed: boolean, clean: boolean): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await lstat(dir);
  if (!st.isDirectory()) throw new Error(`IPC directory ${dir} is not a directory`);
  if ((st.mode & 0o1002) !== 0)
    throw new Error(
      `IPC directory ${dir} is shared (world-writable or sticky); give the socket a directory of its own`,
    );
  if (!managed) return;
  const others = (await readdir(dir)).filter((n) => n !== socketName);
  if (others.length > 0 && !clean)
    throw new Error(
      `IPC directory ${dir} holds other files (${others.slice(0, 3).join(', ')}); give the socket a directory of its own`,
    );
  // the service's own user and 0700 while the socket is (re)made: nobody else can put anything here
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  if (uid !== undefined && gid !== undefined && st.uid !== uid) await lchown(dir, uid, gid);
  await chmod(dir, 0o700);
  for (const n of others) await rm(path.join(dir, n), { recursive: true, force: true });
}

export async function startIpcServer(options: IpcServerOptions): Promise<IpcServer> {
  const file = options.path ?? defaultIpcPath();
  const isPipe = file.startsWith('\\\\');
  const log = options.log ?? (() => {});
  const limits: IpcLimits = { ...IPC_LIMITS, ...options.limits };
  const clients = new Set<Client>();

  const send = (c: Client, msg: ServiceMessage) => {
    if (!c.socket.destroyed && c.socket.writable) c.socket.write(encode(msg));
  };

  const signals = (): AggregateSignals => {
    let idleMs: number | null = null;
    let presenting = false;
    let trays = 0;
    let power: 'ac' | 'battery' | undefined;
    for (const c of clients) {
      if (!c.hello) continue;
      trays++;
      const s = c.signals;
      // the same machine for every session: any tray's reading will do, a locked one's too
      power ??= s?.power;
      if (!s || s.locked) continue;
      presenting ||= s.presenting === true;
      if (s.idleMs !== null) idleMs = idleMs === null ? s.idleMs : Math.min(idleMs, s.idleMs);
    }
    return { idleMs, presenting, trays, ...(power ? { power } : {}) };
  };

  /** token bucket per connection: false = over budget (the message is dropped) */
  const admit = (c: Client): boolean => {
    const now = Date.now();
    c.tokens = Math.min(limits.burst, c.tokens + ((now - c.refilledAt) / 1000) * limits.perSecond);
    c.refilledAt = now;
    if (c.tokens >= 1) {
      c.tokens -= 1;
      return true;
    }
    c.dropped++;
    if (c.dropped >= limits.maxDropped) {
      log('ipc client keeps flooding; closing it');
      c.socket.destroy();
    } else if (now - c.warnedAt > 1_000) {
      c.warnedAt = now;
      send(c, { type: 'error', code: 'rate_limited', message: 'too many messages; some were dropped' });
    }
    return false;
  };

  const onConnection = (socket: net.Socket) => {
    if (clients.size >= limits.maxConnections) {
      socket.on('error', () => {});
      socket.end(
        encode({ type: 'error', code: 'too_many_connections', message: 'too many trays connected' }),
      );
      socket.destroySoon?.();
      setTimeout(() => socket.destroy(), 1_000).unref();
      log('ipc connection refused: too many connections');
      return;
    }
    const client: Client = {
      socket,
      hello: false,
      badLines: 0,
      tokens: limits.burst,
      refilledAt: Date.now(),
      dropped: 0,
      warnedAt: 0,
    };
    clients.add(client);
    socket.setEncoding('utf8');
    const helloTimer = setTimeout(() => {
      if (!client.hello) socket.destroy();
    }, limits.helloTimeoutMs);
    helloTimer.unref();
    const push = lineSplitter(
      (line) => {
        if (!admit(client)) return;
        const parsed = parseLine(TrayMessageSchema, line);
        if (!parsed.ok) {
          client.badLines++;
          send(client, { type: 'error', code: parsed.code, message: parsed.message });
          if (client.badLines >= MAX_BAD_LINES) socket.destroy();
          return;
        }
        client.badLines = 0;
        const msg = parsed.value;
        if (msg.type === 'hello') {
          if (msg.protocol !== IPC_PROTOCOL) {
            send(client, {
              type: 'error',
              code: 'unsupported_protocol',
              message: `this service speaks IPC protocol ${IPC_PROTOCOL}, the tray ${msg.protocol}; update the tray`,
            });
            socket.end();
            return;
          }
          client.hello = true;
          clearTimeout(helloTimer);
          send(client, options.getState());
          return;
        }
        if (!client.hello) {
          send(client, { type: 'error', code: 'hello_required', message: 'send hello first' });
          return;
        }
        if (msg.type === 'session') {
          client.signals = msg;
          options.onSession?.(signals());
        } else if (msg.type === 'outcome') options.onOutcome?.(msg);
        else if (msg.type === 'snooze') options.onSnooze?.();
      },
      () => {
        // the half-written line is thrown away at once (it never grows past the limit)
        send(client, { type: 'error', code: 'frame_too_large', message: 'line too long; closing' });
        socket.end();
        setTimeout(() => socket.destroy(), 1_000).unref();
      },
      limits.maxLineBytes,
    );
    socket.on('data', push);
    socket.on('error', (err) => log(`ipc client error: ${err.message}`));
    socket.on('close', () => {
      clearTimeout(helloTimer);
      clients.delete(client);
      if (client.hello) options.onSession?.(signals());
    });
  };

  let server: net.Server | null = null;
  let owner: number | null = null;
  const managed = !isPipe && options.owner !== undefined;

  const dropClients = () => {
    const had = [...clients].some((c) => c.hello);
    for (const c of clients) c.socket.destroy();
    clients.clear();
    if (had) options.onSession?.(signals());
  };

  const closeServer = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = null;
      dropClients();
      if (!s) return resolve();
      s.close(() => resolve());
    });

  /** (Re)makes the socket for `uid`: made while only the service can touch the directory, then handed over. */
  const isDefault = options.path === undefined || options.path === defaultIpcPath();
  let handovers = 0;
  const listen = async (uid: number | null) => {
    if (!isPipe) {
      await prepareDir(path.dirname(file), path.basename(file), managed, isDefault || handovers > 0);
      await clearStaleSocket(file, managed);
    }
    handovers++;
    const s = net.createServer(onConnection);
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(file, () => {
        s.off('error', reject);
        resolve();
      });
    });
    s.on('error', (err) => log(`ipc server error: ${err.message}`));
    server = s;
    if (!isPipe) {
      await chmod(file, 0o600);
      if (uid !== null && uid !== process.getuid?.()) {
        const gid = process.getgid?.() ?? 0;
        await lchown(file, uid, gid);
        await lchown(path.dirname(file), uid, gid);
      }
    }
    owner = uid;
  };

  const askOwner = async (): Promise<number | null> => {
    try {
      const uid = (await options.owner?.()) ?? null;
      return uid !== null && Number.isInteger(uid) && uid >= 0 ? uid : null;
    } catch (err) {
      log(`ipc: could not tell the session user: ${(err as Error).message}`);
      return owner;
    }
  };

  await listen(managed ? await askOwner() : null);

  let checking = false;
  let closed = false;
  const checkOwner = async () => {
    if (checking || closed) return;
    checking = true;
    try {
      const uid = await askOwner();
      if (uid !== owner && !closed) {
        log(`ipc: session user changed (${owner ?? 'none'} → ${uid ?? 'none'}); socket handed over`);
        await closeServer();
        if (!closed) await listen(uid);
      }
    } catch (err) {
      log(`ipc: could not hand the socket over: ${(err as Error).message}`);
    } finally {
      checking = false;
    }
  };
  let ownerWatch: FSWatcher | null = null;
  let debounce: NodeJS.Timeout | null = null;
  let ownerFixed = false;
  if (managed && options.ownerWatchDir) {
    try {
      if (!existsSync(options.ownerWatchDir)) throw Object.assign(new Error('absent'), { absent: true });
      ownerWatch = watch(options.ownerWatchDir, () => {
        // logind writes several files per login: one ask once they settled
        if (debounce) clearTimeout(debounce);
        debounce = setTimeout(() => void checkOwner(), 500);
        debounce.unref();
      });
      ownerWatch.unref();
      ownerWatch.on('error', () => undefined);
    } catch (err) {
      ownerWatch = null;
      // absent: no session manager to announce a login, and none to ask either; else asked periodically
      ownerFixed = (err as { absent?: boolean }).absent === true;
    }
  }
  const ownerTimer =
    managed && !ownerWatch && !ownerFixed
      ? setInterval(() => void checkOwner(), options.ownerCheckMs ?? 30_000)
      : null;
  ownerTimer?.unref();

  return {
    path: file,
    owner: () => owner,
    trayCount: () => [...clients].filter((c) => c.hello).length,
    broadcastState(state) {
      const s = state ?? options.getState();
      for (const c of clients) if (c.hello) send(c, s);
    },
    sendNudge(nudge) {
      let n = 0;
      for (const c of clients) {
        if (!c.hello) continue;
        send(c, { type: 'nudge', ...nudge });
        n++;
      }
      return n;
    },
    signals,
    close: async () => {
      closed = true;
      if (ownerTimer) clearInterval(ownerTimer);
      ownerWatch?.close();
      if (debounce) clearTimeout(debounce);
      await closeServer();
    },
  };
}
