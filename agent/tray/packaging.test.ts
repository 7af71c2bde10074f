import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { APP_USER_MODEL_ID } from '../src/session/notify.js';

/**
 * electron-builder cannot fetch Electron here, so no real installer is built in tests. Instead:
 * the YAML has the structure the issue asks for, everything it references exists, and the service
 * definitions point at the files the build produces.
 */
const repo = path.resolve(import.meta.dirname, '../..');
const at = (...p: string[]) => path.join(repo, ...p);
const read = (...p: string[]) => readFileSync(at(...p), 'utf8');
// biome-ignore lint/suspicious/noExplicitAny: parsed YAML
const cfg = parse(read('electron-builder.yml')) as any;
const buildResources = at(cfg.directories.buildResources);
const targets = (t: unknown) =>
  (Array.isArray(t) ? t : [t]).map((x) => (typeof x === 'string' ? x : (x as { target: string }).target));

const APP_DIR = at(cfg.directories.app);
const SERVICE = 'dist/service.mjs';

describe('electron-builder.yml', () => {
  it('packages the tray app with the AppUserModelID the notifications use', () => {
    expect(cfg.appId).toBe(APP_USER_MODEL_ID);
    expect(cfg.productName).toBe('Sluimer');
    expect(cfg.electronVersion).toMatch(/^\d+\.\d+\.\d+$/);
    const appPkg = JSON.parse(readFileSync(path.join(APP_DIR, 'package.json'), 'utf8'));
    expect(appPkg.main).toBe('dist/main.js');
    expect(cfg.files).toEqual(
      expect.arrayContaining([
        'package.json',
        'dist/main.js',
        'dist/preload.cjs',
        SERVICE,
        'dist/renderer/**',
      ]),
    );
    expect(cfg.asarUnpack).toContain(SERVICE);
    // the build script writes exactly these names
    const build = readFileSync(path.join(APP_DIR, 'build.mjs'), 'utf8');
    expect(build).toContain("entryFileNames: '[name].mjs'");
    expect(build).toContain("entryFileNames: '[name].cjs'");
  });

  it('keeps electron out of the default install', () => {
    for (const file of ['package.json', 'agent/package.json', 'agent/tray/package.json']) {
      const pkg = JSON.parse(read(file));
      for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
        expect(Object.keys(pkg[field] ?? {}), `${file} ${field}`).not.toContain('electron');
        expect(Object.keys(pkg[field] ?? {}), `${file} ${field}`).not.toContain('electron-builder');
      }
    }
  });

  it('builds per-machine NSIS and MSI installers for Windows with a Start Menu shortcut', () => {
    expect(targets(cfg.win.target)).toEqual(['nsis', 'msi']);
    expect(cfg.nsis).toMatchObject({ perMachine: true, createStartMenuShortcut: true, oneClick: false });
    expect(cfg.msi).toMatchObject({ perMachine: true, createStartMenuShortcut: true });
    expect(cfg.msi.upgradeCode).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const nsh = read(cfg.nsis.include);
    expect(nsh).toContain('install-service.ps1');
    expect(nsh).toContain('uninstall-service.ps1');
    expect(nsh).toMatch(/WriteRegStr HKLM "Software\\Microsoft\\Windows\\CurrentVersion\\Run" "Sluimer"/);
  });

  it('builds a macOS pkg whose scripts install the LaunchDaemon and the LaunchAgent', () => {
    expect(targets(cfg.mac.target)).toEqual(['pkg']);
    expect(cfg.mac.extendInfo.LSUIElement).toBe(true);
    const scripts = path.resolve(buildResources, cfg.pkg.scripts);
    expect(scripts).toBe(at('scripts/install/macos'));
    for (const f of ['preinstall', 'postinstall']) {
      expect(statSync(path.join(scripts, f)).mode & 0o111, `${f} executable`).not.toBe(0);
    }
    const post = readFileSync(path.join(scripts, 'postinstall'), 'utf8');
    expect(post).toContain('/Library/LaunchDaemons/nl.sluimer.agent.plist');
    expect(post).toContain('/Library/LaunchAgents/nl.sluimer.tray.plist');
    expect(existsSync(path.join(scripts, 'nl.sluimer.agent.plist'))).toBe(true);
    expect(existsSync(path.join(scripts, 'nl.sluimer.tray.plist'))).toBe(true);
  });

  it('builds a deb with a systemd system service and an XDG autostart entry', () => {
    expect(targets(cfg.linux.target)).toEqual(['deb']);
    expect(cfg.linux.executableName).toBe('sluimer');
    const after = read(cfg.deb.afterInstall);
    expect(after).toContain('/lib/systemd/system/sluimer-agent.service');
    expect(after).toContain('/etc/xdg/autostart/sluimer-tray.desktop');
    expect(after).toContain('systemctl enable sluimer-agent.service');
    expect(existsSync(at(cfg.deb.afterRemove))).toBe(true);
    const beforeRemove = (cfg.deb.fpm as string[]).find((a) => a.startsWith('--before-remove='))!;
    expect(existsSync(at(beforeRemove.split('=')[1]!))).toBe(true);
  });

  it('references only files that exist', () => {
    expect(existsSync(path.join(buildResources, cfg.win.icon))).toBe(true);
    expect(existsSync(path.join(buildResources, cfg.mac.icon))).toBe(true);
    expect(existsSync(path.join(buildResources, cfg.linux.icon))).toBe(true);
    for (const r of cfg.extraResources) expect(existsSync(at(r.from)), r.from).toBe(true);
    expect(existsSync(at(cfg.nsis.include))).toBe(true);
    for (const s of ['ok', 'nudge', 'offline'])
      expect(existsSync(path.join(APP_DIR, 'assets', `tray-${s}.png`))).toBe(true);
  });
});

