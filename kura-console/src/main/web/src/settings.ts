// A bucket's settings, each shown as S3 stores it and editable through the S3 API that exists for it:
// versioning (a switch), and Object Lock, lifecycle rules, CORS and the bucket policy (as their S3
// documents, with an example to start from). Kura checks every change exactly as for any S3 client.

import * as api from './api';
import { clear, field, h, notice } from './ui';

function explain(e: unknown): string {
  if (e instanceof api.S3Error) return `${e.code}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

export async function show(main: HTMLElement, bucket: string): Promise<void> {
  clear(main);
  main.append(
    h('nav', { class: 'crumbs', 'aria-label': 'Back' }, h('a', { href: '#/buckets' }, 'Buckets'), ' / ', h('a', { href: `#/b/${encodeURIComponent(bucket)}/` }, bucket)),
    h('h1', {}, `Settings of ${bucket}`));
  const cards = await Promise.all([
    versioning(bucket),
    documentCard(bucket, 'objectlock', 'Object Lock', 'object-lock', 'ObjectLockConfigurationNotFoundError', false,
      'Object Lock keeps versions from being deleted or overwritten until a date. It needs versioning; once on, it cannot be turned off.',
      '<ObjectLockConfiguration>\n  <ObjectLockEnabled>Enabled</ObjectLockEnabled>\n  <Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days></DefaultRetention></Rule>\n</ObjectLockConfiguration>'),
    documentCard(bucket, 'lifecycle', 'Lifecycle rules', 'lifecycle', 'NoSuchLifecycleConfiguration', true,
      'Rules that delete objects, old versions or unfinished uploads after a number of days.',
      '<LifecycleConfiguration>\n  <Rule>\n    <ID>expire-tmp</ID>\n    <Filter><Prefix>tmp/</Prefix></Filter>\n    <Status>Enabled</Status>\n    <Expiration><Days>7</Days></Expiration>\n  </Rule>\n</LifecycleConfiguration>'),
    documentCard(bucket, 'cors', 'CORS', 'cors', 'NoSuchCORSConfiguration', true,
      'Which web sites may use this bucket from a browser.',
      '<CORSConfiguration>\n  <CORSRule>\n    <AllowedOrigin>https://example.com</AllowedOrigin>\n    <AllowedMethod>GET</AllowedMethod>\n  </CORSRule>\n</CORSConfiguration>'),
    documentCard(bucket, 'policy', 'Bucket policy', 'policy', 'NoSuchBucketPolicy', true,
      'Who may do what in this bucket, as an IAM policy document (JSON).',
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/public/*` }] }, null, 2)),
  ]);
  main.append(...cards);
}

async function versioning(bucket: string): Promise<HTMLElement> {
  const card = h('section', { class: 'card', 'aria-labelledby': 'ver-h' }, h('h2', { id: 'ver-h' }, 'Versioning'),
    h('p', { class: 'hint' }, 'Keeps every version of every object, so overwrites and deletes can be undone.'));
  const url = api.s3Url(bucket, undefined, { versioning: '' });
  try {
    const doc = await api.xml('GET', url);
    const status = api.text(doc, 'Status') || 'Off (never enabled)';
    const set = async (to: 'Enabled' | 'Suspended') => {
      try {
        await api.xml('PUT', url, `<VersioningConfiguration><Status>${to}</Status></VersioningConfiguration>`);
        notice(`Versioning ${to.toLowerCase()}.`, 'ok');
        card.replaceWith(await versioning(bucket));
      } catch (e) {
        notice(`Could not change versioning: ${explain(e)}`, 'error');
      }
    };
    card.append(h('p', {}, 'Now: ', h('strong', { 'data-setting': 'versioning' }, status)),
      h('p', { class: 'actions' },
        h('button', { type: 'button', disabled: status === 'Enabled', onclick: () => set('Enabled') }, 'Enable'),
        h('button', { type: 'button', class: 'secondary', disabled: status !== 'Enabled', onclick: () => set('Suspended') }, 'Suspend')));
  } catch (e) {
    card.appendChild(h('p', { class: 'error' }, `Could not read: ${explain(e)}`));
  }
  return card;
}

/** One setting kept as an S3 document: shown, replaced with PUT, removed with DELETE where S3 has one. */
async function documentCard(bucket: string, id: string, title: string, sub: string, absentCode: string, deletable: boolean,
  hint: string, example: string): Promise<HTMLElement> {
  const card = h('section', { class: 'card', 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), h('p', { class: 'hint' }, hint));
  const url = api.s3Url(bucket, undefined, { [sub]: '' });
  const json = sub === 'policy';
  let current: string | null = null;
  try {
    const r = await api.s3('GET', url);
    current = await r.text();
    if (json) {
      try { current = JSON.stringify(JSON.parse(current), null, 2); } catch { /* shown as stored */ }
    }
  } catch (e) {
    if (!(e instanceof api.S3Error && e.code === absentCode)) {
      card.appendChild(h('p', { class: 'error' }, `Could not read: ${explain(e)}`));
      return card;
    }
  }
  const area = h('textarea', { rows: 8, spellcheck: 'false', class: 'code' });
  area.value = current ?? example;
  const state = h('p', {}, current === null ? 'Not set. An example is filled in below; edit it and save to set it.' : 'Set, as shown below.');
  const save = h('button', { type: 'button' }, 'Save');
  save.addEventListener('click', async () => {
    try {
      if (json) {
        await api.s3('PUT', url, area.value, { 'Content-Type': 'application/json' });
      } else {
        await api.xml('PUT', url, area.value, true);
      }
      notice(`${title} saved.`, 'ok');
      card.replaceWith(await documentCard(bucket, id, title, sub, absentCode, deletable, hint, example));
    } catch (e) {
      notice(`Could not save ${title}: ${explain(e)}`, 'error');
    }
  });
  const actions = h('p', { class: 'actions' }, save);
  if (deletable && current !== null) {
    actions.appendChild(h('button', { type: 'button', class: 'danger', onclick: async () => {
      try {
        await api.s3('DELETE', url);
        notice(`${title} removed.`, 'ok');
        card.replaceWith(await documentCard(bucket, id, title, sub, absentCode, deletable, hint, example));
      } catch (e) {
        notice(`Could not remove ${title}: ${explain(e)}`, 'error');
      }
    } }, 'Remove'));
  }
  card.append(state, field(`${title} document`, area), actions);
  return card;
}
