import type { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OutcomeMessage, TrayState } from '../../src/service/ipc/protocol.js';
import { type IpcServer, startIpcServer } from '../../src/service/ipc/server.js';

vi.mock('electron', async () => {
  const { fake } = await import('./testing/fake-electron.js');
  return { ...fake.module, default: fake.module };
});
const { fake } = await import('./testing/fake-electron.js');

const { startTray } = await import('./main.js');
const { CHANNELS } = await import('./api.js');

const trayRoot = path.resolve(import.meta.dirname, '..');
const indexHtml = path.join(trayRoot, 'dist', 'renderer', 'index.html');
const own = { senderFrame: { url: `${pathToFileURL(indexHtml).href}#week` } };
const stranger = { senderFrame: { url: 'https://evil.example/' } };

const state: TrayState = {
  type: 'state',
  console: 'connected',
  mode: 'enforcing',
  noun: 'laptop',
  policyText: {
    nl: 'Deze laptop gaat na 15 minuten zonder gebruik in slaapstand; het scherm is op accu beperkt tot 70 %.',
    en: 'This laptop goes to sleep after 15 minutes without use; on battery the screen is limited to 70%.',
  },
  today: { onMs: 3 * 3_600_000 + 20 * 60_000, idleOnMs: 25 * 60_000 },
  snooze: { allowed: true, minutes: 60, until: null },
  whyUrl: 'https://school.example/sluimer',
  weeks: [],
};

