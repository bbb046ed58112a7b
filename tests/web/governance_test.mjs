// Governance in a real browser (Debian's headless Chromium via playwright-core) against the real
// mingzhangd and a small demo district: the committee's proposals with live turnout, a proposal
// made and a vote closed from the page; the regulator's lists of firms and communities; the
// printable notice as a PDF (one A4 page, its Chinese headings) whose QR code, read back from a
// screenshot with jsQR, opens the check of that very statement, which a resident who was not
// signed in reaches through an invitation code and sees pass.
//
//   ctest --test-dir BUILD -R web_governance --output-on-failure
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { env, newPage, pixelsOfPng, screenshot, signIn, startWorld, yuan } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { canonicalJson } = await import(join(here, '..', '..', 'api', 'web', 'src', 'verify.js'));
const jsQR = createRequire(join(env('PORTAL_NODE_MODULES'), 'resolve-from-here.js'))('jsqr');

const STEP_MS = 20_000;
const TEST_MS = 120_000;
const PHONE = { width: 390, height: 844 };
const A4_POINTS = [595.28, 841.89];
const A4_TOLERANCE_POINTS = 1;
const DAY_MS = 86_400_000;
const CST_OFFSET_MS = 8 * 3_600_000;
const NOTICE_HEADINGS = ['一、收入', '二、支出（按类别）', '三、资金余额', '四、物业酬金', '五、物业费收缴率', '六、核验', '物业费与公共收益收支公示'];

let world;
let demo;
let community; // the committee's community, with its name
const cstDay = (days) => new Date(Date.now() + CST_OFFSET_MS + days * DAY_MS).toISOString().slice(0, 10);
const path = (rest) => `/v1/communities/${community.community_id}${rest}`;
// part / whole as a whole percent rounded down, computed apart from the page.
const percent = (part, whole) => `${(BigInt(part) * 100n) / BigInt(whole)}%`;

async function noSidewaysScroll(page, name) {
  await page.setViewportSize(PHONE);
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  assert.ok(scrollWidth <= innerWidth, `${name} at ${PHONE.width} px is ${scrollWidth} px wide`);
  await screenshot(world, page, `phone-390-${name}`);
}


