// End-to-end test of the web console in a real browser: Debian's chromium,
// headless, driven by playwright-core, against a running roster started by
// run.sh (which passes its address and credentials in the environment).
//
// An admin signs in (e-mail and API token), creates a group, adds a member,
// sees the group among that user's groups, removes the membership, pages
// through a large group and deletes a group; administers a user's whole life
// (create, find by e-mail, deactivate, reactivate, a token shown once and
// used, revoked and refused, delete after a confirmation); filters and pages
// a group of 5,000; filters the audit log; and uses the console on a
// phone-sized screen. Then a plain user signs in (username and password)
// and can change nothing. Every step leaves a screenshot in
// $ROSTER_SCREENSHOTS (a test artefact).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run this through tests/browser/run.sh)`);
  return v;
};
const URL_ = env('ROSTER_URL');
const ADMIN = { login: env('ROSTER_ADMIN_LOGIN'), secret: env('ROSTER_ADMIN_TOKEN') };
const PLAIN = { login: env('ROSTER_PLAIN_LOGIN'), secret: env('ROSTER_PLAIN_TOKEN') };
// The same plain user, signing in to the console by username and password.
const PLAIN_PASSWORD = { login: env('ROSTER_PLAIN_USERNAME'), secret: env('ROSTER_PLAIN_PASSWORD') };
const MEMBER = env('ROSTER_MEMBER_NAME'); // display name of a seeded user
const BIG_GROUP = env('ROSTER_BIG_GROUP'); // seeded group with more than one page of members
const BIG_COUNT = Number(env('ROSTER_BIG_COUNT'));
const CROWD = env('ROSTER_CROWD_GROUP'); // seeded group of thousands: "Crowd Member 0001"...
const CROWD_COUNT = Number(env('ROSTER_CROWD_COUNT'));
const SHOTS = env('ROSTER_SCREENSHOTS');
mkdirSync(SHOTS, { recursive: true });

const suffix = Math.random().toString(36).slice(2, 8);
const GROUP = `console-e2e-${suffix}`;
const DOOMED = `console-doomed-${suffix}`;

