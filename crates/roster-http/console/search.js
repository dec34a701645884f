// The type-ahead list: a labelled search box whose results are fetched one
// page at a time as the user types (debounced, older requests aborted), so
// it stays fast with 100,000 users: nothing is ever loaded in full.
// Arrow keys move between the box and the results; Escape clears the box.

import { h, pager, fmt, showError, debounce } from './dom.js';

let counter = 0;

/**
 * options:
 *   label     visible label of the box ("Search users")
 *   noun      what a result is, plural ("users"), for counts and pagers
 *   pageSize  results per page
 *   fetchPage (text, start, limit, signal) => API page
 *   item      result => { title, sub, href }
 *   onPick    optional: result => void; results become buttons instead of links
 *   pickLabel optional: result => accessible name of a result's button
 */
export function typeahead(options) {
  const { label, noun, pageSize, fetchPage, item, onPick, pickLabel } = options;
  const id = `typeahead-${++counter}`;
  const input = h('input', {
    id,
    type: 'search',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-controls': `${id}-results`,
    placeholder: options.placeholder ?? '',
  });
  const count = h('p', { class: 'count', 'aria-live': 'polite' });
  const list = h('ul', { id: `${id}-results`, class: 'results', 'aria-label': `Matching ${noun}` });
  const pages = h('div', { class: 'pages' });
  const element = h('div', { class: 'typeahead' }, h('label', { for: id }, label), input, count, list, pages);

  let controller = null;
  let shown = 0;

  async function load(start) {
    controller?.abort();
    const mine = (controller = new AbortController());
    const text = input.value;
    element.setAttribute('aria-busy', 'true');
    try {
      const page = await fetchPage(text, start, pageSize, mine.signal);
      if (mine !== controller) return;
      render(page, text);
    } catch (e) {
      if (mine === controller) {
        count.textContent = '';
        showError(e);
      }
    } finally {
      if (mine === controller) element.removeAttribute('aria-busy');
    }
  }

  function render(page, text) {
    const results = page.results ?? [];
    list.replaceChildren(
      ...results.map((r) => {
        const { title, sub, href } = item(r);
        const body = [h('span', { class: 'title' }, title), sub ? h('span', { class: 'sub' }, sub) : null];
        const control = onPick
          ? h('button', { type: 'button', class: 'result', 'aria-label': pickLabel?.(r), onclick: () => onPick(r) }, body)
          : h('a', { class: 'result', href }, body);
        return h('li', {}, control);
      }),
    );
    const total = page.totalSize ?? results.length;
    const what = text.trim() ? `matching “${text.trim()}”` : 'in total';
    const counted = total === 1 ? noun.replace(/s$/, '') : noun; // "1 user", "2 users"
    count.textContent = total === 0 ? `No ${noun} ${text.trim() ? what : ''}`.trim() : `${fmt(total)} ${counted} ${what}`;
    pages.replaceChildren(page.start > 0 || page._links?.next ? pager(page, pageSize, noun, load) : '');
    shown = results.length;
  }

  const reload = debounce(() => load(0), 200);
  input.addEventListener('input', reload);
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown' && shown > 0) {
      ev.preventDefault();
      list.querySelector('.result')?.focus();
    } else if (ev.key === 'Escape' && input.value) {
      ev.preventDefault();
      input.value = '';
      load(0);
    } else if (ev.key === 'Enter') {
      ev.preventDefault();
      load(0);
    }
  });
  list.addEventListener('keydown', (ev) => {
    if (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp') return;
    const items = [...list.querySelectorAll('.result')];
    const i = items.indexOf(document.activeElement);
    if (i < 0) return;
    ev.preventDefault();
    if (ev.key === 'ArrowDown') items[Math.min(i + 1, items.length - 1)].focus();
    else if (i === 0) input.focus();
    else items[i - 1].focus();
  });

  return {
    element,
    input,
    /** Fetches the first page for the current text. */
    refresh: () => load(0),
    focus: () => input.focus(),
  };
}
