// The bucket browser: buckets, folders (common prefixes) with paging, drag-and-drop uploads with a
// progress bar, downloads, deletes, and an object's metadata, tags and versions. Every call is an S3
// request through /console/api/s3, so Kura decides what this user may do exactly as for any client.

import * as api from './api';
import { bytes, clear, field, h, notice, when } from './ui';

const PAGE = 50;

function explain(e: unknown): string {
  if (e instanceof api.S3Error) return `${e.code}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

export async function showBuckets(main: HTMLElement): Promise<void> {
  clear(main);
  const name = h('input', { type: 'text', required: true, pattern: '[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]', autocomplete: 'off', spellcheck: 'false' });
  const form = h('form', { class: 'inline', 'aria-label': 'Create a bucket' },
    field('New bucket name', name, '3–63 characters: lower-case letters, digits, dots and hyphens.'),
    h('button', { type: 'submit' }, 'Create bucket'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api.s3('PUT', api.s3Url(name.value));
      notice(`Bucket ${name.value} created.`, 'ok');
      location.hash = `#/b/${encodeURIComponent(name.value)}/`;
    } catch (e) {
      notice(`Could not create the bucket: ${explain(e)}`, 'error');
    }
  });
  const list = h('div', { class: 'scroll-x' }, h('p', { class: 'muted' }, 'Loading…'));
  main.append(h('h1', {}, 'Buckets'), form, list);
  try {
    const buckets = await api.listBuckets();
    clear(list);
    if (!buckets.length) {
      list.appendChild(h('p', {}, 'No buckets yet. Create one above.'));
      return;
    }
    list.appendChild(h('table', { class: 'listing' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Bucket'), h('th', { scope: 'col' }, 'Created'), h('th', { scope: 'col' }, h('span', { class: 'sr' }, 'Actions')))),
      h('tbody', {}, ...buckets.map((b) => h('tr', {},
        h('td', {}, h('a', { href: `#/b/${encodeURIComponent(b.name)}/` }, b.name)),
        h('td', {}, when(b.created)),
        h('td', { class: 'actions' },
          h('a', { href: `#/s/${encodeURIComponent(b.name)}`, class: 'button secondary' }, 'Settings'),
          h('button', { type: 'button', class: 'danger', 'aria-label': `Delete bucket ${b.name}`, onclick: () => deleteBucket(b.name, main) }, 'Delete')))))));
  } catch (e) {
    clear(list);
    list.appendChild(h('p', { class: 'error' }, `Could not list buckets: ${explain(e)}`));
  }
}

async function deleteBucket(bucket: string, main: HTMLElement): Promise<void> {
  if (!window.confirm(`Delete bucket ${bucket}? It must be empty.`)) return;
  try {
    await api.s3('DELETE', api.s3Url(bucket));
    notice(`Bucket ${bucket} deleted.`, 'ok');
    await showBuckets(main);
  } catch (e) {
    notice(`Could not delete ${bucket}: ${explain(e)}`, 'error');
  }
}

