import { EventEmitter } from 'node:events';
import os from 'node:os';

/** A stand-in for the parts of Electron the tray touches, recording what the tray does with them. */
export function createFakeElectron() {
  const rec = {
    trays: [] as FakeTray[],
    windows: [] as FakeWindow[],
    notifications: [] as FakeNotification[],
    handlers: new Map<string, (...args: unknown[]) => unknown>(),
    opened: [] as string[],
    appUserModelId: null as string | null,
    idleSeconds: 42,
    onBattery: false,
    blockers: new Map<number, string>(),
    app: null as unknown as InstanceType<typeof EventEmitter>,
    powerMonitor: null as unknown as InstanceType<typeof EventEmitter>,
  };
  interface FakeTray {
    image: string;
    tooltip: string;
    // biome-ignore lint/suspicious/noExplicitAny: menu template
    menu: any[];
    emit(e: string): void;
  }
  interface FakeWindow {
    options: Record<string, unknown>;
    loaded: { file: string; hash?: string } | null;
    sent: unknown[][];
    webContents: InstanceType<typeof EventEmitter>;
  }
  interface FakeNotification {
    options: { title: string; body: string; actions?: { text: string }[] };
    emit(e: string, ...args: unknown[]): void;
  }
  class Tray extends EventEmitter {
    image = '';
    tooltip = '';
    // biome-ignore lint/suspicious/noExplicitAny: menu template
    menu: any[] = [];
    constructor(img: { path: string }) {
      super();
      this.image = img.path;
      rec.trays.push(this as unknown as FakeTray);
    }
    setImage(img: { path: string }) {
      this.image = img.path;
    }
    setToolTip(t: string) {
      this.tooltip = t;
    }
    // biome-ignore lint/suspicious/noExplicitAny: menu template
    setContextMenu(m: { template: any[] }) {
      this.menu = m.template;
    }
    getBounds() {
      return { x: 1800, y: 1050, width: 24, height: 24 };
    }
    destroy() {}
  }
  class BrowserWindow extends EventEmitter {
    options: Record<string, unknown>;
    loaded: { file: string; hash?: string } | null = null;
    sent: unknown[][] = [];
    webContents: InstanceType<typeof EventEmitter> & { send: (...a: unknown[]) => void };
    visible = false;
    position: [number, number] = [0, 0];
    constructor(options: Record<string, unknown>) {
      super();
      this.options = options;
      const wc = Object.assign(new EventEmitter(), {
        openHandler: null as unknown,
        send: (...a: unknown[]) => {
          this.sent.push(a);
        },
        setWindowOpenHandler: (h: unknown) => {
          wc.openHandler = h;
        },
      });
      this.webContents = wc;
      rec.windows.push(this as unknown as FakeWindow);
      rec.app.emit('web-contents-created', {}, wc);
    }
    async loadFile(file: string, opts?: { hash?: string }) {
      this.loaded = { file, ...(opts?.hash ? { hash: opts.hash } : {}) };
    }
    show() {
      this.visible = true;
    }
    hide() {
      this.visible = false;
    }
    focus() {}
    isVisible() {
      return this.visible;
    }
    isDestroyed() {
      return false;
    }
    setPosition(x: number, y: number) {
      this.position = [x, y];
    }
    destroy() {}
  }
  class Notification extends EventEmitter {
    options: FakeNotification['options'];
    constructor(options: FakeNotification['options']) {
      super();
      this.options = options;
      rec.notifications.push(this as unknown as FakeNotification);
    }
    static isSupported() {
      return true;
    }
    show() {}
    close() {}
  }
  rec.app = Object.assign(new EventEmitter(), {
    whenReady: async () => {},
    requestSingleInstanceLock: () => true,
    setAppUserModelId: (id: string) => {
      rec.appUserModelId = id;
    },
    getPath: () => os.tmpdir(),
    getVersion: () => '0.1.0',
    quit: () => {},
  });
  rec.powerMonitor = Object.assign(new EventEmitter(), {
    getSystemIdleTime: () => rec.idleSeconds,
    isOnBatteryPower: () => rec.onBattery,
  });
  const module = {
    app: rec.app,
    Tray,
    BrowserWindow,
    Notification,
    Menu: { buildFromTemplate: (template: unknown[]) => ({ template }) },
    nativeImage: { createFromPath: (p: string) => ({ path: p, isEmpty: () => false }) },
    ipcMain: {
      handle: (ch: string, h: (...args: unknown[]) => unknown) => rec.handlers.set(ch, h),
      removeHandler: (ch: string) => rec.handlers.delete(ch),
    },
    shell: {
      openExternal: async (url: string) => {
        rec.opened.push(url);
      },
    },
    powerMonitor: rec.powerMonitor,
    powerSaveBlocker: {
      next: 1,
      start(type: string) {
        const id = this.next++;
        rec.blockers.set(id, type);
        return id;
      },
      stop(id: number) {
        rec.blockers.delete(id);
      },
      isStarted(id: number) {
        return rec.blockers.has(id);
      },
    },
    screen: { getDisplayNearestPoint: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }) },
    session: {
      defaultSession: { setPermissionRequestHandler: () => {}, setPermissionCheckHandler: () => {} },
    },
  };
  return { rec, module };
}

export const fake = createFakeElectron();
