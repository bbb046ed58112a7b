// The firm's tools in a real browser (Debian's headless Chromium via playwright-core) against the
// real mingzhangd and a small demo district, on a phone (390x844) in Chinese:
// - import: a GBK CSV (as Excel on Chinese Windows saves it) with one bad row shows that row's
//   error in Chinese and writes nothing; the fixed file imports whole, each amount exact, keys as
//   `mingzhang import` makes them; the same file again writes nothing, and a file the CLI
//   imported is all replays in the portal;
// - reconcile: a CCB export in GBK built from the ledger's own payments (some exact, one a day
//   late, one stranger's) shows totals equal to those computed here from the entries;
// - invitations: a sheet for chosen units, each card's QR code read back from a screenshot with
//   jsQR, a decoded code redeemed through the API; report and sheet print on A4.
//
//   ctest --test-dir BUILD -R web_firm_tools --output-on-failure
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { env, newPage, pixelsOfPng, runCommand, screenshot, signIn, startWorld, yuan } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { problemText } = await import(join(here, '..', '..', 'api', 'web', 'src', 'problems.js'));
const jsQR = createRequire(join(env('PORTAL_NODE_MODULES'), 'resolve-from-here.js'))('jsqr');

const STEP_MS = 20_000;
const TEST_MS = 180_000;
const PHONE = { width: 390, height: 844 };
const PHONES = [360, 390, 414];
const A4_POINTS = [595.28, 841.89];
const A4_TOLERANCE_POINTS = 1;
const DAY_MS = 86_400_000;
const ENTRIES_PAGE = 1000;
const STRANGER_FEN = 123n; // ¥1.23: no demo item has this amount

let world;
let demo;
let page;
let me; // the firm's community, with its name and units
const firm = () => demo.tokens.firm;
const path = (rest) => `/v1/communities/${demo.community}${rest}`;

// The text as GBK bytes, by glibc's iconv (not the page's decoder, nor the server's code).
const gbk = (text) => execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: Buffer.from(text, 'utf8') });

async function treeSize() {
  const note = (await world.api.call('GET', '/v1/checkpoint')).text;
  return Number(note.split('\n')[1]);
}

async function allEntries() {
  const out = [];
  let after = null;
  for (;;) {
    const q = `community=${demo.community}&limit=${ENTRIES_PAGE}${after === null ? '' : `&after_seq=${after}`}`;
    const pageOf = await world.api.get(`/v1/entries?${q}`, firm());
    out.push(...pageOf.entries);
    if (pageOf.entries.length < ENTRIES_PAGE) return out;
    after = pageOf.entries.at(-1).seq;
  }
}

async function noSidewaysScroll(name) {
  for (const width of PHONES) {
    await page.setViewportSize({ width, height: PHONE.height });
    const l = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    // What overflows, named in the failure: the element whose content is wider than its box.
    const wide = l.scrollWidth <= l.innerWidth ? [] : await page.evaluate(() => [...document.querySelectorAll('body *')].filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => `${el.tagName}.${el.className}#${el.id}`));
    assert.ok(l.scrollWidth <= l.innerWidth, `${name} at ${width} px is ${l.scrollWidth} px wide: ${wide.join(', ')}`);
  }
  await page.setViewportSize(PHONE);
  await screenshot(world, page, `firm-tools-390-${name}`);
}

let visits = 0;
async function openTab(tab, ready) {
  visits += 1;
  await page.goto(`${world.url}/#/firm?tab=${tab}&n=${visits}`);
  await page.waitForSelector(ready);
}


// The page as printed (body[data-print], as its print button sets it): A4 pages, their text.
async function printed(kind, name) {
  await page.evaluate((k) => (document.body.dataset.print = k), kind);
  const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
  await page.evaluate(() => delete document.body.dataset.print);
  const file = join(world.screenshots, `${name}.pdf`);
  writeFileSync(file, pdf);
  const boxes = [...pdf.toString('latin1').matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)].map((m) => [Number(m[1]), Number(m[2])]);
  assert.ok(boxes.length >= 1);
  for (const box of boxes) assert.ok(Math.abs(box[0] - A4_POINTS[0]) <= A4_TOLERANCE_POINTS && Math.abs(box[1] - A4_POINTS[1]) <= A4_TOLERANCE_POINTS, `page box ${box}`);
  const pages = [...pdf.toString('latin1').matchAll(/\/Type\s*\/Page(?![s\w])/g)].length;
  return { pages, text: execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }) };
}

