// The portal's shell: signing in (an invitation code from paper, or a staff token), the accounts
// this device remembers, the header with its views and language switch, and routing. The address
// says what is shown (#/owner?period=2026-01), so a view can be linked and reloaded; an
// invitation's link is #/join?code=K7QM-3XJD-9PRT-WB2H.
import { Api } from './api.js';
import { disposeCharts } from './charts.js';
import { h, replace } from './dom.js';
import { lang, LANGS, setLang, t } from './i18n.js';
import { renderCheck } from './views/check.js';
import { currentYear, errorBox, loading, periodForm } from './views/common.js';
import { renderCommittee } from './views/committee.js';
import { renderCommunity } from './views/community.js';
import { renderFirm } from './views/firm.js';
import './views/firm_tools.js'; // the firm view's import, reconcile and invitations tabs
import { renderNotice } from './views/notice.js';
import { renderOwner } from './views/owner.js';
import { renderRegulator } from './views/regulator.js';

// Accounts stay on this device until signed out: an owner signs in once, from paper.
const ACCOUNTS_KEY = 'mingzhang.accounts';
const CURRENT_KEY = 'mingzhang.account';
const VIEWS = { owner: renderOwner, community: renderCommunity, regulator: renderRegulator, firm: renderFirm, committee: renderCommittee };
// Views of forms and open votes, where a period to look at means nothing.
const VIEWS_WITHOUT_PERIOD = new Set(['firm', 'committee']);
// Pages made for paper (A4, no header or navigation): #/<name>?... with their own parameters.
// check: what a notice's QR code opens (a resident signs in first: statements need a token).
const PRINT_VIEWS = { notice: renderNotice, check: renderCheck };
// The view each role opens first, and the views it is shown.
const ROLE_VIEWS = {
  owner: ['owner', 'community'],
  firm: ['firm', 'community'],
  committee: ['committee', 'community'],
  regulator: ['regulator', 'community'],
  admin: ['regulator', 'community'],
};
const app = document.getElementById('app');
// A name from the address (or the server) looked up in one of the tables above: own entries only,
// so #/constructor or #/__proto__ finds nothing rather than Object.prototype's members.
const own = (table, name) => (Object.hasOwn(table, name) ? table[name] : undefined);

