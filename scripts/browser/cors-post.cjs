// A real browser against Kura: headless Chromium (Debian's), driven by playwright-core, loads a page
// from another origin (a tiny HTTP server on another loopback port) that
//   1. submits a real HTML form to Kura — a presigned POST whose policy this script signs (SigV4) —
//      and is redirected back to the page's origin (success_action_redirect);
//   2. reads the object back with fetch() from that page (cross-origin: CORS must allow it) and
//      compares its SHA-256;
//   3. uploads a second object with fetch(FormData) and reads its answer (CORS on the 204);
//   4. PUTs a third through a presigned URL (a preflighted request) and reads it back;
//   5. and, as a control, sees fetch() refused for a bucket whose CORS allows no one.
// Env: KURA_ENDPOINT, KURA_ACCESS_KEY, KURA_SECRET_KEY, PLAYWRIGHT_CORE (the installed module's path),
// CHROMIUM (default /usr/bin/chromium). Exit 0 when every check holds; a clear message otherwise.
'use strict';
const crypto = require('crypto');
const http = require('http');
const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');
const sigv4 = require('./sigv4.cjs');

const ENDPOINT = process.env.KURA_ENDPOINT;
const ACCESS = process.env.KURA_ACCESS_KEY;
const SECRET = process.env.KURA_SECRET_KEY;
const REGION = 'us-east-1';
const STEP_TIMEOUT_MS = 20000;

function fail(msg) {
  console.error('browser test FAILED: ' + msg);
  process.exit(1);
}

const hmac = (key, data) => crypto.createHmac('sha256', key).update(data, 'utf8').digest();
const sha256hex = (data) => crypto.createHash('sha256').update(data).digest('hex');
const amzDate = (d) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

function signingKey(date) {
  return hmac(hmac(hmac(hmac('AWS4' + SECRET, date), REGION), 's3'), 'aws4_request');
}

/** A presigned URL (query SigV4, UNSIGNED-PAYLOAD, only host signed): scripts/browser/sigv4.cjs. */
const presign = (method, path, extraQuery = {}, expires = 300) =>
  sigv4.presign({ endpoint: ENDPOINT, access: ACCESS, secret: SECRET, region: REGION }, method, path, extraQuery,
    expires);

/** The fields of a SigV4 POST form for keys under {@code prefix}. */
function postForm(bucket, prefix, redirect) {
  const now = new Date();
  const t = amzDate(now);
  const date = t.slice(0, 8);
  const credential = `${ACCESS}/${date}/${REGION}/s3/aws4_request`;
  const conditions = [
    { bucket }, ['starts-with', '$key', prefix], ['content-length-range', 1, 10 * 1024 * 1024],
    ['starts-with', '$Content-Type', ''], { 'x-amz-algorithm': 'AWS4-HMAC-SHA256' },
    { 'x-amz-credential': credential }, { 'x-amz-date': t },
  ];
  if (redirect) {
    conditions.push({ success_action_redirect: redirect });
  }
  const policy = Buffer.from(JSON.stringify({
    expiration: new Date(now.getTime() + 10 * 60 * 1000).toISOString(), conditions,
  })).toString('base64');
  const fields = { 'Content-Type': 'application/octet-stream' };
  if (redirect) {
    fields.success_action_redirect = redirect;
  }
  Object.assign(fields, {
    'x-amz-algorithm': 'AWS4-HMAC-SHA256', 'x-amz-credential': credential, 'x-amz-date': t, policy,
    'x-amz-signature': hmac(signingKey(date), policy).toString('hex'),
  });
  return fields;
}

