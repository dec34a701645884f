// The console's only way to roster: its REST APIs, every call signed with
// the Basic credentials of this browser tab. Reads and group changes go to
// the Cloud dialect (/wiki/rest/api); creating, deactivating, reactivating
// and deleting users to the DC dialect's admin routes (/rest/api/admin/user);
// what no dialect offers (searching by username or e-mail, tokens, filtered
// members) to roster's own /rest/roster/1.0. The server decides every
// permission; the console only mirrors them.

const KEY = 'roster.console.session';

// Relative to the page (/console/), so a proxy prefix in front of roster works.
const BASE = new URL('../wiki/rest/api/', document.baseURI);
const DC = new URL('../rest/api/', document.baseURI);
const ROSTER = new URL('../rest/roster/1.0/', document.baseURI);

/** An answer other than 2xx, carrying the message of the API's error body. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

// UTF-8 safe base64 (btoa alone only takes Latin-1).
function base64(text) {
  let binary = '';
  for (const b of new TextEncoder().encode(text)) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** The signed-in session, kept in sessionStorage only (gone with the tab). */
export const session = {
  get() {
    try {
      return JSON.parse(sessionStorage.getItem(KEY));
    } catch {
      return null;
    }
  },
  header(login, secret) {
    return 'Basic ' + base64(`${login}:${secret}`);
  },
  save(data) {
    sessionStorage.setItem(KEY, JSON.stringify(data));
  },
  clear() {
    sessionStorage.removeItem(KEY);
  },
};

let unauthorized = () => {};
/** Called when a signed call answers 401 (token revoked, password changed). */
export function onUnauthorized(fn) {
  unauthorized = fn;
}

async function call(method, path, { query = {}, body, signal, auth, base = BASE } = {}) {
  const url = new URL(path, base);
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
  }
  const headers = { Accept: 'application/json' };
  const authorization = auth ?? session.get()?.authorization;
  if (authorization) headers.Authorization = authorization;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  // The XSRF rule guards cookie- and form-borne requests; these carry an
  // explicit Authorization header, which no cross-site form can send.
  if (method !== 'GET') headers['X-Atlassian-Token'] = 'no-check';
  let resp;
  try {
    // credentials: 'omit' keeps the browser's own Basic-auth prompt away
    // on a 401; the Authorization header is ours and is still sent.
    resp = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, `Cannot reach roster: ${e.message}`);
  }
  const text = await resp.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!resp.ok) {
    const message = typeof json?.message === 'string' && json.message ? json.message : `${resp.status} ${resp.statusText}`;
    const err = new ApiError(resp.status, message);
    if (resp.status === 401 && !auth) unauthorized(err);
    throw err;
  }
  return json;
}

/** CQL for a full-name search; every word must start a word of the display name. */
export function userCql(text) {
  const words = text.trim();
  if (!words) return 'type=user';
  return `type=user and user.fullname ~ "${words.replace(/[\\"]/g, '\\$&')}"`;
}

const total = { shouldReturnTotalSize: true };

// roster's own pages carry a total instead of Cloud's `_links.next`; the
// pagers read the latter, so it is added.
const withNext = (p) => ({ ...p, _links: p.start + p.size < p.totalSize ? { next: true } : {} });

export const api = {
  current: (auth) => call('GET', 'user/current', { query: { expand: 'operations' }, auth }),
  user: (accountId) => call('GET', 'user', { query: { accountId } }),
  searchUsers: (text, start, limit, signal) =>
    call('GET', 'search/user', { query: { cql: userCql(text), start, limit }, signal }),
  // The picker needs a query; an empty box lists all groups, paged by name.
  searchGroups: (text, start, limit, signal) =>
    text.trim()
      ? call('GET', 'group/picker', { query: { query: text.trim(), start, limit, ...total }, signal })
      : call('GET', 'group', { query: { start, limit, ...total }, signal }),
  group: (name) => call('GET', 'group/by-name', { query: { name } }),
  members: (name, start, limit) => call('GET', 'group/member', { query: { name, start, limit, ...total } }),
  memberOf: (accountId, start, limit) => call('GET', 'user/memberof', { query: { accountId, start, limit, ...total } }),
  addMember: (name, accountId) => call('POST', 'group/user', { query: { name }, body: { accountId } }),
  removeMember: (name, accountId) => call('DELETE', 'group/user', { query: { name, accountId } }),
  createGroup: (name) => call('POST', 'group', { body: { name } }),
  deleteGroup: (name) => call('DELETE', 'group', { query: { name } }),

  // Site admins only (roster's own routes): a whole username or e-mail, or
  // the starts of name words; and a group's members filtered the same way.
  findUsers: (text, start, limit, signal) =>
    call('GET', 'users', { base: ROSTER, query: { query: text.trim() || undefined, start, limit }, signal }).then(withNext),
  adminUser: (accountId) => call('GET', `users/${encodeURIComponent(accountId)}`, { base: ROSTER }),
  findMembers: (name, filter, start, limit, signal) =>
    call('GET', 'group-members', { base: ROSTER, query: { name, filter: filter.trim() || undefined, start, limit }, signal }),
  issueToken: (accountId, label) =>
    call('POST', `users/${encodeURIComponent(accountId)}/tokens`, { base: ROSTER, body: { label } }),
  revokeTokens: (accountId) => call('DELETE', `users/${encodeURIComponent(accountId)}/tokens`, { base: ROSTER }),

  // Users by username, through the DC dialect's admin routes.
  createUser: async ({ username, fullName, email, password }) => {
    const body = { userName: username, fullName, email };
    if (password) body.password = password;
    else body.notifyViaEmail = true; // no password: the account signs in with tokens only
    const { userKey } = await call('POST', 'admin/user', { base: DC, body });
    return call('GET', 'user', { query: { key: userKey } });
  },
  setActive: (username, active) =>
    call('PUT', `admin/user/${encodeURIComponent(username)}/${active ? 'enable' : 'disable'}`, { base: DC }),
  deleteUser: (username) => call('DELETE', `admin/user/${encodeURIComponent(username)}`, { base: DC }),

  // The audit log, newest first: text in any field and a time range.
  audit: ({ search, from, to }, start, limit) =>
    call('GET', 'audit', { query: { searchString: search || undefined, startDate: from, endDate: to, start, limit } }),
};

/** Whether a `user/current?expand=operations` answer is a site admin's. */
export function isSiteAdmin(user) {
  return (user?.operations ?? []).some((o) => o.operation === 'administer' && o.targetType === 'application');
}
