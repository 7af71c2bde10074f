import type {
  Blocker,
  DeviceClass,
  Inventory,
  PolicySettings,
  SchoolCalendar,
  SchoolHours,
} from '@sluimer/shared';
import { addDays, DAY_MS, dutchSchoolCalendar, recommendedPolicy, WEEKDAYS } from '@sluimer/shared';
import {
  type DayWindow,
  type DeviceProfile,
  type DeviceRole,
  defaultSchoolHours,
  type EndAction,
  type EnforcedPolicy,
  type PerSourceMin,
  type SchoolKind,
  type SchoolProfile,
} from './behaviour.js';
import { createRng, hashSeed, type Rng } from './rng.js';

/** A simulated school board: schools with buildings and rooms, and the devices in each room. */
export interface PlannedRoom {
  name: string;
  devices: DeviceProfile[];
}
export interface PlannedBuilding {
  name: string;
  rooms: PlannedRoom[];
}
export interface PlannedSchool extends SchoolProfile {
  buildings: PlannedBuilding[];
  /** whether the demo enforces a policy here (the others stay audit-only for comparison) */
  enforced: boolean;
}
export interface PlannedBoard {
  name: string;
  schools: PlannedSchool[];
}

const ROLE_CLASS: Record<DeviceRole, DeviceClass> = {
  'classroom-desktop': 'desktop',
  'lab-desktop': 'desktop',
  'office-aio': 'all-in-one',
  'student-laptop': 'laptop',
  'teacher-laptop': 'laptop',
  chromebook: 'chromebook',
};

const ROLE_TAG: Record<DeviceRole, string> = {
  'classroom-desktop': 'PC',
  'lab-desktop': 'LAB',
  'office-aio': 'AIO',
  'student-laptop': 'LL',
  'teacher-laptop': 'DOC',
  chromebook: 'CB',
};

const END_OF_DAY: Record<DeviceRole, Record<EndAction, number>> = {
  'classroom-desktop': { shutdown: 45, sleep: 5, idle: 50 },
  'lab-desktop': { shutdown: 30, sleep: 0, idle: 70 },
  'office-aio': { shutdown: 50, sleep: 10, idle: 40 },
  'student-laptop': { shutdown: 25, sleep: 60, idle: 15 },
  'teacher-laptop': { shutdown: 30, sleep: 55, idle: 15 },
  chromebook: { shutdown: 10, sleep: 85, idle: 5 },
};

/**
 * Things that keep school PCs awake, as the agent reports them (names only, no users: AVG): a Teams
 * meeting, a slideshow or a video left running, an audio driver holding a stream open. A device that
 * has one reports it with every idle stretch; the console records when it held (blocker history), so
 * the demo board names it under "Waarom nog verspild".
 */
export const EXAMPLE_BLOCKERS: readonly Blocker[] = [
  {
    name: 'Teams.exe',
    kind: 'process',
    reason: 'Vergadering of presentatie open',
    blocks: ['display', 'system'],
  },
  // a slideshow left running on the classroom PC after the lesson (the digibord's usual blocker)
  {
    name: 'POWERPNT.EXE',
    kind: 'process',
    reason: 'Diavoorstelling loopt',
    blocks: ['display', 'system'],
  },
  { name: 'Realtek HD Audio', kind: 'driver', reason: 'Audiostream open', blocks: ['system'] },
  { name: 'vlc.exe', kind: 'process', reason: 'Video wordt afgespeeld', blocks: ['display', 'system'] },
];

const GiB = 1024 ** 3;

/**
 * Age, wear and parts for the lifecycle views (issue 11): devices 1–7 years old (Chromebooks up to
 * 6), a BIOS date that says so, batteries that lose 3–7.5 % a year (the oldest at 55–70 %), cycle
 * counts to match, serial numbers for the purchase import, and a few older desktops with a hard disk
 * or 4 GB memory. A separate seed, so the behaviour draws of the device stay as they were.
 */
