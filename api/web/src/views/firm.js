// The property firm's workspace (#/firm): record a fee payment, a disbursement with its voucher,
// and public revenue, each typed in yuan and recorded in fen; the community's last entries below.
// Made for a front desk or a phone: one form at a time, big fields, Chinese first.
//
// Tabs: #/firm?tab=<name>[&c=<community>]. FIRM_TABS is the registry; a tab is
//   { name, label (an i18n key), render(root, ctx), entries (true: the recent entries follow it) }
// and ctx is the view's context plus { community, communityName, units: [{unit_id, label}] }.
// Another module adds its tabs before the first render, e.g. views/firm_tools.js:
//   import { addFirmTab } from './firm.js';
//   addFirmTab({ name: 'import', label: 'firm.tab.import', render: renderImport });
// and main.js imports it for that side effect. A tab named again replaces the earlier one.
//
// Every write carries an idempotency key made once per form: a double tap or a retry after a lost
// answer records once; a refusal (nothing written) makes a new key for the corrected form.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { ApiError, communityPath, enc } from '../api.js';
import { h, replace, section, table } from '../dom.js';
import { addMessages, lang, t, yuan } from '../i18n.js';
import { parseYuan } from '../money.js';
import { problemText } from '../problems.js';
import { base64ToBytes } from '../verify.js';
import { VOUCHER_BYTES_MAX, voucherType } from '../voucher_type.js';
import { cstDay, errorBox, hashChip, loading, moneyCell, utf8Bytes } from './common.js';

// The ledger's limits (ledger/domain/domain.h), checked here first so a person is told before sending.
const NAME_BYTES_MAX = 200; // kNameBytesMax: payee, payer
const REF_BYTES_MAX = 128; // kRefBytesMax: receipt_ref, contract_ref
const COMMENT_BYTES_MAX = 1000; // kCommentBytesMax: description
const PAYMENT_MONTHS_MAX = 120; // kPaymentMonthsMax
// A payment above arrears plus this many months' fee is asked about before it is recorded.
const PREPAY_MONTHS_USUAL = 12;
const UNIT_RESULTS_MAX = 8;
const RECENT_ENTRIES = 20;
const ENTRIES_PAGE_MAX = 1000; // kEntriesPageMax
const RECENT_WINDOW_FIRST = 64; // seqs looked back at first; ×4 until 20 of this community are found
const RECENT_WINDOW_STEPS_MAX = 8;

const METHODS = ['wechat', 'alipay', 'bank', 'cash', 'other'];
const FUNDS = ['FEES', 'PUBLIC_REVENUE'];
const CATEGORIES = ['CLEANING', 'SECURITY', 'GREENERY', 'REPAIR', 'UTILITIES', 'INSURANCE', 'ADMINISTRATION', 'REMUNERATION', 'OTHER'];
const SOURCES = ['parking', 'advertising', 'venue_rental', 'other'];

