// Real-browser end-to-end test: starts the real `sensei serve --demo` binary on a free loopback
// port with a temporary database, drives Debian's Chromium headless and clicks through the
// student-to-instructor flow (booking, claims by two instructors, completion with both kinds of
// notes, the student's sessions, cancelling). Screenshots land in target/e2e-screenshots/ (docs/images/ with UPDATE_SCREENSHOTS=1). Every page the
// test visits, the API reference at /api/v1/docs included, must pass an axe-core WCAG 2.1 AA
// audit with no violation; each audit's result is printed.
//
// Run: (cd e2e && npm ci && SENSEI_BIN=../target/debug/sensei npm test)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  PASSWORD, binary, checkAxe, chromiumPath, launchBrowser, screenshots, startServer, stopServer,
} from './support.mjs';

const STEP_TIMEOUT_MS = 15_000;

let server;
let baseUrl;
let browser;
let workDir;

before(async () => {
  assert.ok(existsSync(binary), `sensei binary not found at ${binary}: build it with cargo build -p sensei-http`);
  assert.ok(existsSync(chromiumPath), `Chromium not found at ${chromiumPath}: apt-get install chromium`);
  workDir = mkdtempSync(path.join(tmpdir(), 'sensei-e2e-'));
  server = await startServer(path.join(workDir, 'e2e.sqlite3'), { deadlineMs: 30_000 });
  baseUrl = server.url;
  browser = await launchBrowser();
  mkdirSync(screenshots, { recursive: true });
});

