// What the browser checks by itself, with WebCrypto only (SHA-256, Ed25519), trusting nothing the
// server says about the result:
// - the log's key (the note verifier key from /v1/keys): its key id is recomputed;
// - a checkpoint: a C2SP signed note whose Ed25519 signature must verify under that key;
// - an inclusion proof (RFC 9162 §2.1.3.2) from a leaf hash to the checkpoint's root;
// - the leaf itself: the stored entry bytes must hash to that leaf, and the fee payment decoded
//   from those bytes must be the payment the page shows;
// - a signed statement: Ed25519 over the RFC 8785 (JCS) form of its `statement` object.
// Every check either returns or throws a VerifyError whose `reason` names the first mismatch.

const ED25519 = { name: 'Ed25519' };
const ALG_ED25519 = 0x01; // the signed-note algorithm byte for Ed25519
const HASH_BYTES = 32;
const KEY_ID_BYTES = 4;
const SIGNATURE_BYTES = 64;
const SIGNATURE_LINE_PREFIX = '\u2014 '; // EM DASH, space

export class VerifyError extends Error {
  constructor(reason, detail) {
    super(`${reason}: ${detail}`);
    this.reason = reason;
  }
}

function fail(reason, detail) {
  throw new VerifyError(reason, detail);
}

function subtle() {
  // crypto.subtle exists only in secure contexts (https, or http on localhost).
  if (!globalThis.crypto?.subtle) fail('no-webcrypto', 'this page is not in a secure context (use https)');
  return crypto.subtle;
}

const utf8 = new TextEncoder();

