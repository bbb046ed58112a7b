// The owner's page: where my fee went in a period (chart and table), the spending items with
// their vouchers, my payments each checked in this browser against the signed checkpoint, the
// rating form for payments not yet rated, and the open votes of my community. A spending item's
// voucher file opens from its row, hashed in this browser against the ledger's voucher_sha256.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { communityPath, enc } from '../api.js';
import { fenToYuan, pieChart } from '../charts.js';
import { foldable, h, replace, section, table } from '../dom.js';
import { addMessages, percentOf, squareMetres, t, yuan } from '../i18n.js';
import { base64ToBytes, openCheckpoint, verifyInclusion, verifyPaymentLeaf, VerifyError } from '../verify.js';
import { voucherType } from '../voucher_type.js';
import { errorBox, hashChip, moneyCell, showCheck, trustedLogKey } from './common.js';

const SCORE_DIMENSIONS = ['cleaning', 'security', 'greenery', 'repair', 'service'];
const SCORE_MAX = 5;
const COMMENT_BYTES_MAX = 1000;
const CHOICES = ['YES', 'NO', 'ABSTAIN'];

addMessages(
  {
    'voucher.open': '查看凭证',
    'voucher.checking': '正在取回凭证并核对…',
    'voucher.match': '凭证与账本记录一致 ✓',
    'voucher.mismatch': '✗ 凭证与账本记录不一致：取回的文件指纹是 {got}，账本记录的是 {want}。文件不予打开；请截图保存此页，并告知业委会。',
    'voucher.bad_type': '✗ 取回的文件不是 PDF、JPEG 或 PNG 凭证，不予打开。请截图保存此页，并告知业委会。',
    'voucher.missing': '物业尚未上传凭证',
    'voucher.file': '打开凭证文件',
    'voucher.file.pdf': '打开凭证文件（PDF）',
    'voucher.image': '凭证图片',
  },
  {
    'voucher.open': 'View voucher',
    'voucher.checking': 'Fetching and checking the voucher…',
    'voucher.match': 'The voucher matches the ledger’s record ✓',
    'voucher.mismatch': '✗ The voucher does not match the ledger’s record: the file’s fingerprint is {got}, the ledger records {want}. The file is not opened; please take a screenshot of this page and tell the owners’ committee.',
    'voucher.bad_type': '✗ The file fetched is not a PDF, JPEG or PNG voucher, so it is not opened. Please take a screenshot of this page and tell the owners’ committee.',
    'voucher.missing': 'The property firm has not uploaded this voucher yet',
    'voucher.file': 'Open the voucher file',
    'voucher.file.pdf': 'Open the voucher file (PDF)',
    'voucher.image': 'Voucher image',
  },
);

export async function renderOwner(root, { api, session, period, rerender, flash }) {
  const { community, unit } = session;
  const account = await api.get(communityPath(community, `/units/${enc(unit)}/account?period=${enc(period)}`));
  const payments = paymentsTable(account);
  const proposals = h('div', { id: 'proposals' });
  const [where, drawChart] = whereMyFeeWent(account);
  // The first screen answers what I owe, what I paid and where it went; the long lists open on a tap.
  replace(
    root,
    flash ? h('p', { class: 'flash', id: 'flash', role: 'status' }, flash) : null,
    summary(account),
    where,
    section(t('owner.proposals'), proposals),
    foldable(t('owner.payments'), t('owner.count', { n: account.payments.length }), payments.el),
    foldable(t('owner.items'), t('owner.count', { n: account.spending_items.length }), itemsTable(api, account)),
    evaluationForm(api, account, rerender),
    checkpointSection(account, payments.checkpointStatus),
  );
  drawChart();
  await Promise.all([checkPayments(api, account, payments), showProposals(api, session, proposals)]);
}

function summary(a) {
  const card = (label, fen, id) => h('div', { class: 'card', id }, h('div', { class: 'label' }, label), moneyCell(fen, 'div'));
  return section(
    `${t('owner.summary')} · ${a.community_id} ${a.unit_id} · ${squareMetres(a.area_centi_m2)} ㎡ · ${a.period}`,
    h(
      'div',
      { class: 'cards' },
      card(t('owner.monthly_fee'), a.monthly_fee, 'monthly-fee'),
      card(t('owner.billed'), a.billed, 'billed'),
      card(t('owner.paid'), a.paid, 'paid'),
      card(t('owner.owed'), a.owed, 'owed'),
      card(t('owner.arrears'), a.arrears_to_date, 'arrears'),
    ),
  );
}

