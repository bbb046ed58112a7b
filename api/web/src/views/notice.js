// The printable notice (公示) of a community for a period: one A4 page in Chinese for the lobby
// board — income, spending by category with its voucher counts, each fund's balances, the firm's
// remuneration, the collection rate, the checkpoint the figures were computed at — and a QR code
// that opens this portal's check of exactly that signed statement (#/check, check.js).
//
// #/notice?c=<community>&period=<period>. The figures are the signed statement's at the tree size
// that GET .../spending names (its voucher counts are of the same state, and its sums are checked
// against the statement's before anything is shown). The QR pins the statement by that tree size
// and the SHA-256 of its RFC 8785 form — the bytes the log key signed.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { communityPath, enc } from '../api.js';
import { h, replace, table } from '../dom.js';
import { addMessages, percentBp, t, yuan } from '../i18n.js';
import { canonicalJson } from '../verify.js';
import { cstTime, moneyCell, shortHash, showStatementCheck, trustedLogKey, validPeriod } from './common.js';
import { statementPath } from './community.js';
import { qrSvg } from './qr.js';

addMessages(
  {
    'notice.title': '{community} 物业费与公共收益收支公示',
    'notice.period': '公示期间：{period}（{first} 至 {last}）',
    'notice.firm': '物业服务企业：{firm}',
    'notice.as_of': '收费数据截至 {date}',
    'notice.running': '本期尚未结束：数据截至 {date}，期满后将重新公示。',
    'notice.income': '一、收入',
    'notice.source': '来源',
    'notice.amount': '金额',
    'notice.total': '合计',
    'notice.spending': '二、支出（按类别）',
    'notice.category': '类别',
    'notice.vouchers': '凭证（张）',
    'notice.balances': '三、资金余额',
    'notice.fund': '资金',
    'notice.remuneration': '四、物业酬金',
    'notice.rem.rule.bp': '按物业费收入的 {percent} 提取',
    'notice.rem.rule.fixed': '每月固定 {amount}',
    'notice.rem.period': '{rule}。本期提取 {taken}；累计已提取 {to_date}，累计可提取上限 {allowed}。',
    'notice.collection': '五、物业费收缴率',
    'notice.collection.line': '已到期应收 {billed}，实收 {collected}，收缴率 {rate}；欠费 {arrears} 户，共 {units} 户。',
    'notice.check': '六、核验',
    'notice.check.line': '以上数字取自账本的签名检查点：共 {size} 条记录，根哈希 {root}，签名时间 {signed}（北京时间）。',
    'notice.check.key': '日志：{origin}，签名 {signature}',
    'notice.qr': '用手机扫描二维码，可在网上核对本公示：显示“核验通过”即说明本公示与账本中签名的账目完全一致。',
    'notice.printed': '打印时间 {time}',
    'notice.none': '本期无',
    'notice.mismatch': '支出明细与签名账目对不上，无法生成公示。请刷新重试；若一再出现，请告知监管部门。',
    'notice.missing': '缺少小区或期间：请从监管页面的小区列表打开公示。',
    'notice.print': '打印',
    'period.year': '{year}年',
    'period.quarter': '{year}年第{q}季度',
    'period.month': '{year}年{month}月',
  },
  {
    'notice.title': '{community}: property fees and public revenue, income and spending',
    'notice.period': 'Period: {period} ({first} to {last})',
    'notice.firm': 'Property firm: {firm}',
    'notice.as_of': 'Fee collection as of {date}',
    'notice.running': 'This period has not ended: figures as of {date}; a new notice follows when it ends.',
    'notice.income': '1. Income',
    'notice.source': 'Source',
    'notice.amount': 'Amount',
    'notice.total': 'Total',
    'notice.spending': '2. Spending by category',
    'notice.category': 'Category',
    'notice.vouchers': 'Vouchers',
    'notice.balances': '3. Fund balances',
    'notice.fund': 'Fund',
    'notice.remuneration': '4. The firm’s remuneration',
    'notice.rem.rule.bp': '{percent} of fee income',
    'notice.rem.rule.fixed': '{amount} a month',
    'notice.rem.period': '{rule}. Taken in the period {taken}; to date {to_date}, of at most {allowed}.',
    'notice.collection': '5. Fee collection',
    'notice.collection.line': 'Due {billed}, collected {collected}, rate {rate}; {arrears} of {units} households in arrears.',
    'notice.check': '6. Check',
    'notice.check.line': 'Figures from the ledger’s signed checkpoint: {size} entries, root hash {root}, signed {signed} (Beijing time).',
    'notice.check.key': 'Log {origin}, signature {signature}',
    'notice.qr': 'Scan the QR code with a phone to check this notice online: “checked” means it is exactly the statement signed in the ledger.',
    'notice.printed': 'Printed {time}',
    'notice.none': 'none in this period',
    'notice.mismatch': 'The spending details do not add up to the signed statement, so no notice is made. Please reload; if it persists, tell the regulator.',
    'notice.missing': 'Which community and period? Open the notice from the regulator’s list of communities.',
    'notice.print': 'Print',
    'period.year': '{year}',
    'period.quarter': '{year} Q{q}',
    'period.month': '{month}/{year}',
  },
);

