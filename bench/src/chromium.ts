import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium, headless, with the flags this machine needs (no sandbox as root, no network). */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/**
 * A desktop-sized page signed in as the console's admin. The console's CSP forbids eval, and the
 * benchmarks' measuring snippets are strings, so the page bypasses it.
 */
export async function measuringAdminPage(
  browser: Browser,
  consoleUrl: string,
  password: string,
): Promise<Page> {
  const page = await browser.newPage({
    viewport: { width: 1280, height: 900 },
    locale: 'nl-NL',
    bypassCSP: true,
  });
  await page.goto(consoleUrl);
  await page.getByLabel('Gebruikersnaam').fill('admin');
  await page.getByLabel('Wachtwoord').fill(password);
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  await page.getByTestId('who').waitFor();
  return page;
}
