import { DEFAULT_TIME_ZONE } from '../groups/policy-service.js';

/**
 * The `blocker_history_not_recorded` limitation (docs/impact.md): the console records blocker spans
 * from `Store.blockerHistoryFrom()` on (ingest/blocker-spans.ts). A period that starts on or after it
 * is covered; for one that starts earlier the answer says, honestly, that time before then cannot be
 * shown as held by a blocker.
 */
export function blockerHistoryLimitation(
  periodFrom: number,
  historyFrom: number,
  timeZone: string = DEFAULT_TIME_ZONE,
): { code: 'blocker_history_not_recorded'; message: string } | undefined {
  if (periodFrom >= historyFrom) return undefined;
  const day = (lang: string) => historyDay(historyFrom, lang, timeZone);
  return {
    code: 'blocker_history_not_recorded',
    message:
      `De console houdt pas sinds ${day('nl-NL')} bij wanneer een blokkade een apparaat wakker hield: tijd daarvóór telt niet als "gehouden door een blokkade", maar als te besparen of onder een andere oorzaak. / ` +
      `The console records when a blocker held a device awake only since ${day('en-GB')}: time before that does not count as held by a blocker but as avoidable or under another cause.`,
  };
}

/** the day a recorded history began, as a person reads it ("ma 16 nov 2026" / "Mon, 16 Nov 2026") */
export function historyDay(ms: number, lang: string, timeZone: string = DEFAULT_TIME_ZONE): string {
  return new Intl.DateTimeFormat(lang, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone,
  }).format(ms);
}
