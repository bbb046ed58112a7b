// The regulator's page: every firm's rating for a period with its grade, red or black list and
// the inputs behind it; and any signed statement to download, checked here first, with the
// commands that check it again offline.
import { h, replace, section, table } from '../dom.js';
import { percentBp, t } from '../i18n.js';
import { verifyStatement } from '../verify.js';
import { currentYear, errorBox, trustedLogKey, validPeriod } from './common.js';
import { statementPath } from './community.js';

const MILLI = 1000;

export async function renderRegulator(root, { api, session, period }) {
  const ratings = await api.get(`/v1/ratings?period=${encodeURIComponent(period)}`);
  replace(
    root,
    section(`${t('regulator.ratings')} · ${ratings.period}`, ratingsTable(ratings), h('p', { class: 'note' }, `${t('regulator.formula')}: ${ratings.formula_version}`)),
    downloadSection(api, session),
  );
}

function listBadge(firm) {
  if (firm.red_list) return h('span', { class: 'badge red' }, t('regulator.red'));
  if (firm.black_list) return h('span', { class: 'badge black' }, t('regulator.black'));
  return h('span', {}, '—');
}

function inputsList(i) {
  const mean = i.evaluations === 0 ? '—' : (i.evaluation_score_sum / (5 * i.evaluations)).toFixed(2);
  return h(
    'ul',
    { class: 'inputs' },
    h('li', {}, `${t('regulator.in.evaluations')} ${i.evaluations} · ${t('regulator.in.mean')} ${mean}`),
    h('li', {}, `${t('regulator.in.collection')} ${percentBp(i.collection_rate_bp)}`),
    h('li', {}, `${t('regulator.in.vouchers')} ${i.disbursements_with_voucher}/${i.disbursements}`),
    h('li', {}, `${t('regulator.in.prompt')} ${i.prompt_entries}/${i.business_entries}`),
    h('li', {}, `${t('regulator.in.reversals')} ${i.reversals}`),
  );
}

function ratingsTable(ratings) {
  const points = (p) => [p.evaluation, p.collection, p.disclosure, p.reversals].map((x) => (x / MILLI).toFixed(1)).join(' / ');
  const rows = ratings.firms.map((f) =>
    h('tr', { dataset: { firm: f.firm_id } }, h('td', {}, h('strong', {}, f.name), h('br'), h('code', {}, f.firm_id)), h('td', { class: 'score' }, String(f.score)), h('td', { class: `grade grade-${f.grade}` }, f.grade), h('td', {}, listBadge(f)), h('td', {}, inputsList(f.inputs)), h('td', {}, points(f.points_milli))),
  );
  return table([t('regulator.firm'), t('regulator.score'), t('regulator.grade'), t('regulator.lists'), t('regulator.inputs'), t('regulator.points')], rows, { id: 'ratings' });
}

function saveFile(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function offlineCommands(file) {
  const server = window.location.origin;
  return [
    `curl -s ${server}/v1/keys | jq -r .public_key_pem > log.pub.pem`,
    `mingzhang verify-statement ${file} --key log.pub.pem`,
    '',
    `jq -cjS .statement ${file} > body && jq -r .signature.signature ${file} | base64 -d > sig`,
    'openssl pkeyutl -verify -pubin -inkey log.pub.pem -rawin -in body -sigfile sig',
  ].join('\n');
}

function downloadSection(api, session) {
  const field = (name, label, value, required) => h('label', {}, `${label} `, h('input', { name, value, required, size: 12 }));
  const status = h('div', { id: 'download-status', role: 'status' });
  const commands = h('pre', { id: 'offline-commands', class: 'commands' }, offlineCommands('statement.json'));
  const form = h(
    'form',
    { id: 'download-form', class: 'period-form' },
    field('community', t('signin.community'), session.community ?? '', true),
    field('period', t('period'), currentYear(), true),
    field('tree_size', t('regulator.tree_size'), '', false),
    h('button', { type: 'submit' }, t('regulator.download.button')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    if (!validPeriod(data.period)) return replace(status, h('p', { class: 'form-error' }, t('period.bad')));
    try {
      const text = await api.getText(statementPath(data.community, data.period, data.tree_size));
      await verifyStatement(JSON.parse(text), await trustedLogKey(api));
      const file = `statement-${data.community}-${data.period}${data.tree_size ? `-at-${data.tree_size}` : ''}.json`;
      saveFile(file, text, 'application/json');
      commands.textContent = offlineCommands(file);
      replace(status, h('p', { class: 'flash', dataset: { file } }, t('regulator.download.done', { file })));
    } catch (err) {
      replace(status, errorBox(err));
    }
  });
  return section(t('regulator.download'), form, status, h('h3', {}, t('regulator.offline')), h('p', {}, t('regulator.offline.note')), commands);
}
