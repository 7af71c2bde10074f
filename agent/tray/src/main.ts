/**
 * Electron main process of the Sluimer tray: thin wiring only. Decisions live in the service
 * (agent/src/core/nudges.ts), menu and icon state in ./menu.ts, security rules in ./security.ts;
 * this file connects them to Electron. The tray is a client of the service: it runs no OS command of
 * its own. What only the session knows (idle time, lock, power source) comes from Electron's
 * powerMonitor; presentations and notifications without Electron are the service's side.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLang, type Lang, messages, renderNudge } from '@sluimer/shared';
import {
  app,
  BrowserWindow,
  type IpcMainInvokeEvent,
  ipcMain,
  Menu,
  type MenuItemConstructorOptions,
  Notification,
  nativeImage,
  powerMonitor,
  powerSaveBlocker,
  screen,
  session,
  shell,
  Tray,
} from 'electron';
import { connectIpc, type IpcClient } from '../../src/service/ipc/client.js';
import type { NudgeMessage, TrayState } from '../../src/service/ipc/protocol.js';
import { APP_USER_MODEL_ID } from '../../src/session/notify.js';
import { CHANNELS, type TrayView } from './api.js';
import { buildMenu, type IconState, iconState, type MenuItemModel, tooltip } from './menu.js';
import { externalUrlAllowed, isOwnPage, popoverPosition, secureWebPreferences } from './security.js';
import { effectiveLang, loadSettings, saveSettings, type TraySettings } from './settings.js';

export interface TrayOptions {
  ipcPath?: string;
  platform?: NodeJS.Platform;
  /** app root holding dist/ and assets/ (default: one folder up from this file) */
  root?: string;
  userDataDir?: string;
  sessionEveryMs?: number;
  /** a nudge counts as waiting (icon) this long unless answered */
  nudgeWaitingMs?: number;
  env?: NodeJS.ProcessEnv;
  /** reconnect backoff towards the service */
  ipcBackoff?: { initialMs?: number; maxMs?: number };
}

export interface TrayController {
  view(): TrayView;
  icon(): IconState;
  menu(): MenuItemModel[];
  client: IpcClient;
  showPopover(page: TrayView['page']): Promise<void>;
  stop(): void;
}

const POPOVER = { width: 360, height: 520 };

