// What the browser tests share: free loopback ports, `sensei serve` processes, Debian's
// Chromium, the axe-core audit and the PostgreSQL scratch databases.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '..');
export const binary = process.env.SENSEI_BIN
  ? path.resolve(process.env.SENSEI_BIN)
  : path.join(repo, 'target', 'debug', 'sensei');
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// Screenshots go to a build folder, so a test run leaves the tree clean; the README's
// images in docs/images/ are replaced only when asked (UPDATE_SCREENSHOTS=1 npm test).
export const screenshots = process.env.UPDATE_SCREENSHOTS === '1'
  ? path.join(repo, 'docs', 'images')
  : path.join(repo, 'target', 'e2e-screenshots');
export const PASSWORD = 'sensei-demo';
// axe-core's own script, evaluated through the DevTools protocol rather than added as a
// <script> tag, so the pages' Content-Security-Policy (scripts from this origin only) stays in force.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Starts `sensei serve --demo` on `databaseUrl` and a free port; resolves once /healthz answers. */
export async function startServer(databaseUrl, { deadlineMs = 60_000, extraArgs = [] } = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    ['serve', '--demo', '--database-url', databaseUrl, '--bind', `127.0.0.1:${port}`, ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } },
  );
  const server = { child, url, log: '' };
  child.stdout.on('data', (chunk) => { server.log += chunk; });
  child.stderr.on('data', (chunk) => { server.log += chunk; });
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sensei exited early with ${child.exitCode}:\n${server.log}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return server;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`sensei did not become healthy within ${deadlineMs} ms:\n${server.log}`);
}

/** Stops a server started by `startServer`. */
export async function stopServer(server) {
  if (!server || server.child.exitCode !== null) return;
  server.child.kill('SIGTERM');
  await new Promise((resolve) => server.child.once('exit', resolve));
}

/** Debian's Chromium, headless. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** The page passes axe-core's WCAG 2.1 A and AA rules with no violation. */
export async function checkAxe(page, label) {
  await page.evaluate(axeSource);
  const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), WCAG_21_AA);
  const found = result.violations.map((violation) => {
    const where = violation.nodes.slice(0, 3).map((node) => node.target.join(' ')).join('; ');
    return `${violation.id} (${violation.impact}, ${violation.nodes.length}x): ${violation.help} at ${where}`;
  });
  console.log(`axe WCAG 2.1 AA, ${label}: ${found.length} violations, ${result.passes.length} rules passed`);
  assert.deepEqual(found, [], `${label}: axe-core WCAG 2.1 AA violations`);
}

const postgresAdmin = process.env.SENSEI_E2E_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh PostgreSQL database's URL, or `null` (with the reason) when no server answers. */
export function createPostgresDatabase(name) {
  const run = (sql) => spawnSync('psql', [postgresAdmin, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8', timeout: 15_000 });
  const probe = run('SELECT 1');
  if (probe.error || probe.status !== 0) {
    return { url: null, reason: `PostgreSQL not reachable at ${postgresAdmin}: ${probe.error ? probe.error.message : probe.stderr.trim()}` };
  }
  run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  const created = run(`CREATE DATABASE ${name}`);
  assert.equal(created.status, 0, `cannot create database ${name}: ${created.stderr}`);
  const base = new URL(postgresAdmin);
  base.pathname = `/${name}`;
  return { url: base.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** An API client signed in as `email` on `baseUrl` (the session cookie kept by hand). */
export async function apiClient(baseUrl, email) {
  const signIn = await fetch(`${baseUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  assert.equal(signIn.status, 200, `API sign-in of ${email} failed: ${await signIn.text()}`);
  const cookie = signIn.headers.getSetCookie().map((value) => value.split(';')[0]).join('; ');
  const call = async (method, route) => {
    const response = await fetch(`${baseUrl}/api/v1${route}`, {
      method,
      headers: { Cookie: cookie, 'X-Requested-With': 'sensei-e2e' },
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  return {
    get: (route) => call('GET', route),
    post: (route) => call('POST', route),
  };
}