/** Calls the API directly (as a second client) to check what the UI did. */
async function apiCall(who, method, path, body) {
  const headers = { Authorization: 'Basic ' + Buffer.from(`${who.login}:${who.secret}`).toString('base64') };
  if (body) headers['Content-Type'] = 'application/json';
  const url = path.startsWith('/') ? `${URL_}${path}` : `${URL_}/wiki/rest/api/${path}`;
  const r = await fetch(url, { method, headers, body: body && JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}
const q = encodeURIComponent;

let context;
let profile;

before(async () => {
  profile = mkdtempSync(join(tmpdir(), 'roster-chromium-'));
  // A persistent context is how playwright takes a --user-data-dir of our own.
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  context.setDefaultTimeout(15_000);
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function signIn(page, who) {
  await page.goto(`${URL_}/console`);
  await page.getByLabel('E-mail or username').fill(who.login);
  await page.getByLabel('API token or password').fill(who.secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Collects script errors and policy violations (refused API calls are expected). */
function watch(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  return errors;
}

/** Waits until `locator` holds exactly `text` (trimmed). */
async function hasText(locator, text) {
  await locator.filter({ hasText: text }).first().waitFor();
  assert.equal((await locator.first().textContent()).trim(), text);
}

/** Waits for a visible message `text` with `role` (status or alert) inside `scope`. */
async function says(scope, text, role = 'status') {
  const m = scope.getByRole(role).filter({ hasText: text });
  await m.first().waitFor();
  assert.equal((await m.first().textContent()).trim(), text);
}

let shot = 0;
/** Keeps a screenshot of the page as it is now (a numbered test artefact). */
async function snap(page, name) {
  shot += 1;
  await page.screenshot({ path: join(SHOTS, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
}

/** Confirms (or cancels) the open confirmation dialog. */
async function answer(page, button) {
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await dialog.getByRole('button', { name: button, exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
}

test('an admin manages a group and its members in the console', async () => {
  const page = await context.newPage();
  const errors = watch(page);

  await signIn(page, ADMIN);
  await hasText(page.locator('#who-role'), 'site admin');
  // Nothing is kept anywhere but this tab's sessionStorage.
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage)), []);
  assert.ok(await page.evaluate(() => sessionStorage.length === 1));

  // Create a group.
  await page.getByLabel('New group name').fill(GROUP);
  await page.getByRole('button', { name: 'Create group' }).click();
  const createForm = page.locator('#create-group-form');
  await says(createForm, `Created group ${GROUP}.`);
  await hasText(page.getByRole('heading', { level: 1 }), GROUP);
  await hasText(page.locator('.member-count'), '0 members');
  assert.equal((await apiCall(ADMIN, 'GET', `group/by-name?name=${q(GROUP)}`)).status, 200);

  // A second create with the same name shows the API's own message.
  const dup = await apiCall(ADMIN, 'POST', 'group', { name: GROUP.toUpperCase() });
  assert.equal(dup.status, 400); // createGroup has no 409 in Atlassian's description
  await page.getByLabel('New group name').fill(GROUP.toUpperCase());
  await page.getByRole('button', { name: 'Create group' }).click();
  // The refusal is shown under the form that was used.
  await says(createForm, dup.body.message, 'alert');
  await snap(page, 'create-group-refused');

  // Add a member through the type-ahead user picker.
  await page.getByLabel('Find a user to add').fill(MEMBER.split(' ')[0]);
  await page.getByRole('button', { name: `Add ${MEMBER} to ${GROUP}` }).click();
  await says(page.getByRole('region', { name: 'Add a member' }), `${MEMBER} is a member of ${GROUP}.`);
  await hasText(page.locator('.member-count'), '1 member');
  const members = page.getByRole('table', { name: `Members of ${GROUP}` });
  await members.getByRole('link', { name: MEMBER }).waitFor();

  // The user's page lists the group.
  await members.getByRole('link', { name: MEMBER }).click();
  await hasText(page.getByRole('heading', { level: 1 }), MEMBER);
  const groups = page.getByRole('list', { name: `Groups of ${MEMBER}` });
  await groups.getByRole('link', { name: GROUP }).waitFor();
  const accountId = await page.locator('.meta .mono[title="Account ID"]').textContent();
  const memberOf = async () =>
    (await apiCall(ADMIN, 'GET', `user/memberof?accountId=${q(accountId)}&limit=200`)).body.results.map((g) => g.name);
  assert.ok((await memberOf()).includes(GROUP));

  // Remove the membership from the user's page.
  await page.getByRole('button', { name: `Remove ${MEMBER} from ${GROUP}` }).click();
  await says(page.getByRole('region', { name: 'Groups' }), `Removed ${MEMBER} from ${GROUP}.`);
  await groups.getByRole('link', { name: GROUP }).waitFor({ state: 'detached' });
  assert.ok(!(await memberOf()).includes(GROUP));

  // Keyboard: "/" jumps to the user search, arrows reach the results.
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.labels?.[0]?.textContent), 'Search users');
  await page.keyboard.type(MEMBER);
  await page.locator('#user-search .result').filter({ hasText: MEMBER }).first().waitFor();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await hasText(page.getByRole('heading', { level: 1 }), MEMBER);

  // Put the member back from the user's side, for the read-only checks.
  await page.getByLabel('Find a group to add this user to').fill(GROUP);
  await page.getByRole('button', { name: `Add ${MEMBER} to ${GROUP}` }).click();
  await groups.getByRole('link', { name: GROUP }).waitFor();
  assert.ok((await memberOf()).includes(GROUP));

  // A group larger than a page: the count comes from the API, pages turn.
  await page.getByLabel('Search groups').fill(BIG_GROUP);
  await page.locator('#group-search').getByRole('link', { name: BIG_GROUP, exact: true }).click();
  await hasText(page.locator('.member-count'), `${BIG_COUNT} members`);
  const range = page.locator('.panel .pager .range');
  await hasText(range, `1–25 of ${BIG_COUNT}`);
  await page.getByRole('button', { name: 'Next members' }).click();
  await hasText(range, `26–${Math.min(50, BIG_COUNT)} of ${BIG_COUNT}`);

  // Delete a group, confirming in the dialog.
  await page.getByLabel('New group name').fill(DOOMED);
  await page.getByRole('button', { name: 'Create group' }).click();
  await hasText(page.getByRole('heading', { level: 1 }), DOOMED);
  await page.getByRole('button', { name: 'Delete group' }).click();
  await snap(page, 'delete-group-confirmation');
  await answer(page, 'Delete group');
  await says(page.locator('.messages'), `Deleted group ${DOOMED}.`);
  assert.equal((await apiCall(ADMIN, 'GET', `group/by-name?name=${q(DOOMED)}`)).status, 404);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('E-mail or username').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a plain user can look but not change anything', async () => {
  const page = await context.newPage();
  const errors = watch(page);

  // A wrong secret is refused with the API's message.
  const refused = await apiCall({ login: PLAIN.login, secret: 'wrong' }, 'GET', 'user/current');
  assert.equal(refused.status, 401);
  await page.goto(`${URL_}/console`);
  await page.getByLabel('E-mail or username').fill(PLAIN.login);
  await page.getByLabel('API token or password').fill('wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await hasText(page.locator('#sign-in-error'), refused.body.message);

  await signIn(page, PLAIN_PASSWORD);
  await hasText(page.locator('#who-role'), 'read-only');
  await hasText(page.locator('#who-name'), 'Pat Plain');

  // The group page shows members but no way to change them.
  await page.getByLabel('Search groups').fill(GROUP);
  await page.locator('#group-search').getByRole('link', { name: GROUP, exact: true }).click();
  await hasText(page.getByRole('heading', { level: 1 }), GROUP);
  const members = page.getByRole('table', { name: `Members of ${GROUP}` });
  await members.getByRole('link', { name: MEMBER }).waitFor();
  assert.equal(await page.getByRole('button', { name: /Remove|Delete/ }).count(), 0);
  assert.equal(await page.getByLabel('Find a user to add').count(), 0);
  await page.getByText('Read-only: only site admins can change members.').waitFor();

  // The user page too.
  await members.getByRole('link', { name: MEMBER }).click();
  await page.getByRole('list', { name: `Groups of ${MEMBER}` }).getByRole('link', { name: GROUP }).waitFor();
  assert.equal(await page.getByRole('button', { name: /Remove|Delete/ }).count(), 0);
  assert.equal(await page.getByLabel('Find a group to add this user to').count(), 0);

  // Creating a group is disabled; forced on, the server still refuses it.
  assert.ok(await page.getByLabel('New group name').isDisabled());
  assert.ok(await page.getByRole('button', { name: 'Create group' }).isDisabled());
  const sneaky = `console-sneaky-${suffix}`;
  const forbidden = await apiCall(PLAIN, 'POST', 'group', { name: `${sneaky}-direct` });
  assert.equal(forbidden.status, 403);
  await page.evaluate(() => {
    document.getElementById('new-group-name').disabled = false;
    document.getElementById('create-group').disabled = false;
  });
  await page.getByLabel('New group name').fill(sneaky);
  await page.getByRole('button', { name: 'Create group' }).click();
  await says(page.locator('#create-group-form'), forbidden.body.message, 'alert');
  assert.equal((await apiCall(ADMIN, 'GET', `group/by-name?name=${q(sneaky)}`)).status, 404);
  assert.ok(await page.getByRole('button', { name: 'Create group' }).isDisabled());

  // The membership the admin made is still there.
  assert.equal(
    (await apiCall(ADMIN, 'GET', `group/member?name=${q(GROUP)}&shouldReturnTotalSize=true`)).body.totalSize,
    1,
  );
  assert.deepEqual(errors, []);
  await page.close();
});

const NEWBIE = {
  name: `Nia Newcomer ${suffix}`,
  username: `nia-${suffix}`,
  email: `nia-${suffix}@example.com`,
};

test('an admin creates, finds, deactivates, reactivates, tokens and deletes a user', async () => {
  const page = await context.newPage();
  const errors = watch(page);
  await signIn(page, ADMIN);

  // Create a user (no password: token-only).
  await page.getByRole('link', { name: '+ New user' }).click();
  await hasText(page.getByRole('heading', { level: 1 }), 'New user');
  const form = page.getByRole('form', { name: 'New user' });
  // A missing field is named under the form, before any request.
  await form.getByRole('button', { name: 'Create user' }).click();
  await says(form, 'Enter a full name, a username, an e-mail address.', 'alert');
  await page.getByLabel('Full name', { exact: true }).fill(NEWBIE.name);
  await page.getByLabel('Username', { exact: true }).fill(NEWBIE.username);
  await page.getByLabel('E-mail', { exact: true }).fill(NEWBIE.email);
  await snap(page, 'new-user-form');
  await form.getByRole('button', { name: 'Create user' }).click();
  await says(page.locator('.messages'), `Created user ${NEWBIE.name}.`);
  await hasText(page.getByRole('heading', { level: 1 }), NEWBIE.name);
  await hasText(page.locator('.account-status'), 'active');
  const accountId = (await page.locator('.meta .mono[title="Account ID"]').textContent()).trim();
  const created = await apiCall(ADMIN, 'GET', `user?accountId=${q(accountId)}`);
  assert.equal(created.body.displayName, NEWBIE.name);

  // The same username again: the API's refusal, under the form.
  const dupe = await apiCall(ADMIN, 'POST', '/rest/api/admin/user', {
    userName: NEWBIE.username, fullName: 'Someone Else', email: `other-${suffix}@example.com`, notifyViaEmail: true,
  });
  assert.equal(dupe.status, 409);
  await page.getByRole('link', { name: '+ New user' }).click();
  await page.getByLabel('Full name', { exact: true }).fill('Someone Else');
  await page.getByLabel('Username', { exact: true }).fill(NEWBIE.username);
  await page.getByLabel('E-mail', { exact: true }).fill(`other-${suffix}@example.com`);
  await page.getByRole('form', { name: 'New user' }).getByRole('button', { name: 'Create user' }).click();
  await says(page.getByRole('form', { name: 'New user' }), dupe.body.message, 'alert');

  // Search by e-mail (server-side), then by username.
  const search = page.getByLabel('Search users');
  await search.fill(NEWBIE.email.toUpperCase());
  const hit = page.locator('#user-search .result').filter({ hasText: NEWBIE.name });
  await hit.first().waitFor();
  await hasText(page.locator('#user-search .count'), `1 user matching “${NEWBIE.email.toUpperCase()}”`);
  await snap(page, 'search-by-email');
  await search.fill(NEWBIE.username);
  await hit.first().waitFor();
  await hit.first().click();
  await hasText(page.getByRole('heading', { level: 1 }), NEWBIE.name);

  // Deactivate: asked first; cancelling changes nothing.
  const account = page.getByRole('region', { name: 'Account' });
  await account.getByRole('button', { name: `Deactivate ${NEWBIE.name}` }).click();
  await snap(page, 'deactivate-confirmation');
  await answer(page, 'Cancel');
  assert.equal((await apiCall(ADMIN, 'GET', `user?accountId=${q(accountId)}`)).body.accountStatus, 'active');
  await account.getByRole('button', { name: `Deactivate ${NEWBIE.name}` }).click();
  await answer(page, 'Deactivate');
  await says(account, `${NEWBIE.name} is deactivated.`);
  await hasText(page.locator('.account-status'), 'deactivated');
  assert.equal((await apiCall(ADMIN, 'GET', `user?accountId=${q(accountId)}`)).body.accountStatus, 'inactive');
  await snap(page, 'deactivated');

  // Reactivate: nothing is taken away, so no question.
  await account.getByRole('button', { name: `Reactivate ${NEWBIE.name}` }).click();
  await says(account, `${NEWBIE.name} is active again.`);
  await hasText(page.locator('.account-status'), 'active');
  assert.equal((await apiCall(ADMIN, 'GET', `user?accountId=${q(accountId)}`)).body.accountStatus, 'active');

  // Issue a token: shown once, and it works for a real API call.
  const tokens = page.getByRole('region', { name: 'API tokens' });
  await hasText(tokens.locator('.token-count'), `${NEWBIE.name} holds 0 API tokens.`);
  await tokens.getByLabel('Token label').fill('browser test');
  await tokens.getByRole('button', { name: 'Issue token' }).click();
  await says(tokens, 'Issued token “browser test”.');
  const token = (await tokens.getByLabel('New API token').textContent()).trim();
  assert.ok(token.length >= 20, token);
  await hasText(tokens.locator('.token-count'), `${NEWBIE.name} holds 1 API token.`);
  await snap(page, 'token-shown-once');
  const holder = { login: NEWBIE.email, secret: token };
  // The new user has product access (the default access group), so the token reads.
  const me = await apiCall(holder, 'GET', 'user/current');
  assert.equal(me.status, 200);
  assert.equal(me.body.accountId, accountId);
  // Shown once: after a reload it is nowhere on the page.
  await page.reload();
  await hasText(page.getByRole('heading', { level: 1 }), NEWBIE.name);
  await hasText(tokens.locator('.token-count'), `${NEWBIE.name} holds 1 API token.`);
  assert.ok(!(await page.content()).includes(token), 'the token is not shown again');

  // Revoke: asked first; afterwards the same call is refused.
  await tokens.getByRole('button', { name: 'Revoke all tokens' }).click();
  await answer(page, 'Revoke tokens');
  await says(tokens, 'Revoked 1 token.');
  await hasText(tokens.locator('.token-count'), `${NEWBIE.name} holds 0 API tokens.`);
  assert.equal((await apiCall(holder, 'GET', 'user/current')).status, 401);
  await snap(page, 'tokens-revoked');

  // Delete: cancelling keeps the user, confirming deletes them.
  await account.getByRole('button', { name: `Delete ${NEWBIE.name}` }).click();
  await answer(page, 'Cancel');
  await says(account, 'Nothing was deleted.');
  assert.equal((await apiCall(ADMIN, 'GET', `user?accountId=${q(accountId)}`)).status, 200);
  await account.getByRole('button', { name: `Delete ${NEWBIE.name}` }).click();
  await snap(page, 'delete-user-confirmation');
  await answer(page, 'Delete user');
  await says(page.locator('.messages'), `Deleted user ${NEWBIE.name}.`);
  await hasText(page.getByRole('heading', { level: 1 }), 'Users and groups');
  assert.equal((await apiCall(ADMIN, 'GET', `user?accountId=${q(accountId)}`)).status, 404);

  // An action refused by the server answers beside its button: deactivating
  // an account that another client deleted meanwhile.
  const gone = `gone-${suffix}`;
  const made = await apiCall(ADMIN, 'POST', '/rest/api/admin/user', {
    userName: gone, fullName: `Gone ${suffix}`, email: `${gone}@example.com`, notifyViaEmail: true,
  });
  assert.equal(made.status, 201);
  const goneUser = (await apiCall(ADMIN, 'GET', `user?key=${made.body.userKey}`)).body;
  await page.goto(`${URL_}/console/#/user/${q(goneUser.accountId)}`);
  await hasText(page.getByRole('heading', { level: 1 }), `Gone ${suffix}`);
  const refusal = await apiCall(ADMIN, 'DELETE', `/rest/api/admin/user/${gone}`);
  assert.equal(refusal.status, 202);
  const again = await apiCall(ADMIN, 'PUT', `/rest/api/admin/user/${gone}/enable`);
  await page.getByRole('region', { name: 'Account' }).getByRole('button', { name: `Deactivate Gone ${suffix}` }).click();
  await answer(page, 'Deactivate');
  await says(page.getByRole('region', { name: 'Account' }), again.body.message, 'alert');
  await snap(page, 'error-beside-action');

  assert.deepEqual(errors, []);
  await page.close();
});

test('an admin filters and pages a group of thousands without loading it', async () => {
  const page = await context.newPage();
  const errors = watch(page);
  // Every member request the page makes, to prove none asks for everyone.
  const limits = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.endsWith('/group-members') || u.pathname.endsWith('/group/member')) limits.push(Number(u.searchParams.get('limit')));
  });
  await signIn(page, ADMIN);
  await page.goto(`${URL_}/console/#/group/${q(CROWD)}`);
  await hasText(page.locator('.member-count'), `${CROWD_COUNT.toLocaleString('en-US')} members`);
  const members = page.getByRole('region', { name: 'Members' });
  const range = members.locator('.pager .range');
  const total = CROWD_COUNT.toLocaleString('en-US');
  await hasText(range, `1–25 of ${total}`);
  // The last page in one click, any page by its number.
  await members.getByRole('button', { name: 'Last members' }).click();
  await hasText(range, `${(CROWD_COUNT - 24).toLocaleString('en-US')}–${total} of ${total}`);
  const table = page.getByRole('table', { name: `Members of ${CROWD}` });
  await table.getByRole('link', { name: `Crowd Member ${String(CROWD_COUNT).padStart(4, '0')}` }).waitFor();
  await members.getByLabel('Page of members').fill('100');
  await members.getByLabel('Page of members').press('Enter');
  await hasText(range, `2,476–2,500 of ${total}`);
  await table.getByRole('link', { name: 'Crowd Member 2476' }).waitFor();
  await snap(page, 'large-group-page-100');
  await members.getByRole('button', { name: 'First members' }).click();
  await hasText(range, `1–25 of ${total}`);

  // Filter on the server: by a name word, then by e-mail.
  const filter = members.getByLabel('Filter members');
  await filter.fill('crowd member 49');
  await hasText(members.locator('.count'), '100 members match “crowd member 49”');
  await hasText(range, '1–25 of 100');
  await members.getByRole('button', { name: 'Next members' }).click();
  await hasText(range, '26–50 of 100');
  await table.getByRole('link', { name: 'Crowd Member 4925' }).waitFor();
  await filter.fill('crowd4321@example.com');
  await hasText(members.locator('.count'), '1 member matches “crowd4321@example.com”');
  await table.getByRole('link', { name: 'Crowd Member 4321' }).waitFor();
  assert.equal(await table.getByRole('row').count(), 2); // header and the one member
  await snap(page, 'large-group-filtered');
  await filter.fill('nobody-at-all');
  await page.getByText('No member matches this filter.').waitFor();

  assert.ok(limits.length > 0 && limits.every((l) => l > 0 && l <= 25), `page sizes asked: ${limits}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('an admin reads the audit log with filters', async () => {
  const page = await context.newPage();
  const errors = watch(page);
  await signIn(page, ADMIN);
  await page.getByRole('link', { name: 'Audit log', exact: true }).click();
  await hasText(page.getByRole('heading', { level: 1 }), 'Audit log');
  const records = page.getByRole('table', { name: 'Audit records' });
  await records.getByRole('row').nth(1).waitFor();

  // Text: the revocation of the earlier test, and only token records.
  await page.getByLabel('Text', { exact: true }).fill(`token.revoke`);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await records.getByText('API tokens revoked').first().waitFor();
  const whats = await records.locator('tbody tr td:nth-child(3)').allTextContents();
  assert.ok(whats.length > 0 && whats.every((w) => w === 'API tokens revoked'), whats.join(', '));
  assert.match(page.url(), /#\/audit\?q=token.revoke$/);
  await snap(page, 'audit-filtered-by-text');

  // Text and a time range: today finds the records, a day long past none.
  await page.getByLabel('Text', { exact: true }).fill(NEWBIE.name);
  const today = new Date();
  const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
  await page.getByLabel('From', { exact: true }).fill(day);
  await page.getByLabel('To', { exact: true }).fill(day);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await records.getByText('User created').first().waitFor();
  await records.getByText('User deleted').first().waitFor();
  await page.getByLabel('From', { exact: true }).fill('2001-01-01');
  await page.getByLabel('To', { exact: true }).fill('2001-01-02');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByText('No audit records match these filters.').waitFor();
  await snap(page, 'audit-no-match');

  // A filtered view survives a reload: the filters are in the address.
  await page.reload();
  assert.equal(await page.getByLabel('Text', { exact: true }).inputValue(), NEWBIE.name);
  assert.equal(await page.getByLabel('From', { exact: true }).inputValue(), '2001-01-01');
  await page.getByText('No audit records match these filters.').waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('the console fits a narrow screen', async () => {
  const page = await context.newPage();
  const errors = watch(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, ADMIN);
  const fits = async (what) => {
    const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(scroll <= inner, `${what}: ${scroll}px wide in a ${inner}px screen`);
  };
  await fits('home');
  await snap(page, 'narrow-home');
  await page.getByLabel('Search users').fill(MEMBER);
  await page.locator('#user-search .result').filter({ hasText: MEMBER }).first().click();
  await hasText(page.getByRole('heading', { level: 1 }), MEMBER);
  await page.getByRole('region', { name: 'API tokens' }).waitFor();
  await fits('user page');
  await snap(page, 'narrow-user');
  await page.goto(`${URL_}/console/#/group/${q(CROWD)}`);
  await hasText(page.locator('.pager .range').first(), `1–25 of ${CROWD_COUNT.toLocaleString('en-US')}`);
  await fits('large group');
  await snap(page, 'narrow-group');
  await page.goto(`${URL_}/console/#/audit`);
  await page.getByRole('table', { name: 'Audit records' }).waitFor();
  await fits('audit log');
  await snap(page, 'narrow-audit');
  await page.goto(`${URL_}/console/#/new-user`);
  await page.getByLabel('Full name', { exact: true }).waitFor();
  await fits('new user');
  assert.deepEqual(errors, []);
  await page.close();
});

test('screenshots at 1280×800 are kept', async () => {
  const page = await context.newPage();
  await signIn(page, ADMIN);
  await page.getByLabel('Search users').fill(MEMBER);
  await page.locator('#user-search .result').filter({ hasText: MEMBER }).first().click();
  await page.getByRole('region', { name: 'API tokens' }).waitFor();
  await snap(page, 'wide-user');
  await page.goto(`${URL_}/console/#/audit`);
  await page.getByRole('table', { name: 'Audit records' }).waitFor();
  await snap(page, 'wide-audit');
  await page.close();
});
