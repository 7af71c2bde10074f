// Reconnect storm: many agents lose the console at once (it is killed), it comes back on the same
// port and data, and every agent reconnects with the agent's own backoff (full jitter, capped,
// Retry-After honoured). Scaled for `npm test` (500 agents); the full size is a benchmark:
//   SLUIMER_STORM_AGENTS=5000 npx vitest run test/reliability/storm.test.ts
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { backoffDelay, LINK_DEFAULTS, parseRetryAfter } from '../../agent/src/service/link.js';
import {
  ADMIN_PASSWORD,
  adminToken,
  type ConsoleProcess,
  enrollOne,
  groupSecret,
  mapLimit,
  rssSampler,
  spawnConsole,
  tempDir,
  wsUrl,
} from './support.js';

const AGENTS = Number(process.env.SLUIMER_STORM_AGENTS ?? 500);
/** agents per source address: one school behind one NAT address (127.0.0.x are all this machine) */
const PER_ADDRESS = Number(process.env.SLUIMER_STORM_PER_ADDRESS ?? 500);

/** a protocol-level agent with the service's reconnect rules (agent/src/service/link.ts) */
class StormAgent {
  ws: WebSocket | null = null;
  ready = false;
  attempt = 0;
  refused: Record<number, number> = {};
  /** Retry-After asked and the delay actually waited, for every 503/429 */
  retryAfter: { askedMs: number; waitedMs: number }[] = [];
  backAt = 0;
  seq = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  constructor(
    readonly url: string,
    readonly token: string,
    readonly localAddress = '127.0.0.1',
  ) {}

  connect(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.url, {
      headers: { authorization: `Bearer ${this.token}` },
      handshakeTimeout: 30_000,
      localAddress: this.localAddress,
    });
    this.ws = ws;
    let refusal: { status: number; retryMs: number | null } | null = null;
    ws.on('unexpected-response', (_q, res) => {
      refusal = {
        status: res.statusCode ?? 0,
        retryMs: parseRetryAfter(res.headers['retry-after'], Date.now()),
      };
      this.refused[refusal.status] = (this.refused[refusal.status] ?? 0) + 1;
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', protocol: 1, agentVersion: 'storm' })));
    ws.on('message', (d) => {
      const f = JSON.parse(String(d)) as { type: string; ackedSeq?: number };
      if (f.type === 'welcome') {
        this.ready = true;
        this.attempt = 0;
        this.backAt = Date.now();
        this.seq = f.ackedSeq ?? this.seq;
      }
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.ready = false;
      this.ws = null;
      const r = refusal as { status: number; retryMs: number | null } | null;
      let delay: number;
      if (r && (r.status === 503 || r.status === 429) && r.retryMs !== null) {
        delay = Math.min(r.retryMs, LINK_DEFAULTS.retryAfterMaxMs) + Math.floor(Math.random() * 1000);
        this.retryAfter.push({ askedMs: r.retryMs, waitedMs: delay });
        this.attempt++;
      } else {
        delay = backoffDelay(this.attempt++, LINK_DEFAULTS, Math.random());
      }
      this.timer = setTimeout(() => this.connect(), delay);
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.terminate();
  }
}

const stops: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const s of stops.reverse()) await s();
});