export function base64ToBytes(text) {
  let binary;
  try {
    binary = atob(text);
  } catch {
    fail('bad-base64', text);
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export function bytesToHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function equalBytes(a, b) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export async function sha256(...parts) {
  return new Uint8Array(await subtle().digest('SHA-256', concat(...parts)));
}

// The log key from a note verifier key string "<name>+<8 hex key id>+<base64(0x01 || key)>".
export async function parseVerifierKey(text) {
  // The name has no '+'; the base64 key may.
  const first = text.indexOf('+');
  const second = text.indexOf('+', first + 1);
  if (first <= 0 || second < 0) fail('bad-key', 'a verifier key has three parts');
  const [name, idHex, keyB64] = [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
  const raw = base64ToBytes(keyB64);
  if (raw.length !== 1 + 32 || raw[0] !== ALG_ED25519) fail('bad-key', 'not an Ed25519 verifier key');
  const keyId = (await sha256(utf8.encode(name), Uint8Array.of(0x0a, ALG_ED25519), raw.subarray(1))).subarray(0, KEY_ID_BYTES);
  if (bytesToHex(keyId) !== idHex) fail('key-id', `the key id is ${bytesToHex(keyId)}, the key string says ${idHex}`);
  const key = await subtle().importKey('raw', raw.subarray(1), ED25519, false, ['verify']);
  return { name, keyId, key, text };
}

async function ed25519Verify(logKey, signature, message) {
  return subtle().verify(ED25519, logKey.key, signature, message);
}

// Opens a signed checkpoint: the signature line of `logKey` must verify over the note text, whose
// first line must be `origin`. Returns { origin, treeSize (BigInt), rootHash (bytes), text }.
export async function openCheckpoint(note, logKey, origin) {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) fail('bad-note', 'no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const signatureLines = note.slice(split + 2, -1).split('\n');
  const mine = signatureLines
    .filter((line) => line.startsWith(`${SIGNATURE_LINE_PREFIX}${logKey.name} `))
    .map((line) => base64ToBytes(line.slice(SIGNATURE_LINE_PREFIX.length + logKey.name.length + 1)))
    .find((sig) => sig.length === KEY_ID_BYTES + SIGNATURE_BYTES && equalBytes(sig.subarray(0, KEY_ID_BYTES), logKey.keyId));
  if (!mine) fail('no-signature', `no signature by ${logKey.name} on the checkpoint`);
  if (!(await ed25519Verify(logKey, mine.subarray(KEY_ID_BYTES), utf8.encode(text)))) {
    fail('bad-signature', 'the checkpoint signature does not verify');
  }
  const [noteOrigin, size, root] = text.split('\n');
  if (noteOrigin !== origin) fail('origin', `the checkpoint is of ${noteOrigin}, not ${origin}`);
  if (!/^(0|[1-9][0-9]*)$/.test(size)) fail('bad-note', `tree size ${size}`);
  const rootHash = base64ToBytes(root);
  if (rootHash.length !== HASH_BYTES) fail('bad-note', 'the root hash is not 32 bytes');
  return { origin, treeSize: BigInt(size), rootHash, text };
}

// RFC 9162 §2.1.3.2: the root that `auditPath` (base64 hashes, from the leaf upward) leads to.
async function rootFromInclusionProof(leafIndex, treeSize, leafHash, auditPath) {
  if (leafIndex < 0n || leafIndex >= treeSize) fail('bad-proof', `leaf ${leafIndex} is not in a tree of ${treeSize}`);
  let fn = leafIndex;
  let sn = treeSize - 1n;
  let r = leafHash;
  for (const encoded of auditPath) {
    const p = base64ToBytes(encoded);
    if (p.length !== HASH_BYTES || sn === 0n) fail('bad-proof', 'the audit path is malformed or too long');
    if ((fn & 1n) === 1n || fn === sn) {
      r = await sha256(Uint8Array.of(0x01), p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = await sha256(Uint8Array.of(0x01), r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) fail('bad-proof', 'the audit path is too short');
  return r;
}

export async function verifyInclusion(leafIndex, treeSize, leafHash, auditPath, rootHash) {
  if (leafHash.length !== HASH_BYTES || rootHash.length !== HASH_BYTES) fail('bad-proof', 'a hash is not 32 bytes');
  if (!Array.isArray(auditPath)) fail('bad-proof', 'no audit path');
  const root = await rootFromInclusionProof(leafIndex, treeSize, leafHash, auditPath);
  if (!equalBytes(root, rootHash)) fail('root-mismatch', 'the proof does not lead to the signed root');
}

// --- the leaf: a protobuf mingzhang.v1.Entry holding a FeePayment (proto/mingzhang/v1/ledger.proto)

const ENTRY_SEQ = 1;
const ENTRY_COMMUNITY_ID = 4;
const ENTRY_FEE_PAYMENT = 13;
const PAYMENT_FIELDS = { 1: 'unit_id', 2: 'amount', 3: 'period', 4: 'months', 5: 'paid_on' };
const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

// The top-level fields of one protobuf message: field number -> varint (BigInt) or bytes.
function protoFields(bytes) {
  const fields = new Map();
  let at = 0;
  const varint = () => {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (at >= bytes.length) fail('bad-entry', 'truncated varint');
      const b = bytes[at++];
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return value;
    }
    return fail('bad-entry', 'varint too long');
  };
  const take = (n) => {
    if (n > bytes.length - at) fail('bad-entry', 'truncated field');
    at += n;
    return bytes.subarray(at - n, at);
  };
  while (at < bytes.length) {
    const tag = varint();
    const number = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (wire === WIRE_VARINT) fields.set(number, varint());
    else if (wire === WIRE_LEN) fields.set(number, take(Number(varint())));
    else if (wire === WIRE_I64) take(8);
    else if (wire === WIRE_I32) take(4);
    else fail('bad-entry', `wire type ${wire}`);
  }
  return fields;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

// { seq, community_id, unit_id, amount, period, months, paid_on } as strings, from the entry bytes.
export function paymentFromEntryBytes(bytes) {
  const entry = protoFields(bytes);
  const body = entry.get(ENTRY_FEE_PAYMENT);
  if (!(body instanceof Uint8Array)) fail('entry-mismatch', 'the entry is not a fee payment');
  const out = {
    seq: String(entry.get(ENTRY_SEQ) ?? 0n),
    community_id: utf8Decoder.decode(entry.get(ENTRY_COMMUNITY_ID) ?? new Uint8Array()),
  };
  const payment = protoFields(body);
  for (const [number, name] of Object.entries(PAYMENT_FIELDS)) {
    const value = payment.get(Number(number));
    out[name] = value instanceof Uint8Array ? utf8Decoder.decode(value) : String(value ?? '');
  }
  return out;
}

// The entry bytes hash to the proven leaf, and say what the page shows about the payment.
export async function verifyPaymentLeaf(leafBytes, leafHash, shown) {
  if (!equalBytes(await sha256(Uint8Array.of(0x00), leafBytes), leafHash)) {
    fail('leaf-mismatch', 'the entry bytes do not hash to the proven leaf');
  }
  const stored = paymentFromEntryBytes(leafBytes);
  for (const field of ['seq', 'community_id', 'unit_id', 'amount', 'period', 'months', 'paid_on']) {
    if (stored[field] !== String(shown[field])) {
      fail('entry-mismatch', `${field} is ${stored[field]} in the log, ${shown[field]} on the page`);
    }
  }
}

// --- statements

// RFC 8785 for the documents the ledger signs (strings, integers, booleans, arrays, objects):
// keys sorted by UTF-16 code units, no white space, strings as JSON.stringify writes them.
export function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isSafeInteger(value)) fail('bad-statement', `the number ${value}`);
  return JSON.stringify(value);
}

export async function verifyStatement(signed, logKey) {
  const { statement, signature } = signed;
  if (signature?.algorithm !== 'Ed25519') fail('bad-statement', 'not an Ed25519 signature');
  if (signature.key_id !== bytesToHex(logKey.keyId)) fail('key-id', `signed by key ${signature.key_id}`);
  const ok = await ed25519Verify(logKey, base64ToBytes(signature.signature), utf8.encode(canonicalJson(statement)));
  if (!ok) fail('bad-signature', 'the statement signature does not verify');
}