// "2026-Q3" -> { text: "2026年第3季度", first: "2026-07-01", last: "2026-09-30" }.
export function periodWords(period) {
  const year = Number(period.slice(0, 4));
  let first;
  let last;
  let text;
  if (period.length === 4) {
    [first, last, text] = [1, 12, t('period.year', { year })];
  } else if (period[5] === 'Q') {
    const q = Number(period[6]);
    [first, last, text] = [3 * q - 2, 3 * q, t('period.quarter', { year, q })];
  } else {
    const month = Number(period.slice(5, 7));
    [first, last, text] = [month, month, t('period.month', { year, month })];
  }
  const pad = (n) => String(n).padStart(2, '0');
  const lastDay = new Date(Date.UTC(year, last, 0)).getUTCDate();
  return { text, first: `${year}-${pad(first)}-01`, last: `${year}-${pad(last)}-${pad(lastDay)}` };
}

// The SHA-256 (hex) of a statement's RFC 8785 form: what pins it in the QR code. @noble/hashes,
// so that a phone on plain http (no WebCrypto) can still compare it.
export function statementHash(statement) {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(statement))));
}

// The portal address of the check of one signed statement.
function checkUrl(community, period, treeSize, hash, base = `${window.location.origin}${window.location.pathname}`) {
  return `${base}#/check?c=${enc(community)}&period=${enc(period)}&size=${enc(treeSize)}&sha256=${hash}`;
}

// The spending answer's sums must be the statement's, category by category and fund by fund.
function sameSpending(statement, spending) {
  return statement.funds.every((fund) => {
    const listed = spending.funds.find((f) => f.fund === fund.fund)?.categories ?? [];
    const sums = Object.fromEntries(listed.map((c) => [c.category, c.disbursed]));
    const keys = new Set([...Object.keys(sums), ...Object.keys(fund.disbursed_by_category)]);
    return [...keys].every((k) => sums[k] === fund.disbursed_by_category[k]);
  });
}

function incomeTable(s) {
  const [fees, publicRevenue] = s.funds;
  const rows = [
    ...Object.entries(fees.income_by_source).map(([src, fen]) => ({ name: `${t('fund.FEES')} · ${t(`src.${src}`)}`, fen, key: `FEES.${src}` })),
    ...Object.entries(publicRevenue.income_by_source).map(([src, fen]) => ({ name: `${t('fund.PUBLIC_REVENUE')} · ${t(`src.${src}`)}`, fen, key: `PUBLIC_REVENUE.${src}` })),
  ];
  const total = (BigInt(fees.income) + BigInt(publicRevenue.income)).toString();
  const body = rows.map((r) => h('tr', { dataset: { income: r.key } }, h('td', {}, r.name), moneyCell(r.fen)));
  if (!rows.length) body.push(h('tr', {}, h('td', {}, t('notice.none')), moneyCell('0')));
  body.push(h('tr', { class: 'total' }, h('td', {}, t('notice.total')), moneyCell(total)));
  return table([t('notice.source'), t('notice.amount')], body, { id: 'notice-income' });
}

function spendingTable(s, spending) {
  const counts = new Map();
  for (const f of spending.funds) for (const c of f.categories) counts.set(`${f.fund}.${c.category}`, c);
  const categories = [...new Set(s.funds.flatMap((f) => Object.keys(f.disbursed_by_category)))];
  const cell = (fund, category) => moneyCell(fund.disbursed_by_category[category] ?? '0');
  const vouchers = (category) => String(s.funds.reduce((n, f) => n + (counts.get(`${f.fund}.${category}`)?.vouchers ?? 0), 0));
  const body = categories.map((c) => h('tr', { dataset: { category: c } }, h('td', {}, t(`cat.${c}`)), cell(s.funds[0], c), cell(s.funds[1], c), h('td', { class: 'count' }, vouchers(c))));
  const totalVouchers = String(spending.funds.reduce((n, f) => n + f.categories.reduce((m, c) => m + c.vouchers, 0), 0));
  if (!categories.length) body.push(h('tr', {}, h('td', {}, t('notice.none')), moneyCell('0'), moneyCell('0'), h('td', { class: 'count' }, '0')));
  body.push(h('tr', { class: 'total' }, h('td', {}, t('notice.total')), moneyCell(s.funds[0].disbursed), moneyCell(s.funds[1].disbursed), h('td', { class: 'count' }, totalVouchers)));
  return table([t('notice.category'), t('fund.FEES'), t('fund.PUBLIC_REVENUE'), t('notice.vouchers')], body, { id: 'notice-spending' });
}

