import { AGENT_WS_PATH, AGENT_WS_SUBPROTOCOL, bearerSubprotocols, PROTOCOL_VERSION } from '@sluimer/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestConsole, type TestConsole } from '../test-support.js';

/** Browser agents (the Chrome extension) cannot set headers: their token travels as a subprotocol. */
let t: TestConsole;
let secret: string;

beforeAll(async () => {
  t = await startTestConsole();
  ({ secret } = await t.groupWithSecret());
});
afterAll(async () => {
  await t.close();
});

function open(protocols: string[]): Promise<{ ws: WebSocket; status?: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${t.url.replace(/^http/, 'ws')}${AGENT_WS_PATH}`, protocols);
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ ws, status: res.statusCode }));
    ws.once('error', reject);
  });
}

describe('the device token as a WebSocket subprotocol', () => {
  it('lets a browser agent in and answers with the protocol name only, never the token', async () => {
    const dev = await t.enroll(secret);
    const { ws, status } = await open(bearerSubprotocols(dev.deviceToken));
    expect(status).toBeUndefined();
    expect(ws.protocol).toBe(AGENT_WS_SUBPROTOCOL);
    const welcome = new Promise<{ type: string; deviceId: number }>((resolve) =>
      ws.once('message', (d) => resolve(JSON.parse(String(d)))),
    );
    ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, agentVersion: 'chrome-test' }));
    expect(await welcome).toMatchObject({ type: 'welcome', deviceId: dev.deviceId });
    ws.close();
  });

  it('refuses an unknown token in a subprotocol with 401 and no socket', async () => {
    const { status } = await open(bearerSubprotocols('sdt_not-a-token'));
    expect(status).toBe(401);
  });
});
