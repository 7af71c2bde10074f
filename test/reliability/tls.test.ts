// TLS: the console serves HTTPS/WSS from SLUIMER_TLS_CERT / SLUIMER_TLS_KEY; the agent verifies the
// console's certificate against the system store or a school CA (SLUIMER_CA_FILE). A CA and server
// certificates are made with openssl: the right one is accepted, a console with another CA's
// certificate is refused.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ADMIN_PASSWORD, ROOT, spawnConsole, tempDir } from './support.js';

const dir = tempDir('sluimer-tls-');
const file = (n: string) => join(dir, n);

function openssl(...args: string[]) {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

/** a CA and a server certificate for 127.0.0.1/localhost signed by it */
function makePki(name: string) {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name} school CA`,
    '-keyout',
    file(`${name}-ca.key`),
    '-out',
    file(`${name}-ca.pem`),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    file(`${name}-server.key`),
    '-out',
    file(`${name}-server.csr`),
  );
  writeFileSync(
    file(`${name}-ext.cnf`),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    file(`${name}-server.csr`),
    '-CA',
    file(`${name}-ca.pem`),
    '-CAkey',
    file(`${name}-ca.key`),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    file(`${name}-ext.cnf`),
    '-out',
    file(`${name}-server.pem`),
  );
}

interface Cli {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** the real `sluimer-console` command with TLS from the environment */
async function startCli(certName: string): Promise<Cli> {
  const child = spawn(process.execPath, [join(ROOT, 'console/bin/sluimer-console.js')], {
    env: {
      ...process.env,
      SLUIMER_PORT: '0',
      SLUIMER_HOST: '127.0.0.1',
      SLUIMER_DATA: tempDir('sluimer-tls-data-'),
      SLUIMER_ADMIN_PASSWORD: ADMIN_PASSWORD,
      SLUIMER_TLS_CERT: file(`${certName}-server.pem`),
      SLUIMER_TLS_KEY: file(`${certName}-server.key`),
      SLUIMER_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"url":"(https:\/\/[^"]+)"/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`console exited ${code}: ${out}`)));
  });
  return {
    url,
    child,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function request(
  url: string,
  method: string,
  opts: { ca?: Buffer; body?: unknown; headers?: Record<string, string> } = {},
  // biome-ignore lint/suspicious/noExplicitAny: loose JSON
): Promise<{ status: number; headers: Record<string, any>; body: any }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        ...(opts.ca ? { ca: opts.ca } : {}),
        headers: {
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('error', reject);
    req.end(opts.body === undefined ? undefined : JSON.stringify(opts.body));
  });
}

let schools = 0;
async function adminSetup(url: string, ca: Buffer) {
  const login = await request(`${url}/api/v1/login`, 'POST', {
    ca,
    body: { username: 'admin', password: ADMIN_PASSWORD },
  });
  expect(login.status).toBe(200);
  const cookies = login.headers['set-cookie'] as string[];
  const cookie = cookies.map((c) => c.split(';')[0]).join('; ');
  const tok = await request(`${url}/api/v1/tokens`, 'POST', {
    ca,
    body: { name: 'tls' },
    headers: { cookie, 'x-csrf-token': login.body.csrfToken },
  });
  const token = tok.body.token as string;
  const auth = { authorization: `Bearer ${token}` };
  const g = await request(`${url}/api/v1/groups`, 'POST', {
    ca,
    // a name of its own each time: a group name is unique under its parent
    body: { name: `TLS-school ${++schools}` },
    headers: auth,
  });
  const s = await request(`${url}/api/v1/groups/${g.body.id}/enroll-secrets`, 'POST', {
    ca,
    body: {},
    headers: auth,
  });
  expect(s.status).toBe(201);
  return { cookies, token, auth, secret: s.body.secret as string };
}

function startAgent(server: string, secret: string, caFile?: string, how: 'env' | 'flag' = 'env') {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.SLUIMER_CA_LOADED;
  delete env.SLUIMER_CA_FILE;
  if (caFile && how === 'env') env.SLUIMER_CA_FILE = caFile;
  const caFlag = caFile && how === 'flag' ? ['--ca-file', caFile] : [];
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'agent/bin/sluimer-agent.js'),
      'run',
      '--server',
      server,
      '--enroll-secret',
      secret,
      '--data',
      tempDir('sluimer-tls-agent-'),
      '--simulate',
      '--no-tray',
      '--report-ms',
      '1000',
      '--sample-ms',
      '200',
      '--log-level',
      'debug',
      ...caFlag,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    log: () => log,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

async function until<T>(fn: () => Promise<T | undefined>, ms: number): Promise<T | undefined> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}

let good: Cli;
let bad: Cli;
let caRight: Buffer;

beforeAll(() => {
  makePki('right');
  makePki('wrong');
  caRight = readFileSync(file('right-ca.pem'));
});
afterAll(async () => {
  await good?.stop();
  await bad?.stop();
});

describe('TLS', () => {
  it('serves HTTPS from SLUIMER_TLS_CERT/KEY with Secure cookies and HSTS', async () => {
    good = await startCli('right');
    expect(good.url).toMatch(/^https:/);
    const health = await request(`${good.url}/api/v1/health`, 'GET', { ca: caRight });
    expect(health.status).toBe(200);
    expect(health.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    const { cookies } = await adminSetup(good.url, caRight);
    for (const c of cookies) {
      expect(c).toMatch(/;\s*Secure/i);
      expect(c).toMatch(/SameSite=Strict/i);
    }
    expect(cookies.find((c) => c.startsWith('sluimer_session='))).toMatch(/HttpOnly/i);
    // a client without the school CA refuses the certificate
    await expect(request(`${good.url}/api/v1/health`, 'GET')).rejects.toThrow(/certificate|self.signed/i);
  });

  it('an agent with the school CA enrolls and reports over WSS; without it, or against a console with another CA’s certificate, it is refused', async () => {
    const { secret, auth } = await adminSetup(good.url, caRight);
    bad = await startCli('wrong');
    const badSetup = await adminSetup(bad.url, readFileSync(file('wrong-ca.pem')));

    const right = startAgent(good.url, secret, file('right-ca.pem'), 'flag');
    const noCa = startAgent(good.url, secret);
    const wrongConsole = startAgent(bad.url, badSetup.secret, file('right-ca.pem'));
    try {
      const online = await until(async () => {
        const r = await request(`${good.url}/api/v1/devices`, 'GET', { ca: caRight, headers: auth });
        const list = (Array.isArray(r.body) ? r.body : (r.body.items ?? r.body.devices ?? [])) as {
          id: number;
          online: boolean;
          lastSeen: number | null;
        }[];
        return list.find((d) => d.online);
      }, 45_000);
      expect(online, right.log().slice(-2000)).toBeTruthy();
      // its reports arrive: the device detail shows stored intervals
      const stored = await until(async () => {
        const d = await request(`${good.url}/api/v1/devices/${online!.id}`, 'GET', {
          ca: caRight,
          headers: auth,
        });
        return (d.body.recentIntervals ?? d.body.intervals ?? []).length > 0 ? d.body : undefined;
      }, 20_000);
      expect(stored, right.log().slice(-2000)).toBeTruthy();
      // exactly one device enrolled on the right console: the agent without the CA never got through
      const all = await request(`${good.url}/api/v1/devices`, 'GET', { ca: caRight, headers: auth });
      const list = Array.isArray(all.body) ? all.body : (all.body.items ?? all.body.devices ?? []);
      expect(list).toHaveLength(1);
      // and nothing enrolled on the console whose certificate another CA signed
      const other = await request(`${bad.url}/api/v1/devices`, 'GET', {
        ca: readFileSync(file('wrong-ca.pem')),
        headers: badSetup.auth,
      });
      const otherList = Array.isArray(other.body)
        ? other.body
        : (other.body.items ?? other.body.devices ?? []);
      expect(otherList).toHaveLength(0);
      // each refused agent says why, so IT knows to configure the school CA
      expect(noCa.log()).toMatch(/certificate is not trusted \((UNABLE_TO|SELF_SIGNED|DEPTH_ZERO)/);
      expect(wrongConsole.log()).toMatch(/certificate is not trusted \((UNABLE_TO|SELF_SIGNED|DEPTH_ZERO)/);
    } finally {
      await Promise.all([right.stop(), noCa.stop(), wrongConsole.stop()]);
    }
  });

  it('keeps WSS agent sockets open past the slow-client timeout while silent TLS connections are closed', async () => {
    const c = await spawnConsole({
      dataDir: tempDir(),
      adminPassword: ADMIN_PASSWORD,
      https: {
        key: readFileSync(file('right-server.key'), 'utf8'),
        cert: readFileSync(file('right-server.pem'), 'utf8'),
      },
      idleConnectionTimeoutMs: 1_000,
    });
    try {
      const { secret } = await adminSetup(c.url, caRight);
      const enrolled = await request(`${c.url}/api/v1/enroll`, 'POST', {
        ca: caRight,
        body: { enrollSecret: secret, installId: 'tls-install-0001', hostname: 'tls-1', inventory: {} },
      });
      expect(enrolled.status).toBe(201);
      const ws = new WebSocket(`${c.url.replace('https', 'wss')}/api/v1/agent`, {
        ca: caRight,
        headers: { authorization: `Bearer ${enrolled.body.deviceToken}` },
      });
      const frames: { type: string; seq?: number }[] = [];
      ws.on('message', (d) => frames.push(JSON.parse(String(d))));
      await new Promise((r, j) => {
        ws.once('open', r);
        ws.once('error', j);
      });
      ws.send(JSON.stringify({ type: 'hello', protocol: 1, agentVersion: 'tls' }));
      const silent = net.connect(c.port, '127.0.0.1');
      silent.on('error', () => {});
      const t0 = Date.now();
      const silentClosed = new Promise<number>((r) => silent.on('close', () => r(Date.now() - t0)));
      await new Promise((r) => setTimeout(r, 2_500));
      expect(await silentClosed).toBeLessThan(2_500);
      const now = Date.now();
      ws.send(
        JSON.stringify({
          type: 'report',
          seq: 1,
          intervals: [{ start: now - 120_000, end: now - 60_000, state: 'idle' }],
        }),
      );
      await until(async () => frames.find((f) => f.type === 'ack'), 5_000);
      expect(frames.map((f) => f.type)).toEqual(['welcome', 'ack']);
      ws.close();
    } finally {
      await c.stop();
    }
  });
});
