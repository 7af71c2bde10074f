import net from 'node:net';
import {
  defaultIpcPath,
  encode,
  IPC_PROTOCOL,
  lineSplitter,
  type NudgeMessage,
  type OutcomeMessage,
  parseLine,
  ServiceMessageSchema,
  type TrayMessage,
  type TrayState,
} from './protocol.js';

export interface IpcClientOptions {
  path?: string;
  trayVersion?: string;
  onState?: (state: TrayState) => void;
  onNudge?: (nudge: NudgeMessage) => void;
  /** true when the service answered hello, false when the link is lost */
  onConnection?: (connected: boolean) => void;
  onError?: (code: string, message: string) => void;
  /** reconnect backoff: starts at `initialMs`, doubles up to `maxMs` */
  backoff?: { initialMs?: number; maxMs?: number };
}

export interface IpcClient {
  connected(): boolean;
  /** latest session signals; re-sent after every reconnect */
  /** `presenting` only from older callers (the service finds presentations itself); `power` from powerMonitor */
  reportSession(
    idleMs: number | null,
    presenting?: boolean,
    locked?: boolean,
    power?: 'ac' | 'battery',
  ): void;
  /** nudge outcomes are queued while the service is away and delivered after reconnecting */
  reportOutcome(outcome: Omit<OutcomeMessage, 'type'>): void;
  requestSnooze(): void;
  close(): void;
}

const MAX_QUEUED_OUTCOMES = 200;

/**
 * The tray's side. The tray may start before the service, and the service may restart: the client
 * keeps reconnecting with exponential backoff (reset after a successful hello) until closed.
 */
export function connectIpc(options: IpcClientOptions = {}): IpcClient {
  const file = options.path ?? defaultIpcPath();
  const initial = options.backoff?.initialMs ?? 250;
  const max = options.backoff?.maxMs ?? 10_000;
  let delay = initial;
  let socket: net.Socket | null = null;
  let ready = false;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let lastSession: TrayMessage | null = null;
  const outbox: TrayMessage[] = [];

  const write = (msg: TrayMessage) => {
    if (socket && ready && socket.writable) {
      socket.write(encode(msg));
      return true;
    }
    return false;
  };

  const setReady = (value: boolean) => {
    if (ready === value) return;
    ready = value;
    options.onConnection?.(value);
  };

  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      open();
    }, delay);
    timer.unref?.();
    delay = Math.min(max, delay * 2);
  };

  const open = () => {
    if (closed) return;
    const s = net.connect(file);
    socket = s;
    s.setEncoding('utf8');
    const push = lineSplitter(
      (line) => {
        const parsed = parseLine(ServiceMessageSchema, line);
        if (!parsed.ok) {
          options.onError?.(parsed.code, parsed.message);
          return;
        }
        const msg = parsed.value;
        if (msg.type === 'state') {
          if (!ready) {
            delay = initial;
            setReady(true);
            if (lastSession) write(lastSession);
            while (outbox.length && write(outbox[0]!)) outbox.shift();
          }
          options.onState?.(msg);
        } else if (msg.type === 'nudge') options.onNudge?.(msg);
        else options.onError?.(msg.code, msg.message);
      },
      () => s.destroy(),
    );
    s.on('connect', () => {
      s.write(encode({ type: 'hello', protocol: IPC_PROTOCOL, trayVersion: options.trayVersion }));
    });
    s.on('data', push);
    s.on('error', () => {
      // ENOENT / ECONNREFUSED while the service is away: handled by 'close'
    });
    s.on('close', () => {
      if (socket === s) socket = null;
      setReady(false);
      schedule();
    });
  };

  open();

  return {
    connected: () => ready,
    reportSession(idleMs, presenting, locked, power) {
      lastSession = {
        type: 'session',
        idleMs,
        ...(presenting === undefined ? {} : { presenting }),
        ...(locked === undefined ? {} : { locked }),
        ...(power === undefined ? {} : { power }),
      };
      write(lastSession);
    },
    reportOutcome(outcome) {
      const msg: TrayMessage = { type: 'outcome', ...outcome };
      if (!write(msg)) {
        outbox.push(msg);
        if (outbox.length > MAX_QUEUED_OUTCOMES) outbox.shift();
      }
    },
    requestSnooze() {
      write({ type: 'snooze' });
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      socket?.destroy();
      socket = null;
      setReady(false);
    },
  };
}