after(async () => {
  if (browser) await browser.close();
  await stopServer(server);
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

async function newPage(viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  return page;
}

async function signIn(page, email) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel(/email/i).fill(email);
  await page.getByLabel(/password/i).fill(PASSWORD);
  await page.getByRole('button', { name: /sign in|log in/i }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.ok(!page.url().endsWith('/login'), `signing in as ${email} failed: still on ${page.url()}`);
}

async function openOnlySubmission(page) {
  await page.goto(`${baseUrl}/submissions`);
  const links = page.locator('main a[href^="/submissions/"]');
  assert.ok((await links.count()) >= 1, 'the student has no submission link');
  await links.first().click();
  await page.waitForURL(/\/submissions\/\d+$/);
}

async function pendingCount(page) {
  // The stat card is the element around the exact label.
  const card = page.getByText('Pending scheduled sessions', { exact: true }).locator('..');
  const text = await card.innerText();
  const match = text.match(/(\d[\d,]*)/);
  assert.ok(match, `no number in the pending stat card: ${text}`);
  return Number(match[1].replace(/,/g, ''));
}

function aliceRows(page) {
  return page.locator('table tbody tr').filter({ hasText: 'alice@example.com' });
}

/** Every page: a title, labelled fields, table headers, readable contrast, the axe audit. */
async function checkAccessible(page, label) {
  await checkAxe(page, label);
  const title = await page.title();
  assert.ok(title.trim().length > 0, `${label}: the page has no <title>`);
  const report = await page.evaluate(() => {
    const problems = [];
    for (const field of document.querySelectorAll('input, textarea, select')) {
      if (field.type === 'hidden' || field.type === 'submit') continue;
      const labelled = (field.labels && field.labels.length > 0) || field.getAttribute('aria-label');
      if (!labelled) problems.push(`unlabelled field ${field.name || field.id}`);
    }
    for (const table of document.querySelectorAll('table')) {
      if (table.querySelectorAll('th').length === 0) problems.push('a table without headers');
    }
    const channel = (value) => {
      const c = value / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    const rgb = (css) => (css.match(/[\d.]+/g) || []).map(Number);
    const background = (element) => {
      for (let node = element; node; node = node.parentElement) {
        const parts = rgb(getComputedStyle(node).backgroundColor);
        if (parts.length === 3 || (parts.length === 4 && parts[3] > 0.5)) return parts.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const texts = document.querySelectorAll('p, td, th, a, button, label, h1, h2, h3, li, span, dd, dt');
    for (const element of texts) {
      if (!element.textContent.trim() || element.offsetParent === null) continue;
      const fg = luminance(rgb(getComputedStyle(element).color).slice(0, 3));
      const bg = luminance(background(element));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < 4.5) problems.push(`contrast ${ratio.toFixed(2)} on "${element.textContent.trim().slice(0, 30)}"`);
    }
    return problems;
  });
  assert.deepEqual(report, [], `${label}: accessibility problems`);
}

async function checkNarrow(url, label, signInAs) {
  const page = await newPage({ width: 375, height: 800 });
  await signIn(page, signInAs);
  await page.goto(url);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `${label} scrolls sideways by ${overflow}px on a phone-width window`);
  await page.context().close();
}

test('a student books, an instructor reviews and completes, an ineligible student is told why', async () => {
  // 1. alice signs in, opens her submission and books; clicking again shows the same session.
  const alice = await newPage();
  await signIn(alice, 'alice@example.com');
  await checkAccessible(alice, 'student submissions');
  await openOnlySubmission(alice);
  const submissionUrl = alice.url();
  const schedule = alice.getByRole('button', { name: 'Schedule a Sensei Session' });
  await schedule.waitFor();
  await checkAccessible(alice, 'student submission');
  await alice.screenshot({ path: path.join(screenshots, 'student-submission.png'), fullPage: true });
  await schedule.click();
  await alice.waitForLoadState('domcontentloaded');
  const confirmation = await alice.locator('main').innerText();
  assert.match(confirmation, /scheduled/i, 'no booking confirmation');
  await checkAccessible(alice, 'booking confirmation');
  await alice.goto(submissionUrl);
  await alice.getByRole('button', { name: 'Schedule a Sensei Session' }).click();
  await alice.waitForLoadState('domcontentloaded');
  assert.match(await alice.locator('main').innerText(), /already/i, 'a second click does not show the existing session');
  await alice.context().close();

  // 2. the instructor sees exactly one row for alice with the snapshot.
  const sensei = await newPage();
  await signIn(sensei, 'sensei@example.com');
  await sensei.goto(`${baseUrl}/admin`);
  await sensei.getByRole('heading', { name: 'Scheduled Sessions' }).waitFor();
  assert.equal(await aliceRows(sensei).count(), 1, 'alice should have exactly one pending row');
  const row = aliceRows(sensei).first();
  const rowText = await row.innerText();
  assert.match(rowText, /Needs work feedback/);
  assert.match(rowText, /1 passed, 1 engaged \/ 3 total/);
  assert.match(rowText, /\d{4}-\d{2}-\d{2}/, 'the row has no scheduled date');
  const pendingBefore = await pendingCount(sensei);
  assert.ok(pendingBefore >= 1);
  await checkAccessible(sensei, 'dashboard');
  await sensei.screenshot({ path: path.join(screenshots, 'dashboard.png'), fullPage: true });

  // 3. View Conversations shows the anatomy conversation; View Details shows the snapshot.
  await row.getByRole('link', { name: 'View Conversations' }).click();
  await sensei.waitForURL(/\/admin\/submissions\/\d+\/conversations$/);
  assert.ok((await sensei.locator('main li, main article, main .message').count()) > 0, 'no anatomy conversation shown');
  await checkAccessible(sensei, 'conversations');
  await sensei.goBack();
  await aliceRows(sensei).first().getByRole('link', { name: 'View Details' }).click();
  await sensei.waitForURL(/\/admin\/scheduled-sessions\/\d+$/);
  const detail = await sensei.locator('main').innerText();
  assert.match(detail, /1 passed/);
  assert.match(detail, /digi-trainer/i);
  assert.ok((await sensei.locator('main table th').count()) > 0, 'no goal progress table');
  assert.ok((await sensei.locator('main table tbody tr').count()) >= 3, 'the goal table should list alice\'s 3 goals');
  assert.ok((await sensei.locator('main .message, main li').count()) > 0, 'no digi-trainer message previews');
  await checkAccessible(sensei, 'session detail');

  // 4. the instructor claims it; a second instructor (ann) sees it held and cannot take it.
  await sensei.getByRole('button', { name: 'Claim', exact: true }).click();
  await sensei.waitForURL(/\/admin\/scheduled-sessions\/\d+$/);
  const detailUrl = sensei.url();
  assert.match(await sensei.locator('main').innerText(), /sensei@example\.com until \d{4}-\d{2}-\d{2}/, 'the holder and expiry are not shown');
  // The claim is confirmed once, in a status message above the page.
  const claimFlash = sensei.locator('main p.flash[role="status"]');
  assert.equal(await claimFlash.count(), 1, 'the claim is not confirmed');
  assert.match(await claimFlash.innerText(), /^You claimed session \d+ until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\.$/);
  assert.equal(await sensei.getByRole('button', { name: 'Release' }).count(), 1, 'the holder is not offered Release');
  await checkAccessible(sensei, 'claimed session detail');
  await sensei.screenshot({ path: path.join(screenshots, 'session-detail.png'), fullPage: true });
  await sensei.reload();
  assert.equal(await sensei.locator('main p.flash').count(), 0, 'the confirmation shows again on reload');
  // A claimed session is not pending: the card went down by one with the claim.
  await sensei.goto(`${baseUrl}/admin`);
  assert.equal(await pendingCount(sensei), pendingBefore - 1, 'the pending count should not count a claimed session');
  await sensei.goto(detailUrl);

  const ann = await newPage();
  await signIn(ann, 'ann@example.com');
  await ann.goto(`${baseUrl}/admin`);
  const heldRow = aliceRows(ann).first();
  assert.match(await heldRow.innerText(), /sensei@example\.com until/, 'ann does not see who holds alice\'s session');
  assert.equal(await heldRow.getByRole('button', { name: 'Claim' }).count(), 0, 'ann is offered Claim on a held session');
  await checkAccessible(ann, 'dashboard with claims');
  await ann.screenshot({ path: path.join(screenshots, 'dashboard-claims.png'), fullPage: true });
  await ann.goto(detailUrl);
  assert.equal(await ann.getByRole('button', { name: 'Mark as Completed' }).count(), 0, 'ann may complete a session sensei holds');
  assert.match(await ann.locator('main').innerText(), /only they can complete it/);
  // A claim sent anyway (a stale form) is refused with a conflict naming the holder.
  const refused = await ann.evaluate(async (url) => {
    const token = document.querySelector('input[name="csrf_token"]').value;
    const response = await fetch(`${url}/claim`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf_token: token, return_to: 'detail' }),
      redirect: 'manual',
    });
    return { status: response.status, text: await response.text() };
  }, detailUrl);
  assert.equal(refused.status, 409, 'a claim of a held session should be a conflict');
  assert.match(refused.text, /claimed by sensei@example\.com until/);
  await ann.context().close();

  // 5. the holder completes with both notes; alice's row is gone and the count went down by one.
  await sensei.getByLabel(/private notes/i).fill('Alice rushed the collision goal; revisit atomic inserts.');
  await sensei.getByLabel(/notes for the student/i).fill('Walked through the failing goal together: try a unique index next.');
  await sensei.getByRole('button', { name: 'Mark as Completed' }).click();
  await sensei.waitForURL(/\/admin\/?(\?.*)?$/);
  assert.equal(await aliceRows(sensei).count(), 0, 'alice\'s row should be gone after completion');
  assert.equal(await pendingCount(sensei), pendingBefore - 1, 'the completion of a claimed session leaves the pending count as it was');
  assert.match(await sensei.locator('main p.flash[role="status"]').innerText(), /^Session \d+ completed\.$/);
  await checkAccessible(sensei, 'dashboard with a confirmation');
  // A mistyped address keeps the header, so the way back is one click.
  const missing = await sensei.goto(`${baseUrl}/admin/no-such-page`);
  assert.equal(missing.status(), 404);
  assert.equal(await sensei.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).count(), 1, 'the signed-in 404 page has no navigation');
  await checkAccessible(sensei, 'signed-in not found');
  await sensei.goto(detailUrl);
  const timeline = await sensei.locator('main table.timeline').innerText();
  for (const kind of ['Booked', 'Claimed', 'Completed']) assert.match(timeline, new RegExp(kind), `the timeline lacks ${kind}`);
  await sensei.goto(`${baseUrl}/admin/history`);
  assert.ok((await aliceRows(sensei).count()) >= 1, 'alice\'s completed session is not in the history');
  await checkAccessible(sensei, 'history');
  await sensei.context().close();

  // 6. alice sees the notes meant for her on her sessions page, never the private ones.
  const aliceAgain = await newPage();
  await signIn(aliceAgain, 'alice@example.com');
  await aliceAgain.goto(`${baseUrl}/sessions`);
  const mine = await aliceAgain.locator('main').innerText();
  assert.match(mine, /try a unique index next/, 'alice does not see the notes for her');
  assert.doesNotMatch(mine, /revisit atomic inserts/, 'alice sees the private notes');
  await checkAccessible(aliceAgain, 'my sessions');
  await aliceAgain.screenshot({ path: path.join(screenshots, 'student-sessions.png'), fullPage: true });
  await aliceAgain.context().close();

  // 7. carol sees no button and is told why.
  const carol = await newPage();
  await signIn(carol, 'carol@example.com');
  await openOnlySubmission(carol);
  assert.equal(await carol.getByRole('button', { name: 'Schedule a Sensei Session' }).count(), 0, 'carol must not be offered a session');
  assert.match(await carol.locator('main').innerText(), /1 of 5 goals engaged/);
  await checkAccessible(carol, 'ineligible submission');
  await carol.context().close();
});

