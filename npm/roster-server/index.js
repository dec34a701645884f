// roster-server: start a throwaway roster (a Confluence user and group REST
// API double) from a Node test suite, and drive its test routes: reset,
// diff, snapshots, the request journal and fault injection.
// Types: index.d.ts. Node 18.17+ (global fetch).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { binaryPath } from './lib/binary.js';

export { binaryPath } from './lib/binary.js';

/** Where each dialect's REST API lives under the site's URL. */
export const API_PREFIX = Object.freeze({
  cloud: '/wiki/rest/api',
  dc: '/rest/api',
  extender: '/rest/extender/1.0',
});

export const ADMIN_LOGIN = 'admin@example.com';
const CONTROL = '/rest/roster/1.0';
const KEEP_LINES = 500;
// tracing's informational lines; what is left of stderr is what roster has to say.
const LOG_LINE = /^\d{4}-\d\d-\d\dT[\d:.]+Z\s+(TRACE|DEBUG|INFO)\s/;

/** A roster answer that was not 2xx, from `site.call` and the helpers built on it. */
export class RosterError extends Error {
  constructor(method, path, status, body) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    super(`roster: ${method} ${path} answered ${status}: ${text}`);
    this.name = 'RosterError';
    this.method = method;
    this.path = path;
    this.status = status;
    this.body = body;
  }
}

/** roster did not come up: `stderr` is everything it wrote, `message` leads with its own words. */
export class RosterStartError extends Error {
  constructor(message, { code = null, signal = null, stderr = [] } = {}) {
    super(message);
    this.name = 'RosterStartError';
    this.code = code;
    this.signal = signal;
    this.stderr = stderr.join('\n');
  }
}

/** `Basic base64(login:secret)`, the value of an Authorization header. */
export function basicAuth(login, secret) {
  return 'Basic ' + Buffer.from(`${login}:${secret}`).toString('base64');
}

// Every roster this process started and has not seen exit: stopped when the
// process exits, or on a signal that would end it.
const live = new Set();
let hooked = false;
function killLive(signal) {
  for (const child of live) {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}
function installExitHooks() {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => killLive('SIGTERM'));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    const onSignal = () => {
      killLive('SIGTERM');
      // Nobody else handles it: end the process as the signal would have.
      if (process.listenerCount(sig) === 1) {
        process.removeListener(sig, onSignal);
        process.kill(process.pid, sig);
      }
    };
    process.on(sig, onSignal);
  }
}

