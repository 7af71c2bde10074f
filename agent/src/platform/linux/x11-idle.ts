import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { homedir, hostname } from 'node:os';

/**
 * X11 idle time through the MIT-SCREEN-SAVER extension over ONE long-lived connection, speaking the
 * X11 wire protocol directly (no libX11, no process per sample).
 *
 * Why not `xprintidle` per sample: on the X server used in CI (Xvfb, X.Org 21.1) every new client
 * connection resets the server's idle counter, so polling with a fresh process each time never lets
 * idle grow beyond the poll interval. One persistent connection does not have that effect.
 */

export interface DisplayAddress {
  display: number;
  screen: number;
  socketPath?: string;
  host?: string;
}

/** `:0`, `:12.0`, `unix:3`, `localhost:10.0`. */
export function parseDisplay(value: string | undefined): DisplayAddress | null {
  if (!value) return null;
  const m = /^(?:([^:]*)(?:\/unix)?)?:(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) return null;
  const host = m[1] ?? '';
  const display = Number(m[2]);
  const screen = m[3] ? Number(m[3]) : 0;
  if (host === '' || host === 'unix') return { display, screen, socketPath: `/tmp/.X11-unix/X${display}` };
  return { display, screen, host };
}

export interface XauthEntry {
  family: number;
  address: string;
  number: string;
  name: string;
  data: Buffer;
}

/** The binary ~/.Xauthority format: big-endian length-prefixed fields. */
export function parseXauthority(buf: Buffer): XauthEntry[] {
  const out: XauthEntry[] = [];
  let o = 0;
  const field = (): Buffer | null => {
    if (o + 2 > buf.length) return null;
    const len = buf.readUInt16BE(o);
    o += 2;
    if (o + len > buf.length) return null;
    const b = buf.subarray(o, o + len);
    o += len;
    return b;
  };
  while (o + 2 <= buf.length) {
    const family = buf.readUInt16BE(o);
    o += 2;
    const address = field();
    const number = field();
    const name = field();
    const data = field();
    if (!address || !number || !name || !data) break;
    out.push({
      family,
      address: address.toString('latin1'),
      number: number.toString('latin1'),
      name: name.toString('latin1'),
      data: Buffer.from(data),
    });
  }
  return out;
}

const FAMILY_LOCAL = 256;
const FAMILY_WILD = 65535;

export function pickCookie(
  entries: XauthEntry[],
  display: number,
  host = hostname(),
): XauthEntry | undefined {
  return entries.find(
    (e) =>
      e.name === 'MIT-MAGIC-COOKIE-1' &&
      (e.number === String(display) || e.number === '') &&
      (e.family === FAMILY_WILD ||
        (e.family === FAMILY_LOCAL && e.address === host) ||
        e.family === FAMILY_LOCAL),
  );
}

const pad4 = (n: number) => (4 - (n % 4)) % 4;

/** Connection setup request, little-endian. */
export function setupRequest(authName = '', authData: Buffer = Buffer.alloc(0)): Buffer {
  const name = Buffer.from(authName, 'latin1');
  const b = Buffer.alloc(12 + name.length + pad4(name.length) + authData.length + pad4(authData.length));
  b.write('l', 0, 'latin1');
  b.writeUInt16LE(11, 2);
  b.writeUInt16LE(0, 4);
  b.writeUInt16LE(name.length, 6);
  b.writeUInt16LE(authData.length, 8);
  name.copy(b, 12);
  authData.copy(b, 12 + name.length + pad4(name.length));
  return b;
}

/** Root window of screen 0 from a successful setup reply (needs the whole reply). */
export function rootFromSetup(reply: Buffer, screen = 0): number {
  const vendorLen = reply.readUInt16LE(24);
  const formats = reply.readUInt8(29);
  let o = 40 + vendorLen + pad4(vendorLen) + 8 * formats;
  for (let s = 0; s < screen; s++) {
    // SCREEN: 40 bytes + depths
    const depths = reply.readUInt8(o + 39);
    o += 40;
    for (let d = 0; d < depths; d++) {
      const visuals = reply.readUInt16LE(o + 2);
      o += 8 + 24 * visuals;
    }
  }
  return reply.readUInt32LE(o);
}

