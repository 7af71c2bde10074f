import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, SluimerError } from '@sluimer/shared';
import { z } from 'zod';

/**
 * Deployment configuration for installs without user interaction (docs/deployment.md).
 *
 * Sources, strongest first — a field is taken from the first source that sets it:
 *   1. command-line flags of `sluimer-agent run` (passed in as `overrides`)
 *   2. environment: SLUIMER_SERVER, SLUIMER_ENROLL_SECRET, SLUIMER_CA_FILE, SLUIMER_DATA, SLUIMER_IPC_PATH,
 *      SLUIMER_ALLOW_INSECURE_HTTP,
 *      SLUIMER_WHY_URL
 *   3. Windows only: registry policy HKLM\SOFTWARE\Policies\Sluimer (GPO / Intune ADMX), via `reg query`
 *   4. the config file: SLUIMER_CONFIG, else /etc/sluimer/agent.json (Linux),
 *      %ProgramData%\Sluimer\agent.json (Windows), /Library/Application Support/Sluimer/agent.json (macOS)
 *   5. built-in defaults (data directory, IPC path)
 * Every source is validated with the same zod schema; an error names the source and the field.
 */

export type ConfigSource = 'flag' | 'env' | 'registry' | 'file' | 'default';

const httpUrl = z
  .string()
  .trim()
  .url('must be a URL such as https://sluimer.school.nl')
  .refine((u) => /^https?:\/\//i.test(u), 'must start with https:// (or http:// for a test console)');

export const ConfigInputSchema = z
  .object({
    server: httpUrl.optional(),
    enrollSecret: z.string().trim().min(1, 'must not be empty').max(200).optional(),
    /** path to a PEM file with the CA certificate(s) the console's TLS certificate chains to */
    caFile: z.string().trim().min(1).max(1000).optional(),
    /** the same, inline as PEM text */
    ca: z
      .string()
      .max(100_000)
      .refine((s) => s.includes('-----BEGIN CERTIFICATE-----'), 'must be PEM text with BEGIN CERTIFICATE')
      .optional(),
    dataDir: z.string().trim().min(1).max(1000).optional(),
    ipcPath: z.string().trim().min(1).max(200).optional(),
    /** allow plain http:// to a console that is not this machine (test setups only; docs/security.md) */
    allowInsecureHttp: z
      .preprocess(
        (v) =>
          v === '1' || v === 'true' || v === 1 ? true : v === '0' || v === 'false' || v === 0 ? false : v,
        z.boolean({ error: 'must be true or false (1 or 0)' }),
      )
      .optional(),
    tray: z
      .object({
        /** the school's page behind "Waarom wordt deze computer beheerd?" */
        whyUrl: z
          .string()
          .url()
          .refine((u) => u.startsWith('https://'), 'must be an https:// URL')
          .optional(),
        language: z.enum(['nl', 'en']).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type ConfigInput = z.infer<typeof ConfigInputSchema>;

export interface DeploymentConfig {
  server?: string;
  enrollSecret?: string;
  /** PEM text of the CA (read from caFile, or inline) */
  ca?: string;
  caFile?: string;
  dataDir: string;
  ipcPath?: string;
  /** plain http:// to a non-loopback console is allowed (default false) */
  allowInsecureHttp: boolean;
  whyUrl?: string;
  language?: 'nl' | 'en';
  /** where each field came from, for `doctor` (never prints the secret itself) */
  sources: Partial<Record<keyof ConfigInput | 'whyUrl' | 'language', ConfigSource>>;
  /** the config file that was read, if any */
  file?: string;
}

export type Platform = 'linux' | 'win32' | 'darwin';

export interface CommandSpec {
  cmd: string;
  args: string[];
}

export interface ConfigDeps {
  platform?: Platform;
  env?: NodeJS.ProcessEnv;
  readText?: (file: string) => Promise<string | null>;
  /** runs a command; resolves with stdout and exit code (never rejects for a non-zero exit) */
  run?: (spec: CommandSpec) => Promise<{ stdout: string; code: number }>;
}

export function configFilePath(platform: Platform, env: NodeJS.ProcessEnv = {}): string {
  if (env.SLUIMER_CONFIG) return env.SLUIMER_CONFIG;
  if (platform === 'win32')
    return path.win32.join(env.ProgramData ?? 'C:\\ProgramData', 'Sluimer', 'agent.json');
  if (platform === 'darwin') return '/Library/Application Support/Sluimer/agent.json';
  return '/etc/sluimer/agent.json';
}

/** The same folders `sluimer-agent run` uses for a system service (agent/src/cli/run.ts). */
export function defaultDataDir(platform: Platform, env: NodeJS.ProcessEnv = {}): string {
  if (platform === 'win32') return path.win32.join(env.ProgramData ?? 'C:\\ProgramData', 'Sluimer');
  if (platform === 'darwin') return '/Library/Application Support/Sluimer';
  return '/var/lib/sluimer';
}

export const REGISTRY_KEY = 'HKLM\\SOFTWARE\\Policies\\Sluimer';

/** `reg query` of the policy key in the 64-bit view (a 32-bit Node would otherwise see WOW6432Node). */
export function registryQueryCommand(): CommandSpec {
  return { cmd: 'reg.exe', args: ['query', REGISTRY_KEY, '/reg:64'] };
}

const REGISTRY_NAMES: Record<string, keyof ConfigInput | 'whyUrl' | 'language'> = {
  server: 'server',
  enrollsecret: 'enrollSecret',
  cafile: 'caFile',
  ca: 'ca',
  datadir: 'dataDir',
  ipcpath: 'ipcPath',
  allowinsecurehttp: 'allowInsecureHttp',
  whyurl: 'whyUrl',
  language: 'language',
};

/**
 * Parses `reg query` output: a key line, then `    Name    REG_TYPE    Value` lines. Value names
 * are matched case-insensitively; unknown names are ignored; REG_MULTI_SZ `\0` separators become
 * newlines (so a PEM can be stored as a multi-string).
 */
export function parseRegQuery(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split(/\r?\n/)) {
    const m =
      /^\s+(\S(?:.*?\S)?)\s{4}(REG_[A-Z_]+)\s{4}(.*)$/.exec(line) ??
      /^\s+(\S+)\s+(REG_[A-Z_]+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const name = REGISTRY_NAMES[m[1]!.toLowerCase()];
    if (!name) continue;
    const type = m[2]!;
    let value = m[3]!.trimEnd();
    if (type === 'REG_DWORD' || type === 'REG_QWORD') value = String(Number.parseInt(value, 16));
    else if (type === 'REG_MULTI_SZ') value = value.split('\\0').join('\n');
    out[name] = value;
  }
  return out;
}

function invalid(source: string, error: z.ZodError): SluimerError {
  const lines = error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
  return new SluimerError(
    ErrorCode.Validation,
    `Sluimer agent configuration from ${source} is not valid:\n${lines.join('\n')}`,
    { source },
  );
}

/** Flat fields (registry, env) into the nested input shape. */
function nest(flat: Record<string, string | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const tray: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flat)) {
    if (v === undefined || v === '') continue;
    if (k === 'whyUrl' || k === 'language') tray[k] = v;
    else out[k] = v;
  }
  if (Object.keys(tray).length) out.tray = tray;
  return out;
}

const defaultReadText = async (file: string) => {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
};

const defaultRun = (spec: CommandSpec) =>
  new Promise<{ stdout: string; code: number }>((resolve) => {
    execFile(spec.cmd, spec.args, { windowsHide: true, timeout: 10_000 }, (err, stdout) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ stdout: String(stdout ?? ''), code });
    });
  });

