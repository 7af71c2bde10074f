// Runs sandboxed (contextIsolation on, nodeIntegration off): only `electron`'s contextBridge and
// ipcRenderer are available. Exposes exactly the typed SluimerTrayApi and nothing else. Built as
// CommonJS (dist/preload.cjs) because sandboxed preloads cannot be ES modules.
import { contextBridge, ipcRenderer } from 'electron';
import { CHANNELS, type SluimerTrayApi, type TrayView } from './api.js';

const api: SluimerTrayApi = {
  getView: () => ipcRenderer.invoke(CHANNELS.getView),
  onView: (listener) => {
    const handler = (_event: unknown, view: TrayView) => listener(view);
    ipcRenderer.on(CHANNELS.view, handler);
    return () => {
      ipcRenderer.removeListener(CHANNELS.view, handler);
    };
  },
  setLanguage: (lang) => ipcRenderer.invoke(CHANNELS.setLanguage, lang),
  snooze: () => ipcRenderer.invoke(CHANNELS.snooze),
  openWhyLink: () => ipcRenderer.invoke(CHANNELS.openWhyLink),
  close: () => ipcRenderer.invoke(CHANNELS.close),
};

contextBridge.exposeInMainWorld('sluimer', api);
