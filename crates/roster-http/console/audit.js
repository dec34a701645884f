// The audit view (site admins): the audit log newest first, filtered on the
// server by text (actor, target, action, source or detail) and by a time
// range, a page at a time. The filters live in the address
// (#/audit?q=&from=&to=), so a filtered view can be reloaded and shared.

import { api } from './api.js';
import { h, feedback, pager } from './dom.js';

const PAGE = 50;

// Dates are picked as local days; the API takes epoch milliseconds.
const dayStart = (d) => (d ? new Date(`${d}T00:00:00`).getTime() : undefined);
const dayEnd = (d) => (d ? new Date(`${d}T23:59:59.999`).getTime() : undefined);
const when = (ms) => new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** Renders the audit view into `root` with the filters in `query`. */
export async function showAudit(root, query) {
  const fb = feedback();
  const text = h('input', { id: 'audit-search', type: 'search', value: query.get('q') ?? '', placeholder: 'e.g. token.revoke, ada, 127.0.0.1' });
  const from = h('input', { id: 'audit-from', type: 'date', value: query.get('from') ?? '' });
  const to = h('input', { id: 'audit-to', type: 'date', value: query.get('to') ?? '' });
  const list = h('div', { class: 'table-wrap' });
  const pages = h('div', { class: 'pages' });
  const apply = h('button', { type: 'submit', class: 'primary' }, 'Apply filters');
  const filters = () => ({ search: text.value.trim(), from: dayStart(from.value), to: dayEnd(to.value) });

  async function load(start) {
    const page = await api.audit(filters(), start, PAGE);
    const records = page.results ?? [];
    list.replaceChildren(records.length === 0
      ? h('p', { class: 'empty' }, 'No audit records match these filters.')
      : h('table', { class: 'audit', 'aria-label': 'Audit records' },
        h('thead', {}, h('tr', {}, ['When', 'Who', 'What', 'Target', 'Details', 'From'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, records.map((r) => h('tr', {},
          h('td', { class: 'nowrap' }, when(r.creationDate)),
          h('td', {}, r.author?.displayName ?? ''),
          h('td', { class: 'what' }, h('span', { class: r.category === 'Security' ? 'badge sec' : 'badge' }, r.summary)),
          h('td', {}, r.affectedObject?.name ?? ''),
          h('td', { class: 'detail-text' }, r.description),
          h('td', { class: 'mono' }, r.remoteAddress ?? ''))))));
    pages.replaceChildren(start > 0 || page._links?.next ? pager(page, PAGE, 'audit records', load) : '');
  }

  const form = h('form', {
    class: 'panel filters',
    'aria-label': 'Audit filters',
    onsubmit: (ev) => {
      ev.preventDefault();
      const q = new URLSearchParams();
      if (text.value.trim()) q.set('q', text.value.trim());
      if (from.value) q.set('from', from.value);
      if (to.value) q.set('to', to.value);
      const hash = `#/audit${q.size ? `?${q}` : ''}`;
      if (location.hash !== hash) history.replaceState(null, '', hash);
      fb.clear();
      apply.disabled = true;
      load(0).catch((e) => fb.error(e)).finally(() => { apply.disabled = false; });
    },
  },
  h('div', { class: 'filter-grid' },
    h('div', {}, h('label', { for: 'audit-search' }, 'Text'), text),
    h('div', {}, h('label', { for: 'audit-from' }, 'From'), from),
    h('div', {}, h('label', { for: 'audit-to' }, 'To'), to)),
  h('div', { class: 'row end' },
    h('button', { type: 'button', class: 'quiet', onclick: () => { text.value = ''; from.value = ''; to.value = ''; form.requestSubmit(); } }, 'Clear'),
    apply),
  fb.element);

  root.replaceChildren(
    h('header', { class: 'detail-head' }, h('div', {}, h('p', { class: 'kind' }, 'Site'), h('h1', { tabindex: '-1' }, 'Audit log'),
      h('p', { class: 'meta' }, 'Every change and refused sign-in, newest first.'))),
    form,
    h('section', { class: 'panel', 'aria-label': 'Audit records' }, list, pages));
  await load(0).catch((e) => fb.error(e));
}
