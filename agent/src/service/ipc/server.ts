import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
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
  /** file mode of the Unix socket: any local user may connect (tray runs as the pupil) */
  socketMode?: number;
  /** current state, sent to every tray as soon as it says hello */
  getState: () => TrayState;
  onSession?: (signals: AggregateSignals) => void;
  onOutcome?: (outcome: OutcomeMessage) => void;
  onSnooze?: () => void;
  log?: (msg: string) => void;
}

/** Session signals over all connected trays: the least idle session counts, any presenting counts. */
export interface AggregateSignals {
  idleMs: number | null;
  presenting: boolean;
  trays: number;
}

export interface IpcServer {
  readonly path: string;
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
}

const MAX_BAD_LINES = 20;

/** Removes a socket file left by a crashed service, but never a live one or a non-socket. */
async function clearStaleSocket(file: string): Promise<void> {
  let st: Awaited<ReturnType<typeof lstat>>;
  try {
    st = await lstat(file);
  } catch {
    return;
  }
  if (!st.isSocket()) throw new Error(`IPC path ${file} exists and is not a socket; refusing to replace it`);
  const live = await new Promise<boolean>((resolve) => {
    const s = net.connect(file);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
  if (live) throw new Error(`another Sluimer service is already listening on ${file}`);
  await unlink(file);
}

export async function startIpcServer(options: IpcServerOptions): Promise<IpcServer> {
  const file = options.path ?? defaultIpcPath();
  const isPipe = file.startsWith('\\\\');
  const log = options.log ?? (() => {});
  const clients = new Set<Client>();

  const send = (c: Client, msg: ServiceMessage) => {
    if (!c.socket.destroyed && c.socket.writable) c.socket.write(encode(msg));
  };

  const signals = (): AggregateSignals => {
    let idleMs: number | null = null;
    let presenting = false;
    let trays = 0;
    for (const c of clients) {
      if (!c.hello) continue;
      trays++;
      const s = c.signals;
      if (!s || s.locked) continue;
      presenting ||= s.presenting;
      if (s.idleMs !== null) idleMs = idleMs === null ? s.idleMs : Math.min(idleMs, s.idleMs);
    }
    return { idleMs, presenting, trays };
  };

  const server = net.createServer((socket) => {
    const client: Client = { socket, hello: false, badLines: 0 };
    clients.add(client);
    socket.setEncoding('utf8');
    const push = lineSplitter(
      (line) => {
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
        send(client, { type: 'error', code: 'frame_too_large', message: 'line too long; closing' });
        socket.end();
      },
    );
    socket.on('data', push);
    socket.on('error', (err) => log(`ipc client error: ${err.message}`));
    socket.on('close', () => {
      clients.delete(client);
      if (client.hello) options.onSession?.(signals());
    });
  });

  if (!isPipe) {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
    await clearStaleSocket(file);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(file, () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (!isPipe) await chmod(file, options.socketMode ?? 0o666);
  server.on('error', (err) => log(`ipc server error: ${err.message}`));

  return {
    path: file,
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
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of clients) c.socket.destroy();
        clients.clear();
        server.close(() => resolve());
      }),
  };
}
