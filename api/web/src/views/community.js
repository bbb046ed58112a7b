// The community's signed statement for a period, with charts: income by source, spending by
// category, month-end balances and the collection rate over the months around the period.
import { communityPath, enc } from '../api.js';
import { barChart, fenToYuan, lineChart, pieChart } from '../charts.js';
import { h, replace, section, table } from '../dom.js';
import { lang, percentBp, t } from '../i18n.js';
import { hashChip, moneyCell, monthsToChart, showStatementCheck, trustedLogKey } from './common.js';

const money = (v) => `¥${v}`;
const percent = (v) => `${v}%`;

export function statementPath(community, period, treeSize = '') {
  return communityPath(community, `/statements/${enc(period)}${treeSize ? `?tree_size=${enc(treeSize)}` : ''}`);
}

export async function renderCommunity(root, { api, session, period }) {
  const c = session.community;
  const months = monthsToChart(period);
  const [signed, monthly, logKey] = await Promise.all([
    api.get(statementPath(c, period)),
    Promise.all(months.map((m) => api.get(statementPath(c, m)).then((x) => x.statement))),
    trustedLogKey(api),
  ]);
  const s = signed.statement;
  const charts = {
    income: h('div', { class: 'chart', id: 'income-chart' }),
    spending: h('div', { class: 'chart', id: 'spending-chart' }),
    balances: h('div', { class: 'chart', id: 'balances-chart' }),
    collection: h('div', { class: 'chart', id: 'collection-chart' }),
  };
  const signature = h('span', { class: 'proof', dataset: { proof: 'pending' } }, t('proof.pending'));
  replace(
    root,
    section(
      `${t('community.statement')} · ${session.communityName || s.community_id} · ${s.period}`,
      h('div', { class: 'grid2' }, chartBox(t('community.income'), charts.income), chartBox(t('community.spending'), charts.spending), chartBox(t('community.balances'), charts.balances), chartBox(t('community.collection'), charts.collection)),
    ),
    section(t('community.fund'), fundsTable(s)),
    h('div', { class: 'grid2' }, section(t('community.billing'), billingList(s.billing)), section(t('community.remuneration'), remunerationList(s.remuneration))),
    section(t('community.evaluations'), evaluationsTable(s.evaluations)),
    section(t('owner.checkpoint'), checkpointList(s, signature)),
  );
  drawCharts(charts, s, months, monthly);
  await showStatementCheck(signature, signed, logKey);
}

function chartBox(title, el) {
  return h('figure', {}, h('figcaption', {}, title), el);
}

function drawCharts(charts, s, months, monthly) {
  const [fees, publicRevenue] = s.funds;
  const income = s.funds.flatMap((f) => Object.entries(f.income_by_source).map(([source, fen]) => ({ name: t(`src.${source}`), value: fenToYuan(fen) })));
  pieChart(charts.income, income, money);
  const categories = [...new Set(s.funds.flatMap((f) => Object.keys(f.disbursed_by_category)))];
  const spent = (fund) => categories.map((c) => fenToYuan(fund.disbursed_by_category[c] ?? '0'));
  barChart(charts.spending, categories.map((c) => t(`cat.${c}`)), [{ name: t('fund.FEES'), values: spent(fees) }, { name: t('fund.PUBLIC_REVENUE'), values: spent(publicRevenue) }], money, true);
  const closing = (i) => monthly.map((m) => fenToYuan(m.funds[i].closing_balance));
  const monthLabels = months.map(monthLabel);
  lineChart(charts.balances, monthLabels, [{ name: t('fund.FEES'), values: closing(0) }, { name: t('fund.PUBLIC_REVENUE'), values: closing(1) }], money);
  barChart(charts.collection, monthLabels, [{ name: t('community.rate'), values: monthly.map((m) => m.billing.collection_rate_bp / 100) }], percent);
}

// "2026-03" as "3月" (or "Mar"): twelve full months fit a phone's axis without turning.
function monthLabel(month) {
  const index = Number(month.slice(5)) - 1;
  return lang() === 'zh-CN' ? `${index + 1}月` : MONTHS_EN[index];
}
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function fundsTable(s) {
  const rows = s.funds.map((f) => h('tr', { dataset: { fund: f.fund } }, h('td', {}, t(`fund.${f.fund}`)), moneyCell(f.opening_balance), moneyCell(f.income), moneyCell(f.disbursed), moneyCell(f.closing_balance)));
  return table([t('community.fund'), t('community.opening'), t('community.income.total'), t('community.disbursed'), t('community.closing')], rows, { id: 'funds' });
}

function definitionList(pairs, id) {
  return h('dl', { id }, pairs.flatMap(([label, value]) => [h('dt', {}, label), value instanceof HTMLElement ? value : h('dd', {}, value)]));
}

function billingList(b) {
  return definitionList(
    [
      [t('community.units'), String(b.units)],
      [t('community.billed'), moneyCell(b.billed, 'dd')],
      [t('community.collected'), moneyCell(b.collected, 'dd')],
      [t('community.rate'), percentBp(b.collection_rate_bp)],
      [t('community.arrears'), String(b.units_in_arrears)],
    ],
    'billing',
  );
}

function remunerationList(r) {
  return definitionList(
    [
      [t('community.rem.allowed'), moneyCell(r.allowed_to_date, 'dd')],
      [t('community.rem.taken'), moneyCell(r.taken_to_date, 'dd')],
      [t('community.rem.period'), moneyCell(r.taken_in_period, 'dd')],
    ],
    'remuneration',
  );
}

function evaluationsTable(e) {
  const dims = Object.keys(e.mean_x100);
  return h(
    'div',
    {},
    table(dims.map((d) => t(`score.${d}`)), [dims.map((d) => (e.mean_x100[d] / 100).toFixed(2))], { id: 'evaluations' }),
    h('p', {}, `${t('community.coverage')}: ${e.evaluated_payments}/${e.payments} (${percentBp(e.coverage_bp)})`),
  );
}

function checkpointList(s, signature) {
  return definitionList(
    [
      [t('checkpoint.origin'), s.checkpoint.origin],
      [t('checkpoint.size'), s.checkpoint.tree_size],
      [t('checkpoint.root'), h('dd', {}, hashChip(s.checkpoint.root_hash))],
      [t('community.entries'), h('dd', {}, `${s.entries_count} · `, hashChip(s.entries_digest))],
      [t('checkpoint.signature'), h('dd', { id: 'statement-signature' }, signature)],
    ],
    'statement-checkpoint',
  );
}
