// Kura's web console: sign-in, then a hash-routed single page — #/ (dashboard), #/buckets,
// #/b/BUCKET/PREFIX (a folder), #/o/BUCKET/KEY (an object), #/s/BUCKET (a bucket's settings).

import './style.css';
import * as api from './api';
import * as browser from './browser';
import * as dashboard from './dashboard';
import * as settings from './settings';
import { clear, field, h, notice } from './ui';

const app = document.getElementById('app')!;
let session: api.Session | null = null;

api.whenSignedOut(() => {
  session = null;
  dashboard.stop();
  signInPage('Your session ended. Sign in again.');
});

function signInPage(message?: string): void {
  dashboard.stop();
  clear(app);
  const access = h('input', { type: 'text', name: 'accessKey', autocomplete: 'username', required: true, spellcheck: 'false' });
  const secret = h('input', { type: 'password', name: 'secretKey', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'error', role: 'alert', id: 'signin-error' }, message ?? '');
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'signin', 'aria-labelledby': 'signin-h' },
    h('h1', { id: 'signin-h' }, 'Kura'),
    h('p', { class: 'muted' }, 'Sign in with an access key and its secret key.'),
    field('Access key', access), field('Secret key', secret), error, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    try {
      session = await api.signIn(access.value.trim(), secret.value);
      secret.value = '';
      if (!location.hash || location.hash === '#/signin') location.hash = '#/';
      shell();
    } catch (e) {
      error.textContent = e instanceof Error ? e.message : String(e);
      secret.focus();
    } finally {
      submit.disabled = false;
    }
  });
  app.appendChild(h('main', { id: 'main', class: 'center' }, form));
  access.focus();
}

function shell(): void {
  clear(app);
  const link = (href: string, label: string) => h('a', { href, 'data-nav': href }, label);
  const out = h('button', { type: 'button', class: 'secondary', onclick: async () => { await api.signOut(); session = null; signInPage('Signed out.'); } }, 'Sign out');
  app.append(
    h('header', { class: 'top' },
      h('span', { class: 'brand' }, 'Kura'),
      // The dashboard is the node's (every bucket's name): only the operator's session may read it.
      h('nav', { 'aria-label': 'Main' }, session?.operator ? link('#/', 'Dashboard') : null, link('#/buckets', 'Buckets')),
      h('span', { class: 'who' }, session ? `Signed in as ${session.accessKey}` : ''), out),
    h('div', { id: 'notice', class: 'notice', role: 'status', 'aria-live': 'polite' }),
    h('main', { id: 'main', tabindex: '-1' }));
  route();
}

function route(): void {
  const main = document.getElementById('main');
  if (!session || !main) return;
  dashboard.stop();
  const hash = location.hash.replace(/^#/, '') || '/';
  for (const a of Array.from(document.querySelectorAll<HTMLAnchorElement>('[data-nav]'))) {
    const target = a.dataset.nav!.slice(1);
    const active = target === '/' ? hash === '/'
      : hash.startsWith('/b') || hash.startsWith('/o') || hash.startsWith('/s') || (hash === '/' && !session.operator);
    if (active) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  const m = /^\/(b|o|s)\/([^/]+)\/?(.*)$/.exec(hash);
  try {
    if (hash === '/' && session.operator) {
      void dashboard.show(main);
    } else if (hash === '/buckets' || hash === '/') {
      void browser.showBuckets(main);
    } else if (m && m[1] === 'b') {
      void browser.showFolder(main, decodeURIComponent(m[2]), decodeKey(m[3]));
    } else if (m && m[1] === 'o') {
      void browser.showObject(main, decodeURIComponent(m[2]), decodeKey(m[3]));
    } else if (m && m[1] === 's') {
      void settings.show(main, decodeURIComponent(m[2]));
    } else {
      clear(main);
      main.appendChild(h('p', {}, 'No such page. ', h('a', { href: '#/' }, session.operator ? 'Go to the dashboard.' : 'Go to your buckets.')));
    }
  } catch (e) {
    notice(String(e), 'error');
  }
}

function decodeKey(path: string): string {
  return path.split('/').map(decodeURIComponent).join('/');
}

window.addEventListener('hashchange', () => {
  route();
  document.getElementById('main')?.focus({ preventScroll: true });
});

(async () => {
  try {
    session = await api.currentSession();
  } catch {
    session = null;
  }
  if (session) shell(); else signInPage();
})();