export function queryExtensionRequest(name: string): Buffer {
  const n = Buffer.from(name, 'latin1');
  const b = Buffer.alloc(8 + n.length + pad4(n.length));
  b.writeUInt8(98, 0);
  b.writeUInt16LE(b.length / 4, 2);
  b.writeUInt16LE(n.length, 4);
  n.copy(b, 8);
  return b;
}

export function screenSaverQueryInfoRequest(major: number, drawable: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt8(major, 0);
  b.writeUInt8(1, 1); // X_ScreenSaverQueryInfo
  b.writeUInt16LE(2, 2);
  b.writeUInt32LE(drawable, 4);
  return b;
}

/** SYNC request: Initialize (minor 0), asking for version 3.1. */
export function syncInitializeRequest(major: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt8(major, 0);
  b.writeUInt8(0, 1);
  b.writeUInt16LE(2, 2);
  b.writeUInt8(3, 4);
  b.writeUInt8(1, 5);
  return b;
}

/** SYNC request: ListSystemCounters (minor 1). */
export function syncListCountersRequest(major: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt8(major, 0);
  b.writeUInt8(1, 1);
  b.writeUInt16LE(1, 2);
  return b;
}

/** The IDLETIME counter's id from a ListSystemCounters reply; null when the server has none. */
export function idleCounterFrom(reply: Buffer): number | null {
  const n = reply.readUInt32LE(8);
  let o = 32;
  for (let i = 0; i < n && o + 14 <= reply.length; i++) {
    const id = reply.readUInt32LE(o);
    const nameLen = reply.readUInt16LE(o + 12);
    const name = reply.subarray(o + 14, o + 14 + nameLen).toString('latin1');
    if (name === 'IDLETIME') return id;
    const size = 14 + nameLen;
    o += size + pad4(size);
  }
  return null;
}

/** SYNC test types */
export const POSITIVE_TRANSITION = 0;
export const NEGATIVE_TRANSITION = 1;

/**
 * SYNC CreateAlarm (minor 8) or ChangeAlarm (minor 9) on a counter: absolute value, a transition
 * test, delta 0, events on. Values follow the value-mask bit order (counter, value type, value,
 * test type, delta, events).
 */
export function syncAlarmRequest(
  major: number,
  create: boolean,
  alarm: number,
  counter: number,
  valueMs: number,
  testType: number,
): Buffer {
  const b = Buffer.alloc(12 + 8 * 4);
  b.writeUInt8(major, 0);
  b.writeUInt8(create ? 8 : 9, 1);
  b.writeUInt16LE(b.length / 4, 2);
  b.writeUInt32LE(alarm, 4);
  b.writeUInt32LE(0x3f, 8);
  b.writeUInt32LE(counter, 12);
  b.writeUInt32LE(0, 16); // absolute
  b.writeInt32LE(Math.floor(valueMs / 2 ** 32), 20); // value: high, low
  b.writeUInt32LE(valueMs % 2 ** 32, 24);
  b.writeUInt32LE(testType, 28);
  b.writeInt32LE(0, 32); // delta 0: fires once per transition
  b.writeUInt32LE(0, 36);
  b.writeUInt32LE(1, 40); // events
  return b;
}

export type IdleTransition = 'idle' | 'active';

type Waiter = { resolve: (b: Buffer) => void; reject: (e: Error) => void };

export class X11IdleConnection {
  private socket: Socket | null = null;
  private buf = Buffer.alloc(0);
  private setupWaiter: Waiter | null = null;
  private readonly replies: Waiter[] = [];
  private root = 0;
  private major = 0;
  private dpmsMajor: number | null | undefined = undefined;
  private ready: Promise<void> | null = null;
  private closed = false;
  private idBase = 0;
  private idMask = 0;
  private nextId = 1;
  private syncMajor: number | null = null;
  private syncFirstEvent = 0;
  /** the alarms of the idle watch: [crossed the threshold, input after that] */
  private alarms: { idle: number; active: number; thresholdMs: number } | null = null;
  private watcher: ((t: IdleTransition) => void) | null = null;

