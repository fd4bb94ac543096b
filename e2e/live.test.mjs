// Real-browser test of the live queue: two `sensei serve` processes share one database
// (a SQLite file, then PostgreSQL); an instructor's open dashboard on process A shows a
// booking made through the API of process B within 2 s without navigation, then shows it
// leaving the open queue when another instructor completes it in a second browser context;
// a student's "My sessions" shows their place in line and expected wait, and the place moves
// when an earlier session is claimed. The changed pages pass axe-core and still work with
// script disabled. Screenshots land in target/e2e-screenshots/ (docs/images/ with
// UPDATE_SCREENSHOTS=1).
//
// Run: (cd e2e && npm ci && SENSEI_BIN=../target/debug/sensei node --test live.test.mjs)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  PASSWORD, apiClient, binary, checkAxe, chromiumPath, createPostgresDatabase, launchBrowser,
  screenshots, startServer, stopServer,
} from './support.mjs';

const STEP_TIMEOUT_MS = 15_000;
// What the issue asks: a change shows in an open page within 2 s.
const LIVE_WITHIN_MS = 2_000;

let browser;
let workDir;

before(async () => {
  assert.ok(existsSync(binary), `sensei binary not found at ${binary}: build it with cargo build -p sensei-http`);
  assert.ok(existsSync(chromiumPath), `Chromium not found at ${chromiumPath}: apt-get install chromium`);
  workDir = mkdtempSync(path.join(tmpdir(), 'sensei-e2e-live-'));
  browser = await launchBrowser();
  mkdirSync(screenshots, { recursive: true });
});