async function s3(method, url, body, headers = {}) {
  const r = await fetch(url, { method, body, headers });
  const text = await r.text();
  if (!r.ok) {
    fail(`${method} ${url.split('?')[0]} answered ${r.status}: ${text}`);
  }
  return text;
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

async function main() {
  if (!ENDPOINT || !ACCESS || !SECRET) {
    fail('KURA_ENDPOINT, KURA_ACCESS_KEY and KURA_SECRET_KEY must be set');
  }
  const bucket = 'browser-' + crypto.randomBytes(4).toString('hex');
  const fileBytes = crypto.randomBytes(300 * 1024 + 7);
  const fileSha = sha256hex(fileBytes);
  const putBytes = Buffer.from('put through a preflighted fetch\n');
  let done = null; // what the redirect back to the page brought

  const page = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://127.0.0.1');
    if (u.pathname === '/done') {
      done = Object.fromEntries(u.searchParams);
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><title>done</title><p id="done">uploaded</p>');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(pageHtml);
  });
  const port = await listen(page);
  const origin = `http://127.0.0.1:${port}`;
  if (origin === new URL(ENDPOINT).origin) {
    fail('the page must come from another origin than Kura');
  }

  // The bucket and its CORS rule for the page's origin, through presigned requests signed here.
  await s3('PUT', presign('PUT', `/${bucket}`));
  const cors = '<CORSConfiguration><CORSRule><AllowedOrigin>http://127.0.0.1:*</AllowedOrigin>'
    + '<AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedMethod>POST</AllowedMethod>'
    + '<AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>60</MaxAgeSeconds>'
    + '</CORSRule></CORSConfiguration>';
  await s3('PUT', presign('PUT', `/${bucket}`, { cors: '' }), cors,
    { 'Content-MD5': crypto.createHash('md5').update(cors).digest('base64') });

  const closed = bucket + '-closed';
  await s3('PUT', presign('PUT', `/${closed}`));

  const formFields = postForm(bucket, 'form/', `${origin}/done`);
  const xhrFields = postForm(bucket, 'xhr/', null);
  const config = {
    action: `${ENDPOINT}/${bucket}`,
    formFields, xhrFields,
    getForm: presign('GET', `/${bucket}/form/upload.bin`),
    getXhr: presign('GET', `/${bucket}/xhr/second.txt`),
    putUrl: presign('PUT', `/${bucket}/put/third.txt`),
    getPut: presign('GET', `/${bucket}/put/third.txt`),
    listClosed: presign('GET', `/${closed}`),
    fileSha, putText: putBytes.toString(),
  };
  const pageHtml = `<!doctype html><title>kura browser test</title>
<form id="f" method="post" enctype="multipart/form-data" action="${config.action}">
${Object.entries(formFields).map(([k, v]) => `<input type="hidden" name="${k}" value="${v}">`).join('\n')}
<input type="hidden" name="key" value="form/\${filename}">
<input type="file" name="file" id="file">
</form>
<script>window.config = ${JSON.stringify(config)};</script>`;

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'], timeout: STEP_TIMEOUT_MS,
  });
  try {
    const ctx = await browser.newContext();
    const tab = await ctx.newPage();
    tab.setDefaultTimeout(STEP_TIMEOUT_MS);
    await tab.goto(`${origin}/`);

    // 1. A real form submission (a navigation to Kura), redirected back to the page's origin.
    await tab.setInputFiles('#file', { name: 'upload.bin', mimeType: 'application/octet-stream', buffer: fileBytes });
    await Promise.all([tab.waitForURL(`${origin}/done**`), tab.evaluate(() => document.getElementById('f').submit())]);
    if (!done || done.bucket !== bucket || done.key !== 'form/upload.bin' || !/^"[0-9a-f]{32}"$/.test(done.etag || '')) {
      fail('the form upload did not redirect back with bucket, key and etag: ' + JSON.stringify(done));
    }

    // 2-4. Cross-origin fetches from the page.
    const result = await tab.evaluate(async (cfg) => {
      const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
      const out = {};
      const got = await fetch(cfg.getForm);
      out.getStatus = got.status;
      out.getSha = hex(await crypto.subtle.digest('SHA-256', await got.arrayBuffer()));
      const fd = new FormData();
      for (const [k, v] of Object.entries(cfg.xhrFields)) fd.append(k, v);
      fd.append('key', 'xhr/second.txt');
      fd.append('file', new Blob(['second, by fetch'], { type: 'text/plain' }), 'second.txt');
      const posted = await fetch(cfg.action, { method: 'POST', body: fd });
      out.postStatus = posted.status;
      out.postEtag = posted.headers.get('ETag');
      out.xhrBack = await (await fetch(cfg.getXhr)).text();
      const put = await fetch(cfg.putUrl, { method: 'PUT', body: cfg.putText, headers: { 'Content-Type': 'application/octet-stream' } });
      out.putStatus = put.status;
      out.putBack = await (await fetch(cfg.getPut)).text();
      out.closed = await fetch(cfg.listClosed).then((r) => 'answered ' + r.status, (e) => 'refused');
      return out;
    }, config).catch((e) => fail('a fetch from the page failed (CORS refused?): ' + e.message));

    if (result.getStatus !== 200 || result.getSha !== fileSha) {
      fail(`fetch() of the form upload gave ${result.getStatus}, sha256 ${result.getSha}, expected ${fileSha}`);
    }
    if (result.postStatus !== 204 || !/^"[0-9a-f]{32}"$/.test(result.postEtag || '')) {
      fail(`fetch(FormData) upload gave ${result.postStatus}, ETag ${result.postEtag} (ETag must be exposed)`);
    }
    if (result.xhrBack !== 'second, by fetch') {
      fail('the fetch(FormData) upload read back as ' + JSON.stringify(result.xhrBack));
    }
    if (result.putStatus !== 200 || result.putBack !== config.putText) {
      fail(`the preflighted PUT gave ${result.putStatus} and read back ${JSON.stringify(result.putBack)}`);
    }
    if (result.closed !== 'refused') {
      fail('fetch() from another origin to a bucket without CORS was not refused: ' + result.closed);
    }
    console.log(`browser ok: form upload ${fileBytes.length} bytes (sha256 ${fileSha.slice(0, 12)}…), `
      + 'fetch GET, fetch(FormData) POST, preflighted PUT, all from ' + origin);
  } finally {
    await browser.close();
    page.close();
  }
}

const watchdog = setTimeout(() => fail('timed out after 120 s'), 120000);
watchdog.unref();
main().catch((e) => fail(e.stack || String(e)));
