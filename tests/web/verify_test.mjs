// The portal's own verifier (api/web/src/verify.js) against the project's golden vectors, in
// node's WebCrypto (the browser test runs the same code in Chromium):
// - RFC 9162 inclusion proofs: every proof of merkle.json holds, and each transparency-dev/merkle
//   case is refused exactly when it says wantErr;
// - signed checkpoints: ours and a real one of Go's checksum database open with their keys, and
//   fail with any single byte changed;
// - statements: the JCS form and the Ed25519 signature of statement_jcs.json;
// - leaves: two entries as mingzhangd stored them (a fee payment and an evaluation, taken from a
//   demo run) decoded from their bytes and held against what a page would show.
//
//   node tests/web/verify_test.mjs      (ctest: web_verify)
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

// Node 18 has WebCrypto but not as a global; the portal code reaches for globalThis.crypto.
if (!globalThis.crypto) globalThis.crypto = webcrypto;

const here = dirname(fileURLToPath(import.meta.url));
const vectors = join(here, '..', 'vectors');
const verify = await import(join(here, '..', '..', 'api', 'web', 'src', 'verify.js'));
const { VerifyError, base64ToBytes, bytesToHex, canonicalJson, openCheckpoint, parseVerifierKey, verifyInclusion, verifyPaymentLeaf, verifyStatement } = verify;

const readJson = (...path) => JSON.parse(readFileSync(join(vectors, ...path), 'utf8'));
const hexToBytes = (hex) => Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));
const bytesToBase64 = (bytes) => Buffer.from(bytes).toString('base64');

function jsonFilesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? jsonFilesUnder(path) : name.endsWith('.json') ? [path] : [];
  });
}

async function refusal(promise) {
  try {
    await promise;
    return null;
  } catch (err) {
    assert.ok(err instanceof VerifyError, `not a VerifyError: ${err}`);
    return err.reason;
  }
}

describe('inclusion proofs (RFC 9162)', () => {
  it('every proof of merkle.json leads to the root of its size', async () => {
    const m = readJson('merkle.json');
    const roots = new Map(m.roots.map((r) => [r.tree_size, hexToBytes(r.root_hex)]));
    for (const p of m.inclusion) {
      const path = p.audit_path_hex.map((h) => bytesToBase64(hexToBytes(h)));
      await verifyInclusion(BigInt(p.leaf_index), BigInt(p.tree_size), hexToBytes(m.leaf_hashes_hex[p.leaf_index]), path, roots.get(p.tree_size));
    }
    assert.equal(m.inclusion.length, 36);
  });

  it('a proof against the root of another size is refused', async () => {
    const m = readJson('merkle.json');
    const p = m.inclusion.find((x) => x.tree_size === 8 && x.leaf_index === 5);
    const path = p.audit_path_hex.map((h) => bytesToBase64(hexToBytes(h)));
    const other = hexToBytes(m.roots.find((r) => r.tree_size === 7).root_hex);
    assert.equal(await refusal(verifyInclusion(5n, 8n, hexToBytes(m.leaf_hashes_hex[5]), path, other)), 'root-mismatch');
  });

  it('transparency-dev/merkle: refused exactly when wantErr', async () => {
    const files = jsonFilesUnder(join(vectors, 'transparency-dev-merkle', 'inclusion'));
    assert.ok(files.length >= 90, `only ${files.length} vectors`);
    for (const file of files) {
      const v = JSON.parse(readFileSync(file, 'utf8'));
      // Go writes an empty proof as null.
      const reason = await refusal(verifyInclusion(BigInt(v.leafIdx), BigInt(v.treeSize), base64ToBytes(v.leafHash), v.proof ?? [], base64ToBytes(v.root)));
      assert.equal(reason !== null, v.wantErr, `${file}: ${v.desc} gave ${reason}`);
    }
  });
});

