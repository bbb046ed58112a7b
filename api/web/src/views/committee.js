// The owners' committee's page: every proposal with its live turnout (households and floor area
// against the quorum of art. 278, as ledger/domain/tally.cpp counts it), the close button when the rules
// allow a close, and the form for a new proposal (amount typed in yuan, voting through a day from
// tomorrow on). The verdicts (quorum met, would pass) are the server's tally, never recomputed
// here; the percentages beside them are for reading only.
import { ApiError, communityPath, enc } from '../api.js';
import { h, replace, section } from '../dom.js';
import { addMessages, lang, t, yuan } from '../i18n.js';
import { parseYuan, yuanReasonText } from '../money.js';
import { problemText } from '../problems.js';
import { cstDay, errorBox, utf8Bytes } from './common.js';
import { newIdempotencyKey } from './firm.js';

// Quorum: 2/3 of the households and 2/3 of the area took part (tally.h).
const QUORUM = { num: 2n, den: 3n };
const TITLE_BYTES_MAX = 200; // kNameBytesMax (ledger/domain/domain.h): UTF-8 bytes, ~66 Chinese characters
const ID_SUFFIX_CHARS = 4; // P-20261207-K7QM: the random part of a new proposal's id
const ID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U to misread

addMessages(
  {
    'nav.committee': '业委会',
    'committee.proposals': '表决事项',
    'committee.none': '还没有表决事项。',
    'committee.new': '发起表决',
    'committee.title': '事项名称',
    'committee.title.hint': '例如：更换3栋电梯',
    'committee.matter': '事项类别',
    'committee.amount': '金额（元）',
    'committee.fund': '资金来源',
    'committee.closes_on': '投票截止日（当天仍可投票）',
    'committee.submit': '发起表决',
    'committee.created': '已发起表决“{title}”（编号 {id}），业主现在可以投票。',
    'committee.bad.title': '请填写事项名称（最多 {c} 个汉字或 {n} 个字母）。',
    'committee.bad.closes_on': '截止日最早为明天（{min}），请给业主留出投票时间。',
    'committee.status.open': '投票中',
    'committee.turnout': '已有 {units} 户投票，占总户数 {units_pct}，面积 {area_pct}：',
    'committee.quorum.met': '已达到法定参与门槛（户数和面积都达到三分之二）。',
    'committee.quorum.short': '尚未达到法定参与门槛：户数和面积都需达到三分之二，还差 {units} 户。',
    'committee.quorum.short.area': '尚未达到法定参与门槛：户数和面积都需达到三分之二（面积还不够）。',
    'committee.bar.units': '户数',
    'committee.bar.area': '面积',
    'committee.bar.quorum': '三分之二',
    'committee.yes': '同意 {units} 户（占投票户数 {units_pct}），面积占投票面积 {area_pct}。',
    'committee.verdict.pass': '按目前票数，表决将通过。',
    'committee.verdict.fail': '按目前票数，表决不会通过。',
    'committee.rule.ORDINARY': '一般事项：同意的户数和面积都须过投票的一半。',
    'committee.rule.SPECIAL': '特别事项：同意的户数和面积都须达到投票的四分之三。',
    'committee.close': '结束表决并记入账本',
    'committee.close.confirm': '确定结束表决“{title}”？结束后不能再投票，结果将记入账本。',
    'committee.closed.passed': '表决已结束：通过。决议编号 {resolution}。',
    'committee.closed.rejected': '表决已结束：未通过。',
    'committee.voting_through': '投票截止 {date}（北京时间，当天仍可投票）',
    'committee.amount.line': '{matter} · {fund} · 金额 {amount}',
  },
  {
    'nav.committee': 'Committee',
    'committee.proposals': 'Proposals',
    'committee.none': 'No proposals yet.',
    'committee.new': 'New proposal',
    'committee.title': 'Title',
    'committee.title.hint': 'e.g. Replace the lift of building 3',
    'committee.matter': 'Kind of matter',
    'committee.amount': 'Amount (yuan)',
    'committee.fund': 'Paid from',
    'committee.closes_on': 'Last day of voting (votes are taken all that day)',
    'committee.submit': 'Put to the vote',
    'committee.created': 'The vote on “{title}” ({id}) is open: owners can vote now.',
    'committee.bad.title': 'Please give the proposal a title (at most {n} letters or {c} Chinese characters).',
    'committee.bad.closes_on': 'Voting can end tomorrow ({min}) at the earliest: owners need time to vote.',
    'committee.status.open': 'voting',
    'committee.turnout': '{units} households have voted: {units_pct} of all households, {area_pct} of the area. ',
    'committee.quorum.met': 'The legal quorum is met (two thirds of the households and of the area).',
    'committee.quorum.short': 'The legal quorum is not met yet: two thirds of the households and of the area must vote; {units} more households are needed.',
    'committee.quorum.short.area': 'The legal quorum is not met yet: two thirds of the households and of the area must vote (the area is short).',
    'committee.bar.units': 'Households',
    'committee.bar.area': 'Area',
    'committee.bar.quorum': 'two thirds',
    'committee.yes': '{units} households said yes ({units_pct} of those voting), {area_pct} of the area voting.',
    'committee.verdict.pass': 'As the votes stand, the proposal would pass.',
    'committee.verdict.fail': 'As the votes stand, the proposal would not pass.',
    'committee.rule.ORDINARY': 'Ordinary matter: more than half of the voting households and area must say yes.',
    'committee.rule.SPECIAL': 'Special matter: three quarters of the voting households and area must say yes.',
    'committee.close': 'Close the vote and record it',
    'committee.close.confirm': 'Close the vote on “{title}”? No more votes are taken after it, and the result goes into the ledger.',
    'committee.closed.passed': 'The vote is closed: passed. Resolution {resolution}.',
    'committee.closed.rejected': 'The vote is closed: not passed.',
    'committee.voting_through': 'Voting through {date} (Beijing time, all that day)',
    'committee.amount.line': '{matter} · {fund} · amount {amount}',
  },
);