const importKey = (line) => `import-${createHash('sha256').update(line, 'utf8').digest('hex').slice(0, 16)}`;

describe('the firm imports, reconciles and invites from the portal', { timeout: 6 * TEST_MS }, () => {
  before(async () => {
    world = await startWorld();
    demo = world.demo;
    me = (await world.api.get('/v1/me', firm())).communities.find((c) => c.community_id === demo.community);
    page = await newPage(world);
    page.setDefaultTimeout(STEP_MS);
    await page.setViewportSize(PHONE);
    await signIn(page, world.url, '#/firm', { token: firm() });
  });

  after(async () => {
    if (!world) return;
    assert.deepEqual(world.pageErrors, [], 'the page threw');
    const code = await world.close();
    assert.equal(code, 0, 'mingzhangd did not stop cleanly');
  });

  it('imports a GBK CSV all or nothing, with each bad row named in Chinese', { timeout: TEST_MS }, async () => {
    const units = me.units.slice(0, 4).map((u) => u.unit_id);
    const header = 'unit_id,amount_yuan,period,months,paid_on,method,receipt_ref';
    const rows = [
      `${units[0]},256.50,2026-12,1,2026-12-01,bank,网银-收据001`,
      `${units[1]},"1024.05",2026-12,3,2026-12-02,wechat,微信-收据002`,
      `${units[2]},0.01,2026-12,1,2026-12-03,cash,`,
      `${units[3]},300,2026-12,1,2026-12-03,alipay,支付宝-收据004`,
    ];
    const fen = ['25650', '102405', '1', '30000'];
    const bad = [...rows];
    bad[2] = `无此房号-1,0.01,2026-12,1,2026-12-03,cash,`; // line 4: refused here (bad id)
    bad[3] = `NO-SUCH-UNIT,300,2026-12,1,2026-12-03,alipay,支付宝-收据004`; // line 5: refused by the server
    const before = await treeSize();

    await openTab('import', '#import-file');
    // A file the page itself refuses: the id is no id; nothing goes to the server.
    await page.setInputFiles('#import-file', { name: '收费.csv', mimeType: 'text/csv', buffer: gbk([header, ...bad].join('\r\n') + '\r\n') });
    await page.waitForSelector('#import-verdict[data-ok="false"]');
    assert.match(await page.textContent('#import-problems li[data-line="4"]'), /^第 4 行：房号（unit_id）只能由字母、数字和 \. _ - 组成/);
    assert.equal(await page.$('#import-submit'), null);
    // Only the server knows the unit is not registered: it names line 5 (index 3) in Chinese.
    bad[2] = rows[2];
    await page.setInputFiles('#import-file', { name: '收费.csv', mimeType: 'text/csv', buffer: gbk([header, ...bad].join('\r\n') + '\r\n') });
    await page.waitForSelector('#import-verdict[data-ok="false"]');
    assert.equal(await page.getAttribute('#import-summary', 'data-encoding'), 'gbk');
    const problems = await page.$$eval('#import-problems li', (lis) => lis.map((li) => [li.dataset.line, li.dataset.problem, li.textContent]));
    assert.deepEqual(problems, [['5', 'unknown-unit', `第 5 行：${problemText('zh-CN', 'unknown-unit')}`]]);
    assert.match(await page.textContent('#import-verdict'), /有 1 处问题.*一笔也没有导入/);
    assert.equal(await page.$('#import-submit'), null);
    assert.equal(await page.getAttribute('#import-preview tr[data-line="5"]', 'class'), 'bad');
    await noSidewaysScroll('import-refused');
    assert.equal(await treeSize(), before, 'a refused file wrote something');

    // The fixed file: checked, then imported whole.
    const good = gbk([header, ...rows].join('\r\n') + '\r\n');
    await page.setInputFiles('#import-file', { name: '收费.csv', mimeType: 'text/csv', buffer: good });
    await page.waitForSelector('#import-verdict[data-ok="true"]');
    assert.equal(await page.getAttribute('#import-summary', 'data-fen'), String(fen.reduce((a, b) => a + BigInt(b), 0n)));
    assert.deepEqual(await page.$$eval('#import-preview tbody tr', (trs) => trs.map((tr) => tr.dataset.fen)), fen);
    await noSidewaysScroll('import-ready');
    await page.click('#import-submit');
    await page.waitForSelector('#import-result .done');
    assert.equal(await page.getAttribute('#import-result .done', 'data-written'), '4');
    assert.match(await page.textContent('#import-result'), /已导入 4 笔收费：新记入 4 笔，0 笔此前已记入/);
    assert.equal(await treeSize(), before + 4);
    const written = (await allEntries()).filter((e) => e.entry.idempotency_key?.startsWith('import-') && Number(e.seq) >= before);
    assert.deepEqual(
      written.map((e) => [e.entry.idempotency_key, e.entry.fee_payment.unit_id, e.entry.fee_payment.amount, e.entry.fee_payment.receipt_ref ?? '']),
      rows.map((line, i) => [importKey(line), units[i], fen[i], line.split(',').at(-1)]),
    );
    await screenshot(world, page, 'firm-tools-390-import-done');

    // The same file again: every row a replay, nothing written.
    await page.setInputFiles('#import-file', { name: '收费.csv', mimeType: 'text/csv', buffer: good });
    await page.waitForSelector('#import-verdict[data-ok="true"]');
    assert.match(await page.textContent('#import-verdict'), /其中 4 笔此前已经导入过/);
    await page.click('#import-submit');
    await page.waitForSelector('#import-result .done');
    assert.equal(await page.getAttribute('#import-result .done', 'data-replayed'), '4');
    assert.equal(await treeSize(), before + 4);
  });

  it('a file imported by `mingzhang import` is all replays when the portal imports it again', { timeout: TEST_MS }, async () => {
    const units = me.units.slice(4, 6).map((u) => u.unit_id);
    assert.equal(units.length, 2, 'the demo community has six units');
    const csv = ['unit_id,amount_yuan,period,months,paid_on,method,receipt_ref', `${units[0]},88.80,2026-12,1,2026-12-04,bank,网银-收据101`, `${units[1]},1200,2026-12,6,2026-12-04,wechat,微信-收据102`].join('\r\n') + '\r\n';
    const file = join(world.root, '命令行导入.csv');
    writeFileSync(file, csv);
    const before = await treeSize();
    const cli = await runCommand([env('MINGZHANG_CLI'), 'import', '--server', world.url, '--token-file', join(world.root, 'demo-tokens', 'firm.token'), '--community', demo.community, '--csv', file], STEP_MS);
    assert.equal(cli.code, 0, cli.output);
    assert.match(cli.output, /2 written, 0 replayed/);
    assert.equal(await treeSize(), before + 2);

    // The same bytes through the portal: its keys are the CLI's, so nothing is written twice.
    await openTab('import', '#import-file');
    await page.setInputFiles('#import-file', { name: '命令行导入.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    await page.waitForSelector('#import-verdict[data-ok="true"]');
    assert.match(await page.textContent('#import-verdict'), /其中 2 笔此前已经导入过/);
    await page.click('#import-submit');
    await page.waitForSelector('#import-result .done');
    assert.equal(await page.getAttribute('#import-result .done', 'data-written'), '0');
    assert.equal(await page.getAttribute('#import-result .done', 'data-replayed'), '2');
    assert.match(await page.textContent('#import-result'), /新记入 0 笔，2 笔此前已记入/);
    assert.equal(await treeSize(), before + 2, 'the portal wrote a row the CLI had written');
  });

  it('reconciles a GBK CCB export and shows exact totals', { timeout: TEST_MS }, async () => {
    const entries = await allEntries();
    const reversed = new Set(entries.filter((e) => e.entry.reversal).map((e) => String(e.entry.reversal.target_seq)));
    const items = [];
    for (const e of entries) {
      if (reversed.has(e.seq)) continue;
      const x = e.entry;
      if (x.fee_payment) items.push({ seq: e.seq, date: x.fee_payment.paid_on, fen: BigInt(x.fee_payment.amount), credit: true, ref: x.fee_payment.receipt_ref ?? '', method: x.fee_payment.method });
      if (x.disbursement) items.push({ seq: e.seq, date: x.disbursement.paid_on, fen: BigInt(x.disbursement.amount), credit: false });
      if (x.public_revenue) items.push({ seq: e.seq, date: x.public_revenue.received_on, fen: BigInt(x.public_revenue.amount), credit: true });
    }
    // The bank saw the bank, WeChat and Alipay payments of the demo's first month's days 3-20; one of
    // them booked a day late and without the receipt; and ¥1.23 from a stranger.
    const month = demo.firstMonth;
    const atBank = items.filter((i) => i.credit && i.ref && ['bank', 'wechat', 'alipay'].includes(i.method) && i.date >= `${month}-03` && i.date <= `${month}-20`);
    assert.ok(atBank.length >= 4, `only ${atBank.length} demo payments in ${month}`);
    const late = atBank[1];
    const nextDay = (d) => new Date(Date.parse(`${d}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
    const yuanCell = (fen) => `"${yuan(fen).slice(1)}"`;
    const lines = atBank.map((i) => [i === late ? `${nextDay(i.date).replaceAll('-', '')} 16:05:11` : `${i.date.replaceAll('-', '')} 10:00:00`, '0.00', yuanCell(i.fen), '"0.00"', '人民币', '业主', '6217000000000000', '建设银行兰亭支行', i.date.replaceAll('-', ''), '转账', i === late ? '-' : i.ref]);
    lines.push([`${month.replace('-', '')}10 09:30:00`, '0.00', '1.23', '"0.00"', '人民币', '陌生人', '-', '-', `${month.replace('-', '')}10`, '利息', '-']);
    const csv = ['交易时间,借方发生额（支取）,贷方发生额（收入）,余额,币种,对方户名,对方账号,对方开户机构,记账日期,摘要,备注', ...lines.map((l) => l.join(','))].join('\r\n') + '\r\n';

    // What the report must say, from the entries: items dated within the statement's dates ± 3 days.
    const dates = [...atBank.map((i) => (i === late ? nextDay(i.date) : i.date)), `${month}-10`].sort();
    const shift = (d, days) => new Date(Date.parse(`${d}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
    const inWindow = items.filter((i) => i.date >= shift(dates[0], -3) && i.date <= shift(dates.at(-1), 3));
    const total = (list) => ({
      count: String(list.length),
      fen: String(list.reduce((s, i) => s + i.fen, 0n)),
      credit: String(list.filter((i) => i.credit).reduce((s, i) => s + i.fen, 0n)),
      debit: String(list.filter((i) => !i.credit).reduce((s, i) => s + i.fen, 0n)),
    });
    const matchedSet = new Set(atBank);
    const expected = {
      matched: total(atBank),
      only_in_ledger: total(inWindow.filter((i) => !matchedSet.has(i))),
      only_at_bank: total([{ fen: STRANGER_FEN, credit: true }]),
    };
    assert.ok(inWindow.length > atBank.length, 'the window holds ledger items the bank did not see');

    await openTab('reconcile', '#reconcile-file');
    await page.setInputFiles('#reconcile-file', { name: '建行流水.csv', mimeType: 'text/csv', buffer: gbk(csv) });
    await page.waitForSelector('#reconcile-report');
    assert.equal(await page.getAttribute('#reconcile-report', 'data-encoding'), 'GB18030');
    assert.equal(await page.getAttribute('#reconcile-report', 'data-format'), 'CCB');
    for (const [name, want] of Object.entries(expected)) {
      const got = await page.$eval(`#total-${name}`, (el) => ({ count: el.dataset.count, fen: el.dataset.fen, credit: el.dataset.credit, debit: el.dataset.debit, shown: el.querySelector('.money').textContent, text: el.textContent }));
      assert.deepEqual({ count: got.count, fen: got.fen, credit: got.credit, debit: got.debit }, want, name);
      assert.equal(got.shown, yuan(want.fen));
      assert.ok(got.text.includes(`${want.count} 笔`), got.text);
    }
    assert.equal(await page.$$eval('#rec-matched tbody tr', (trs) => trs.length), atBank.length);
    assert.deepEqual(await page.$$eval('#rec-only-bank tbody tr td.money', (tds) => tds.map((td) => td.dataset.fen)), [String(STRANGER_FEN)]);
    await noSidewaysScroll('reconcile');

    const paper = await printed('report', 'reconcile-report');
    for (const words of ['银行对账报告', '已对上', '只在账本', '只在银行', me.name, yuan(expected.matched.fen)]) assert.ok(paper.text.includes(words), `the printed report lacks "${words}"`);
    assert.ok(!paper.text.includes('选择银行对账单'), 'the upload form was printed');

    // A damaged export is refused, naming its line; nothing else is shown.
    const damaged = Buffer.concat([gbk(csv.split('\r\n').slice(0, 3).join('\r\n')), Buffer.from([0x81, 0x2c, 0x0d, 0x0a])]);
    await page.setInputFiles('#reconcile-file', { name: 'bad.csv', mimeType: 'text/csv', buffer: damaged });
    await page.waitForSelector('#reconcile-out .error[data-problem="bad-bank-statement"]');
    assert.match(await page.textContent('#reconcile-out'), /line 3: byte 0x81 is neither UTF-8 nor GBK/);
  });

  it('prints invitations whose QR codes open the join page with a code that works once', { timeout: TEST_MS }, async () => {
    const chosen = me.units.slice(5, 8);
    await openTab('invitations', '#inv-create');
    await page.check('#inv-some');
    for (const u of chosen) {
      await page.fill('#inv-filter', u.unit_id);
      await page.check(`#inv-units input[value="${u.unit_id}"]`);
    }
    assert.equal(await page.textContent('#inv-chosen'), '已选 3 户');
    await page.click('#inv-create');
    await page.waitForSelector('#inv-sheet .invite-card');
    assert.match(await page.textContent('#inv-ready'), /邀请码只显示这一次，请现在打印/);
    const cards = await page.$$('#inv-sheet .invite-card');
    assert.equal(cards.length, 3);
    await noSidewaysScroll('invitations');

    const decoded = [];
    for (const [i, card] of cards.entries()) {
      const { unit, code } = await card.evaluate((el) => ({ unit: el.dataset.unit, code: el.dataset.code }));
      assert.equal(unit, chosen[i].unit_id);
      assert.match(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      const text = await card.textContent();
      for (const words of [me.name, chosen[i].label || chosen[i].unit_id, code, '用手机扫码，或打开网址输入邀请码']) assert.ok(text.includes(words), `card ${i} lacks "${words}"`);
      const { width, height, data } = await pixelsOfPng(world, await (await card.$('svg.qr')).screenshot());
      const qr = jsQR(Uint8ClampedArray.from(data), width, height);
      assert.ok(qr, `jsQR read no QR code on card ${i}`);
      assert.equal(qr.data, `${world.url}/#/join?code=${code}`);
      decoded.push({ unit, code: new URL(qr.data).hash.split('code=')[1] });
    }
    // The codes live in the page only.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    for (const d of decoded) assert.ok(!stored.includes(d.code) && !stored.includes(d.code.replaceAll('-', '')), 'a code was stored');

    // On paper (A4 less 12 mm margins: 703 CSS px) each code stays whole beside its QR code.
    await page.setViewportSize({ width: 703, height: 1000 });
    await page.emulateMedia({ media: 'print' });
    await page.evaluate(() => (document.body.dataset.print = 'invitations'));
    const clipped = await page.$$eval('.invite-card', (all) =>
      all.filter((c) => c.querySelector('.inv-code').getBoundingClientRect().right > c.querySelector('svg.qr').getBoundingClientRect().left).map((c) => c.dataset.unit),
    );
    await page.evaluate(() => delete document.body.dataset.print);
    await page.emulateMedia({ media: null });
    await page.setViewportSize(PHONE);
    assert.deepEqual(clipped, [], 'a code runs under its QR code on paper');
    const paper = await printed('invitations', 'invitations');
    assert.equal(paper.pages, 1, `3 cards print on ${paper.pages} pages`);
    for (const words of [me.name, decoded[0].code, '用手机扫码']) assert.ok(paper.text.includes(words), `the printed sheet lacks "${words}"`);
    assert.ok(!paper.text.includes('生成邀请码'), 'the form was printed');

    // An owner redeems a decoded code: it names the card's unit; a second try is refused.
    const redeemed = await world.api.post('/v1/invitations:redeem', null, { code: decoded[2].code });
    assert.equal(redeemed.unit_id, decoded[2].unit);
    assert.equal(redeemed.community_id, demo.community);
    await assert.rejects(world.api.post('/v1/invitations:redeem', null, { code: decoded[2].code }), /409.*invitation-used/);
  });
});
