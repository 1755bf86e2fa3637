// The web console in a real browser: headless Chromium (Debian's) driven by playwright-core.
//   test mode (default): refused without a session; a wrong secret refused; sign in; the dashboard's
//     request chart moves after S3 traffic; paging through a folder; keyboard and phone-width basics;
//     create a bucket; drag-and-drop a file; upload a
//     20 MiB file by the file picker with the progress bar reaching 100% (a multipart upload); download
//     it byte-exact; delete it; sign out and be refused again.
//   screenshots mode (KURA_CONSOLE_SCREENSHOTS=DIR): fills a bucket, makes traffic and saves
//     DIR/console-dashboard.png and DIR/console-browser.png at 1280×800.
// Env: KURA_ENDPOINT (S3 port), KURA_ADMIN_ENDPOINT (admin port), KURA_ACCESS_KEY, KURA_SECRET_KEY,
// PLAYWRIGHT_CORE (the installed module's path), CHROMIUM (default /usr/bin/chromium).
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');
const { presign } = require('./sigv4.cjs');

const S3 = process.env.KURA_ENDPOINT;
const ADMIN = process.env.KURA_ADMIN_ENDPOINT;
const ACCESS = process.env.KURA_ACCESS_KEY;
const SECRET = process.env.KURA_SECRET_KEY;
const SHOTS = process.env.KURA_CONSOLE_SCREENSHOTS;
const STEP_TIMEOUT_MS = 30000;
const creds = { endpoint: S3, access: ACCESS, secret: SECRET };

let checks = 0;
function fail(msg) {
  console.error('console browser test FAILED: ' + msg);
  process.exit(1);
}
function check(cond, msg) {
  if (!cond) fail(msg);
  checks++;
}

async function s3(method, p, body, query = {}) {
  const r = await fetch(presign(creds, method, p, query), { method, body });
  if (!r.ok) fail(`${method} ${p} on the S3 port answered ${r.status}: ${await r.text()}`);
  return r;
}

/** Some S3 traffic on the S3 port: n PUTs and n GETs of small objects, a few of them missing. */
async function traffic(bucket, n) {
  for (let i = 0; i < n; i++) {
    await s3('PUT', `/${bucket}/traffic/${i % 7}/obj-${i}.txt`, `hello ${i}\n`);
    await s3('GET', `/${bucket}/traffic/${i % 7}/obj-${i}.txt`);
    if (i % 10 === 0) await fetch(presign(creds, 'GET', `/${bucket}/missing-${i}`)); // a 404, for the error chart
  }
}

async function signIn(page) {
  await page.goto(`${ADMIN}/console/`);
  await page.getByLabel('Access key').fill(ACCESS);
  await page.getByLabel('Secret key').fill(SECRET);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('[data-status]').waitFor();
}

/** The requests chart's points [[t, requests per second], …] as the page shows them. */
async function requestPoints(page) {
  const raw = await page.locator('#requests-card').getAttribute('data-points');
  return JSON.parse(raw || '[]');
}