describe('service definitions', () => {
  const linuxBin = `/opt/${cfg.productName}/${cfg.linux.executableName}`;
  const linuxService = `/opt/${cfg.productName}/resources/app.asar.unpacked/${SERVICE}`;
  const macApp = `/Applications/${cfg.productName}.app`;

  it('systemd: the packaged unit runs the bundled service as Node, restarts, and owns /run/sluimer', () => {
    const unit = read('scripts/install/linux/sluimer-agent.service');
    expect(unit).toContain(`ExecStart=${linuxBin} ${linuxService} run`);
    expect(unit).toContain('Environment=ELECTRON_RUN_AS_NODE=1');
    expect(unit).toMatch(/^Restart=on-failure$/m);
    // the default IPC path of the service is /run/sluimer/agent.sock
    expect(unit).toMatch(/^RuntimeDirectory=sluimer$/m);
    expect(unit).toMatch(/^WantedBy=multi-user.target$/m);
    expect(read('agent/src/service/ipc/protocol.ts')).toContain("'/run/sluimer/agent.sock'");
  });

  it('systemd: lab desktops can run `npx sluimer-agent run` without downloading anything', () => {
    const unit = read('scripts/install/linux/sluimer-agent-npx.service');
    expect(unit).toContain('ExecStart=/usr/bin/npx --no-install sluimer-agent run');
    expect(unit).toContain('EnvironmentFile=-/etc/default/sluimer-agent');
    expect(JSON.parse(read('agent/package.json')).bin['sluimer-agent']).toBeDefined();
  });

  it('XDG autostart starts the tray in every desktop session', () => {
    const desktop = read('scripts/install/linux/sluimer-tray.desktop');
    expect(desktop.split('\n')[0]).toBe('[Desktop Entry]');
    expect(desktop).toContain(`Exec=${linuxBin}\n`);
    expect(desktop).toContain('Type=Application');
    expect(desktop).toContain('X-GNOME-Autostart-enabled=true');
  });

  it('launchd: the daemon runs the service as root and the agent runs the tray in each GUI session', () => {
    const daemon = read('scripts/install/macos/nl.sluimer.agent.plist');
    expect(daemon).toMatch(/<key>Label<\/key>\s*<string>nl.sluimer.agent<\/string>/);
    expect(daemon).toContain(`<string>${macApp}/Contents/MacOS/${cfg.productName}</string>`);
    expect(daemon).toContain(`<string>${macApp}/Contents/Resources/app.asar.unpacked/${SERVICE}</string>`);
    expect(daemon).toMatch(/<key>ELECTRON_RUN_AS_NODE<\/key>\s*<string>1<\/string>/);
    const agent = read('scripts/install/macos/nl.sluimer.tray.plist');
    expect(agent).toMatch(/<key>Label<\/key>\s*<string>nl.sluimer.tray<\/string>/);
    expect(agent).toMatch(/<key>LimitLoadToSessionType<\/key>\s*<string>Aqua<\/string>/);
    for (const xml of [daemon, agent]) {
      // balanced tags (no XML parser in the dependency tree)
      const open = (xml.match(/<(dict|array)>/g) ?? []).length;
      const close = (xml.match(/<\/(dict|array)>/g) ?? []).length;
      expect(open).toBe(close);
    }
  });

  it('Windows: WinSW runs the bundled service as Node from the installed app', () => {
    const xml = read('scripts/install/windows/SluimerService.xml');
    expect(xml).toContain('<executable>%BASE%\\..\\..\\..\\Sluimer.exe</executable>');
    expect(xml).toContain('"%BASE%\\..\\..\\app.asar.unpacked\\dist\\service.mjs" run');
    expect(xml).toContain('<env name="ELECTRON_RUN_AS_NODE" value="1"/>');
    expect(xml).toContain('<startmode>Automatic</startmode>');
    expect(read('scripts/install/windows/install-service.ps1')).toContain(
      'SluimerService.exe (WinSW) is missing',
    );
  });

  it('every uninstall path runs `sluimer-agent restore` before removing the service', () => {
    const checks: [string, RegExp, RegExp][] = [
      ['scripts/install/windows/uninstall-service.ps1', /service\.mjs'\) restore/, /winsw uninstall/],
      ['scripts/install/linux/before-remove.sh', /service\.mjs restore/, /$^/],
      ['scripts/install/macos/uninstall.sh', /service\.mjs" restore/, /rm -f \/Library\/LaunchDaemons/],
    ];
    for (const [file, restore, removal] of checks) {
      const text = read(file);
      const r = text.search(restore);
      expect(r, `${file} restores`).toBeGreaterThan(-1);
      const rm = text.search(removal);
      if (rm > 0) expect(r, `${file} restores before removing`).toBeLessThan(rm);
    }
  });

  it('shell scripts parse', async () => {
    const shells = [
      ...readdirSync(at('scripts/install/linux'))
        .filter((f) => f.endsWith('.sh'))
        .map((f) => `scripts/install/linux/${f}`),
      'scripts/install/macos/preinstall',
      'scripts/install/macos/postinstall',
      'scripts/install/macos/uninstall.sh',
    ];
    for (const file of shells) {
      const result = await new Promise<string | null>((resolve) =>
        execFile('sh', ['-n', at(file)], (err, _o, stderr) => resolve(err ? stderr || err.message : null)),
      );
      expect(result, file).toBeNull();
      expect(read(file).startsWith('#!/bin/sh\n'), file).toBe(true);
    }
  });
});