export async function startTray(opts: TrayOptions = {}): Promise<TrayController | null> {
  const platform = opts.platform ?? process.platform;
  const env = opts.env ?? process.env;
  const root = opts.root ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const indexHtml = path.join(root, 'dist', 'renderer', 'index.html');
  const preload = path.join(root, 'dist', 'preload.cjs');
  const asset = (name: string) => path.join(root, 'assets', name);

  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  if (platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);
  // a tray app: closing the popover must not quit
  app.on('window-all-closed', () => {});
  app.on('web-contents-created', (_event: unknown, contents: BrowserWindow['webContents']) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (e: { preventDefault(): void }, url: string) => {
      if (!isOwnPage(url, indexHtml)) e.preventDefault();
    });
    contents.on('will-redirect', (e: { preventDefault(): void }, url: string) => {
      if (!isOwnPage(url, indexHtml)) e.preventDefault();
    });
    contents.on('will-attach-webview', (e: { preventDefault(): void }) => e.preventDefault());
  });
  await app.whenReady();
  app.dock?.hide();
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  const userData = opts.userDataDir ?? app.getPath('userData');
  let settings: TraySettings = loadSettings(userData);
  let connected = false;
  let state: TrayState | null = null;
  let waiting: { id: string; until: number } | null = null;
  let popover: BrowserWindow | null = null;
  let page: TrayView['page'] = 'week';
  let locked = false;

  const lang = (): Lang => effectiveLang(settings, state?.defaultLang ?? null);
  const view = (): TrayView => ({ lang: lang(), connected, state, page });
  const nudgeWaiting = () => waiting !== null && waiting.until > Date.now();
  const icon = () => iconState(connected, state, nudgeWaiting());
  const images: Partial<Record<IconState, ReturnType<typeof nativeImage.createFromPath>>> = {};
  const image = (s: IconState) => {
    images[s] ??= nativeImage.createFromPath(asset(`tray-${s}.png`));
    return images[s]!;
  };

  const tray = new Tray(image('offline'));
  let menuModel: MenuItemModel[] = [];

  const toTemplate = (items: MenuItemModel[]): MenuItemConstructorOptions[] =>
    items.map((item) => {
      const t: MenuItemConstructorOptions = {};
      if (item.label !== undefined) t.label = item.label;
      if (item.type) t.type = item.type;
      if (item.enabled !== undefined) t.enabled = item.enabled;
      if (item.checked !== undefined) t.checked = item.checked;
      if (item.submenu) t.submenu = toTemplate(item.submenu);
      const id = item.id;
      if (id) t.click = () => onMenu(id);
      return t;
    });

  // snooze: the pupil asked and the policy allows it, so this session keeps the device from idle
  // sleep until the service's `snooze.until` (never longer, never on its own initiative)
  let snoozeBlocker: { id: number; timer: NodeJS.Timeout } | null = null;
  const syncSnooze = () => {
    const until = state?.snooze.allowed ? state.snooze.until : null;
    const left = until ? until - Date.now() : 0;
    if (snoozeBlocker && left <= 0) {
      clearTimeout(snoozeBlocker.timer);
      powerSaveBlocker.stop(snoozeBlocker.id);
      snoozeBlocker = null;
    } else if (!snoozeBlocker && left > 0) {
      const id = powerSaveBlocker.start('prevent-app-suspension');
      snoozeBlocker = { id, timer: setTimeout(syncSnooze, left + 1000) };
    }
  };

  const refresh = () => {
    syncSnooze();
    const i = icon();
    tray.setImage(image(i));
    tray.setToolTip(tooltip(i, state, lang()));
    menuModel = buildMenu(view(), i, Date.now(), state?.timeZone);
    tray.setContextMenu(Menu.buildFromTemplate(toTemplate(menuModel)));
    if (popover && !popover.isDestroyed()) popover.webContents.send(CHANNELS.view, view());
  };

  const setLanguage = (l: Lang) => {
    settings = { ...settings, lang: l };
    saveSettings(userData, settings);
    refresh();
  };

  const client = connectIpc({
    ...((opts.ipcPath ?? env.SLUIMER_IPC_PATH) ? { path: opts.ipcPath ?? env.SLUIMER_IPC_PATH } : {}),
    ...(opts.ipcBackoff ? { backoff: opts.ipcBackoff } : {}),
    trayVersion: app.getVersion(),
    onConnection: (c) => {
      connected = c;
      refresh();
    },
    onState: (s) => {
      state = s;
      refresh();
    },
    onNudge: (n) => void showNudge(n),
  });

  async function showNudge(n: NudgeMessage) {
    const text = renderNudge(n.content, lang());
    const m = messages(lang()).nudge;
    waiting = { id: n.id, until: Date.now() + (opts.nudgeWaitingMs ?? 10 * 60_000) };
    refresh();
    let answered = false;
    const answer = (outcome: 'dismissed' | 'snoozed') => {
      if (answered) return;
      answered = true;
      if (waiting?.id === n.id) waiting = null;
      client.reportOutcome({ nudgeId: n.id, kind: n.content.kind, outcome });
      if (outcome === 'snoozed') client.requestSnooze();
      refresh();
    };
    if (Notification.isSupported()) {
      const notification = new Notification({
        title: text.title,
        body: text.body,
        closeButtonText: m.ok,
        ...(n.snoozeMinutes
          ? { actions: [{ type: 'button' as const, text: m.snooze(n.snoozeMinutes) }] }
          : {}),
      });
      notification.on('show', () =>
        client.reportOutcome({ nudgeId: n.id, kind: n.content.kind, outcome: 'shown' }),
      );
      notification.on('action', (_e: unknown, index: number) =>
        answer(index === 0 ? 'snoozed' : 'dismissed'),
      );
      notification.on('click', () => {
        answer('dismissed');
        void showPopover('week');
      });
      notification.on('close', () => answer('dismissed'));
      notification.show();
      return;
    }
    // no notification support here: the tray icon says a nudge is waiting and the popover shows it
  }

  async function showPopover(p: TrayView['page']) {
    page = p;
    if (!popover || popover.isDestroyed()) {
      popover = new BrowserWindow({
        width: POPOVER.width,
        height: POPOVER.height,
        show: false,
        frame: false,
        resizable: false,
        movable: false,
        minimizable: false,
        maximizable: false,
        fullscreenable: false,
        skipTaskbar: true,
        alwaysOnTop: true,
        webPreferences: secureWebPreferences(preload),
      });
      popover.on('blur', () => popover?.hide());
      await popover.loadFile(indexHtml, { hash: p });
    } else {
      popover.webContents.send(CHANNELS.view, view());
    }
    const bounds = tray.getBounds();
    const { workArea } = screen.getDisplayNearestPoint({ x: bounds.x, y: bounds.y });
    const pos = popoverPosition(bounds, POPOVER, workArea);
    popover.setPosition(pos.x, pos.y);
    popover.show();
    popover.focus();
  }

  function onMenu(id: NonNullable<MenuItemModel['id']>) {
    if (id === 'week' || id === 'why') void showPopover(id);
    else if (id === 'snooze') client.requestSnooze();
    else if (id.startsWith('lang:')) {
      const l = id.slice(5);
      if (isLang(l)) setLanguage(l);
    }
  }

  tray.on('click', () => void showPopover('week'));

  // the popover's API: only from our own page, every argument checked
  const fromPopover = (e: IpcMainInvokeEvent) => {
    if (!e.senderFrame || !isOwnPage(e.senderFrame.url, indexHtml))
      throw new Error('refused: unknown sender');
  };
  ipcMain.handle(CHANNELS.getView, (e) => {
    fromPopover(e);
    return view();
  });
  ipcMain.handle(CHANNELS.setLanguage, (e, l) => {
    fromPopover(e);
    if (!isLang(l)) throw new Error('refused: unknown language');
    setLanguage(l);
  });
  ipcMain.handle(CHANNELS.snooze, (e) => {
    fromPopover(e);
    if (state?.snooze.allowed) client.requestSnooze();
  });
  ipcMain.handle(CHANNELS.openWhyLink, async (e) => {
    fromPopover(e);
    const url = state?.whyUrl;
    if (externalUrlAllowed(url)) await shell.openExternal(url);
  });
  ipcMain.handle(CHANNELS.close, (e) => {
    fromPopover(e);
    popover?.hide();
  });

  // session-only signals for the service (docs/platforms-support.md, "Service and session")
  powerMonitor.on('lock-screen', () => {
    locked = true;
    report();
  });
  powerMonitor.on('unlock-screen', () => {
    locked = false;
    report();
  });
  // a switch is sent at once: the service applies what the OS does not switch itself within seconds
  powerMonitor.on('on-ac', () => report());
  powerMonitor.on('on-battery', () => report());
  const wayland = platform === 'linux' && (env.XDG_SESSION_TYPE === 'wayland' || !!env.WAYLAND_DISPLAY);
  function report() {
    // Electron's idle time is broken on GNOME Wayland (electron#34826, always 0): report unknown
    const idleMs = wayland ? null : Math.max(0, Math.round(powerMonitor.getSystemIdleTime() * 1000));
    client.reportSession(idleMs, undefined, locked, powerMonitor.isOnBatteryPower() ? 'battery' : 'ac');
  }
  report();
  const timers = [
    setInterval(report, opts.sessionEveryMs ?? 15_000),
    setInterval(() => {
      if (waiting && !nudgeWaiting()) {
        waiting = null;
        refresh();
      }
    }, 30_000),
  ];
  refresh();

  return {
    view,
    icon,
    menu: () => menuModel,
    client,
    showPopover,
    stop() {
      for (const t of timers) clearInterval(t);
      if (snoozeBlocker) {
        clearTimeout(snoozeBlocker.timer);
        powerSaveBlocker.stop(snoozeBlocker.id);
      }
      client.close();
      for (const ch of Object.values(CHANNELS)) if (ch !== CHANNELS.view) ipcMain.removeHandler(ch);
      popover?.destroy();
      tray.destroy();
    },
  };
}

if (process.versions.electron) {
  void startTray().catch((err) => {
    console.error(err);
    app.quit();
  });
}
