// The user page: who they are and the groups they belong to, one page at a
// time; site admins can add them to a group and remove them from one.

import { api } from './api.js';
import { h, fmt, announce, showError, pager, busy } from './dom.js';
import { typeahead } from './search.js';
import { groupHref } from './group.js';

const PAGE = 25;

/** Renders the user `accountId` into `root`. ctx: { admin }. */
export async function showUser(root, accountId, ctx) {
  let user;
  try {
    user = await api.user(accountId);
  } catch (e) {
    root.replaceChildren(h('h1', { tabindex: '-1' }, accountId), h('p', { class: 'empty' }, e.message));
    showError(e);
    return;
  }
  const name = user.displayName;
  const count = h('span', { class: 'group-count' });
  const table = h('div', { class: 'table-wrap' });
  const pages = h('div', { class: 'pages' });
  let start = 0;

  async function loadGroups(from) {
    const page = await api.memberOf(user.accountId, from, PAGE);
    if ((page.results ?? []).length === 0 && from > 0) return loadGroups(Math.max(0, from - PAGE));
    start = page.start ?? from;
    const total = page.totalSize ?? 0;
    count.textContent = `member of ${fmt(total)} ${total === 1 ? 'group' : 'groups'}`;
    table.replaceChildren(groupsTable(page.results ?? []));
    pages.replaceChildren(start > 0 || page._links?.next ? pager(page, PAGE, 'groups', loadGroups) : '');
  }
  const reload = () => loadGroups(start).catch(showError);

  function groupsTable(groups) {
    if (groups.length === 0) return h('p', { class: 'empty' }, `${name} is in no group.`);
    return h('ul', { class: 'chips', 'aria-label': `Groups of ${name}` }, groups.map((g) => h('li', {},
      h('a', { href: groupHref(g.name) }, g.name),
      ctx.admin ? h('button', {
        type: 'button',
        class: 'quiet danger-text',
        'aria-label': `Remove ${name} from ${g.name}`,
        onclick: (ev) => busy(ev.currentTarget, async () => {
          await api.removeMember(g.name, user.accountId);
          announce(`Removed ${name} from ${g.name}.`);
          await reload();
        }),
      }, '✕') : null)));
  }

  const meta = [
    h('span', { class: 'mono', title: 'Account ID' }, user.accountId),
    user.email ? h('span', {}, user.email) : null,
    h('span', {}, user.accountStatus === 'active' ? 'active' : user.accountStatus),
    count,
  ].filter(Boolean).flatMap((x, i) => (i ? [' · ', x] : [x]));
  const parts = [h('header', { class: 'detail-head' },
    h('div', {}, h('p', { class: 'kind' }, 'User'), h('h1', { tabindex: '-1' }, name), h('p', { class: 'meta' }, meta)))];
  if (ctx.admin) {
    const picker = typeahead({
      label: 'Find a group to add this user to',
      noun: 'groups',
      pageSize: 8,
      placeholder: 'Type a group name…',
      fetchPage: api.searchGroups,
      item: (g) => ({ title: g.name }),
      pickLabel: (g) => `Add ${name} to ${g.name}`,
      onPick: async (g) => {
        try {
          await api.addMember(g.name, user.accountId);
          announce(`${name} is a member of ${g.name}.`);
          await reload();
        } catch (e) {
          showError(e);
        }
      },
    });
    parts.push(h('section', { class: 'panel', 'aria-label': 'Add to a group' }, h('h2', {}, 'Add to a group'), picker.element));
  } else {
    parts.push(h('p', { class: 'note' }, 'Read-only: only site admins can change memberships.'));
  }
  parts.push(h('section', { class: 'panel', 'aria-label': 'Groups' }, h('h2', {}, 'Groups'), table, pages));
  root.replaceChildren(...parts);
  await reload();
}
