// The console's only door to Kura: its own session API and S3 requests under /console/api/s3, which
// the server runs through the S3 front end as the signed-in user. The secret key is sent once, to
// sign in, and kept nowhere; the session lives in an HttpOnly cookie this code cannot read. The CSRF
// token comes only in the sign-in answer and is kept in this origin's localStorage (pages on other
// ports of the host, which share its cookies, cannot read it); it goes with every call, reads too, so
// the server picks this tab's session even if another page planted a cookie of the same name.

const BASE = '/console/api';
const TOKEN_KEY = 'kura_console_csrf';
let csrf: string | null = loadToken();

function loadToken(): string | null {
  try {
    return window.localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function keepToken(token: string | null): void {
  csrf = token;
  try {
    if (token) window.localStorage.setItem(TOKEN_KEY, token); else window.localStorage.removeItem(TOKEN_KEY);
  } catch {
    // no storage (private mode): the token lives in memory, a reload signs in again
  }
}

export interface Session {
  accessKey: string;
  /** Only in the sign-in answer. */
  csrfToken?: string;
  expires: string;
  /** True for the node's operator (the root key pair): only its session may read the dashboard. */
  operator: boolean;
}

export class S3Error extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export class SignedOut extends Error {}

let onSignedOut: () => void = () => {};
export function whenSignedOut(f: () => void): void {
  onSignedOut = f;
}

function signedOut(): void {
  keepToken(null);
  onSignedOut();
}

export async function signIn(accessKey: string, secretKey: string): Promise<Session> {
  const body = new URLSearchParams({ accessKey, secretKey });
  const r = await fetch(`${BASE}/session`, { method: 'POST', body, credentials: 'same-origin' });
  const json = await r.json().catch(() => ({ error: `HTTP ${r.status}` }));
  if (!r.ok) throw new Error(json.error ?? `sign-in failed (${r.status})`);
  keepToken(json.csrfToken);
  return json as Session;
}

export async function currentSession(): Promise<Session | null> {
  // Without the token from this browser's own sign-in, a cookie is not a session to use (it may have
  // been planted by another page of this host): sign in.
  if (!csrf) return null;
  const r = await fetch(`${BASE}/session`, { headers: tokenHeaders(), credentials: 'same-origin' });
  if (r.status === 401) {
    keepToken(null);
    return null;
  }
  if (!r.ok) throw new Error(`session check failed (${r.status})`);
  return (await r.json()) as Session;
}

export async function signOut(): Promise<void> {
  await fetch(`${BASE}/session`, { method: 'DELETE', headers: tokenHeaders(), credentials: 'same-origin' });
  keepToken(null);
}

/** Every call carries the token: writes need it, and it tells the server which session is this tab's. */
function tokenHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return csrf ? { 'X-Kura-CSRF': csrf, ...extra } : extra;
}

export async function dashboard(): Promise<any> {
  const r = await fetch(`${BASE}/dashboard`, { headers: tokenHeaders(), credentials: 'same-origin' });
  if (r.status === 401) {
    signedOut();
    throw new SignedOut('not signed in');
  }
  if (r.status === 403) throw new Error("the dashboard shows the whole node, so only its operator (the root key pair) sees it");
  if (!r.ok) throw new Error(`dashboard: HTTP ${r.status}`);
  return r.json();
}

/** Encodes a key for a path: every segment percent-encoded, slashes kept. */
export function keyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

export function s3Url(bucket: string, key?: string, query?: Record<string, string>): string {
  let url = `${BASE}/s3/${encodeURIComponent(bucket)}`;
  if (key !== undefined) url += `/${keyPath(key)}`;
  if (query) {
    const q = Object.entries(query)
      .map(([k, v]) => (v === '' ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`))
      .join('&');
    if (q) url += `?${q}`;
  }
  return url;
}

/** An S3 request; S3 error documents become S3Error with the code and message. */
export async function s3(method: string, url: string, body?: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  const r = await fetch(url, { method, body, headers: tokenHeaders(headers), credentials: 'same-origin' });
  if (r.status === 401) {
    signedOut();
    throw new SignedOut('not signed in');
  }
  if (!r.ok) {
    const text = method === 'HEAD' ? '' : await r.text();
    const doc = text ? new DOMParser().parseFromString(text, 'application/xml') : null;
    const code = doc?.querySelector('Code')?.textContent ?? (r.status === 404 ? 'NotFound' : `HTTP${r.status}`);
    const message = doc?.querySelector('Message')?.textContent ?? text.slice(0, 200);
    throw new S3Error(r.status, code, message || code);
  }
  return r;
}

/**
 * An S3 request with an XML answer. {@code prove}: send the body's SHA-256 (x-amz-checksum-sha256), which
 * S3 requires of some configuration bodies (CORS, lifecycle, Object Lock) in place of Content-MD5.
 */
export async function xml(method: string, url: string, body?: string, prove = false): Promise<Document> {
  const headers: Record<string, string> = {};
  if (body !== undefined) {
    headers['Content-Type'] = 'application/xml';
    if (prove) headers['x-amz-checksum-sha256'] = await sha256Base64(body);
  }
  const r = await s3(method, url, body, headers);
  const text = await r.text();
  return new DOMParser().parseFromString(text || '<Empty/>', 'application/xml');
}

export async function sha256Base64(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  let s = '';
  for (const b of new Uint8Array(digest)) s += String.fromCharCode(b);
  return btoa(s);
}

export function text(el: Element | Document, selector: string): string {
  return el.querySelector(selector)?.textContent ?? '';
}

export function children(el: Element | Document, name: string): Element[] {
  return Array.from(el.getElementsByTagName(name));
}

// ---- S3 operations the pages use ---------------------------------------------------------------

export interface Bucket {
  name: string;
  created: string;
}

export async function listBuckets(): Promise<Bucket[]> {
  const doc = await xml('GET', `${BASE}/s3/`);
  return children(doc, 'Bucket').map((b) => ({ name: text(b, 'Name'), created: text(b, 'CreationDate') }));
}

export interface Listing {
  folders: string[];
  objects: { key: string; size: number; modified: string; etag: string }[];
  next: string | null;
}

export async function listObjects(bucket: string, prefix: string, token: string | null, pageSize: number): Promise<Listing> {
  const q: Record<string, string> = { 'list-type': '2', delimiter: '/', prefix, 'max-keys': String(pageSize) };
  if (token) q['continuation-token'] = token;
  const doc = await xml('GET', s3Url(bucket, undefined, q));
  return {
    folders: children(doc, 'CommonPrefixes').map((p) => text(p, 'Prefix')),
    objects: children(doc, 'Contents').map((c) => ({
      key: text(c, 'Key'),
      size: Number(text(c, 'Size')),
      modified: text(c, 'LastModified'),
      etag: text(c, 'ETag'),
    })),
    next: text(doc, 'IsTruncated') === 'true' ? text(doc, 'NextContinuationToken') : null,
  };
}

export interface Version {
  versionId: string;
  latest: boolean;
  deleteMarker: boolean;
  size: number | null;
  modified: string;
}

export async function listVersions(bucket: string, key: string): Promise<Version[]> {
  const doc = await xml('GET', s3Url(bucket, undefined, { versions: '', prefix: key, 'max-keys': '100' }));
  const out: Version[] = [];
  for (const el of Array.from(doc.documentElement.children)) {
    if (el.tagName !== 'Version' && el.tagName !== 'DeleteMarker') continue;
    if (text(el, 'Key') !== key) continue;
    out.push({
      versionId: text(el, 'VersionId'),
      latest: text(el, 'IsLatest') === 'true',
      deleteMarker: el.tagName === 'DeleteMarker',
      size: el.tagName === 'Version' ? Number(text(el, 'Size')) : null,
      modified: text(el, 'LastModified'),
    });
  }
  return out;
}

export async function tags(bucket: string, key: string): Promise<[string, string][]> {
  const doc = await xml('GET', s3Url(bucket, key, { tagging: '' }));
  return children(doc, 'Tag').map((t) => [text(t, 'Key'), text(t, 'Value')]);
}

export async function putTags(bucket: string, key: string, pairs: [string, string][]): Promise<void> {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const body = `<Tagging><TagSet>${pairs.map(([k, v]) => `<Tag><Key>${esc(k)}</Key><Value>${esc(v)}</Value></Tag>`).join('')}</TagSet></Tagging>`;
  await xml('PUT', s3Url(bucket, key, { tagging: '' }), body);
}

// ---- uploads -----------------------------------------------------------------------------------

export const MULTIPART_THRESHOLD = 8 * 1024 * 1024;
export const PART_SIZE = 8 * 1024 * 1024;

/** PUT with XHR, for its upload progress events; resolves with the ETag. */
function putWithProgress(url: string, body: Blob, contentType: string | null, onBytes: (sent: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('PUT', url);
    if (csrf) x.setRequestHeader('X-Kura-CSRF', csrf);
    if (contentType) x.setRequestHeader('Content-Type', contentType);
    x.upload.onprogress = (e) => onBytes(e.loaded);
    x.onload = () => {
      if (x.status === 401) {
        signedOut();
        reject(new SignedOut('not signed in'));
      } else if (x.status >= 200 && x.status < 300) {
        onBytes(body.size);
        resolve(x.getResponseHeader('ETag') ?? '');
      } else {
        const doc = new DOMParser().parseFromString(x.responseText || '<E/>', 'application/xml');
        reject(new S3Error(x.status, text(doc, 'Code') || `HTTP${x.status}`, text(doc, 'Message') || x.statusText));
      }
    };
    x.onerror = () => reject(new Error('the upload was interrupted (network error)'));
    x.onabort = () => reject(new Error('the upload was cancelled'));
    x.send(body);
  });
}

/**
 * Uploads a file: one PUT up to MULTIPART_THRESHOLD, else a multipart upload of PART_SIZE parts (one
 * at a time, so progress is steady and memory flat); a failed multipart upload is aborted.
 */
export async function upload(bucket: string, key: string, file: File, progress: (sent: number, total: number) => void): Promise<void> {
  const type = file.type || 'application/octet-stream';
  if (file.size <= MULTIPART_THRESHOLD) {
    await putWithProgress(s3Url(bucket, key), file, type, (sent) => progress(sent, file.size));
    return;
  }
  const created = await s3('POST', s3Url(bucket, key, { uploads: '' }), undefined, { 'Content-Type': type });
  const doc = new DOMParser().parseFromString(await created.text(), 'application/xml');
  const uploadId = text(doc, 'UploadId');
  const etags: string[] = [];
  try {
    for (let offset = 0, n = 1; offset < file.size; offset += PART_SIZE, n++) {
      const part = file.slice(offset, Math.min(file.size, offset + PART_SIZE));
      const done = offset;
      etags.push(await putWithProgress(s3Url(bucket, key, { partNumber: String(n), uploadId }), part, null,
        (sent) => progress(done + sent, file.size)));
    }
    const body = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    await xml('POST', s3Url(bucket, key, { uploadId }), body);
  } catch (e) {
    await s3('DELETE', s3Url(bucket, key, { uploadId })).catch(() => undefined);
    throw e;
  }
}
