// The user page: who they are and the groups they belong to, one page at a
// time. Site admins also get the account's life cycle (deactivate,
// reactivate, delete, each asked first where it takes something away), its
// API tokens (issue one, shown once; revoke them all) and group changes;
// every action answers beside its own button.

import { api } from './api.js';
import { h, fmt, announce, showError, pager, confirmAction, feedback, act, navigate } from './dom.js';
import { typeahead } from './search.js';
import { groupHref } from './group.js';

const PAGE = 25;

const plural = (n, one, many) => `${fmt(n)} ${n === 1 ? one : many}`;

/** Renders the user `accountId` into `root`. ctx: { admin, usersChanged() }. */
export async function showUser(root, accountId, ctx) {
  let user;
  let account = null; // the admin view: username, active, token count
  try {
    [user, account] = await Promise.all([api.user(accountId), ctx.admin ? api.adminUser(accountId) : null]);
  } catch (e) {
    root.replaceChildren(h('h1', { tabindex: '-1' }, accountId), h('p', { class: 'empty' }, e.message));
    showError(e);
    return;
  }
  const name = user.displayName;
  const count = h('span', { class: 'group-count' });
  const table = h('div', { class: 'table-wrap' });
  const pages = h('div', { class: 'pages' });
  const groupsFb = feedback();
  let start = 0;

  async function loadGroups(from) {
    const page = await api.memberOf(user.accountId, from, PAGE);
    if ((page.results ?? []).length === 0 && from > 0) return loadGroups(Math.max(0, from - PAGE));
    start = page.start ?? from;
    const total = page.totalSize ?? 0;
    count.textContent = `member of ${plural(total, 'group', 'groups')}`;
    table.replaceChildren(groupsTable(page.results ?? []));
    pages.replaceChildren(start > 0 || page._links?.next ? pager(page, PAGE, 'groups', loadGroups) : '');
  }
  const reload = () => loadGroups(start).catch((e) => groupsFb.error(e));

  function groupsTable(groups) {
    if (groups.length === 0) return h('p', { class: 'empty' }, `${name} is in no group.`);
    return h('ul', { class: 'chips', 'aria-label': `Groups of ${name}` }, groups.map((g) => h('li', {},
      h('a', { href: groupHref(g.name) }, g.name),
      ctx.admin ? h('button', {
        type: 'button',
        class: 'quiet danger-text',
        'aria-label': `Remove ${name} from ${g.name}`,
        onclick: (ev) => act(ev.currentTarget, groupsFb, async () => {
          await api.removeMember(g.name, user.accountId);
          groupsFb.ok(`Removed ${name} from ${g.name}.`);
          await reload();
        }),
      }, '✕') : null)));
  }

  const status = h('span', { class: 'account-status' });
  const showStatus = (active) => {
    status.className = active ? 'account-status badge on' : 'account-status badge off';
    status.textContent = active ? 'active' : 'deactivated';
  };
  showStatus(account ? account.active : user.accountStatus === 'active');
  const meta = [
    h('span', { class: 'mono', title: 'Account ID' }, user.accountId),
    account ? h('span', { class: 'mono', title: 'Username' }, account.username) : null,
    user.email ? h('span', {}, user.email) : null,
    status,
    count,
  ].filter(Boolean).flatMap((x, i) => (i ? [' · ', x] : [x]));
  const parts = [h('header', { class: 'detail-head' },
    h('div', {}, h('p', { class: 'kind' }, 'User'), h('h1', { tabindex: '-1' }, name), h('p', { class: 'meta' }, meta)))];
  if (ctx.admin) {
    parts.push(accountPanel(account, name, showStatus, ctx), tokensPanel(account, name));
    const addFb = feedback();
    const picker = typeahead({
      label: 'Find a group to add this user to',
      noun: 'groups',
      pageSize: 8,
      placeholder: 'Type a group name…',
      fetchPage: api.searchGroups,
      item: (g) => ({ title: g.name }),
      pickLabel: (g) => `Add ${name} to ${g.name}`,
      onPick: async (g) => {
        addFb.clear();
        try {
          await api.addMember(g.name, user.accountId);
          addFb.ok(`${name} is a member of ${g.name}.`);
          await reload();
        } catch (e) {
          addFb.error(e);
        }
      },
    });
    parts.push(h('section', { class: 'panel', 'aria-label': 'Add to a group' }, h('h2', {}, 'Add to a group'), picker.element, addFb.element));
  } else {
    parts.push(h('p', { class: 'note' }, 'Read-only: only site admins can change memberships.'));
  }
  parts.push(h('section', { class: 'panel', 'aria-label': 'Groups' }, h('h2', {}, 'Groups'), groupsFb.element, table, pages));
  root.replaceChildren(...parts);
  await reload();
}