// part / whole as a whole percent, rounded down, exactly ("52%"); "—" when whole is 0.
function percent(part, whole) {
  const w = BigInt(whole);
  return w === 0n ? '—' : `${(BigInt(part) * 100n) / w}%`;
}

// The share for a bar's width, 0..100 (display only).
function width(part, whole) {
  const w = Number(whole);
  return w === 0 ? 0 : Math.min(100, (Number(part) * 100) / w);
}

// Households still needed for 2/3 of them (0 when met): ceil(2n/3) - voted.
function unitsShort(x) {
  const need = (BigInt(x.eligible_units) * QUORUM.num + QUORUM.den - 1n) / QUORUM.den;
  const short = need - BigInt(x.voted_units);
  return short > 0n ? short : 0n;
}

function bar(kind, part, whole) {
  const pct = percent(part, whole);
  return h(
    'div',
    { class: 'turnout-row', dataset: { bar: kind } },
    h('span', { class: 'turnout-label' }, t(`committee.bar.${kind}`)),
    h(
      'div',
      { class: 'turnout-bar', role: 'img', 'aria-label': `${t(`committee.bar.${kind}`)} ${pct}` },
      h('div', { class: 'turnout-fill', style: `width: ${width(part, whole).toFixed(2)}%` }),
      h('div', { class: 'turnout-quorum', title: t('committee.bar.quorum') }),
    ),
    h('span', { class: 'turnout-pct' }, pct),
  );
}

// The turnout in bars and plain words, and — while voting runs — how the votes stand.
function turnout(p) {
  const open = p.status === 'open';
  const x = p.tally;
  const quorum = x.quorum_met
    ? t('committee.quorum.met')
    : unitsShort(x) > 0n
      ? t('committee.quorum.short', { units: String(unitsShort(x)) })
      : t('committee.quorum.short.area');
  return h(
    'div',
    { class: 'turnout', dataset: { quorum: String(x.quorum_met), passed: String(x.passed) } },
    bar('units', x.voted_units, x.eligible_units),
    bar('area', x.voted_area_centi_m2, x.eligible_area_centi_m2),
    h(
      'p',
      { class: 'turnout-words' },
      t('committee.turnout', { units: x.voted_units, units_pct: percent(x.voted_units, x.eligible_units), area_pct: percent(x.voted_area_centi_m2, x.eligible_area_centi_m2) }),
      h('strong', {}, quorum),
    ),
    h('p', {}, t('committee.yes', { units: x.yes_units, units_pct: percent(x.yes_units, x.voted_units), area_pct: percent(x.yes_area_centi_m2, x.voted_area_centi_m2) }), ' ', open ? h('strong', {}, t(x.passed ? 'committee.verdict.pass' : 'committee.verdict.fail')) : null),
    h('p', { class: 'note' }, t(`committee.rule.${p.matter}`)),
  );
}

// Closing is allowed after the last voting day, or earlier once every household has voted
// (domain_rules.cpp); otherwise the page says why, in the words the server's refusal would get.
function closeControl(api, session, p, rerender) {
  const allowed = cstDay() > p.closes_on || p.tally.voted_units === p.tally.eligible_units;
  if (!allowed) return h('p', { class: 'note close-refusal', dataset: { problem: 'proposal-still-open' } }, problemText(lang(), 'proposal-still-open'));
  const status = h('p', { class: 'close-status', role: 'status' });
  const button = h('button', { type: 'button', class: 'close-proposal' }, t('committee.close'));
  button.addEventListener('click', async () => {
    if (!window.confirm(t('committee.close.confirm', { title: p.title }))) return;
    button.disabled = true;
    try {
      await api.post(communityPath(session.community, `/proposals/${enc(p.proposal_id)}/close`), { idempotency_key: `portal-close-${p.proposal_id}` });
      await rerender();
    } catch (err) {
      replace(status, errorBox(err));
      button.disabled = false;
    }
  });
  return h('div', { class: 'close' }, button, status);
}

