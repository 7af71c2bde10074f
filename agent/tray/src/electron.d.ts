/**
 * The part of Electron's API the tray uses. Electron itself is not installed by `npm install` (its
 * binary cannot be downloaded in CI), so the tray is type-checked against this subset; packaging
 * installs the real `electron` (see agent/tray/README.md).
 */
declare module 'electron' {
  type Listener = (...args: never[]) => void;
  interface Emitter {
    on(event: string, listener: Listener): this;
    once(event: string, listener: Listener): this;
  }
  interface Rectangle {
    x: number;
    y: number;
    width: number;
    height: number;
  }
  interface NativeImage {
    isEmpty(): boolean;
    setTemplateImage?(v: boolean): void;
  }
  export const nativeImage: { createFromPath(path: string): NativeImage };
  interface WebContents extends Emitter {
    setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }): void;
    send(channel: string, ...args: unknown[]): void;
    session: Session;
  }
  interface Session {
    setPermissionRequestHandler(
      handler: ((wc: WebContents, permission: string, callback: (granted: boolean) => void) => void) | null,
    ): void;
    setPermissionCheckHandler(handler: ((...args: unknown[]) => boolean) | null): void;
  }
  export const session: { defaultSession: Session };
  export class BrowserWindow implements Emitter {
    constructor(options: Record<string, unknown>);
    on(event: string, listener: Listener): this;
    once(event: string, listener: Listener): this;
    webContents: WebContents;
    loadFile(path: string, options?: { hash?: string }): Promise<void>;
    show(): void;
    hide(): void;
    focus(): void;
    isVisible(): boolean;
    isDestroyed(): boolean;
    setPosition(x: number, y: number): void;
    getSize(): [number, number];
    destroy(): void;
  }
  export class Tray implements Emitter {
    constructor(image: NativeImage);
    on(event: string, listener: Listener): this;
    once(event: string, listener: Listener): this;
    setImage(image: NativeImage): void;
    setToolTip(text: string): void;
    setContextMenu(menu: Menu | null): void;
    getBounds(): Rectangle;
    destroy(): void;
  }
  export interface MenuItemConstructorOptions {
    label?: string;
    type?: 'normal' | 'separator' | 'submenu' | 'checkbox' | 'radio';
    enabled?: boolean;
    checked?: boolean;
    click?: () => void;
    submenu?: MenuItemConstructorOptions[];
  }
  export class Menu {
    static buildFromTemplate(template: MenuItemConstructorOptions[]): Menu;
  }
  export interface NotificationConstructorOptions {
    title: string;
    body: string;
    silent?: boolean;
    actions?: { type: 'button'; text: string }[];
    closeButtonText?: string;
    timeoutType?: 'default' | 'never';
    icon?: NativeImage | string;
  }
  export class Notification implements Emitter {
    constructor(options: NotificationConstructorOptions);
    static isSupported(): boolean;
    on(event: string, listener: Listener): this;
    once(event: string, listener: Listener): this;
    show(): void;
    close(): void;
  }
  export interface IpcMainInvokeEvent {
    senderFrame: { url: string } | null;
    sender: WebContents;
  }
  export const ipcMain: {
    handle(channel: string, handler: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
    removeHandler(channel: string): void;
  };
  export const ipcRenderer: {
    invoke(channel: string, ...args: unknown[]): Promise<never>;
    on(channel: string, listener: (event: unknown, ...args: never[]) => void): void;
    removeListener(channel: string, listener: (...args: never[]) => void): void;
  };
  export const contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  export const powerSaveBlocker: {
    start(type: 'prevent-app-suspension' | 'prevent-display-sleep'): number;
    stop(id: number): void;
    isStarted(id: number): boolean;
  };
  export const shell: { openExternal(url: string): Promise<void> };
  export const powerMonitor: Emitter & { getSystemIdleTime(): number; isOnBatteryPower(): boolean };
  export const screen: {
    getDisplayNearestPoint(point: { x: number; y: number }): { workArea: Rectangle };
  };
  export const app: Emitter & {
    whenReady(): Promise<void>;
    requestSingleInstanceLock(): boolean;
    setAppUserModelId(id: string): void;
    getPath(name: 'userData'): string;
    getVersion(): string;
    quit(): void;
    dock?: { hide(): void };
  };
}
