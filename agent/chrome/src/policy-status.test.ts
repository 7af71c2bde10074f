import { PolicyStatusFrameSchema } from '@sluimer/shared';
import { describe, expect, it } from 'vitest';
import { policyStatusFrame } from './policy-status.js';

describe('the extension answering a policy', () => {
  it('says on a Chromebook that Google Admin enforces it, in a frame the console accepts', () => {
    const frame = policyStatusFrame('cros', 'etag-1');
    expect(PolicyStatusFrameSchema.parse(frame)).toEqual({
      type: 'policy_status',
      etag: 'etag-1',
      ok: true,
      applied: { enforcedBy: 'google-admin' },
      errors: [],
    });
  });

  it('reports the policy as not applied in a Chrome browser on another system, with the reason', () => {
    for (const os of ['win', 'mac', 'linux']) {
      const frame = PolicyStatusFrameSchema.parse(policyStatusFrame(os, 'etag-2'));
      expect(frame.ok).toBe(false);
      expect(frame.applied.enforcedBy).toBeUndefined();
      expect(frame.errors[0]?.code).toBe('unsupported');
      expect(frame.errors[0]?.message).toMatch(/Sluimer-agent.*Sluimer agent/);
    }
  });
});
