// The portal's yuan <-> fen parsing (api/web/src/money.js), exact case by case: what staff type
// at a front desk becomes exactly the fen the ledger records, or a refusal with its reason.
//
//   node tests/web/money_test.mjs      (ctest: web_money)
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { AMOUNT_FEN_MAX, YUAN_REASONS, fenToYuanText, parseYuan, yuanReasonText } = await import(join(here, '..', '..', 'api', 'web', 'src', 'money.js'));

const fenOf = (text, options) => {
  const r = parseYuan(text, options);
  assert.ok(r.ok, `${JSON.stringify(text)} refused: ${r.reason}`);
  return r.fen;
};
const reasonOf = (text, options) => {
  const r = parseYuan(text, options);
  assert.equal(r.ok, false, `${JSON.stringify(text)} accepted as ${r.fen} fen`);
  return r.reason;
};

describe('parseYuan', () => {
  it('reads yuan as typed into exact fen', () => {
    const cases = [
      ['256.5', '25650'],
      ['256.50', '25650'],
      ['256', '25600'],
      ['256.', '25600'],
      ['.5', '50'],
      ['0.01', '1'],
      ['1,234.56', '123456'],
      ['1,234,567.89', '123456789'],
      ['¥256.50', '25650'],
      ['￥256.50', '25650'],
      ['256.50元', '25650'],
      [' ¥ 1 234.56 ', '123456'],
      ['２５６。５', '25650'],
      ['２５６．５０', '25650'],
      ['１，２３４．５６', '123456'],
      ['007.10', '710'],
      ['1000000000', '100000000000'],
      ['1,000,000,000.00', '100000000000'],
    ];
    for (const [text, fen] of cases) assert.equal(fenOf(text), fen, text);
    // Past 2^53 (under a higher ceiling): a float would round this; BigInt keeps every fen.
    assert.equal(fenOf('90071992547409.93', { maxFen: 1n << 62n }), '9007199254740993');
  });

  it('refuses what is not an amount, each with its reason', () => {
    const cases = [
      ['', 'empty'],
      ['   ', 'empty'],
      ['¥', 'empty'],
      ['abc', 'format'],
      ['12a', 'format'],
      ['1e5', 'format'],
      ['0x10', 'format'],
      ['+5', 'format'],
      ['.', 'format'],
      ['1.2.3', 'format'],
      ['12,34', 'format'],
      ['1234,567', 'format'],
      [',123', 'format'],
      ['Infinity', 'format'],
      ['NaN', 'format'],
      ['-5', 'negative'],
      ['－５', 'negative'],
      ['-0.01', 'negative'],
      ['¥-5', 'negative'],
      ['12.345', 'decimals'],
      ['12.340', 'decimals'],
      ['0.001', 'decimals'],
      ['0', 'zero'],
      ['0.00', 'zero'],
      ['¥0', 'zero'],
      ['1000000000.01', 'too-large'],
      ['99999999999999999999999999', 'too-large'],
      ['9'.repeat(100), 'too-large'],
      ['x'.repeat(100), 'format'],
    ];
    for (const [text, reason] of cases) assert.equal(reasonOf(text), reason, JSON.stringify(text));
    assert.equal(reasonOf(undefined), 'empty');
    assert.equal(reasonOf(256.5), 'empty', 'a number is not text typed by a person');
  });

  it('takes zero only when asked to, and a lower ceiling', () => {
    assert.equal(fenOf('0', { allowZero: true }), '0');
    assert.equal(fenOf('0.00', { allowZero: true }), '0');
    assert.equal(reasonOf('-0.01', { allowZero: true }), 'negative');
    assert.equal(fenOf('100.00', { maxFen: 10000n }), '10000');
    assert.equal(reasonOf('100.01', { maxFen: 10000n }), 'too-large');
    assert.equal(AMOUNT_FEN_MAX, 100_000_000_000n);
  });

  it('gives every refusal in Chinese and in English', () => {
    for (const reason of YUAN_REASONS) {
      assert.match(yuanReasonText('zh-CN', reason), /[\u4e00-\u9fff]/, reason);
      assert.match(yuanReasonText('en', reason), /^[A-Z]/, reason);
      assert.doesNotMatch(yuanReasonText('zh-CN', reason) + yuanReasonText('en', reason), /\bfen\b|分/, `${reason} speaks of fen`);
    }
    const r = parseYuan('12.345');
    assert.equal(r.zh, yuanReasonText('zh-CN', 'decimals'));
    assert.equal(r.en, yuanReasonText('en', 'decimals'));
  });
});

describe('fenToYuanText', () => {
  it('writes fen as the yuan an input shows, and parses back to the same fen', () => {
    const cases = [['0', '0.00'], ['1', '0.01'], ['25650', '256.50'], ['123456789', '1234567.89'], ['9007199254740993', '90071992547409.93'], ['-105', '-1.05']];
    for (const [fen, text] of cases) {
      assert.equal(fenToYuanText(fen), text);
      if (!fen.startsWith('-')) assert.equal(parseYuan(text, { allowZero: true, maxFen: 1n << 62n }).fen, fen);
    }
  });
});
