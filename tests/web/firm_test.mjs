// The property firm's workspace (#/firm, api/web/src/views/firm.js) in Debian's headless Chromium
// against the real mingzhangd and a small demo district, on phones (390x844 and 360 wide), in
// Chinese: what staff type in yuan is read back from the log as exactly those fen; an odd amount
// is asked about and nothing is written until confirmed; a bad amount is refused on the page and
// nothing is sent; a disbursement's voucher is hashed in the browser, its hash is in the entry and
// the file is then served byte for byte; public revenue is recorded; no page scrolls sideways.
//
//   ctest --test-dir BUILD -R web_firm --output-on-failure
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { newPage, screenshot, signIn, startWorld, yuan } from './harness.mjs';

// The portal's own limit (api/web/src/voucher_type.js has no DOM, so node imports it as is).
const here = dirname(fileURLToPath(import.meta.url));
const { VOUCHER_BYTES_MAX } = await import(join(here, '..', '..', 'api', 'web', 'src', 'voucher_type.js'));

const STEP_MS = 20_000;
const TEST_MS = 120_000;
const PHONE = { width: 390, height: 844 };
const PHONES = [360, 390, 414];
const HAN = /[\u4e00-\u9fff]/;
// Units the test registers, with the labels on their doors.
const UNITS = [
  { unit_id: 'WEB-9-1-101', area_centi_m2: 10250, label: '9栋1单元101' },
  { unit_id: 'WEB-9-1-102', area_centi_m2: 8875, label: '9栋1单元102' },
  { unit_id: 'WEB-9-2-301', area_centi_m2: 13000, label: '9栋2单元301' },
];

let world;
let demo;
let page;
const calls = []; // every API request the page sends: [method, path]

const communityPath = (rest) => `/v1/communities/${demo.community}${rest}`;
const firm = () => demo.tokens.firm;

async function treeSize() {
  const res = await fetch(`${world.url}/v1/checkpoint`);
  return Number((await res.text()).split('\n')[1]);
}

async function entry(seq) {
  return world.api.get(`/v1/entries/${seq}`, firm());
}

async function account(unitId) {
  const month = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 7);
  const billing = await world.api.get(communityPath(`/billing?period=${month}`), firm());
  return billing.units.find((u) => u.unit_id === unitId);
}

// fen -> what a person types: "25650" -> "256.50".
const typed = (fen) => `${BigInt(fen) / 100n}.${String(BigInt(fen) % 100n).padStart(2, '0')}`;

// A real PNG (8-bit RGB), made here: signature, IHDR, IDAT (zlib), IEND, each chunk CRC-32'd.
function crc32(bytes) {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k += 1) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

function makePng(width, height) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const rows = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x += 1) row.set([180, (x * 40) & 255, (y * 40) & 255], 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(Buffer.concat(rows))), pngChunk('IEND', Buffer.alloc(0))]);
}

function makePdf(text) {
  return Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n% ${text}\ntrailer << /Root 1 0 R >>\n%%EOF\n`, 'latin1');
}

function fileOf(name, bytes) {
  const path = join(world.root, name);
  writeFileSync(path, bytes);
  return { path, sha256: createHash('sha256').update(bytes).digest('hex'), bytes };
}

// Each visit a new address (n=): the same hash again would not render the view afresh.
let visits = 0;
async function openTab(tab, ready) {
  visits += 1;
  await page.goto(`${world.url}/#/firm?tab=${tab}&n=${visits}`);
  await page.waitForSelector(ready);
  await page.waitForSelector('#recent-entries, #recent section');
}

async function chooseUnit(query, unitId) {
  await page.fill('#unit-search', query);
  await page.click(`.unit-option[data-unit="${unitId}"]`);
  await page.waitForSelector(`#unit-chosen .unit-name[data-unit="${unitId}"]`);
}

// What the person sees without scrolling (the full-page screenshot also holds the recent list).
async function screen(name) {
  await page.screenshot({ path: join(world.screenshots, `${name}-screen.png`) });
  await screenshot(world, page, name);
}

