import type { CauseSummary, DeviceWasteCauses, WasteCausesResult, WastePart } from '../api/impact.js';
import { GOOGLE_ADMIN_USER_PATH, IDLE_ACTION_FIELD, IDLE_TIME_FIELD } from '../chromeos-admin.js';
import { formatEur } from '../i18n/format.js';
import type { DeviceReplay } from './what-if.js';

/**
 * "Why the rest is still wasted" (docs/impact.md): each device's remaining waste in a period split
 * by cause, from recorded data. The split starts from the period replayed under the recommended
 * policy, which divides the recorded waste exactly into three parts:
 *   kept        idle time shorter than the recommended timeouts → `within_recommended`
 *   unreachable held by a named blocker → `blocker`, or the device is excluded → `excluded`
 *   avoided     what the recommended policy would have removed; why it was not is read from the
 *               policy facts recorded for the period: no policy or audit only, failed / drifted /
 *               pending, locked by Group Policy or MDM, a Chromebook whose measured idle shows the
 *               Google Admin settings are not in force → `google_admin_not_in_force`, or an enforced
 *               policy less strict than the recommended one → `timeouts_long`. Facts not known →
 *               `no_data`.
 * So the parts of every device add up to its recorded waste, and the causes to the total.
 */
export const WASTE_CAUSES = [
  'blocker',
  'no_policy',
  'excluded',
  'policy_failed',
  'locked',
  'google_admin_not_in_force',
  'timeouts_long',
  'within_recommended',
  'no_data',
] as const;
export type WasteCause = (typeof WASTE_CAUSES)[number];

/** What governed a device in the period, as recorded (not today's state). */
export interface PolicyFacts {
  policy: 'none' | 'audit_only' | 'enforced' | 'unknown';
  /**
   * the device's last policy status in the period, when a policy was enforced. `admin_not_in_force`:
   * a Chromebook (ChromeOS enforces through Google Admin, Sluimer only measures) that took the policy
   * but whose measured idle shows the Google Admin settings are not in force (`adminSettingsNotInForce`)
   */
  status?: 'compliant' | 'pending' | 'failed' | 'drifted' | 'locked' | 'admin_not_in_force';
}

export interface DeviceWasteInput {
  deviceId: number;
  name?: string;
  group?: { id: number; name: string };
  /** the period replayed under the recommended policy (`replayWhatIf(...).perDevice`) */
  replay: Pick<
    DeviceReplay,
    'hasData' | 'wasteKwh' | 'avoidedKwh' | 'keptKwh' | 'unreachable' | 'excludedReason'
  >;
  /**
   * The policy facts of the period. When they changed within it, give each with the share of the
   * period's avoidable waste recorded under it (shares add up to 1).
   */
  facts: PolicyFacts | readonly { share: number; facts: PolicyFacts }[];
}

function partsOf(d: DeviceWasteInput): WastePart[] {
  const r = d.replay;
  if (!r.hasData) return [{ cause: 'no_data', kwh: 0 }];
  const parts: WastePart[] = [];
  if (r.keptKwh > 0) parts.push({ cause: 'within_recommended', kwh: r.keptKwh });
  for (const b of r.unreachable.blockers)
    if (b.kwh > 0) parts.push({ cause: 'blocker', detail: b.name, kwh: b.kwh });
  if (r.unreachable.excludedKwh > 0) {
    parts.push({ cause: 'excluded', detail: r.excludedReason ?? '', kwh: r.unreachable.excludedKwh });
  }
  if (r.avoidedKwh > 0) {
    const list = Array.isArray(d.facts)
      ? (d.facts as readonly { share: number; facts: PolicyFacts }[])
      : [{ share: 1, facts: d.facts as PolicyFacts }];
    const shareSum = list.reduce((s, x) => s + x.share, 0);
    for (const x of list) {
      // normalised, so the parts add up even when the caller's shares are rounded
      const kwh = shareSum > 0 ? (r.avoidedKwh * x.share) / shareSum : r.avoidedKwh / list.length;
      parts.push({ ...causeOfFacts(x.facts), kwh });
    }
  }
  return parts;
}

