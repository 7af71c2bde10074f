import { describe, expect, it } from 'vitest';
import { AGENT_WS_SUBPROTOCOL, bearerSubprotocols, tokenFromSubprotocols } from './protocol.js';

describe('the device token as a WebSocket subprotocol', () => {
  it('reads back the token the agent offered next to the protocol name', () => {
    const header = bearerSubprotocols('sdt_abc-DEF_123').join(', ');
    expect(header.startsWith(AGENT_WS_SUBPROTOCOL)).toBe(true);
    expect(tokenFromSubprotocols(header)).toBe('sdt_abc-DEF_123');
  });

  it('finds no token in a header without one', () => {
    expect(tokenFromSubprotocols(undefined)).toBeUndefined();
    expect(tokenFromSubprotocols('sluimer.v1')).toBeUndefined();
    expect(tokenFromSubprotocols('sluimer.bearer.')).toBeUndefined();
  });
});
