// The JavaScript example of docs/testing-with-roster.md, run by
// tests/compat/run.sh: `ROSTER_BIN=target/debug/roster node --test examples/node/`.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startRoster } from './roster.mjs';

const seed = fileURLToPath(new URL('team.yaml', import.meta.url));
let site;

before(async () => {
  site = await startRoster({ seed: [seed] });
});
after(() => site.stop());
beforeEach(async () => {
  assert.equal((await site.call('POST', '/rest/roster/1.0/reset', {})).status, 200);
  await site.call('DELETE', '/rest/roster/1.0/requests');
  await site.call('DELETE', '/rest/roster/1.0/faults');
});

test('a seeded user signs in with the token the fixture gives', async () => {
  const basic = 'Basic ' + Buffer.from('ann@example.com:rst_example-ann-token-0001').toString('base64');
  const r = await fetch(`${site.url}/wiki/rest/api/user/current`, { headers: { Authorization: basic } });
  assert.equal(r.status, 200);
  assert.equal((await r.json()).displayName, 'Ann Lee');
});

test('the diff says exactly what a test changed, and a reset undoes it', async () => {
  await site.call('POST', '/wiki/rest/api/group', { name: 'synced' });
  await site.call('PUT', '/rest/api/user/bo/group/team');
  const diff = (await site.call('GET', '/rest/roster/1.0/diff')).body;
  assert.deepEqual(diff.groups.created, ['synced']);
  assert.deepEqual(diff.memberships.added.map((m) => [m.group, m.username]), [['team', 'bo']]);
  await site.call('POST', '/rest/roster/1.0/reset', {});
  const clean = (await site.call('GET', '/rest/roster/1.0/diff')).body;
  assert.deepEqual([clean.groups.created, clean.memberships.added], [[], []]);
});

test('the journal answers what the client sent', async () => {
  await site.call('GET', '/wiki/rest/api/group?limit=5');
  await site.call('GET', '/wiki/rest/api/group?limit=5');
  const count = await site.call('POST', '/rest/roster/1.0/requests/count', { method: 'GET', route: '/wiki/rest/api/group' });
  assert.equal(count.body.count, 2);
});

test('an injected 429 carries Retry-After, once', async () => {
  const rule = { method: 'GET', route: '/wiki/rest/api/group', action: 'status', status: 429, retryAfter: 2, times: 1 };
  assert.equal((await site.call('POST', '/rest/roster/1.0/faults', rule)).status, 201);
  const limited = await site.call('GET', '/wiki/rest/api/group');
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '2');
  assert.equal((await site.call('GET', '/wiki/rest/api/group')).status, 200);
});
