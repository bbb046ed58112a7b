// Voucher files in the owner's page (Debian's headless Chromium against the real mingzhangd with
// a small demo district): the firm records two spending items and uploads the PNG voucher of one
// through the API; the owner, on a 390x844 phone, opens it from the spending items, the page
// hashes the bytes itself and says they match the ledger, and shows the image; the other voucher,
// not uploaded yet, is said to be so, neutrally, until it is; and a voucher altered in transit (a
// proxy flips one byte) is said not to match and is not opened.
//
//   ctest --test-dir BUILD -R web_voucher --output-on-failure
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deflateSync } from 'node:zlib';
import { newPage, signIn, startWorld } from './harness.mjs';

const STEP_MS = 20_000;
const TEST_MS = 90_000;
const PHONE = { width: 390, height: 844 };

const sha256Hex = (bytes) => createHash('sha256').update(bytes).digest('hex');

// A real PNG a browser draws (a small paper slip with lines of "text"), made here: CRC-32 and
// zlib by hand, so the test needs no image files.
function crc32(bytes) {
  let crc = ~0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k += 1) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function pngChunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function receiptPng(width = 240, height = 160) {
  const rows = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3, 0xff); // filter byte 0, then white RGB
    row[0] = 0;
    const line = y >= 20 && y % 18 < 4 && y < height - 16;
    for (let x = 0; x < width; x += 1) {
      const border = x < 3 || y < 3 || x >= width - 3 || y >= height - 3;
      const ink = line && x >= 16 && x < width - 16 - ((y * 7) % 60);
      if (border || ink) row.fill(border ? 0xc0 : 0x40, 1 + x * 3, 4 + x * 3);
      if (border) row[3 + x * 3] = 0x30; // a red edge, like a 发票's
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

const PNG = receiptPng();
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

// A proxy that passes everything, but flips the last byte of every voucher file it carries.
async function startFlippingProxy(target) {
  const server = http.createServer((req, res) => {
    const upstream = http.request(target + req.url, { method: req.method, headers: req.headers }, (up) => {
      if (!req.url.startsWith('/v1/vouchers/') || up.statusCode !== 200) {
        res.writeHead(up.statusCode, up.headers);
        return up.pipe(res);
      }
      const chunks = [];
      up.on('data', (c) => chunks.push(c));
      up.on('end', () => {
        const body = Buffer.concat(chunks);
        body[body.length - 1] ^= 0x01;
        res.writeHead(200, { ...up.headers, 'content-length': String(body.length) });
        res.end(body);
      });
    });
    upstream.on('error', (err) => {
      res.writeHead(502);
      res.end(String(err));
    });
    req.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

let world;
let demo;
let period;
let flipping;

async function upload(bytes) {
  const res = await fetch(`${world.url}/v1/vouchers/${sha256Hex(bytes)}`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${demo.tokens.firm}`, 'Content-Type': 'application/octet-stream' },
    body: bytes,
  });
  return { status: res.status, body: await res.json() };
}

async function disburse(key, sha, description) {
  return world.api.post(`/v1/communities/${demo.community}/disbursements`, demo.tokens.firm, {
    idempotency_key: key,
    fund: 'FEES',
    category: 'CLEANING',
    amount: '100',
    payee: '洁净保洁服务部',
    description,
    paid_on: `${demo.lastMonth}-20`,
    voucher_sha256: sha,
  });
}

// The owner's page on a phone with the spending items open; the row of voucher `sha`.
async function ownerItems(base) {
  const page = await newPage(world);
  page.setDefaultTimeout(STEP_MS);
  await page.setViewportSize(PHONE);
  await signIn(page, base, `#/owner?period=${period}`, { token: demo.tokens.owner });
  await page.waitForSelector('#items', { state: 'attached' });
  // The spending items fold away until tapped, as an owner would tap them.
  await page.click('details:has(#items) > summary');
  await page.waitForSelector('#items');
  return page;
}

// The phone's screen with the row `selector` at its top: what the owner sees there.
async function screenshotAt(page, selector, name) {
  await page.$eval(selector, (el) => el.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: join(world.screenshots, `${name}.png`) });
}

async function openVoucher(page, sha) {
  const row = `#items tr:has(code[data-hash="${sha}"])`;
  await page.click(`${row} button.voucher-open`);
  await page.waitForSelector(`${row} .voucher-check:not([data-voucher="pending"])`);
  return page.$eval(`${row} .voucher-check`, (el) => ({ state: el.dataset.voucher, text: el.textContent }));
}

describe('vouchers in the owner\'s page', { timeout: 6 * TEST_MS }, () => {
  before(async () => {
    world = await startWorld();
    demo = world.demo;
    period = demo.lastMonth.slice(0, 4);
    flipping = await startFlippingProxy(world.url);
    await disburse('voucher-web-png', sha256Hex(PNG), '楼道保洁（凭证为照片）');
    await disburse('voucher-web-pdf', sha256Hex(PDF), '外墙清洗（凭证为 PDF）');
    const stored = await upload(PNG);
    assert.equal(stored.status, 201, JSON.stringify(stored.body));
    assert.deepEqual(stored.body, { sha256: sha256Hex(PNG), bytes: PNG.length, content_type: 'image/png' });
  });

  after(async () => {
    await flipping?.close();
    if (!world) return;
    assert.deepEqual(world.pageErrors, []);
    assert.equal(await world.close(), 0, 'mingzhangd did not stop cleanly');
  });

  it('the owner opens an uploaded voucher on a phone: the page hashed it, it matches, the image shows', { timeout: TEST_MS }, async () => {
    const page = await ownerItems(world.url);
    const sha = sha256Hex(PNG);
    const shown = await openVoucher(page, sha);
    assert.equal(shown.state, 'match');
    assert.match(shown.text, /凭证与账本记录一致 ✓/);
    const row = `#items tr:has(code[data-hash="${sha}"])`;
    await page.waitForFunction((sel) => document.querySelector(sel)?.naturalWidth === 240, `${row} img.voucher-image`);
    // The link opens the file itself, from the bytes the page checked (an object URL).
    const [opened] = await Promise.all([page.context().waitForEvent('page'), page.click(`${row} a.voucher-file`)]);
    await opened.waitForLoadState();
    assert.match(opened.url(), /^blob:/);
    await opened.waitForFunction(() => document.images[0]?.naturalWidth === 240);
    await opened.close();
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= PHONE.width, `the page is ${wide} px wide`);
    await screenshotAt(page, row, 'phone-390-owner-voucher');
    await page.close();
  });

  it('a voucher not uploaded yet is said so neutrally, and opens once the firm uploads it', { timeout: TEST_MS }, async () => {
    const page = await ownerItems(world.url);
    const sha = sha256Hex(PDF);
    const missing = await openVoucher(page, sha);
    assert.equal(missing.state, 'missing');
    assert.equal(missing.text, '物业尚未上传凭证');
    await screenshotAt(page, `#items tr:has(code[data-hash="${sha}"])`, 'phone-390-owner-voucher-missing');
    assert.equal((await upload(PDF)).status, 201);
    const shown = await openVoucher(page, sha);
    assert.equal(shown.state, 'match');
    assert.match(shown.text, /凭证与账本记录一致 ✓/);
    assert.match(shown.text, /打开凭证文件（PDF）/);
    await page.close();
  });

  it('a voucher altered on its way is said not to match, and is not opened', { timeout: TEST_MS }, async () => {
    const page = await ownerItems(flipping.url);
    const sha = sha256Hex(PNG);
    const shown = await openVoucher(page, sha);
    assert.equal(shown.state, 'mismatch');
    assert.match(shown.text, /凭证与账本记录不一致/);
    assert.ok(shown.text.includes(sha), 'the ledger\'s hash is named');
    const row = `#items tr:has(code[data-hash="${sha}"])`;
    assert.equal(await page.$(`${row} img.voucher-image`), null);
    assert.equal(await page.$(`${row} a.voucher-file`), null);
    await screenshotAt(page, row, 'phone-390-owner-voucher-mismatch');
    await page.close();
  });
});