async function testMode(browser) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await ctx.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.on('dialog', (d) => d.accept());
  // (401s are expected: the test asks without a session on purpose)
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('401')) console.error('  page console: ' + m.text()); });
  page.on('pageerror', (e) => console.error('  page error: ' + e.message));

  // 1. Without a session: the app asks to sign in, and the API refuses (401) reads and writes.
  await page.goto(`${ADMIN}/console/`);
  await page.getByLabel('Access key').waitFor();
  const refused = await page.evaluate(async () => {
    const out = {};
    out.list = (await fetch('/console/api/s3/')).status;
    out.dashboard = (await fetch('/console/api/dashboard')).status;
    out.put = (await fetch('/console/api/s3/sneaky-bucket', { method: 'PUT' })).status;
    return out;
  });
  check(refused.list === 401 && refused.dashboard === 401 && refused.put === 401,
    'without a session the API must answer 401, got ' + JSON.stringify(refused));

  // 2. A wrong secret is refused with a message, and no session cookie is set.
  await page.getByLabel('Access key').fill(ACCESS);
  await page.getByLabel('Secret key').fill(SECRET + 'x');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('the access key or the secret key is wrong').waitFor();
  check((await ctx.cookies()).every((c) => c.name !== 'kura_console' || c.value === ''), 'a failed sign-in set a session cookie');

  // 3. Sign in: the cookie is HttpOnly and SameSite=Strict; nothing secret is in the page's storage.
  await page.getByLabel('Secret key').fill(SECRET);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('[data-status]').waitFor();
  const cookie = (await ctx.cookies()).find((c) => c.name === 'kura_console');
  check(cookie && cookie.httpOnly && cookie.sameSite === 'Strict' && cookie.path === '/console', 'session cookie flags: ' + JSON.stringify(cookie));
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
  check(!stored.includes(SECRET) && !stored.includes(cookie.value), 'the secret or the session id is readable by the page: ' + stored);
  const status = await page.locator('[data-status]').getAttribute('data-status');
  check(['healthy', 'degraded', 'failing'].includes(status), 'overall status shown: ' + status);

  // 4. The dashboard moves after traffic: the points after it started add up to (nearly) its ~126
  //    requests (each point is a rate over a 2 s step).
  const bucket = 'console-' + crypto.randomBytes(4).toString('hex');
  await s3('PUT', `/${bucket}`);
  const before = Date.now();
  await traffic(bucket, 60);
  await page.waitForFunction(([since]) => {
    const el = document.getElementById('requests-card');
    const pts = el ? JSON.parse(el.dataset.points || '[]') : [];
    return pts.filter(([t]) => t > since).reduce((sum, [, rps]) => sum + rps * 2, 0) >= 100;
  }, [before], { timeout: 30000 }).catch(async () => fail('the request chart did not move after traffic: '
    + JSON.stringify((await requestPoints(page)).slice(-8))));
  checks++;
  await page.getByText('Most frequent error codes').waitFor({ timeout: 15000 })
    .catch(() => fail('the 404s of the traffic did not show among the error codes'));
  check(await page.locator('table').filter({ hasText: 'NoSuchKey' }).count() > 0, 'NoSuchKey is listed among the error codes');

  // 4b. Paging: a folder of 55 objects shows 50, then the other 5 on the next page, and back.
  await Promise.all(Array.from({ length: 55 }, (_, i) => s3('PUT', `/${bucket}/many/item-${String(i).padStart(3, '0')}.txt`, 'x')));
  await page.goto(`${ADMIN}/console/#/b/${bucket}/many/`);
  await page.getByRole('button', { name: 'Next page →' }).waitFor();
  check(await page.locator('.listing tbody tr').count() === 50, 'the first page has 50 rows');
  await page.getByRole('button', { name: 'Next page →' }).click();
  await page.getByRole('button', { name: '← Previous page' }).waitFor();
  const second = await page.locator('.listing tbody tr').allTextContents();
  check(second.length === 5 && second[0].startsWith('item-050.txt'), 'the second page: ' + second.map((r) => r.slice(0, 12)));
  await page.getByRole('button', { name: '← Previous page' }).click();
  await page.getByRole('button', { name: 'Next page →' }).waitFor();
  check(await page.locator('.listing tbody tr').first().textContent().then((t) => t.startsWith('item-000.txt')), 'back on the first page');
  await page.goto(`${ADMIN}/console/#/`);
  await page.locator('[data-status]').waitFor();

  // 5. Keyboard: the first Tab reaches "Skip to content", the next ones the main navigation.
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement?.textContent) === 'Skip to content', 'first Tab is the skip link');
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement?.textContent) === 'Dashboard', 'Tab reaches the navigation');
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement?.textContent) === 'Buckets', 'Tab reaches the navigation');

  // 6. The bucket browser: create a bucket with the form.
  await page.getByRole('link', { name: 'Buckets' }).click();
  const mine = 'console-ui-' + crypto.randomBytes(3).toString('hex');
  await page.getByLabel('New bucket name').fill(mine);
  await page.getByRole('button', { name: 'Create bucket' }).click();
  await page.getByText('This bucket is empty').waitFor();

  // 7. Upload 20 MiB with the file picker: the progress bar moves and reaches 100%.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kura-console-'));
  const file = path.join(tmp, 'twenty.bin');
  const data = crypto.randomBytes(20 * 1024 * 1024);
  fs.writeFileSync(file, data);
  const sha = crypto.createHash('sha256').update(data).digest('hex');
  await page.evaluate(() => {
    window.__progress = [];
    new MutationObserver(() => {
      const p = document.querySelector('.uploads progress');
      if (p) window.__progress.push(Number(p.value) / Number(p.max));
    }).observe(document.querySelector('.uploads'), { subtree: true, childList: true, characterData: true, attributes: true });
  });
  const started = Date.now();
  await page.locator('input[type=file]').setInputFiles(file);
  await page.locator('.uploads li.done').waitFor({ timeout: 120000 });
  const progress = await page.evaluate(() => window.__progress);
  const label = await page.locator('.uploads li .status').textContent();
  check(label.startsWith('100%'), 'the progress label reads ' + label);
  check(progress.some((p) => p > 0 && p < 1), 'the progress bar never showed a value between 0 and 100%: ' + progress.slice(0, 20));
  check(progress[progress.length - 1] === 1, 'the progress bar did not end at 100%: ' + progress.slice(-5));
  const uploadMs = Date.now() - started;
  const uploads = await s3('GET', `/${mine}`, undefined, { uploads: '' }).then((r) => r.text());
  check(!uploads.includes('<Upload>'), 'a multipart upload was left behind: ' + uploads);
  const head = await s3('HEAD', `/${mine}/twenty.bin`);
  check(/-3"$/.test(head.headers.get('etag') || ''), 'a 20 MiB upload is a 3-part multipart upload (ETag ' + head.headers.get('etag') + ')');

  // 7b. Drag and drop: a file dropped on the drop zone is uploaded too.
  const dropped = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['dropped on the page\n'], 'dropped.txt', { type: 'text/plain' }));
    return dt;
  });
  await page.dispatchEvent('#dropzone', 'drop', { dataTransfer: dropped });
  await page.locator('.uploads li.done[data-key="dropped.txt"]').waitFor();
  const droppedBack = await s3('GET', `/${mine}/dropped.txt`).then((r) => r.text());
  check(droppedBack === 'dropped on the page\n', 'the dropped file reads back as ' + JSON.stringify(droppedBack));
  await page.getByRole('link', { name: 'dropped.txt', exact: true }).waitFor();
  await s3('DELETE', `/${mine}/dropped.txt`);

  // 8. Download it from the listing: byte-exact.
  await page.getByRole('link', { name: 'twenty.bin', exact: true }).waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download twenty.bin' }).click()]);
  const saved = path.join(tmp, 'downloaded.bin');
  await download.saveAs(saved);
  const got = fs.readFileSync(saved);
  check(got.length === data.length && crypto.createHash('sha256').update(got).digest('hex') === sha,
    `the download differs: ${got.length} bytes`);
  check(download.suggestedFilename() === 'twenty.bin', 'download file name ' + download.suggestedFilename());

  // 9. The object page shows its metadata; then delete it from the listing.
  await page.getByRole('link', { name: 'twenty.bin', exact: true }).click();
  await page.locator('dd', { hasText: /^20 MiB$/ }).waitFor();
  check(await page.locator('dd', { hasText: 'application/octet-stream' }).count() === 1, 'the object page shows its content type');
  await page.getByRole('link', { name: `← ${mine}/` }).click();
  await page.getByRole('button', { name: 'Delete twenty.bin' }).click();
  await page.getByText('This bucket is empty').waitFor();
  const gone = await fetch(presign(creds, 'HEAD', `/${mine}/twenty.bin`), { method: 'HEAD' });
  check(gone.status === 404, 'the deleted object still answers ' + gone.status);

  // 10. Settings: turn versioning on through the console; the S3 port sees it.
  await page.getByRole('link', { name: 'Bucket settings' }).click();
  await page.getByRole('button', { name: 'Enable' }).click();
  await page.locator('[data-setting=versioning]', { hasText: 'Enabled' }).waitFor();
  const versioning = await s3('GET', `/${mine}`, undefined, { versioning: '' }).then((r) => r.text());
  check(versioning.includes('<Status>Enabled</Status>'), 'versioning not enabled on the S3 port: ' + versioning);

  // 11. A write without the CSRF token is refused even with the session cookie.
  const csrfless = await page.evaluate(async (b) => (await fetch(`/console/api/s3/${b}-x`, { method: 'PUT' })).status, mine);
  check(csrfless === 403, 'a PUT without the CSRF token answered ' + csrfless);

  // 12. Phone width: no sideways scrolling on the dashboard and the browser.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const hash of ['#/', '#/buckets', `#/b/${mine}/`]) {
    await page.goto(`${ADMIN}/console/${hash}`);
    await page.locator('main h1').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 1, `${hash} scrolls sideways by ${overflow}px at 390px wide`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });

  // 13. Sign out: the API refuses again, with the old cookie too.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Access key').waitFor();
  const after = await page.evaluate(async () => (await fetch('/console/api/s3/')).status);
  check(after === 401, 'after sign-out the API answered ' + after);
  const replay = await fetch(`${ADMIN}/console/api/s3/`, { headers: { Cookie: `kura_console=${cookie.value}` } });
  check(replay.status === 401, 'the signed-out session id still works: ' + replay.status);

  // 14. Sign in again and delete the (empty) bucket from the bucket list.
  await signIn(page);
  await page.getByRole('link', { name: 'Buckets' }).click();
  await page.getByRole('button', { name: `Delete bucket ${mine}` }).click();
  await page.getByText(`Bucket ${mine} deleted.`).waitFor();
  const bucketGone = await fetch(presign(creds, 'HEAD', `/${mine}`), { method: 'HEAD' });
  check(bucketGone.status === 404, 'the bucket deleted in the console still answers ' + bucketGone.status);
  fs.rmSync(tmp, { recursive: true, force: true });
  console.log(`console browser ok: ${checks} checks; 20 MiB multipart upload in ${uploadMs} ms with progress `
    + `${progress.length} steps, byte-exact download, delete, dashboard moved, refused without a session`);
}