function sha256Hex(text) {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

describe('governance in Chromium', { timeout: 10 * TEST_MS }, () => {
  before(async () => {
    world = await startWorld();
    demo = world.demo;
    const me = await world.api.get('/v1/me', demo.tokens.committee);
    community = me.communities[0];
  });

  after(async () => {
    if (!world) return;
    const code = await world.close();
    assert.equal(code, 0, 'mingzhangd did not exit cleanly');
  });

  it('committee: every proposal with its live turnout against the quorum, in bars and words', { timeout: TEST_MS }, async () => {
    const { proposals } = await world.api.get(path('/proposals'), demo.tokens.committee);
    const open = proposals.filter((p) => p.status === 'open');
    assert.ok(open.length >= 1 && proposals.length > open.length, 'the demo has an open and a closed proposal');
    const page = await newPage(world);
    page.setDefaultTimeout(STEP_MS);
    await signIn(page, world.url, '#/committee', { token: demo.tokens.committee });
    await page.waitForSelector('#committee-proposals article');
    assert.equal(await page.$eval('#nav-committee', (a) => a.classList.contains('active')), true);
    const shown = await page.$$eval('#committee-proposals article', (as) => as.map((a) => [a.dataset.proposal, a.dataset.status]));
    assert.deepEqual(new Set(shown.map(String)), new Set(proposals.map((p) => String([p.proposal_id, p.status]))));
    for (const p of open) {
      const card = `article[data-proposal="${p.proposal_id}"]`;
      const x = p.tally;
      const words = await page.textContent(`${card} .turnout-words`);
      assert.ok(words.startsWith(`已有 ${x.voted_units} 户投票，占总户数 ${percent(x.voted_units, x.eligible_units)}，面积 ${percent(x.voted_area_centi_m2, x.eligible_area_centi_m2)}：`), words);
      assert.equal(await page.$eval(`${card} .turnout`, (el) => el.dataset.quorum), String(x.quorum_met));
      assert.match(words, x.quorum_met ? /已达到法定参与门槛/ : /尚未达到法定参与门槛/);
      // Not every unit voted and voting runs on: no close button, the refusal's words instead.
      assert.ok(x.voted_units < x.eligible_units && p.closes_on >= cstDay(0));
      assert.equal(await page.$(`${card} button.close-proposal`), null);
      assert.equal(await page.$eval(`${card} .close-refusal`, (el) => el.dataset.problem), 'proposal-still-open');
      assert.match(await page.textContent(`${card} .close-refusal`), /截止日/);
    }
    await noSidewaysScroll(page, 'committee');
    await page.close();
  });

  it('committee: a proposal made on the form is in the log as typed; a past end day is refused', { timeout: TEST_MS }, async () => {
    const page = await newPage(world);
    page.setDefaultTimeout(STEP_MS);
    await signIn(page, world.url, '#/committee', { token: demo.tokens.committee });
    await page.waitForSelector('#proposal-form');
    assert.equal(await page.getAttribute('#proposal-form input[name=closes_on]', 'min'), cstDay(1));
    const before = await world.api.get(path('/proposals'), demo.tokens.committee);
    await page.fill('#proposal-form input[name=title]', '更换3栋电梯');
    await page.selectOption('#proposal-form select[name=matter]', 'SPECIAL');
    await page.fill('#proposal-form input[name=amount]', '１２,３４５。６');
    await page.selectOption('#proposal-form select[name=fund]', 'PUBLIC_REVENUE');
    // Today is too soon (owners need a day): refused on the page, nothing written.
    await page.fill('#proposal-form input[name=closes_on]', cstDay(0));
    await page.click('#proposal-form button[type=submit]');
    assert.match(await page.textContent('#proposal-error'), new RegExp(`截止日最早为明天（${cstDay(1)}）`));
    await page.fill('#proposal-form input[name=amount]', '12.345');
    await page.fill('#proposal-form input[name=closes_on]', cstDay(3));
    await page.click('#proposal-form button[type=submit]');
    assert.match(await page.textContent('#proposal-error'), /最多两位小数/);
    assert.equal((await world.api.get(path('/proposals'), demo.tokens.committee)).proposals.length, before.proposals.length);
    await page.fill('#proposal-form input[name=amount]', '１２,３４５。６');
    await page.click('#proposal-form button[type=submit]');
    await page.waitForSelector('#committee-flash');
    const after = await world.api.get(path('/proposals'), demo.tokens.committee);
    const made = after.proposals.filter((p) => !before.proposals.some((q) => q.proposal_id === p.proposal_id));
    assert.equal(made.length, 1);
    assert.deepEqual(
      { title: made[0].title, matter: made[0].matter, fund: made[0].fund, amount: made[0].amount, closes_on: made[0].closes_on, status: made[0].status },
      { title: '更换3栋电梯', matter: 'SPECIAL', fund: 'PUBLIC_REVENUE', amount: '1234560', closes_on: cstDay(3), status: 'open' },
    );
    assert.match(await page.textContent(`article[data-proposal="${made[0].proposal_id}"]`), /¥12,345\.60/);
    // The server refuses an end day already past whatever the page says (the rule, not the form).
    const refused = await fetch(`${world.url}${path('/proposals')}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${demo.tokens.committee}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ idempotency_key: 'gov-late', proposal_id: 'P-LATE', title: '路灯', matter: 'ORDINARY', amount: '100', fund: 'FEES', closes_on: cstDay(-2) }),
    });
    assert.equal(refused.status, 422);
    assert.equal((await refused.json()).type, 'bad-closes-on');
    await page.close();
  });

  it('committee: two members proposing from pages loaded alike both get their vote; a title is counted in UTF-8 bytes', { timeout: TEST_MS }, async () => {
    const pages = [];
    for (let i = 0; i < 2; i += 1) {
      const page = await newPage(world);
      page.setDefaultTimeout(STEP_MS);
      await signIn(page, world.url, '#/committee', { token: demo.tokens.committee });
      await page.waitForSelector('#proposal-form');
      pages.push(page);
    }
    const before = await world.api.get(path('/proposals'), demo.tokens.committee);
    const propose = async (page, title) => {
      await page.fill('#proposal-form input[name=title]', title);
      await page.fill('#proposal-form input[name=amount]', '800');
      await page.click('#proposal-form button[type=submit]');
    };
    // 67 Chinese characters are 201 UTF-8 bytes, one more than the ledger's kNameBytesMax: refused
    // on the page, nothing sent.
    await propose(pages[0], '楼'.repeat(67));
    assert.match(await pages[0].textContent('#proposal-error'), /最多 66 个汉字或 200 个字母/);
    assert.equal((await world.api.get(path('/proposals'), demo.tokens.committee)).proposals.length, before.proposals.length);
    // 66 of them (200 bytes) are taken; the second page, loaded before that proposal existed,
    // makes its own without a clash of ids or idempotency keys.
    await propose(pages[0], '楼'.repeat(66));
    await pages[0].waitForSelector('#committee-flash');
    await propose(pages[1], '加装门禁');
    await pages[1].waitForSelector('#committee-flash');
    const after = await world.api.get(path('/proposals'), demo.tokens.committee);
    const made = after.proposals.filter((p) => !before.proposals.some((q) => q.proposal_id === p.proposal_id));
    assert.deepEqual(made.map((p) => p.title).sort(), ['加装门禁', '楼'.repeat(66)].sort());
    const day = cstDay(0).replace(/-/g, '');
    for (const p of made) assert.match(p.proposal_id, new RegExp(`^P-${day}-[0-9A-HJKMNP-TV-Z]{4}$`));
    assert.notEqual(made[0].proposal_id, made[1].proposal_id);
    await pages[1].setViewportSize(PHONE);
    await screenshot(world, pages[1], 'phone-390-committee-second');
    for (const page of pages) await page.close();
  });

  it('committee: once every household has voted the page closes the vote, and the result is the log\'s', { timeout: TEST_MS }, async () => {
    const proposal = { proposal_id: 'P-GOV', title: '增设快递柜', matter: 'ORDINARY', amount: '300000', fund: 'PUBLIC_REVENUE', closes_on: cstDay(10) };
    await world.api.post(path('/proposals'), demo.tokens.committee, { idempotency_key: 'gov-proposal', ...proposal });
    const units = community.units.map((u) => u.unit_id);
    for (const [i, unit] of units.entries()) {
      const { token } = await world.api.post('/v1/tokens', demo.tokens.admin, { role: 'owner', principal_id: `gov-owner-${unit}`, communities: [community.community_id], units: [unit] });
      await world.api.post(path('/proposals/P-GOV/votes'), token, { idempotency_key: `gov-vote-${unit}`, unit_id: unit, choice: i % 4 === 3 ? 'NO' : 'YES' });
    }
    const page = await newPage(world);
    page.setDefaultTimeout(STEP_MS);
    page.on('dialog', (d) => d.accept());
    await signIn(page, world.url, '#/committee', { token: demo.tokens.committee });
    const card = 'article[data-proposal="P-GOV"]';
    await page.waitForSelector(`${card} button.close-proposal`);
    assert.match(await page.textContent(`${card} .turnout-words`), new RegExp(`已有 ${units.length} 户投票，占总户数 100%，面积 100%：已达到法定参与门槛`));
    await page.click(`${card} button.close-proposal`);
    await page.waitForSelector(`${card}[data-status="passed"]`);
    const closed = await world.api.get(path('/proposals/P-GOV'), demo.tokens.committee);
    assert.equal(closed.closed, true);
    assert.equal(closed.passed, true);
    assert.equal(closed.tally.voted_units, units.length);
    assert.match(await page.textContent(card), new RegExp(`决议编号 ${closed.resolution_id}`));
    await page.close();
  });

  it('regulator: the firms and communities of the district, each community with its statement, rating and notice', { timeout: TEST_MS }, async () => {
    const [firms, communities, ratings] = await Promise.all([
      world.api.get('/v1/firms', demo.tokens.regulator),
      world.api.get('/v1/communities', demo.tokens.regulator),
      world.api.get(`/v1/ratings?period=${demo.lastMonth}`, demo.tokens.regulator),
    ]);
    const page = await newPage(world);
    page.setDefaultTimeout(STEP_MS);
    await signIn(page, world.url, `#/regulator?period=${demo.lastMonth}`, { token: demo.tokens.regulator });
    await page.waitForSelector('#communities tbody tr');
    assert.deepEqual(await page.$$eval('#firms tr[data-firm-id]', (rows) => rows.map((r) => r.dataset.firmId)), firms.firms.map((f) => f.firm_id));
    assert.deepEqual(await page.$$eval('#communities tr[data-community]', (rows) => rows.map((r) => r.dataset.community)), communities.communities.map((c) => c.community_id));
    const c = community.community_id;
    assert.equal(await page.getAttribute(`#communities tr[data-community="${c}"] a.notice-link`, 'href'), `#/notice?c=${c}&period=${demo.lastMonth}`);
    // Names of Object.prototype's members are no views: the role's own page, not a blank or an error.
    for (const name of ['constructor', '__proto__', 'toString']) {
      await page.goto(`${world.url}/#/${name}?period=${demo.lastMonth}`);
      await page.waitForSelector('#communities tbody tr');
      assert.equal(await page.$eval('#nav-regulator', (a) => a.classList.contains('active')), true, `#/${name}`);
      assert.equal(await page.$('.error'), null, `#/${name}`);
    }
    await noSidewaysScroll(page, 'regulator');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.click(`#communities tr[data-community="${c}"] a.statement-link`);
    await page.waitForSelector('#detail-funds');
    await page.waitForSelector('#community-detail .proof:not([data-proof="pending"])');
    const statement = (await world.api.get(`${path('/statements/')}${demo.lastMonth}`, demo.tokens.regulator)).statement;
    for (const f of statement.funds) {
      assert.deepEqual(await page.$$eval(`#detail-funds tr[data-fund="${f.fund}"] td.money`, (tds) => tds.map((td) => td.dataset.fen)), [f.opening_balance, f.income, f.disbursed, f.closing_balance]);
    }
    assert.equal(await page.$eval('#community-detail .proof', (el) => el.dataset.proof), 'verified');
    const rated = ratings.firms.find((f) => f.firm_id === statement.firm_id);
    assert.match(await page.textContent('#detail-rating'), new RegExp(`${rated.name}：${rated.score} 分，${rated.grade}`));
    await noSidewaysScroll(page, 'regulator-community');
    await page.close();
  });

  it('notice: one A4 page in Chinese of the signed statement, its QR code opening the check a resident sees pass', { timeout: 2 * TEST_MS }, async () => {
    const period = demo.lastMonth; // ended: its statement stays the same day after day
    const spending = await world.api.get(path(`/spending?period=${period}`), demo.tokens.regulator);
    const signed = await world.api.get(`${path('/statements/')}${period}?tree_size=${spending.tree_size}`, demo.tokens.regulator);
    const s = signed.statement;
    const hash = sha256Hex(canonicalJson(s));
    const page = await newPage(world);
    page.setDefaultTimeout(STEP_MS);
    await signIn(page, world.url, `#/notice?c=${community.community_id}&period=${period}`, { token: demo.tokens.regulator });
    await page.waitForSelector('#notice .proof:not([data-proof="pending"])');
    assert.equal(await page.$eval('#notice .proof', (el) => el.dataset.proof), 'verified');
    assert.deepEqual(await page.$eval('#notice', (el) => ({ ...el.dataset })), { community: community.community_id, period, treeSize: spending.tree_size, sha256: hash });
    // Every figure is the statement's, every voucher count the ledger's.
    const income = (BigInt(s.funds[0].income) + BigInt(s.funds[1].income)).toString();
    assert.equal(await page.$eval('#notice-income tr.total td.money', (td) => td.dataset.fen), income);
    for (const f of spending.funds) {
      for (const cat of f.categories) {
        const row = `#notice-spending tr[data-category="${cat.category}"]`;
        const cells = await page.$$eval(`${row} td.money`, (tds) => tds.map((td) => td.dataset.fen));
        assert.equal(cells[f.fund === 'FEES' ? 0 : 1], s.funds[f.fund === 'FEES' ? 0 : 1].disbursed_by_category[cat.category]);
      }
    }
    const vouchers = (category) => spending.funds.reduce((n, f) => n + (f.categories.find((c) => c.category === category)?.vouchers ?? 0), 0);
    const shownCounts = await page.$$eval('#notice-spending tr[data-category]', (rows) => rows.map((r) => [r.dataset.category, r.querySelector('td.count').textContent]));
    assert.ok(shownCounts.length >= 3, 'the demo spends in several categories');
    for (const [category, count] of shownCounts) assert.equal(count, String(vouchers(category)), category);
    for (const f of s.funds) {
      assert.deepEqual(await page.$$eval(`#notice-balances tr[data-fund="${f.fund}"] td.money`, (tds) => tds.map((td) => td.dataset.fen)), [f.opening_balance, f.income, f.disbursed, f.closing_balance]);
    }
    assert.match(await page.textContent('#notice-collection'), new RegExp(`收缴率 ${(s.billing.collection_rate_bp / 100).toFixed(2)}%`));
    assert.match(await page.textContent('#notice-remuneration'), new RegExp(`本期提取 ${yuan(s.remuneration.taken_in_period).replace(/[.$]/g, '\\$&')}`));
    assert.match(await page.textContent('#notice-checkpoint'), new RegExp(`共 ${s.checkpoint.tree_size} 条记录，根哈希 ${s.checkpoint.root_hash.slice(0, 8).replace(/[+/]/g, '\\$&')}…`));
    await screenshot(world, page, 'notice');

    // The PDF: exactly one A4 portrait page, holding the Chinese headings as text.
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    const pdfFile = join(world.screenshots, 'notice.pdf');
    writeFileSync(pdfFile, pdf);
    const boxes = [...pdf.toString('latin1').matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const pages = [...pdf.toString('latin1').matchAll(/\/Type\s*\/Page(?![s\w])/g)].length;
    assert.equal(pages, 1, `the notice prints on ${pages} pages`);
    assert.equal(boxes.length, 1);
    assert.ok(Math.abs(boxes[0][0] - A4_POINTS[0]) <= A4_TOLERANCE_POINTS && Math.abs(boxes[0][1] - A4_POINTS[1]) <= A4_TOLERANCE_POINTS, `page box ${boxes[0]}`);
    const text = execFileSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8' });
    for (const heading of [...NOTICE_HEADINGS, community.name]) assert.ok(text.includes(heading), `the PDF lacks "${heading}"`);
    execFileSync('pdftoppm', ['-png', '-r', '60', '-singlefile', pdfFile, join(world.screenshots, 'notice-pdf')]);

    // The QR code, read from a screenshot as a phone's camera would, opens this statement's check.
    // (Drawn larger first, as a camera held close sees it: the notice prints it 38 mm wide.)
    await page.$eval('.notice-qr svg', (svg) => {
      svg.setAttribute('width', '400px');
      svg.setAttribute('height', '400px');
    });
    const png = await page.locator('.notice-qr svg').screenshot();
    const { width, height, data } = await pixelsOfPng(world, png);
    const code = jsQR(Uint8ClampedArray.from(data), width, height);
    assert.ok(code, 'jsQR read no QR code');
    const expected = `${world.url}/#/check?c=${community.community_id}&period=${period}&size=${s.checkpoint.tree_size}&sha256=${hash}`;
    assert.equal(code.data, expected);
    await page.close();

    // A resident who is not signed in scans it: the page asks for the invitation code, then checks.
    const issued = await world.api.post(path('/invitations'), demo.tokens.committee, { idempotency_key: 'gov-invite', unit_ids: [demo.unit] });
    const phone = await newPage(world);
    phone.setDefaultTimeout(STEP_MS);
    await phone.setViewportSize(PHONE);
    await phone.goto(`${world.url}/`);
    await phone.evaluate(() => {
      localStorage.clear();
      sessionStorage.clear();
    });
    await phone.goto(code.data);
    await phone.waitForSelector('#check-sign-in-note');
    await screenshot(world, phone, 'phone-390-check-sign-in');
    await phone.fill('#join input[name=value]', issued.invitations[0].code);
    await phone.click('#join button[type=submit]');
    await phone.waitForSelector('#check-verdict');
    assert.equal(await phone.$eval('#check-verdict', (el) => el.dataset.check), 'ok');
    assert.match(await phone.textContent('#check-verdict .check-big'), /核验通过/);
    assert.equal(await phone.$eval('#check-closing-FEES strong', (el) => el.textContent), yuan(s.funds[0].closing_balance));
    assert.equal(new URL(phone.url()).hash, new URL(code.data).hash, 'the address stayed the check');
    assert.match(await phone.textContent('.check-what'), new RegExp(`^${community.name}，`));
    await noSidewaysScroll(phone, 'check');
    // A regulator scanning it sees the pinned community's name (from the ledger), never the one of
    // its own account: here an account remembered as of another community, with no list of them.
    const regulator = await newPage(world);
    regulator.setDefaultTimeout(STEP_MS);
    await signIn(regulator, world.url, '#/regulator', { token: demo.tokens.regulator });
    await regulator.evaluate(() => {
      const list = JSON.parse(localStorage.getItem('mingzhang.accounts'));
      for (const a of list) Object.assign(a, { communityName: '别的小区', communities: [] });
      localStorage.setItem('mingzhang.accounts', JSON.stringify(list));
    });
    await regulator.goto(code.data);
    await regulator.waitForSelector('#check-verdict');
    assert.match(await regulator.textContent('.check-what'), new RegExp(`^${community.name}，`));
    await regulator.close();
    // A notice whose pinned hash is not the ledger's statement is said not to be it.
    await phone.goto(code.data.replace(/sha256=([0-9a-f]{63})[0-9a-f]/, (m, head) => `sha256=${head}${hash.endsWith('0') ? '1' : '0'}`));
    await phone.reload();
    await phone.waitForSelector('#check-verdict');
    assert.equal(await phone.$eval('#check-verdict', (el) => el.dataset.check), 'changed');
    assert.match(await phone.textContent('#check-verdict .check-big'), /与公示不一致/);
    await screenshot(world, phone, 'phone-390-check-changed');
    await phone.close();
  });

  it('no page threw an uncaught error', () => {
    assert.deepEqual(world.pageErrors, []);
  });
});
