// The portal's shell: sign-in, the header with its views and language switch, and routing.
// The address says what is shown (#/owner?period=2026-01), so a view can be linked and reloaded.
import { Api } from './api.js';
import { disposeCharts } from './charts.js';
import { h, replace } from './dom.js';
import { lang, LANGS, setLang, t } from './i18n.js';
import { currentYear, errorBox, loading, periodForm } from './views/common.js';
import { renderCommunity } from './views/community.js';
import { renderOwner } from './views/owner.js';
import { renderRegulator } from './views/regulator.js';

const SESSION_KEY = 'mingzhang.session';
const VIEWS = { owner: renderOwner, community: renderCommunity, regulator: renderRegulator };
const app = document.getElementById('app');

function session() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY));
  } catch {
    return null;
  }
}

function route() {
  const [path, query] = window.location.hash.replace(/^#\/?/, '').split('?');
  const view = path in VIEWS ? path : 'owner';
  const period = new URLSearchParams(query).get('period') || currentYear();
  return { view, period };
}

function go(view, period) {
  window.location.hash = `#/${view}?period=${encodeURIComponent(period)}`;
}

function header(current) {
  const signedIn = session() !== null;
  const other = LANGS.find((l) => l !== lang());
  return h(
    'header',
    {},
    h('div', { class: 'brand' }, h('h1', {}, t('app.title')), h('span', { class: 'tagline' }, t('app.tagline'))),
    h(
      'nav',
      {},
      Object.keys(VIEWS).map((v) => h('a', { href: `#/${v}?period=${encodeURIComponent(route().period)}`, class: v === current ? 'active' : '', id: `nav-${v}` }, t(`nav.${v}`))),
    ),
    h('div', { class: 'tools' }, h('button', { type: 'button', id: 'lang-switch', onclick: () => (setLang(other), render()) }, t('lang.switch')), signedIn ? h('button', { type: 'button', id: 'sign-out', onclick: signOut }, t('signout')) : null),
  );
}

function signOut() {
  sessionStorage.removeItem(SESSION_KEY);
  render();
}

function signInForm() {
  const input = (name, label, attrs = {}) => h('label', {}, label, h('input', { name, autocomplete: 'off', ...attrs }));
  const form = h(
    'form',
    { id: 'sign-in', class: 'stack narrow' },
    h('h2', {}, t('signin.title')),
    input('token', t('signin.token'), { type: 'password', required: true }),
    input('community', t('signin.community')),
    input('unit', t('signin.unit')),
    h('button', { type: 'submit' }, t('signin.submit')),
    h('p', { class: 'note' }, t('signin.hint')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    sessionStorage.setItem(SESSION_KEY, JSON.stringify({ token: data.token.trim(), community: data.community.trim(), unit: data.unit.trim() }));
    render();
  });
  return form;
}

async function render(flash) {
  disposeCharts();
  const { view, period } = route();
  const who = session();
  const content = h('div', { id: 'content' }, loading());
  if (!who) {
    replace(app, header(view), h('main', {}, signInForm()));
    return;
  }
  replace(app, header(view), h('main', {}, periodForm(period, (p) => go(view, p)), content));
  try {
    await VIEWS[view](content, { api: new Api(who.token), session: who, period, flash, rerender: render });
  } catch (err) {
    replace(content, errorBox(err));
  }
}

setLang(lang());
window.addEventListener('hashchange', () => render());
render();