export function withLifecycle(
  inv: Inventory,
  role: DeviceRole,
  key: string,
  year = new Date().getUTCFullYear(),
): Inventory {
  const rng = createRng(hashSeed('lifecycle', key));
  const maxAge = role === 'chromebook' ? 6 : 7;
  const ageYears = rng.weighted([
    [1, 2],
    [2, 3],
    [3, 3],
    [4, 3],
    [5, 2],
    [6, 1.5],
    [7, 1],
  ] as const);
  const age = Math.min(maxAge, ageYears) + rng.range(0, 0.9);
  const month = rng.int(1, 12);
  const day = rng.int(1, 28);
  const built = new Date(Date.UTC(year - Math.floor(age), month - 1, day));
  const out: Inventory = {
    ...inv,
    serialNumber: `${(inv.manufacturer ?? 'X').slice(0, 2).toUpperCase()}${hashSeed('serial', key).toString(36).toUpperCase().padStart(7, '0')}`,
    bios: { vendor: inv.manufacturer ?? 'Google', releaseDate: built.toISOString().slice(0, 10) },
  };
  if (inv.battery?.hasBattery && inv.battery.designCapacityWh) {
    const health = Math.max(55, Math.min(99, 100 - age * rng.range(3, 7.5) - rng.range(0, 3)));
    out.battery = {
      ...inv.battery,
      fullCapacityWh: Math.round(inv.battery.designCapacityWh * health) / 100,
      cycleCount: Math.round(age * rng.range(90, 170)),
    };
  }
  if (role !== 'chromebook') {
    const old = age >= 5;
    out.memoryBytes = (old && rng.chance(0.3) ? 4 : rng.pick([8, 16])) * GiB;
    out.disks = [
      {
        type: old && role !== 'student-laptop' && rng.chance(0.35) ? 'hdd' : 'nvme',
        sizeBytes: 256 * 10 ** 9,
        smart: 'ok',
      },
    ];
  }
  return out;
}

function inventoryFor(role: DeviceRole, rng: Rng): Inventory {
  switch (role) {
    case 'chromebook':
      return {
        os: 'chromeos',
        osVersion: `${rng.int(118, 124)}.0`,
        chassisType: 'Notebook',
        manufacturer: rng.pick(['HP', 'Acer', 'Lenovo']),
        model: rng.pick(['Chromebook 11 G9 EE', 'Chromebook Spin 511', '300e Chromebook Gen 3']),
        battery: { hasBattery: true, designCapacityWh: 47, fullCapacityWh: rng.int(30, 46) },
        displays: [{ internal: true, sizeInch: 11.6 }],
      };
    case 'student-laptop':
    case 'teacher-laptop':
      return {
        os: 'windows',
        osVersion: '10.0.22631',
        chassisType: 'Notebook',
        manufacturer: rng.pick(['Dell', 'HP', 'Lenovo']),
        model: rng.pick(['Latitude 3440', 'ProBook 440 G10', 'ThinkPad E14 Gen 5']),
        battery: {
          hasBattery: true,
          designCapacityWh: 54,
          fullCapacityWh: rng.int(35, 54),
          cycleCount: rng.int(50, 700),
        },
        displays: [{ internal: true, sizeInch: 14 }],
      };
    case 'office-aio':
      return {
        os: 'windows',
        osVersion: '10.0.22631',
        chassisType: 'All in One',
        manufacturer: 'HP',
        model: 'ProOne 440 G9',
        battery: { hasBattery: false },
        displays: [{ internal: true, sizeInch: 23.8 }],
      };
    default:
      return {
        os: 'windows',
        osVersion: rng.pick(['10.0.19045', '10.0.22631']),
        chassisType: rng.pick(['Mini Tower', 'Desktop', 'Space-Saving']),
        manufacturer: rng.pick(['Dell', 'HP']),
        model: rng.pick(['OptiPlex 7090', 'EliteDesk 800 G6', 'OptiPlex 3000']),
        battery: { hasBattery: false },
        displays: [{ internal: false, sizeInch: 24 }],
      };
  }
}

