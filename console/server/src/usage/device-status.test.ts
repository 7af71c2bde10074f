import { describe, expect, it } from 'vitest';
import { deviceStateOf, policyStatusFor } from './device-status.js';

const T = Date.parse('2026-03-02T10:00:00Z');
const last = (state: 'active' | 'idle' | 'asleep' | 'off', end = T) => ({ state, end });

describe('deviceStateOf', () => {
  it('is asleep or off when the last report says so, even with the socket still open', () => {
    expect(
      deviceStateOf({ connected: true, connectedSince: T - 3600_000, lastInterval: last('asleep') }),
    ).toBe('asleep');
    expect(deviceStateOf({ connected: true, connectedSince: T - 3600_000, lastInterval: last('off') })).toBe(
      'off',
    );
  });

  it('is online when the device connected after its last sleep ended (it woke up)', () => {
    expect(deviceStateOf({ connected: true, connectedSince: T + 2000, lastInterval: last('asleep') })).toBe(
      'online',
    );
  });

  it('is online when connected and last seen awake, or connected with nothing reported yet', () => {
    expect(deviceStateOf({ connected: true, connectedSince: T - 60_000, lastInterval: last('idle') })).toBe(
      'online',
    );
    expect(deviceStateOf({ connected: true, connectedSince: T, lastInterval: null })).toBe('online');
  });

  it('keeps the last sleep or off state when disconnected, and is offline otherwise', () => {
    expect(deviceStateOf({ connected: false, connectedSince: null, lastInterval: last('off') })).toBe('off');
    expect(deviceStateOf({ connected: false, connectedSince: null, lastInterval: last('asleep') })).toBe(
      'asleep',
    );
    expect(deviceStateOf({ connected: false, connectedSince: null, lastInterval: last('active') })).toBe(
      'offline',
    );
    expect(deviceStateOf({ connected: false, connectedSince: null, lastInterval: null })).toBe('offline');
  });
});

describe('policyStatusFor', () => {
  const acked = {
    policyStatus: { etag: 'e1', ok: true, applied: {}, errors: [], at: T },
    helloEtag: 'e1',
    helloAt: T,
  };

  it('is "none" under the console default, even when the agent acknowledged it', () => {
    expect(policyStatusFor(acked, { policyId: null }, 'e1')).toBe('none');
    expect(policyStatusFor(acked, {}, 'e1')).toBe('none');
  });

  it('follows the acknowledgement when a policy applies', () => {
    expect(policyStatusFor(acked, { policyId: 3 }, 'e1')).toBe('compliant');
    expect(policyStatusFor(acked, { policyId: 3 }, 'e2')).toBe('pending');
    const failed = { ...acked, policyStatus: { ...acked.policyStatus, ok: false } };
    expect(policyStatusFor(failed, { policyId: 3 }, 'e1')).toBe('failed');
  });

  it('is "external" when the agent took the policy and its platform (Google Admin) enforces it', () => {
    const chromebook = {
      ...acked,
      policyStatus: { ...acked.policyStatus, applied: { enforcedBy: 'google-admin' as const } },
    };
    expect(policyStatusFor(chromebook, { policyId: 3 }, 'e1')).toBe('external');
    // a newer policy it has not taken yet is still pending; none applies: none
    expect(policyStatusFor(chromebook, { policyId: 3 }, 'e2')).toBe('pending');
    expect(policyStatusFor(chromebook, { policyId: null }, 'e1')).toBe('none');
  });

  it('gives an excluded device a status: it has to acknowledge its exclusion', () => {
    expect(policyStatusFor(acked, { policyId: null, excludedReason: 'examen' }, 'e1')).toBe('compliant');
    expect(
      policyStatusFor({ policyStatus: null, helloEtag: null, helloAt: null }, { excludedReason: 'x' }, 'e1'),
    ).toBe('pending');
  });
});