async function screenshotMode(browser) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const bucket = 'team-photos';
  const exists = await fetch(presign(creds, 'HEAD', `/${bucket}`), { method: 'HEAD' });
  if (exists.status === 404) await s3('PUT', `/${bucket}`);
  for (const f of ['2026/', 'archive/', 'raw/']) await s3('PUT', `/${bucket}/${f}readme.txt`, 'folder\n');
  for (const [k, n] of [['team-offsite.jpg', 2400000], ['budget-2027.xlsx', 48000], ['notes.md', 3100]]) {
    await s3('PUT', `/${bucket}/${k}`, crypto.randomBytes(n));
  }
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await ctx.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  await signIn(page);
  // About a minute of mixed traffic, so the charts have a shape; the picture is taken while it runs,
  // so the busiest key ranges (measured over the last second) show it too.
  let running = true;
  const load = (async () => {
    for (let i = 0; running; i++) {
      await traffic(bucket, 5 + Math.round(10 * Math.abs(Math.sin(i / 4))));
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  await page.waitForTimeout(60000);
  await page.locator('section[aria-label="Hot prefixes"] table').waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'console-dashboard.png'), fullPage: true });
  running = false;
  await load;
  await page.goto(`${ADMIN}/console/#/b/${bucket}/`);
  await page.getByRole('link', { name: 'notes.md', exact: true }).waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'console-browser.png') });
  console.log(`screenshots in ${SHOTS}`);
}

async function main() {
  if (!S3 || !ADMIN || !ACCESS || !SECRET) fail('KURA_ENDPOINT, KURA_ADMIN_ENDPOINT, KURA_ACCESS_KEY and KURA_SECRET_KEY must be set');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'], timeout: STEP_TIMEOUT_MS,
  });
  try {
    await (SHOTS ? screenshotMode(browser) : testMode(browser));
  } finally {
    await browser.close();
  }
}

const watchdog = setTimeout(() => fail('timed out after 240 s'), 240000);
watchdog.unref();
main().catch((e) => fail(e.stack || String(e)));
