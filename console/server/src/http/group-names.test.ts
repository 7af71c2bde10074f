import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestConsole, type TestConsole } from '../test-support.js';

let t: TestConsole;
let itToken: string;

beforeAll(async () => {
  t = await startTestConsole();
  itToken = await t.userToken('it');
});

afterAll(async () => {
  await t.close();
});

const call = (method: 'POST' | 'PATCH', path: string, body: unknown) =>
  t.api(method, path, { token: itToken, body });

describe('group names under one parent', () => {
  it('refuses a second group with the same name under the same parent, ignoring case and spaces', async () => {
    const school = await call('POST', '/api/v1/groups', { name: 'De Linde', kind: 'school' });
    expect(school.status).toBe(201);
    const room = await call('POST', '/api/v1/groups', { name: 'Lokaal 1', parentId: school.body.id });
    expect(room.status).toBe(201);
    const twin = await call('POST', '/api/v1/groups', { name: '  lokaal 1 ', parentId: school.body.id });
    expect(twin.status).toBe(409);
    expect(twin.body.error.code).toBe('conflict');
    expect(twin.body.error.details).toMatchObject({ reason: 'duplicate_name', groupId: room.body.id });
    // the same name elsewhere is fine
    const other = await call('POST', '/api/v1/groups', { name: 'De Eik', kind: 'school' });
    expect((await call('POST', '/api/v1/groups', { name: 'Lokaal 1', parentId: other.body.id })).status).toBe(
      201,
    );
    const names = (await t.api('GET', '/api/v1/groups', { token: itToken })).body.map(
      (g: { name: string }) => g.name,
    );
    expect(names.filter((n: string) => n.trim().toLowerCase() === 'lokaal 1')).toHaveLength(2);
  });

  it('refuses a rename or a move onto a sibling name and changes nothing', async () => {
    const school = await call('POST', '/api/v1/groups', { name: 'Het Anker', kind: 'school' });
    const a = await call('POST', '/api/v1/groups', { name: 'Aula', parentId: school.body.id });
    const b = await call('POST', '/api/v1/groups', { name: 'Gym', parentId: school.body.id });
    const rename = await call('PATCH', `/api/v1/groups/${b.body.id}`, { name: 'AULA' });
    expect(rename.status).toBe(409);
    expect(rename.body.error.details.reason).toBe('duplicate_name');
    const elsewhere = await call('POST', '/api/v1/groups', { name: 'Het Kompas', kind: 'school' });
    const aula2 = await call('POST', '/api/v1/groups', { name: 'Aula', parentId: elsewhere.body.id });
    const move = await call('PATCH', `/api/v1/groups/${aula2.body.id}`, { parentId: school.body.id });
    expect(move.status).toBe(409);
    const after = (await t.api('GET', `/api/v1/groups/${aula2.body.id}`, { token: itToken })).body;
    expect(after.parentId).toBe(elsewhere.body.id);
    // renaming a group to its own name (other case) is fine
    expect((await call('PATCH', `/api/v1/groups/${a.body.id}`, { name: 'aula' })).status).toBe(200);
  });
});
