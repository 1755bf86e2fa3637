// SigV4 presigned URLs (query authentication, UNSIGNED-PAYLOAD, only the host signed), as the AWS
// documentation describes them; for browser tests that need S3 traffic without an SDK.
'use strict';
const crypto = require('crypto');

const hmac = (key, data) => crypto.createHmac('sha256', key).update(data, 'utf8').digest();
const sha256hex = (data) => crypto.createHash('sha256').update(data).digest('hex');
const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

/** presign({endpoint, access, secret, region}, method, path, extraQuery) → URL string */
function presign(creds, method, path, extraQuery = {}, expires = 300) {
  const region = creds.region || 'us-east-1';
  const t = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const date = t.slice(0, 8);
  const host = new URL(creds.endpoint).host;
  const q = Object.assign({}, extraQuery, {
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${creds.access}/${date}/${region}/s3/aws4_request`,
    'X-Amz-Date': t,
    'X-Amz-Expires': String(expires),
    'X-Amz-SignedHeaders': 'host',
  });
  const query = Object.keys(q).sort().map((k) => `${enc(k)}=${enc(q[k])}`).join('&');
  const canonicalPath = path.split('/').map(enc).join('/');
  const canonical = [method, canonicalPath, query, `host:${host}\n`, 'host', 'UNSIGNED-PAYLOAD'].join('\n');
  const scope = `${date}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', t, scope, sha256hex(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac('AWS4' + creds.secret, date), region), 's3'), 'aws4_request');
  return `${creds.endpoint}${canonicalPath}?${query}&X-Amz-Signature=${hmac(key, toSign).toString('hex')}`;
}

module.exports = { presign, sha256hex };