/** Deactivate or reactivate, and delete: the account's life cycle. */
function accountPanel(account, name, showStatus, ctx) {
  let active = account.active;
  const toggleFb = feedback();
  const deleteFb = feedback();
  const toggle = h('button', { type: 'button' });
  const label = () => {
    toggle.textContent = active ? 'Deactivate' : 'Reactivate';
    toggle.className = active ? 'danger-outline' : 'primary';
    toggle.setAttribute('aria-label', `${active ? 'Deactivate' : 'Reactivate'} ${name}`);
  };
  label();
  toggle.addEventListener('click', async () => {
    const to = !active;
    if (!to) {
      const ok = await confirmAction(`Deactivate ${name}? They can no longer sign in or use their API tokens until reactivated; their groups are kept.`, 'Deactivate');
      if (!ok) return toggle.focus();
    }
    await act(toggle, toggleFb, async () => {
      await api.setActive(account.username, to);
      active = to;
      label();
      showStatus(active);
      toggleFb.ok(active ? `${name} is active again.` : `${name} is deactivated.`);
      ctx.usersChanged();
    });
  });
  const remove = h('button', {
    type: 'button',
    class: 'danger',
    'aria-label': `Delete ${name}`,
    onclick: async (ev) => {
      const button = ev.currentTarget;
      const ok = await confirmAction(`Delete ${name} (${account.username}) with their memberships and API tokens? This cannot be undone.`, 'Delete user');
      if (!ok) {
        deleteFb.ok('Nothing was deleted.');
        return button.focus();
      }
      await act(button, deleteFb, async () => {
        await api.deleteUser(account.username);
        // The page goes away with the user: the answer moves to the top.
        announce(`Deleted user ${name}.`);
        ctx.usersChanged();
        navigate('#/');
      });
    },
  }, 'Delete user');
  return h('section', { class: 'panel', 'aria-label': 'Account' }, h('h2', {}, 'Account'),
    h('div', { class: 'action' }, h('div', { class: 'row wrap' }, toggle,
      h('span', { class: 'hint' }, 'A deactivated user keeps their groups but cannot sign in.')), toggleFb.element),
    h('div', { class: 'action' }, h('div', { class: 'row wrap' }, remove,
      h('span', { class: 'hint' }, 'Removes the account for good.')), deleteFb.element));
}

/** Issue an API token (shown once) and revoke them all. */
function tokensPanel(account, name) {
  let held = account.tokens;
  const heldText = h('p', { class: 'token-count' });
  const showHeld = () => {
    heldText.textContent = `${name} holds ${plural(held, 'API token', 'API tokens')}.`;
  };
  showHeld();
  const issueFb = feedback();
  const revokeFb = feedback();
  const reveal = h('div', { class: 'reveal', hidden: true });
  const labelInput = h('input', { id: 'token-label', maxlength: 255, autocomplete: 'off', placeholder: 'e.g. sync job' });
  const issue = h('button', { type: 'submit', class: 'primary' }, 'Issue token');
  const form = h('form', {
    class: 'action',
    onsubmit: (ev) => {
      ev.preventDefault();
      act(issue, issueFb, async () => {
        const t = await api.issueToken(account.accountId, labelInput.value.trim() || 'console');
        held += 1;
        showHeld();
        labelInput.value = '';
        const code = h('code', { class: 'token', 'aria-label': 'New API token' }, t.token);
        const copy = h('button', {
          type: 'button',
          class: 'quiet',
          onclick: async () => {
            try {
              await navigator.clipboard.writeText(t.token);
              copy.textContent = 'Copied';
            } catch {
              // No clipboard (plain http, permissions): select it for Ctrl+C.
              getSelection().selectAllChildren(code);
              copy.textContent = 'Selected: press Ctrl+C';
            }
          },
        }, 'Copy');
        reveal.replaceChildren(
          h('p', { class: 'warn' }, `New token “${t.label}” for ${name}. It is shown this once: copy it now. roster keeps only its digest.`),
          h('div', { class: 'row wrap' }, code, copy),
          h('button', { type: 'button', class: 'quiet', onclick: () => { reveal.hidden = true; reveal.replaceChildren(); } }, 'Done, hide it'));
        reveal.hidden = false;
        issueFb.ok(`Issued token “${t.label}”.`);
      });
    },
  }, h('label', { for: 'token-label' }, 'Token label'), h('div', { class: 'row' }, labelInput, issue), issueFb.element);
  const revoke = h('button', {
    type: 'button',
    class: 'danger-outline',
    onclick: async (ev) => {
      const button = ev.currentTarget;
      const ok = await confirmAction(`Revoke all ${plural(held, 'API token', 'API tokens')} of ${name}? Scripts using them stop working at once.`, 'Revoke tokens');
      if (!ok) return button.focus();
      await act(button, revokeFb, async () => {
        const r = await api.revokeTokens(account.accountId);
        held = 0;
        showHeld();
        reveal.hidden = true;
        reveal.replaceChildren();
        revokeFb.ok(r.revoked ? `Revoked ${plural(r.revoked, 'token', 'tokens')}.` : 'There was no token to revoke.');
      });
    },
  }, 'Revoke all tokens');
  return h('section', { class: 'panel', 'aria-label': 'API tokens' }, h('h2', {}, 'API tokens'), heldText, form, reveal,
    h('div', { class: 'separated' }, revoke, revokeFb.element));
}