addMessages(
  {
    'nav.firm': '物业登记',
    'firm.tab.payment': '收费登记',
    'firm.tab.disbursement': '支出登记',
    'firm.tab.revenue': '公共收益登记',
    'firm.community': '小区',
    'firm.unit': '房号',
    'firm.unit.search': '搜索房号，例如 1栋1单元101',
    'firm.unit.count': '本小区共 {n} 户，输入楼栋、单元或房号查找。',
    'firm.unit.more': '还有 {n} 户符合，请多输入几个字。',
    'firm.unit.none': '没有找到这个房号，请核对后再输入。',
    'firm.unit.change': '换一户',
    'firm.unit.required': '请先选择房号。',
    'firm.monthly_fee': '月物业费',
    'firm.arrears': '累计欠费',
    'firm.period': '从哪个月起缴',
    'firm.months': '缴几个月',
    'firm.amount': '金额（元）',
    'firm.amount.hint': '按元填写，例如 256.50',
    'firm.amount.reads': '将记为 {yuan}',
    'firm.paid_on': '缴费日期',
    'firm.method': '缴费方式',
    'firm.receipt': '收据号（选填）',
    'method.wechat': '微信',
    'method.alipay': '支付宝',
    'method.bank': '银行转账',
    'method.cash': '现金',
    'method.other': '其他',
    'firm.pay.submit': '登记收费',
    'firm.check.title': '请核对这笔收费',
    'firm.check.odd': '金额 {amount} 不是月物业费 {fee} 的整数倍。',
    'firm.check.months': '金额 {amount} 是 {k} 个月的物业费，但“缴几个月”填的是 {m} 个月。',
    'firm.check.over': '金额 {amount} 超过累计欠费 {arrears} 加 {n} 个月预缴（共 {limit}）。',
    'firm.check.confirm': '确认无误，登记',
    'firm.check.back': '返回修改',
    'firm.done.payment': '已登记收费：{unit} {amount}',
    'firm.done.disbursement': '已登记支出：{payee} {amount}',
    'firm.done.revenue': '已登记公共收益：{payer} {amount}',
    'firm.done.seq': '账本序号 {seq}',
    'firm.done.hash': '条目哈希',
    'firm.fund': '资金来源',
    'firm.category': '支出类别',
    'firm.payee': '收款方',
    'firm.description': '用途说明',
    'firm.disbursed_on': '支付日期',
    'firm.resolution': '业主表决通过的决议',
    'firm.resolution.none': '没有可用的决议：公共收益的每笔支出都须业主表决通过（资金来源为公共收益的已通过议案）。',
    'firm.resolution.none.repair': '用公共收益做维修须有“特别事项”决议，目前没有。',
    'firm.resolution.left': '批准 {approved}，已支出 {spent}，尚可支出 {left}',
    'firm.resolution.required': '请选择批准这笔支出的决议。',
    'firm.voucher': '凭证文件（发票、合同或收据的照片或扫描件：PDF、JPEG 或 PNG，不超过 10 MB）',
    'firm.voucher.required': '请选择凭证文件。',
    'firm.voucher.too_large': '凭证文件有 {size}，超过 10 MB 的上限。请压缩或拍得小一些再选。',
    'firm.voucher.empty': '这个文件是空的，请重新选择凭证文件。',
    'firm.voucher.type': '只能上传 PDF、JPEG 或 PNG 格式的凭证，这个文件不是。请转成 PDF 或拍照后再选。',
    'firm.voucher.hashing': '正在计算凭证指纹…',
    'firm.voucher.ready': '凭证指纹（SHA-256）',
    'firm.voucher.uploading': '正在上传凭证文件…',
    'firm.voucher.uploaded': '凭证文件已上传并存档（{size}）。',
    'firm.voucher.failed': '这笔支出已记入账本，但凭证文件没有上传成功：{reason}',
    'firm.voucher.retry': '重新上传凭证',
    'firm.disb.submit': '登记支出',
    'firm.source': '收益来源',
    'firm.payer': '付款方',
    'firm.received_on': '收款日期',
    'firm.contract': '合同号（选填）',
    'firm.rev.submit': '登记公共收益',
    'firm.required': '请填写这一项。',
    'firm.too_long': '太长了：最多 {n} 字节（约 {c} 个汉字）。',
    'firm.date.future': '日期不能晚于今天。',
    'firm.months.bad': '月数应为 1 到 {n} 的整数。',
    'firm.period.bad': '请选择月份，例如 2026-11。',
    'firm.sending': '正在提交…',
    'firm.recent': '本小区最近登记的 {n} 条',
    'firm.recent.none': '本小区还没有登记任何条目。',
    'firm.kind': '类别',
    'firm.summary': '摘要',
    'firm.hash': '哈希',
    'kind.fee_payment': '收费',
    'kind.disbursement': '支出',
    'kind.public_revenue': '公共收益',
    'kind.evaluation': '评价',
    'kind.proposal': '议案',
    'kind.ballot': '投票',
    'kind.proposal_close': '表决结果',
    'kind.reversal': '冲销',
    'kind.units': '房屋登记',
    'kind.community': '小区登记',
    'kind.firm': '物业登记',
    'firm.reversal.of': '冲销第 {seq} 条',
    'firm.months.n': '{n} 个月',
  },
  {
    'nav.firm': 'Record',
    'firm.tab.payment': 'Fee payment',
    'firm.tab.disbursement': 'Spending',
    'firm.tab.revenue': 'Public revenue',
    'firm.community': 'Community',
    'firm.unit': 'Unit',
    'firm.unit.search': 'Search a unit, e.g. 1栋1单元101',
    'firm.unit.count': '{n} units in this community; type a building, entrance or room number.',
    'firm.unit.more': '{n} more match; type a little more.',
    'firm.unit.none': 'No such unit; please check and type again.',
    'firm.unit.change': 'Change',
    'firm.unit.required': 'Please choose the unit first.',
    'firm.monthly_fee': 'Monthly fee',
    'firm.arrears': 'Arrears',
    'firm.period': 'First month paid for',
    'firm.months': 'Months',
    'firm.amount': 'Amount (yuan)',
    'firm.amount.hint': 'In yuan, e.g. 256.50',
    'firm.amount.reads': 'Recorded as {yuan}',
    'firm.paid_on': 'Paid on',
    'firm.method': 'Method',
    'firm.receipt': 'Receipt number (optional)',
    'method.wechat': 'WeChat Pay',
    'method.alipay': 'Alipay',
    'method.bank': 'Bank transfer',
    'method.cash': 'Cash',
    'method.other': 'Other',
    'firm.pay.submit': 'Record payment',
    'firm.check.title': 'Please check this payment',
    'firm.check.odd': 'The amount {amount} is not a whole number of monthly fees ({fee}).',
    'firm.check.months': 'The amount {amount} is {k} months’ fee, but Months says {m}.',
    'firm.check.over': 'The amount {amount} is more than the arrears {arrears} plus {n} months paid ahead ({limit} in all).',
    'firm.check.confirm': 'It is right, record it',
    'firm.check.back': 'Go back and change',
    'firm.done.payment': 'Payment recorded: {unit} {amount}',
    'firm.done.disbursement': 'Spending recorded: {payee} {amount}',
    'firm.done.revenue': 'Public revenue recorded: {payer} {amount}',
    'firm.done.seq': 'Seq {seq} in the log',
    'firm.done.hash': 'Entry hash',
    'firm.fund': 'Paid from',
    'firm.category': 'Category',
    'firm.payee': 'Payee',
    'firm.description': 'What it paid for',
    'firm.disbursed_on': 'Paid on',
    'firm.resolution': 'Resolution the owners passed',
    'firm.resolution.none': 'No resolution to spend under: every payment from public revenue needs a passed vote on a public-revenue proposal.',
    'firm.resolution.none.repair': 'Repairs from public revenue need a special-matter resolution; there is none.',
    'firm.resolution.left': 'approved {approved}, spent {spent}, left {left}',
    'firm.resolution.required': 'Please choose the resolution that approves this spending.',
    'firm.voucher': 'Voucher file (photo or scan of the invoice, contract or receipt: PDF, JPEG or PNG, at most 10 MB)',
    'firm.voucher.required': 'Please choose the voucher file.',
    'firm.voucher.too_large': 'The voucher file is {size}, over the 10 MB limit. Please compress it or take a smaller photo.',
    'firm.voucher.empty': 'This file is empty; please choose the voucher file again.',
    'firm.voucher.type': 'Vouchers are PDF, JPEG or PNG files, and this one is not. Please convert it to PDF or take a photo.',
    'firm.voucher.hashing': 'Computing the voucher’s fingerprint…',
    'firm.voucher.ready': 'Voucher fingerprint (SHA-256)',
    'firm.voucher.uploading': 'Uploading the voucher file…',
    'firm.voucher.uploaded': 'The voucher file is uploaded and kept ({size}).',
    'firm.voucher.failed': 'The spending is recorded in the log, but the voucher file was not uploaded: {reason}',
    'firm.voucher.retry': 'Upload the voucher again',
    'firm.disb.submit': 'Record spending',
    'firm.source': 'Source',
    'firm.payer': 'Payer',
    'firm.received_on': 'Received on',
    'firm.contract': 'Contract number (optional)',
    'firm.rev.submit': 'Record public revenue',
    'firm.required': 'Please fill this in.',
    'firm.too_long': 'Too long: at most {n} bytes (about {c} Chinese characters).',
    'firm.date.future': 'The date cannot be after today.',
    'firm.months.bad': 'Months is a whole number from 1 to {n}.',
    'firm.period.bad': 'Please choose a month, e.g. 2026-11.',
    'firm.sending': 'Sending…',
    'firm.recent': 'The last {n} entries of this community',
    'firm.recent.none': 'Nothing is recorded for this community yet.',
    'firm.kind': 'Kind',
    'firm.summary': 'Summary',
    'firm.hash': 'Hash',
    'kind.fee_payment': 'Fee payment',
    'kind.disbursement': 'Spending',
    'kind.public_revenue': 'Public revenue',
    'kind.evaluation': 'Rating',
    'kind.proposal': 'Proposal',
    'kind.ballot': 'Ballot',
    'kind.proposal_close': 'Vote result',
    'kind.reversal': 'Reversal',
    'kind.units': 'Units registered',
    'kind.community': 'Community registered',
    'kind.firm': 'Firm registered',
    'firm.reversal.of': 'reverses entry {seq}',
    'firm.months.n': '{n} months',
  },
);

