// The regulator's page: the district's firms and communities (each community with its signed
// statement for the period, its firm's rating and its printable notice), every firm's rating for
// a period with its grade, red or black list and the inputs behind it; and any signed statement
// to download, checked here first, with the commands that check it again offline.
import { enc } from '../api.js';
import { h, replace, section, table } from '../dom.js';
import { addMessages, percentBp, squareMetres, t, yuan } from '../i18n.js';
import { verifyStatement } from '../verify.js';
import { currentYear, errorBox, moneyCell, showStatementCheck, trustedLogKey, validPeriod } from './common.js';
import { statementPath } from './community.js';

const MILLI = 1000;

addMessages(
  {
    'regulator.firms': '物业企业',
    'regulator.communities': '小区',
    'regulator.firm.communities': '服务小区',
    'regulator.firm.units': '户数',
    'regulator.firm.only': '只看其小区',
    'regulator.c.name': '小区',
    'regulator.c.firm': '物业企业',
    'regulator.c.units': '户数 / 面积（㎡）',
    'regulator.c.open': '表决中',
    'regulator.c.links': '查看',
    'regulator.c.statement': '账目与评级',
    'regulator.c.notice': '公示',
    'regulator.c.all': '全部小区',
    'regulator.c.of': '{firm} 服务的小区',
    'regulator.more': '加载更多',
    'regulator.detail': '{name} · {period}',
    'regulator.detail.rating': '{firm}：{score} 分，{grade}',
    'regulator.detail.unrated': '{firm}：本期未评级',
    'regulator.detail.billing': '收缴率 {rate}（已到期应收 {billed}，实收 {collected}），欠费 {arrears} 户',
    'regulator.detail.remuneration': '物业酬金：本期 {taken}，累计 {to_date} / 上限 {allowed}',
    'regulator.detail.notice': '打开可打印的公示（A4）',
  },
  {
    'regulator.firms': 'Property firms',
    'regulator.communities': 'Communities',
    'regulator.firm.communities': 'Communities',
    'regulator.firm.units': 'Households',
    'regulator.firm.only': 'its communities',
    'regulator.c.name': 'Community',
    'regulator.c.firm': 'Firm',
    'regulator.c.units': 'Households / area (m²)',
    'regulator.c.open': 'Open votes',
    'regulator.c.links': 'See',
    'regulator.c.statement': 'statement and rating',
    'regulator.c.notice': 'notice',
    'regulator.c.all': 'All communities',
    'regulator.c.of': 'Communities served by {firm}',
    'regulator.more': 'Show more',
    'regulator.detail': '{name} · {period}',
    'regulator.detail.rating': '{firm}: {score} points, {grade}',
    'regulator.detail.unrated': '{firm}: not rated for this period',
    'regulator.detail.billing': 'Collection rate {rate} (due {billed}, collected {collected}); {arrears} households in arrears',
    'regulator.detail.remuneration': 'Remuneration: {taken} in the period, {to_date} to date of at most {allowed}',
    'regulator.detail.notice': 'Open the printable notice (A4)',
  },
);

const regulatorLink = (period, extra) => `#/regulator?period=${enc(period)}${extra}`;
const noticeLink = (community, period) => `#/notice?c=${enc(community)}&period=${enc(period)}`;

export async function renderRegulator(root, { api, session, period, params }) {
  const community = params?.get('c') ?? '';
  const firm = params?.get('firm') ?? '';
  const [ratings, firms, communities] = await Promise.all([
    api.get(`/v1/ratings?period=${encodeURIComponent(period)}`),
    api.get('/v1/firms'),
    api.get(`/v1/communities${firm ? `?firm=${enc(firm)}` : ''}`),
  ]);
  const detail = community ? h('div', { id: 'community-detail' }) : null;
  replace(
    root,
    detail,
    communitiesSection(api, communities, period, firm),
    firmsSection(api, firms, period),
    section(`${t('regulator.ratings')} · ${ratings.period}`, ratingsTable(ratings), h('p', { class: 'note' }, `${t('regulator.formula')}: ${ratings.formula_version}`)),
    downloadSection(api, session, community),
  );
  if (detail) await showCommunity(api, session, detail, community, period, ratings);
}

// A bounded list (GET /v1/firms, /v1/communities: next_after while more follow) a page at a
// time: the first page's rows, and a button that appends the next page's, or says why it cannot.
function pagedTable(api, first, { id, headers, rows, row, nextPath }) {
  const list = table(headers, rows(first).map(row), { id });
  const more = h('button', { type: 'button', id: `more-${id}`, hidden: !first.next_after }, t('regulator.more'));
  const status = h('div', { role: 'status' });
  let after = first.next_after;
  more.addEventListener('click', async () => {
    more.disabled = true;
    replace(status);
    try {
      const page = await api.get(nextPath(after));
      list.querySelector('tbody').append(...table(headers, rows(page).map(row)).querySelector('tbody').children);
      after = page.next_after;
      more.hidden = !after;
    } catch (err) {
      replace(status, errorBox(err));
    } finally {
      more.disabled = false;
    }
  });
  return [list, more, status];
}