function accounts() {
  try {
    const list = JSON.parse(localStorage.getItem(ACCOUNTS_KEY));
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

function saveAccounts(list) {
  localStorage.setItem(ACCOUNTS_KEY, JSON.stringify(list));
}

// The account this tab shows: its own choice (sessionStorage), else the device's last, else the
// first. Two tabs may show two homes.
function currentAccount() {
  const list = accounts();
  const chosen = sessionStorage.getItem(CURRENT_KEY) ?? localStorage.getItem(CURRENT_KEY);
  return list.find((a) => a.id === chosen) ?? list[0] ?? null;
}

function choose(id) {
  sessionStorage.setItem(CURRENT_KEY, id);
  localStorage.setItem(CURRENT_KEY, id);
}

// One account per token: an owner of several units holds one per unit and switches between them.
function addAccount(account) {
  const list = accounts().filter((a) => a.id !== account.id);
  list.push(account);
  saveAccounts(list);
  choose(account.id);
}

// What a view needs of an account: the token, and the community and unit it is about.
function accountFromMe(token, me) {
  const community = me.communities?.[0];
  const unit = community?.units?.[0];
  return {
    id: `${me.role}:${me.principal_id}:${community?.community_id ?? ''}:${unit?.unit_id ?? ''}`,
    token,
    role: me.role,
    community: community?.community_id ?? '',
    communityName: community?.name ?? '',
    unit: unit?.unit_id ?? '',
    unitLabel: unit?.label || unit?.unit_id || '',
    communities: (me.communities ?? []).map((c) => ({ id: c.community_id, name: c.name })),
  };
}

function accountName(a) {
  if (a.role === 'owner') return `${a.communityName || a.community} ${a.unitLabel}`;
  return `${t(`role.${a.role}`)} · ${a.communityName || a.community || ''}`;
}

function route() {
  const [path, query] = window.location.hash.replace(/^#\/?/, '').split('?');
  const params = new URLSearchParams(query);
  const period = params.get('period') || currentYear();
  return { view: path, period, code: params.get('code') ?? '', params };
}

function go(view, period) {
  window.location.hash = `#/${view}?period=${encodeURIComponent(period)}`;
}

function header(current, account) {
  const other = LANGS.find((l) => l !== lang());
  const views = account ? own(ROLE_VIEWS, account.role) ?? Object.keys(VIEWS) : [];
  const list = accounts();
  return h(
    'header',
    {},
    h('div', { class: 'brand' }, h('h1', {}, t('app.title')), h('span', { class: 'tagline' }, t('app.tagline'))),
    h('div', { class: 'tools' }, h('button', { type: 'button', id: 'lang-switch', onclick: () => (setLang(other), render()) }, t('lang.switch')), account ? h('button', { type: 'button', id: 'sign-out', onclick: () => signOut(account) }, t('signout')) : null),
    account
      ? h(
          'nav',
          {},
          views.map((v) => h('a', { href: `#/${v}?period=${encodeURIComponent(route().period)}`, class: v === current ? 'active' : '', id: `nav-${v}` }, t(`nav.${v}`))),
        )
      : null,
    account && list.length > 1
      ? h(
          'select',
          { id: 'account-switch', 'aria-label': t('account.switch'), onchange: (e) => (choose(e.target.value), render()) },
          list.map((a) => h('option', { value: a.id, selected: a.id === account.id }, accountName(a))),
        )
      : null,
  );
}

// Signing out revokes the token on the server too: a lost phone's token is then worth nothing.
async function signOut(account) {
  try {
    await new Api(account.token).request('POST', '/v1/tokens:revoke-self');
  } catch {
    // already revoked or unreachable: forgetting it here is still right
  }
  saveAccounts(accounts().filter((a) => a.id !== account.id));
  sessionStorage.removeItem(CURRENT_KEY);
  localStorage.removeItem(CURRENT_KEY);
  window.location.hash = '#/';
  render();
}

// Crockford base32 as people type it: any case, spaces or dashes, I/L for 1 and O for 0.
function normaliseCode(text) {
  return text.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
}

async function redeem(code) {
  const answer = await new Api(null).post('/v1/invitations:redeem', { code: normaliseCode(code) });
  const me = await new Api(answer.token).get('/v1/me');
  addAccount(accountFromMe(answer.token, me));
}

async function signInWithToken(token) {
  const me = await new Api(token).get('/v1/me');
  addAccount(accountFromMe(token, me));
}

function signInPage(code) {
  const error = h('p', { class: 'form-error', role: 'alert', id: 'sign-in-error' });
  const submitting = (form, action) =>
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      error.textContent = '';
      error.removeAttribute('data-problem');
      const value = new FormData(form).get('value').trim();
      if (!value) return;
      try {
        await action(value);
        const account = currentAccount();
        // A notice's QR code led here: show what it asked for once signed in.
        if (own(PRINT_VIEWS, route().view)) return render();
        go(own(ROLE_VIEWS, account.role)?.[0] ?? 'owner', currentYear());
      } catch (err) {
        error.textContent = err.message;
        if (err.type) error.dataset.problem = err.type;
      }
    });
  const codeForm = h(
    'form',
    { id: 'join', class: 'stack' },
    h('label', {}, t('join.code'), h('input', { name: 'value', value: code, autocomplete: 'one-time-code', autocapitalize: 'characters', spellcheck: false, placeholder: 'XXXX-XXXX-XXXX-XXXX', inputmode: 'text', required: true })),
    h('button', { type: 'submit' }, t('join.submit')),
    h('p', { class: 'note' }, t('join.hint')),
  );
  submitting(codeForm, redeem);
  const tokenForm = h(
    'form',
    { id: 'sign-in', class: 'stack' },
    h('label', {}, t('signin.token'), h('input', { name: 'value', type: 'password', autocomplete: 'off', required: true })),
    h('button', { type: 'submit' }, t('signin.submit')),
  );
  submitting(tokenForm, signInWithToken);
  return h(
    'div',
    { class: 'narrow' },
    h('section', {}, h('h2', {}, t('join.title')), codeForm, error),
    h('section', {}, h('details', { id: 'staff-sign-in' }, h('summary', {}, h('h2', {}, t('signin.staff'))), tokenForm)),
  );
}

function insecureNote() {
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(window.location.hostname);
  if (window.isSecureContext || local) return null;
  return h('p', { class: 'note', id: 'insecure-note' }, t('insecure.note'));
}

async function render(flash) {
  disposeCharts();
  const { view, period, code } = route();
  const account = currentAccount();
  if (!account || view === 'join') {
    const why = view === 'check' ? h('p', { class: 'note narrow', id: 'check-sign-in-note' }, t('check.signin')) : null;
    replace(app, header(view, account), h('main', {}, insecureNote(), why, signInPage(code)));
    return;
  }
  const printView = own(PRINT_VIEWS, view);
  if (printView) {
    const page = h('main', { class: 'print-page' }, loading());
    replace(app, page);
    try {
      await printView(page, { api: new Api(account.token), session: account, params: route().params });
    } catch (err) {
      replace(page, errorBox(err));
    }
    return;
  }
  const allowed = own(ROLE_VIEWS, account.role) ?? Object.keys(VIEWS);
  const shown = allowed.includes(view) ? view : allowed[0];
  const content = h('div', { id: 'content' }, loading());
  const periodChooser = VIEWS_WITHOUT_PERIOD.has(shown) ? null : periodForm(period, (p) => go(shown, p));
  replace(app, header(shown, account), h('main', {}, insecureNote(), periodChooser, content));
  try {
    await own(VIEWS, shown)(content, { api: new Api(account.token), session: account, period, params: route().params, flash, rerender: render });
  } catch (err) {
    replace(content, errorBox(err));
  }
}

setLang(lang());
window.addEventListener('hashchange', () => render());
render();