test('a student cancels a pending session with a reason', async () => {
  const bob = await newPage();
  await signIn(bob, 'bob@example.com');
  await openOnlySubmission(bob);
  await bob.getByRole('button', { name: 'Schedule a Sensei Session' }).click();
  await bob.waitForLoadState('domcontentloaded');
  await bob.goto(`${baseUrl}/sessions`);
  const open = bob.locator('article.session').filter({ hasText: 'Pending' }).first();
  await open.getByLabel(/reason/i).fill('I solved it with the digi-trainer.');
  await open.getByRole('button', { name: 'Cancel this session' }).click();
  await bob.waitForURL(/\/sessions$/);
  const text = await bob.locator('main').innerText();
  assert.match(text, /Cancelled/);
  assert.match(text, /I solved it with the digi-trainer\./);
  assert.equal(await bob.getByRole('button', { name: 'Cancel this session' }).count(), 0, 'a cancelled session still offers Cancel');
  await checkAccessible(bob, 'my sessions after cancelling');
  await bob.context().close();

  // The instructors' queue no longer lists it.
  const sensei = await newPage();
  await signIn(sensei, 'sensei@example.com');
  await sensei.goto(`${baseUrl}/admin`);
  assert.equal(await sensei.locator('table tbody tr').filter({ hasText: 'bob@example.com' }).count(), 0, 'a cancelled session stays in the queue');
  await sensei.context().close();
});

