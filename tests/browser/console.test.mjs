// End-to-end test of the web console in a real browser: Debian's chromium,
// headless, driven by playwright-core, against a running roster started by
// run.sh (which passes its address and credentials in the environment).
//
// An admin signs in (e-mail and API token), creates a group, adds a member,
// sees the group among that user's groups, removes the membership, pages
// through a large group and deletes a group; then a plain user signs in
// (username and password) and can change nothing.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
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

const suffix = Math.random().toString(36).slice(2, 8);
const GROUP = `console-e2e-${suffix}`;
const DOOMED = `console-doomed-${suffix}`;

/** Calls the API directly (as a second client) to check what the UI did. */
async function apiCall(who, method, path, body) {
  const headers = { Authorization: 'Basic ' + Buffer.from(`${who.login}:${who.secret}`).toString('base64') };
  if (body) headers['Content-Type'] = 'application/json';
  const r = await fetch(`${URL_}/wiki/rest/api/${path}`, { method, headers, body: body && JSON.stringify(body) });
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
  await hasText(page.getByRole('status'), `Created group ${GROUP}.`);
  await hasText(page.getByRole('heading', { level: 1 }), GROUP);
  await hasText(page.locator('.member-count'), '0 members');
  assert.equal((await apiCall(ADMIN, 'GET', `group/by-name?name=${q(GROUP)}`)).status, 200);

  // A second create with the same name shows the API's own message.
  const dup = await apiCall(ADMIN, 'POST', 'group', { name: GROUP.toUpperCase() });
  assert.equal(dup.status, 400); // createGroup has no 409 in Atlassian's description
  await page.getByLabel('New group name').fill(GROUP.toUpperCase());
  await page.getByRole('button', { name: 'Create group' }).click();
  await hasText(page.getByRole('alert'), dup.body.message);

  // Add a member through the type-ahead user picker.
  await page.getByLabel('Find a user to add').fill(MEMBER.split(' ')[0]);
  await page.getByRole('button', { name: `Add ${MEMBER} to ${GROUP}` }).click();
  await hasText(page.getByRole('status'), `${MEMBER} is a member of ${GROUP}.`);
  await hasText(page.locator('.member-count'), '1 member');
  const members = page.getByRole('table', { name: `Members of ${GROUP}` });
  await members.getByRole('link', { name: MEMBER }).waitFor();

  // The user's page lists the group.
  await members.getByRole('link', { name: MEMBER }).click();
  await hasText(page.getByRole('heading', { level: 1 }), MEMBER);
  const groups = page.getByRole('list', { name: `Groups of ${MEMBER}` });
  await groups.getByRole('link', { name: GROUP }).waitFor();
  const accountId = await page.locator('.meta .mono').textContent();
  const memberOf = async () =>
    (await apiCall(ADMIN, 'GET', `user/memberof?accountId=${q(accountId)}&limit=200`)).body.results.map((g) => g.name);
  assert.ok((await memberOf()).includes(GROUP));

  // Remove the membership from the user's page.
  await page.getByRole('button', { name: `Remove ${MEMBER} from ${GROUP}` }).click();
  await hasText(page.getByRole('status'), `Removed ${MEMBER} from ${GROUP}.`);
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
  await page.getByRole('dialog').getByRole('button', { name: 'Delete group' }).click();
  await hasText(page.getByRole('status'), `Deleted group ${DOOMED}.`);
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
  await hasText(page.getByRole('alert'), forbidden.body.message);
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