after(async () => {
  if (browser) await browser.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

async function signedInPage(baseUrl, email, { javaScriptEnabled = true } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel(/email/i).fill(email);
  await page.getByLabel(/password/i).fill(PASSWORD);
  await page.getByRole('button', { name: /sign in|log in/i }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.ok(!page.url().endsWith('/login'), `signing in as ${email} failed`);
  return page;
}

/** Counts the page's navigations from now on: a live change must not navigate. */
function navigations(page) {
  const seen = { count: 0 };
  page.on('framenavigated', (frame) => { if (frame === page.mainFrame()) seen.count += 1; });
  return seen;
}

/** The student books their first eligible submission through the API of `baseUrl`. */
async function bookThroughApi(baseUrl, email) {
  const student = await apiClient(baseUrl, email);
  const submissions = await student.get('/me/submissions');
  assert.equal(submissions.status, 200, JSON.stringify(submissions.body));
  const eligible = submissions.body.items.find((item) => item.eligible);
  assert.ok(eligible, `${email} has no eligible submission`);
  const booked = await student.post(`/submissions/${eligible.id}/scheduled-sessions`);
  assert.ok([200, 201].includes(booked.status), `booking for ${email}: ${booked.status} ${JSON.stringify(booked.body)}`);
  return { student, session: booked.body.session };
}

function rowsOf(page, email) {
  return page.locator('table tbody tr').filter({ hasText: email });
}

/** The place in line shown for the student's only open session on "My sessions". */
async function placeInLine(page) {
  const place = page.locator('main .queue-place').first();
  await place.waitFor();
  return place.innerText();
}

async function liveQueueScenario(label, databaseUrl) {
  // Two processes on one database, started together.
  const [a, b] = await Promise.all([startServer(databaseUrl), startServer(databaseUrl)]);
  try {
    // The instructor's dashboard is open on process A.
    const dashboard = await signedInPage(a.url, 'sensei@example.com');
    await dashboard.goto(`${a.url}/admin`);
    await dashboard.getByRole('heading', { name: 'Scheduled Sessions' }).waitFor();
    assert.equal(await rowsOf(dashboard, 'alice@example.com').count(), 0, 'alice has no session yet');
    const titleBefore = await dashboard.title();
    const moves = navigations(dashboard);

    // alice books through process B's API: the row appears on A's open page.
    const started = Date.now();
    const alice = await bookThroughApi(b.url, 'alice@example.com');
    await rowsOf(dashboard, 'alice@example.com').first().waitFor({ timeout: LIVE_WITHIN_MS });
    console.log(`${label}: the booking on process B showed on process A's dashboard after ${Date.now() - started} ms`);
    assert.equal(moves.count, 0, 'the dashboard navigated to show the booking');
    await dashboard.waitForFunction((before) => document.title !== before && /\(1 new\)/.test(document.title), titleBefore, { timeout: LIVE_WITHIN_MS });
    await checkAxe(dashboard, `${label}: live dashboard`);
    if (label === 'sqlite') await dashboard.screenshot({ path: path.join(screenshots, 'live-dashboard.png'), fullPage: true });

    // bob books after alice: on his open "My sessions" he is behind her.
    await bookThroughApi(b.url, 'bob@example.com');
    const bob = await signedInPage(a.url, 'bob@example.com');
    await bob.goto(`${a.url}/sessions`);
    const placeBefore = await placeInLine(bob);
    const numberBefore = Number((placeBefore.match(/\d+/) || ['1'])[0]);
    assert.ok(/in line/i.test(placeBefore) && numberBefore >= 2, `bob should wait behind alice: "${placeBefore}"`);
    assert.ok((await bob.locator('main .queue-wait').first().innerText()).length > 0, 'bob sees no expected wait');
    await checkAxe(bob, `${label}: my sessions with a place in line`);
    if (label === 'sqlite') await bob.screenshot({ path: path.join(screenshots, 'live-my-sessions.png'), fullPage: true });
    const bobMoves = navigations(bob);

    // ann claims alice's session in a second context on process B: bob moves up, live.
    const ann = await signedInPage(b.url, 'ann@example.com');
    await ann.goto(`${b.url}/admin/scheduled-sessions/${alice.session.id}`);
    await ann.getByRole('button', { name: 'Claim', exact: true }).click();
    await ann.waitForURL(/\/admin\/scheduled-sessions\/\d+$/);
    const expected = numberBefore - 1 === 1 ? /next in line/i : new RegExp(`number ${numberBefore - 1} in line`, 'i');
    await bob.locator('main .queue-place').filter({ hasText: expected }).first().waitFor({ timeout: LIVE_WITHIN_MS });
    assert.equal(bobMoves.count, 0, 'bob\'s page navigated to show his new place');

    // ann completes it: alice's row leaves A's open queue without navigation.
    await ann.getByRole('button', { name: 'Mark as Completed' }).click();
    await ann.waitForURL(/\/admin\/?(\?.*)?$/);
    await rowsOf(dashboard, 'alice@example.com').first().waitFor({ state: 'detached', timeout: LIVE_WITHIN_MS });
    assert.equal(moves.count, 0, 'the dashboard navigated to show the completion');
    for (const page of [dashboard, bob, ann]) await page.context().close();

    // Without script the same pages carry the same facts, fresh on each load.
    const plainInstructor = await signedInPage(a.url, 'sensei@example.com', { javaScriptEnabled: false });
    await plainInstructor.goto(`${a.url}/admin`);
    assert.ok((await rowsOf(plainInstructor, 'bob@example.com').count()) >= 1, 'without script the dashboard lacks bob');
    assert.match(await plainInstructor.locator('main').innerText(), /on duty/i, 'without script the dashboard lacks who is on duty');
    const plainBob = await signedInPage(a.url, 'bob@example.com', { javaScriptEnabled: false });
    await plainBob.goto(`${a.url}/sessions`);
    assert.match(await placeInLine(plainBob), /in line/i, 'without script bob sees no place in line');
    for (const page of [plainInstructor, plainBob]) await page.context().close();
  } catch (error) {
    console.log(`process A log:\n${a.log}\nprocess B log:\n${b.log}`);
    throw error;
  } finally {
    await Promise.all([stopServer(a), stopServer(b)]);
  }
}

test('live queue across two processes on one SQLite file', async () => {
  await liveQueueScenario('sqlite', path.join(workDir, 'live.sqlite3'));
});

test('live queue across two processes on one PostgreSQL database', async (t) => {
  const database = createPostgresDatabase(`sensei_e2e_live_${process.pid}`);
  if (!database.url) {
    t.skip(database.reason);
    return;
  }
  try {
    await liveQueueScenario('postgres', database.url);
  } finally {
    database.drop();
  }
});