function whereMyFeeWent(a) {
  const rows = a.shares.map((s) =>
    h('tr', { dataset: { category: s.category } }, h('td', {}, t(`cat.${s.category}`)), moneyCell(s.spent), moneyCell(s.share), h('td', {}, percentOf(s.share, a.paid))),
  );
  rows.push(h('tr', { dataset: { category: 'UNSPENT' } }, h('td', {}, t('owner.unspent')), h('td', {}, ''), moneyCell(a.unspent), h('td', {}, percentOf(a.unspent, a.paid))));
  rows.push(h('tr', { class: 'total' }, h('td', {}, t('owner.total')), moneyCell(a.community_spent), moneyCell(a.paid), h('td', {}, '')));
  const chart = h('div', { class: 'chart', id: 'shares-chart' });
  const slices = [...a.shares.map((s) => ({ name: t(`cat.${s.category}`), value: fenToYuan(s.share) })), { name: t('owner.unspent'), value: fenToYuan(a.unspent) }];
  const draw = () => pieChart(chart, slices, (v) => `¥${v}`);
  const el = section(
    t('owner.where'),
    h('p', { class: 'note' }, t('owner.where.note')),
    h('div', { class: 'split' }, chart, table([t('owner.category'), t('owner.community_spent'), t('owner.my_share'), t('owner.percent')], rows, { id: 'shares' })),
  );
  return [el, draw];
}

function itemsTable(api, a) {
  const rows = a.spending_items.map((i) =>
    h('tr', { dataset: { seq: i.seq } }, h('td', {}, i.paid_on), h('td', {}, t(`cat.${i.category}`)), h('td', {}, i.payee), h('td', {}, i.description), moneyCell(i.amount), voucherCell(api, i.voucher_sha256)),
  );
  return table([t('date'), t('owner.category'), t('payee'), t('description'), t('amount'), t('voucher')], rows, { id: 'items' });
}

function voucherCell(api, sha) {
  if (!sha) return h('td', {}, hashChip(sha));
  const out = h('div', { class: 'voucher-check', dataset: { voucher: 'idle' }, 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'voucher-open' }, t('voucher.open'));
  button.addEventListener('click', () => openVoucher(api, sha, out, button));
  // One child for the cell: on a phone the cell is a "label: value" line, and this its value.
  return h('td', { class: 'voucher' }, h('div', { class: 'voucher-cell' }, h('span', {}, hashChip(sha), ' ', button), out));
}

// Fetches the voucher with the owner's token and hashes its bytes here (@noble/hashes: plain HTTP
// works too): only a file whose SHA-256 is the ledger's voucher_sha256 is shown and opened. A
// voucher not uploaded yet is said plainly, not as a failure.
async function openVoucher(api, sha, out, button) {
  button.disabled = true;
  out.dataset.voucher = 'pending';
  replace(out, t('voucher.checking'));
  if (out.objectUrl) URL.revokeObjectURL(out.objectUrl);
  try {
    const { bytes } = await api.getBytes(`/v1/vouchers/${enc(sha)}`);
    const got = bytesToHex(sha256(bytes));
    if (got !== sha) {
      out.dataset.voucher = 'mismatch';
      return replace(out, h('span', { class: 'voucher-failed' }, t('voucher.mismatch', { got, want: sha })));
    }
    const type = voucherType(bytes); // by its first bytes, whatever the answer's Content-Type says
    if (!type) {
      out.dataset.voucher = 'bad-type';
      return replace(out, h('span', { class: 'voucher-failed' }, t('voucher.bad_type')));
    }
    out.dataset.voucher = 'match';
    out.objectUrl = URL.createObjectURL(new Blob([bytes], { type }));
    const image = type.startsWith('image/');
    replace(
      out,
      h('span', { class: 'voucher-match' }, t('voucher.match')),
      image ? h('img', { class: 'voucher-image', src: out.objectUrl, alt: t('voucher.image') }) : null,
      h('a', { class: 'voucher-file', href: out.objectUrl, target: '_blank' }, image ? t('voucher.file') : t('voucher.file.pdf')),
    );
  } catch (err) {
    const missing = err.status === 404;
    out.dataset.voucher = missing ? 'missing' : 'error';
    replace(out, missing ? h('span', { class: 'note' }, t('voucher.missing')) : errorBox(err));
  } finally {
    button.disabled = false;
  }
}

