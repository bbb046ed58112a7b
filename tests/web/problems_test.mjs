// The portal's words for the server's refusals (api/web/src/problems.js) against the slugs the
// server's code can send today, read from ledger/ and api/ when the test runs:
// - every slug has a zh-CN and an English text, the Chinese one in Chinese;
// - no text shows a developer's words (TYPE_ names, HTTP, proto, JSON, field_names, status
//   codes) or an amount in fen: money is written in yuan, such as ¥256.50;
// - no text is kept for a slug the code no longer sends (but for those in flight, below).
//
//   node tests/web/problems_test.mjs      (ctest: web_problems)
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { PROBLEM_TEXT, PROBLEM_FALLBACK, problemText } = await import(
  pathToFileURL(join(root, 'api', 'web', 'src', 'problems.js')).href
);

// Slugs other engineers are adding now, with texts written ahead of their code (Dec 2026). Drop
// each one from here once its code has landed.
const IN_FLIGHT = new Set([
  'duplicate-receipt', 'bad-due-day', 'bad-label',                    // rules
  'voting-closed', 'proposal-still-open',                             // voting through closes_on
  'bad-invitation-code', 'unknown-invitation', 'invitation-used',     // invitations (issue 22)
  'invitation-expired', 'invitation-revoked', 'invitations-already-issued',
  'too-many-attempts', 'bad-valid-days', 'bad-invitation-record',
]);

// Where the server's code names a slug: a ledger Status (ledger/base/status.h), an HTTP problem made
// directly (api/http/problem.h), a named slug constant, calendar.cpp's Bad(slug, ...), and the slug
// WriteNewFile answers when its file exists.
const SLUG = '([a-z0-9]+(?:-[a-z0-9]+)*)';
const ARG = '(?:[^,;()]|\\([^()]*\\))+';  // one argument, at most one level of parentheses
const PATTERNS = [
  `\\b(?:InvalidArgument|NotFound|AlreadyExists|FailedPrecondition|Aborted|ResourceExhausted|DataLoss|Unavailable|PermissionDenied|Internal|Unauthenticated)\\(\\s*"${SLUG}"`,
  `\\bStatus\\(\\s*${ARG},\\s*"${SLUG}"`,
  `\\bMakeProblem\\(\\s*${ARG},\\s*"${SLUG}"`,
  `\\bk\\w*Slug\\s*=\\s*"${SLUG}"`,
  `\\bBad\\(\\s*"${SLUG}"`,
  `\\bWriteNewFile\\((?:[^;()]|\\([^()]*\\))*,\\s*"${SLUG}"\\s*\\)`,
].map((p) => new RegExp(p, 'g'));

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'web' ? [] : sources(path);
    return /\.(cpp|h)$/.test(name) && !name.endsWith('_test.cpp') ? [path] : [];
  });
}

// slug -> where it is sent ("ledger/domain/domain_rules.cpp:288"), comment lines left out.
function slugsInCode() {
  const found = new Map();
  for (const file of ['ledger', 'api'].flatMap((d) => sources(join(root, d)))) {
    const text = readFileSync(file, 'utf8').replace(/^[ \t]*\/\/.*$/gm, '');
    for (const re of PATTERNS) {
      for (const m of text.matchAll(re)) {
        const where = `${relative(root, file)}:${text.slice(0, m.index).split('\n').length}`;
        found.set(m[1], [...(found.get(m[1]) ?? []), where]);
      }
    }
  }
  return found;
}

const inCode = slugsInCode();
const LANGS = ['zh-CN', 'en'];
const CJK = /[\u4e00-\u9fff]/;
// Words and forms a person should never be shown.
const DEVELOPER = [
  [/TYPE_/, 'a protobuf enum name'],
  [/HTTP/i, 'HTTP'],
  [/proto/i, 'proto'],
  [/JSON|base64|idempotency|RocksDB|slug|null|undefined/i, 'a developer word'],
  [/\b[a-z]+_[a-z0-9_]+\b/, 'a field name'],
  [/[A-Z]{2,}_[A-Z]/, 'an enum name'],
  [/(?<![\d,.¥-])\b[45]\d\d\b(?![\d,.])/, 'an HTTP status code'],
];
const FEN = [
  [/\bfen\b/i, 'fen'],
  [/\d\s*分(?!钟)/, '分 after a number'],
  [/¥(?!\d{1,3}(?:,\d{3})*\.\d{2}(?!\d))/, 'a yuan amount not written as ¥1,234.50'],
  [/\d[\d,.]*\s*(?:元|yuan\b)/i, 'an amount not written with ¥'],
];