async function until<T>(fn: () => T | undefined | false | null, timeoutMs = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

// biome-ignore lint/suspicious/noExplicitAny: menu template
const labels = (items: any[]): string[] =>
  items.flatMap((i) => [i.label ?? '-', ...(i.submenu ? labels(i.submenu) : [])]);
// biome-ignore lint/suspicious/noExplicitAny: menu template
const click = (items: any[], label: string) => {
  for (const i of items) {
    if (i.label === label && i.click) return i.click();
    if (i.submenu) {
      // biome-ignore lint/suspicious/noExplicitAny: menu template
      const inner = i.submenu.find((s: any) => s.label === label);
      if (inner) return inner.click();
    }
  }
  throw new Error(`no menu item ${label}`);
};

describe('tray main process (against a mocked electron)', { timeout: 20_000 }, () => {
  let dir: string;
  let server: IpcServer;
  const sessions: unknown[] = [];
  const outcomes: OutcomeMessage[] = [];
  let snoozes = 0;
  let current = state;
  let tray: Awaited<ReturnType<typeof startTray>>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'slm-tray-'));
    server = await startIpcServer({
      path: path.join(dir, 'agent.sock'),
      getState: () => current,
      onSession: (s) => sessions.push(s),
      onOutcome: (o) => outcomes.push(o),
      onSnooze: () => snoozes++,
    });
    tray = await startTray({
      ipcPath: server.path,
      root: trayRoot,
      userDataDir: dir,
      platform: 'linux',
      ipcBackoff: { initialMs: 20, maxMs: 100 },
      env: { XDG_SESSION_TYPE: 'x11' },
    });
  });
  afterEach(() => {
    fake.rec.notifications.length = 0;
  });
  afterAll(async () => {
    tray?.stop();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows "managed and fine" with today, the policy in words and the snooze item once the service answers', async () => {
    const t = fake.rec.trays[0]!;
    await until(() => t.image.endsWith('tray-ok.png'));
    const menu = labels(t.menu);
    expect(menu).toContain('Vandaag aan: 3 u 20 min');
    expect(menu).toContain('Aan maar niet in gebruik: 25 min');
    expect(menu).toContain(state.policyText.nl);
    expect(menu).toContain('Waarom wordt deze laptop beheerd?');
    expect(menu).toContain('Slaapstand 1 uur uitstellen');
    expect(t.tooltip).toContain('Alles in orde');
  });

  it("reports the session's idle time and power source from powerMonitor, and no presentation guess", async () => {
    const s = await until(
      () => server.signals().trays === 1 && server.signals().idleMs !== null && server.signals(),
    );
    expect(s).toEqual({ idleMs: 42_000, presenting: false, trays: 1, power: 'ac' });
  });

  it('sends a power-source switch at once, not at the next 15 s report', async () => {
    fake.rec.onBattery = true;
    fake.rec.powerMonitor.emit('on-battery');
    await until(() => server.signals().power === 'battery');
    fake.rec.onBattery = false;
    fake.rec.powerMonitor.emit('on-ac');
    await until(() => server.signals().power === 'ac');
  });

  it('runs no OS command of its own: no child processes, no notification commands', async () => {
    const dir = import.meta.dirname;
    const { readdir } = await import('node:fs/promises');
    const sources = (await readdir(dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(sources).toContain('main.ts');
    for (const f of sources) {
      const text = await readFile(path.join(dir, f), 'utf8');
      expect(text, f).not.toMatch(/node:child_process|from 'child_process'/);
      expect(text, f).not.toMatch(/\bnotify\(/);
    }
  });

  it('shows a nudge in Dutch, marks the icon, and sends shown and snoozed back', async () => {
    server.sendNudge({
      id: 'n-1',
      content: { kind: 'sleepSoon', noun: 'laptop', minutes: 2 },
      snoozeMinutes: 60,
    });
    const n = await until(() => fake.rec.notifications[0]);
    expect(n.options.title).toBe('Bijna slaapstand');
    expect(n.options.body).toBe(
      'Deze laptop gaat over 2 minuten in slaapstand. Beweeg de muis om verder te werken.',
    );
    expect(n.options.actions).toEqual([{ type: 'button', text: '1 uur uitstellen' }]);
    expect(tray!.icon()).toBe('nudge');
    expect(fake.rec.trays[0]!.image).toMatch(/tray-nudge\.png$/);
    n.emit('show');
    n.emit('action', {}, 0);
    n.emit('close');
    await until(() => outcomes.length === 2 && snoozes === 1);
    expect(outcomes.map((o) => [o.nudgeId, o.kind, o.outcome])).toEqual([
      ['n-1', 'sleepSoon', 'shown'],
      ['n-1', 'sleepSoon', 'snoozed'],
    ]);
    expect(tray!.icon()).toBe('ok');
  });

  it('counts closing a nudge without acting as dismissed', async () => {
    server.sendNudge({
      id: 'n-2',
      content: { kind: 'weekly', scope: 'room', noun: 'laptop', kwh: 3.2, charges: 64 },
    });
    const n = await until(() => fake.rec.notifications[0]);
    expect(n.options.actions).toBeUndefined();
    n.emit('close');
    await until(() => outcomes.length === 3);
    expect(outcomes[2]).toMatchObject({ nudgeId: 'n-2', outcome: 'dismissed' });
  });

  it('switches the language from the menu and remembers it', async () => {
    click(fake.rec.trays[0]!.menu, 'English');
    await until(() => labels(fake.rec.trays[0]!.menu).includes('On today: 3 h 20 min'));
    expect(labels(fake.rec.trays[0]!.menu)).toContain(state.policyText.en);
    expect(JSON.parse(await readFile(path.join(dir, 'settings.json'), 'utf8'))).toEqual({ lang: 'en' });
    server.sendNudge({ id: 'n-3', content: { kind: 'sleepSoon', noun: 'laptop', minutes: 1 } });
    const n = await until(() => fake.rec.notifications[0]);
    expect(n.options.body).toBe('This laptop will go to sleep in 1 minute. Move the mouse to keep working.');
    n.emit('close');
    await until(() => outcomes.length === 4);
    click(fake.rec.trays[0]!.menu, 'Nederlands');
  });

  it('opens the popover locked down: isolated, sandboxed, no Node, no navigation, no new windows', async () => {
    click(fake.rec.trays[0]!.menu, 'Waarom wordt deze laptop beheerd?');
    const win = await until(() => fake.rec.windows[0]);
    const prefs = win.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
      webviewTag: false,
      preload: path.join(trayRoot, 'dist', 'preload.cjs'),
    });
    await until(() => win.loaded);
    expect(win.loaded).toEqual({ file: indexHtml, hash: 'why' });
    const wc = win.webContents as unknown as EventEmitter & { openHandler: (d: { url: string }) => unknown };
    expect(wc.openHandler({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    let prevented = 0;
    const ev = { preventDefault: () => prevented++ };
    wc.emit('will-navigate', ev, 'https://evil.example/');
    wc.emit('will-navigate', ev, 'file:///etc/passwd');
    wc.emit('will-navigate', ev, `${pathToFileURL(indexHtml).href}#week`);
    wc.emit('will-attach-webview', ev);
    expect(prevented).toBe(3);
  });

  it('serves the popover API only to its own page and opens only the school link', async () => {
    const getView = fake.rec.handlers.get(CHANNELS.getView)!;
    expect(() => getView(stranger)).toThrow(/refused/);
    expect(getView(own)).toMatchObject({
      lang: 'nl',
      connected: true,
      page: 'why',
      state: { noun: 'laptop' },
    });
    const setLanguage = fake.rec.handlers.get(CHANNELS.setLanguage)!;
    expect(() => setLanguage(own, 'de')).toThrow(/language/);
    await fake.rec.handlers.get(CHANNELS.openWhyLink)!(own);
    expect(fake.rec.opened).toEqual(['https://school.example/sluimer']);
    await fake.rec.handlers.get(CHANNELS.snooze)!(own);
    await until(() => snoozes === 2);
  });

  it('keeps the device from idle sleep only while the service says the pupil snoozed', async () => {
    expect(fake.rec.blockers.size).toBe(0);
    current = { ...state, snooze: { allowed: true, minutes: 60, until: Date.now() + 3_600_000 } };
    server.broadcastState();
    await until(() => fake.rec.blockers.size === 1);
    expect([...fake.rec.blockers.values()]).toEqual(['prevent-app-suspension']);
    expect(labels(fake.rec.trays[0]!.menu).some((l) => l.startsWith('Slaapstand uitgesteld tot'))).toBe(true);
    current = state;
    server.broadcastState();
    await until(() => fake.rec.blockers.size === 0);
  });

  it('shows "not connected" when the service goes away and recovers when it returns', async () => {
    const file = server.path;
    await server.close();
    await until(() => tray!.icon() === 'offline');
    expect(fake.rec.trays[0]!.image).toMatch(/tray-offline\.png$/);
    expect(fake.rec.trays[0]!.tooltip).toContain('niet bereikbaar');
    current = { ...state, console: 'connecting' };
    server = await startIpcServer({ path: file, getState: () => current });
    await until(() => tray!.view().connected);
    // the service runs but cannot reach the console: still "not connected" for the pupil
    expect(tray!.icon()).toBe('offline');
    current = state;
    server.broadcastState();
    await until(() => tray!.icon() === 'ok');
  });
});