function paymentsTable(a) {
  const proofCells = new Map();
  const rows = a.payments.map((p) => {
    const proof = h('td', { class: 'proof', dataset: { proof: 'pending' } }, t('proof.pending'));
    proofCells.set(p.seq, proof);
    return h('tr', { dataset: { paymentSeq: p.seq } }, h('td', {}, p.seq), h('td', {}, p.period), h('td', {}, String(p.months)), h('td', {}, p.paid_on), moneyCell(p.amount), h('td', {}, p.receipt_ref), h('td', {}, p.evaluated ? t('yes') : t('no')), proof);
  });
  const el = table([t('seq'), t('period.paid'), t('months'), t('paid_on'), t('amount'), t('receipt'), t('evaluated'), t('proof')], rows, { id: 'payments' });
  return { el, proofCells, checkpointStatus: h('span', { class: 'proof', dataset: { proof: 'pending' } }, t('proof.pending')) };
}

const showResult = showCheck;

// Each payment is verified only when every step holds: the checkpoint's signature under the log
// key, its size equal to the proofs' tree size, the audit path from the leaf to its root, and the
// stored entry bytes hashing to that leaf and saying what the page shows.
async function checkPayments(api, account, { proofCells, checkpointStatus }) {
  let checkpoint;
  try {
    const logKey = await trustedLogKey(api);
    checkpoint = await openCheckpoint(account.checkpoint, logKey, logKey.origin);
    if (checkpoint.treeSize !== BigInt(account.tree_size)) {
      throw new VerifyError('tree-size', `proofs at ${account.tree_size}, checkpoint at ${checkpoint.treeSize}`);
    }
    showResult(checkpointStatus, null);
  } catch (err) {
    showResult(checkpointStatus, err);
    proofCells.forEach((cell) => showResult(cell, err));
    return;
  }
  await Promise.all(
    account.payments.map(async (p) => {
      try {
        await checkPayment(api, account, p, checkpoint);
        showResult(proofCells.get(p.seq), null);
      } catch (err) {
        showResult(proofCells.get(p.seq), err);
      }
    }),
  );
}

async function checkPayment(api, account, p, checkpoint) {
  if (p.leaf_index !== p.seq) throw new VerifyError('bad-proof', `leaf ${p.leaf_index} for seq ${p.seq}`);
  const leafHash = base64ToBytes(p.leaf_hash);
  await verifyInclusion(BigInt(p.leaf_index), checkpoint.treeSize, leafHash, p.audit_path, checkpoint.rootHash);
  const entry = await api.get(`/v1/entries/${enc(p.seq)}`);
  const shown = { ...p, community_id: account.community_id, unit_id: account.unit_id };
  await verifyPaymentLeaf(base64ToBytes(entry.leaf_bytes), leafHash, shown);
}

function checkpointSection(a, status) {
  const [origin, size, root] = a.checkpoint.split('\n');
  return foldable(
    t('owner.checkpoint'),
    h('span', { id: 'checkpoint-status' }, status),
    h(
      'dl',
      { class: 'checkpoint' },
      h('dt', {}, t('checkpoint.origin')), h('dd', {}, origin),
      h('dt', {}, t('checkpoint.size')), h('dd', {}, size),
      h('dt', {}, t('checkpoint.root')), h('dd', {}, hashChip(root)),
    ),
    h('pre', { class: 'note-text' }, a.checkpoint),
  );
}

function scoreSelect(dimension) {
  const options = Array.from({ length: SCORE_MAX }, (_, k) => h('option', { value: String(SCORE_MAX - k) }, '★'.repeat(SCORE_MAX - k)));
  return h('label', {}, `${t(`score.${dimension}`)} `, h('select', { name: dimension, required: true }, h('option', { value: '' }, '—'), options));
}

