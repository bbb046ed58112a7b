// Pieces every view uses: the period form, money cells, error boxes, and the log key the
// browser trusts.
import { h } from '../dom.js';
import { t, yuan } from '../i18n.js';
import { parseVerifierKey, verifyStatement, VerifyError } from '../verify.js';

const PERIOD_RE = /^[0-9]{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/;
const PINNED_KEY_PREFIX = 'mingzhang.logkey.';
// China Standard Time, the ledger's clock: UTC+8 all year (no daylight saving).
const CST_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

// A day in China Standard Time, "YYYY-MM-DD", `days` after the day of nowMs (today).
export function cstDay(days = 0, nowMs = Date.now()) {
  return new Date(Number(nowMs) + CST_OFFSET_MS + days * DAY_MS).toISOString().slice(0, 10);
}

// "2026-12-07 14:51" in Beijing time.
export function cstTime(ms) {
  return new Date(Number(ms) + CST_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

// What the ledger's byte limits (kNameBytesMax…) count: UTF-8 bytes, 3 for most Chinese characters.
export function utf8Bytes(text) {
  return new TextEncoder().encode(text).length;
}

export function validPeriod(text) {
  return PERIOD_RE.test(text);
}

export function currentYear() {
  return String(new Date().getFullYear());
}

// A form with a period field; onSubmit(period) runs only for a well-formed period.
export function periodForm(value, onSubmit, ...extraFields) {
  const input = h('input', { name: 'period', value, required: true, placeholder: t('period.hint'), size: 10 });
  const error = h('span', { class: 'form-error', role: 'alert' });
  return h(
    'form',
    {
      class: 'period-form',
      onsubmit: (e) => {
        e.preventDefault();
        const period = input.value.trim();
        if (!validPeriod(period)) return (error.textContent = t('period.bad'));
        error.textContent = '';
        onSubmit(period);
      },
    },
    h('label', {}, `${t('period')} `, input),
    ...extraFields,
    h('button', { type: 'submit' }, t('show')),
    error,
  );
}

// A cell with an exact amount: the text for people, data-fen for machines.
export function moneyCell(fen, tag = 'td') {
  return h(tag, { class: 'money', dataset: { fen: String(fen) } }, yuan(fen));
}

export function errorBox(err) {
  return h('div', { class: 'error', role: 'alert', title: err.detail ?? '', dataset: { problem: err.type ?? '' } }, `${t('error')}: ${err.message}`);
}

// A hash shortened to its first 8 and last 4 characters, as people compare it by eye.
export function shortHash(hash) {
  return hash.length > 16 ? `${hash.slice(0, 8)}…${hash.slice(-4)}` : hash;
}

// A hash shortened (shortHash; the whole in its title and data-hash), with a button that copies
// the whole.
export function hashChip(hash) {
  if (!hash) return h('span', { class: 'note' }, t('none'));
  const shown = shortHash(hash);
  const button = h('button', { type: 'button', class: 'copy' }, t('copy'));
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(hash);
      button.textContent = t('copied');
    } catch {
      window.prompt(t('copy'), hash); // no clipboard over plain http: the person copies it by hand
    }
  });
  return h('span', { class: 'hash-chip' }, h('code', { class: 'hash', title: hash, dataset: { hash } }, shown), button);
}

// How a check's outcome is shown: verified, failed with the reason, or — where the browser cannot
// check at all (plain http: WebCrypto exists only on secure pages) — neither, said neutrally.
export function showCheck(el, err) {
  if (err?.reason === 'no-webcrypto') {
    el.dataset.proof = 'unchecked';
    el.textContent = t('proof.unchecked');
    el.title = t('proof.unchecked.why');
    return;
  }
  el.dataset.proof = err ? 'failed' : 'verified';
  el.textContent = err ? `✗ ${t('proof.failed')}: ${t(`fail.${err.reason ?? 'fetch'}`)}` : `✓ ${t('proof.verified')}`;
  el.title = err ? err.message : '';
}

export function loading() {
  return h('p', { class: 'loading' }, t('loading'));
}

// The log key from /v1/keys, remembered per log origin on first use (in this browser): a later
// visit that is served another key is refused rather than trusted.
export async function trustedLogKey(api) {
  const keys = await api.get('/v1/keys');
  const pinned = localStorage.getItem(PINNED_KEY_PREFIX + keys.origin);
  if (pinned !== null && pinned !== keys.verifier_key) {
    throw new VerifyError('key-changed', `remembered ${pinned}, served ${keys.verifier_key}`);
  }
  const logKey = await parseVerifierKey(keys.verifier_key);
  localStorage.setItem(PINNED_KEY_PREFIX + keys.origin, keys.verifier_key);
  return { ...logKey, origin: keys.origin, pem: keys.public_key_pem };
}

// "2026-03" -> 24315 (months since year 0) and back.
const monthIndex = (text) => Number(text.slice(0, 4)) * 12 + Number(text.slice(5, 7)) - 1;
const monthText = (i) => `${String(Math.floor(i / 12)).padStart(4, '0')}-${String((i % 12) + 1).padStart(2, '0')}`;

// The months to chart for a period: its own months (a year stops at the current month), and for
// a single month the twelve months up to it.
export function monthsToChart(period, now = new Date()) {
  const thisMonth = now.getFullYear() * 12 + now.getMonth();
  let first;
  let last;
  if (period.length === 4) {
    first = monthIndex(`${period}-01`);
    last = Math.max(first, Math.min(first + 11, thisMonth));
  } else if (period[5] === 'Q') {
    first = monthIndex(`${period.slice(0, 4)}-01`) + (Number(period[6]) - 1) * 3;
    last = first + 2;
  } else {
    last = monthIndex(period);
    first = last - 11;
  }
  return Array.from({ length: last - first + 1 }, (_, k) => monthText(first + k));
}

// Checks a signed statement's signature in the browser and says so in `signature`: verified, or
// why not (showCheck).
export async function showStatementCheck(signature, signed, logKey) {
  try {
    await verifyStatement(signed, logKey);
    signature.dataset.proof = 'verified';
    signature.textContent = `✓ ${t('checkpoint.verified')}`;
  } catch (err) {
    showCheck(signature, err);
  }
}