function causeOfFacts(f: PolicyFacts): { cause: WasteCause; detail?: string } {
  switch (f.policy) {
    case 'none':
      return { cause: 'no_policy', detail: 'none' };
    case 'audit_only':
      return { cause: 'no_policy', detail: 'audit_only' };
    case 'unknown':
      return { cause: 'no_data' };
    case 'enforced':
      if (f.status === 'locked') return { cause: 'locked' };
      if (f.status === 'admin_not_in_force') return { cause: 'google_admin_not_in_force' };
      if (f.status === 'failed' || f.status === 'drifted' || f.status === 'pending') {
        return { cause: 'policy_failed', detail: f.status };
      }
      return { cause: 'timeouts_long' };
  }
}

/**
 * Splits every device's remaining waste by cause and sums the causes with a next step each.
 * `yearFactor` turns a period figure into a yearly one (the what-if's perYear.avoidedKwh divided by
 * its avoidedKwh is a good one); `priceEurPerKwh` prices them.
 */
export function explainRemainingWaste(
  devices: readonly DeviceWasteInput[],
  opts: { priceEurPerKwh: number; yearFactor?: number },
): WasteCausesResult {
  const perDevice: DeviceWasteCauses[] = [];
  const summary = new Map<
    string,
    {
      s: Omit<CauseSummary, 'nextStep'>;
      ids: Set<number>;
      groups: Map<number | null, { name: string; ids: Set<number>; kwh: number }>;
    }
  >();
  for (const d of devices) {
    const parts = partsOf(d);
    const out: DeviceWasteCauses = {
      deviceId: d.deviceId,
      totalKwh: parts.reduce((s, p) => s + p.kwh, 0),
      parts,
    };
    if (d.name !== undefined) out.name = d.name;
    if (d.group) out.groupId = d.group.id;
    perDevice.push(out);
    for (const p of parts) {
      const key = `${p.cause}|${p.detail ?? ''}`;
      let x = summary.get(key);
      if (!x) {
        const s: Omit<CauseSummary, 'nextStep'> = {
          cause: p.cause,
          kwh: 0,
          eur: 0,
          eurPerYear: null,
          devices: 0,
          groups: [],
        };
        if (p.detail !== undefined) s.detail = p.detail;
        x = { s, ids: new Set(), groups: new Map() };
        summary.set(key, x);
      }
      x.s.kwh += p.kwh;
      x.ids.add(d.deviceId);
      const gid = d.group?.id ?? null;
      let g = x.groups.get(gid);
      if (!g) {
        g = { name: d.group?.name ?? '', ids: new Set(), kwh: 0 };
        x.groups.set(gid, g);
      }
      g.ids.add(d.deviceId);
      g.kwh += p.kwh;
    }
  }
  const causes: CauseSummary[] = [...summary.values()].map(({ s, ids, groups }) => {
    const eur = s.kwh * opts.priceEurPerKwh;
    const full: Omit<CauseSummary, 'nextStep'> = {
      ...s,
      eur,
      eurPerYear: opts.yearFactor !== undefined ? eur * opts.yearFactor : null,
      devices: ids.size,
      groups: [...groups]
        .map(([id, g]) => ({ id, name: g.name, devices: g.ids.size, kwh: g.kwh }))
        .sort((a, b) => b.devices - a.devices || b.kwh - a.kwh || (a.name < b.name ? -1 : 1)),
    };
    return { ...full, nextStep: nextStep(full) };
  });
  causes.sort(
    (a, b) =>
      b.kwh - a.kwh || b.devices - a.devices || WASTE_CAUSES.indexOf(a.cause) - WASTE_CAUSES.indexOf(b.cause),
  );
  const totalKwh = perDevice.reduce((s, d) => s + d.totalKwh, 0);
  return { totalKwh, totalEur: totalKwh * opts.priceEurPerKwh, causes, perDevice };
}