function timersFor(role: DeviceRole, rng: Rng): Pick<DeviceProfile, 'displayOffAfterMin' | 'sleepAfterMin'> {
  switch (role) {
    case 'chromebook':
      return { displayOffAfterMin: { ac: 7, battery: 6 }, sleepAfterMin: { ac: 30, battery: 10 } };
    case 'student-laptop':
    case 'teacher-laptop':
      return rng.chance(0.3)
        ? { displayOffAfterMin: { ac: 15, battery: 10 }, sleepAfterMin: { ac: null, battery: 30 } }
        : { displayOffAfterMin: { ac: 10, battery: 5 }, sleepAfterMin: { ac: 30, battery: 15 } };
    case 'office-aio':
      return {
        displayOffAfterMin: { ac: 20, battery: 20 },
        sleepAfterMin: rng.chance(0.5) ? { ac: null, battery: null } : { ac: 60, battery: 60 },
      };
    default:
      // imaged school PCs: sleep is often switched off "so updates can run at night"
      return {
        displayOffAfterMin: rng.chance(0.2)
          ? { ac: null, battery: null }
          : { ac: rng.pick([10, 15, 30]), battery: 10 },
        sleepAfterMin: rng.chance(0.7) ? { ac: null, battery: null } : { ac: 60, battery: 60 },
      };
  }
}

export function makeDevice(
  role: DeviceRole,
  school: { key: string; prefix: string },
  index: number,
  policy?: EnforcedPolicy,
): DeviceProfile {
  const key = `${school.key}/${role}/${String(index).padStart(3, '0')}`;
  const rng = createRng(hashSeed('device', key));
  const desktopLike = role === 'classroom-desktop' || role === 'lab-desktop' || role === 'office-aio';
  const blocker = desktopLike && rng.chance(0.12) ? rng.pick(EXAMPLE_BLOCKERS) : undefined;
  const device: DeviceProfile = {
    key,
    role,
    deviceClass: ROLE_CLASS[role],
    hostname: `${school.prefix}-${ROLE_TAG[role]}-${String(index).padStart(3, '0')}`,
    installId: `sim-${hashSeed('install', key).toString(16).padStart(8, '0')}-${hashSeed(key, 'b').toString(16)}`,
    inventory: withLifecycle(inventoryFor(role, rng), role, key),
    idleThresholdMin: 5,
    ...timersFor(role, rng),
    endOfDay: END_OF_DAY[role],
    usage:
      role === 'chromebook'
        ? rng.range(0.2, 0.5)
        : role === 'student-laptop'
          ? rng.range(0.4, 0.8)
          : role === 'lab-desktop'
            ? rng.range(0.3, 0.7)
            : 0.9,
    batteryDayChance:
      role === 'student-laptop' || role === 'teacher-laptop' ? 0.6 : role === 'chromebook' ? 0.8 : 0,
  };
  if (blocker) device.blocker = blocker;
  if (policy) device.policy = policy;
  return device;
}

interface SchoolSpec {
  key: string;
  name: string;
  kind: SchoolKind;
  prefix: string;
  enforced: boolean;
  buildings: { name: string; rooms: { name: string; roles: [DeviceRole, number][] }[] }[];
}

