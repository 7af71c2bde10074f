import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollDevice, listOf, ProtocolAgent } from '../../scripts/src/fleet/index.js';
import {
  type DemoConsole,
  launchChromium,
  signedInPage,
  startDemoConsole,
  type USERS,
} from './browser-support.js';

/**
 * One picture of a mixed fleet: the demo board's Chromebooks (ChromeOS) and Windows laptops and
 * desktops, plus a Linux laptop and a Chromebook whose extension said Google Admin enforces its
 * policy, each connected over the real WebSocket. The overview's waste per device class and the
 * device list show them side by side.
 */
let board: DemoConsole;
let browser: Browser;
const agents: ProtocolAgent[] = [];

beforeAll(async () => {
  board = await startDemoConsole({ deviceCount: 24, dirPrefix: 'sluimer-mixed-fleet-', historyDays: 7 });
  const groups = listOf<{ id: number; name: string }>(await board.api.get('/api/v1/groups'));
  const school = groups.find((g) => g.name === 'Het Baken');
  if (!school) throw new Error(`no school "Het Baken" in the demo: ${groups.map((g) => g.name).join(', ')}`);
  const { secret } = await board.api.post<{ secret: string }>(`/api/v1/groups/${school.id}/enroll-secrets`);
  const now = Date.now();
  const join = async (installId: string, hostname: string, inventory: Record<string, unknown>) => {
    const enrolled = await enrollDevice(board.consoleApp.url, {
      enrollSecret: secret,
      installId,
      hostname,
      inventory,
    });
    const agent = new ProtocolAgent({ server: board.consoleApp.url, deviceToken: enrolled.deviceToken });
    agents.push(agent);
    const welcome = await agent.connect();
    await agent.report([
      { start: now - 90 * 60_000, end: now - 60 * 60_000, state: 'active', display: 'on', power: 'ac' },
      { start: now - 60 * 60_000, end: now - 5 * 60_000, state: 'idle', display: 'on', power: 'ac' },
    ]);
    return { agent, welcome };
  };
  await join('linux-mixed-0001', 'baken-linux-01', {
    os: 'linux',
    osVersion: 'Debian 12',
    chassisType: 'Notebook',
    manufacturer: 'Lenovo',
    model: 'ThinkPad E14',
  });
  const cros = await join('cros-mixed-00001', 'baken-cb-extensie', {
    os: 'chromeos',
    chassisType: 'Notebook',
    manufacturer: 'Acer',
    model: 'Chromebook Spin 511',
  });
  // what the Chromebook extension answers a policy with (agent/chrome/src/policy-status.ts)
  cros.agent.sendRaw(
    JSON.stringify({
      type: 'policy_status',
      etag: cros.welcome.etag,
      ok: true,
      applied: { enforcedBy: 'google-admin' },
      errors: [],
    }),
  );
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  for (const a of agents) await a.close().catch(() => {});
  await browser?.close().catch(() => {});
  await board?.close();
});

function loggedIn(who: keyof typeof USERS): Promise<Page> {
  return signedInPage(browser, board.consoleApp.url, who);
}

describe('a board with Chromebooks and Windows and Linux devices', () => {
  it('shows the waste of Chromebooks, laptops and desktops in one overview', async () => {
    const page = await loggedIn('viewer');
    const classes = page.getByTestId('chart-classes');
    await classes.waitFor({ timeout: 30_000 });
    await classes.getByRole('button', { name: 'Als tabel tonen' }).click();
    const rows = classes.locator('tbody tr');
    await rows.first().waitFor();
    const text = (await rows.allTextContents()).join(' | ');
    for (const name of ['Chromebook', 'Laptop', 'Desktop (pc)']) expect(text).toContain(name);
    // every class row carries euros: the Chromebooks are counted in the same money as the rest
    const chromebookRow = rows.filter({ hasText: 'Chromebook' });
    await expect(chromebookRow.textContent()).resolves.toMatch(/€\s?\d/);
    await page.context().close();
  }, 90_000);

  it('lists Chromebooks (ChromeOS) next to Windows and Linux devices, each with its policy status', async () => {
    const page = await loggedIn('it');
    await page.goto(`${board.consoleApp.url}/devices`);
    const table = page.getByTestId('devices-table');
    await table.waitFor();
    const search = async (q: string) => {
      await page.getByRole('searchbox').fill(q);
      return table.locator('tbody tr').filter({ hasText: q });
    };
    const linux = await search('baken-linux-01');
    await linux.first().waitFor({ timeout: 15_000 });
    await expect(linux.first().textContent()).resolves.toMatch(/Laptop\s*Linux/);

    const cros = await search('baken-cb-extensie');
    await cros.first().waitFor({ timeout: 15_000 });
    const crosRow = (await cros.first().textContent()) ?? '';
    expect(crosRow).toMatch(/Chromebook\s*ChromeOS/);
    // enforcement is Google Admin's: the list says so instead of "waiting for the device"
    expect(crosRow).toContain('Via Google Admin');

    // the whole fleet in one list: the demo's Chromebooks and Windows devices, and the Linux laptop
    await page.getByRole('searchbox').fill('');
    await expect
      .poll(async () => (await table.getByTestId('device-os').allTextContents()).join(','), {
        timeout: 15_000,
      })
      .toMatch(/ChromeOS/);
    const systems = new Set(await table.getByTestId('device-os').allTextContents());
    expect([...systems].sort()).toEqual(expect.arrayContaining(['ChromeOS', 'Linux', 'Windows']));
    await page.context().close();
  }, 90_000);
});