describe('signed checkpoints (C2SP signed note, Ed25519)', () => {
  const c = readJson('checkpoint.json');

  it('the key id is recomputed from the key', async () => {
    const key = await parseVerifierKey(c.verifier_key);
    assert.equal(bytesToHex(key.keyId), c.key_id_hex);
    assert.equal(key.name, c.key_name);
    const wrongId = c.verifier_key.replace(`+${c.key_id_hex}+`, '+d490d348+');
    assert.equal(await refusal(parseVerifierKey(wrongId)), 'key-id');
  });

  it('our checkpoint opens with its size and root', async () => {
    const cp = await openCheckpoint(c.signed_note, await parseVerifierKey(c.verifier_key), c.origin);
    assert.equal(cp.treeSize, BigInt(c.tree_size));
    assert.equal(bytesToHex(cp.rootHash), c.root_hex);
    assert.equal(cp.text, c.note_text);
  });

  it("Go's checksum database checkpoint opens with its published key", async () => {
    const key = await parseVerifierKey(c.interop.verifier_key);
    const cp = await openCheckpoint(c.interop.signed_note, key, 'go.sum database tree');
    assert.equal(cp.treeSize, 65664258n);
  });

  it('any single byte changed is refused', async () => {
    const key = await parseVerifierKey(c.verifier_key);
    const note = c.signed_note;
    for (let i = 0; i < note.length; ++i) {
      const changed = note.slice(0, i) + String.fromCharCode(note.charCodeAt(i) ^ 0x01) + note.slice(i + 1);
      assert.notEqual(await refusal(openCheckpoint(changed, key, c.origin)), null, `byte ${i} changed was accepted`);
    }
  });

  it('a checkpoint of another log is refused even when well signed', async () => {
    const key = await parseVerifierKey(c.verifier_key);
    assert.equal(await refusal(openCheckpoint(c.signed_note, key, 'mingzhang.test/another')), 'origin');
  });
});

describe('statements (RFC 8785 + Ed25519)', () => {
  const s = readJson('statement_jcs.json');
  const c = readJson('checkpoint.json');

  it('canonical JSON is byte for byte the vector', () => {
    assert.equal(canonicalJson(s.statement), s.canonical_utf8);
  });

  it('the signature verifies, and not over a changed statement', async () => {
    const key = await parseVerifierKey(c.verifier_key);
    const signed = { statement: s.statement, signature: { key_id: c.key_id_hex, algorithm: 'Ed25519', signature: s.signature_b64 } };
    await verifyStatement(signed, key);
    const changed = structuredClone(signed);
    changed.statement.funds[0].closing_balance = '1750001';
    assert.equal(await refusal(verifyStatement(changed, key)), 'bad-signature');
    const otherKey = structuredClone(signed);
    otherKey.signature.key_id = '00000000';
    assert.equal(await refusal(verifyStatement(otherKey, key)), 'key-id');
  });
});

describe('leaves: the stored entry bytes against the payment shown', () => {
  const payment = {
    bytes: base64ToBytes(
      'CAYSIPO7S266Z1VUOQCyXnf7xBJUFOAqVOXxGIF4cOrUjwfsGJKE1cagNCIHbGFudGluZyoPCAISC2h1YXhpbi13dXllMh9kZW1vLXBheS1sYW50aW5nLTEtMDEwMS0yMDI2LTAxajwKBjEtMDEwMRCh2wEaBzIwMjYtMDEgASoKMjAyNi0wMS0wNzADOhVsYW50aW5nLTIwMjYtMDEtMDAwMDI=',
    ),
    leafHash: base64ToBytes('Mxz9VEFRbktHSnLsOMeDT+sOtsJ9gahcoeqOa43h4w4='),
    shown: { seq: '6', community_id: 'lanting', unit_id: '1-0101', amount: '28065', period: '2026-01', months: 1, paid_on: '2026-01-07' },
  };

  it('a payment entry decodes to the payment and hashes to its leaf', async () => {
    await verifyPaymentLeaf(payment.bytes, payment.leafHash, payment.shown);
  });

  it('any field shown differently is refused', async () => {
    for (const [field, value] of Object.entries({ seq: '7', community_id: 'meilin', unit_id: '1-0102', amount: '28066', period: '2026-02', months: 2, paid_on: '2026-01-08' })) {
      assert.equal(await refusal(verifyPaymentLeaf(payment.bytes, payment.leafHash, { ...payment.shown, [field]: value })), 'entry-mismatch', field);
    }
  });

  it('bytes that do not hash to the leaf are refused', async () => {
    const changed = payment.bytes.slice();
    changed[changed.length - 1] ^= 0x01;
    assert.equal(await refusal(verifyPaymentLeaf(changed, payment.leafHash, payment.shown)), 'leaf-mismatch');
  });

  it('an entry that is not a fee payment is refused', async () => {
    const evaluation = base64ToBytes(
      'CO0BEiC9g/ASzMBw+JvGZ9qq6EoPEysfOyZYDCfpCHefraiRxRjfh9XGoDQiB2xhbnRpbmcqIAgEEhRvd25lci1sYW50aW5nLTEtMDEwMRoGMS0wMTAxMiBkZW1vLWV2YWwtbGFudGluZy0xLTAxMDEtMjAyNS0xMoIBDggFEgoIBBAFGAQgBCgF',
    );
    const leaf = base64ToBytes('RFgotq03KgyWVgSioWYPdkhEeQ0YquIqQQ8PrOlkhD4=');
    assert.equal(await refusal(verifyPaymentLeaf(evaluation, leaf, { ...payment.shown, seq: '237' })), 'entry-mismatch');
  });
});
