// @vitest-environment happy-dom
import type { PolicySettings, WhatIfResponse } from '@sluimer/shared';
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../lib/i18n.js';
import { WHAT_IF_DEBOUNCE_MS, WhatIfPanel } from './WhatIfPanel.js';

/** an answer with `eur` avoided per year and nothing else to show */
function answer(eur: number): WhatIfResponse {
  return {
    perYear: { avoidedEur: eur, avoidedKwh: eur * 4, avoidedCo2eKg: eur },
    interruptionsPerSchoolWeek: null,
    worstRooms: [],
    devices: 3,
    wasteKwh: 10,
    avoidedKwh: 5,
    unreachableKwh: 0,
    unreachable: { blockers: [], excludedDevices: 0, excludedKwh: 0 },
    devicesWithBlockersNow: 0,
    limitations: [],
  } as unknown as WhatIfResponse;
}

/** fetch as a queue of requests the test answers itself, in any order */
function fetchQueue() {
  const requests: { body: { policy: { settings: PolicySettings } }; answer: (a: WhatIfResponse) => void }[] =
    [];
  const fetch = vi.fn(
    (_path: string, init: { body: string }) =>
      new Promise<Response>((resolve) => {
        requests.push({
          body: JSON.parse(init.body),
          answer: (a) => resolve(new Response(JSON.stringify(a), { status: 200 })),
        });
      }),
  );
  return { fetch, requests };
}

const scope = { groupIds: [], deviceIds: [] };
const sleepAc = (min: number): PolicySettings => ({ sleepAfterSec: { ac: min * 60 } });
const panel = (settings: PolicySettings) => (
  <I18nProvider lang="nl">
    <WhatIfPanel settings={settings} scope={scope} />
  </I18nProvider>
);
/** lets the answered fetch reach React (promise callbacks, then the render) */
const settle = () => act(async () => {});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the what-if panel', () => {
  it('asks once, for the last draft, while IT types keystrokes 200 ms apart', async () => {
    const q = fetchQueue();
    vi.stubGlobal('fetch', q.fetch);
    const view = render(panel(sleepAc(4)));
    for (const min of [45, 5, 50]) {
      act(() => vi.advanceTimersByTime(200));
      view.rerender(panel(sleepAc(min)));
    }
    expect(q.fetch).not.toHaveBeenCalled();
    act(() => vi.advanceTimersByTime(WHAT_IF_DEBOUNCE_MS));
    expect(q.fetch).toHaveBeenCalledTimes(1);
    expect(q.requests[0]!.body.policy.settings).toEqual(sleepAc(50));
    q.requests[0]!.answer(answer(1234));
    await settle();
    expect(screen.getByTestId('what-if-eur').textContent).toContain('1.234');
    expect(screen.getByTestId('what-if').getAttribute('aria-busy')).toBe('false');
  });

  it('shows the answer to the latest edit when an older answer arrives after it', async () => {
    const q = fetchQueue();
    vi.stubGlobal('fetch', q.fetch);
    const view = render(panel(sleepAc(10)));
    act(() => vi.advanceTimersByTime(WHAT_IF_DEBOUNCE_MS));
    view.rerender(panel(sleepAc(20)));
    act(() => vi.advanceTimersByTime(WHAT_IF_DEBOUNCE_MS));
    expect(q.requests.map((r) => r.body.policy.settings)).toEqual([sleepAc(10), sleepAc(20)]);
    q.requests[1]!.answer(answer(2222));
    await settle();
    q.requests[0]!.answer(answer(1111));
    await settle();
    expect(screen.getByTestId('what-if-eur').textContent).toContain('2.222');
    expect(screen.getByTestId('what-if').getAttribute('aria-busy')).toBe('false');
  });
});
