// Entry point: signing in and out, the sidebar searches, group creation and
// the hash router that fills the detail pane: #/group/NAME,
// #/user/ACCOUNT_ID, and for site admins #/new-user and #/audit?q=&from=&to=.

import { api, session, isSiteAdmin, onUnauthorized } from './api.js';
import { h, clearMessages, feedback, act, busy, navigate, messagesOnNavigation } from './dom.js';
import { typeahead } from './search.js';
import { showGroup, groupHref, userHref } from './group.js';
import { showUser } from './user.js';
import { showNewUser } from './newuser.js';
import { showAudit } from './audit.js';

const $ = (id) => document.getElementById(id);

let ctx = null; // { admin, groupsChanged, usersChanged } once signed in
let userSearch = null;
let groupSearch = null;

function showSignIn(message) {
  ctx = null;
  session.clear();
  $('app-view').hidden = true;
  $('who').hidden = true;
  $('sign-in-view').hidden = false;
  $('detail').replaceChildren();
  clearMessages();
  createGroupFb.clear();
  const err = $('sign-in-error');
  err.textContent = message ?? '';
  err.hidden = !message;
  $('secret').value = '';
  $('login').focus();
}

function showApp(me) {
  const admin = isSiteAdmin(me);
  ctx = { admin, groupsChanged: () => groupSearch.refresh(), usersChanged: () => userSearch.refresh() };
  $('sign-in-view').hidden = true;
  $('app-view').hidden = false;
  $('who').hidden = false;
  $('who-name').textContent = me.displayName;
  $('who-role').textContent = admin ? 'site admin' : 'read-only';
  $('who-role').className = admin ? 'badge admin' : 'badge';

  // Site admins search names, usernames and e-mails (roster's own route);
  // everyone else full names (Cloud's CQL user search).
  userSearch = typeahead({
    label: 'Search users',
    noun: 'users',
    pageSize: 10,
    placeholder: admin ? 'Name, username or e-mail…' : 'Full name…',
    fetchPage: admin ? api.findUsers : api.searchUsers,
    item: (r) => {
      const u = r.user ?? r;
      const sub = [u.email || u.accountId, u.active === false ? 'deactivated' : null].filter(Boolean).join(' · ');
      return { title: u.displayName, sub, href: userHref(u.accountId) };
    },
  });
  groupSearch = typeahead({
    label: 'Search groups',
    noun: 'groups',
    pageSize: 10,
    placeholder: 'Part of a name…',
    fetchPage: api.searchGroups,
    item: (g) => ({ title: g.name, href: groupHref(g.name) }),
  });
  $('user-search').replaceChildren($('user-search-title'), userSearch.element, $('admin-links'));
  $('admin-links').hidden = !admin;
  $('group-search').replaceChildren($('group-search-title'), groupSearch.element, $('create-group-form'));

  // Non-admins see the form disabled: the server would refuse anyway.
  $('new-group-name').disabled = !admin;
  $('create-group').disabled = !admin;
  $('create-group-hint').hidden = admin;

  userSearch.refresh();
  groupSearch.refresh();
  route();
}

async function signIn(ev) {
  ev.preventDefault();
  const login = $('login').value.trim();
  const secret = $('secret').value;
  if (!login || !secret) {
    $('sign-in-error').textContent = 'Enter your e-mail or username and an API token or password.';
    $('sign-in-error').hidden = false;
    return;
  }
  const authorization = session.header(login, secret);
  await busy(ev.submitter ?? $('sign-in-form').querySelector('button'), async () => {
    try {
      const me = await api.current(authorization);
      if (!me?.accountId) throw new Error('This server allows anonymous access but did not accept these credentials.');
      session.save({ login, authorization });
      $('secret').value = '';
      $('sign-in-error').hidden = true;
      showApp(me);
    } catch (e) {
      $('sign-in-error').textContent = e.message;
      $('sign-in-error').hidden = false;
    }
  });
}

// The create-group form answers under itself (it stays on screen).
const createGroupFb = feedback();
$('create-group-form').append(createGroupFb.element);

async function createGroup(ev) {
  ev.preventDefault();
  const input = $('new-group-name');
  const name = input.value;
  if (!name.trim()) {
    createGroupFb.error(new Error('Enter a name for the new group.'));
    return input.focus();
  }
  await act($('create-group'), createGroupFb, async () => {
    const g = await api.createGroup(name);
    input.value = '';
    createGroupFb.ok(`Created group ${g.name}.`);
    groupSearch.refresh();
    navigate(groupHref(g.name));
  });
  // act() re-enables the button; keep it disabled for non-admins.
  $('create-group').disabled = !ctx?.admin;
}

function welcome() {
  return h('section', { class: 'panel welcome' },
    h('h1', { tabindex: '-1' }, 'Users and groups'),
    h('p', {}, 'Search on the left, then pick a user to see their groups or a group to see its members.'),
    ctx.admin ? h('p', {}, 'As a site admin you can also ', h('a', { href: '#/new-user' }, 'create users'),
      ', deactivate, reactivate and delete them, manage their API tokens, and read the ', h('a', { href: '#/audit' }, 'audit log'), '.') : null,
    h('p', { class: 'muted' }, 'Keyboard: / jumps to the user search; ↓ and ↑ move through results; Esc clears a search box.'),
    ctx.admin ? null : h('p', { class: 'note' }, 'You are not a site admin, so the console is read-only for you.'));
}

let routed = 0;
async function route() {
  if (!ctx) return;
  const mine = ++routed;
  const detail = $('detail');
  const [path, search = ''] = location.hash.replace(/^#/, '').split('?');
  const [, kind, ...rest] = path.split('/');
  const arg = decodeURIComponent(rest.join('/'));
  const shell = h('div', {});
  if (kind === 'group' && arg) await showGroup(shell, arg, ctx);
  else if (kind === 'user' && arg) await showUser(shell, arg, ctx);
  else if (kind === 'new-user' && ctx.admin) showNewUser(shell, ctx);
  else if (kind === 'audit' && ctx.admin) await showAudit(shell, new URLSearchParams(search));
  else shell.append(welcome());
  if (mine !== routed) return; // a later navigation won
  detail.replaceChildren(shell);
  // Narrow screens show a routed page above the searches (style.css).
  $('app-view').classList.toggle('routed', shell.firstChild?.classList?.contains('welcome') !== true);
  const title = shell.querySelector('h1')?.textContent;
  document.title = title && kind ? `${title} · roster console` : 'roster console';
  // Move focus to the new page (for keyboard and screen-reader users),
  // unless the user is typing in a box.
  if (!document.activeElement?.matches('input, textarea')) shell.querySelector('h1')?.focus({ preventScroll: true });
}

document.addEventListener('keydown', (ev) => {
  const typing = ev.target.closest?.('input, textarea, select, [contenteditable]');
  if (ev.key === '/' && !typing && ctx && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
    ev.preventDefault();
    userSearch.focus();
  }
});

$('sign-in-form').addEventListener('submit', signIn);
$('create-group-form').addEventListener('submit', createGroup);
$('sign-out').addEventListener('click', () => showSignIn());
window.addEventListener('hashchange', () => {
  messagesOnNavigation();
  route();
});
onUnauthorized((e) => showSignIn(`Signed out: ${e.message}`));

async function boot() {
  const saved = session.get();
  if (!saved?.authorization) return showSignIn();
  try {
    showApp(await api.current(saved.authorization));
  } catch (e) {
    showSignIn(e.status === 401 ? 'Your session ended; sign in again.' : e.message);
  }
}
boot();