const FIRM_TABS = [];

export function addFirmTab(tab) {
  const at = FIRM_TABS.findIndex((x) => x.name === tab.name);
  if (at >= 0) FIRM_TABS[at] = tab;
  else FIRM_TABS.push(tab);
}

addFirmTab({ name: 'payment', label: 'firm.tab.payment', render: renderPaymentTab, entries: true });
addFirmTab({ name: 'disbursement', label: 'firm.tab.disbursement', render: renderDisbursementTab, entries: true });
addFirmTab({ name: 'revenue', label: 'firm.tab.revenue', render: renderRevenueTab, entries: true });

// ---- the view ----

export async function renderFirm(root, ctx) {
  const { api, session, params } = ctx;
  const communities = session.communities?.length ? session.communities : [{ id: session.community, name: session.communityName }];
  const chosen = communities.find((c) => c.id === params.get('c')) ?? communities.find((c) => c.id === session.community) ?? communities[0];
  const tab = FIRM_TABS.find((x) => x.name === params.get('tab')) ?? FIRM_TABS[0];
  const me = await api.get('/v1/me');
  const units = me.communities?.find((c) => c.community_id === chosen.id)?.units ?? [];
  const link = (name, c = chosen.id) => `#/firm?tab=${enc(name)}&c=${enc(c)}&period=${enc(ctx.period)}`;
  const body = h('div', { id: 'firm-tab', dataset: { tab: tab.name } }, loading());
  const recent = h('div', { id: 'recent' });
  replace(
    root,
    communities.length > 1
      ? h('label', { class: 'firm-community' }, `${t('firm.community')} `, h('select', { id: 'firm-community', onchange: (e) => (window.location.hash = link(tab.name, e.target.value)) }, communities.map((c) => h('option', { value: c.id, selected: c.id === chosen.id }, c.name || c.id))))
      : null,
    h('div', { class: 'firm-tabs', id: 'firm-tabs' }, FIRM_TABS.map((x) => h('a', { href: link(x.name), class: x === tab ? 'active' : '', dataset: { tab: x.name } }, t(x.label)))),
    body,
    tab.entries ? recent : null,
  );
  const tabCtx = { ...ctx, community: chosen.id, communityName: chosen.name || chosen.id, units, refreshRecent: () => (tab.entries ? showRecent(api, chosen.id, units, recent) : null) };
  await Promise.all([tab.render(body, tabCtx), tabCtx.refreshRecent()]);
}

// ---- small pieces ----

// crypto.randomUUID exists only on secure pages; getRandomValues everywhere.
export function newIdempotencyKey(kind) {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return `portal-${kind}-${c.randomUUID()}`;
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return `portal-${kind}-${bytesToHex(bytes)}`;
}

