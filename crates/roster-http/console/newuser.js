// The new-user form (site admins): full name, username, e-mail and an
// optional password, created through the DC dialect's admin route, which
// applies DC's username rules and adds the user to the default access
// group. The API's refusal (a taken username or e-mail, a bad name) is
// shown under the form.

import { api } from './api.js';
import { h, announce, feedback, act, navigate } from './dom.js';
import { userHref } from './group.js';

const field = (id, label, attrs = {}, hint) => [
  h('label', { for: id }, label),
  h('input', { id, name: id, autocomplete: 'off', ...attrs }),
  hint ? h('p', { class: 'hint' }, hint) : null,
];

/** Renders the form into `root`. ctx: { usersChanged() }. */
export function showNewUser(root, ctx) {
  const fb = feedback();
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create user');
  const form = h('form', {
    class: 'panel new-user',
    'aria-label': 'New user',
    novalidate: true,
    onsubmit: (ev) => {
      ev.preventDefault();
      const value = (id) => form.querySelector(`#${id}`).value;
      const input = {
        fullName: value('new-full-name').trim(),
        username: value('new-username').trim(),
        email: value('new-email').trim(),
        password: value('new-password'),
      };
      const missing = [['fullName', 'a full name'], ['username', 'a username'], ['email', 'an e-mail address']]
        .filter(([k]) => !input[k]).map(([, what]) => what);
      if (missing.length) return fb.error(new Error(`Enter ${missing.join(', ')}.`));
      act(submit, fb, async () => {
        const user = await api.createUser(input);
        announce(`Created user ${user.displayName}.`);
        ctx.usersChanged();
        navigate(userHref(user.accountId));
      });
    },
  },
  ...field('new-full-name', 'Full name', { maxlength: 255 }),
  ...field('new-username', 'Username', { maxlength: 255, spellcheck: 'false', autocapitalize: 'none' }, 'Lower case; no spaces or , + < > \' " \\.'),
  ...field('new-email', 'E-mail', { type: 'email', maxlength: 255 }),
  ...field('new-password', 'Password (optional)', { type: 'password', autocomplete: 'new-password' },
    'Leave it empty for an account that signs in with API tokens only.'),
  h('div', { class: 'row end' }, submit),
  fb.element);
  root.replaceChildren(
    h('header', { class: 'detail-head' }, h('div', {}, h('p', { class: 'kind' }, 'Users'), h('h1', { tabindex: '-1' }, 'New user'))),
    form);
}
