// Starts one ephemeral, seeded roster for a test file and stops it by PID:
// what a JavaScript suite needs around roster's test endpoints (reset,
// diff, request journal, faults). Node 20+, no dependencies.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';

export async function startRoster({ seed = [], bin = process.env.ROSTER_BIN ?? 'roster' } = {}) {
  const token = 'rst_' + randomBytes(24).toString('hex');
  const args = ['serve', '--ephemeral', '--listen', '127.0.0.1:0', ...seed.flatMap((f) => ['--seed', f])];
  const child = spawn(bin, args, { env: { ...process.env, ROSTER_ADMIN_TOKEN: token }, stdio: ['ignore', 'ignore', 'pipe'] });
  const said = [];
  const url = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stderr });
    lines.on('line', (line) => {
      said.push(line);
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve(m[1]);
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`roster exited (${code}) before listening:\n${said.join('\n')}`)));
  });
  const auth = 'Basic ' + Buffer.from(`admin@example.com:${token}`).toString('base64');
  const call = async (method, path, body) => {
    const r = await fetch(url + path, {
      method,
      headers: { Authorization: auth, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : null };
  };
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  return { url, admin: { email: 'admin@example.com', token }, call, stop, pid: child.pid };
}
