import { type DeviceNoun, LANGUAGES, type Lang, laptopCharges, messages } from '@sluimer/shared';
import { useEffect, useState } from 'react';
import type { TrayState } from '../../../src/service/ipc/protocol.js';
import type { SluimerTrayApi, TrayView } from '../../src/api.js';

type Week = TrayState['weeks'][number];
const HOUR = 3_600_000;

function WeekCard({ week, lang, noun }: { week: Week; lang: Lang; noun: DeviceNoun }) {
  const m = messages(lang).week;
  const title = week.scope === 'device' ? m.device(noun) : m.scope(week.scope, week.label);
  const savedKwh = week.lastWeek.wasteKwh - week.thisWeek.wasteKwh;
  const savedEur = week.lastWeek.wasteEur - week.thisWeek.wasteEur;
  const fewerHours = (week.lastWeek.idleOnMs - week.thisWeek.idleOnMs) / HOUR;
  const charges = laptopCharges(savedKwh);
  const empty = week.thisWeek.idleOnMs === 0 && week.lastWeek.idleOnMs === 0 && week.thisWeek.wasteKwh === 0;
  return (
    <section className="card" data-scope={week.scope}>
      <h2>{title}</h2>
      {empty ? (
        <p className="muted">{m.noData}</p>
      ) : (
        <dl>
          <dt>{m.idleOn}</dt>
          <dd data-testid="idle-hours">{m.idleOnValue(week.thisWeek.idleOnMs / HOUR)}</dd>
          {savedKwh > 0.0005 ? (
            <>
              <dt>{m.avoided}</dt>
              <dd data-testid="avoided">{m.avoidedValue(savedKwh, Math.max(0, savedEur))}</dd>
            </>
          ) : null}
        </dl>
      )}
      {!empty && fewerHours >= 0.1 ? <p className="good">{m.fewerHours(fewerHours)}</p> : null}
      {!empty && charges >= 1 ? <p className="good">{m.charges(charges)}</p> : null}
      {!empty && fewerHours < 0.1 && savedKwh <= 0.0005 ? <p className="muted">{m.steady}</p> : null}
    </section>
  );
}

export function App({ api }: { api: SluimerTrayApi }) {
  const [view, setView] = useState<TrayView | null>(null);
  const [page, setPage] = useState<'week' | 'why'>(() => (location.hash === '#why' ? 'why' : 'week'));

  useEffect(() => {
    let alive = true;
    void api.getView().then((v) => {
      if (alive) {
        setView(v);
        setPage(v.page);
      }
    });
    const off = api.onView((v) => {
      setView(v);
      setPage(v.page);
    });
    return () => {
      alive = false;
      off();
    };
  }, [api]);

  useEffect(() => {
    if (view) document.documentElement.lang = view.lang;
  }, [view]);

  if (!view) return <main className="popover" aria-busy="true" />;
  const lang = view.lang;
  const m = messages(lang);
  const state = view.state;
  const noun = state?.noun ?? 'computer';

  return (
    <main className="popover">
      <header>
        <strong>Sluimer</strong>
        <nav aria-label={m.menu.language}>
          {LANGUAGES.map((l) => (
            <button
              key={l}
              type="button"
              className={l === lang ? 'lang active' : 'lang'}
              aria-pressed={l === lang}
              onClick={() => void api.setLanguage(l)}
            >
              {l.toUpperCase()}
            </button>
          ))}
          <button type="button" className="close" aria-label={m.why.close} onClick={() => void api.close()}>
            ×
          </button>
        </nav>
      </header>
      {!view.connected || !state ? (
        <p className="status offline" role="status">
          {m.status.notConnected}
        </p>
      ) : (
        <p className="status" role="status">
          {state.policyText[lang]}
        </p>
      )}
      {page === 'why' ? (
        <article className="why">
          <h1>{m.menu.why(noun)}</h1>
          {m.why.paragraphs(noun).map((p) => (
            <p key={p}>{p}</p>
          ))}
          {state?.whyUrl ? (
            <button type="button" className="link" onClick={() => void api.openWhyLink()}>
              {m.why.more}
            </button>
          ) : null}
          <button type="button" onClick={() => setPage('week')}>
            {m.menu.week}
          </button>
        </article>
      ) : (
        <>
          <h1>{m.week.title}</h1>
          {state && state.weeks.length > 0 ? (
            state.weeks.map((w) => (
              <WeekCard key={`${w.scope}-${w.label ?? ''}`} week={w} lang={lang} noun={noun} />
            ))
          ) : (
            <p className="muted">{m.week.noData}</p>
          )}
          <footer>
            {state?.snooze.allowed && view.connected ? (
              <button type="button" onClick={() => void api.snooze()}>
                {m.menu.snooze(state.snooze.minutes)}
              </button>
            ) : null}
            <button type="button" className="link" onClick={() => setPage('why')}>
              {m.menu.why(noun)}
            </button>
          </footer>
        </>
      )}
    </main>
  );
}
