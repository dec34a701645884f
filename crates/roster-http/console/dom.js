// Small DOM helpers shared by the views: element building (text only, never
// HTML from data), the status and error lines, pagers and the confirm dialog.

/** Builds an element: h('a', { href, class: 'x', onclick }, 'text', child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const numbers = new Intl.NumberFormat();
export const fmt = (n) => numbers.format(n);

/** Announces a success politely; clears any error shown before. */
export function announce(text) {
  const error = document.getElementById('error');
  error.hidden = true;
  error.textContent = '';
  document.getElementById('status').textContent = text;
}

/** Shows an error (the API's message) until the next action. */
export function showError(e) {
  if (e?.name === 'AbortError') return;
  document.getElementById('status').textContent = '';
  const error = document.getElementById('error');
  error.textContent = e?.message ?? String(e);
  error.hidden = false;
}

export function clearMessages() {
  document.getElementById('status').textContent = '';
  const error = document.getElementById('error');
  error.hidden = true;
  error.textContent = '';
}

// A message about an action stays when that action itself navigated.
let keepMessages = false;

/** Goes to `hash`, keeping the message the current action just showed. */
export function navigate(hash) {
  if (location.hash === hash) return;
  keepMessages = true;
  location.hash = hash;
}

/** Called on every navigation: drops messages about the previous page. */
export function messagesOnNavigation() {
  if (!keepMessages) clearMessages();
  keepMessages = false;
}

/**
 * A pager for an API page: "1–25 of 1,234" with Previous and Next buttons.
 * `page` is the API's answer ({start, size, totalSize, _links.next}).
 */
export function pager(page, limit, label, go) {
  // The pager is rebuilt with the page; keep keyboard focus on the button used.
  const turn = (to) => async (ev) => {
    const name = ev.currentTarget.getAttribute('aria-label');
    await go(to);
    const again = document.querySelector(`button[aria-label="${CSS.escape(name)}"]`);
    if (again && !again.disabled) again.focus();
  };
  const start = page.start ?? 0;
  const size = page.size ?? page.results?.length ?? 0;
  const total = page.totalSize;
  const range = size === 0 ? (start === 0 ? 'none' : `none past ${fmt(start)}`) : `${fmt(start + 1)}–${fmt(start + size)}`;
  const text = total === undefined ? range : `${range} of ${fmt(total)}`;
  return h(
    'nav',
    { class: 'pager', 'aria-label': `${label} pages` },
    h('button', {
      type: 'button',
      class: 'quiet',
      'aria-label': `Previous ${label}`,
      disabled: start === 0,
      onclick: turn(Math.max(0, start - limit)),
    }, '‹ Previous'),
    h('span', { class: 'range' }, text),
    h('button', {
      type: 'button',
      class: 'quiet',
      'aria-label': `Next ${label}`,
      disabled: !page._links?.next,
      onclick: turn(start + size),
    }, 'Next ›'),
  );
}

/** Asks before a destructive action; resolves true when confirmed. */
export function confirmAction(text, okLabel) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-ok').textContent = okLabel;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
  });
}

/** Runs `fn` with `button` disabled and busy, reporting errors. */
export async function busy(button, fn) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await fn();
  } catch (e) {
    showError(e);
    return undefined;
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/** Debounces `fn` by `ms` milliseconds. */
export function debounce(fn, ms) {
  let t;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

/**
 * A message line that belongs to one action: placed next to its button, it
 * says what that action did or why it failed (the API's message), so the
 * answer is where the eye already is. Errors are alerts; successes polite.
 */
export function feedback() {
  const element = h('p', { class: 'feedback', hidden: true });
  const show = (text, kind) => {
    element.className = `feedback ${kind}`;
    element.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    element.textContent = text;
    element.hidden = false;
  };
  return {
    element,
    ok: (text) => show(text, 'ok'),
    error: (e) => {
      if (e?.name !== 'AbortError') show(e?.message ?? String(e), 'error');
    },
    clear: () => {
      element.hidden = true;
      element.textContent = '';
    },
  };
}

/** Runs `fn` with `button` busy; an error goes to the action's feedback line. */
export async function act(button, fb, fn) {
  fb.clear();
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await fn();
  } catch (e) {
    fb.error(e);
    return undefined;
  } finally {
    if (button.isConnected) {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }
}

/**
 * A pager for a list whose total is known: First, Previous, a page number
 * to type, Next and Last, so page 200 of a 5,000-member group is one step
 * away, not 200 clicks. `go(start)` loads the page starting there.
 */
export function jumpPager({ start, size, total, limit, label, go }) {
  const pages = Math.max(1, Math.ceil(total / limit));
  const current = Math.floor(start / limit) + 1;
  const range = size === 0 ? 'none' : `${fmt(start + 1)}–${fmt(start + size)}`;
  const turn = (to) => async (ev) => {
    const name = ev.currentTarget.getAttribute('aria-label');
    await go(to);
    const again = document.querySelector(`button[aria-label="${CSS.escape(name)}"]`);
    if (again && !again.disabled) again.focus();
  };
  const button = (name, text, to, disabled) =>
    h('button', { type: 'button', class: 'quiet', 'aria-label': `${name} ${label}`, title: `${name} page`, disabled, onclick: turn(to) }, text);
  const id = `page-${label.replace(/\W+/g, '-')}`;
  const number = h('input', { id, type: 'number', min: 1, max: pages, value: current, inputmode: 'numeric', class: 'page-number' });
  const jump = h('form', {
    class: 'jump',
    onsubmit: (ev) => {
      ev.preventDefault();
      const n = Math.min(pages, Math.max(1, Math.floor(Number(number.value)) || 1));
      go((n - 1) * limit).then(() => document.getElementById(id)?.focus());
    },
  }, h('label', { for: id }, `Page of ${label}`), number, h('span', { class: 'of' }, `of ${fmt(pages)}`),
  h('button', { type: 'submit', class: 'quiet' }, 'Go'));
  return h('nav', { class: 'pager jump-pager', 'aria-label': `${label} pages` },
    h('div', { class: 'steps' },
      button('First', '«', 0, start === 0),
      button('Previous', '‹', Math.max(0, start - limit), start === 0),
      h('span', { class: 'range' }, `${range} of ${fmt(total)}`),
      button('Next', '›', start + limit, start + size >= total),
      button('Last', '»', (pages - 1) * limit, start + size >= total)),
    pages > 1 ? jump : null);
}