/** Three schools as in the brief; device counts are weights, scaled to the requested total. */
const DEMO_SCHOOLS: SchoolSpec[] = [
  {
    key: 'baken',
    name: 'Het Baken',
    kind: 'po',
    prefix: 'BAKEN',
    enforced: true,
    buildings: [
      {
        name: 'Hoofdgebouw',
        rooms: [
          ...[3, 4, 5, 6, 7, 8].map((g) => ({
            name: `Groep ${g}`,
            roles: [
              ['classroom-desktop', 1],
              ['chromebook', g >= 5 ? 12 : 8],
              ['teacher-laptop', 1],
            ] as [DeviceRole, number][],
          })),
          { name: 'Directiekamer', roles: [['office-aio', 2]] },
        ],
      },
    ],
  },
  {
    key: 'regenboog',
    name: 'Openbare Basisschool De Regenboog',
    kind: 'po',
    prefix: 'REGENBOOG',
    enforced: false,
    buildings: [
      {
        name: 'Hoofdgebouw',
        rooms: [
          ...['Groep 1/2', 'Groep 3/4', 'Groep 5/6', 'Groep 7/8'].map((name, i) => ({
            name,
            roles: [
              ['classroom-desktop', 1],
              ['chromebook', i === 0 ? 4 : 12],
              ['teacher-laptop', 1],
            ] as [DeviceRole, number][],
          })),
          { name: 'Kantoor', roles: [['office-aio', 2]] },
        ],
      },
      {
        name: 'Dependance Zuid',
        rooms: [
          {
            name: 'Groep 6b',
            roles: [
              ['classroom-desktop', 1],
              ['chromebook', 8],
            ],
          },
          { name: 'Speellokaal', roles: [['classroom-desktop', 1]] },
        ],
      },
    ],
  },
  {
    key: 'scn',
    name: 'Stedelijk College Noord',
    kind: 'vo',
    prefix: 'SCN',
    enforced: true,
    buildings: [
      {
        name: 'Hoofdgebouw',
        rooms: [
          ...['A101', 'A102', 'A103', 'A104', 'A201', 'A202'].map((name) => ({
            name,
            roles: [
              ['classroom-desktop', 1],
              ['student-laptop', 6],
            ] as [DeviceRole, number][],
          })),
          {
            name: 'Mediatheek',
            roles: [
              ['office-aio', 4],
              ['lab-desktop', 8],
            ],
          },
          {
            name: 'Administratie',
            roles: [
              ['office-aio', 3],
              ['teacher-laptop', 4],
            ],
          },
        ],
      },
      {
        name: 'Bètagebouw',
        rooms: [
          {
            name: 'Computerlokaal B1',
            roles: [
              ['lab-desktop', 24],
              ['classroom-desktop', 1],
            ],
          },
          ...['B101', 'B102', 'B103'].map((name) => ({
            name,
            roles: [
              ['classroom-desktop', 1],
              ['student-laptop', 6],
            ] as [DeviceRole, number][],
          })),
          { name: 'Docentenkamer', roles: [['teacher-laptop', 6]] },
        ],
      },
    ],
  },
];

export const DEMO_TIME_ZONE = 'Europe/Amsterdam';

/**
 * What the simulated platform enforces under policy `settings` from `from` on: its timeouts in and
 * outside school hours (in minutes) and its scheduled sleep. A value the policy leaves out keeps the
 * device's own timer. Brightness and nudges do not change the timeline, so they are not modelled.
 */
export function enforcedPolicyFrom(settings: PolicySettings, from: number): EnforcedPolicy {
  const min = (v: { ac?: number; battery?: number } | undefined): PerSourceMin => ({
    ac: v?.ac === undefined ? null : v.ac / 60,
    battery: v?.battery === undefined ? null : v.battery / 60,
  });
  const o = settings.outsideSchoolHours;
  const out: EnforcedPolicy = {
    from,
    sleepAfterMin: min(settings.sleepAfterSec),
    displayOffAfterMin: min(settings.displayOffAfterSec),
  };
  if (o?.sleepAfterSec || o?.displayOffAfterSec) {
    out.outside = { sleepAfterMin: min(o.sleepAfterSec), displayOffAfterMin: min(o.displayOffAfterSec) };
  }
  if ((o?.action === 'sleep' || o?.action === 'shutdown') && o.actionAt) {
    // a scheduled shutdown ends the idle stretch like a sleep does: both stop the waste
    out.scheduledSleepAt = Number(o.actionAt.slice(0, 2)) * 60 + Number(o.actionAt.slice(3, 5));
  }
  return out;
}

/** The policy the demo's enforcing schools get from `from` on: Sluimer's recommended policy. */
export function demoEnforcedPolicy(from: number): EnforcedPolicy {
  return enforcedPolicyFrom(recommendedPolicy().settings, from);
}