function proposalCard(api, session, p, rerender) {
  const head = h('h3', {}, `${p.title} (${p.proposal_id}) · ${p.status === 'open' ? t('committee.status.open') : t(`proposal.status.${p.status}`)}`);
  const line = h('p', {}, t('committee.amount.line', { matter: t(`matter.${p.matter}`), fund: t(`fund.${p.fund}`), amount: yuan(p.amount) }), h('br'), t('committee.voting_through', { date: p.closes_on }));
  if (p.status !== 'open') {
    const result = p.status === 'passed' ? t('committee.closed.passed', { resolution: p.resolution_id }) : t('committee.closed.rejected');
    return h('article', { class: 'proposal', dataset: { proposal: p.proposal_id, status: p.status } }, head, line, turnout(p), h('p', { class: 'flash' }, result));
  }
  return h('article', { class: 'proposal', dataset: { proposal: p.proposal_id, status: 'open' } }, head, line, turnout(p), closeControl(api, session, p, rerender));
}

function select(name, label, options) {
  return h('label', {}, label, h('select', { name }, options.map(([value, text]) => h('option', { value }, text))));
}

// A new proposal's id: the day and four random characters, so that two members proposing on
// the same day (each page with its own list) do not pick the same id.
function newProposalId() {
  const random = new Uint8Array(ID_SUFFIX_CHARS);
  globalThis.crypto.getRandomValues(random);
  const suffix = Array.from(random, (b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('');
  return `P-${cstDay().replace(/-/g, '')}-${suffix}`;
}

function proposalForm(api, session, rerender) {
  const tomorrow = cstDay(1);
  const error = h('p', { class: 'form-error', role: 'alert', id: 'proposal-error' });
  const form = h(
    'form',
    { id: 'proposal-form', class: 'stack', novalidate: true },
    h('label', {}, t('committee.title'), h('input', { name: 'title', required: true, placeholder: t('committee.title.hint') })),
    select('matter', t('committee.matter'), ['ORDINARY', 'SPECIAL'].map((m) => [m, t(`matter.${m}`)])),
    h('label', {}, t('committee.amount'), h('input', { name: 'amount', inputmode: 'decimal', required: true, placeholder: '5000.00', autocomplete: 'off' })),
    select('fund', t('committee.fund'), ['PUBLIC_REVENUE', 'FEES'].map((f) => [f, t(`fund.${f}`)])),
    h('label', {}, t('committee.closes_on'), h('input', { name: 'closes_on', type: 'date', min: tomorrow, value: cstDay(14), required: true })),
    h('button', { type: 'submit' }, t('committee.submit')),
    error,
  );
  // One key per proposal as submitted: kept across a lost answer (the retry replays), renewed
  // after a refusal (nothing was written; the corrected form is another request). The id is kept
  // with it, and drawn again only when another proposal already has it.
  let key = newIdempotencyKey('proposal');
  let proposalId = newProposalId();
  let busy = false;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    delete error.dataset.problem;
    const data = Object.fromEntries(new FormData(form));
    const title = data.title.trim();
    const amount = parseYuan(data.amount);
    if (!title || utf8Bytes(title) > TITLE_BYTES_MAX) return (error.textContent = t('committee.bad.title', { n: TITLE_BYTES_MAX, c: Math.floor(TITLE_BYTES_MAX / 3) }));
    if (!amount.ok) return (error.textContent = yuanReasonText(lang(), amount.reason));
    if (!/^\d{4}-\d{2}-\d{2}$/.test(data.closes_on) || data.closes_on < tomorrow) return (error.textContent = t('committee.bad.closes_on', { min: tomorrow }));
    if (busy) return;
    busy = true;
    const body = { idempotency_key: key, proposal_id: proposalId, title, matter: data.matter, amount: amount.fen, fund: data.fund, closes_on: data.closes_on };
    try {
      await api.post(communityPath(session.community, '/proposals'), body);
      await rerender(t('committee.created', { title, id: body.proposal_id }));
    } catch (err) {
      if (err instanceof ApiError && err.status < 500) key = newIdempotencyKey('proposal');
      if (err.type === 'duplicate-proposal') proposalId = newProposalId();
      error.textContent = err.message;
      if (err.type) error.dataset.problem = err.type;
      error.title = err.detail ?? '';
    } finally {
      busy = false;
    }
  });
  return form;
}

export async function renderCommittee(root, { api, session, flash, rerender }) {
  const { proposals } = await api.get(communityPath(session.community, '/proposals'));
  // Open ones first, the latest closing first among the rest.
  const ordered = [...proposals.filter((p) => p.status === 'open'), ...proposals.filter((p) => p.status !== 'open').reverse()];
  replace(
    root,
    flash ? h('p', { class: 'flash', role: 'status', id: 'committee-flash' }, flash) : null,
    section(`${t('committee.proposals')} · ${session.communityName || session.community}`, h('div', { id: 'committee-proposals' }, ordered.length ? ordered.map((p) => proposalCard(api, session, p, rerender)) : h('p', {}, t('committee.none')))),
    section(t('committee.new'), proposalForm(api, session, rerender)),
  );
}
