import { pathToFileURL } from 'node:url';

/** webPreferences for every window: isolated, sandboxed, no Node, only our preload. */
export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    sandbox: true,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
  } as const;
}

/** The popover may only show its own page (any hash); everything else is refused. */
export function isOwnPage(url: string, indexHtml: string): boolean {
  try {
    const u = new URL(url);
    const own = pathToFileURL(indexHtml);
    return u.protocol === 'file:' && u.pathname === own.pathname;
  } catch {
    return false;
  }
}

/** Only the school's configured https page may be opened outside, and only that exact URL. */
export function externalUrlAllowed(url: string | null | undefined): url is string {
  if (!url) return false;
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/** Content-Security-Policy for the popover, also set as a response header on its session. */
export const POPOVER_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/** Places the popover above (or below) the tray icon, inside the work area. */
export function popoverPosition(
  tray: { x: number; y: number; width: number; height: number },
  size: { width: number; height: number },
  workArea: { x: number; y: number; width: number; height: number },
): { x: number; y: number } {
  let x = Math.round(tray.x + tray.width / 2 - size.width / 2);
  const below = tray.y < workArea.y + workArea.height / 2;
  let y = below ? tray.y + tray.height + 4 : tray.y - size.height - 4;
  x = Math.max(workArea.x, Math.min(x, workArea.x + workArea.width - size.width));
  y = Math.max(workArea.y, Math.min(y, workArea.y + workArea.height - size.height));
  return { x, y };
}