describe('problem texts', () => {
  it('finds the slugs in the code', () => {
    // The scan itself works: a few slugs every version of the server sends.
    for (const slug of ['bad-amount', 'unknown-unit', 'storage-full', 'insufficient-funds', 'bad-token', 'no-route']) {
      assert.ok(inCode.has(slug), `${slug} not found in ledger/ or api/: the scan is broken`);
    }
    assert.ok(inCode.size > 80, `only ${inCode.size} slugs found`);
  });

  for (const lang of LANGS) {
    it(`${lang}: every slug the server sends has a text`, () => {
      const missing = [...inCode.keys()].filter((slug) => !PROBLEM_TEXT[lang][slug]?.trim());
      assert.deepEqual(missing, [], missing.map((s) => `${s} (${inCode.get(s)[0]})`).join('\n'));
    });
  }

  it('has no text for a slug the code no longer sends', () => {
    for (const lang of LANGS) {
      const stale = Object.keys(PROBLEM_TEXT[lang]).filter((slug) => !inCode.has(slug) && !IN_FLIGHT.has(slug));
      assert.deepEqual(stale, [], `${lang}: texts for slugs not in ledger/ or api/`);
    }
    assert.deepEqual(Object.keys(PROBLEM_TEXT.en).sort(), Object.keys(PROBLEM_TEXT['zh-CN']).sort());
  });

  it('in-flight slugs that have landed can leave IN_FLIGHT', (t) => {
    const landed = [...IN_FLIGHT].filter((slug) => inCode.has(slug));
    if (landed.length) t.diagnostic(`now found in ledger/ or api/ (drop from IN_FLIGHT once committed): ${landed.join(' ')}`);
    for (const slug of IN_FLIGHT) {
      for (const lang of LANGS) assert.ok(PROBLEM_TEXT[lang][slug], `${lang}: no text for in-flight ${slug}`);
    }
  });

  it('zh-CN texts are Chinese and English ones are not', () => {
    for (const [slug, text] of Object.entries(PROBLEM_TEXT['zh-CN'])) assert.match(text, CJK, `zh-CN ${slug}`);
    for (const [slug, text] of Object.entries(PROBLEM_TEXT.en)) assert.doesNotMatch(text, CJK, `en ${slug}`);
  });

  it('no text shows developer words or fen', () => {
    for (const lang of LANGS) {
      for (const [slug, text] of [...Object.entries(PROBLEM_TEXT[lang]), ['(fallback)', PROBLEM_FALLBACK[lang]]]) {
        for (const [re, what] of [...DEVELOPER, ...FEN]) {
          assert.doesNotMatch(text, re, `${lang} ${slug} shows ${what}: ${text}`);
        }
      }
    }
  });

  it('the checks catch what they are for', () => {
    const caught = (text) => [...DEVELOPER, ...FEN].some(([re]) => re.test(text));
    for (const bad of ['amount must be 1 to 100 fen', '金额 25650 分', 'HTTP 422', 'status 409', 'TYPE_FEES', 'voucher_sha256',
                       'FEES_FUND', 'see api.proto', '¥256.5', '¥25650', '256.50 元', 'bad JSON']) {
      assert.ok(caught(bad), `not caught: ${bad}`);
    }
    for (const good of ['例如 ¥256.50', '¥1,000,000,000.00', '2026-11-23', '2026-Q3', '等一分钟', '1 到 5 之间', '120 个月', '100,000 m²', '3栋2单元1101', 'in yuan: more than ¥0.00']) {
      assert.ok(!caught(good), `caught: ${good}`);
    }
  });

  it('problemText picks the language and falls back for an unknown type', () => {
    assert.equal(problemText('zh-CN', 'bad-amount'), PROBLEM_TEXT['zh-CN']['bad-amount']);
    assert.equal(problemText('en', 'bad-amount'), PROBLEM_TEXT.en['bad-amount']);
    assert.equal(problemText('en-GB', 'storage-full'), PROBLEM_TEXT.en['storage-full']);
    assert.equal(problemText('zh-CN', 'no-such-problem'), '出错了，请稍后再试；如果一再出现，请联系物业或业委会。');
    assert.equal(problemText('en', 'no-such-problem'), PROBLEM_FALLBACK.en);
    assert.equal(problemText('en', undefined), PROBLEM_FALLBACK.en);
    assert.equal(problemText('zh-CN', 'constructor'), PROBLEM_FALLBACK['zh-CN']);
    assert.equal(problemText(undefined, 'bad-amount'), PROBLEM_TEXT['zh-CN']['bad-amount']);
    assert.match(PROBLEM_FALLBACK['zh-CN'], CJK);
    assert.doesNotMatch(PROBLEM_FALLBACK.en, CJK);
  });
});
