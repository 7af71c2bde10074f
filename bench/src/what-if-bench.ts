import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { boardDevices, demoBoard, deviceTimeline } from '@sluimer/scripts/model';
import {
  DEFAULT_ENERGY_SETTINGS,
  dutchSchoolCalendar,
  REPLAY_LOOKBACK_MS,
  type ReplayDevice,
  recommendedPolicy,
  replayWhatIf,
  type SchoolHours,
  totalWatts,
  WEEKDAYS,
} from '@sluimer/shared';

/**
 * `npm run bench:what-if` (`node scripts/dist/bench/what-if-bench.js`): how long the what-if replay
 * (`replayWhatIf`, what `POST /api/v1/what-if` runs after reading the store) takes for `--devices`
 * devices (default 1,000) over four school weeks, under the recommended policy. Timelines come from the
 * demo's behaviour model, audit only, generated before timing starts. Median of `--runs` (default 5)
 * after one warm-up. Target (issue 10): under 2 s. Prints one JSON document; `--out FILE` writes it.
 */
const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '5' },
    out: { type: 'string' },
  },
});
const deviceCount = Number(args.devices);
const runs = Math.max(1, Number(args.runs));

// four school weeks without vacations or holidays in region midden: Monday 8 March – Friday 2 April 2027
const FROM = Date.UTC(2027, 2, 7, 23);
const TO = Date.UTC(2027, 3, 2, 22);

const board = demoBoard({ deviceCount, policyFrom: Number.MAX_SAFE_INTEGER });
const planned = boardDevices(board);
const genStart = performance.now();
const calendars: Record<string, ReturnType<typeof dutchSchoolCalendar>> = {};
const devices: ReplayDevice[] = planned.map(({ school, device }, i) => {
  const hours: SchoolHours = {};
  WEEKDAYS.forEach((d, wd) => {
    const w = school.hours[wd];
    if (w) {
      const f = (m: number) =>
        `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
      hours[d] = { start: f(w.start), end: f(w.end) };
    }
  });
  calendars[school.key] ??= dutchSchoolCalendar('midden', { timeZone: school.timeZone, schoolHours: hours });
  return {
    deviceId: i + 1,
    name: device.hostname,
    watts: totalWatts({ deviceClass: device.deviceClass }),
    excludedReason: null,
    calendarKey: school.key,
    intervals: deviceTimeline(device, school, FROM - REPLAY_LOOKBACK_MS, TO).intervals,
  };
});
const generateMs = performance.now() - genStart;
const intervals = devices.reduce((n, d) => n + d.intervals.length, 0);

const input = {
  policy: recommendedPolicy().settings,
  from: FROM,
  to: TO,
  rawRetentionFrom: 0,
  calendar: dutchSchoolCalendar('midden'),
  calendars,
  devices,
  energy: DEFAULT_ENERGY_SETTINGS,
};
replayWhatIf(input); // warm-up
const times: number[] = [];
let last: ReturnType<typeof replayWhatIf> | undefined;
for (let r = 0; r < runs; r++) {
  const t = performance.now();
  last = replayWhatIf(input);
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
const medianMs = times[Math.floor(times.length / 2)]!;
const result = {
  benchmark: 'what-if replay',
  devices: devices.length,
  schoolWeeks: 4,
  intervals,
  generateMs: Math.round(generateMs),
  runs,
  medianMs: Math.round(medianMs),
  minMs: Math.round(times[0]!),
  maxMs: Math.round(times[times.length - 1]!),
  targetMs: 2000,
  withinTarget: medianMs < 2000,
  avoidedShare: last && last.wasteKwh > 0 ? last.avoidedKwh / last.wasteKwh : null,
  machine: { cpus: cpus().length, loadavg1: loadavg()[0], node: process.version },
};
const text = JSON.stringify(result, null, 2);
process.stdout.write(`${text}\n`);
if (args.out) writeFileSync(args.out, `${text}\n`);