function evaluationForm(api, account, rerender) {
  const open = account.payments.filter((p) => !p.evaluated);
  if (open.length === 0) return section(t('owner.evaluate'), h('p', {}, t('owner.evaluate.none')));
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h(
    'form',
    { id: 'evaluation-form', class: 'stack' },
    h('label', {}, `${t('owner.evaluate.payment')} `, h('select', { name: 'payment_seq' }, open.map((p) => h('option', { value: p.seq }, `#${p.seq} · ${p.period} · ${yuan(p.amount)}`)))),
    h('div', { class: 'scores' }, SCORE_DIMENSIONS.map(scoreSelect)),
    h('label', {}, t('owner.evaluate.comment'), h('textarea', { name: 'comment', rows: 2 })),
    h('button', { type: 'submit' }, t('owner.evaluate.submit')),
    error,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = new FormData(form);
    // The ledger takes no control characters in text (bad-text): line breaks typed here become spaces.
    const comment = String(data.get('comment') ?? '').replace(/[\t\r\n]+/g, ' ').trim();
    if (new TextEncoder().encode(comment).length > COMMENT_BYTES_MAX) return (error.textContent = `> ${COMMENT_BYTES_MAX} bytes`);
    const seq = String(data.get('payment_seq'));
    const scores = Object.fromEntries(SCORE_DIMENSIONS.map((d) => [d, Number(data.get(d))]));
    try {
      // One rating per payment: the key is the payment's, so a repeated click records nothing twice.
      const answer = await api.post(communityPath(account.community_id, '/evaluations'), { idempotency_key: `portal-eval-${seq}`, payment_seq: seq, scores, comment });
      rerender(t('owner.evaluate.done', { seq: answer.seq }));
    } catch (err) {
      error.textContent = err.message;
    }
  });
  return section(t('owner.evaluate'), form);
}

// Every proposal of the community in one read (open ones with a ballot and the live tally, closed
// ones with their result): what is fetched does not grow with the log.
async function showProposals(api, session, el) {
  try {
    const { proposals } = await api.get(communityPath(session.community, '/proposals'));
    const open = proposals.filter((p) => p.status === 'open');
    const closed = proposals.filter((p) => p.status !== 'open');
    replace(
      el,
      open.length === 0 ? h('p', {}, t('owner.proposals.none')) : open.map((p) => proposalCard(api, session, p)),
      closed.length === 0 ? null : h('details', { id: 'closed-proposals' }, h('summary', {}, t('owner.proposals.closed.count', { n: closed.length })), closed.map(closedCard)),
    );
  } catch (err) {
    replace(el, errorBox(err));
  }
}

function closedCard(p) {
  return h(
    'article',
    { class: 'proposal', dataset: { proposal: p.proposal_id, status: p.status } },
    h('h3', {}, `${p.title} · ${t(`proposal.status.${p.status}`)}`),
    h('p', {}, `${t(`matter.${p.matter}`)} · ${t(`fund.${p.fund}`)} · ${yuan(p.amount)} · ${t('closes_on')} ${p.closes_on}`),
    tallyTable(p),
  );
}

function tallyTable(p) {
  const row = (choice) => [t(`choice.${choice}`), String(p.tally[`${choice.toLowerCase()}_units`]), squareMetres(p.tally[`${choice.toLowerCase()}_area_centi_m2`])];
  const x = p.tally;
  return h(
    'div',
    { class: 'tally' },
    table([' ', t('community.units'), '㎡'], CHOICES.map(row)),
    h('p', {}, t('tally.voted', { units: x.voted_units, eligible: x.eligible_units, area: squareMetres(x.voted_area_centi_m2), eligible_area: squareMetres(x.eligible_area_centi_m2) })),
    h('p', {}, `${t('tally.quorum')}: ${x.quorum_met ? t('yes') : t('no')} · ${t('tally.passed')}: ${x.passed ? t('yes') : t('no')}`),
  );
}

function proposalCard(api, session, p) {
  const tally = h('div', {}, tallyTable(p));
  const status = h('p', { class: 'flash', role: 'status' });
  const vote = async (choice) => {
    try {
      // A later ballot replaces an earlier one, so each ballot is a write of its own.
      const key = `portal-vote-${p.proposal_id}-${session.unit}-${Date.now()}`;
      const answer = await api.post(communityPath(session.community, `/proposals/${enc(p.proposal_id)}/votes`), { idempotency_key: key, unit_id: session.unit, choice });
      status.textContent = t('owner.vote.done', { choice: t(`choice.${choice}`), seq: answer.seq });
      replace(tally, tallyTable(await api.get(communityPath(session.community, `/proposals/${enc(p.proposal_id)}`))));
    } catch (err) {
      status.textContent = err.message;
    }
  };
  return h(
    'article',
    { class: 'proposal', dataset: { proposal: p.proposal_id, status: 'open' } },
    h('h3', {}, `${p.title} (${p.proposal_id})`),
    h('p', {}, `${t(`matter.${p.matter}`)} · ${t(`fund.${p.fund}`)} · ${yuan(p.amount)} · ${t('closes_on')} ${p.closes_on}`),
    tally,
    h('div', { class: 'ballot' }, CHOICES.map((c) => h('button', { type: 'button', dataset: { choice: c }, onclick: () => vote(c) }, t(`choice.${c}`)))),
    status,
  );
}
