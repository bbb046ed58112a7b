// What the notice's QR code opens on a resident's phone: #/check?c=&period=&size=&sha256=. The
// page fetches the community's statement for that period at that tree size, checks its Ed25519
// signature here in the browser (verify.js) and that it is the very statement the notice pinned
// (the SHA-256 of its RFC 8785 form), and says so in large words, with the figures to compare
// with the paper. Statements are read with a token, so a resident signs in first (main.js keeps
// this address through the sign-in).
import { communityPath, enc } from '../api.js';
import { h, replace } from '../dom.js';
import { addMessages, t, yuan } from '../i18n.js';
import { verifyStatement } from '../verify.js';
import { trustedLogKey, validPeriod } from './common.js';
import { statementPath } from './community.js';
import { periodWords, statementHash } from './notice.js';

const HASH_RE = /^[0-9a-f]{64}$/;
const SIZE_RE = /^(0|[1-9][0-9]{0,19})$/;

addMessages(
  {
    'check.title': '公示核验',
    'check.signin': '核验公示需要先登录：业主请输入邀请码（印在物业或业委会发给您的通知单上）。登录后会自动显示核验结果。',
    'check.ok': '核验通过',
    'check.ok.words': '这份公示与账本中签名的账目完全一致，签名有效。',
    'check.unsigned': '内容一致',
    'check.unsigned.words': '这份公示与账本中的账目一致；但本机浏览器经普通 HTTP 打开，无法核验签名。请用 https:// 地址再打开一次。',
    'check.changed': '与公示不一致',
    'check.changed.words': '账本中这一期的签名账目与公示上的不同。请不要以这份公示为准，并告知业委会或监管部门。',
    'check.bad': '核验失败',
    'check.bad.words': '账本给出的签名无效，账目可能被改动过。请截图保存此页，并告知业委会或监管部门。',
    'check.what': '{community}，{period}，检查点共 {size} 条记录',
    'check.figures': '请与公示上的数字对照：',
    'check.income': '收入合计',
    'check.spending': '支出合计',
    'check.closing': '{fund}期末余额',
    'check.rate': '物业费收缴率',
    'check.bad-link': '无法核验',
    'check.bad-link.words': '二维码内容不完整，无法核验。请重新扫描公示上的二维码。',
    'check.home': '打开明账首页',
  },
  {
    'check.title': 'Check a notice',
    'check.signin': 'Sign in first to check a notice: owners type the invitation code printed on the letter from the property firm or committee. The result shows right after.',
    'check.ok': 'Checked',
    'check.ok.words': 'This notice is exactly the statement signed in the ledger, and the signature is valid.',
    'check.unsigned': 'Same figures',
    'check.unsigned.words': 'This notice matches the ledger’s statement, but this page was opened over plain HTTP, where the browser cannot check signatures. Open it again with https://.',
    'check.changed': 'Not the same',
    'check.changed.words': 'The statement signed in the ledger for this period differs from the notice. Do not rely on the notice; tell the owners’ committee or the regulator.',
    'check.bad': 'Check failed',
    'check.bad.words': 'The ledger’s signature is not valid: the books may have been changed. Take a screenshot of this page and tell the owners’ committee or the regulator.',
    'check.what': '{community}, {period}, checkpoint of {size} entries',
    'check.figures': 'Compare with the figures on the notice:',
    'check.income': 'Total income',
    'check.spending': 'Total spending',
    'check.closing': '{fund} closing balance',
    'check.rate': 'Fee collection rate',
    'check.bad-link': 'Cannot check',
    'check.bad-link.words': 'The QR code is incomplete, so nothing can be checked. Please scan the code on the notice again.',
    'check.home': 'Open mingzhang',
  },
);

function verdict(kind, detail) {
  return h('div', { class: `check-verdict check-${kind}`, id: 'check-verdict', dataset: { check: kind }, title: detail ?? '' }, h('p', { class: 'check-big' }, `${kind === 'ok' ? '✓' : kind === 'unsigned' ? '≈' : '✗'} ${t(`check.${kind}`)}`), h('p', { class: 'check-words' }, t(`check.${kind}.words`)));
}

function figures(s) {
  const sum = (key) => s.funds.reduce((n, f) => n + BigInt(f[key]), 0n).toString();
  const line = (label, value, id) => h('li', { id }, `${label}：`, h('strong', {}, value));
  return h(
    'ul',
    { class: 'check-figures' },
    line(t('check.income'), yuan(sum('income')), 'check-income'),
    line(t('check.spending'), yuan(sum('disbursed')), 'check-spending'),
    s.funds.map((f) => line(t('check.closing', { fund: t(`fund.${f.fund}`) }), yuan(f.closing_balance), `check-closing-${f.fund}`)),
    line(t('check.rate'), `${(s.billing.collection_rate_bp / 100).toFixed(2)}%`, 'check-rate'),
  );
}

// The check's outcome: the statement is the pinned one (same tree size and hash) and its
// signature verifies; over plain http only the first can be known here.
async function outcome(api, signed, pinned) {
  const s = signed.statement;
  if (s.checkpoint.tree_size !== pinned.size || s.period !== pinned.period || s.community_id !== pinned.community || statementHash(s) !== pinned.sha256) {
    return verdict('changed', `sha256 ${statementHash(s)}, pinned ${pinned.sha256}`);
  }
  try {
    await verifyStatement(signed, await trustedLogKey(api));
    return verdict('ok');
  } catch (err) {
    return err.reason === 'no-webcrypto' ? verdict('unsigned', err.message) : verdict('bad', err.message);
  }
}

// The pinned community's name: from the account's own list when it is there, else the spending
// answer's (a regulator or a firm scanning another community's notice); never the signed-in
// account's own community, which may be another one.
async function communityName(api, session, pinned) {
  const own = session.communities?.find((c) => c.id === pinned.community)?.name;
  if (own) return own;
  try {
    const spending = await api.get(communityPath(pinned.community, `/spending?period=${enc(pinned.period)}`));
    return spending.community_name || pinned.community;
  } catch {
    return pinned.community; // the name is only a label: the check itself needs the statement
  }
}

export async function renderCheck(root, { api, session, params }) {
  const pinned = { community: params.get('c') ?? '', period: params.get('period') ?? '', size: params.get('size') ?? '', sha256: params.get('sha256') ?? '' };
  const home = h('p', {}, h('a', { href: '#/' }, t('check.home')));
  if (!pinned.community || !validPeriod(pinned.period) || !SIZE_RE.test(pinned.size) || !HASH_RE.test(pinned.sha256)) {
    return replace(root, h('div', { class: 'check' }, h('h1', {}, t('check.title')), verdict('bad-link'), home));
  }
  const [signed, name] = await Promise.all([api.get(statementPath(pinned.community, pinned.period, pinned.size)), communityName(api, session, pinned)]);
  const s = signed.statement;
  replace(
    root,
    h(
      'div',
      { class: 'check' },
      h('h1', {}, t('check.title')),
      h('p', { class: 'check-what' }, t('check.what', { community: name, period: periodWords(pinned.period).text, size: pinned.size })),
      await outcome(api, signed, pinned),
      h('p', {}, t('check.figures')),
      figures(s),
      home,
    ),
  );
}
