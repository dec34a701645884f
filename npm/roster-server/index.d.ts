// Types of roster-server's launcher (index.js).
import type { ChildProcess } from 'node:child_process';

/** Which of roster's REST dialects `site.apiUrl` and `site.api` address. */
export type Flavor = 'cloud' | 'dc' | 'extender';

export declare const API_PREFIX: Readonly<Record<Flavor, string>>;
export declare const ADMIN_LOGIN: 'admin@example.com';

export interface StartOptions {
  /** Fixture files (YAML or JSON) or dataset JSON lines, loaded before serving: `--seed`. Relative paths are taken from the current directory. */
  seed?: string | URL | Array<string | URL>;
  /** The dialect `site.apiUrl` and `site.api()` use (default `cloud`: `/wiki/rest/api`). roster serves all three either way. */
  flavor?: Flavor;
  /** More arguments for `roster serve`, e.g. `['--faults', 'rules.yaml']` or `['--rate-limit', '600/60']`. */
  args?: string[];
  /** Address to listen on (default `127.0.0.1:0`: a free port on loopback). */
  listen?: string;
  /** The admin's API token (default: a fresh random one); given to roster in ROSTER_ADMIN_TOKEN, never on the command line. */
  adminToken?: string;
  /** More environment for roster (ROSTER_* settings). */
  env?: Record<string, string>;
  /** The roster binary (default: ROSTER_BIN, else the one in this platform's package). */
  bin?: string;
  /** Working directory for roster. */
  cwd?: string;
  /** How long roster may take to listen before startRoster rejects (default 30 s). */
  startTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL (default 15 s). */
  stopTimeoutMs?: number;
}

export interface Admin {
  /** `admin@example.com` */
  readonly login: string;
  /** `admin` */
  readonly username: string;
  readonly token: string;
  /** `Basic ...` for an Authorization header. */
  readonly authorization: string;
  headers(): { Authorization: string };
}

export interface RosterResponse<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON, the text when the answer is not JSON, or null when empty. */
  body: T;
}

export interface SnapshotInfo {
  id: number;
  name: string | null;
  users: number;
  groups: number;
  memberships: number;
  createdDate: number;
}

export interface ResetResult extends SnapshotInfo {
  changes: {
    users: { added: number; removed: number; updated: number };
    groups: { added: number; removed: number };
    memberships: { added: number; removed: number };
    tokens: { added: number; removed: number };
  };
  restoredUsers: Array<{ accountId: string; username: string; displayName: string; change: 'added' | 'updated'; fields: string[] }>;
  restoredTokens: Array<{ accountId: string; username: string; fingerprint: string }>;
  restoredMemberships: Array<{ group: string; accountId: string }>;
  removedUsers: Array<{ accountId: string; displayName: string }>;
  restoredGroups: string[] | Array<Record<string, unknown>>;
  removedGroups: string[] | Array<Record<string, unknown>>;
  truncated: boolean;
}

export interface DiffUser {
  accountId: string;
  username: string;
  displayName: string;
  fields?: string[];
}
export interface DiffMembership {
  group: string;
  accountId: string;
  username: string;
}
export interface Diff {
  since: SnapshotInfo;
  empty: boolean;
  users: { added: DiffUser[]; changed: DiffUser[]; deactivated: DiffUser[]; reactivated: DiffUser[]; removed: DiffUser[] };
  groups: { created: string[]; deleted: string[] };
  memberships: { added: DiffMembership[]; removed: DiffMembership[] };
  tokens: { issued: Array<Record<string, unknown>>; revoked: Array<Record<string, unknown>> };
}

export type Dialect = 'cloud' | 'dc' | 'extender' | 'other';

/** Journal filters and count matchers: every field given must hold. */
export interface RequestMatcher {
  method?: string;
  /** The route template as the OpenAPI description lists it, e.g. `/wiki/rest/api/group/user`. */
  route?: string;
  path?: string;
  pathPrefix?: string;
  dialect?: Dialect;
  status?: number;
  /** Account id, username or e-mail of the signed-in caller. */
  caller?: string;
  since?: string | number | Date;
  until?: string | number | Date;
  bodyContains?: string;
  faulted?: boolean;
}