export async function loadDeploymentConfig(
  overrides: ConfigInput = {},
  deps: ConfigDeps = {},
): Promise<DeploymentConfig> {
  const platform = deps.platform ?? (process.platform as Platform);
  const env = deps.env ?? process.env;
  const readText = deps.readText ?? defaultReadText;
  const run = deps.run ?? defaultRun;

  const layers: { source: ConfigSource; input: ConfigInput }[] = [];

  const flags = ConfigInputSchema.safeParse(overrides);
  if (!flags.success) throw invalid('command-line flags', flags.error);
  layers.push({ source: 'flag', input: flags.data });

  const envInput = nest({
    server: env.SLUIMER_SERVER,
    enrollSecret: env.SLUIMER_ENROLL_SECRET,
    caFile: env.SLUIMER_CA_FILE,
    dataDir: env.SLUIMER_DATA,
    ipcPath: env.SLUIMER_IPC_PATH,
    allowInsecureHttp: env.SLUIMER_ALLOW_INSECURE_HTTP,
    whyUrl: env.SLUIMER_WHY_URL,
  });
  const envParsed = ConfigInputSchema.safeParse(envInput);
  if (!envParsed.success) throw invalid('the environment (SLUIMER_*)', envParsed.error);
  layers.push({ source: 'env', input: envParsed.data });

  if (platform === 'win32') {
    const { stdout, code } = await run(registryQueryCommand());
    if (code === 0) {
      const regParsed = ConfigInputSchema.safeParse(nest(parseRegQuery(stdout)));
      if (!regParsed.success) throw invalid(`the registry (${REGISTRY_KEY})`, regParsed.error);
      layers.push({ source: 'registry', input: regParsed.data });
    }
  }

  const file = configFilePath(platform, env);
  const text = await readText(file);
  let fileRead: string | undefined;
  if (text !== null) {
    fileRead = file;
    let json: unknown;
    try {
      json = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (err) {
      throw new SluimerError(
        ErrorCode.Validation,
        `Sluimer agent configuration file ${file} is not valid JSON: ${(err as Error).message}`,
        { source: file },
      );
    }
    const fileParsed = ConfigInputSchema.safeParse(json);
    if (!fileParsed.success) throw invalid(file, fileParsed.error);
    // a relative caFile in the config file is relative to that file
    const input = fileParsed.data;
    if (input.caFile && !isAbsolute(platform, input.caFile)) {
      input.caFile = (platform === 'win32' ? path.win32 : path.posix).join(
        (platform === 'win32' ? path.win32 : path.posix).dirname(file),
        input.caFile,
      );
    }
    layers.push({ source: 'file', input });
  }

  const sources: DeploymentConfig['sources'] = {};
  const pick = <K extends keyof ConfigInput>(key: K): ConfigInput[K] | undefined => {
    for (const l of layers) {
      if (l.input[key] !== undefined) {
        sources[key] = l.source;
        return l.input[key];
      }
    }
    return undefined;
  };
  const pickTray = <K extends 'whyUrl' | 'language'>(key: K) => {
    for (const l of layers) {
      const v = l.input.tray?.[key];
      if (v !== undefined) {
        sources[key] = l.source;
        return v;
      }
    }
    return undefined;
  };

  const config: DeploymentConfig = {
    dataDir: '',
    allowInsecureHttp: false,
    sources,
    ...(fileRead ? { file: fileRead } : {}),
  };
  config.allowInsecureHttp = pick('allowInsecureHttp') ?? false;
  const server = pick('server');
  if (server) config.server = server.replace(/\/+$/, '');
  const secret = pick('enrollSecret');
  if (secret) config.enrollSecret = secret;
  const ipcPath = pick('ipcPath');
  if (ipcPath) config.ipcPath = ipcPath;
  const whyUrl = pickTray('whyUrl');
  if (whyUrl) config.whyUrl = whyUrl;
  const language = pickTray('language');
  if (language) config.language = language;

  const dataDir = pick('dataDir');
  config.dataDir = dataDir ?? defaultDataDir(platform, env);
  if (!dataDir) sources.dataDir = 'default';

  // CA: whichever of caFile / ca comes from the strongest source wins
  for (const l of layers) {
    if (l.input.caFile !== undefined || l.input.ca !== undefined) {
      if (l.input.caFile !== undefined) {
        config.caFile = l.input.caFile;
        sources.caFile = l.source;
        const pem = await readText(l.input.caFile);
        if (pem === null)
          throw new SluimerError(
            ErrorCode.Validation,
            `The CA certificate file ${l.input.caFile} (from ${describe(l.source)}) does not exist.`,
            { source: l.source },
          );
        if (!pem.includes('-----BEGIN CERTIFICATE-----'))
          throw new SluimerError(
            ErrorCode.Validation,
            `The CA certificate file ${l.input.caFile} (from ${describe(l.source)}) holds no PEM certificate (BEGIN CERTIFICATE).`,
            { source: l.source },
          );
        config.ca = pem;
      } else {
        config.ca = l.input.ca;
        sources.ca = l.source;
      }
      break;
    }
  }
  return config;
}

function isAbsolute(platform: Platform, p: string): boolean {
  return platform === 'win32' ? path.win32.isAbsolute(p) : path.posix.isAbsolute(p);
}

function describe(source: ConfigSource): string {
  switch (source) {
    case 'flag':
      return 'the command line';
    case 'env':
      return 'SLUIMER_CA_FILE';
    case 'registry':
      return `the registry (${REGISTRY_KEY})`;
    case 'file':
      return 'the config file';
    default:
      return 'the defaults';
  }
}

/** What `doctor` may print: sources and values, with the enroll secret masked. */
export function redactConfig(config: DeploymentConfig): Record<string, unknown> {
  return {
    ...config,
    enrollSecret: config.enrollSecret ? '********' : undefined,
    ca: config.ca ? `${config.ca.split('-----BEGIN CERTIFICATE-----').length - 1} certificate(s)` : undefined,
  };
}
