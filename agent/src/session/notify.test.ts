import { describe, expect, it } from 'vitest';
import {
  APP_USER_MODEL_ID,
  linuxNotifyCommand,
  macNotifyCommand,
  notifyCommand,
  toastXml,
  windowsNotifyCommand,
  windowsToastScript,
} from './notify.js';

const nudge = {
  title: 'Bijna slaapstand',
  body: 'Deze laptop gaat over 2 minuten in slaapstand. Beweeg de muis om verder te werken.',
};
const tricky = { title: `-"it's" <b> & 'x'`, body: '€ 0,02; `rm -rf` $(echo) %PATH%' };

describe('notification commands', () => {
  it('Linux: notify-send with app name, actions that wait, and -- before the texts', () => {
    expect(linuxNotifyCommand(nudge)).toEqual({
      cmd: 'notify-send',
      args: ['--app-name=Sluimer', '--urgency=normal', '--', nudge.title, nudge.body],
    });
    const withAction = linuxNotifyCommand({
      ...tricky,
      actions: [{ key: 'snooze', label: '1 uur uitstellen' }],
      timeoutMs: 30_000,
    });
    expect(withAction.args).toEqual([
      '--app-name=Sluimer',
      '--urgency=normal',
      '--expire-time=30000',
      '--action=snooze=1 uur uitstellen',
      '--wait',
      '--',
      tricky.title,
      tricky.body,
    ]);
  });

  it("Linux: from the system service, runs in the user's session with their bus", () => {
    const c = linuxNotifyCommand(nudge, { name: 'leerling', uid: 1001 });
    expect(c.cmd).toBe('runuser');
    expect(c.args.slice(0, 6)).toEqual([
      '-u',
      'leerling',
      '--',
      'env',
      'DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1001/bus',
      'notify-send',
    ]);
    expect(c.args.slice(-2)).toEqual([nudge.title, nudge.body]);
  });

  it('Windows: a toast under the AppUserModelID, passed as -EncodedCommand so no text can break quoting', () => {
    const c = windowsNotifyCommand(tricky);
    expect(c.cmd).toBe('powershell.exe');
    expect(c.args.slice(0, 5)).toEqual([
      '-NoProfile',
      '-NonInteractive',
      '-ExecutionPolicy',
      'Bypass',
      '-EncodedCommand',
    ]);
    const script = Buffer.from(c.args[5]!, 'base64').toString('utf16le');
    expect(script).toBe(windowsToastScript(tricky));
    expect(script).toContain(`CreateToastNotifier('${APP_USER_MODEL_ID}')`);
    // XML-escaped, so the single-quoted PowerShell literal holds no quote of its own
    expect(script).toContain('<text>-&quot;it&apos;s&quot; &lt;b&gt; &amp; &apos;x&apos;</text>');
    const literal = /LoadXml\('(.*)'\)/.exec(script)?.[1];
    expect(literal).toBeDefined();
    expect(literal).not.toMatch(/'/);
    expect(toastXml({ ...nudge, actions: [{ key: 'snooze', label: 'Later' }] })).toContain(
      '<actions><action content="Later" arguments="snooze"/></actions>',
    );
  });

  it('macOS: osascript with the texts as arguments, never inside the script', () => {
    const c = macNotifyCommand(tricky);
    expect(c.cmd).toBe('osascript');
    expect(c.args.slice(-3)).toEqual(['--', tricky.title, tricky.body]);
    expect(c.args.filter((a) => a.includes('€'))).toEqual([tricky.body]);
    expect(notifyCommand(nudge, 'darwin').cmd).toBe('osascript');
    expect(notifyCommand(nudge, 'win32').cmd).toBe('powershell.exe');
    expect(notifyCommand(nudge, 'linux').cmd).toBe('notify-send');
  });
});
