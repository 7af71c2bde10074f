import { LANGUAGES, type Lang, localTime, messages } from '@sluimer/shared';
import type { TrayState } from '../../src/service/ipc/protocol.js';

/** The three icon states a pupil can read at a glance. */
export type IconState = 'ok' | 'nudge' | 'offline';

export function iconState(connected: boolean, state: TrayState | null, nudgeWaiting: boolean): IconState {
  if (!connected || !state || state.console !== 'connected') return 'offline';
  return nudgeWaiting ? 'nudge' : 'ok';
}

export function tooltip(icon: IconState, state: TrayState | null, lang: Lang): string {
  const s = messages(lang).status;
  if (icon === 'offline') return `Sluimer — ${s.notConnected}`;
  if (icon === 'nudge') return `Sluimer — ${s.nudgeWaiting}`;
  return `Sluimer — ${state?.mode === 'audit' || state?.mode === 'excluded' ? s.auditOnly : s.managed}`;
}

/** Plain data for Electron's Menu.buildFromTemplate; `id` names the action main wires up. */
export interface MenuItemModel {
  id?: 'week' | 'why' | 'snooze' | `lang:${Lang}`;
  label?: string;
  type?: 'normal' | 'separator' | 'radio' | 'submenu';
  enabled?: boolean;
  checked?: boolean;
  submenu?: MenuItemModel[];
}

export function buildMenu(
  view: { lang: Lang; connected: boolean; state: TrayState | null },
  icon: IconState,
  now: number,
  timeZone = 'Europe/Amsterdam',
): MenuItemModel[] {
  const m = messages(view.lang);
  const state = view.state;
  const noun = state?.noun ?? 'computer';
  const items: MenuItemModel[] = [
    { label: tooltip(icon, state, view.lang).replace(/^Sluimer — /, ''), enabled: false },
  ];
  if (state?.today) {
    items.push({ label: m.menu.todayOn(state.today.onMs), enabled: false });
    items.push({ label: m.menu.todayIdle(state.today.idleOnMs), enabled: false });
  } else {
    items.push({ label: m.menu.todayUnknown, enabled: false });
  }
  if (state) items.push({ label: state.policyText[view.lang], enabled: false });
  items.push({ type: 'separator' });
  items.push({ id: 'week', label: m.menu.week });
  items.push({ id: 'why', label: m.menu.why(noun) });
  if (state?.snooze.allowed) {
    if (state.snooze.until && state.snooze.until > now) {
      const t = localTime(state.snooze.until, timeZone);
      const clock = `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
      items.push({ label: m.menu.snoozedUntil(clock), enabled: false });
    } else {
      items.push({ id: 'snooze', label: m.menu.snooze(state.snooze.minutes), enabled: view.connected });
    }
  }
  items.push({ type: 'separator' });
  items.push({
    label: m.menu.language,
    type: 'submenu',
    submenu: LANGUAGES.map((l) => ({
      id: `lang:${l}` as const,
      label: messages(l).langName,
      type: 'radio' as const,
      checked: l === view.lang,
    })),
  });
  return items;
}