function firmRow(f, period) {
  return h('tr', { dataset: { firmId: f.firm_id } }, h('td', {}, h('span', {}, h('strong', {}, f.name), ' ', h('code', {}, f.firm_id))), h('td', {}, String(f.communities)), h('td', {}, String(f.units)), h('td', {}, h('a', { href: regulatorLink(period, `&firm=${enc(f.firm_id)}`) }, t('regulator.firm.only'))));
}

function firmsSection(api, first, period) {
  const paged = pagedTable(api, first, {
    id: 'firms',
    headers: [t('regulator.firm'), t('regulator.firm.communities'), t('regulator.firm.units'), ' '],
    rows: (page) => page.firms,
    row: (f) => firmRow(f, period),
    nextPath: (after) => `/v1/firms?after=${enc(after)}`,
  });
  return section(t('regulator.firms'), ...paged);
}

function communityRow(c, period) {
  const links = h(
    'td',
    { class: 'links' },
    h(
      'span',
      {},
      h('a', { href: regulatorLink(period, `&c=${enc(c.community_id)}`), class: 'statement-link' }, t('regulator.c.statement')),
      ' · ',
      h('a', { href: noticeLink(c.community_id, period), class: 'notice-link', target: '_blank' }, t('regulator.c.notice')),
    ),
  );
  return h(
    'tr',
    { dataset: { community: c.community_id } },
    h('td', {}, h('span', {}, h('strong', {}, c.name), ' ', h('code', {}, c.community_id))),
    h('td', {}, c.firm_name || c.firm_id),
    h('td', {}, `${c.units} / ${squareMetres(c.area_centi_m2)}`),
    h('td', {}, String(c.open_proposals)),
    links,
  );
}

// The communities a page at a time, all of them or one firm's.
function communitiesSection(api, first, period, firm) {
  const paged = pagedTable(api, first, {
    id: 'communities',
    headers: [t('regulator.c.name'), t('regulator.c.firm'), t('regulator.c.units'), t('regulator.c.open'), t('regulator.c.links')],
    rows: (page) => page.communities,
    row: (c) => communityRow(c, period),
    nextPath: (after) => `/v1/communities?after=${enc(after)}${firm ? `&firm=${enc(firm)}` : ''}`,
  });
  // The firm's name from its communities (the list of firms comes a page at a time too).
  const firmName = first.communities.find((c) => c.firm_id === firm)?.firm_name || firm;
  const title = firm ? t('regulator.c.of', { firm: firmName }) : t('regulator.communities');
  return section(title, firm ? h('p', {}, h('a', { href: regulatorLink(period, '') }, t('regulator.c.all'))) : null, ...paged);
}

// One community for the period: its signed statement (checked here), its firm's rating, its notice.
async function showCommunity(api, session, el, community, period, ratings) {
  try {
    const [signed, logKey] = await Promise.all([api.get(statementPath(community, period)), trustedLogKey(api)]);
    const s = signed.statement;
    const name = session.communities?.find((c) => c.id === community)?.name || community;
    const rated = ratings.firms.find((f) => f.firm_id === s.firm_id);
    const signature = h('span', { class: 'proof', dataset: { proof: 'pending' } }, t('proof.pending'));
    const funds = s.funds.map((f) => h('tr', { dataset: { fund: f.fund } }, h('td', {}, t(`fund.${f.fund}`)), moneyCell(f.opening_balance), moneyCell(f.income), moneyCell(f.disbursed), moneyCell(f.closing_balance)));
    const b = s.billing;
    const r = s.remuneration;
    replace(
      el,
      section(
        t('regulator.detail', { name, period: s.period }),
        table([t('community.fund'), t('community.opening'), t('community.income.total'), t('community.disbursed'), t('community.closing')], funds, { id: 'detail-funds' }),
        h('p', { id: 'detail-billing' }, t('regulator.detail.billing', { rate: percentBp(b.collection_rate_bp), billed: yuan(b.billed_due), collected: yuan(b.collected_due), arrears: b.units_in_arrears })),
        h('p', { id: 'detail-remuneration' }, t('regulator.detail.remuneration', { taken: yuan(r.taken_in_period), to_date: yuan(r.taken_to_date), allowed: yuan(r.allowed_to_date) })),
        h('p', { id: 'detail-rating', dataset: { firm: s.firm_id } }, rated && rated.grade !== 'unrated' ? t('regulator.detail.rating', { firm: rated.name, score: rated.score, grade: rated.grade }) : t('regulator.detail.unrated', { firm: rated?.name ?? s.firm_id })),
        h('p', {}, `${t('checkpoint.signature')}: `, signature),
        h('p', {}, h('a', { href: noticeLink(community, period), id: 'detail-notice', target: '_blank' }, t('regulator.detail.notice'))),
      ),
    );
    await showStatementCheck(signature, signed, logKey);
  } catch (err) {
    replace(el, errorBox(err));
  }
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

function downloadSection(api, session, community) {
  const field = (name, label, value, required) => h('label', {}, `${label} `, h('input', { name, value, required, size: 12 }));
  const status = h('div', { id: 'download-status', role: 'status' });
  const commands = h('pre', { id: 'offline-commands', class: 'commands' }, offlineCommands('statement.json'));
  const form = h(
    'form',
    { id: 'download-form', class: 'period-form' },
    field('community', t('signin.community'), community || (session.community ?? ''), true),
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