test('pages stay readable on a phone-width window', async () => {
  await checkNarrow(`${baseUrl}/admin`, 'the dashboard', 'sensei@example.com');
  await checkNarrow(`${baseUrl}/admin/history`, 'the history', 'sensei@example.com');
  await checkNarrow(`${baseUrl}/submissions`, 'the submissions page', 'bob@example.com');
  await checkNarrow(`${baseUrl}/sessions`, 'the sessions page', 'frank@example.com');
});

test('the pages not visited above pass the audit too', async () => {
  const visitor = await newPage();
  await visitor.goto(`${baseUrl}/login`);
  await checkAccessible(visitor, 'sign-in');
  const missing = await visitor.goto(`${baseUrl}/no-such-page`);
  assert.equal(missing.status(), 404);
  await checkAccessible(visitor, 'not found');
  await visitor.context().close();

  const sensei = await newPage();
  await signIn(sensei, 'sensei@example.com');
  await sensei.goto(`${baseUrl}/admin/webhooks`);
  await checkAccessible(sensei, 'webhooks');
  await sensei.goto(`${baseUrl}/account/tokens`);
  await checkAccessible(sensei, 'API tokens');
  await sensei.getByLabel('Name (to tell your tokens apart, e.g. nightly export)').fill('e2e');
  await sensei.getByRole('button', { name: 'Create token' }).click();
  await sensei.getByRole('heading', { name: /^Token \d+ created$/ }).waitFor();
  await checkAccessible(sensei, 'API token created');
  await sensei.goto(`${baseUrl}/admin`);
  await sensei.getByRole('button', { name: 'New calendar link' }).click();
  await sensei.getByLabel('Feed address').waitFor();
  await checkAccessible(sensei, 'calendar link');
  await sensei.context().close();
});

