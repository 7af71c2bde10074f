import { describe, expect, it } from 'vitest';
import type { TrayState } from '../../src/service/ipc/protocol.js';
import { buildMenu, iconState, tooltip } from './menu.js';
import { externalUrlAllowed, isOwnPage, popoverPosition, secureWebPreferences } from './security.js';

const state: TrayState = {
  type: 'state',
  console: 'connected',
  mode: 'enforcing',
  noun: 'computer',
  policyText: { nl: 'Deze computer gaat na 15 minuten zonder gebruik in slaapstand.', en: 'This computer …' },
  today: null,
  snooze: { allowed: false, minutes: 60, until: null },
  whyUrl: null,
  weeks: [],
};

describe('icon state', () => {
  it('reads managed and fine, a nudge waiting, or not connected', () => {
    expect(iconState(true, state, false)).toBe('ok');
    expect(iconState(true, state, true)).toBe('nudge');
    expect(iconState(false, state, true)).toBe('offline');
    expect(iconState(true, null, false)).toBe('offline');
    expect(iconState(true, { ...state, console: 'connecting' }, false)).toBe('offline');
    expect(tooltip('offline', null, 'en')).toBe(
      'Sluimer — Sluimer cannot be reached right now. You can keep working.',
    );
    expect(tooltip('ok', { ...state, mode: 'audit' }, 'nl')).toContain('meet alleen');
  });
});

describe('tray menu', () => {
  it('leaves out snooze when the policy does not allow it and says when there is no data yet', () => {
    const labels = buildMenu({ lang: 'nl', connected: true, state }, 'ok', Date.now()).map((i) => i.label);
    expect(labels).toContain('Vandaag: nog geen gegevens');
    expect(labels).toContain('Waarom wordt deze computer beheerd?');
    expect(labels.some((l) => l?.includes('uitstellen'))).toBe(false);
  });

  it('shows until when sleep is postponed, in the school time zone', () => {
    const until = Date.parse('2026-11-24T14:05:00+01:00');
    const menu = buildMenu(
      { lang: 'nl', connected: true, state: { ...state, snooze: { allowed: true, minutes: 60, until } } },
      'ok',
      until - 30 * 60_000,
    );
    expect(menu.map((i) => i.label)).toContain('Slaapstand uitgesteld tot 14:05');
    const lang = menu.find((i) => i.type === 'submenu');
    expect(lang?.submenu?.map((s) => [s.label, s.checked])).toEqual([
      ['Nederlands', true],
      ['English', false],
    ]);
  });
});

describe('popover security helpers', () => {
  it('lock the renderer down', () => {
    expect(secureWebPreferences('/app/dist/preload.cjs')).toMatchObject({
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
    });
    expect(isOwnPage('file:///app/dist/renderer/index.html#why', '/app/dist/renderer/index.html')).toBe(true);
    expect(isOwnPage('file:///app/dist/renderer/other.html', '/app/dist/renderer/index.html')).toBe(false);
    expect(isOwnPage('https://app/dist/renderer/index.html', '/app/dist/renderer/index.html')).toBe(false);
    expect(externalUrlAllowed('https://school.nl/x')).toBe(true);
    expect(externalUrlAllowed('http://school.nl/x')).toBe(false);
    expect(externalUrlAllowed('javascript:alert(1)')).toBe(false);
    expect(externalUrlAllowed(null)).toBe(false);
  });

  it('keeps the popover next to the tray and inside the screen', () => {
    const work = { x: 0, y: 0, width: 1920, height: 1040 };
    // Windows taskbar at the bottom right
    expect(
      popoverPosition({ x: 1890, y: 1045, width: 24, height: 24 }, { width: 360, height: 520 }, work),
    ).toEqual({
      x: 1560,
      y: 520,
    });
    // macOS menu bar at the top
    expect(
      popoverPosition({ x: 1000, y: 0, width: 22, height: 22 }, { width: 360, height: 520 }, work),
    ).toEqual({
      x: 831,
      y: 26,
    });
  });
});
