// Money as people type it (yuan: "256.50", "¥1,234.56", "２５６。５") and as the API holds it (a
// string of whole fen: "25650"), both ways, exactly: BigInt and string arithmetic, never a float.
// No DOM and no i18n here, so node tests it as is (tests/web/money_test.mjs).
//
//   parseYuan('¥1,234.5')            // { ok: true, fen: '123450' }
//   parseYuan('12.345')              // { ok: false, reason: 'decimals', zh: '…', en: '…' }
//   parseYuan('0', { allowZero: true }) // { ok: true, fen: '0' }
//   fenToYuanText('25650')           // '256.50' (for an input field; i18n.js yuan() for display)

// The ledger's kAmountFenMax (ledger/domain/domain.h): ¥1,000,000,000.00 in one entry.
export const AMOUNT_FEN_MAX = 100_000_000_000n;
// Longer text than this is not an amount anyone types; refused before any arithmetic on it.
const YUAN_TEXT_CHARS_MAX = 40;
const FEN_PER_YUAN = 100n;

// What people type besides ASCII: full-width digits and signs (a Chinese IME's), the ideographic
// full stop for a decimal point, the yuan sign in both code points, a trailing 元, any spaces.
const FULL_WIDTH_DIGIT_ZERO = 0xff10;
const REPLACEMENTS = [
  [/[\uff10-\uff19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - FULL_WIDTH_DIGIT_ZERO + 48)],
  [/[\u3002\uff0e\uff61]/g, '.'], // 。 ． ｡
  [/[\uff0c\u3001]/g, ','], // ， 、
  [/[\uff0d\u2212\u2013\u2014]/g, '-'], // － − – —
  [/\uff0b/g, '+'],
  [/[\s\u3000]+/g, ''],
];

const REASONS = {
  empty: { zh: '请填写金额，例如 256.50。', en: 'Please enter an amount, e.g. 256.50.' },
  format: {
    zh: '金额格式不对。请只填数字，按元填写，最多两位小数，例如 256.50 或 1,234.56。',
    en: 'That is not an amount. Please type yuan in digits with at most two decimals, e.g. 256.50 or 1,234.56.',
  },
  negative: { zh: '金额不能为负数。冲销已登记的款项请用“冲销”，不要登记负数。', en: 'The amount cannot be negative. To undo an entry, reverse it; do not record a negative amount.' },
  decimals: { zh: '金额最多两位小数，例如 256.50。', en: 'An amount has at most two decimals, e.g. 256.50.' },
  zero: { zh: '金额须大于 ¥0.00。', en: 'The amount must be more than ¥0.00.' },
  'too-large': { zh: '金额太大：一笔最多 ¥1,000,000,000.00。请核对位数。', en: 'The amount is too large: at most ¥1,000,000,000.00 in one entry. Please check the digits.' },
};

function refuse(reason) {
  return { ok: false, reason, ...REASONS[reason] };
}

// The reasons parseYuan gives, each with its zh-CN and English text.
export const YUAN_REASONS = Object.freeze(Object.keys(REASONS));

export function yuanReasonText(lang, reason) {
  const r = REASONS[reason] ?? REASONS.format;
  return lang === 'en' ? r.en : r.zh;
}

// Text in yuan -> { ok: true, fen } or { ok: false, reason, zh, en }. Thousands separators must
// group by three ("1,234.56"; "12,34" is refused: a comma there is more likely a mistyped point).
export function parseYuan(text, { allowZero = false, maxFen = AMOUNT_FEN_MAX } = {}) {
  if (typeof text !== 'string') return refuse('empty');
  let s = text;
  if (s.length > YUAN_TEXT_CHARS_MAX) return refuse(/^[\s\d.,，。０-９]+$/.test(s) ? 'too-large' : 'format');
  for (const [pattern, replacement] of REPLACEMENTS) s = s.replace(pattern, replacement);
  s = s.replace(/^[¥\uffe5]/, '').replace(/元$/, '');
  if (s.startsWith('-') && s.length > 1) return refuse('negative');
  if (s === '') return refuse('empty');
  const m = /^(\d+|\d{1,3}(?:,\d{3})+)?(?:\.(\d*))?$/.exec(s);
  if (!m || (m[1] === undefined && !m[2])) return refuse('format');
  const whole = (m[1] ?? '0').replace(/,/g, '');
  const decimals = m[2] ?? '';
  if (decimals.length > 2) return refuse('decimals');
  const fen = BigInt(whole) * FEN_PER_YUAN + BigInt(decimals.padEnd(2, '0'));
  if (fen === 0n && !allowZero) return refuse('zero');
  if (fen > BigInt(maxFen)) return refuse('too-large');
  return { ok: true, fen: fen.toString() };
}

// "25650" -> "256.50": what an input field shows for an amount (no sign, no separators).
export function fenToYuanText(fen) {
  const v = BigInt(fen);
  const sign = v < 0n ? '-' : '';
  const a = v < 0n ? -v : v;
  return `${sign}${a / FEN_PER_YUAN}.${String(a % FEN_PER_YUAN).padStart(2, '0')}`;
}