/** A next step a school can act on, Dutch first (docs/wording.md: short, concrete, never blaming). */
export function nextStep(c: Omit<CauseSummary, 'nextStep'>): { nl: string; en: string } {
  const top = c.groups[0];
  const whereNl = top?.name ? ` in ${top.name}` : '';
  const whereEn = top?.name ? ` in ${top.name}` : '';
  const toNl = top?.name ? ` aan ${top.name}` : '';
  const toEn = top?.name ? ` to ${top.name}` : '';
  const eurNl =
    c.eurPerYear !== null
      ? `~${formatEur('nl', c.eurPerYear)} per jaar`
      : `~${formatEur('nl', c.eur)} in deze periode`;
  const eurEn =
    c.eurPerYear !== null
      ? `~${formatEur('en', c.eurPerYear)} a year`
      : `~${formatEur('en', c.eur)} in this period`;
  const n = c.devices;
  const devNl = n === 1 ? '1 apparaat' : `${n} apparaten`;
  const devEn = n === 1 ? '1 device' : `${n} devices`;
  switch (c.cause) {
    case 'blocker': {
      // no name: the reader may not see program names (a viewer), or none was reported
      const who = c.detail || 'Een programma';
      const inTop = top && top.devices < n ? ` (${top.devices}${whereNl})` : whereNl;
      const inTopEn = top && top.devices < n ? ` (${top.devices}${whereEn})` : whereEn;
      return {
        nl: `${who} hield ${devNl} wakker${inTop}. Kijk of het open moet blijven, of sluit het na de les.`,
        en: `${c.detail || 'A program'} kept ${devEn} awake${inTopEn}. Check whether it has to stay open, or close it after class.`,
      };
    }
    case 'no_policy':
      return c.detail === 'audit_only'
        ? {
            nl: `Zet ${top?.name || 'deze apparaten'} van alleen meten over op het aanbevolen beleid: ${eurNl}.`,
            en: `Move ${top?.name || 'these devices'} from measuring only to the recommended policy: ${eurEn}.`,
          }
        : {
            nl: `Wijs het aanbevolen beleid toe${toNl}: ${eurNl}.`,
            en: `Assign the recommended policy${toEn}: ${eurEn}.`,
          };
    case 'excluded':
      return {
        nl: `${devNl} uitgezonderd${c.detail ? ` (${c.detail})` : ''}. Kijk of de uitzondering nog nodig is: ${eurNl}.`,
        en: `${devEn} excluded${c.detail ? ` (${c.detail})` : ''}. Check whether the exclusion is still needed: ${eurEn}.`,
      };
    case 'policy_failed':
      return {
        nl: `Het beleid is op ${devNl} niet (goed) toegepast. Bekijk de meldingen bij Apparaten: ${eurNl}.`,
        en: `The policy did not apply (or drifted) on ${devEn}. See the messages under Devices: ${eurEn}.`,
      };
    case 'locked':
      return {
        nl: `Groepsbeleid of MDM vergrendelt de energie-instellingen op ${devNl}. Pas de waarden daar aan: ${eurNl}.`,
        en: `Group Policy or MDM locks the power settings on ${devEn}. Change the values there: ${eurEn}.`,
      };
    case 'google_admin_not_in_force':
      // the page and fields as the Admin console names them (chromeos-admin.ts)
      return {
        nl: `Op ${devNl}${whereNl} werken de Google Admin-instellingen niet: ze bleven lang inactief aan zonder slaapstand. Zet in Google Admin bij ${GOOGLE_ADMIN_USER_PATH} '${IDLE_ACTION_FIELD}' op Sleep en '${IDLE_TIME_FIELD}' zoals Scholen en lokalen > Chromebooks aangeeft: ${eurNl}.`,
        en: `The Google Admin settings are not in force on ${devEn}${whereEn}: they stayed on idle for long without sleeping. In Google Admin under ${GOOGLE_ADMIN_USER_PATH}, set '${IDLE_ACTION_FIELD}' to Sleep and '${IDLE_TIME_FIELD}' as Schools & rooms > Chromebooks shows: ${eurEn}.`,
      };
    case 'timeouts_long':
      return {
        nl: `Het beleid${whereNl} is minder streng dan de aanbeveling. Met de aanbevolen tijden: ${eurNl} extra.`,
        en: `The policy${whereEn} is less strict than recommended. With the recommended timeouts: ${eurEn} more.`,
      };
    case 'within_recommended':
      return {
        nl: 'Korte pauzes vóór de slaapstand; die laat ook het aanbevolen beleid staan. Niets te doen.',
        en: 'Short pauses before sleep, which the recommended policy also allows. Nothing to do.',
      };
    case 'no_data':
      return {
        nl: `Geen (volledige) gegevens van ${devNl}. Kijk of de agent draait en verbinding heeft.`,
        en: `No (complete) data from ${devEn}. Check that the agent runs and can connect.`,
      };
  }
}