/** One folder of a bucket; `tokens` is the stack of continuation tokens for the pages before this one. */
export async function showFolder(main: HTMLElement, bucket: string, prefix: string, tokens: string[] = []): Promise<void> {
  clear(main);
  const crumbs = h('nav', { class: 'crumbs', 'aria-label': 'Folder path' }, h('a', { href: '#/buckets' }, 'Buckets'), ' / ',
    h('a', { href: `#/b/${encodeURIComponent(bucket)}/` }, bucket));
  let acc = '';
  for (const part of prefix.split('/').filter(Boolean)) {
    acc += `${part}/`;
    crumbs.append(' / ', h('a', { href: `#/b/${encodeURIComponent(bucket)}/${api.keyPath(acc)}` }, part));
  }
  const input = h('input', { type: 'file', multiple: true, class: 'sr-file' });
  const pick = h('button', { type: 'button', onclick: () => input.click() }, 'Choose files…');
  const drop = h('div', { class: 'drop', id: 'dropzone' },
    h('p', {}, 'Drop files here to upload them to ', h('strong', {}, `${bucket}/${prefix}`), ', or '), pick, input);
  const uploads = h('ul', { class: 'uploads', 'aria-live': 'polite', 'aria-label': 'Uploads' });
  const listing = h('div', { class: 'scroll-x' }, h('p', { class: 'muted' }, 'Loading…'));
  main.append(h('h1', {}, bucket, prefix ? h('span', { class: 'muted' }, ` / ${prefix}`) : null), crumbs,
    h('p', {}, h('a', { href: `#/s/${encodeURIComponent(bucket)}`, class: 'button secondary' }, 'Bucket settings')),
    drop, uploads, listing);

  const reload = () => showFolder(main, bucket, prefix, tokens);
  const start = (files: FileList | null) => {
    if (files) for (const f of Array.from(files)) void uploadOne(bucket, prefix + f.name, f, uploads, reload);
  };
  input.addEventListener('change', () => start(input.files));
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); start(e.dataTransfer?.files ?? null); });

  try {
    const token = tokens.length ? tokens[tokens.length - 1] : null;
    const page = await api.listObjects(bucket, prefix, token, PAGE);
    clear(listing);
    if (!page.folders.length && !page.objects.length) {
      listing.appendChild(h('p', {}, prefix ? 'This folder is empty.' : 'This bucket is empty. Upload files above.'));
    } else {
      listing.appendChild(h('table', { class: 'listing' },
        h('thead', {}, h('tr', {}, ...['Name', 'Size', 'Last modified'].map((x) => h('th', { scope: 'col' }, x)), h('th', { scope: 'col' }, h('span', { class: 'sr' }, 'Actions')))),
        h('tbody', {},
          ...page.folders.map((f) => h('tr', {},
            h('td', {}, h('a', { href: `#/b/${encodeURIComponent(bucket)}/${api.keyPath(f)}`, class: 'folder' }, `${f.slice(prefix.length)}`)),
            h('td', {}, 'folder'), h('td', {}), h('td', {}))),
          ...page.objects.map((o) => {
            const name = o.key.slice(prefix.length);
            return h('tr', {},
              h('td', {}, h('a', { href: `#/o/${encodeURIComponent(bucket)}/${api.keyPath(o.key)}` }, name || o.key)),
              h('td', {}, bytes(o.size)), h('td', {}, when(o.modified)),
              h('td', { class: 'actions' },
                h('a', { class: 'button secondary', href: downloadUrl(bucket, o.key), 'aria-label': `Download ${name}` }, 'Download'),
                h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${name}`, onclick: () => deleteObject(bucket, o.key, reload) }, 'Delete')));
          }))));
    }
    const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
    if (tokens.length) pager.appendChild(h('button', { type: 'button', class: 'secondary', onclick: () => showFolder(main, bucket, prefix, tokens.slice(0, -1)) }, '← Previous page'));
    if (page.next) pager.appendChild(h('button', { type: 'button', class: 'secondary', onclick: () => showFolder(main, bucket, prefix, [...tokens, page.next!]) }, 'Next page →'));
    listing.appendChild(pager);
  } catch (e) {
    clear(listing);
    listing.appendChild(h('p', { class: 'error' }, `Could not list ${bucket}: ${explain(e)}`));
  }
}

function downloadUrl(bucket: string, key: string, versionId?: string): string {
  const name = key.split('/').pop() || 'download';
  const q: Record<string, string> = { 'response-content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}` };
  if (versionId) q.versionId = versionId;
  return api.s3Url(bucket, key, q);
}

async function uploadOne(bucket: string, key: string, file: File, list: HTMLElement, done: () => void): Promise<void> {
  const progress = h('progress', { max: file.size || 1, value: 0, 'aria-label': `Uploading ${file.name}` });
  const label = h('span', { class: 'status' }, '0%');
  const item = h('li', { 'data-key': key }, h('span', { class: 'name' }, file.name), progress, label);
  list.appendChild(item);
  try {
    await api.upload(bucket, key, file, (sent, total) => {
      progress.value = sent;
      label.textContent = `${total ? Math.floor((100 * sent) / total) : 100}% of ${bytes(total)}`;
    });
    progress.value = file.size || 1;
    label.textContent = `100% — uploaded ${bytes(file.size)}`;
    item.classList.add('done');
    notice(`Uploaded ${file.name}.`, 'ok');
    window.setTimeout(done, 800);
  } catch (e) {
    item.classList.add('failed');
    label.textContent = `failed: ${explain(e)}`;
    notice(`Upload of ${file.name} failed: ${explain(e)}`, 'error');
  }
}

async function deleteObject(bucket: string, key: string, after: () => void, versionId?: string): Promise<void> {
  if (!window.confirm(`Delete ${key}${versionId ? ` (version ${versionId})` : ''}?`)) return;
  try {
    await api.s3('DELETE', api.s3Url(bucket, key, versionId ? { versionId } : undefined));
    notice(`Deleted ${key}.`, 'ok');
    after();
  } catch (e) {
    notice(`Could not delete ${key}: ${explain(e)}`, 'error');
  }
}

export async function showObject(main: HTMLElement, bucket: string, key: string): Promise<void> {
  clear(main);
  const folder = key.includes('/') ? key.slice(0, key.lastIndexOf('/') + 1) : '';
  const back = `#/b/${encodeURIComponent(bucket)}/${api.keyPath(folder)}`;
  main.append(h('nav', { class: 'crumbs', 'aria-label': 'Back' }, h('a', { href: back }, `← ${bucket}/${folder}`)), h('h1', {}, key));
  try {
    const head = await api.s3('HEAD', api.s3Url(bucket, key));
    const rows: [string, string][] = [
      ['Size', bytes(Number(head.headers.get('content-length')))],
      ['Type', head.headers.get('content-type') ?? '—'],
      ['Last modified', when(head.headers.get('last-modified'))],
      ['ETag', head.headers.get('etag') ?? '—'],
      ['Version', head.headers.get('x-amz-version-id') ?? 'none (versioning off)'],
      ['Storage class', head.headers.get('x-amz-storage-class') ?? 'STANDARD'],
      ['Encryption', head.headers.get('x-amz-server-side-encryption') ?? 'none'],
    ];
    head.headers.forEach((v, k) => { if (k.startsWith('x-amz-meta-')) rows.push([`Metadata: ${k.slice(11)}`, v]); });
    main.append(
      h('p', { class: 'actions' },
        h('a', { class: 'button', href: downloadUrl(bucket, key), id: 'download' }, 'Download'),
        h('button', { type: 'button', class: 'danger', onclick: () => deleteObject(bucket, key, () => { location.hash = back; }) }, 'Delete')),
      h('section', { class: 'card', 'aria-labelledby': 'meta-h' }, h('h2', { id: 'meta-h' }, 'Metadata'),
        h('dl', { class: 'facts' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))));
  } catch (e) {
    main.append(h('p', { class: 'error' }, `Could not read ${key}: ${explain(e)}`));
    return;
  }
  main.append(await tagsCard(bucket, key), await versionsCard(main, bucket, key));
}

async function tagsCard(bucket: string, key: string): Promise<HTMLElement> {
  const card = h('section', { class: 'card', 'aria-labelledby': 'tags-h' }, h('h2', { id: 'tags-h' }, 'Tags'));
  let pairs: [string, string][] = [];
  try {
    pairs = await api.tags(bucket, key);
  } catch (e) {
    card.appendChild(h('p', { class: 'error' }, `Could not read the tags: ${explain(e)}`));
    return card;
  }
  const area = h('textarea', { rows: 4, spellcheck: 'false' });
  area.value = pairs.map(([k, v]) => `${k}=${v}`).join('\n');
  const save = h('button', { type: 'button' }, 'Save tags');
  save.addEventListener('click', async () => {
    const next = area.value.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
      const i = l.indexOf('=');
      return (i < 0 ? [l, ''] : [l.slice(0, i), l.slice(i + 1)]) as [string, string];
    });
    try {
      await api.putTags(bucket, key, next);
      notice('Tags saved.', 'ok');
    } catch (e) {
      notice(`Could not save the tags: ${explain(e)}`, 'error');
    }
  });
  card.append(field('One tag per line, as key=value (at most 10)', area), save);
  return card;
}

async function versionsCard(main: HTMLElement, bucket: string, key: string): Promise<HTMLElement> {
  const card = h('section', { class: 'card', 'aria-labelledby': 'versions-h' }, h('h2', { id: 'versions-h' }, 'Versions'));
  try {
    const versions = await api.listVersions(bucket, key);
    if (versions.length <= 1 && (!versions.length || versions[0].versionId === 'null')) {
      card.appendChild(h('p', { class: 'muted' }, 'Only one version (turn on versioning in the bucket settings to keep old versions).'));
      return card;
    }
    card.appendChild(h('table', {}, h('thead', {}, h('tr', {}, ...['Version', 'Size', 'Saved', ''].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, ...versions.map((v) => h('tr', {},
        h('td', {}, v.versionId, v.latest ? ' (current)' : '', v.deleteMarker ? ' — delete marker' : ''),
        h('td', {}, v.size === null ? '—' : bytes(v.size)), h('td', {}, when(v.modified)),
        h('td', { class: 'actions' },
          v.deleteMarker ? null : h('a', { class: 'button secondary', href: downloadUrl(bucket, key, v.versionId) }, 'Download'),
          h('button', { type: 'button', class: 'danger', onclick: () => deleteObject(bucket, key, () => showObject(main, bucket, key), v.versionId) }, 'Delete version')))))));
  } catch (e) {
    card.appendChild(h('p', { class: 'error' }, `Could not list versions: ${explain(e)}`));
  }
  return card;
}
