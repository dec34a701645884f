// @ts-check
// roster from npm: `npm install --save-dev roster-server confluence.js`, then `node --test`.
// One roster per test file, started by the package's launcher with a seed fixture,
// reset to it before each test, driven by confluence.js as an integration would be.
// tests/package/npm.sh runs this against freshly packed tarballs.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { ConfluenceClient } from 'confluence.js';
import { RosterStartError, startRoster } from 'roster-server';

/** @type {import('roster-server').RosterSite} */
let site;
/** @type {ConfluenceClient} */
let client;

before(async () => {
  site = await startRoster({ seed: new URL('team.yaml', import.meta.url) });
  client = new ConfluenceClient({
    host: site.url,
    authentication: { basic: { email: site.admin.login, apiToken: site.admin.token } },
  });
});
after(() => site.stop());
beforeEach(async () => {
  await site.reset(); // back to team.yaml
  await site.journal.clear();
  await site.faults.clear();
});

/** @param {string} name the group's members' display names, as confluence.js lists them */
async function members(name) {
  const page = await client.group.getMembersByQueryParam({ name, start: 0, limit: 50 });
  return page.results.map((u) => u.displayName).sort();
}

/** @param {string} name a fixture user's account id, found as a client would: by CQL search */
async function accountIdOf(name) {
  const found = await client.search.searchUser({ cql: `type=user and user.fullname ~ "${name}"` });
  // roster answers with each result's `user`, which confluence.js's SearchResult type leaves out.
  const id = /** @type {any} */ (found.results[0])?.user?.accountId;
  assert.ok(id, `no user named ${name}`);
  return id;
}

test('confluence.js lists the seeded members of a group', async () => {
  assert.deepEqual(await members('team'), ['Ann Lee']);
  assert.deepEqual(await members('reviewers'), ['Ann Lee', 'Bo Park']);
});

test('adding a user to a group shows in the diff and in the journal', async () => {
  const bo = await accountIdOf('Bo Park');
  await client.group.addUserToGroup({ name: 'team', accountId: bo });
  assert.deepEqual(await members('team'), ['Ann Lee', 'Bo Park']);

  const diff = await site.diff();
  assert.deepEqual(
    diff.memberships.added.map((m) => [m.group, m.username, m.accountId]),
    [['team', 'bo', bo]],
  );
  assert.deepEqual(diff.memberships.removed, []);
  assert.deepEqual(diff.groups, { created: [], deleted: [] });

  // What confluence.js sent: one POST of the membership, as the admin, with bo's account id.
  const matcher = { method: 'POST', route: '/wiki/rest/api/group/user' };
  assert.equal(await site.journal.count(matcher), 1);
  const [entry] = (await site.journal.list({ ...matcher, limit: 10 })).results;
  assert.equal(entry.status, 201);
  assert.deepEqual(entry.query, { name: 'team' });
  assert.equal(entry.caller?.email, site.admin.login);
  assert.ok(entry.body?.includes(bo));
  assert.deepEqual(entry.changes.map((c) => c.action), ['member.add']);
});

test('a reset undoes what the previous test did', async () => {
  // Each test starts from the seed: bo, added above, is gone again.
  assert.deepEqual(await members('team'), ['Ann Lee']);
  await client.group.removeMemberFromGroup({ name: 'reviewers', accountId: await accountIdOf('Ann Lee') });
  assert.equal((await site.diff()).memberships.removed.length, 1);

  const reset = await site.reset();
  assert.deepEqual(reset.changes.memberships, { added: 1, removed: 0 });
  assert.equal((await site.diff()).empty, true);
  assert.deepEqual(await members('reviewers'), ['Ann Lee', 'Bo Park']);
});

test('confluence.js meets an injected 429, and the next call goes through', async () => {
  const [rule] = await site.faults.add({
    method: 'GET',
    route: '/wiki/rest/api/group/member',
    action: 'status',
    status: 429,
    retryAfter: 1,
    times: 1,
  });
  // confluence.js does not retry: it rejects with Confluence's error body.
  await assert.rejects(members('team'), (/** @type {any} */ body) => {
    assert.equal(body.statusCode, 429);
    return true;
  });
  assert.deepEqual(await members('team'), ['Ann Lee']);

  const faulted = (await site.journal.list({ faulted: true })).results;
  assert.deepEqual(
    faulted.map((e) => [e.method, e.path, e.status, e.fault?.kind, e.fault?.rule]),
    [['GET', '/wiki/rest/api/group/member', 429, 'status', rule.id]],
  );
  const [after] = await site.faults.list();
  assert.equal(after.fired, 1);
});

test('a fixture user signs in with the token the fixture gives', async () => {
  const ann = new ConfluenceClient({
    host: site.url,
    authentication: { basic: { email: 'ann@example.com', apiToken: 'rst_example-ann-token-0001' } },
  });
  const me = await ann.users.getCurrentUser();
  assert.equal(me.displayName, 'Ann Lee');
  assert.equal(await site.journal.count({ caller: 'ann', route: '/wiki/rest/api/user/current' }), 1);
});

test('a roster that cannot start rejects with its own message', async () => {
  await assert.rejects(startRoster({ seed: 'no-such-fixture.yaml' }), (e) => {
    assert.ok(e instanceof RosterStartError);
    assert.match(e.message, /roster: cannot open .*no-such-fixture\.yaml/);
    assert.equal(e.code, 1);
    return true;
  });
});