async function noSidewaysScroll(name) {
  for (const width of PHONES) {
    await page.setViewportSize({ width, height: PHONE.height });
    const l = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    assert.ok(l.scrollWidth <= l.innerWidth, `${name} at ${width} px is ${l.scrollWidth} px wide`);
  }
  await page.setViewportSize(PHONE);
}

const writesSince = (n) => calls.slice(n).filter(([method]) => method !== 'GET');

describe('the firm records money in yuan', { timeout: 12 * TEST_MS }, () => {
  before(async () => {
    world = await startWorld();
    demo = world.demo;
    await world.api.post(communityPath('/units'), firm(), { idempotency_key: 'web-firm-units', units: UNITS });
    page = await newPage(world);
    page.setDefaultTimeout(STEP_MS);
    page.on('request', (r) => {
      if (r.url().includes('/v1/')) calls.push([r.method(), new URL(r.url()).pathname]);
    });
    await page.setViewportSize(PHONE);
    await signIn(page, world.url, '#/firm', { token: firm() });
  });

  after(async () => {
    if (!world) return;
    assert.deepEqual(world.pageErrors, [], 'the page threw');
    const code = await world.close();
    assert.equal(code, 0, 'mingzhangd did not stop cleanly');
  });

  it('the firm opens its workspace first, with the three forms as tabs', { timeout: TEST_MS }, async () => {
    await page.waitForSelector('#payment-form');
    assert.match(page.url(), /#\/firm/);
    assert.deepEqual(await page.$$eval('#firm-tabs a', (as) => as.slice(0, 3).map((a) => [a.dataset.tab, a.textContent])), [
      ['payment', '收费登记'],
      ['disbursement', '支出登记'],
      ['revenue', '公共收益登记'],
    ]);
    assert.equal(await page.textContent('#nav-firm'), '物业登记');
  });

  it('a payment: the unit found by its label, its fee and arrears shown, "256.50"-style yuan recorded as exactly those fen', { timeout: TEST_MS }, async () => {
    await openTab('payment', '#payment-form');
    const unit = UNITS[0];
    const a = await account(unit.unit_id);
    // Part of a label finds every unit it is part of; the other building's does not show.
    await page.fill('#unit-search', '9栋1单元');
    await page.waitForSelector(`.unit-option[data-unit="${UNITS[1].unit_id}"]`);
    assert.deepEqual(await page.$$eval('.unit-option', (bs) => bs.map((b) => b.dataset.unit)), [UNITS[0].unit_id, UNITS[1].unit_id]);
    await chooseUnit('9栋1单元101', unit.unit_id);
    assert.deepEqual(await page.$eval('#unit-fee .money', (el) => [el.dataset.fen, el.textContent]), [a.monthly_fee, yuan(a.monthly_fee)]);
    assert.deepEqual(await page.$eval('#unit-arrears .money', (el) => [el.dataset.fen, el.textContent]), [a.arrears_to_date, yuan(a.arrears_to_date)]);
    assert.ok(BigInt(a.arrears_to_date) > 0n, 'a unit registered today owes from the start month');

    const fee = BigInt(a.monthly_fee);
    const amount = (fee * 2n).toString();
    await page.fill('#payment-form input[name=amount]', typed(amount));
    assert.equal(await page.inputValue('#payment-form input[name=months]'), '2', 'two months of fees fill in two months');
    assert.equal(await page.textContent('[data-echo-for=amount]'), `将记为 ${yuan(amount)}`);
    await page.fill('#payment-form input[name=receipt_ref]', 'WEB-R-0001');
    await screen('firm-390-payment-filled');
    const before = calls.length;
    await page.click('#payment-form button[type=submit]');
    const done = await page.waitForSelector('#payment-done');
    const seq = await done.getAttribute('data-seq');
    assert.match(await done.textContent(), new RegExp(`已登记收费.*9栋1单元101.*${yuan(amount).replace(/[.$]/g, '\\$&')}`));
    assert.equal(await page.$eval('#payment-done code.hash', (el) => el.dataset.hash.length), 64);
    assert.deepEqual(writesSince(before), [['POST', communityPath('/payments')]]);

    const e = await entry(seq);
    const p = e.entry.fee_payment;
    assert.deepEqual({ unit: p.unit_id, amount: p.amount, months: p.months, method: p.method, receipt: p.receipt_ref }, { unit: unit.unit_id, amount, months: 2, method: 'wechat', receipt: 'WEB-R-0001' });
    assert.equal(Buffer.from(e.leaf_hash, 'base64').toString('hex'), await page.$eval('#payment-done code.hash', (el) => el.dataset.hash));
    // The form is fresh for the next person, and the entry heads the community's recent list.
    assert.equal(await page.inputValue('#payment-form input[name=amount]'), '');
    assert.equal(await page.isVisible('#unit-search'), true);
    await page.waitForSelector(`#recent-entries tr[data-seq="${seq}"]`);
    assert.equal(await page.$eval('#recent-entries tbody tr', (tr) => tr.dataset.seq), seq);
    assert.equal(await page.$eval(`#recent-entries tr[data-seq="${seq}"] .money`, (el) => el.dataset.fen), amount);
    await screen('firm-390-payment-done');
  });

  it('an odd amount is asked about, and nothing is written until it is confirmed', { timeout: TEST_MS }, async () => {
    await openTab('payment', '#payment-form');
    const unit = UNITS[1];
    const fee = BigInt((await account(unit.unit_id)).monthly_fee);
    const odd = fee + 1n; // one fen more than a month's fee
    await chooseUnit('单元102', unit.unit_id);
    await page.fill('#payment-form input[name=amount]', `¥${typed(odd)}`);
    const size = await treeSize();
    const before = calls.length;
    await page.click('#payment-form button[type=submit]');
    await page.waitForSelector('#pay-confirm:not([hidden]) li[data-doubt="odd"]');
    assert.match(await page.textContent('#pay-confirm'), new RegExp(`不是月物业费 ${yuan(fee).replace(/[.$]/g, '\\$&')} 的整数倍`));
    await screen('firm-390-payment-confirm');
    await noSidewaysScroll('the confirmation');
    assert.deepEqual(writesSince(before), [], 'the page wrote before it was confirmed');
    assert.equal(await treeSize(), size);

    // Going back writes nothing either; asked again, confirmed, it is recorded once.
    await page.click('#pay-confirm-no');
    assert.equal(await page.isHidden('#pay-confirm'), true);
    await page.click('#payment-form button[type=submit]');
    await page.click('#pay-confirm-yes');
    const seq = await (await page.waitForSelector('#payment-done')).getAttribute('data-seq');
    assert.equal((await entry(seq)).entry.fee_payment.amount, odd.toString());
    assert.deepEqual(writesSince(before), [['POST', communityPath('/payments')]]);
  });

  it('more than the arrears and a year ahead is asked about too', { timeout: TEST_MS }, async () => {
    await openTab('payment', '#payment-form');
    const unit = UNITS[2];
    const a = await account(unit.unit_id);
    const fee = BigInt(a.monthly_fee);
    const months = BigInt(a.arrears_to_date) / fee + 13n;
    await chooseUnit('WEB-9-2', unit.unit_id);
    await page.fill('#payment-form input[name=amount]', typed(fee * months));
    const before = calls.length;
    await page.click('#payment-form button[type=submit]');
    await page.waitForSelector('#pay-confirm:not([hidden]) li[data-doubt="over"]');
    assert.equal(await page.$$eval('#pay-confirm li', (lis) => lis.length), 1, 'a whole number of fees is not odd');
    assert.deepEqual(writesSince(before), []);
  });

  it('a double tap records one payment', { timeout: TEST_MS }, async () => {
    await openTab('payment', '#payment-form');
    const unit = UNITS[2];
    const fee = (await account(unit.unit_id)).monthly_fee;
    await chooseUnit('9栋2单元301', unit.unit_id);
    await page.fill('#payment-form input[name=amount]', typed(fee));
    await page.fill('#payment-form input[name=receipt_ref]', 'WEB-R-DOUBLE');
    const size = await treeSize();
    await page.dblclick('#payment-form button[type=submit]');
    await page.waitForSelector('#payment-done');
    const { entries } = await world.api.get(`/v1/entries?community=${demo.community}&after_seq=${size - 1}`, firm());
    const recorded = entries.filter((x) => x.entry.fee_payment?.receipt_ref === 'WEB-R-DOUBLE');
    assert.equal(recorded.length, 1, `recorded ${recorded.length} times`);
  });

  it('"12.345", "-5" and "abc" are refused in Chinese beside the amount, and nothing is sent', { timeout: TEST_MS }, async () => {
    await openTab('payment', '#payment-form');
    await chooseUnit('9栋1单元101', UNITS[0].unit_id);
    const size = await treeSize();
    const before = calls.length;
    for (const [text, problem, words] of [
      ['12.345', 'amount-decimals', /最多两位小数/],
      ['-5', 'amount-negative', /不能为负数/],
      ['abc', 'amount-format', /金额格式不对/],
      ['', 'amount-empty', /请填写金额/],
      ['0', 'amount-zero', /须大于/],
    ]) {
      await page.fill('#payment-form input[name=amount]', text);
      await page.click('#payment-form button[type=submit]');
      const error = await page.waitForSelector(`[data-error-for=amount][data-problem="${problem}"]`);
      const shown = await error.textContent();
      assert.match(shown, HAN, text);
      assert.match(shown, words, text);
      assert.equal(await page.isHidden('#pay-confirm'), true, text);
    }
    await screen('firm-390-payment-bad-amount');
    assert.deepEqual(writesSince(before), []);
    assert.equal(await treeSize(), size);
  });

  it('a refusal from the server is shown beside the field it is about, in Chinese', { timeout: TEST_MS }, async () => {
    await openTab('payment', '#payment-form');
    const fee = (await account(UNITS[1].unit_id)).monthly_fee;
    await chooseUnit('9栋1单元102', UNITS[1].unit_id);
    await page.fill('#payment-form input[name=amount]', typed(fee));
    await page.fill('#payment-form input[name=receipt_ref]', 'WEB-R-0001'); // held by the first payment
    const size = await treeSize();
    await page.click('#payment-form button[type=submit]');
    const error = await page.waitForSelector('[data-error-for=receipt_ref][data-problem="duplicate-receipt"]');
    assert.match(await error.textContent(), HAN);
    assert.equal(await treeSize(), size);
    await screen('firm-390-payment-duplicate-receipt');
    // Corrected, the same form records it (under a new key: the refused request wrote nothing).
    await page.fill('#payment-form input[name=receipt_ref]', 'WEB-R-0002');
    await page.click('#payment-form button[type=submit]');
    const seq = await (await page.waitForSelector('#payment-done')).getAttribute('data-seq');
    assert.equal((await entry(seq)).entry.fee_payment.receipt_ref, 'WEB-R-0002');
  });

  it('a disbursement: the PNG voucher is hashed in the browser, recorded, uploaded and served byte for byte', { timeout: TEST_MS }, async () => {
    await openTab('disbursement', '#disbursement-form');
    const voucher = fileOf('invoice.png', makePng(24, 16));
    await page.selectOption('#disbursement-form select[name=category]', 'CLEANING');
    await page.fill('#disbursement-form input[name=amount]', '1,288.80');
    await page.fill('#disbursement-form input[name=payee]', '洁净保洁服务有限公司');
    await page.fill('#disbursement-form textarea[name=description]', '公共区域保洁耗材\n（拖把、清洁剂）');
    await page.setInputFiles('#disbursement-form input[name=voucher]', voucher.path);
    await page.waitForSelector(`#voucher-info[data-sha256="${voucher.sha256}"]`);
    await screen('firm-390-disbursement-filled');
    await page.click('#disbursement-form button[type=submit]');
    const seq = await (await page.waitForSelector('#disbursement-done')).getAttribute('data-seq');
    const d = (await entry(seq)).entry.disbursement;
    assert.deepEqual(
      { fund: d.fund, category: d.category, amount: d.amount, payee: d.payee, description: d.description, voucher: d.voucher_sha256 },
      { fund: 'FEES', category: 'CLEANING', amount: '128880', payee: '洁净保洁服务有限公司', description: '公共区域保洁耗材 （拖把、清洁剂）', voucher: voucher.sha256 },
    );
    await page.waitForSelector('#voucher-upload:not([data-state="uploading"])');
    await screen('firm-390-disbursement-done');
    assert.equal(await page.$eval('#voucher-upload', (el) => el.dataset.state), 'uploaded', await page.textContent('#voucher-upload'));
    const served = await fetch(`${world.url}/v1/vouchers/${voucher.sha256}`, { headers: { Authorization: `Bearer ${firm()}` } });
    assert.equal(served.status, 200);
    assert.equal(served.headers.get('content-type').split(';')[0], 'image/png');
    assert.ok(Buffer.from(await served.arrayBuffer()).equals(voucher.bytes), 'the voucher served is not the file uploaded');
  });

  it('an upload that fails leaves the entry recorded and offers to upload again', { timeout: TEST_MS }, async () => {
    await openTab('disbursement', '#disbursement-form');
    const voucher = fileOf('contract.pdf', makePdf('web firm test contract'));
    await page.selectOption('#disbursement-form select[name=category]', 'GREENERY');
    await page.fill('#disbursement-form input[name=amount]', '300');
    await page.fill('#disbursement-form input[name=payee]', '绿源园艺');
    await page.fill('#disbursement-form textarea[name=description]', '草坪修剪');
    await page.setInputFiles('#disbursement-form input[name=voucher]', voucher.path);
    await page.waitForSelector(`#voucher-info[data-sha256="${voucher.sha256}"]`);
    let aborted = 0;
    await page.route('**/v1/vouchers/**', (route) => ((aborted += 1), route.abort('connectionreset')));
    await page.click('#disbursement-form button[type=submit]');
    const seq = await (await page.waitForSelector('#disbursement-done')).getAttribute('data-seq');
    await page.waitForSelector('#voucher-upload[data-state="failed"] #voucher-retry');
    assert.equal(aborted, 1);
    assert.match(await page.textContent('#voucher-upload'), /已记入账本/);
    assert.equal((await entry(seq)).entry.disbursement.voucher_sha256, voucher.sha256);
    await screen('firm-390-voucher-retry');
    await page.unroute('**/v1/vouchers/**');
    await page.click('#voucher-retry');
    await page.waitForSelector('#voucher-upload:not([data-state="uploading"])');
    assert.equal(await page.$eval('#voucher-upload', (el) => el.dataset.state), 'uploaded', await page.textContent('#voucher-upload'));
    const served = await fetch(`${world.url}/v1/vouchers/${voucher.sha256}`, { headers: { Authorization: `Bearer ${firm()}` } });
    assert.equal(served.headers.get('content-type').split(';')[0], 'application/pdf');
    assert.ok(Buffer.from(await served.arrayBuffer()).equals(voucher.bytes));
  });

  it('a voucher over 10 MiB or of another type is refused before anything is sent', { timeout: TEST_MS }, async () => {
    await openTab('disbursement', '#disbursement-form');
    const before = calls.length;
    const big = fileOf('huge.png', Buffer.concat([makePng(2, 2), Buffer.alloc(VOUCHER_BYTES_MAX)]));
    await page.setInputFiles('#disbursement-form input[name=voucher]', big.path);
    const tooLarge = await page.waitForSelector('[data-error-for=voucher][data-problem="voucher-too-large"]');
    assert.match(await tooLarge.textContent(), /超过 10 MB/);
    const text = fileOf('notes.txt', Buffer.from('这不是凭证'));
    await page.setInputFiles('#disbursement-form input[name=voucher]', text.path);
    await page.waitForSelector('[data-error-for=voucher][data-problem="bad-voucher-type"]');
    await page.fill('#disbursement-form input[name=amount]', '10');
    await page.fill('#disbursement-form input[name=payee]', '某公司');
    await page.fill('#disbursement-form textarea[name=description]', '测试');
    await page.click('#disbursement-form button[type=submit]');
    await page.waitForSelector('[data-error-for=voucher][data-problem="voucher-required"]');
    assert.deepEqual(writesSince(before), []);
  });

  it('public revenue is spent only under a passed resolution, chosen from a list', { timeout: TEST_MS }, async () => {
    await openTab('disbursement', '#disbursement-form');
    const { proposals } = await world.api.get(communityPath('/proposals'), firm());
    const passed = proposals.filter((p) => p.status === 'passed' && p.fund === 'PUBLIC_REVENUE').map((p) => p.resolution_id);
    assert.ok(passed.length > 0, 'the demo passed a public-revenue proposal');
    assert.equal(await page.isHidden('[data-field=resolution_id]'), true, 'the fee fund needs no resolution');
    await page.selectOption('#disbursement-form select[name=fund]', 'PUBLIC_REVENUE');
    assert.deepEqual(await page.$$eval('#disbursement-form select[name=resolution_id] option', (os) => os.map((o) => o.value)), passed);
    const first = proposals.find((p) => p.resolution_id === passed[0]);
    assert.match(await page.textContent('#resolution-left'), new RegExp(`尚可支出 ${yuan(BigInt(first.amount) - BigInt(first.disbursed_under_resolution)).replace(/[.$]/g, '\\$&')}$`));
    assert.equal(await page.$eval('#disbursement-form option[value=REMUNERATION]', (o) => o.disabled), true, 'remuneration is paid from fees only');
    const voucher = fileOf('play.jpg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('JFIF web firm test'), Buffer.from([0xff, 0xd9])]));
    await page.selectOption('#disbursement-form select[name=category]', 'OTHER');
    await page.fill('#disbursement-form input[name=amount]', '66.60');
    await page.fill('#disbursement-form input[name=payee]', '童乐设备有限公司');
    await page.fill('#disbursement-form textarea[name=description]', '游乐设施配件');
    await page.setInputFiles('#disbursement-form input[name=voucher]', voucher.path);
    await page.waitForSelector(`#voucher-info[data-sha256="${voucher.sha256}"]`);
    await screen('firm-390-disbursement-public-revenue');
    await page.click('#disbursement-form button[type=submit]');
    const seq = await (await page.waitForSelector('#disbursement-done')).getAttribute('data-seq');
    const d = (await entry(seq)).entry.disbursement;
    assert.deepEqual([d.fund, d.amount, d.resolution_id, d.voucher_sha256], ['PUBLIC_REVENUE', '6660', passed[0], voucher.sha256]);
  });

  it('public revenue: "1,234.56" is recorded as 123456 fen', { timeout: TEST_MS }, async () => {
    await openTab('revenue', '#revenue-form');
    await page.selectOption('#revenue-form select[name=source]', 'advertising');
    await page.fill('#revenue-form input[name=amount]', '1,234.56');
    await page.fill('#revenue-form input[name=payer]', '城市之光传媒');
    await page.fill('#revenue-form input[name=contract_ref]', 'AD-2026-07');
    await screen('firm-390-revenue-filled');
    await page.click('#revenue-form button[type=submit]');
    const seq = await (await page.waitForSelector('#revenue-done')).getAttribute('data-seq');
    const r = (await entry(seq)).entry.public_revenue;
    assert.deepEqual([r.source, r.amount, r.payer, r.contract_ref], ['advertising', '123456', '城市之光传媒', 'AD-2026-07']);
    await page.waitForSelector(`#recent-entries tr[data-seq="${seq}"][data-kind="public_revenue"]`);
    await screen('firm-390-revenue-done');
  });

  it('phones: no tab scrolls sideways at 360, 390 and 414 px', { timeout: TEST_MS }, async () => {
    for (const [tab, ready] of [['payment', '#payment-form'], ['disbursement', '#disbursement-form'], ['revenue', '#revenue-form']]) {
      await openTab(tab, ready);
      if (tab === 'payment') await chooseUnit('9栋1单元101', UNITS[0].unit_id);
      await noSidewaysScroll(tab);
      await page.setViewportSize({ width: 360, height: PHONE.height });
      await screenshot(world, page, `firm-360-${tab}`);
      await page.setViewportSize(PHONE);
    }
  });
});