const hhmm = (min: number) =>
  `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;

/** A model school's weekly hours as policy/calendar school hours. */
export function schoolHoursOf(hours: Partial<Record<number, DayWindow>>): SchoolHours {
  const out: SchoolHours = {};
  WEEKDAYS.forEach((d, i) => {
    const w = hours[i];
    if (w) out[d] = { start: hhmm(w.start), end: hhmm(w.end) };
  });
  return out;
}

/** The vacation region the demo's schools follow. */
export const DEMO_REGION = 'midden' as const;

/** The school calendar the demo stores for a school: its hours, the shipped vacations and holidays. */
export function demoSchoolCalendar(school: Pick<SchoolProfile, 'hours' | 'timeZone'>): SchoolCalendar {
  return dutchSchoolCalendar(DEMO_REGION, {
    timeZone: school.timeZone,
    schoolHours: schoolHoursOf(school.hours),
  });
}

/** Every local date of a calendar's vacations, holidays and study days: no lessons, devices stay home. */
export function daysWithoutSchool(calendar: SchoolCalendar): string[] {
  const out = new Set<string>();
  for (const v of calendar.vacations) for (let d = v.start; d <= v.end; d = addDays(d, 1)) out.add(d);
  for (const h of [...calendar.holidays, ...calendar.studyDays]) out.add(h.date);
  return [...out].sort();
}

/**
 * The demo board ("Stichting Sluimer Scholen") with `deviceCount` devices spread over three schools
 * by the room weights above. `policyFrom` is when the enforcing schools' policy took effect.
 */
export function demoBoard(opts: { deviceCount: number; policyFrom: number }): PlannedBoard {
  const weightTotal = DEMO_SCHOOLS.flatMap((s) =>
    s.buildings.flatMap((b) => b.rooms.flatMap((r) => r.roles)),
  ).reduce((n, [, c]) => n + c, 0);
  const scale = opts.deviceCount / weightTotal;
  // largest remainder so the total is exact
  const slots: {
    school: number;
    building: number;
    room: number;
    role: DeviceRole;
    exact: number;
    n: number;
  }[] = [];
  for (const [si, s] of DEMO_SCHOOLS.entries()) {
    for (const [bi, b] of s.buildings.entries()) {
      for (const [ri, r] of b.rooms.entries()) {
        for (const [role, c] of r.roles) {
          const exact = c * scale;
          slots.push({ school: si, building: bi, room: ri, role, exact, n: Math.floor(exact) });
        }
      }
    }
  }
  let missing = opts.deviceCount - slots.reduce((n, s) => n + s.n, 0);
  for (const s of [...slots].sort((a, b) => b.exact - b.n - (a.exact - a.n))) {
    if (missing <= 0) break;
    s.n++;
    missing--;
  }
  const counters = new Map<string, number>();
  const policy = demoEnforcedPolicy(opts.policyFrom);
  const schools: PlannedSchool[] = DEMO_SCHOOLS.map((s, si) => ({
    key: s.key,
    name: s.name,
    kind: s.kind,
    timeZone: DEMO_TIME_ZONE,
    hours: defaultSchoolHours(s.kind),
    // the school follows the calendar the demo stores for it: no lessons in vacations and on holidays
    holidays: daysWithoutSchool(
      demoSchoolCalendar({ hours: defaultSchoolHours(s.kind), timeZone: DEMO_TIME_ZONE }),
    ),
    enforced: s.enforced,
    buildings: s.buildings.map((b, bi) => ({
      name: b.name,
      rooms: b.rooms.map((r, ri) => ({
        name: r.name,
        devices: slots
          .filter((x) => x.school === si && x.building === bi && x.room === ri)
          .flatMap((x) =>
            Array.from({ length: x.n }, () => {
              const ck = `${s.key}/${x.role}`;
              const idx = (counters.get(ck) ?? 0) + 1;
              counters.set(ck, idx);
              return makeDevice(x.role, s, idx, s.enforced ? policy : undefined);
            }),
          ),
      })),
    })),
  }));
  return { name: 'Stichting Sluimer Scholen', schools };
}

/** Every device of a planned board with its school, in a stable order. */
export function boardDevices(board: PlannedBoard): { school: PlannedSchool; device: DeviceProfile }[] {
  return board.schools.flatMap((school) =>
    school.buildings.flatMap((b) => b.rooms.flatMap((r) => r.devices.map((device) => ({ school, device })))),
  );
}

/** A generic school for load tests: one VO school, mixed classes, no policy. */
export function benchSchool(): SchoolProfile {
  return {
    key: 'bench',
    name: 'Bench College',
    kind: 'vo',
    timeZone: DEMO_TIME_ZONE,
    hours: defaultSchoolHours('vo'),
  };
}

export const MIXED_ROLES: readonly DeviceRole[] = [
  'chromebook',
  'chromebook',
  'student-laptop',
  'student-laptop',
  'classroom-desktop',
  'lab-desktop',
  'teacher-laptop',
  'office-aio',
];

export const DAYS = (n: number) => n * DAY_MS;
