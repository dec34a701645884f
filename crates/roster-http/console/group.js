// The group page: its member count and its members one page at a time
// (a page number to jump to, so a group of 5,000 is not 200 clicks); for
// site admins a member filter (by name, username or e-mail, on the server),
// adding and removing members and deleting the group, each action's answer
// shown beside it.

import { api } from './api.js';
import { h, fmt, announce, showError, jumpPager, confirmAction, feedback, act, navigate, debounce } from './dom.js';
import { typeahead } from './search.js';

const PAGE = 25;

export const groupHref = (name) => `#/group/${encodeURIComponent(name)}`;
export const userHref = (accountId) => `#/user/${encodeURIComponent(accountId)}`;

// One shape for both sources: roster's admin page and Cloud's member page.
const fromAdmin = (p) => ({ start: p.start, size: p.size, total: p.totalSize, users: p.results });
const fromCloud = (p) => ({
  start: p.start ?? 0,
  size: p.size ?? p.results?.length ?? 0,
  total: p.totalSize ?? 0,
  users: (p.results ?? []).map((u) => ({ ...u, active: u.accountStatus === 'active' })),
});

/** Renders group `name` into `root`. ctx: { admin, groupsChanged() }. */
export async function showGroup(root, name, ctx) {
  let group;
  try {
    group = await api.group(name);
  } catch (e) {
    root.replaceChildren(h('h1', { tabindex: '-1' }, name), h('p', { class: 'empty' }, e.message));
    showError(e);
    return;
  }
  const count = h('span', { class: 'member-count' });
  const table = h('div', { class: 'table-wrap' });
  const pages = h('div', { class: 'pages' });
  const membersFb = feedback();
  const filter = h('input', { id: 'member-filter', type: 'search', autocomplete: 'off', spellcheck: 'false', placeholder: 'Name, username or e-mail…' });
  let start = 0;
  let controller = null;

  async function loadMembers(from) {
    controller?.abort();
    const mine = (controller = new AbortController());
    const text = ctx.admin ? filter.value : '';
    const page = ctx.admin
      ? fromAdmin(await api.findMembers(group.name, text, from, PAGE, mine.signal))
      : fromCloud(await api.members(group.name, from, PAGE));
    if (mine !== controller) return;
    if (page.users.length === 0 && from > 0) return loadMembers(page.total > 0 ? Math.floor((page.total - 1) / PAGE) * PAGE : 0);
    start = page.start;
    if (!text.trim()) count.textContent = `${fmt(page.total)} ${page.total === 1 ? 'member' : 'members'}`;
    table.replaceChildren(membersTable(page.users, text));
    pages.replaceChildren(page.total > PAGE ? jumpPager({ ...page, limit: PAGE, label: 'members', go: loadMembers }) : '');
    if (text.trim()) pages.prepend(h('p', { class: 'count' }, `${fmt(page.total)} ${page.total === 1 ? 'member matches' : 'members match'} “${text.trim()}”`));
  }
  const reload = () => loadMembers(start).catch((e) => membersFb.error(e));

  function membersTable(users, text) {
    if (users.length === 0) return h('p', { class: 'empty' }, text.trim() ? 'No member matches this filter.' : 'This group has no members.');
    return h(
      'table',
      { 'aria-label': `Members of ${group.name}` },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col', class: 'wide-only' }, 'E-mail'),
        h('th', { scope: 'col' }, 'Status'), ctx.admin ? h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')) : null)),
      h('tbody', {}, users.map((u) => h('tr', {},
        h('td', {}, h('a', { href: userHref(u.accountId) }, u.displayName)),
        h('td', { class: 'wide-only' }, u.email || h('span', { class: 'muted' }, 'hidden')),
        h('td', {}, u.active ? 'active' : h('span', { class: 'badge off' }, 'deactivated')),
        ctx.admin ? h('td', { class: 'actions' }, h('button', {
          type: 'button',
          class: 'quiet danger-text',
          'aria-label': `Remove ${u.displayName} from ${group.name}`,
          onclick: (ev) => act(ev.currentTarget, membersFb, async () => {
            await api.removeMember(group.name, u.accountId);
            membersFb.ok(`Removed ${u.displayName} from ${group.name}.`);
            await loadMembers(start);
          }),
        }, 'Remove')) : null,
      ))),
    );
  }

  const deleteFb = feedback();
  const head = h('header', { class: 'detail-head' },
    h('div', {},
      h('p', { class: 'kind' }, 'Group'),
      h('h1', { tabindex: '-1' }, group.name),
      h('p', { class: 'meta' }, count, ' · ', h('span', { class: 'mono', title: 'Group ID' }, group.id))),
    ctx.admin ? h('div', { class: 'head-actions' }, h('button', {
      type: 'button',
      class: 'danger',
      onclick: async (ev) => {
        const button = ev.currentTarget;
        const ok = await confirmAction(`Delete the group “${group.name}” and all its memberships? This cannot be undone.`, 'Delete group');
        if (!ok) return button.focus();
        await act(button, deleteFb, async () => {
          await api.deleteGroup(group.name);
          // The page goes away with the group: the answer moves to the top.
          announce(`Deleted group ${group.name}.`);
          ctx.groupsChanged();
          navigate('#/');
        });
      },
    }, 'Delete group'), deleteFb.element) : null);

  const parts = [head];
  if (ctx.admin) {
    const addFb = feedback();
    const picker = typeahead({
      label: 'Find a user to add',
      noun: 'users',
      pageSize: 8,
      placeholder: 'Name, username or e-mail…',
      fetchPage: api.findUsers,
      item: (u) => ({ title: u.displayName, sub: u.email || u.accountId }),
      pickLabel: (u) => `Add ${u.displayName} to ${group.name}`,
      onPick: async (u) => {
        addFb.clear();
        try {
          await api.addMember(group.name, u.accountId);
          addFb.ok(`${u.displayName} is a member of ${group.name}.`);
          await loadMembers(start);
        } catch (e) {
          addFb.error(e);
        }
      },
    });
    parts.push(h('section', { class: 'panel', 'aria-label': 'Add a member' }, h('h2', {}, 'Add a member'), picker.element, addFb.element));
  } else {
    parts.push(h('p', { class: 'note' }, 'Read-only: only site admins can change members.'));
  }
  const filterRow = ctx.admin
    ? h('div', { class: 'filter' }, h('label', { for: 'member-filter' }, 'Filter members'), filter)
    : null;
  filter.addEventListener('input', debounce(() => loadMembers(0).catch((e) => membersFb.error(e)), 200));
  filter.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && filter.value) {
      filter.value = '';
      loadMembers(0).catch((e) => membersFb.error(e));
    }
  });
  parts.push(h('section', { class: 'panel', 'aria-label': 'Members' }, h('h2', {}, 'Members'), filterRow, membersFb.element, table, pages));
  root.replaceChildren(...parts);
  await reload();
}
