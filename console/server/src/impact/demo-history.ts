import type { Store } from '../store/types.js';

/**
 * The demo seeds weeks of simulated history in a few seconds through the real API, so the policy
 * history it causes is written "now". This dates those rows into the simulated past, as the simulation
 * had them: the board as it was built (audit only) at the start of the history, the demo policy's
 * assignment at the moment it took effect in the simulated timelines. Demo only; a real console's
 * history is never rewritten.
 */
export async function dateDemoPolicyHistory(
  store: Store,
  demo: { seededFrom: number; historyFrom: number; policyFrom: number; policyId: number },
): Promise<void> {
  const seeded = (await store.listPolicyHistory()).filter((r) => r.at >= demo.seededFrom);
  const assigned = seeded.filter((r) => r.policyId === demo.policyId).map((r) => r.id);
  const built = seeded.filter((r) => r.policyId !== demo.policyId).map((r) => r.id);
  // a short history can start after the policy took effect: the board was built before it either way
  await store.datePolicyHistory(built, Math.min(demo.historyFrom, demo.policyFrom - 1));
  await store.datePolicyHistory(assigned, demo.policyFrom);
}