function toPath(p) {
  return p instanceof URL ? fileURLToPath(p) : resolvePath(String(p));
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v !== undefined && v !== null) q.set(k, v instanceof Date ? v.toISOString() : String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * Starts `roster serve --ephemeral --listen 127.0.0.1:0` with the given seed
 * files and a fresh admin token, and resolves once it listens.
 */
export async function startRoster(options = {}) {
  const {
    seed = [],
    flavor = 'cloud',
    args = [],
    listen = '127.0.0.1:0',
    adminToken = 'rst_' + randomBytes(24).toString('hex'),
    env = {},
    bin = binaryPath(),
    cwd,
    startTimeoutMs = 30_000,
    stopTimeoutMs = 15_000,
  } = options;
  if (!(flavor in API_PREFIX)) {
    throw new TypeError(`roster-server: flavor must be one of ${Object.keys(API_PREFIX).join(', ')}, not ${flavor}`);
  }
  const seeds = (Array.isArray(seed) ? seed : [seed]).map(toPath);
  const argv = ['serve', '--ephemeral', '--listen', listen, ...seeds.flatMap((f) => ['--seed', f]), ...args];
  const childEnv = { ...process.env, ...env, ROSTER_ADMIN_TOKEN: adminToken };
  delete childEnv.ROSTER_ADMIN_TOKEN_FILE;

  installExitHooks();
  const child = spawn(bin, argv, { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const output = [];
  const keep = (list, line) => {
    list.push(line);
    if (list.length > KEEP_LINES) list.shift();
  };
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
    child.once('error', () => {
      live.delete(child);
      resolve({ code: null, signal: null });
    });
  });
  createInterface({ input: child.stdout }).on('line', (line) => keep(output, line));

  const url = await new Promise((resolve, reject) => {
    const said = [];
    const fail = (msg, details) => {
      clearTimeout(timer);
      const own = said.filter((l) => !LOG_LINE.test(l));
      reject(new RosterStartError(`${msg}${own.length ? ':\n' + own.join('\n') : ''}`, { ...details, stderr: said }));
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(`roster did not listen within ${startTimeoutMs} ms`, {});
    }, startTimeoutMs);
    createInterface({ input: child.stderr }).on('line', (line) => {
      keep(output, line);
      if (said.length < KEEP_LINES) said.push(line);
      const m = /roster: listening on (https?:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    });
    child.once('error', (e) => fail(`roster-server: cannot run ${bin}: ${e.message}`, {}));
    // 'close' comes after the exit and the last of stderr, so the message has roster's last words.
    child.once('close', (code, signal) =>
      fail(`roster exited (${signal ?? `code ${code}`}) before listening`, { code, signal }),
    );
  });
  // A forgotten stop() must not keep the test runner alive: the exit hook stops roster then.
  child.unref();
  child.stdout.unref?.();
  child.stderr.unref?.();

  const admin = Object.freeze({
    login: ADMIN_LOGIN,
    username: 'admin',
    token: adminToken,
    authorization: basicAuth(ADMIN_LOGIN, adminToken),
    headers: () => ({ Authorization: basicAuth(ADMIN_LOGIN, adminToken) }),
  });

  async function request(method, path, body, init = {}) {
    // The admin's unless init.headers says otherwise (e.g. another user's Authorization).
    const headers = new Headers(init.headers);
    if (!headers.has('authorization')) headers.set('Authorization', admin.authorization);
    if (!headers.has('accept')) headers.set('Accept', 'application/json');
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
      if (!headers.has('content-type')) headers.set('Content-Type', 'application/json');
    }
    const r = await fetch(url + path, { ...init, method, headers, body: payload });
    const text = await r.text();
    let parsed = text;
    if (text === '') parsed = null;
    else if ((r.headers.get('content-type') ?? '').includes('json')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON after all: keep the text
      }
    }
    return { status: r.status, headers: r.headers, body: parsed };
  }
  async function call(method, path, body, init) {
    const r = await request(method, path, body, init);
    if (r.status < 200 || r.status > 299) throw new RosterError(method, path, r.status, r.body);
    return r.body;
  }

  let stopping;
  const site = {
    url,
    flavor,
    apiUrl: url + API_PREFIX[flavor],
    pid: child.pid,
    process: child,
    admin,
    authorization: basicAuth,
    request,
    call,
    api: (method, path, body, init) => call(method, API_PREFIX[flavor] + path, body, init),
    reset: (snapshot) => call('POST', `${CONTROL}/reset`, snapshot === undefined ? {} : { snapshot }),
    diff: (since) => call('GET', `${CONTROL}/diff${query({ since })}`),
    snapshot: (name) => call('POST', `${CONTROL}/snapshots`, name === undefined ? {} : { name }),
    journal: Object.freeze({
      list: async (filters = {}) => call('GET', `${CONTROL}/requests${query(filters)}`),
      count: async (matcher = {}) => (await call('POST', `${CONTROL}/requests/count`, matcher)).count,
      clear: async () => {
        await call('DELETE', `${CONTROL}/requests`);
      },
      settings: (change) =>
        change === undefined
          ? call('GET', `${CONTROL}/requests/settings`)
          : call('PUT', `${CONTROL}/requests/settings`, change),
    }),
    faults: Object.freeze({
      add: async (rules) => (await call('POST', `${CONTROL}/faults`, rules)).results,
      list: async () => (await call('GET', `${CONTROL}/faults`)).results,
      remove: async (id) => {
        await call('DELETE', `${CONTROL}/faults/${encodeURIComponent(id)}`);
      },
      clear: async () => {
        await call('DELETE', `${CONTROL}/faults`);
      },
    }),
    output: () => output.join('\n'),
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.ref(); // keep Node up until roster has gone
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
          const result = await exited;
          clearTimeout(timer);
          return result;
        }
        return exited;
      })();
      return stopping;
    },
  };
  if (Symbol.asyncDispose) site[Symbol.asyncDispose] = () => site.stop();
  return site;
}
