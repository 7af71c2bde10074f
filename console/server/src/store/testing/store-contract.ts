import { type Blocker, DAY_MS, HOUR_MS, type Interval, MINUTE_MS } from '@sluimer/shared';
import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  type DeviceRollupDelta,
  type DeviceUpdate,
  IngestConflictError,
  type IngestDeviceState,
  type IngestWrite,
  LimitReachedError,
  type RollupAmounts,
  type Store,
} from '../types.js';

/**
 * The behaviour every Store must show, whatever the engine: run it with a factory that gives a fresh,
 * empty, fully migrated store per test (`describeStoreContract('SQLite', () => new SqliteStore(...))`).
 * The stores hold no rules of their own beyond what is written here (ingest rules are in ingest/ and
 * tested there); what a store must keep true is: what is written reads back the same, a batch is
 * written whole or not at all, and the fleet and board rollups stay the sum of the per-device ones.
 */
export function describeStoreContract(name: string, makeStore: () => Store | Promise<Store>): void {
  const T0 = Date.UTC(2026, 2, 2, 8); // a Monday, 08:00 UTC

  /** runs `body` with a fresh store and closes it afterwards */
  const withStore = (body: (store: Store) => Promise<void>) => async () => {
    const store = await makeStore();
    try {
      await body(store);
    } finally {
      await store.close();
    }
  };

  async function seedDevice(
    store: Store,
    opts: { groupId?: number; installId?: string; detectedClass?: 'laptop' | 'desktop' } = {},
  ) {
    const groupId =
      opts.groupId ??
      (
        await store.createGroup({
          name: 'School',
          parentId: null,
          kind: 'school',
          timeZone: null,
          excludedReason: null,
          now: T0,
        })
      ).id;
    const installId = opts.installId ?? `install-${Math.random().toString(36).slice(2)}`;
    const { deviceId } = await store.enrollDevice({
      installId,
      tokenHash: `token-${installId}`,
      groupId,
      hostname: `pc-${installId}`,
      inventory: { os: 'linux' },
      detectedClass: opts.detectedClass ?? 'laptop',
      now: T0,
    });
    return { groupId, deviceId, installId };
  }

  const amounts = (activeMs: number, idleOnMs = 0, energyWh = 0, wasteWh = 0): RollupAmounts => ({
    activeMs,
    idleOnMs,
    idleOffMs: 0,
    asleepMs: 0,
    offMs: 0,
    energyWh,
    wasteWh,
  });

  const emptyWrite = (): IngestWrite => ({
    updates: [],
    devices: [],
    extend: [],
    insert: [],
    deviceHours: [],
    deviceDays: [],
    fleetHours: [],
    fleetDays: [],
    boardHours: [],
  });

  /** a batch storing `intervals` (all active, in one hour) for a device as its report `seq` */
  function reportWrite(
    state: IngestDeviceState,
    seq: number,
    intervals: Interval[],
    groupId: number,
  ): IngestWrite {
    const ms = intervals.reduce((n, iv) => n + iv.end - iv.start, 0);
    const hour = Math.floor(intervals[0]!.start / HOUR_MS) * HOUR_MS;
    const day = Math.floor(hour / DAY_MS) * DAY_MS;
    const a = amounts(ms, 0, ms / HOUR_MS, 0);
    const dev: DeviceRollupDelta = { deviceId: state.deviceId, bucket: hour, ...a };
    return {
      ...emptyWrite(),
      devices: [
        {
          deviceId: state.deviceId,
          expect: {
            maxSeq: state.maxSeq,
            groupId: state.groupId,
            deviceClass: state.deviceClass,
            detectedClass: state.detectedClass,
            desktopPreset: state.desktopPreset,
            monitors: state.monitors,
          },
          maxSeq: seq,
          maxEnd: Math.max(state.maxEnd, ...intervals.map((iv) => iv.end)),
          lastSeen: T0 + DAY_MS,
        },
      ],
      insert: intervals.map((iv) => ({ deviceId: state.deviceId, ...iv })),
      deviceHours: [dev],
      deviceDays: [{ ...dev, bucket: day }],
      fleetHours: [{ bucket: hour, groupId, deviceClass: state.deviceClass ?? state.detectedClass, ...a }],
      fleetDays: [{ bucket: day, groupId, deviceClass: state.deviceClass ?? state.detectedClass, ...a }],
      boardHours: [{ bucket: hour, ...a }],
    };
  }

  async function stateOf(store: Store, deviceId: number): Promise<IngestDeviceState> {
    const s = (await store.ingestState([deviceId])).get(deviceId);
    if (!s) throw new Error(`no ingest state for device ${deviceId}`);
    return s;
  }

  describe(`Store contract: ${name}`, () => {
    describe('users, sessions and API tokens', () => {
      it(
        'creates, finds, lists, updates and deletes users; a taken name is a ConflictError',
        withStore(async (store) => {
          expect(await store.countUsers()).toBe(0);
          const u = await store.createUser({ username: 'it', passwordHash: 'h1', role: 'it', now: T0 });
          expect(u).toEqual({ id: u.id, username: 'it', passwordHash: 'h1', role: 'it', createdAt: T0 });
          await expect(
            store.createUser({ username: 'it', passwordHash: 'h2', role: 'viewer', now: T0 }),
          ).rejects.toBeInstanceOf(ConflictError);
          const v = await store.createUser({
            username: 'kijker',
            passwordHash: 'h3',
            role: 'viewer',
            now: T0,
          });
          expect(await store.countUsers()).toBe(2);
          expect(await store.getUser(u.id)).toEqual(u);
          expect(await store.getUserByName('kijker')).toEqual(v);
          expect(await store.getUserByName('niemand')).toBeUndefined();
          expect((await store.listUsers()).map((x) => x.username)).toEqual(['it', 'kijker']);
          expect(await store.updateUser(v.id, { role: 'admin', passwordHash: 'h4' })).toMatchObject({
            role: 'admin',
            passwordHash: 'h4',
          });
          expect(await store.rehashPassword(v.id, 'old', 'h5')).toBe(false);
          expect(await store.rehashPassword(v.id, 'h4', 'h5')).toBe(true);
          expect((await store.getUser(v.id))?.passwordHash).toBe('h5');
          expect(await store.deleteUser(v.id)).toBe(true);
          expect(await store.deleteUser(v.id)).toBe(false);
          expect(await store.getUser(v.id)).toBeUndefined();
        }),
      );

      it(
        'gives a session user until it expires or is deleted, and prunes expired sessions',
        withStore(async (store) => {
          const u = await store.createUser({ username: 'it', passwordHash: 'h', role: 'it', now: T0 });
          await store.createSession({ idHash: 's1', userId: u.id, now: T0, expiresAt: T0 + HOUR_MS });
          await store.createSession({ idHash: 's2', userId: u.id, now: T0, expiresAt: T0 + 2 * HOUR_MS });
          await store.createSession({ idHash: 's3', userId: u.id, now: T0, expiresAt: T0 + 3 * HOUR_MS });
          expect(await store.getSessionUser('s1', T0)).toEqual(u);
          expect(await store.getSessionUser('s1', T0 + HOUR_MS)).toBeUndefined();
          expect(await store.getSessionUser('nope', T0)).toBeUndefined();
          await store.deleteSession('s2');
          expect(await store.getSessionUser('s2', T0)).toBeUndefined();
          expect(await store.pruneSessions(T0 + HOUR_MS)).toBe(1);
          await store.deleteUserSessions(u.id);
          expect(await store.getSessionUser('s3', T0)).toBeUndefined();
        }),
      );

      it(
        'authenticates API tokens, records use at most once a minute, lists, revokes and prunes them',
        withStore(async (store) => {
          const a = await store.createUser({ username: 'a', passwordHash: 'h', role: 'admin', now: T0 });
          const b = await store.createUser({ username: 'b', passwordHash: 'h', role: 'it', now: T0 });
          const t1 = await store.createApiToken({
            userId: a.id,
            name: 'script',
            tokenHash: 'th1',
            now: T0,
            expiresAt: T0 + DAY_MS,
          });
          expect(t1).toEqual({
            id: t1.id,
            userId: a.id,
            name: 'script',
            createdAt: T0,
            expiresAt: T0 + DAY_MS,
            lastUsedAt: null,
          });
          const t2 = await store.createApiToken({
            userId: b.id,
            name: 'b1',
            tokenHash: 'th2',
            now: T0,
            expiresAt: T0 + HOUR_MS,
          });
          await store.createApiToken({
            userId: b.id,
            name: 'b2',
            tokenHash: 'th3',
            now: T0,
            expiresAt: T0 + HOUR_MS,
          });
          expect(await store.authenticateApiToken('th1', T0 + MINUTE_MS * 2)).toEqual({
            user: a,
            expired: false,
          });
          expect(await store.authenticateApiToken('th1', T0 + MINUTE_MS * 2 + 1000)).toEqual({
            user: a,
            expired: false,
          });
          expect(await store.authenticateApiToken('th1', T0 + DAY_MS)).toEqual({ user: a, expired: true });
          expect(await store.authenticateApiToken('unknown', T0)).toBeUndefined();
          const listed = await store.listApiTokens();
          expect(listed.map((t) => [t.name, t.username])).toEqual([
            ['script', 'a'],
            ['b1', 'b'],
            ['b2', 'b'],
          ]);
          // the first use is recorded; the second, within a minute, is not written
          expect(listed[0]!.lastUsedAt).toBe(T0 + MINUTE_MS * 2);
          expect((await store.listApiTokens({ userId: b.id })).map((t) => t.name)).toEqual(['b1', 'b2']);
          expect(await store.deleteApiToken(a.id, t2.id)).toBe(false); // not a's own token
          expect(await store.deleteApiToken(b.id, t2.id)).toBe(true);
          expect(await store.revokeApiToken(t1.id)).toBe(true);
          expect(await store.revokeApiToken(t1.id)).toBe(false);
          expect(await store.pruneApiTokens(T0 + HOUR_MS + 1)).toBe(1);
          await store.createApiToken({
            userId: b.id,
            name: 'b4',
            tokenHash: 'th4',
            now: T0,
            expiresAt: T0 + DAY_MS,
          });
          await store.createApiToken({
            userId: b.id,
            name: 'b5',
            tokenHash: 'th5',
            now: T0,
            expiresAt: T0 + DAY_MS,
          });
          expect(await store.revokeUserApiTokens(b.id)).toBe(2);
          expect(await store.listApiTokens()).toEqual([]);
        }),
      );
    });

    describe('groups and enroll secrets', () => {
      it(
        'creates, lists, updates groups and deletes only empty ones',
        withStore(async (store) => {
          const board = await store.createGroup({
            name: 'Bestuur',
            parentId: null,
            kind: 'board',
            timeZone: 'Europe/Amsterdam',
            excludedReason: null,
            now: T0,
          });
          expect(board).toEqual({
            id: board.id,
            parentId: null,
            name: 'Bestuur',
            kind: 'board',
            timeZone: 'Europe/Amsterdam',
            excludedReason: null,
            policyId: null,
            createdAt: T0,
          });
          const school = await store.createGroup({
            name: 'School',
            parentId: board.id,
            kind: 'school',
            timeZone: null,
            excludedReason: null,
            now: T0,
          });
          expect((await store.listGroups()).map((g) => g.id)).toEqual([board.id, school.id]);
          expect(await store.getGroup(school.id)).toEqual(school);
          expect(await store.getGroup(99_999)).toBeUndefined();
          expect(
            await store.updateGroup(school.id, {
              name: 'De School',
              kind: 'building',
              excludedReason: 'lab',
            }),
          ).toMatchObject({ name: 'De School', kind: 'building', excludedReason: 'lab', parentId: board.id });
          expect(
            await store.updateGroup(school.id, { parentId: null, timeZone: 'Europe/Brussels' }),
          ).toMatchObject({ parentId: null, timeZone: 'Europe/Brussels' });
          expect(await store.updateGroup(99_999, { name: 'x' })).toBeUndefined();
          await store.updateGroup(school.id, { parentId: board.id });
          expect(await store.deleteGroup(board.id)).toBe('not_empty');
          await seedDevice(store, { groupId: school.id });
          expect(await store.deleteGroup(school.id)).toBe('not_empty');
          const empty = await store.createGroup({
            name: 'Leeg',
            parentId: board.id,
            kind: 'room',
            timeZone: null,
            excludedReason: null,
            now: T0,
          });
          await store.createEnrollSecret({ groupId: empty.id, secretHash: 'es', expiresAt: null, now: T0 });
          expect(await store.deleteGroup(empty.id)).toBe('deleted');
          expect(await store.deleteGroup(empty.id)).toBe('not_found');
          expect(await store.findEnrollSecret('es')).toBeUndefined();
        }),
      );

      it(
        'keeps enroll secrets with their device count; revoking keeps the first revocation time',
        withStore(async (store) => {
          const { groupId } = await seedDevice(store);
          const s = await store.createEnrollSecret({
            groupId,
            secretHash: 'sh',
            note: 'lokaal 1',
            expiresAt: T0 + DAY_MS,
            deviceLimit: 2,
            now: T0,
          });
          expect(s).toEqual({
            id: s.id,
            groupId,
            note: 'lokaal 1',
            createdAt: T0,
            expiresAt: T0 + DAY_MS,
            revokedAt: null,
            deviceLimit: 2,
            devicesEnrolled: 0,
          });
          const other = await store.createEnrollSecret({
            groupId,
            secretHash: 'sh2',
            expiresAt: null,
            now: T0,
          });
          expect(other).toMatchObject({ note: null, deviceLimit: null });
          await store.enrollDevice({
            secret: { id: s.id, deviceLimit: 2 },
            installId: 'i1',
            tokenHash: 't1',
            groupId,
            hostname: 'pc1',
            inventory: {},
            detectedClass: 'laptop',
            now: T0,
          });
          expect(await store.findEnrollSecret('sh')).toMatchObject({ devicesEnrolled: 1 });
          expect((await store.listEnrollSecrets(groupId)).map((x) => x.id)).toEqual([s.id, other.id]);
          expect(await store.listEnrollSecrets(99_999)).toEqual([]);
          expect((await store.listEnrollSecrets()).length).toBe(2);
          expect(await store.revokeEnrollSecret(s.id, T0 + 5)).toMatchObject({ revokedAt: T0 + 5 });
          expect(await store.revokeEnrollSecret(s.id, T0 + 9)).toMatchObject({ revokedAt: T0 + 5 });
          expect(await store.revokeEnrollSecret(99_999, T0)).toBeUndefined();
        }),
      );
    });

    describe('devices', () => {
      it(
        'never gives an erased device’s id (or a deleted group’s, user’s, policy’s) to a new one',
        withStore(async (store) => {
          const { groupId, deviceId: first } = await seedDevice(store);
          const { deviceId: newest } = await seedDevice(store, { groupId });
          expect(newest).toBeGreaterThan(first);
          await store.eraseDevice(newest);
          const { deviceId: next } = await seedDevice(store, { groupId });
          expect(next).toBeGreaterThan(newest);
          // and after erasing every device, still past every id given out
          await store.eraseDevice(first);
          await store.eraseDevice(next);
          const { deviceId: later } = await seedDevice(store, { groupId });
          expect(later).toBeGreaterThan(next);

          const room = {
            parentId: groupId,
            kind: 'room' as const,
            timeZone: null,
            excludedReason: null,
            now: T0,
          };
          const g = await store.createGroup({ ...room, name: 'Lokaal 1' });
          expect(await store.deleteGroup(g.id)).toBe('deleted');
          expect((await store.createGroup({ ...room, name: 'Lokaal 2' })).id).toBeGreaterThan(g.id);

          const p = await store.createPolicy({ name: 'Oud', settings: {}, now: T0 });
          expect(await store.deletePolicy(p.id)).toBe(true);
          expect((await store.createPolicy({ name: 'Nieuw', settings: {}, now: T0 })).id).toBeGreaterThan(
            p.id,
          );

          const u = await store.createUser({ username: 'oud', passwordHash: 'x', role: 'it', now: T0 });
          expect(await store.deleteUser(u.id)).toBe(true);
          const v = await store.createUser({ username: 'nieuw', passwordHash: 'x', role: 'it', now: T0 });
          expect(v.id).toBeGreaterThan(u.id);
        }),
      );
      it(
        'enrolls a device, re-enrolls the same install with a new token, and keeps to a secret’s limit',
        withStore(async (store) => {
          const { groupId, deviceId, installId } = await seedDevice(store);
          const d = await store.getDevice(deviceId);
          expect(d).toMatchObject({
            id: deviceId,
            installId,
            groupId,
            inventory: { os: 'linux' },
            detectedClass: 'laptop',
            deviceClass: null,
            maxSeq: 0,
            maxEnd: 0,
            enrolledAt: T0,
            lastSeen: null,
            policyStatus: null,
            blockers: [],
            counters: null,
          });
          expect(await store.getDeviceByTokenHash(`token-${installId}`)).toEqual(d);
          const again = await store.enrollDevice({
            installId,
            tokenHash: 'new-token',
            groupId,
            hostname: 'renamed',
            inventory: { os: 'windows' },
            detectedClass: 'desktop',
            now: T0 + 1,
          });
          expect(again).toEqual({ deviceId, created: false });
          expect(await store.getDeviceByTokenHash(`token-${installId}`)).toBeUndefined();
          expect(await store.getDeviceByTokenHash('new-token')).toMatchObject({
            hostname: 'renamed',
            detectedClass: 'desktop',
            enrolledAt: T0,
          });

          const secret = await store.createEnrollSecret({
            groupId,
            secretHash: 'limited',
            expiresAt: null,
            deviceLimit: 1,
            now: T0,
          });
          const viaSecret = (installId: string) =>
            store.enrollDevice({
              secret: { id: secret.id, deviceLimit: 1 },
              installId,
              tokenHash: `t-${installId}-${Math.random()}`,
              groupId,
              hostname: installId,
              inventory: {},
              detectedClass: 'laptop',
              now: T0,
            });
          expect((await viaSecret('first')).created).toBe(true);
          // the same device again does not count twice
          expect((await viaSecret('first')).created).toBe(false);
          await expect(viaSecret('second')).rejects.toBeInstanceOf(LimitReachedError);
          expect((await store.listDevices()).map((x) => x.installId)).not.toContain('second');
        }),
      );

      it(
        'lists devices in id order by group, after an id and up to a limit',
        withStore(async (store) => {
          const a = await seedDevice(store);
          const b = await seedDevice(store);
          const c = await seedDevice(store, { groupId: a.groupId });
          expect((await store.listDevices()).map((d) => d.id)).toEqual([a.deviceId, b.deviceId, c.deviceId]);
          expect((await store.listDevices({ groupIds: [a.groupId] })).map((d) => d.id)).toEqual([
            a.deviceId,
            c.deviceId,
          ]);
          expect((await store.listDevices({ groupIds: [] })).length).toBe(0);
          expect((await store.listDevices({ afterId: a.deviceId, limit: 1 })).map((d) => d.id)).toEqual([
            b.deviceId,
          ]);
        }),
      );

      it(
        'reads the policy targets of listed devices in one go, leaving out unknown ids',
        withStore(async (store) => {
          const a = await seedDevice(store);
          const b = await seedDevice(store);
          const p = await store.createPolicy({ name: 'Eigen', settings: {}, now: T0 });
          await store.assignPolicy(p.id, { groupIds: [], deviceIds: [b.deviceId] });
          await store.updateDevice(a.deviceId, { excludedReason: 'server' });
          expect(await store.policyTargets([b.deviceId, 999_999, a.deviceId])).toEqual([
            { id: a.deviceId, groupId: a.groupId, policyId: null, excludedReason: 'server' },
            { id: b.deviceId, groupId: b.groupId, policyId: p.id, excludedReason: null },
          ]);
          expect(await store.policyTargets([])).toEqual([]);
        }),
      );

      it(
        'updates a device’s name, group, class, preset, monitors and exclusion',
        withStore(async (store) => {
          const { deviceId } = await seedDevice(store);
          const other = await store.createGroup({
            name: 'Ander',
            parentId: null,
            kind: 'school',
            timeZone: null,
            excludedReason: null,
            now: T0,
          });
          expect(
            await store.updateDevice(deviceId, {
              name: 'Balie',
              groupId: other.id,
              deviceClass: 'desktop',
              desktopPreset: 'older',
              monitors: ['24'],
              excludedReason: 'server',
            }),
          ).toMatchObject({
            name: 'Balie',
            groupId: other.id,
            deviceClass: 'desktop',
            desktopPreset: 'older',
            monitors: ['24'],
            excludedReason: 'server',
          });
          expect(
            await store.updateDevice(deviceId, { name: null, monitors: null, deviceClass: null }),
          ).toMatchObject({
            name: null,
            monitors: null,
            deviceClass: null,
          });
          expect(await store.updateDevice(99_999, { name: 'x' })).toBeUndefined();
        }),
      );

      it(
        'records hello, inventory with a monthly battery reading, last seen and policy status',
        withStore(async (store) => {
          const { deviceId } = await seedDevice(store);
          await store.recordHello(deviceId, { agentVersion: '1.2.3', policyEtag: 'e1', now: T0 + 10 });
          expect(await store.getDevice(deviceId)).toMatchObject({
            agentVersion: '1.2.3',
            helloEtag: 'e1',
            helloAt: T0 + 10,
            lastSeen: T0 + 10,
            inventory: { os: 'linux' },
          });
          const battery = { hasBattery: true, designCapacityWh: 50, fullCapacityWh: 40, cycleCount: 300 };
          await store.recordHello(deviceId, {
            agentVersion: '1.2.4',
            inventory: { os: 'windows', battery },
            detectedClass: 'desktop',
            classReview: 'check',
            now: T0 + 20,
          });
          expect(await store.getDevice(deviceId)).toMatchObject({
            agentVersion: '1.2.4',
            inventory: { os: 'windows' },
            detectedClass: 'desktop',
            classReview: 'check',
          });
          await store.recordInventory(deviceId, {
            inventory: { os: 'windows', battery: { ...battery, fullCapacityWh: 35 } },
            now: T0 + 30,
          });
          expect(await store.batteryReadings(deviceId)).toEqual([
            { month: '2026-03', healthPct: 70, cycleCount: 300, at: T0 + 30 },
          ]);
          await store.recordInventory(deviceId, {
            inventory: { os: 'windows', battery },
            detectedClass: 'laptop',
            now: T0 + 40 * DAY_MS,
          });
          expect((await store.batteryReadings(deviceId)).map((r) => [r.month, r.healthPct])).toEqual([
            ['2026-03', 70],
            ['2026-04', 80],
          ]);
          expect((await store.getDevice(deviceId))?.detectedClass).toBe('laptop');

          await store.setLastSeen(deviceId, T0 + 100);
          await store.setLastSeen(deviceId, T0 + 50); // never backwards
          expect((await store.getDevice(deviceId))?.lastSeen).toBe(T0 + 100);
          await store.setPolicySent(deviceId, 'e2');
          const status = {
            etag: 'e2',
            ok: false,
            applied: { sleepAfterSec: { ac: 900 } },
            errors: [{ setting: 'brightness', code: 'unsupported', message: 'no backlight' }],
            at: T0 + 200,
          } as Parameters<Store['setPolicyStatus']>[1];
          await store.setPolicyStatus(deviceId, status);
          expect(await store.getDevice(deviceId)).toMatchObject({
            policyEtagSent: 'e2',
            policyStatus: {
              ok: false,
              etag: 'e2',
              applied: status.applied,
              errors: status.errors,
              at: T0 + 200,
            },
            lastSeen: T0 + 200,
          });
        }),
      );
    });

    describe('policies', () => {
      it(
        'creates, updates, assigns and deletes policies; deleting one clears its assignments',
        withStore(async (store) => {
          const { groupId, deviceId } = await seedDevice(store);
          const p = await store.createPolicy({
            name: 'Standaard',
            settings: { idleThresholdSec: 300 },
            now: T0,
          });
          expect(p).toEqual({
            id: p.id,
            name: 'Standaard',
            description: null,
            settings: { idleThresholdSec: 300 },
            updatedAt: T0,
          });
          expect(
            await store.updatePolicy(p.id, {
              name: 'Streng',
              description: 'examens',
              settings: { idleThresholdSec: 120 },
              now: T0 + 1,
            }),
          ).toEqual({
            id: p.id,
            name: 'Streng',
            description: 'examens',
            settings: { idleThresholdSec: 120 },
            updatedAt: T0 + 1,
          });
          expect(await store.updatePolicy(99_999, { name: 'x', settings: {}, now: T0 })).toBeUndefined();
          expect((await store.listPolicies()).map((x) => x.id)).toEqual([p.id]);
          await store.assignPolicy(p.id, { groupIds: [groupId], deviceIds: [deviceId] });
          expect((await store.getGroup(groupId))?.policyId).toBe(p.id);
          expect((await store.getDevice(deviceId))?.policyId).toBe(p.id);
          await store.assignPolicy(null, { groupIds: [], deviceIds: [deviceId] });
          expect((await store.getDevice(deviceId))?.policyId).toBeNull();
          expect(await store.deletePolicy(p.id)).toBe(true);
          expect((await store.getGroup(groupId))?.policyId).toBeNull();
          expect(await store.getPolicy(p.id)).toBeUndefined();
          expect(await store.deletePolicy(p.id)).toBe(false);
        }),
      );
    });

    describe('ingest persistence', () => {
      it(
        'gives the ingest state of existing devices only, with their newest interval',
        withStore(async (store) => {
          const { deviceId, groupId } = await seedDevice(store);
          const empty = await stateOf(store, deviceId);
          expect(empty).toEqual({
            deviceId,
            maxSeq: 0,
            maxEnd: 0,
            groupId,
            deviceClass: null,
            detectedClass: 'laptop',
            desktopPreset: null,
            monitors: null,
            counters: null,
            lastInterval: null,
          });
          const states = await store.ingestState([deviceId, 99_999, deviceId]);
          expect([...states.keys()]).toEqual([deviceId]);
          await store.commitIngest(
            reportWrite(
              empty,
              1,
              [
                { start: T0, end: T0 + 10 * MINUTE_MS, state: 'active', display: 'on', power: 'ac' },
                { start: T0 + 10 * MINUTE_MS, end: T0 + 20 * MINUTE_MS, state: 'active' },
              ],
              groupId,
            ),
          );
          expect(await stateOf(store, deviceId)).toMatchObject({
            maxSeq: 1,
            maxEnd: T0 + 20 * MINUTE_MS,
            lastInterval: { start: T0 + 10 * MINUTE_MS, end: T0 + 20 * MINUTE_MS, state: 'active' },
          });
        }),
      );

      it(
        'writes the policy statuses of many devices in one batch, a device’s last one winning',
        withStore(async (store) => {
          const a = await seedDevice(store);
          const b = await seedDevice(store);
          const status = (deviceId: number, etag: string, ok: boolean, at: number) =>
            ({
              kind: 'policyStatus',
              deviceId,
              etag,
              ok,
              applied: { sleepAfterSec: { ac: 900 } },
              errors: ok ? [] : [{ setting: 'brightness', code: 'unsupported', message: 'no backlight' }],
              at,
            }) as DeviceUpdate;
          await store.commitIngest({
            ...emptyWrite(),
            updates: [
              status(a.deviceId, 'old', false, T0 + 1),
              status(b.deviceId, 'e1', false, T0 + 2),
              status(a.deviceId, 'e1', true, T0 + 3),
            ],
          });
          expect(await store.getDevice(a.deviceId)).toMatchObject({
            policyStatus: {
              ok: true,
              etag: 'e1',
              applied: { sleepAfterSec: { ac: 900 } },
              errors: [],
              at: T0 + 3,
            },
            lastSeen: T0 + 3,
          });
          expect(await store.getDevice(b.deviceId)).toMatchObject({
            policyStatus: {
              ok: false,
              etag: 'e1',
              errors: [{ setting: 'brightness', code: 'unsupported', message: 'no backlight' }],
              at: T0 + 2,
            },
            lastSeen: T0 + 2,
          });
        }),
      );

      it(
        'commits a batch whole: updates, advance, extras, interval rows and every rollup',
        withStore(async (store) => {
          const { deviceId, groupId } = await seedDevice(store);
          const s0 = await stateOf(store, deviceId);
          const write = reportWrite(
            s0,
            3,
            [
              { start: T0, end: T0 + 10 * MINUTE_MS, state: 'active', display: 'on', power: 'battery' },
              { start: T0 + 10 * MINUTE_MS, end: T0 + 15 * MINUTE_MS, state: 'active' },
            ],
            groupId,
          );
          const counters = { droppedReports: 2, nudges: { sleep: { shown: 1, dismissed: 0, snoozed: 1 } } };
          const blockers: Blocker[] = [{ kind: 'process', name: 'video.exe', blocks: ['display'] }];
          await store.commitIngest({
            ...write,
            updates: [
              { kind: 'hello', deviceId, agentVersion: '2.0.0', now: T0 + 1 },
              { kind: 'policySent', deviceId, etag: 'p1' },
            ],
            devices: [
              {
                ...write.devices[0]!,
                counters: { value: counters, at: T0 + 2 },
                blockers: { value: blockers, at: T0 + 2 },
              },
            ],
          });
          const d = await store.getDevice(deviceId);
          expect(d).toMatchObject({
            maxSeq: 3,
            maxEnd: T0 + 15 * MINUTE_MS,
            lastSeen: T0 + DAY_MS,
            agentVersion: '2.0.0',
            policyEtagSent: 'p1',
            counters,
            countersAt: T0 + 2,
            blockers,
            blockersAt: T0 + 2,
          });
          expect(await store.recentIntervals(deviceId, 10)).toEqual([
            { deviceId, start: T0 + 10 * MINUTE_MS, end: T0 + 15 * MINUTE_MS, state: 'active' },
            {
              deviceId,
              start: T0,
              end: T0 + 10 * MINUTE_MS,
              state: 'active',
              display: 'on',
              power: 'battery',
            },
          ]);

          // extending a stored interval and adding to existing rollup rows
          const s1 = await stateOf(store, deviceId);
          const more = reportWrite(
            s1,
            4,
            [{ start: T0 + 15 * MINUTE_MS, end: T0 + 20 * MINUTE_MS, state: 'active' }],
            groupId,
          );
          await store.commitIngest({
            ...more,
            insert: [],
            extend: [{ deviceId, start: T0 + 10 * MINUTE_MS, end: T0 + 20 * MINUTE_MS }],
          });
          expect((await store.recentIntervals(deviceId, 1))[0]).toMatchObject({
            start: T0 + 10 * MINUTE_MS,
            end: T0 + 20 * MINUTE_MS,
          });
          const hour = T0;
          const day = Math.floor(T0 / DAY_MS) * DAY_MS;
          const twenty = { activeMs: 20 * MINUTE_MS, energyWh: 20 / 60 };
          const [byDevice] = await store.sumRollupsByDevice('hour', hour, hour + HOUR_MS, [deviceId]);
          expect(byDevice).toMatchObject({ key: deviceId, activeMs: twenty.activeMs });
          expect(byDevice!.energyWh).toBeCloseTo(twenty.energyWh, 9);
          expect(await store.sumRollupsByDevice('day', day, day + DAY_MS, [deviceId])).toMatchObject([
            { key: deviceId, activeMs: twenty.activeMs },
          ]);
          expect(await store.sumRollupsByBucket('hour', hour, hour + HOUR_MS, [deviceId])).toMatchObject([
            { key: hour, activeMs: twenty.activeMs },
          ]);
          expect(await store.sumHourRollupsAt([hour, hour + HOUR_MS], [deviceId])).toMatchObject([
            { key: hour, activeMs: twenty.activeMs },
          ]);
          expect(await store.sumFleetByBucket('day', day, day + DAY_MS, [groupId])).toMatchObject([
            { key: day, activeMs: twenty.activeMs },
          ]);
          expect(await store.sumFleetHoursAt([hour], [groupId])).toMatchObject([
            { key: hour, activeMs: twenty.activeMs },
          ]);
          expect(await store.sumFleetByGroupClass('hour', hour, hour + HOUR_MS, [groupId])).toMatchObject([
            { key: groupId, groupId, deviceClass: 'laptop', activeMs: twenty.activeMs },
          ]);
          expect(await store.sumBoardHours(hour, hour + HOUR_MS)).toMatchObject([
            { key: hour, activeMs: twenty.activeMs },
          ]);
          expect(await store.sumBoardHoursAt([hour])).toMatchObject([
            { key: hour, activeMs: twenty.activeMs },
          ]);
          expect(await store.sumFleetByBucket('hour', hour, hour + HOUR_MS, [])).toEqual([]);
          expect(await store.sumHourRollupsAt([], [deviceId])).toEqual([]);
        }),
      );

      it(
        'refuses a batch whose device changed since it was read, and writes none of it',
        withStore(async (store) => {
          const { deviceId, groupId } = await seedDevice(store);
          const other = await seedDevice(store, { groupId });
          const s0 = await stateOf(store, deviceId);
          const o0 = await stateOf(store, other.deviceId);
          await store.commitIngest(
            reportWrite(s0, 1, [{ start: T0, end: T0 + MINUTE_MS, state: 'active' }], groupId),
          );
          // computed from the old state (seq 0): another writer stored seq 1 meanwhile
          const stale = reportWrite(
            s0,
            2,
            [{ start: T0 + 2 * MINUTE_MS, end: T0 + 3 * MINUTE_MS, state: 'active' }],
            groupId,
          );
          const fine = reportWrite(o0, 1, [{ start: T0, end: T0 + MINUTE_MS, state: 'active' }], groupId);
          const both: IngestWrite = {
            ...emptyWrite(),
            updates: [{ kind: 'policySent', deviceId: other.deviceId, etag: 'never' }],
            devices: [...fine.devices, ...stale.devices],
            insert: [...fine.insert, ...stale.insert],
            deviceHours: [...fine.deviceHours, ...stale.deviceHours],
            boardHours: [...fine.boardHours, ...stale.boardHours],
          };
          const err = await store.commitIngest(both).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(IngestConflictError);
          expect((err as IngestConflictError).deviceId).toBe(deviceId);
          expect(await store.getDevice(other.deviceId)).toMatchObject({ maxSeq: 0, policyEtagSent: null });
          expect(await store.recentIntervals(other.deviceId, 10)).toEqual([]);
          expect((await store.recentIntervals(deviceId, 10)).length).toBe(1);
          expect(await store.sumBoardHours(T0, T0 + HOUR_MS)).toMatchObject([{ activeMs: MINUTE_MS }]);

          // a device moved to another group or given another class is a conflict too
          const s1 = await stateOf(store, deviceId);
          await store.updateDevice(deviceId, { deviceClass: 'desktop' });
          await expect(
            store.commitIngest(
              reportWrite(
                s1,
                2,
                [{ start: T0 + 5 * MINUTE_MS, end: T0 + 6 * MINUTE_MS, state: 'active' }],
                groupId,
              ),
            ),
          ).rejects.toBeInstanceOf(IngestConflictError);
          // a deleted device as well
          await expect(
            store.commitIngest(
              reportWrite(
                { ...s1, deviceId: 99_999 },
                1,
                [{ start: T0, end: T0 + MINUTE_MS, state: 'active' }],
                groupId,
              ),
            ),
          ).rejects.toBeInstanceOf(IngestConflictError);
        }),
      );

      it(
        'keeps fleet rollups with the device when it moves group or class; the board total stays',
        withStore(async (store) => {
          const { deviceId, groupId } = await seedDevice(store);
          const s0 = await stateOf(store, deviceId);
          await store.commitIngest(
            reportWrite(s0, 1, [{ start: T0, end: T0 + 30 * MINUTE_MS, state: 'active' }], groupId),
          );
          const other = await store.createGroup({
            name: 'Ander',
            parentId: null,
            kind: 'school',
            timeZone: null,
            excludedReason: null,
            now: T0,
          });
          await store.updateDevice(deviceId, { groupId: other.id, deviceClass: 'desktop' });
          expect(await store.sumFleetByBucket('hour', T0, T0 + HOUR_MS, [groupId])).toEqual([]);
          expect(
            await store.sumFleetByGroupClass('day', T0 - DAY_MS, T0 + DAY_MS, [groupId, other.id]),
          ).toMatchObject([{ groupId: other.id, deviceClass: 'desktop', activeMs: 30 * MINUTE_MS }]);
          expect(await store.sumBoardHours(T0, T0 + HOUR_MS)).toMatchObject([{ activeMs: 30 * MINUTE_MS }]);
        }),
      );
    });

    describe('raw intervals', () => {
      it(
        'pages a timeline, finds overlapping intervals and prunes old ones while rollups stay',
        withStore(async (store) => {
          const { deviceId, groupId } = await seedDevice(store);
          const list: Interval[] = [];
          for (let k = 0; k < 5; k++)
            list.push({
              start: T0 + k * 10 * MINUTE_MS,
              end: T0 + (k + 1) * 10 * MINUTE_MS - MINUTE_MS,
              state: 'idle',
            });
          await store.commitIngest(reportWrite(await stateOf(store, deviceId), 1, list, groupId));
          const page = await store.timelinePage(deviceId, T0 + 5 * MINUTE_MS, T0 + HOUR_MS, 2);
          expect(page.more).toBe(true);
          expect(page.intervals.map((i) => i.start)).toEqual([T0, T0 + 10 * MINUTE_MS]);
          const rest = await store.timelinePage(deviceId, T0 + 19 * MINUTE_MS, T0 + HOUR_MS, 10);
          expect(rest.more).toBe(false);
          expect(rest.intervals.map((i) => i.start)).toEqual([
            T0 + 20 * MINUTE_MS,
            T0 + 30 * MINUTE_MS,
            T0 + 40 * MINUTE_MS,
          ]);
          const overlapping = await store.intervalsOverlapping(
            [deviceId],
            T0 + 15 * MINUTE_MS,
            T0 + 25 * MINUTE_MS,
          );
          expect(overlapping.map((i) => i.start).sort((a, b) => a - b)).toEqual([
            T0 + 10 * MINUTE_MS,
            T0 + 20 * MINUTE_MS,
          ]);
          expect(
            await store.intervalsOverlapping([deviceId], T0 + 19 * MINUTE_MS, T0 + 20 * MINUTE_MS),
          ).toEqual([]);
          expect((await store.recentIntervals(deviceId, 2)).map((i) => i.start)).toEqual([
            T0 + 40 * MINUTE_MS,
            T0 + 30 * MINUTE_MS,
          ]);
          expect(await store.pruneRawIntervals(T0 + 25 * MINUTE_MS)).toBe(2);
          expect((await store.recentIntervals(deviceId, 10)).length).toBe(3);
          expect(await store.sumRollupsByDevice('hour', T0, T0 + HOUR_MS, [deviceId])).toMatchObject([
            { activeMs: 45 * MINUTE_MS },
          ]);
        }),
      );
      it(
        'reads the intervals overlapping a range for many devices: newest first per device, edges exact, display and power as stored',
        withStore(async (store) => {
          const a = await seedDevice(store);
          const b = await seedDevice(store, { groupId: a.groupId });
          const lists = new Map<number, Interval[]>();
          for (const [n, dev] of [a, b].entries()) {
            const list: Interval[] = [];
            for (let k = 0; k < 8; k++)
              list.push({
                start: T0 + k * 10 * MINUTE_MS + n * MINUTE_MS,
                end: T0 + (k + 1) * 10 * MINUTE_MS - (k % 2 ? 0 : 2 * MINUTE_MS) + n * MINUTE_MS,
                state: k % 3 === 0 ? 'active' : k % 3 === 1 ? 'idle' : 'asleep',
                ...(k % 2 ? { display: k % 4 === 1 ? 'on' : 'off' } : {}),
                ...(k % 3 ? { power: k % 3 === 1 ? 'ac' : 'battery' } : {}),
              } as Interval);
            await store.commitIngest(reportWrite(await stateOf(store, dev.deviceId), 1, list, dev.groupId));
            lists.set(dev.deviceId, list);
          }
          const ids = [a.deviceId, b.deviceId].sort((x, y) => x - y);
          const expected = (from: number, to: number) =>
            ids.flatMap((id) =>
              lists
                .get(id)!
                .filter((i) => i.end > from && i.start < to)
                .reverse()
                .map((i) => ({ deviceId: id, ...i })),
            );
          // a range whose start falls inside an interval, ends exactly where one starts, and one that
          // starts exactly where an interval ends
          for (const [from, to] of [
            [T0 + 15 * MINUTE_MS, T0 + 60 * MINUTE_MS],
            [T0 + 18 * MINUTE_MS, T0 + 50 * MINUTE_MS],
            [T0 - HOUR_MS, T0 + 2 * HOUR_MS],
            [T0 + 79 * MINUTE_MS, T0 + 3 * HOUR_MS],
            [T0 + 2 * HOUR_MS, T0 + 3 * HOUR_MS],
          ] as const) {
            const got = await store.intervalsOverlapping(ids, from, to);
            expect(got, `[${from - T0}, ${to - T0})`).toEqual(expected(from, to));
            for (const iv of got) for (const k of ['display', 'power'] as const) expect(iv[k]).not.toBeNull();
          }
          expect(await store.intervalsOverlapping([], T0, T0 + HOUR_MS)).toEqual([]);
        }),
      );
    });

    describe('device lifecycle: purchases and battery history', () => {
      it(
        "stores purchases all or nothing, replaces a device's record and exports and erases it with the device",
        withStore(async (store) => {
          const a = await seedDevice(store);
          const b = await seedDevice(store, { groupId: a.groupId });
          const rowA = {
            deviceId: a.deviceId,
            purchaseDate: '2022-08-15',
            priceCents: 64_900,
            warrantyEnd: '2025-08-15',
          };
          const rowB = {
            deviceId: b.deviceId,
            purchaseDate: '2021-01-04',
            priceCents: null,
            warrantyEnd: null,
          };
          expect(await store.putPurchases([rowA, rowB], T0)).toBe(2);
          expect(await store.listPurchases()).toEqual([
            { ...rowA, importedAt: T0 },
            { ...rowB, importedAt: T0 },
          ]);
          expect(await store.listPurchases([b.deviceId, 99_999])).toEqual([{ ...rowB, importedAt: T0 }]);
          expect(await store.listPurchases([])).toEqual([]);

          // a batch naming an unknown device fails whole: b's record is not replaced
          const newB = { ...rowB, purchaseDate: '2023-03-01', priceCents: 50_000 };
          await expect(store.putPurchases([newB, { ...rowA, deviceId: 99_999 }], T0 + 1)).rejects.toThrow();
          expect(await store.listPurchases([b.deviceId])).toEqual([{ ...rowB, importedAt: T0 }]);
          expect(await store.putPurchases([newB], T0 + 2)).toBe(1);
          expect(await store.listPurchases([b.deviceId])).toEqual([{ ...newB, importedAt: T0 + 2 }]);

          expect((await store.exportDevice(a.deviceId))?.purchase).toEqual({
            purchase_date: '2022-08-15',
            price_cents: 64_900,
            warranty_end: '2025-08-15',
            imported_at: T0,
          });
          expect((await store.exportDevice(b.deviceId))?.purchase).toMatchObject({ price_cents: 50_000 });
          await store.eraseDevice(a.deviceId);
          expect((await store.listPurchases()).map((p) => p.deviceId)).toEqual([b.deviceId]);
        }),
      );

      it(
        'adds earlier battery months without overwriting a month that has a reading, oldest first per device',
        withStore(async (store) => {
          const a = await seedDevice(store);
          const b = await seedDevice(store, { groupId: a.groupId });
          const march = { month: '2026-03', healthPct: 91, cycleCount: 120, at: T0 };
          expect(await store.addBatteryHistory(a.deviceId, [march])).toBe(1);
          expect(
            await store.addBatteryHistory(a.deviceId, [
              { month: '2026-01', healthPct: 95, cycleCount: null, at: T0 - 60 * DAY_MS },
              { ...march, healthPct: 10 },
            ]),
          ).toBe(1);
          const readings = await store.batteryReadingsOf([a.deviceId, b.deviceId]);
          expect([...readings.keys()]).toEqual([a.deviceId]);
          expect(readings.get(a.deviceId)).toEqual([
            { month: '2026-01', healthPct: 95, cycleCount: null, at: T0 - 60 * DAY_MS },
            march,
          ]);
          expect((await store.batteryReadingsOf([])).size).toBe(0);
        }),
      );
    });

    describe('blocker history', () => {
      const span = (deviceId: number, name: string, start: number, end: number | null) => ({
        deviceId,
        name,
        kind: 'process' as const,
        possible: name.endsWith('?'),
        blocks: name.startsWith('vlc') ? ['display', 'system'] : null,
        start,
        end,
      });

      it(
        'writes spans with the batch, closes open ones by id, caps them per device-day, prunes closed old ones and exports and erases them with the device',
        withStore(async (store) => {
          const a = await seedDevice(store);
          const b = await seedDevice(store, { groupId: a.groupId });
          // a console that had no reports when the history began records from its first report
          expect(await store.blockerHistoryFrom()).toBe(0);
          await store.commitIngest({
            ...emptyWrite(),
            blockerSpans: {
              close: [],
              insert: [
                span(a.deviceId, 'vlc.exe', T0, null),
                span(a.deviceId, 'Teams.exe?', T0 - DAY_MS, T0 - DAY_MS + HOUR_MS),
                span(b.deviceId, 'vlc.exe', T0 + HOUR_MS, T0 + 2 * HOUR_MS),
              ],
              maxPerDeviceDay: 3,
            },
          });
          const open = await store.openBlockerSpans([a.deviceId, b.deviceId]);
          expect(open).toEqual([{ id: expect.any(Number), ...span(a.deviceId, 'vlc.exe', T0, null) }]);
          expect(
            (
              await store.blockerSpansOverlapping([a.deviceId, b.deviceId], T0 - HOUR_MS, T0 + 3 * HOUR_MS)
            ).map((s) => [s.deviceId, s.name, s.start, s.end]),
          ).toEqual([
            [a.deviceId, 'vlc.exe', T0, null],
            [b.deviceId, 'vlc.exe', T0 + HOUR_MS, T0 + 2 * HOUR_MS],
          ]);
          const old = await store.blockerSpansOverlapping([a.deviceId], T0 - DAY_MS, T0 - DAY_MS + 1);
          expect(old).toEqual([
            { id: expect.any(Number), ...span(a.deviceId, 'Teams.exe?', T0 - DAY_MS, T0 - DAY_MS + HOUR_MS) },
          ]);

          // close vlc (guarded by device) and open four more on one day with room for two under the cap
          await store.commitIngest({
            ...emptyWrite(),
            blockerSpans: {
              close: [
                { id: open[0]!.id, deviceId: a.deviceId, end: T0 + 10 * MINUTE_MS },
                { id: open[0]!.id, deviceId: b.deviceId, end: T0 + 99 * MINUTE_MS },
              ],
              insert: [1, 2, 3, 4].map((k) =>
                span(a.deviceId, `p${k}.exe`, T0 + k * HOUR_MS, T0 + k * HOUR_MS + MINUTE_MS),
              ),
              maxPerDeviceDay: 3,
            },
          });
          expect(await store.openBlockerSpans([a.deviceId])).toEqual([]);
          const today = await store.blockerSpansOverlapping([a.deviceId], T0, T0 + DAY_MS - 8 * HOUR_MS);
          expect(today.map((s) => [s.name, s.end])).toEqual([
            ['vlc.exe', T0 + 10 * MINUTE_MS],
            ['p1.exe', T0 + HOUR_MS + MINUTE_MS],
            ['p2.exe', T0 + 2 * HOUR_MS + MINUTE_MS],
          ]);

          // a batch whose device conflicts writes no spans either
          const stale = await stateOf(store, a.deviceId);
          await store.commitIngest(
            reportWrite(stale, 1, [{ start: T0, end: T0 + MINUTE_MS, state: 'active' }], a.groupId),
          );
          await expect(
            store.commitIngest({
              ...reportWrite(
                stale,
                2,
                [{ start: T0 + MINUTE_MS, end: T0 + 2 * MINUTE_MS, state: 'active' }],
                a.groupId,
              ),
              blockerSpans: {
                close: [],
                insert: [span(a.deviceId, 'x.exe', T0 + 2 * DAY_MS, null)],
                maxPerDeviceDay: 3,
              },
            }),
          ).rejects.toBeInstanceOf(IngestConflictError);
          expect(await store.openBlockerSpans([a.deviceId])).toEqual([]);

          // raw retention: closed spans that ended before the cutoff go, open ones stay
          await store.commitIngest({
            ...emptyWrite(),
            blockerSpans: {
              close: [],
              insert: [span(b.deviceId, 'old.exe', T0 - 3 * DAY_MS, null)],
              maxPerDeviceDay: 3,
            },
          });
          expect(await store.pruneBlockerSpans(T0)).toBe(1);
          expect((await store.openBlockerSpans([b.deviceId])).map((s) => s.name)).toEqual(['old.exe']);

          const exported = await store.exportDevice(a.deviceId);
          expect(exported?.blockerSpans.map((s) => [s.name, s.possible, s.blocks])).toEqual([
            ['vlc.exe', false, ['display', 'system']],
            ['p1.exe', false, null],
            ['p2.exe', false, null],
          ]);
          expect(await store.eraseDevice(a.deviceId)).toMatchObject({ blockerSpans: 3, devices: 1 });
          expect(await store.blockerSpansOverlapping([a.deviceId], 0, T0 + 10 * DAY_MS)).toEqual([]);
          expect(await store.blockerSpansOverlapping([b.deviceId], 0, T0 + 10 * DAY_MS)).toHaveLength(2);
        }),
      );
    });

    describe('policy-status history', () => {
      it(
        'records every policy status and every hello naming an etag, caps them per device-day, prunes all but the latest and exports and erases them with the device',
        withStore(async (store) => {
          const a = await seedDevice(store);
          const b = await seedDevice(store, { groupId: a.groupId });
          expect(await store.policyStatusHistoryFrom()).toBe(0);
          await store.recordHello(a.deviceId, { agentVersion: '1.0.0', now: T0 });
          await store.recordHello(a.deviceId, { agentVersion: '1.0.0', policyEtag: 'e0', now: T0 + 1 });
          await store.setPolicyStatus(a.deviceId, {
            etag: 'e1',
            ok: false,
            applied: {},
            errors: [{ code: 'overridden_by_policy', message: 'C:\\Users\\x: locked by GPO' }],
            at: T0 + 2,
          });
          // through the ingest batch as the gateway writes it
          await store.commitIngest({
            ...emptyWrite(),
            updates: [
              {
                kind: 'policyStatus',
                deviceId: a.deviceId,
                etag: 'e1',
                ok: true,
                applied: {},
                errors: [],
                at: T0 + 3,
              },
            ],
          });
          await store.setPolicyStatus(b.deviceId, {
            etag: 'e1',
            ok: true,
            applied: {},
            errors: [],
            at: T0 + 4,
          });
          const events = await store.policyStatusHistory([a.deviceId, b.deviceId], T0 + 10);
          expect(events.filter((e) => e.deviceId === a.deviceId)).toEqual([
            { deviceId: a.deviceId, kind: 'hello', etag: 'e0', ok: null, errorCodes: [], at: T0 + 1 },
            {
              deviceId: a.deviceId,
              kind: 'status',
              etag: 'e1',
              ok: false,
              errorCodes: ['overridden_by_policy'],
              at: T0 + 2,
            },
            { deviceId: a.deviceId, kind: 'status', etag: 'e1', ok: true, errorCodes: [], at: T0 + 3 },
          ]);
          expect(await store.policyStatusHistory([a.deviceId], T0 + 2)).toHaveLength(1);
          // a device reconnecting all day records at most POLICY_STATUS_EVENTS_PER_DEVICE_DAY events
          for (let k = 0; k < 60; k++)
            await store.recordHello(b.deviceId, {
              agentVersion: '1.0.0',
              policyEtag: 'e1',
              now: T0 + 10 + k,
            });
          const bEvents = await store.policyStatusHistory([b.deviceId], T0 + DAY_MS);
          expect(bEvents).toHaveLength(50);
          // pruning keeps each device's latest event of each kind
          expect(await store.prunePolicyStatusHistory(T0 + DAY_MS)).toBe(1 + 48);
          expect(
            (await store.policyStatusHistory([a.deviceId, b.deviceId], T0 + DAY_MS)).map((e) => [
              e.deviceId,
              e.kind,
              e.at,
            ]),
          ).toEqual(
            [
              [a.deviceId, 'hello', T0 + 1],
              [a.deviceId, 'status', T0 + 3],
              [b.deviceId, 'status', T0 + 4],
              [b.deviceId, 'hello', T0 + 58],
            ].sort((x, y) => Number(x[0]) - Number(y[0]) || Number(x[2]) - Number(y[2])),
          );
          const exported = await store.exportDevice(a.deviceId);
          expect(exported?.policyStatusHistory).toHaveLength(2);
          expect(JSON.stringify(exported?.policyStatusHistory)).not.toContain('GPO');
          expect(await store.eraseDevice(a.deviceId)).toMatchObject({ policyStatusEvents: 2, devices: 1 });
          expect(await store.policyStatusHistory([a.deviceId], T0 + DAY_MS)).toEqual([]);
        }),
      );
    });

    describe('impact: school calendars, policy history, waste per device-hour', () => {
      const calendar = {
        timeZone: 'Europe/Amsterdam',
        schoolHours: { mon: { start: '08:30', end: '15:30' }, fri: { start: '08:30', end: '12:00' } },
        vacations: [{ name: 'Herfstvakantie', start: '2026-10-17', end: '2026-10-25' }],
        holidays: [{ date: '2026-04-27', name: 'Koningsdag' }],
        studyDays: [],
      };

      it(
        'keeps one calendar per school group, replaces it and forgets it with the group',
        withStore(async (store) => {
          const { groupId } = await seedDevice(store);
          const other = await store.createGroup({
            name: 'Andere school',
            parentId: null,
            kind: 'school',
            timeZone: null,
            excludedReason: null,
            now: T0,
          });
          expect(await store.getSchoolCalendar(groupId)).toBeUndefined();
          expect(await store.putSchoolCalendar(groupId, calendar, T0)).toEqual({
            groupId,
            calendar,
            updatedAt: T0,
          });
          await store.putSchoolCalendar(
            other.id,
            { ...calendar, studyDays: [{ date: '2026-03-09', name: 'Studiedag' }] },
            T0,
          );
          const changed = { ...calendar, vacations: [] };
          await store.putSchoolCalendar(groupId, changed, T0 + 5);
          expect(await store.getSchoolCalendar(groupId)).toEqual({
            groupId,
            calendar: changed,
            updatedAt: T0 + 5,
          });
          expect((await store.listSchoolCalendars()).map((c) => c.groupId)).toEqual([groupId, other.id]);
          expect(await store.deleteSchoolCalendar(groupId)).toBe(true);
          expect(await store.deleteSchoolCalendar(groupId)).toBe(false);
          expect(await store.deleteGroup(other.id)).toBe('deleted');
          expect(await store.listSchoolCalendars()).toEqual([]);
        }),
      );

      it(
        'records policy history oldest first, filters by group or device and re-dates rows',
        withStore(async (store) => {
          const row = {
            groupId: 7,
            deviceId: null,
            policyId: 3,
            policyName: 'Standaard',
            auditOnly: false,
            excludedReason: null,
            settings: { sleepAfterSec: { ac: 1800, battery: 900 } },
            etag: 'e1',
            at: T0 + 2,
            firstRecord: true,
          };
          await store.appendPolicyHistory([
            row,
            {
              ...row,
              groupId: null,
              deviceId: 42,
              policyId: null,
              policyName: null,
              auditOnly: true,
              etag: 'e2',
              at: T0 + 1,
              firstRecord: false,
            },
            { ...row, groupId: 8, excludedReason: 'lab', etag: 'e3', at: T0 + 3 },
          ]);
          const all = await store.listPolicyHistory();
          expect(all.map((h) => h.etag)).toEqual(['e2', 'e1', 'e3']);
          expect(all[1]).toEqual({ ...row, id: all[1]!.id });
          expect(all[0]).toMatchObject({ deviceId: 42, groupId: null, auditOnly: true, firstRecord: false });
          expect((await store.listPolicyHistory({ groupIds: [8] })).map((h) => h.etag)).toEqual(['e3']);
          expect(
            (await store.listPolicyHistory({ groupIds: [7], deviceIds: [42] })).map((h) => h.etag),
          ).toEqual(['e2', 'e1']);
          expect(await store.listPolicyHistory({ groupIds: [] })).toEqual([]);
          await store.datePolicyHistory([all[0]!.id], T0 + 10);
          expect((await store.listPolicyHistory()).map((h) => h.etag)).toEqual(['e1', 'e3', 'e2']);
        }),
      );

      it(
        'gives the recorded waste per device and hour within [from, to), only hours with data',
        withStore(async (store) => {
          const { deviceId, groupId } = await seedDevice(store);
          const other = await seedDevice(store, { groupId });
          const row = (id: number, hour: number, wasteWh: number): DeviceRollupDelta => ({
            deviceId: id,
            bucket: hour,
            ...amounts(0, 10 * MINUTE_MS, wasteWh, wasteWh),
          });
          await store.commitIngest({
            ...emptyWrite(),
            deviceHours: [
              row(deviceId, T0, 1.5),
              row(deviceId, T0 + 2 * HOUR_MS, 2),
              row(other.deviceId, T0, 4),
            ],
          });
          expect(await store.wastePerDeviceHour([other.deviceId, deviceId], T0, T0 + 2 * HOUR_MS)).toEqual([
            { deviceId: other.deviceId, hour: T0, wasteWh: 4 },
            { deviceId, hour: T0, wasteWh: 1.5 },
          ]);
          expect(await store.wastePerDeviceHour([deviceId], T0 + HOUR_MS, T0 + 3 * HOUR_MS)).toEqual([
            { deviceId, hour: T0 + 2 * HOUR_MS, wasteWh: 2 },
          ]);
          expect(await store.wastePerDeviceHour([], T0, T0 + HOUR_MS)).toEqual([]);
        }),
      );
    });

    describe('settings', () => {
      it(
        'gives defaults for what was never set and keeps what is put',
        withStore(async (store) => {
          expect(await store.getSettings()).toEqual({
            priceEurPerKwh: 0.25,
            gridKgPerKwh: 0.27,
            rawRetentionDays: 90,
          });
          const next = { priceEurPerKwh: 0.3, gridKgPerKwh: 0.2, rawRetentionDays: 30 };
          expect(await store.putSettings(next)).toEqual(next);
          expect(await store.getSettings()).toEqual(next);
        }),
      );
    });
  });
}