describe('reconnect storm', () => {
  it(`brings ${AGENTS} agents back within 60 s after the console is killed and restarted`, {
    timeout: 300_000,
  }, async () => {
    const dataDir = tempDir();
    const options = { dataDir, adminPassword: ADMIN_PASSWORD, httpLimits: { enrollBurst: AGENTS + 100 } };
    let con: ConsoleProcess = await spawnConsole(options);
    stops.push(() => con.stop());
    const token = await adminToken(con.url);
    const { secret } = await groupSecret(con.url, token, 'Storm school');
    const devices = await mapLimit(
      Array.from({ length: AGENTS }, (_, i) => i),
      64,
      (i) => enrollOne(con.url, secret, `storm-install-${i}-xxxxxx`),
    );
    const agents = devices.map(
      (d, i) => new StormAgent(wsUrl(con.url), d.deviceToken, `127.0.0.${2 + Math.floor(i / PER_ADDRESS)}`),
    );
    stops.push(() => {
      for (const a of agents) a.stop();
    });
    for (const a of agents) a.connect();
    const allReady = async (ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        if (agents.every((a) => a.ready)) return true;
        await new Promise((r) => setTimeout(r, 100));
      }
      return false;
    };
    expect(await allReady(120_000)).toBe(true);
    const rssBefore = con.rss();

    // the console dies at once (a crash, a power cut of the server)
    await con.kill();
    const lostAt = Date.now();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(agents.some((a) => a.ready)).toBe(false);
    con = await spawnConsole({ ...options, port: Number(new URL(con.url).port) });
    const restartedAt = Date.now();
    const sampler = rssSampler(() => con.rss(), 100);
    const back = await allReady(60_000);
    const peak = sampler.stop();
    const lastBack = Math.max(...agents.map((a) => a.backAt));
    const refused: Record<number, number> = {};
    for (const a of agents)
      for (const [s, n] of Object.entries(a.refused)) refused[+s] = (refused[+s] ?? 0) + n;
    const waits = agents.flatMap((a) => a.retryAfter);
    const summary = {
      agents: AGENTS,
      addresses: Math.ceil(AGENTS / PER_ADDRESS),
      allBack: back,
      back: agents.filter((a) => a.ready).length,
      recoveryAfterRestartMs: lastBack - restartedAt,
      recoveryAfterLossMs: lastBack - lostAt,
      refusedUpgrades: refused,
      retryAfterHonoured: waits.every((w) => w.waitedMs >= w.askedMs),
      rssBeforeMb: Math.round(rssBefore / 1e6),
      rssPeakAfterRestartMb: Math.round(peak / 1e6),
    };
    console.log(`storm: ${JSON.stringify(summary)}`);
    expect(back).toBe(true);
    expect(lastBack - restartedAt).toBeLessThan(60_000);
    expect(waits.every((w) => w.waitedMs >= w.askedMs)).toBe(true);
    expect(peak).toBeLessThan(1024 * 1024 * 1024);
  });

  it('refuses upgrades beyond its capacity with 503 and Retry-After, and agents wait that long', async () => {
    const dataDir = tempDir();
    const con = await spawnConsole({
      dataDir,
      adminPassword: ADMIN_PASSWORD,
      gatewayLimits: { maxConnections: 5 },
    });
    stops.push(() => con.stop());
    const token = await adminToken(con.url);
    const { secret } = await groupSecret(con.url, token, 'Small console');
    const devices = await mapLimit(
      Array.from({ length: 7 }, (_, i) => i),
      7,
      (i) => enrollOne(con.url, secret, `cap-install-${i}-xxxxxx`),
    );
    const agents = devices.map((d) => new StormAgent(wsUrl(con.url), d.deviceToken));
    stops.push(() => {
      for (const a of agents) a.stop();
    });
    for (const a of agents.slice(0, 5)) a.connect();
    while (agents.slice(0, 5).some((a) => !a.ready)) await new Promise((r) => setTimeout(r, 50));
    for (const a of agents.slice(5)) a.connect();
    while (agents.slice(5).some((a) => a.retryAfter.length === 0))
      await new Promise((r) => setTimeout(r, 50));
    for (const a of agents.slice(5)) {
      expect(a.refused[503]).toBeGreaterThanOrEqual(1);
      const [w] = a.retryAfter;
      expect(w!.askedMs).toBeGreaterThanOrEqual(5_000);
      expect(w!.waitedMs).toBeGreaterThanOrEqual(w!.askedMs);
      expect(a.ready).toBe(false);
    }
    // a slot frees: the waiting agent gets in after its Retry-After, not before
    agents[0]!.stop();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(agents.slice(5).every((a) => !a.ready)).toBe(true);
  });
});