function balancesTable(s) {
  const rows = s.funds.map((f) => h('tr', { dataset: { fund: f.fund } }, h('td', {}, t(`fund.${f.fund}`)), moneyCell(f.opening_balance), moneyCell(f.income), moneyCell(f.disbursed), moneyCell(f.closing_balance)));
  return table([t('notice.fund'), t('community.opening'), t('community.income.total'), t('community.disbursed'), t('community.closing')], rows, { id: 'notice-balances' });
}

function remunerationText(r) {
  const rule = r.rule.basis_points_of_fee_income !== undefined
    ? t('notice.rem.rule.bp', { percent: percentBp(r.rule.basis_points_of_fee_income) })
    : t('notice.rem.rule.fixed', { amount: yuan(r.rule.fixed_fen_per_month) });
  return t('notice.rem.period', { rule, taken: yuan(r.taken_in_period), to_date: yuan(r.taken_to_date), allowed: yuan(r.allowed_to_date) });
}

function collectionText(b) {
  return t('notice.collection.line', { billed: yuan(b.billed_due), collected: yuan(b.collected_due), rate: percentBp(b.collection_rate_bp), arrears: b.units_in_arrears, units: b.units });
}

function block(title, ...children) {
  return h('section', { class: 'notice-block' }, h('h2', {}, title), ...children);
}

export async function renderNotice(root, { api, params }) {
  const community = params.get('c') ?? '';
  const period = params.get('period') ?? '';
  if (!community || !validPeriod(period)) return replace(root, h('p', { class: 'error' }, t('notice.missing')));
  // The state first: its tree size names the statement with the same figures.
  const spending = await api.get(communityPath(community, `/spending?period=${enc(period)}`));
  const [signed, logKey] = await Promise.all([api.get(statementPath(community, period, spending.tree_size)), trustedLogKey(api)]);
  const s = signed.statement;
  if (s.checkpoint.tree_size !== spending.tree_size || !sameSpending(s, spending)) {
    return replace(root, h('p', { class: 'error', id: 'notice-mismatch' }, t('notice.mismatch')));
  }
  const hash = statementHash(s);
  const url = checkUrl(community, period, s.checkpoint.tree_size, hash);
  const words = periodWords(period);
  const signature = h('span', { class: 'proof', dataset: { proof: 'pending' } }, t('proof.pending'));
  const running = s.as_of < words.last;
  const page = h(
    'article',
    { class: 'notice', id: 'notice', dataset: { community, period, treeSize: s.checkpoint.tree_size, sha256: hash } },
    h('h1', {}, t('notice.title', { community: spending.community_name || community })),
    h('p', { class: 'notice-meta' }, t('notice.period', { period: words.text, first: words.first, last: words.last }), h('br'), t('notice.firm', { firm: spending.firm_name || s.firm_id }), ' · ', t('notice.as_of', { date: s.as_of })),
    running ? h('p', { class: 'notice-running' }, t('notice.running', { date: s.as_of })) : null,
    h('div', { class: 'notice-columns' }, block(t('notice.income'), incomeTable(s)), block(t('notice.balances'), balancesTable(s))),
    block(t('notice.spending'), spendingTable(s, spending)),
    h('div', { class: 'notice-columns' }, block(t('notice.remuneration'), h('p', { id: 'notice-remuneration' }, remunerationText(s.remuneration))), block(t('notice.collection'), h('p', { id: 'notice-collection' }, collectionText(s.billing)))),
    h(
      'section',
      { class: 'notice-block notice-check' },
      h('div', {}, h('h2', {}, t('notice.check')), h('p', { id: 'notice-checkpoint' }, t('notice.check.line', { size: s.checkpoint.tree_size, root: shortHash(s.checkpoint.root_hash), signed: spending.checkpoint_signed_at_ms ? cstTime(spending.checkpoint_signed_at_ms) : '—' })), h('p', { class: 'note' }, t('notice.check.key', { origin: s.checkpoint.origin, signature: '' }), signature), h('p', {}, t('notice.qr'))),
      h('figure', { class: 'notice-qr' }, qrSvg(url, 38)),
    ),
    h('p', { class: 'note notice-printed' }, t('notice.printed', { time: cstTime(Date.now()) })),
  );
  replace(root, h('p', { class: 'no-print' }, h('button', { type: 'button', onclick: () => window.print() }, t('notice.print'))), page);
  await showStatementCheck(signature, signed, logKey);
}