  constructor(
    private readonly displayName: string | undefined = process.env.DISPLAY,
    private readonly xauthority: string | undefined = process.env.XAUTHORITY,
  ) {}

  private onData(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      if (this.setupWaiter) {
        if (this.buf.length < 8) return;
        const total = 8 + this.buf.readUInt16LE(6) * 4;
        if (this.buf.length < total) return;
        const msg = this.buf.subarray(0, total);
        this.buf = this.buf.subarray(total);
        const w = this.setupWaiter;
        this.setupWaiter = null;
        if (msg[0] === 1) w.resolve(Buffer.from(msg));
        else {
          const reasonLen = msg[1] ?? 0;
          w.reject(
            new Error(
              `X server refused the connection: ${msg.subarray(8, 8 + reasonLen).toString('latin1')}`,
            ),
          );
        }
        continue;
      }
      if (this.buf.length < 32) return;
      const kind = this.buf[0]!;
      const total = kind === 1 ? 32 + this.buf.readUInt32LE(4) * 4 : 32;
      if (this.buf.length < total) return;
      const msg = Buffer.from(this.buf.subarray(0, total));
      this.buf = this.buf.subarray(total);
      if (kind === 1) this.replies.shift()?.resolve(msg);
      else if (kind === 0) this.replies.shift()?.reject(new Error(`X error ${msg[1]}`));
      else if ((kind & 0x7f) === this.syncFirstEvent + 1 && this.syncMajor !== null) this.onAlarm(msg);
      if (this.replies.length === 0) this.socket?.unref();
    }
  }

  private fail(err: Error): void {
    this.setupWaiter?.reject(err);
    this.setupWaiter = null;
    for (const w of this.replies.splice(0)) w.reject(err);
    this.socket?.destroy();
    this.socket = null;
    this.ready = null;
  }

  private request(b: Buffer): Promise<Buffer> {
    const s = this.socket;
    if (!s) return Promise.reject(new Error('X connection closed'));
    return new Promise((resolve, reject) => {
      this.replies.push({ resolve, reject });
      s.ref(); // keep the process alive only while a reply is outstanding
      s.write(b);
    });
  }

  private async open(): Promise<void> {
    const addr = parseDisplay(this.displayName);
    if (!addr) throw new Error(`DISPLAY is not set or not understood (${this.displayName ?? 'unset'})`);
    let cookie: XauthEntry | undefined;
    const file = this.xauthority ?? `${homedir()}/.Xauthority`;
    try {
      cookie = pickCookie(parseXauthority(await readFile(file)), addr.display);
    } catch {
      cookie = undefined; // no authority file: servers started without -auth accept us
    }
    const socket = addr.socketPath
      ? connect({ path: addr.socketPath })
      : connect({ host: addr.host!, port: 6000 + addr.display });
    this.socket = socket;
    this.buf = Buffer.alloc(0);
    socket.on('data', (c) => this.onData(c));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('X connection closed')));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    const setup = new Promise<Buffer>((resolve, reject) => {
      this.setupWaiter = { resolve, reject };
    });
    socket.write(cookie ? setupRequest(cookie.name, cookie.data) : setupRequest());
    const reply = await setup;
    this.root = rootFromSetup(reply, addr.screen);
    this.idBase = reply.readUInt32LE(12);
    this.idMask = reply.readUInt32LE(16);
    socket.unref();
    const ext = await this.request(queryExtensionRequest('MIT-SCREEN-SAVER'));
    if (ext[8] !== 1) throw new Error('the X server has no MIT-SCREEN-SAVER extension');
    this.major = ext[9]!;
  }

  /** Milliseconds since the last input seen by the X server. */
  async idleMs(): Promise<number> {
    if (this.closed) throw new Error('closed');
    this.ready ??= this.open().catch((e: Error) => {
      this.fail(e);
      throw e;
    });
    await this.ready;
    const r = await this.request(screenSaverQueryInfoRequest(this.major, this.root));
    return r.readUInt32LE(16);
  }

  /** DPMS power level (0 on, 1 standby, 2 suspend, 3 off) or null when the server has no DPMS. */
  async dpmsLevel(): Promise<{ level: number; enabled: boolean } | null> {
    if (this.closed) throw new Error('closed');
    this.ready ??= this.open().catch((e: Error) => {
      this.fail(e);
      throw e;
    });
    await this.ready;
    if (this.dpmsMajor === undefined) {
      const ext = await this.request(queryExtensionRequest('DPMS'));
      this.dpmsMajor = ext[8] === 1 ? ext[9]! : null;
    }
    if (this.dpmsMajor === null) return null;
    const b = Buffer.alloc(4);
    b.writeUInt8(this.dpmsMajor, 0);
    b.writeUInt8(7, 1); // X_DPMSInfo
    b.writeUInt16LE(1, 2);
    const r = await this.request(b);
    return { level: r.readUInt16LE(8), enabled: r[10] === 1 };
  }

  private onAlarm(msg: Buffer): void {
    const alarm = msg.readUInt32LE(4);
    const a = this.alarms;
    if (!a || !this.watcher) return;
    if (alarm === a.idle) this.watcher('idle');
    else if (alarm === a.active) this.watcher('active');
  }

  private newId(): number {
    const id = this.idBase | (this.nextId++ & this.idMask);
    return id >>> 0;
  }

  /**
   * Idle transitions as X events, without polling: two SYNC alarms on the server's IDLETIME counter,
   * one firing when idle time crosses `thresholdMs` (the last input is then `thresholdMs` ago) and one
   * when input arrives after that (the counter falls back below the threshold). The X server arms
   * its own timer for the first and checks the second on input, so the agent sleeps meanwhile.
   * Calling it again moves both alarms to a new threshold. Throws when the server has no SYNC
   * extension or no IDLETIME counter.
   */
  async watchIdle(thresholdMs: number, listener: (t: IdleTransition) => void): Promise<void> {
    if (this.closed) throw new Error('closed');
    this.ready ??= this.open().catch((e: Error) => {
      this.fail(e);
      throw e;
    });
    await this.ready;
    if (this.syncMajor === null) {
      const ext = await this.request(queryExtensionRequest('SYNC'));
      if (ext[8] !== 1) throw new Error('the X server has no SYNC extension');
      this.syncMajor = ext[9]!;
      this.syncFirstEvent = ext[10]!;
      await this.request(syncInitializeRequest(this.syncMajor));
    }
    const major = this.syncMajor;
    const counters = await this.request(syncListCountersRequest(major));
    const counter = idleCounterFrom(counters);
    if (counter === null) throw new Error('the X server has no IDLETIME counter');
    const t = Math.max(1_000, Math.round(thresholdMs));
    const create = this.alarms === null;
    const ids = this.alarms ?? { idle: this.newId(), active: this.newId(), thresholdMs: t };
    this.alarms = { ...ids, thresholdMs: t };
    this.watcher = listener;
    this.send(syncAlarmRequest(major, create, ids.idle, counter, t, POSITIVE_TRANSITION));
    this.send(syncAlarmRequest(major, create, ids.active, counter, t - 1, NEGATIVE_TRANSITION));
    // a round trip, so a refused alarm (X error) is seen here rather than lost
    await this.request(syncListCountersRequest(major));
  }

  /** ends the idle watch (the alarms go with the connection) */
  unwatchIdle(): void {
    this.watcher = null;
  }

  /** a request without a reply */
  private send(b: Buffer): void {
    this.socket?.write(b);
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
    this.socket = null;
  }
}
