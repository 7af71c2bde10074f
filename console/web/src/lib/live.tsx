import { type LiveEventName, LiveEventSchemas, type LiveEvent as SharedLiveEvent } from '@sluimer/shared';
import { createContext, type ReactNode, useContext, useEffect, useRef, useState } from 'react';

/**
 * Live updates pushed by the console over Server-Sent Events (`GET /api/v1/web/events`): device online
 * state, new enrollments, policy rollout status and new measurements. Pages subscribe to the event
 * types they show. The shapes are the shared contract's (LiveEventSchemas); an event that does not
 * match is dropped.
 */
export type LiveEvent = { [K in LiveEventName]: SharedLiveEvent<K> & { type: K } }[LiveEventName];

type Handler = (e: LiveEvent) => void;

interface Live {
  connected: boolean;
  subscribe: (fn: Handler) => () => void;
}

const Ctx = createContext<Live>({ connected: false, subscribe: () => () => {} });

export const LIVE_EVENT_TYPES = Object.keys(LiveEventSchemas) as LiveEventName[];

export function LiveProvider({ children, enabled }: { children: ReactNode; enabled: boolean }) {
  const handlers = useRef(new Set<Handler>());
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    const es = new EventSource('/api/v1/web/events', { withCredentials: true });
    es.onopen = () => setConnected(true);
    es.onerror = () => setConnected(false); // EventSource reconnects by itself
    const dispatch = (type: LiveEventName) => (msg: MessageEvent<string>) => {
      let json: unknown;
      try {
        json = JSON.parse(msg.data);
      } catch {
        return;
      }
      const parsed = LiveEventSchemas[type].safeParse(json);
      if (!parsed.success) return;
      const data = { ...parsed.data, type } as LiveEvent;
      for (const h of handlers.current) h(data);
    };
    for (const t of LIVE_EVENT_TYPES) es.addEventListener(t, dispatch(t) as EventListener);
    return () => {
      es.close();
      setConnected(false);
    };
  }, [enabled]);
  const value = useRef<Live>({
    connected: false,
    subscribe: (fn) => {
      handlers.current.add(fn);
      return () => handlers.current.delete(fn);
    },
  });
  return <Ctx.Provider value={{ ...value.current, connected }}>{children}</Ctx.Provider>;
}

export function useLive(): Live {
  return useContext(Ctx);
}

/** Calls `fn` for each live event of the given types while the component is mounted. */
export function useLiveEvents<K extends LiveEventName>(
  types: readonly K[],
  fn: (e: Extract<LiveEvent, { type: K }>) => void,
): void {
  const { subscribe } = useLive();
  const ref = useRef(fn);
  ref.current = fn;
  const key = types.join(',');
  useEffect(
    () =>
      subscribe((e) => {
        if (key.split(',').includes(e.type)) ref.current(e as Extract<LiveEvent, { type: K }>);
      }),
    [subscribe, key],
  );
}
