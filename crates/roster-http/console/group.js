// The group page: its member count, its members one page at a time and,
// for site admins, adding and removing members and deleting the group.

import { api } from './api.js';
import { h, fmt, announce, showError, pager, confirmAction, busy, navigate } from './dom.js';
import { typeahead } from './search.js';

const PAGE = 25;

export const groupHref = (name) => `#/group/${encodeURIComponent(name)}`;
export const userHref = (accountId) => `#/user/${encodeURIComponent(accountId)}`;

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
  let start = 0;

  async function loadMembers(from) {
    const page = await api.members(group.name, from, PAGE);
    if ((page.results ?? []).length === 0 && from > 0) return loadMembers(Math.max(0, from - PAGE));
    start = page.start ?? from;
    const total = page.totalSize ?? 0;
    count.textContent = `${fmt(total)} ${total === 1 ? 'member' : 'members'}`;
    table.replaceChildren(membersTable(page.results ?? []));
    pages.replaceChildren(start > 0 || page._links?.next ? pager(page, PAGE, 'members', loadMembers) : '');
  }
  const reload = () => loadMembers(start).catch(showError);

  function membersTable(users) {
    if (users.length === 0) return h('p', { class: 'empty' }, 'This group has no members.');
    return h(
      'table',
      { 'aria-label': `Members of ${group.name}` },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'E-mail'),
        h('th', { scope: 'col' }, 'Status'), ctx.admin ? h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')) : null)),
      h('tbody', {}, users.map((u) => h('tr', {},
        h('td', {}, h('a', { href: userHref(u.accountId) }, u.displayName)),
        h('td', {}, u.email || h('span', { class: 'muted' }, 'hidden')),
        h('td', {}, u.accountStatus === 'active' ? 'active' : h('span', { class: 'muted' }, u.accountStatus)),
        ctx.admin ? h('td', { class: 'actions' }, h('button', {
          type: 'button',
          class: 'quiet danger-text',
          'aria-label': `Remove ${u.displayName} from ${group.name}`,
          onclick: (ev) => busy(ev.currentTarget, async () => {
            await api.removeMember(group.name, u.accountId);
            announce(`Removed ${u.displayName} from ${group.name}.`);
            await reload();
          }),
        }, 'Remove')) : null,
      ))),
    );
  }

  const head = h('header', { class: 'detail-head' },
    h('div', {},
      h('p', { class: 'kind' }, 'Group'),
      h('h1', { tabindex: '-1' }, group.name),
      h('p', { class: 'meta' }, count, ' · ', h('span', { class: 'mono', title: 'Group ID' }, group.id))),
    ctx.admin ? h('button', {
      type: 'button',
      class: 'danger',
      onclick: async (ev) => {
        const button = ev.currentTarget;
        const ok = await confirmAction(`Delete the group “${group.name}” and all its memberships? This cannot be undone.`, 'Delete group');
        if (!ok) return button.focus();
        await busy(button, async () => {
          await api.deleteGroup(group.name);
          announce(`Deleted group ${group.name}.`);
          ctx.groupsChanged();
          navigate('#/');
        });
      },
    }, 'Delete group') : null);

  const parts = [head];
  if (ctx.admin) {
    const picker = typeahead({
      label: 'Find a user to add',
      noun: 'users',
      pageSize: 8,
      placeholder: 'Type a name…',
      fetchPage: api.searchUsers,
      item: (r) => ({ title: r.user.displayName, sub: r.user.email || r.user.accountId }),
      pickLabel: (r) => `Add ${r.user.displayName} to ${group.name}`,
      onPick: async (r) => {
        try {
          await api.addMember(group.name, r.user.accountId);
          announce(`${r.user.displayName} is a member of ${group.name}.`);
          await reload();
        } catch (e) {
          showError(e);
        }
      },
    });
    parts.push(h('section', { class: 'panel', 'aria-label': 'Add a member' }, h('h2', {}, 'Add a member'), picker.element));
  } else {
    parts.push(h('p', { class: 'note' }, 'Read-only: only site admins can change members.'));
  }
  parts.push(h('section', { class: 'panel', 'aria-label': 'Members' }, h('h2', {}, 'Members'), table, pages));
  root.replaceChildren(...parts);
  await reload();
}
