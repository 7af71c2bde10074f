import { readFile } from 'node:fs/promises';
import {
  inhibitorToBlocker,
  isSleepBlocker,
  parseBusctlInhibitors,
  parseGsettingsValue,
  parseInhibitList,
  parseLoginctlShow,
  parseUevent,
  parseXsetQ,
} from '../platform/linux/parsers.js';
import {
  parseHidIdleTimeMs,
  parsePmsetAssertions,
  parsePmsetBatt,
  parsePmsetSched,
  summarizePmsetCustom,
} from '../platform/macos/pmset.js';
import {
  parseActiveScheme,
  parseSchemeList,
  summarizePowercfgQuery,
} from '../platform/windows/powercfg-query.js';
import { parsePowercfgRequests } from '../platform/windows/powercfg-requests.js';
import { parsePolicyRegQuery, parseWmiMonitorBrightness } from '../platform/windows/wmi.js';

/**
 * `sluimer-agent inspect <os> <command> <file>`: parse a captured command output (a support bundle)
 * with the same parsers the adapters use and print what the agent derives from it as JSON.
 */
type Parser = { summary: string; parse: (text: string) => unknown };

export const PARSERS: Record<string, Record<string, Parser>> = {
  windows: {
    'powercfg-query': { summary: 'powercfg /q [SCHEME_CURRENT …]', parse: summarizePowercfgQuery },
    'powercfg-requests': { summary: 'powercfg /requests', parse: parsePowercfgRequests },
    'powercfg-list': { summary: 'powercfg /L', parse: (t) => ({ schemes: parseSchemeList(t) }) },
    'powercfg-getactivescheme': {
      summary: 'powercfg /getactivescheme',
      parse: (t) => ({ schemeGuid: parseActiveScheme(t) }),
    },
    'wmi-brightness': {
      summary: 'Get-CimInstance -Namespace root/WMI WmiMonitorBrightness (list or JSON)',
      parse: (t) => ({ monitors: parseWmiMonitorBrightness(t) }),
    },
    'reg-policy': {
      summary: 'reg query HKLM\\Software\\Policies\\Microsoft\\Power\\PowerSettings\\<GUID>',
      parse: parsePolicyRegQuery,
    },
  },
  macos: {
    'pmset-custom': { summary: 'pmset -g custom (seconds, 0 = never)', parse: summarizePmsetCustom },
    'pmset-assertions': { summary: 'pmset -g assertions', parse: (t) => parsePmsetAssertions(t) },
    'pmset-batt': { summary: 'pmset -g batt', parse: parsePmsetBatt },
    'pmset-sched': { summary: 'pmset -g sched', parse: (t) => ({ repeating: parsePmsetSched(t) }) },
    'ioreg-idle': {
      summary: 'ioreg -c IOHIDSystem (HIDIdleTime)',
      parse: (t) => ({ idleMs: parseHidIdleTimeMs(t) }),
    },
  },
  linux: {
    'inhibit-list': {
      summary:
        'systemd-inhibit --list --no-pager → sleep/idle blockers (mode block; mode cut off → possible)',
      parse: (t) => ({ blockers: parseInhibitList(t).blockers }),
    },
    'inhibit-list-all': {
      summary: 'systemd-inhibit --list --no-pager → every inhibitor with its mode',
      parse: (t) => ({ inhibitors: parseInhibitList(t).inhibitors }),
    },
    'busctl-inhibitors': {
      summary: 'busctl --system call org.freedesktop.login1 … ListInhibitors',
      parse: (t) => {
        const all = parseBusctlInhibitors(t);
        return {
          blockers: all.filter(isSleepBlocker).map(inhibitorToBlocker),
          inhibitors: all.map(inhibitorToBlocker),
        };
      },
    },
    'gsettings-get': {
      summary: 'gsettings get <schema> <key>',
      parse: (t) => ({ value: parseGsettingsValue(t) }),
    },
    'loginctl-show-session': { summary: 'loginctl show-session <id>', parse: parseLoginctlShow },
    'power-supply-uevent': {
      summary: '/sys/class/power_supply/<name>/uevent',
      parse: (t) => Object.fromEntries(parseUevent(t)),
    },
    'xset-q': { summary: 'xset q', parse: parseXsetQ },
  },
};

function usage(): string {
  const lines = ['Usage: sluimer-agent inspect <os> <command> <file>   (file "-" reads stdin)', ''];
  for (const [os, cmds] of Object.entries(PARSERS)) {
    lines.push(`${os}:`);
    for (const [name, p] of Object.entries(cmds)) lines.push(`  ${name.padEnd(26)} ${p.summary}`);
  }
  return lines.join('\n');
}

async function readInput(file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  return readFile(file, 'utf8');
}

export async function command(args: string[]): Promise<number> {
  const [os, cmd, file, ...extra] = args;
  if (os === '--help' || os === '-h') {
    console.log(usage());
    return 0;
  }
  if (!os || !PARSERS[os]) {
    console.error(
      `${os ? `Unknown os "${os}"` : 'Missing <os>'}. Valid: ${Object.keys(PARSERS).join(', ')}.\n\n${usage()}`,
    );
    return 2;
  }
  const parser = cmd ? PARSERS[os]![cmd] : undefined;
  if (!cmd || !parser) {
    console.error(
      `${cmd ? `Unknown command "${cmd}" for ${os}` : 'Missing <command>'}. Valid for ${os}: ${Object.keys(PARSERS[os]!).join(', ')}.\n\n${usage()}`,
    );
    return 2;
  }
  if (!file || extra.length > 0) {
    console.error(`${file ? 'Too many arguments' : 'Missing <file>'}.\n\n${usage()}`);
    return 2;
  }
  let text: string;
  try {
    text = await readInput(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'the file does not exist'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : (err as Error).message;
    console.error(`Cannot read "${file}": ${why}.`);
    return 1;
  }
  let result: unknown;
  try {
    result = parser.parse(text);
  } catch (err) {
    console.error(`Could not parse "${file}" as ${os} ${cmd}: ${(err as Error).message}`);
    return 1;
  }
  console.log(JSON.stringify(result, null, 2));
  return 0;
}
