import type { Lang } from '@sluimer/shared';
import type { TrayState } from '../../src/service/ipc/protocol.js';

/** What the popover shows: everything the renderer may know, nothing more. */
export interface TrayView {
  lang: Lang;
  /** the tray reaches the local service */
  connected: boolean;
  state: TrayState | null;
  page: 'week' | 'why';
}

/**
 * The one API the preload exposes to the popover (window.sluimer). Channels are fixed; the main
 * process validates every argument and the sender's URL.
 */
export interface SluimerTrayApi {
  getView(): Promise<TrayView>;
  onView(listener: (view: TrayView) => void): () => void;
  setLanguage(lang: Lang): Promise<void>;
  snooze(): Promise<void>;
  openWhyLink(): Promise<void>;
  close(): Promise<void>;
}

export const CHANNELS = {
  getView: 'sluimer:get-view',
  view: 'sluimer:view',
  setLanguage: 'sluimer:set-language',
  snooze: 'sluimer:snooze',
  openWhyLink: 'sluimer:open-why-link',
  close: 'sluimer:close',
} as const;
