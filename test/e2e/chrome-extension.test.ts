/// <reference types="chrome" />
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type BrowserContext, chromium, type Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConsoleFixture,
  createGroupWithSecret,
  idOf,
  REPO_ROOT,
  startConsoleFixture,
  usageByDevice,
  waitFor,
} from './helpers.js';

/**
 * The Chromebook agent (agent/chrome) as Chromium really runs it: the unpacked extension loaded into
 * Debian's Chromium on our own Xvfb display, against the built console. xdotool moves the pointer (real
 * X input, which chrome.idle reads), then nothing happens; the console must show the active and the
 * idle stretch. Google Admin's managed storage is replaced by the test-only hook of a --test-hooks
 * build (a policy in chrome.storage.local); everything after that is the release code path.
 */
const run = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';
const DETECTION_SEC = 15;

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl).trim());
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing a line`)));
  });
}

describe('the Chrome extension agent in Chromium against the built console', { timeout: 600_000 }, () => {
  let c: ConsoleFixture;
  let xvfb: ChildProcess;
  let display: string;
  let context: BrowserContext;
  let worker: Worker;
  const tmp = mkdtempSync(join(tmpdir(), 'sluimer-chrome-e2e-'));
  const extDir = join(tmp, 'ext', 'unpacked');

  const xdotool = (...args: string[]) => run('xdotool', args, { env: { ...process.env, DISPLAY: display } });
  /** pointer moves for `ms`: real X input */
  async function moveFor(ms: number) {
    const end = Date.now() + ms;
    for (let i = 0; Date.now() < end; i++) {
      await xdotool('mousemove', String(100 + (i % 50) * 3), String(100 + (i % 7) * 5));
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const storage = () =>
    worker.evaluate(async () => (await chrome.storage.local.get('state')).state as Record<string, unknown>);

  beforeAll(async () => {
    await run(process.execPath, [
      join(REPO_ROOT, 'agent/chrome/build.mjs'),
      join(tmp, 'ext'),
      '--test-hooks',
    ]);
    xvfb = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '1024x768x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    display = `:${await firstLine(xvfb)}`;
    c = await startConsoleFixture();
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await c?.dispose();
    xvfb?.kill();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('enrolls, reports active then idle time, keeps reports over a console restart, nudges before sleep and enrolls again once erased', async () => {
    const { groupId, secret } = await createGroupWithSecret(c.api, 'Chromebooks');
    // sleep after 5 min: the sleep-soon nudge is due from 3 min without input
    const policyId = idOf(
      await c.api.post('/api/v1/policies', {
        name: 'Chromebook',
        settings: { auditOnly: false, sleepAfterSec: { ac: 300 } },
      }),
    );
    await c.api.post(`/api/v1/policies/${policyId}/assign`, { groupIds: [groupId] });

    context = await chromium.launchPersistentContext(join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: false,
      // Chrome's own notification centre, not a desktop daemon that may close the notification first
      env: { ...process.env, DISPLAY: display, DBUS_SESSION_BUS_ADDRESS: 'disabled:' },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-features=NativeNotifications,SystemNotifications',
        `--disable-extensions-except=${extDir}`,
        `--load-extension=${extDir}`,
      ],
    });
    worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    await worker.evaluate((policy) => chrome.storage.local.set({ testPolicy: policy }), {
      consoleUrl: c.proc.url,
      enrollSecret: secret,
      idleDetectionSec: DETECTION_SEC,
    });

    // enrollment: the device appears in the group
    const deviceId = await waitFor('the extension enrolled', async () => {
      const list = await c.api.get<{ id: number }[]>(`/api/v1/devices?groupId=${groupId}`);
      return list[0]?.id;
    });

    // Chrome's idle monitor starts with its own idea of the state: one short touch and the idle
    // detection after it bring Chrome and the extension to the same state before measuring
    const from = Date.now() - 60_000;
    const total = async () =>
      (await usageByDevice(c.api, from, Date.now() + 3_600_000, groupId)).get(deviceId) ?? {
        activeSec: 0,
        idleSec: 0,
        asleepSec: 0,
        offSec: 0,
      };
    await moveFor(1_000);
    await waitFor(
      'the extension sees input',
      async () => (await storage()).idle === 'active' || undefined,
      75_000,
    );
    await waitFor(
      'the extension sees idle and has sent everything',
      async () => {
        const s = await storage();
        return (s.idle === 'idle' && (s.outbox as { reports: unknown[] }).reports.length === 0) || undefined;
      },
      75_000,
      500,
    );
    const base = await total();

    // input, then none: an active and an idle stretch, the idle one backdated to the last input
    await moveFor(6_000);
    const lastInput = Date.now();
    const usage = await waitFor(
      'new active and idle time in /api/v1/usage',
      async () => {
        const u = await total();
        return u.activeSec - base.activeSec >= 5 && u.idleSec - base.idleSec > 0 ? u : undefined;
      },
      (DETECTION_SEC + 15) * 1000,
      500,
    );
    const idleSeenAt = Date.now();
    // idle is reported within a few seconds of Chrome's detection interval after the last input
    expect(idleSeenAt - lastInput).toBeLessThan((DETECTION_SEC + 8) * 1000);
    // idle is backdated to the last input: the active stretch is the ~6 s of input, not 6 s + detection
    expect(usage.activeSec - base.activeSec).toBeLessThan(10);
    // strict intervals: nothing under a second reached the console
    const reported = (await storage()).timeline as { start: number; end: number; power?: string }[];
    for (const i of reported) expect(i.end - i.start).toBeGreaterThanOrEqual(1000);
    // the power source as the Node agent reports it, read through the offscreen document: Chromium
    // on this machine has no battery, which the Battery Status API reports as charging (mains)
    expect(reported.length).toBeGreaterThan(0);
    for (const i of reported) expect(i.power).toBe('ac');

    // the console goes away; new input and idle are measured and queued in the outbox
    await c.proc.stop();
    const downAt = Date.now();
    await moveFor(3_000);
    const lastOutageInput = Date.now();
    // the active stretch closes once Chrome reports idle again; its report waits in the outbox
    const queued = await waitFor(
      "the outage's active stretch waiting in the outbox",
      async () => {
        const s = await storage();
        const reports = (s.outbox as { reports: { intervals: { state: string; end: number }[] }[] }).reports;
        const waiting = reports.flatMap((r) => r.intervals);
        return waiting.some((i) => i.state === 'active' && i.end > downAt) ? reports.length : undefined;
      },
      (DETECTION_SEC + 15) * 1000,
      500,
    );
    expect(queued).toBeGreaterThan(0);
    const before =
      (await usageByDevice(c.api, from, Date.now() + 3_600_000, groupId).catch(() => null)) ?? null;
    expect(before).toBeNull(); // the console is really down
    await c.restart();
    // the extension reconnects with backoff and the queue empties into the console
    await waitFor(
      'the outbox delivered after the restart',
      async () => {
        const s = await storage();
        return (s.outbox as { reports: unknown[] }).reports.length === 0 || undefined;
      },
      60_000,
      500,
    );
    const after = (await usageByDevice(c.api, from, Date.now() + 3_600_000, groupId)).get(deviceId);
    expect(after!.activeSec).toBeGreaterThan(usage.activeSec);

    // No input since the outage's last move: the sleep-soon nudge as a notification. It is due two
    // minutes before the sleep timeout (300 s), counted from the last input, and the extension sets an
    // alarm for exactly that moment: the notification must appear inside that window, not before it.
    const windowOpens = lastOutageInput + 180_000;
    const windowCloses = lastOutageInput + 300_000;
    const notes = await waitFor(
      'a sleep-soon notification inside the sleep-soon window',
      async () => {
        const all = await worker.evaluate(() => chrome.notifications.getAll());
        const ids = Object.keys(all).filter((id) => id.startsWith('sluimer-sleepSoon-'));
        return ids.length > 0 ? { ids, seenAt: Date.now() } : undefined;
      },
      windowCloses + 20_000 - Date.now(),
      1_000,
    ).catch(async (err) => {
      const st = await storage();
      const trace = (await worker.evaluate(() => chrome.storage.local.get('trace'))).trace;
      throw new Error(
        `${(err as Error).message}; nudges ${JSON.stringify(st.nudges)}, idle ${st.idle}, lastInputAt ${st.lastInputAt} (the test's last input ${lastOutageInput}), held ${JSON.stringify(st.lastHeld)}, policy ${JSON.stringify(st.policy)}, decisions ${JSON.stringify(trace)}`,
      );
    });
    expect(notes.ids).toHaveLength(1);
    // the extension decided inside the window (its own last input lies at most a poll after ours)
    expect(notes.seenAt).toBeGreaterThanOrEqual(windowOpens - 2_000);
    expect(notes.seenAt).toBeLessThan(windowCloses + 20_000);
    const shown = (await storage()).nudges as { shown: { kind: string; at: number }[] };
    expect(shown.shown.map((n) => n.kind)).toEqual(['sleepSoon']);
    const decidedAt = shown.shown[0]!.at;
    expect(decidedAt).toBeGreaterThanOrEqual(windowOpens - 2_000);
    expect(decidedAt).toBeLessThan(windowCloses);

    // the extension answered the policy: on this Linux Chromium nothing applies the timeouts, and the
    // console says so instead of waiting for ever (on ChromeOS it says Google Admin enforces them)
    const detail = await c.api.get<{
      policyStatus: string;
      policyStatusDetail: { ok: boolean; errors: { code: string }[] } | null;
    }>(`/api/v1/devices/${deviceId}`);
    expect(detail.policyStatus).toBe('failed');
    expect(detail.policyStatusDetail?.errors.map((e) => e.code)).toEqual(['unsupported']);

    // IT erases the device (AVG): the console refuses its token; the extension notices, enrolls again
    // with the managed secret and delivers what it measures since under its new enrollment (SQLite may
    // hand out the erased row's id again, so the token is what tells the enrollments apart)
    const oldToken = ((await storage()).identity as { deviceToken: string }).deviceToken;
    await c.api.request('DELETE', `/api/v1/devices/${deviceId}`);
    const tokenCheck = (token: string) =>
      fetch(`${c.proc.url}/api/v1/agent/device`, { headers: { authorization: `Bearer ${token}` } });
    expect((await tokenCheck(oldToken)).status).toBe(401);
    await moveFor(2_000);
    const again = await waitFor(
      'the extension enrolled again after its device was erased',
      async () => {
        const id = (await storage()).identity as { deviceId: number; deviceToken: string };
        return id.deviceToken !== oldToken ? id : undefined;
      },
      90_000,
      1_000,
    );
    const check = await tokenCheck(again.deviceToken);
    expect(check.status).toBe(200);
    expect(await check.json()).toEqual({ deviceId: again.deviceId });
    await waitFor(
      'the new enrollment measured and the outbox empty',
      async () => {
        const s = await storage();
        const u = (await usageByDevice(c.api, from, Date.now() + 3_600_000, groupId)).get(again.deviceId);
        return (
          ((s.outbox as { reports: unknown[] }).reports.length === 0 && (u?.activeSec ?? 0) > 0) || undefined
        );
      },
      (DETECTION_SEC + 75) * 1000,
      1_000,
    ).catch(async (err) => {
      const st = await storage();
      const u = (await usageByDevice(c.api, from, Date.now() + 3_600_000, groupId)).get(again.deviceId);
      const devices = await c.api.get<{ id: number }[]>(`/api/v1/devices?groupId=${groupId}`);
      throw new Error(
        `${(err as Error).message}; identity ${JSON.stringify({ ...(st.identity as object), deviceToken: undefined })}, outbox ${JSON.stringify(st.outbox)}, lastError ${st.lastError}, idle ${st.idle}, usage ${JSON.stringify(u)}, devices ${JSON.stringify(devices.map((d) => d.id))}`,
      );
    });
  });
});