test('a student chooses a time zone and the pages show times in it', async () => {
  const frank = await newPage();
  await signIn(frank, 'frank@example.com');
  await frank.getByRole('link', { name: 'Preferences' }).click();
  await checkAccessible(frank, 'preferences');
  await frank.getByLabel('Show times in').selectOption('Asia/Tokyo');
  await frank.getByRole('button', { name: 'Save' }).click();
  assert.equal(await frank.locator('p.flash').textContent(), 'Times are now shown in Asia/Tokyo.');
  await frank.goto(`${baseUrl}/sessions`);
  assert.ok((await frank.locator('main').textContent()).includes('JST'), 'the sessions page shows Tokyo time');
  // Back to UTC, so the other tests read the times they expect.
  await frank.goto(`${baseUrl}/account/preferences`);
  await frank.getByLabel('Show times in').selectOption('UTC');
  await frank.getByRole('button', { name: 'Save' }).click();
  await frank.context().close();
});

test('the admins\' accounts and audit pages pass the audit', async () => {
  // An admin added on the command line, on the running service's database (the demo has none).
  const added = spawnSync(
    binary,
    ['user', 'add', 'root@example.com', '--role', 'admin', '--password-stdin',
      '--database-url', path.join(workDir, 'e2e.sqlite3')],
    { input: `${PASSWORD}\n`, encoding: 'utf8' },
  );
  assert.equal(added.status, 0, `sensei user add failed: ${added.stderr}`);
  const root = await newPage();
  await signIn(root, 'root@example.com');
  await root.goto(`${baseUrl}/admin/accounts`);
  await root.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();
  await checkAccessible(root, 'accounts');
  await root.goto(`${baseUrl}/admin/audit`);
  assert.ok(await root.getByText('Account added').count() >= 1, 'the CLI addition is recorded');
  await checkAccessible(root, 'who changed what');
  await root.context().close();
});

test('the API reference is one accessible page from our own server, without script', async () => {
  const page = await newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (answer) => {
    if (answer.status() >= 400) problems.push(`${answer.status()} for ${answer.url()}`);
  });
  const foreign = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(baseUrl) && !request.url().startsWith('data:')) foreign.push(request.url());
  });
  const response = await page.goto(`${baseUrl}/api/v1/docs`);
  assert.equal(response.status(), 200);
  assert.equal(await page.locator('script').count(), 0, 'the reference needs no script');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await page.getByRole('heading', { name: 'Book a sensei session', exact: true }).waitFor();
  assert.match(await page.locator('main').innerText(), /\/api\/v1\/submissions\/\{id\}\/scheduled-sessions/);
  // Every operation of the served document has its section, reached from the contents.
  const document = await (await fetch(`${baseUrl}/api/v1/openapi.json`)).json();
  const ids = Object.values(document.paths).flatMap((item) => Object.values(item).map((operation) => operation.operationId));
  assert.ok(ids.length > 0);
  for (const id of ids) {
    assert.equal(await page.locator(`[id="op-${id}"]`).count(), 1, `no section for ${id}`);
    assert.equal(await page.locator(`nav a[href="#op-${id}"]`).count(), 1, `no contents link to ${id}`);
  }
  await checkAccessible(page, 'API reference');
  await page.getByRole('link', { name: 'openapi.json' }).click();
  await page.waitForURL(/\/api\/v1\/openapi\.json$/);
  assert.deepEqual(problems, [], 'the reference page logged errors');
  assert.deepEqual(foreign, [], 'the reference page asked for assets from elsewhere');
  await page.context().close();

  // Readable on a phone-width window too, and the same without JavaScript at all.
  await checkNarrow(`${baseUrl}/api/v1/docs`, 'the API reference', 'frank@example.com');
  const context = await browser.newContext({ javaScriptEnabled: false });
  const bare = await context.newPage();
  await bare.goto(`${baseUrl}/api/v1/docs`);
  assert.equal(await bare.getByRole('heading', { name: 'Sign in', exact: true }).count(), 1, 'the reference needs JavaScript');
  await context.close();
});