// The ledger keeps no control characters in text (bad-text): line breaks typed become spaces.
const oneLine = (text) => String(text ?? '').replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
const unitName = (u) => (u.label ? `${u.label}（${u.unit_id}）` : u.unit_id);
const sizeText = (bytes) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`);

// A field: its label, the control, an optional hint, and where its refusal is shown.
function field(name, labelText, control, hint, ...extra) {
  const id = `f-${name}`;
  if (control instanceof HTMLElement && !control.id) control.id = id;
  return h(
    'div',
    { class: 'field', dataset: { field: name } },
    h('label', { for: control.id || id }, labelText),
    control,
    hint ? h('span', { class: 'note field-hint' }, hint) : null,
    ...extra,
    h('span', { class: 'field-error', role: 'alert', dataset: { errorFor: name } }),
  );
}

function dateInput(name) {
  const today = cstDay();
  return h('input', { name, type: 'date', value: today, max: today, required: true });
}

function select(name, values, labelOf, selected) {
  return h('select', { name }, values.map((v) => h('option', { value: v, selected: v === selected }, labelOf(v))));
}

// Refusals beside their fields; one the page cannot place goes under the form.
class FormErrors {
  constructor(form, general) {
    this.form = form;
    this.general = general;
  }

  clear() {
    this.form.querySelectorAll('.field-error').forEach((el) => {
      el.textContent = '';
      delete el.dataset.problem;
    });
    this.form.querySelectorAll('.field.invalid').forEach((el) => el.classList.remove('invalid'));
    this.general.textContent = '';
    delete this.general.dataset.problem;
  }

  show(name, text, problem) {
    const el = name ? this.form.querySelector(`[data-error-for="${name}"]`) : null;
    const target = el ?? this.general;
    target.textContent = text;
    if (problem) target.dataset.problem = problem;
    el?.closest('.field')?.classList.add('invalid');
    (el?.closest('.field')?.querySelector('input, select, textarea') ?? target).scrollIntoView?.({ block: 'center' });
  }

  // A problem from the server: beside the field its detail names first ("payee is longer..."),
  // else the field its type is about, else under the form.
  showProblem(err, slugFields) {
    const named = /^([a-z_]+)\b/.exec(err.detail ?? '')?.[1];
    const fieldNames = [...this.form.querySelectorAll('[data-error-for]')].map((el) => el.dataset.errorFor);
    const name = fieldNames.includes(named) ? named : slugFields[err.type];
    this.show(name, err.message, err.type ?? 'http-error');
    const target = name ? this.form.querySelector(`[data-error-for="${name}"]`) : this.general;
    if (target && err.detail) target.title = err.detail;
  }
}

// The amount field: typed in yuan, echoed as it will be recorded.
function amountField(name = 'amount') {
  const input = h('input', { name, type: 'text', inputmode: 'decimal', autocomplete: 'off', placeholder: '0.00', required: true });
  const echo = h('span', { class: 'note amount-echo', dataset: { echoFor: name } }, t('firm.amount.hint'));
  // While typing, the echo says what is wrong; a refusal shown on submit then goes, not to say it twice.
  input.addEventListener('input', () => {
    const error = input.closest('.field')?.querySelector('.field-error');
    if (error) {
      error.textContent = '';
      delete error.dataset.problem;
      input.closest('.field').classList.remove('invalid');
    }
    const r = parseYuan(input.value);
    echo.textContent = input.value.trim() === '' ? t('firm.amount.hint') : r.ok ? t('firm.amount.reads', { yuan: yuan(r.fen) }) : lang() === 'en' ? r.en : r.zh;
    echo.classList.toggle('bad', input.value.trim() !== '' && !r.ok);
  });
  return { input, el: field(name, t('firm.amount'), input, echo) };
}

function readAmount(form, errors, name = 'amount') {
  const r = parseYuan(form.elements[name].value);
  if (r.ok) return r.fen;
  errors.show(name, lang() === 'en' ? r.en : r.zh, `amount-${r.reason}`);
  return null;
}

function readText(form, errors, name, bytesMax, required) {
  const value = oneLine(form.elements[name].value);
  if (required && value === '') return errors.show(name, t('firm.required'), 'required'), null;
  if (utf8Bytes(value) > bytesMax) return errors.show(name, t('firm.too_long', { n: bytesMax, c: Math.floor(bytesMax / 3) }), 'too-long'), null;
  return value;
}

function readDate(form, errors, name) {
  const value = form.elements[name].value;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return errors.show(name, t('firm.required'), 'required'), null;
  if (value > cstDay()) return errors.show(name, t('firm.date.future'), 'date-future'), null;
  return value;
}

// One write from a form: a key per form, kept across a lost answer (the retry replays), renewed
// after a refusal (nothing was written, and the corrected request is another one).
class Submission {
  constructor(kind, button) {
    this.kind = kind;
    this.button = button;
    this.key = newIdempotencyKey(kind);
    this.busy = false;
  }

  async post(api, path, body) {
    if (this.busy) return null;
    this.busy = true;
    const text = this.button.textContent;
    this.button.disabled = true;
    this.button.textContent = t('firm.sending');
    try {
      return await api.post(path, { idempotency_key: this.key, ...body });
    } catch (err) {
      if (err instanceof ApiError && err.status < 500) this.key = newIdempotencyKey(this.kind);
      throw err;
    } finally {
      this.busy = false;
      this.button.disabled = false;
      this.button.textContent = text;
    }
  }
}

function doneBox(id, text, answer, ...more) {
  return h(
    'div',
    { class: 'done', id, role: 'status', dataset: { seq: answer.seq } },
    h('p', { class: 'flash' }, `✓ ${text}`),
    h('p', {}, t('firm.done.seq', { seq: answer.seq }), ' · ', t('firm.done.hash'), ' ', hashChip(base64ToHex(answer.leaf_hash))),
    ...more,
  );
}

// The confirmation is above the fresh form, where the person is not looking: bring it into view.
function seen(done) {
  done?.scrollIntoView?.({ block: 'start' });
}

function base64ToHex(b64) {
  return b64 ? bytesToHex(base64ToBytes(b64)) : '';
}

// ---- fee payments ----

async function renderPaymentTab(root, ctx) {
  const { api, community, units } = ctx;
  const billing = await api.get(communityPath(community, `/billing?period=${cstDay().slice(0, 7)}`));
  const accounts = new Map(billing.units.map((u) => [u.unit_id, u]));
  const show = (done) => {
    replace(root, done, section(`${t('firm.tab.payment')} · ${ctx.communityName}`, paymentForm(ctx, units, accounts, show)));
    seen(done);
  };
  show(null);
}

function paymentForm(ctx, units, accounts, show) {
  const { api, community } = ctx;
  let unit = null;
  let monthsTouched = false;
  const amount = amountField();
  const months = h('input', { name: 'months', type: 'number', min: 1, max: PAYMENT_MONTHS_MAX, step: 1, value: '1', inputmode: 'numeric', required: true, oninput: () => (monthsTouched = true) });
  const submit = h('button', { type: 'submit', class: 'big' }, t('firm.pay.submit'));
  const general = h('p', { class: 'form-error', role: 'alert', id: 'pay-error' });
  const confirmBox = h('div', { id: 'pay-confirm', class: 'confirm', hidden: true });
  const picker = unitPicker(units, accounts, (u) => {
    unit = u;
    suggestMonths();
  });
  const form = h(
    'form',
    { id: 'payment-form', class: 'stack entry-form', novalidate: true },
    picker.el,
    amount.el,
    h('div', { class: 'row2' }, field('period', t('firm.period'), h('input', { name: 'period', type: 'month', value: cstDay().slice(0, 7), required: true })), field('months', t('firm.months'), months)),
    h('div', { class: 'row2' }, field('paid_on', t('firm.paid_on'), dateInput('paid_on')), field('method', t('firm.method'), select('method', METHODS, (m) => t(`method.${m}`), 'wechat'))),
    field('receipt_ref', t('firm.receipt'), h('input', { name: 'receipt_ref', type: 'text', autocomplete: 'off' })),
    confirmBox,
    submit,
    general,
  );
  const errors = new FormErrors(form, general);
  const submission = new Submission('pay', submit);
  // The months a whole number of fees pays for, until the person sets Months themselves.
  function suggestMonths() {
    const r = parseYuan(amount.input.value);
    const fee = unit ? BigInt(accounts.get(unit.unit_id)?.monthly_fee ?? 0) : 0n;
    if (monthsTouched || !r.ok || fee <= 0n || BigInt(r.fen) % fee !== 0n) return;
    const k = BigInt(r.fen) / fee;
    if (k >= 1n && k <= BigInt(PAYMENT_MONTHS_MAX)) months.value = String(k);
  }
  amount.input.addEventListener('input', suggestMonths);
  // While the page asks, its two buttons are the only way on; any change asks afresh.
  const asking = (on) => {
    confirmBox.hidden = !on;
    submit.hidden = on;
  };
  form.addEventListener('input', () => asking(false));

  const read = () => {
    errors.clear();
    if (!unit) return errors.show('unit', t('firm.unit.required'), 'unit-required'), null;
    const fen = readAmount(form, errors);
    if (fen === null) return null;
    const period = form.elements.period.value;
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) return errors.show('period', t('firm.period.bad'), 'period-bad'), null;
    const m = Number(months.value);
    if (!Number.isInteger(m) || m < 1 || m > PAYMENT_MONTHS_MAX) return errors.show('months', t('firm.months.bad', { n: PAYMENT_MONTHS_MAX }), 'months-bad'), null;
    const paidOn = readDate(form, errors, 'paid_on');
    if (paidOn === null) return null;
    const receipt = readText(form, errors, 'receipt_ref', REF_BYTES_MAX, false);
    if (receipt === null) return null;
    return { unit_id: unit.unit_id, amount: fen, period, months: m, paid_on: paidOn, method: form.elements.method.value, receipt_ref: receipt };
  };

  const record = async (body) => {
    asking(false);
    try {
      const answer = await submission.post(api, communityPath(community, '/payments'), body);
      if (!answer) return;
      show(doneBox('payment-done', t('firm.done.payment', { unit: unitName(unit), amount: yuan(body.amount) }), answer));
      ctx.refreshRecent();
    } catch (err) {
      errors.showProblem(err, PAYMENT_PROBLEM_FIELDS);
    }
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = read();
    if (!body) return;
    const doubts = paymentDoubts(body, accounts.get(body.unit_id));
    if (doubts.length === 0) return record(body);
    replace(
      confirmBox,
      h('h3', {}, t('firm.check.title')),
      h('ul', {}, doubts.map(([kind, text]) => h('li', { dataset: { doubt: kind } }, text))),
      h('div', { class: 'confirm-buttons' }, h('button', { type: 'button', class: 'big primary', id: 'pay-confirm-yes', onclick: () => record(body) }, t('firm.check.confirm')), h('button', { type: 'button', class: 'big', id: 'pay-confirm-no', onclick: () => (asking(false), amount.input.focus()) }, t('firm.check.back'))),
    );
    asking(true);
    confirmBox.scrollIntoView?.({ block: 'center' });
  });
  return form;
}

const PAYMENT_PROBLEM_FIELDS = {
  'bad-amount': 'amount',
  'unknown-unit': 'unit',
  'bad-period': 'period',
  'bad-month': 'period',
  'bad-date': 'paid_on',
  'duplicate-receipt': 'receipt_ref',
};

// Why a payment may be a typing mistake: not a whole number of monthly fees, a number of fees
// other than the months, more than the arrears plus a year ahead. Each is asked about, not refused:
// an odd amount can be right (a part payment, a fee changed mid-year).
function paymentDoubts(body, account) {
  if (!account) return [];
  const fen = BigInt(body.amount);
  const fee = BigInt(account.monthly_fee);
  const arrears = BigInt(account.arrears_to_date);
  const doubts = [];
  if (fee > 0n && fen % fee !== 0n) doubts.push(['odd', t('firm.check.odd', { amount: yuan(fen), fee: yuan(fee) })]);
  else if (fee > 0n && fen / fee !== BigInt(body.months)) doubts.push(['months', t('firm.check.months', { amount: yuan(fen), k: String(fen / fee), m: body.months })]);
  const limit = arrears + BigInt(PREPAY_MONTHS_USUAL) * fee;
  if (fee > 0n && fen > limit) doubts.push(['over', t('firm.check.over', { amount: yuan(fen), arrears: yuan(arrears), n: PREPAY_MONTHS_USUAL, limit: yuan(limit) })]);
  return doubts;
}

// People look a unit up by what is on the door ("1栋1单元101") or by its id; spaces, case and
// full-width digits do not matter.
function searchKey(text) {
  return String(text ?? '')
    .replace(/[\uff10-\uff19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 48))
    .replace(/[\s\u3000]+/g, '')
    .toLowerCase();
}

function matchUnits(units, query) {
  const q = searchKey(query);
  if (q === '') return [];
  const rank = (u) => {
    const keys = [searchKey(u.label), searchKey(u.unit_id)];
    if (keys.includes(q)) return 0;
    if (keys.some((k) => k.startsWith(q))) return 1;
    return keys.some((k) => k.includes(q)) ? 2 : -1;
  };
  return units
    .map((u) => [rank(u), u])
    .filter(([r]) => r >= 0)
    .sort((a, b) => a[0] - b[0] || (a[1].label || a[1].unit_id).localeCompare(b[1].label || b[1].unit_id, 'zh-CN', { numeric: true }))
    .map(([, u]) => u);
}

function unitPicker(units, accounts, onChoose) {
  const search = h('input', { id: 'unit-search', type: 'search', autocomplete: 'off', placeholder: t('firm.unit.search'), enterkeyhint: 'search' });
  const results = h('ul', { class: 'unit-results', id: 'unit-results' });
  const chosen = h('div', { class: 'unit-chosen', id: 'unit-chosen', hidden: true });
  const hint = h('span', {}, t('firm.unit.count', { n: units.length }));
  let matches = [];
  const choose = (u) => {
    const a = accounts.get(u.unit_id);
    search.value = '';
    replace(results);
    search.hidden = true;
    hint.hidden = true;
    replace(
      chosen,
      h('div', { class: 'unit-name', dataset: { unit: u.unit_id } }, unitName(u)),
      h('div', { class: 'cards' }, feeCard(t('firm.monthly_fee'), a?.monthly_fee, 'unit-fee'), feeCard(t('firm.arrears'), a?.arrears_to_date, 'unit-arrears')),
      h('button', { type: 'button', class: 'link', id: 'unit-change', onclick: () => ((chosen.hidden = true), (search.hidden = false), (hint.hidden = false), onChoose(null), search.focus()) }, t('firm.unit.change')),
    );
    chosen.hidden = false;
    onChoose(u);
  };
  search.addEventListener('input', () => {
    matches = matchUnits(units, search.value);
    const shown = matches.slice(0, UNIT_RESULTS_MAX);
    replace(
      results,
      shown.map((u) => h('li', {}, h('button', { type: 'button', class: 'unit-option', dataset: { unit: u.unit_id }, onclick: () => choose(u) }, unitName(u)))),
      search.value.trim() && matches.length === 0 ? h('li', { class: 'note' }, t('firm.unit.none')) : null,
      matches.length > shown.length ? h('li', { class: 'note' }, t('firm.unit.more', { n: matches.length - shown.length })) : null,
    );
  });
  // Enter in the search box picks the best match instead of sending the form.
  search.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    if (matches.length > 0) choose(matches[0]);
  });
  return { el: field('unit', t('firm.unit'), search, hint, results, chosen) };
}

function feeCard(label, fen, id) {
  return h('div', { class: 'card', id }, h('div', { class: 'label' }, label), fen === undefined ? h('div', {}, '—') : moneyCell(fen, 'div'));
}

// ---- disbursements ----

async function renderDisbursementTab(root, ctx) {
  const { proposals } = await ctx.api.get(communityPath(ctx.community, '/proposals'));
  const resolutions = proposals.filter((p) => p.status === 'passed' && p.fund === 'PUBLIC_REVENUE' && p.resolution_id);
  const show = (done) => {
    replace(root, done, section(`${t('firm.tab.disbursement')} · ${ctx.communityName}`, disbursementForm(ctx, resolutions, show)));
    seen(done);
  };
  show(null);
}

// The chosen file, read and hashed in the browser (@noble/hashes: no WebCrypto needed, so plain
// HTTP works too); null with the refusal shown when it cannot be a voucher. Null and nothing
// shown once stillChosen() is false: another file was picked while this one was read.
async function readVoucher(file, errors, stillChosen) {
  if (!file) return errors.show('voucher', t('firm.voucher.required'), 'voucher-required'), null;
  if (file.size > VOUCHER_BYTES_MAX) return errors.show('voucher', t('firm.voucher.too_large', { size: sizeText(file.size) }), 'voucher-too-large'), null;
  if (file.size === 0) return errors.show('voucher', t('firm.voucher.empty'), 'voucher-empty'), null;
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (!stillChosen()) return null;
  const type = voucherType(bytes);
  if (!type) return errors.show('voucher', t('firm.voucher.type'), 'bad-voucher-type'), null;
  return { bytes, type, sha256: bytesToHex(sha256(bytes)), name: file.name };
}

// What a resolution still allows, shown under the list (a phone cuts an option's text short).
function resolutionLeft(p) {
  const left = BigInt(p.amount) - BigInt(p.disbursed_under_resolution);
  return t('firm.resolution.left', { approved: yuan(p.amount), spent: yuan(p.disbursed_under_resolution), left: yuan(left) });
}

function disbursementForm(ctx, resolutions, show) {
  const { api, community } = ctx;
  const amount = amountField();
  const fund = select('fund', FUNDS, (f) => t(`fund.${f}`), 'FEES');
  const category = select('category', CATEGORIES, (c) => t(`cat.${c}`), 'CLEANING');
  const resolution = h('select', { name: 'resolution_id' });
  const resolutionField = field('resolution_id', t('firm.resolution'), resolution);
  const voucherInput = h('input', { name: 'voucher', type: 'file', accept: 'application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png' });
  const voucherInfo = h('span', { class: 'voucher-info', id: 'voucher-info' });
  const submit = h('button', { type: 'submit', class: 'big' }, t('firm.disb.submit'));
  const general = h('p', { class: 'form-error', role: 'alert', id: 'disb-error' });
  const form = h(
    'form',
    { id: 'disbursement-form', class: 'stack entry-form', novalidate: true },
    h('div', { class: 'row2' }, field('fund', t('firm.fund'), fund), field('category', t('firm.category'), category)),
    resolutionField,
    amount.el,
    field('payee', t('firm.payee'), h('input', { name: 'payee', type: 'text', autocomplete: 'off', required: true })),
    field('description', t('firm.description'), h('textarea', { name: 'description', rows: 2, required: true })),
    field('paid_on', t('firm.disbursed_on'), dateInput('paid_on')),
    field('voucher', t('firm.voucher'), voucherInput, voucherInfo),
    submit,
    general,
  );
  const errors = new FormErrors(form, general);
  const submission = new Submission('disb', submit);
  let voucher = null;

  // Public revenue is spent only under a passed resolution; repairs only under a special one;
  // remuneration only from the fee fund.
  const usable = () => resolutions.filter((p) => category.value !== 'REPAIR' || p.matter === 'SPECIAL');
  const fit = () => {
    const publicRevenue = fund.value === 'PUBLIC_REVENUE';
    resolutionField.hidden = !publicRevenue;
    const remuneration = category.querySelector('option[value="REMUNERATION"]');
    remuneration.disabled = publicRevenue;
    if (publicRevenue && category.value === 'REMUNERATION') category.value = 'OTHER';
    const list = usable();
    const kept = resolution.value;
    replace(resolution, list.map((p) => h('option', { value: p.resolution_id, selected: p.resolution_id === kept }, `${p.title}（${p.resolution_id}）`)));
    resolution.hidden = list.length === 0;
    describe();
  };
  const describe = () => {
    const list = usable();
    const p = list.find((x) => x.resolution_id === resolution.value);
    resolutionField.querySelector('.field-hint')?.remove();
    const text = list.length === 0 ? (category.value === 'REPAIR' ? t('firm.resolution.none.repair') : t('firm.resolution.none')) : p ? resolutionLeft(p) : '';
    resolution.after(h('span', { class: 'note field-hint', id: 'resolution-left' }, text));
  };
  fund.addEventListener('change', fit);
  category.addEventListener('change', fit);
  resolution.addEventListener('change', describe);
  fit();

  voucherInput.addEventListener('change', async () => {
    voucher = null;
    errors.clear();
    replace(voucherInfo, t('firm.voucher.hashing'));
    const file = voucherInput.files[0];
    // Two files picked quickly: the last one's read decides, even when an earlier one ends later.
    const stillChosen = () => voucherInput.files[0] === file;
    const read = await readVoucher(file, errors, stillChosen);
    if (!stillChosen()) return;
    if (!read) return replace(voucherInfo);
    voucher = read;
    replace(voucherInfo, `${read.name} · ${sizeText(read.bytes.length)} · ${t('firm.voucher.ready')} `, hashChip(read.sha256));
    voucherInfo.dataset.sha256 = read.sha256;
  });

  const read = () => {
    errors.clear();
    const fen = readAmount(form, errors);
    if (fen === null) return null;
    const body = { fund: fund.value, category: category.value, amount: fen };
    if (fund.value === 'PUBLIC_REVENUE') {
      const p = usable().find((x) => x.resolution_id === resolution.value);
      if (!p) return errors.show('resolution_id', t('firm.resolution.required'), 'resolution-required'), null;
      if (BigInt(fen) > BigInt(p.amount) - BigInt(p.disbursed_under_resolution)) return errors.show('amount', problemText(lang(), 'resolution-exceeded'), 'resolution-exceeded'), null;
      body.resolution_id = p.resolution_id;
    }
    body.payee = readText(form, errors, 'payee', NAME_BYTES_MAX, true);
    if (body.payee === null) return null;
    body.description = readText(form, errors, 'description', COMMENT_BYTES_MAX, true);
    if (body.description === null) return null;
    body.paid_on = readDate(form, errors, 'paid_on');
    if (body.paid_on === null) return null;
    if (!voucher) return errors.show('voucher', t('firm.voucher.required'), 'voucher-required'), null;
    body.voucher_sha256 = voucher.sha256;
    return body;
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = read();
    if (!body) return;
    const kept = voucher;
    try {
      const answer = await submission.post(api, communityPath(community, '/disbursements'), body);
      if (!answer) return;
      const upload = h('div', { class: 'voucher-upload', id: 'voucher-upload', dataset: { state: 'uploading' } }, t('firm.voucher.uploading'));
      show(doneBox('disbursement-done', t('firm.done.disbursement', { payee: body.payee, amount: yuan(body.amount) }), answer, upload));
      ctx.refreshRecent();
      await uploadVoucher(api, kept, upload);
    } catch (err) {
      errors.showProblem(err, DISBURSEMENT_PROBLEM_FIELDS);
    }
  });
  return form;
}

const DISBURSEMENT_PROBLEM_FIELDS = {
  'bad-amount': 'amount',
  'insufficient-funds': 'amount',
  'remuneration-cap': 'amount',
  'resolution-exceeded': 'amount',
  'unknown-resolution': 'resolution_id',
  'resolution-not-passed': 'resolution_id',
  'resolution-matter': 'resolution_id',
  'bad-date': 'paid_on',
  'bad-voucher': 'voucher',
};

// PUT /v1/vouchers/{sha256} with the file's bytes; on a refusal or a lost answer the entry stays
// recorded, and the person can send the same bytes again.
async function uploadVoucher(api, voucher, box) {
  box.dataset.state = 'uploading';
  replace(box, t('firm.voucher.uploading'));
  try {
    await api.sendBytes('PUT', `/v1/vouchers/${voucher.sha256}`, voucher.bytes, voucher.type);
    box.dataset.state = 'uploaded';
    replace(box, h('p', { class: 'flash' }, `✓ ${t('firm.voucher.uploaded', { size: sizeText(voucher.bytes.length) })}`));
  } catch (err) {
    box.dataset.state = 'failed';
    if (err.type) box.dataset.problem = err.type;
    replace(
      box,
      h('p', { class: 'form-error', title: err.detail ?? '' }, t('firm.voucher.failed', { reason: err.message })),
      h('button', { type: 'button', class: 'big', id: 'voucher-retry', onclick: () => uploadVoucher(api, voucher, box) }, t('firm.voucher.retry')),
    );
  }
}

// ---- public revenue ----

async function renderRevenueTab(root, ctx) {
  const show = (done) => {
    replace(root, done, section(`${t('firm.tab.revenue')} · ${ctx.communityName}`, revenueForm(ctx, show)));
    seen(done);
  };
  show(null);
}

function revenueForm(ctx, show) {
  const { api, community } = ctx;
  const amount = amountField();
  const submit = h('button', { type: 'submit', class: 'big' }, t('firm.rev.submit'));
  const general = h('p', { class: 'form-error', role: 'alert', id: 'rev-error' });
  const form = h(
    'form',
    { id: 'revenue-form', class: 'stack entry-form', novalidate: true },
    field('source', t('firm.source'), select('source', SOURCES, (s) => t(`src.${s}`), 'parking')),
    amount.el,
    field('payer', t('firm.payer'), h('input', { name: 'payer', type: 'text', autocomplete: 'off', required: true })),
    field('received_on', t('firm.received_on'), dateInput('received_on')),
    field('contract_ref', t('firm.contract'), h('input', { name: 'contract_ref', type: 'text', autocomplete: 'off' })),
    submit,
    general,
  );
  const errors = new FormErrors(form, general);
  const submission = new Submission('rev', submit);
  const read = () => {
    errors.clear();
    const fen = readAmount(form, errors);
    if (fen === null) return null;
    const body = { source: form.elements.source.value, amount: fen };
    body.payer = readText(form, errors, 'payer', NAME_BYTES_MAX, true);
    if (body.payer === null) return null;
    body.received_on = readDate(form, errors, 'received_on');
    if (body.received_on === null) return null;
    body.contract_ref = readText(form, errors, 'contract_ref', REF_BYTES_MAX, false);
    return body.contract_ref === null ? null : body;
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = read();
    if (!body) return;
    try {
      const answer = await submission.post(api, communityPath(community, '/public-revenue'), body);
      if (!answer) return;
      show(doneBox('revenue-done', t('firm.done.revenue', { payer: body.payer, amount: yuan(body.amount) }), answer));
      ctx.refreshRecent();
    } catch (err) {
      errors.showProblem(err, { 'bad-amount': 'amount', 'bad-date': 'received_on' });
    }
  });
  return form;
}

// ---- the community's last entries ----

// The last RECENT_ENTRIES of the community from GET /v1/entries (which pages forward from
// after_seq): look back from the head over a window that grows until enough are found.
async function lastEntries(api, community) {
  const checkpoint = await api.getText('/v1/checkpoint');
  const treeSize = BigInt(checkpoint.split('\n')[1]);
  let window = BigInt(RECENT_WINDOW_FIRST);
  for (let step = 0; ; step += 1) {
    const from = treeSize > window ? treeSize - window : null;
    let found = [];
    let after = from === null ? null : from - 1n;
    for (;;) {
      const query = `community=${enc(community)}&limit=${ENTRIES_PAGE_MAX}${after === null ? '' : `&after_seq=${after}`}`;
      const page = await api.get(`/v1/entries?${query}`);
      found = found.concat(page.entries).slice(-RECENT_ENTRIES);
      if (page.entries.length < ENTRIES_PAGE_MAX) break;
      after = BigInt(page.entries.at(-1).seq);
    }
    if (found.length >= RECENT_ENTRIES || from === null || step >= RECENT_WINDOW_STEPS_MAX) return found.reverse();
    window *= 4n;
  }
}

const MONEY_KINDS = ['fee_payment', 'disbursement', 'public_revenue'];

function entryKind(entry) {
  return ['fee_payment', 'disbursement', 'public_revenue', 'evaluation', 'proposal', 'ballot', 'proposal_close', 'reversal', 'units', 'community', 'firm'].find((k) => entry[k] !== undefined) ?? 'other';
}

function entryRow(e, labels) {
  const x = e.entry;
  const kind = entryKind(x);
  const body = x[kind] ?? {};
  const date = body.paid_on ?? body.received_on ?? cstDay(0, Number(x.recorded_at_ms));
  const summaries = {
    fee_payment: () => `${labels.get(body.unit_id) ?? body.unit_id} · ${body.period} · ${t('firm.months.n', { n: body.months })} · ${t(`method.${body.method}`)}${body.receipt_ref ? ` · ${body.receipt_ref}` : ''}`,
    disbursement: () => `${t(`fund.${body.fund}`)} · ${t(`cat.${body.category}`)} · ${body.payee} · ${body.description}`,
    public_revenue: () => `${t(`src.${body.source}`)} · ${body.payer}${body.contract_ref ? ` · ${body.contract_ref}` : ''}`,
    reversal: () => t('firm.reversal.of', { seq: body.target_seq }),
    proposal: () => body.title,
    ballot: () => body.proposal_id,
    proposal_close: () => body.resolution_id || body.proposal_id,
  };
  return h(
    'tr',
    { dataset: { seq: e.seq, kind } },
    h('td', {}, e.seq),
    h('td', {}, t(`kind.${kind}`)),
    h('td', {}, date),
    MONEY_KINDS.includes(kind) ? moneyCell(body.amount) : h('td', {}, ''),
    h('td', { class: 'summary' }, summaries[kind]?.() ?? ''),
    h('td', {}, hashChip(base64ToHex(e.leaf_hash))),
  );
}

async function showRecent(api, community, units, el) {
  replace(el, loading());
  try {
    const entries = await lastEntries(api, community);
    const labels = new Map(units.map((u) => [u.unit_id, u.label || u.unit_id]));
    replace(
      el,
      section(
        t('firm.recent', { n: RECENT_ENTRIES }),
        entries.length === 0
          ? h('p', {}, t('firm.recent.none'))
          : table([t('seq'), t('firm.kind'), t('date'), t('amount'), t('firm.summary'), t('firm.hash')], entries.map((e) => entryRow(e, labels)), { id: 'recent-entries' }),
      ),
    );
  } catch (err) {
    replace(el, errorBox(err));
  }
}