export interface JournalEntry {
  id: number;
  requestId: string;
  time: string;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  route: string | null;
  dialect: Dialect;
  caller: { accountId: string; username: string; email: string; displayName: string } | null;
  body: string | null;
  bodyTruncated: boolean;
  /** What the client was sent; null when a fault dropped the connection. */
  status: number | null;
  handlerStatus: number | null;
  durationMs: number;
  fault: { kind: FaultAction; rule: number } | null;
  changes: Array<{ action: string; targetKind: string; target: string; targetName?: string; object?: string }>;
}

export interface JournalPage {
  results: JournalEntry[];
  size: number;
  total: number;
  journal: JournalSettings;
}

export interface JournalSettings {
  enabled: boolean;
  size: number;
  held: number;
}

export type FaultAction = 'status' | 'delay' | 'drop' | 'applyThenLose';

export interface FaultRuleInput {
  method?: string;
  route?: string;
  /** `*` is any run of characters: `/wiki/rest/api/group/*`. */
  path?: string;
  dialect?: Dialect;
  /** The login a request's Basic credentials name (username or e-mail). */
  caller?: string;
  bodyContains?: string;
  action: FaultAction;
  /** For `status`: 400 to 599. */
  status?: number;
  /** Seconds, for a 429 or 503 (default 1). */
  retryAfter?: number;
  delayMs?: number;
  delayMaxMs?: number;
  /** For `applyThenLose`: `drop` (default) or `"504"`. */
  lose?: 'drop' | '504';
  /** Fire on the next `times` matching requests only. */
  times?: number;
  /** Fire on each matching request with this probability, drawn from `seed`. */
  probability?: number;
  seed?: number;
}

export interface FaultRule extends FaultRuleInput {
  id: number;
  seed: number;
  remaining?: number | null;
  fired: number;
}

export interface RosterSite {
  /** `http://127.0.0.1:PORT`: the host to give a client library (confluence.js: `host`). */
  readonly url: string;
  readonly flavor: Flavor;
  /** `url` plus the flavor's API prefix. */
  readonly apiUrl: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** The site admin, signed in with a token. */
  readonly admin: Admin;
  /** `Basic base64(login:secret)` for any user, e.g. one a fixture gave a token. */
  authorization(login: string, secret: string): string;
  /** Any request, as the admin unless `init.headers` says otherwise; never throws on a status. */
  request<T = any>(method: string, path: string, body?: unknown, init?: RequestInit): Promise<RosterResponse<T>>;
  /** Like request, but resolves with the body and rejects with a RosterError unless 2xx. */
  call<T = any>(method: string, path: string, body?: unknown, init?: RequestInit): Promise<T>;
  /** call() under the flavor's API prefix: `site.api('GET', '/group')`. */
  api<T = any>(method: string, path: string, body?: unknown, init?: RequestInit): Promise<T>;
  /** Back to the seed (or the named snapshot), in one transaction. */
  reset(snapshot?: string): Promise<ResetResult>;
  /** What changed since the seed (or the named snapshot). */
  diff(since?: string): Promise<Diff>;
  /** Takes a snapshot (named, or not). */
  snapshot(name?: string): Promise<SnapshotInfo>;
  readonly journal: {
    list(filters?: RequestMatcher & { limit?: number }): Promise<JournalPage>;
    count(matcher?: RequestMatcher): Promise<number>;
    clear(): Promise<void>;
    settings(change?: { enabled: boolean; size?: number }): Promise<JournalSettings>;
  };
  readonly faults: {
    /** Adds one rule or several (all or none); resolves with the rules as kept, ids and seeds filled in. */
    add(rules: FaultRuleInput | FaultRuleInput[]): Promise<FaultRule[]>;
    list(): Promise<FaultRule[]>;
    remove(id: number): Promise<void>;
    clear(): Promise<void>;
  };
  /** The last lines roster wrote (stdout and stderr). */
  output(): string;
  /** SIGTERM to roster's PID (SIGKILL after stopTimeoutMs); resolves when it has exited. Safe to call twice. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  [Symbol.asyncDispose](): Promise<unknown>;
}

/** Starts an ephemeral, seeded roster on a free loopback port. Rejects with a RosterStartError carrying roster's own message when it does not come up. */
export declare function startRoster(options?: StartOptions): Promise<RosterSite>;

export declare function basicAuth(login: string, secret: string): string;

/** The roster binary startRoster runs: ROSTER_BIN, else the platform package's. */
export declare function binaryPath(): string;

export declare class RosterError extends Error {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly body: unknown;
}

export declare class RosterStartError extends Error {
  /** roster's exit code, when it exited. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Everything roster wrote on stderr before it gave up. */
  readonly stderr: string;
}
