// The firm's tools beside its forms (tabs of #/firm, views/firm.js):
//   #/firm?tab=import       a payments CSV, checked row by row by the server, imported all or nothing
//   #/firm?tab=reconcile    a bank export uploaded as the bank gave it (UTF-8 or GBK), totals and
//                           the three lists in yuan, and a report to print on A4
//   #/firm?tab=invitations  invitation codes for some or all units, printed as cards with a QR code
//
// The import reads the same CSV as `mingzhang import` (tools/cmd_import.cpp): the same headers,
// the same checks and the same idempotency keys ("import-" + 16 hex digits of SHA-256 of the
// row's text), so a file imported by either is a replay for the other.
//
// Invitation codes are shown once, in the answer that makes them: they live only in this page's
// memory, never in storage, and are gone when the page is left.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { ApiError, communityPath } from '../api.js';
import { h, replace, section, table } from '../dom.js';
import { addMessages, lang, t, yuan } from '../i18n.js';
import { AMOUNT_FEN_MAX } from '../money.js';
import { problemText } from '../problems.js';
import { errorBox, moneyCell } from './common.js';
import { addFirmTab, newIdempotencyKey } from './firm.js';
import { qrSvg } from './qr.js';

// tools/cmd_import.cpp and the ledger's limits (ledger/domain/domain.h, ledger/log/ledger.h).
const IMPORT_HEADER = 'unit_id,amount,period,months,paid_on,method,receipt_ref';
const IMPORT_HEADER_YUAN = 'unit_id,amount_yuan,period,months,paid_on,method,receipt_ref';
const GROUP_ENTRIES_MAX = 5000; // kGroupEntriesMax: one payments:batch
const PAYMENT_MONTHS_MAX = 120; // kPaymentMonthsMax
const REF_BYTES_MAX = 128; // kRefBytesMax
const YEAR_MIN = 2000; // calendar.h
const YEAR_MAX = 2099;
const METHODS = ['bank', 'wechat', 'alipay', 'cash', 'other'];
const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const BANK_FILE_BYTES_MAX = 8 * 1024 * 1024; // kBankCsvBytesMax
const IMPORT_FILE_BYTES_MAX = 16 * 1024 * 1024; // the batch routes' body limit
const PREVIEW_ROWS_MAX = 30;
const PROBLEMS_SHOWN_MAX = 200;
const INVITE_VALID_DAYS_DEFAULT = 30;
const INVITE_VALID_DAYS_MAX = 90;
const UNIT_CHOICES_SHOWN_MAX = 300;

addMessages(
  {
    'firm.tab.import': '批量导入',
    'firm.tab.reconcile': '银行对账',
    'firm.tab.invitations': '业主邀请码',
    'imp.title': '批量导入收费',
    'imp.how': '用 Excel 整理好收费记录，另存为 CSV（UTF-8 或 GBK 均可）。第一行必须是下面两种表头之一：',
    'imp.how.yuan': '金额按元填写（例如 256.50）：',
    'imp.how.fen': '或金额按分填写（例如 25650）：',
    'imp.how.cols': '月份写 2026-11，缴费日期写 2026-11-23，缴费方式写 bank、wechat、alipay、cash 或 other，收据号可空。',
    'imp.how.all': '先逐行检查，全部无误才会导入；导入时整个文件要么全部记入，要么一笔也不记。同一文件再导入一次不会重复记账。',
    'imp.file': '选择 CSV 文件',
    'imp.reading': '正在读取并检查…',
    'imp.encoding.utf8': '按 UTF-8 读取',
    'imp.encoding.gbk': '按 GBK（GB18030）读取',
    'imp.summary': '{file}：{n} 笔收费，合计 {total}（{encoding}）',
    'imp.ok': '全部 {n} 行检查无误，可以导入。',
    'imp.ok.repeats': '其中 {r} 笔此前已经导入过，不会重复记账。',
    'imp.problems': '有 {n} 处问题，请改好文件后重新选择。整个文件一笔也没有导入。',
    'imp.line': '第 {line} 行：',
    'imp.preview': '预览（前 {n} 行）',
    'imp.preview.all': '预览',
    'imp.col.line': '行号',
    'imp.col.unit': '房号',
    'imp.col.amount': '金额',
    'imp.col.period': '起缴月份',
    'imp.col.months': '月数',
    'imp.col.paid_on': '缴费日期',
    'imp.col.method': '方式',
    'imp.col.receipt': '收据号',
    'imp.col.check': '检查',
    'imp.check.ok': '✓',
    'imp.submit': '全部导入',
    'imp.sending': '正在导入…',
    'imp.done': '已导入 {n} 笔收费：新记入 {w} 笔，{r} 笔此前已记入。',
    'imp.failed': '导入没有成功，一笔也没有记入：',
    'imp.err.undecodable': '这个文件既不是 UTF-8 也不是 GBK 文本，无法读取。请在 Excel 中另存为 CSV 后再选。',
    'imp.err.empty': '文件是空的。第一行应是表头。',
    'imp.err.header': '表头不对。第一行必须是 {a} 或 {b}。',
    'imp.err.no_rows': '文件里没有收费记录。',
    'imp.err.too_many': '文件有 {n} 笔收费，一次最多导入 {max} 笔。请把文件拆成几个，分次导入。',
    'imp.err.too_large': '文件太大（超过 16 MB），请拆成几个文件分次导入。',
    'imp.err.csv.quote': '引号不配对（CSV 格式错误）。',
    'imp.err.fields': '应有 7 列，这一行有 {n} 列。',
    'imp.err.unit': '房号（unit_id）只能由字母、数字和 . _ - 组成，1 到 64 个字符。',
    'imp.err.amount': '金额（amount）应为整数的分，例如 25650 表示 256.50 元；若按元填写，请把表头写成 amount_yuan。',
    'imp.err.amount_yuan': '金额（amount_yuan）应为元，最多两位小数，不带逗号或 ¥，例如 256.50。',
    'imp.err.period': '起缴月份（period）应写成 2026-11 这样的月份。',
    'imp.err.months': '月数（months）应为 1 到 {n} 的整数。',
    'imp.err.paid_on': '缴费日期（paid_on）应是真实日期，写成 2026-11-23。',
    'imp.err.method': '缴费方式（method）应为 bank、wechat、alipay、cash 或 other。',
    'imp.err.receipt': '收据号（receipt_ref）太长：最多 {n} 字节。',
    'imp.err.repeat': '与第 {line} 行完全相同（同一笔只会记一次）；如确是两笔，请填写不同的收据号。',
    'rec.title': '银行对账',
    'rec.how': '上传网银导出的 CSV 对账单，不用另存或改编码（UTF-8 或 GBK 都可以）。支持工商银行、招商银行、建设银行的导出格式，或第一行为 date,amount,direction,counterparty,reference 的简单格式（金额按元）。',
    'rec.how.match': '对账单日期范围内（前后各放宽 3 天）的账本收支逐笔与银行流水核对：先核对金额、方向、日期和备注，再放宽日期。',
    'rec.file': '选择银行对账单（CSV）',
    'rec.reading': '正在对账…',
    'rec.report': '银行对账报告',
    'rec.meta': '{community} · 对账单 {file} · {format} 格式 · {encoding} · {first} 至 {last} · {lines} 笔银行流水',
    'rec.made': '生成时间 {time}',
    'rec.matched': '已对上',
    'rec.only_ledger': '只在账本',
    'rec.only_bank': '只在银行',
    'rec.count': '{n} 笔',
    'rec.in_out': '收入 {credit} · 支出 {debit}',
    'rec.outside': '另有 {n} 笔账本条目不在对账单日期范围内，未参与核对。',
    'rec.col.seq': '账本序号',
    'rec.col.line': '对账单行号',
    'rec.col.date': '日期',
    'rec.col.bank_date': '银行日期',
    'rec.col.amount': '金额',
    'rec.col.direction': '方向',
    'rec.col.reference': '备注/收据号',
    'rec.col.counterparty': '对方户名',
    'rec.col.how': '核对方式',
    'rec.exact': '完全一致',
    'rec.loose': '金额一致、日期相近',
    'rec.none': '无',
    'rec.credit': '收入',
    'rec.debit': '支出',
    'rec.print': '打印对账报告',
    'rec.signature': '核对人：__________　　日期：__________',
    'inv.title': '业主邀请码',
    'inv.how': '为房屋生成邀请码，打印后交给业主。业主用手机扫码或输入邀请码，即可查看自家的缴费和物业费去向，无需注册。每个邀请码只能使用一次。',
    'inv.all': '全部房屋（{n} 户）',
    'inv.some': '选择部分房屋',
    'inv.filter': '按房号筛选，例如 1栋',
    'inv.pick_shown': '选中筛选出的 {n} 户',
    'inv.clear': '清除选择',
    'inv.chosen': '已选 {n} 户',
    'inv.more': '还有 {n} 户符合，请多输入几个字。',
    'inv.days': '有效天数（1 到 {max} 天）',
    'inv.days.bad': '有效天数应为 1 到 {max} 的整数。',
    'inv.none': '请至少选择一户。',
    'inv.create': '生成邀请码',
    'inv.creating': '正在生成…',
    'inv.once': '邀请码只显示这一次，请现在打印。离开或刷新本页后将无法再看到；如有遗失，只能作废后重新生成。',
    'inv.count': '已生成 {n} 份邀请函，有效期至 {date}。',
    'inv.print': '打印邀请函',
    'inv.card.title': '业主邀请函',
    'inv.card.unit': '房屋',
    'inv.card.code': '邀请码',
    'inv.card.how': '用手机扫码，或打开网址输入邀请码',
    'inv.card.expires': '有效期至 {date}，仅可使用一次',
  },
  {
    'firm.tab.import': 'Import',
    'firm.tab.reconcile': 'Bank check',
    'firm.tab.invitations': 'Invitations',
    'imp.title': 'Import fee payments',
    'imp.how': 'Put the payments in a spreadsheet and save it as CSV (UTF-8 or GBK). The first row must be one of these headers:',
    'imp.how.yuan': 'Amounts in yuan (e.g. 256.50):',
    'imp.how.fen': 'or amounts in fen (e.g. 25650):',
    'imp.how.cols': 'Months as 2026-11, dates as 2026-11-23, the method bank, wechat, alipay, cash or other; the receipt number may be empty.',
    'imp.how.all': 'Every row is checked first, and only a file without problems is imported, all of it or nothing. Importing the same file again records nothing twice.',
    'imp.file': 'Choose a CSV file',
    'imp.reading': 'Reading and checking…',
    'imp.encoding.utf8': 'read as UTF-8',
    'imp.encoding.gbk': 'read as GBK (GB18030)',
    'imp.summary': '{file}: {n} payments, {total} in all ({encoding})',
    'imp.ok': 'All {n} rows are fine and can be imported.',
    'imp.ok.repeats': '{r} of them were imported before and will not be recorded twice.',
    'imp.problems': '{n} problems: please correct the file and choose it again. Nothing of it was imported.',
    'imp.line': 'Line {line}: ',
    'imp.preview': 'Preview (first {n} rows)',
    'imp.preview.all': 'Preview',
    'imp.col.line': 'Line',
    'imp.col.unit': 'Unit',
    'imp.col.amount': 'Amount',
    'imp.col.period': 'From month',
    'imp.col.months': 'Months',
    'imp.col.paid_on': 'Paid on',
    'imp.col.method': 'Method',
    'imp.col.receipt': 'Receipt',
    'imp.col.check': 'Check',
    'imp.check.ok': '✓',
    'imp.submit': 'Import all',
    'imp.sending': 'Importing…',
    'imp.done': '{n} payments imported: {w} recorded now, {r} recorded before.',
    'imp.failed': 'The import did not go through, and nothing was recorded:',
    'imp.err.undecodable': 'This file is neither UTF-8 nor GBK text. Please save it from the spreadsheet as CSV and choose it again.',
    'imp.err.empty': 'The file is empty; its first row should be the header.',
    'imp.err.header': 'Wrong header. The first row must be {a} or {b}.',
    'imp.err.no_rows': 'The file holds no payments.',
    'imp.err.too_many': 'The file holds {n} payments; at most {max} go in one import. Please split it and import each part.',
    'imp.err.too_large': 'The file is too large (over 16 MB); please split it and import each part.',
    'imp.err.csv.quote': 'Unbalanced quotes (not valid CSV).',
    'imp.err.fields': 'A row has 7 columns; this one has {n}.',
    'imp.err.unit': 'unit_id is 1 to 64 letters, digits, dots, dashes or underscores.',
    'imp.err.amount': 'amount is whole fen, e.g. 25650 for 256.50 yuan; for yuan, name the column amount_yuan.',
    'imp.err.amount_yuan': 'amount_yuan is yuan with at most two decimals, without commas or ¥, e.g. 256.50.',
    'imp.err.period': 'period is a month like 2026-11.',
    'imp.err.months': 'months is a whole number from 1 to {n}.',
    'imp.err.paid_on': 'paid_on is a real date like 2026-11-23.',
    'imp.err.method': 'method is bank, wechat, alipay, cash or other.',
    'imp.err.receipt': 'receipt_ref is too long: at most {n} bytes.',
    'imp.err.repeat': 'The same as line {line} (one payment is recorded once); if these are two payments, give them different receipt numbers.',
    'rec.title': 'Bank reconciliation',
    'rec.how': 'Upload the CSV statement exactly as online banking exported it, UTF-8 or GBK. ICBC, China Merchants Bank and China Construction Bank exports are read, or a plain file whose first row is date,amount,direction,counterparty,reference (amounts in yuan).',
    'rec.how.match': 'Ledger items dated within the statement’s dates (3 days either side) are matched one by one with the bank’s lines: amount, direction, date and reference first, then nearby dates.',
    'rec.file': 'Choose the bank statement (CSV)',
    'rec.reading': 'Reconciling…',
    'rec.report': 'Bank reconciliation report',
    'rec.meta': '{community} · statement {file} · {format} format · {encoding} · {first} to {last} · {lines} bank lines',
    'rec.made': 'Made {time}',
    'rec.matched': 'Matched',
    'rec.only_ledger': 'Only in the ledger',
    'rec.only_bank': 'Only at the bank',
    'rec.count': '{n} items',
    'rec.in_out': 'in {credit} · out {debit}',
    'rec.outside': '{n} more ledger items fall outside the statement’s dates and were not compared.',
    'rec.col.seq': 'Seq',
    'rec.col.line': 'Statement line',
    'rec.col.date': 'Date',
    'rec.col.bank_date': 'Bank date',
    'rec.col.amount': 'Amount',
    'rec.col.direction': 'Direction',
    'rec.col.reference': 'Reference',
    'rec.col.counterparty': 'Counterparty',
    'rec.col.how': 'Matched by',
    'rec.exact': 'everything',
    'rec.loose': 'amount, nearby date',
    'rec.none': 'None',
    'rec.credit': 'in',
    'rec.debit': 'out',
    'rec.print': 'Print the report',
    'rec.signature': 'Checked by: __________    Date: __________',
    'inv.title': 'Invitations for owners',
    'inv.how': 'Make invitation codes for units and hand them to the owners on paper. An owner scans the code or types it and sees their payments and where the fee went, with no sign-up. Each code works once.',
    'inv.all': 'All units ({n})',
    'inv.some': 'Some units',
    'inv.filter': 'Filter by unit, e.g. 1栋',
    'inv.pick_shown': 'Choose the {n} shown',
    'inv.clear': 'Clear',
    'inv.chosen': '{n} chosen',
    'inv.more': '{n} more match; type a little more.',
    'inv.days': 'Valid for (1 to {max} days)',
    'inv.days.bad': 'Days valid is a whole number from 1 to {max}.',
    'inv.none': 'Please choose at least one unit.',
    'inv.create': 'Make invitation codes',
    'inv.creating': 'Making…',
    'inv.once': 'The codes are shown only this once: print them now. Once this page is left or reloaded they cannot be seen again; a lost one is revoked and made anew.',
    'inv.count': '{n} invitations made, valid through {date}.',
    'inv.print': 'Print the invitations',
    'inv.card.title': 'Invitation for the owner',
    'inv.card.unit': 'Unit',
    'inv.card.code': 'Code',
    'inv.card.how': 'Scan with a phone, or open the address and type the code',
    'inv.card.expires': 'Valid through {date}, once',
  },
);

addFirmTab({ name: 'import', label: 'firm.tab.import', render: renderImportTab, entries: true });
addFirmTab({ name: 'reconcile', label: 'firm.tab.reconcile', render: renderReconcileTab });
addFirmTab({ name: 'invitations', label: 'firm.tab.invitations', render: renderInvitationsTab });

// The styles of these tabs, and what paper gets: only the report or the sheet, on A4.
const STYLE = `
.tool-how, .tool-how code, #reconcile-out .error, #import-out .error, #inv-error { overflow-wrap: anywhere; }
.tool-file { display: flex; flex-direction: column; gap: 0.3rem; font-weight: 600; max-width: 40rem; }
.tool-file input { font-size: 1rem; min-height: 44px; box-sizing: border-box; max-width: 100%; }
.import-problems { color: var(--bad); padding-left: 1.2rem; overflow-wrap: anywhere; }
.import-problems li { margin: 0.2rem 0; }
#import-preview td { overflow-wrap: anywhere; }
#import-preview tr.bad td { color: var(--bad); }
.rec-totals .card .count { font-size: 0.9rem; }
.rec-totals .card[data-total="matched"] { border-color: #9bd3ad; }
.rec-totals .card[data-total="only_in_ledger"], .rec-totals .card[data-total="only_at_bank"] { border-color: #e0b46b; }
.rec-report td { overflow-wrap: anywhere; }
.rec-report .signature { margin-top: 1.5rem; }
.tool-actions { display: flex; flex-wrap: wrap; gap: 0.5rem; margin: 0.5rem 0; }
.inv-choice { display: flex; flex-direction: column; gap: 0.4rem; }
.inv-choice > label { display: flex; align-items: center; gap: 0.5rem; min-height: 44px; }
.inv-units { list-style: none; margin: 0.25rem 0; padding: 0; max-height: 18rem; overflow-y: auto; border: 1px solid var(--line); border-radius: 6px; }
.inv-units label, .stack .inv-units label { display: flex; flex-direction: row; align-items: center; gap: 0.5rem; min-height: 40px; padding: 0 0.5rem; overflow-wrap: anywhere; }
.inv-once { border: 2px solid #d08a00; background: #fff8e6; border-radius: 6px; padding: 0.5rem 0.9rem; font-weight: 600; }
.invite-sheet { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(300px, 100%), 1fr)); gap: 0.75rem; }
.invite-card { background: #fff; border: 1px dashed #888; border-radius: 6px; padding: 0.6rem 0.8rem; display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 0.3rem 0.75rem; align-items: start; break-inside: avoid; page-break-inside: avoid; }
.invite-card .inv-head { grid-column: 1 / -1; display: flex; justify-content: space-between; gap: 0.5rem; border-bottom: 1px solid var(--line); padding-bottom: 0.2rem; }
.invite-card .inv-community { font-weight: 700; font-size: 1.1rem; overflow-wrap: anywhere; }
.invite-card .inv-unit { font-size: 1.2rem; font-weight: 700; overflow-wrap: anywhere; }
.invite-card .inv-code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 1.15rem; font-weight: 700; letter-spacing: 0.04em; white-space: nowrap; }
.invite-card .inv-url { font-size: 0.8rem; overflow-wrap: anywhere; color: var(--muted); }
.invite-card svg.qr { width: 132px; height: 132px; display: block; }
.invite-card .inv-how { grid-column: 1 / -1; font-size: 0.95rem; }
@media print {
  @page { size: A4; margin: 12mm; }
  .no-print, body[data-print] header, body[data-print] .period-form, body[data-print] #firm-tabs,
  body[data-print] .firm-community, body[data-print] #insecure-note, body[data-print] #recent { display: none !important; }
  html:has(body[data-print]), body[data-print] { background: #fff; }
  .rec-report td.nowrap { white-space: nowrap; }
  body[data-print] main { max-width: none; padding: 0; margin: 0; }
  body[data-print] section { border: 0; padding: 0; margin: 0 0 4mm; }
  body[data-print] table.cards-on-phone thead { display: table-header-group; }
  .rec-report table { font-size: 9pt; }
  .rec-report tr { break-inside: avoid; }
  .invite-sheet { grid-template-columns: 1fr 1fr; gap: 5mm; }
  .invite-card { height: 62mm; box-sizing: border-box; overflow: hidden; border: 1px dashed #666; }
  .invite-card svg.qr { width: 30mm; height: 30mm; }
  .invite-card .inv-code { font-size: 10.5pt; letter-spacing: 0; }
  .invite-card .inv-unit { font-size: 13pt; }
}
`;

// Kept while the firm's view is shown: its @page must not reach other print pages (the notice).
function ensureStyle() {
  if (document.getElementById('firm-tools-style')) return;
  const style = h('style', { id: 'firm-tools-style' }, STYLE);
  document.head.append(style);
  const leave = () => {
    if (window.location.hash.startsWith('#/firm')) return;
    style.remove();
    window.removeEventListener('hashchange', leave);
  };
  window.addEventListener('hashchange', leave);
}

// Prints only `kind` ('report' or 'invitations'): the rest of the page is hidden on paper.
function printOnly(kind) {
  document.body.dataset.print = kind;
  const done = () => {
    delete document.body.dataset.print;
    window.removeEventListener('afterprint', done);
  };
  window.addEventListener('afterprint', done);
  window.print();
}

// ---- reading files ----

// The text of a file as Excel or a bank saved it: UTF-8 when it is, else GBK (GB18030, its
// superset); null when it is neither. The decoders are fatal: nothing is guessed or replaced.
function decodeText(bytes) {
  for (const [label, encoding] of [
    ['utf-8', 'utf8'],
    ['gb18030', 'gbk'],
  ]) {
    try {
      return { text: new TextDecoder(label, { fatal: true }).decode(bytes), encoding };
    } catch {
      // not this encoding: try the next
    }
  }
  return null;
}

const utf8 = new TextEncoder();

// One CSV record (RFC 4180, without line breaks inside quotes), as tools/cmd_import.cpp splits it.
function splitCsv(line) {
  const fields = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= line.length) return null;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        field += line[i];
        i += 1;
      }
      if (i < line.length && line[i] !== ',') return null;
    } else {
      while (i < line.length && line[i] !== ',') {
        if (line[i] === '"') return null;
        field += line[i];
        i += 1;
      }
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i += 1;
  }
}

function validMonth(text) {
  const m = /^(\d{4})-(\d{2})$/.exec(text);
  return !!m && +m[1] >= YEAR_MIN && +m[1] <= YEAR_MAX && +m[2] >= 1 && +m[2] <= 12;
}

function validDate(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m || !validMonth(`${m[1]}-${m[2]}`)) return false;
  const days = new Date(Date.UTC(+m[1], +m[2], 0)).getUTCDate();
  return +m[3] >= 1 && +m[3] <= days;
}

// Fen from the amount cell: whole fen, or (amount_yuan) yuan with at most two decimals.
function amountFen(text, inYuan) {
  const m = inYuan ? /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text) : /^\d{1,12}$/.exec(text);
  if (!m) return null;
  const fen = inYuan ? BigInt(m[1]) * 100n + BigInt((m[2] ?? '').padEnd(2, '0')) : BigInt(text);
  return fen >= 1n && fen <= AMOUNT_FEN_MAX ? fen.toString() : null;
}

// A row's request body, or the reason it is refused (an i18n key and its parameters).
function rowBody(fields, inYuan) {
  if (fields.length !== 7) return { error: ['imp.err.fields', { n: fields.length }] };
  const [unit, amountText, period, monthsText, paidOn, method, receipt] = fields;
  if (!ID_PATTERN.test(unit)) return { error: ['imp.err.unit'] };
  const amount = amountFen(amountText, inYuan);
  if (amount === null) return { error: [inYuan ? 'imp.err.amount_yuan' : 'imp.err.amount'] };
  if (!validMonth(period)) return { error: ['imp.err.period'] };
  const months = /^\d{1,3}$/.test(monthsText) ? Number(monthsText) : 0;
  if (months < 1 || months > PAYMENT_MONTHS_MAX) return { error: ['imp.err.months', { n: PAYMENT_MONTHS_MAX }] };
  if (!validDate(paidOn)) return { error: ['imp.err.paid_on'] };
  if (!METHODS.includes(method)) return { error: ['imp.err.method'] };
  if (utf8.encode(receipt).length > REF_BYTES_MAX) return { error: ['imp.err.receipt', { n: REF_BYTES_MAX }] };
  return { body: { unit_id: unit, amount, period, months, paid_on: paidOn, method, receipt_ref: receipt } };
}

export function importKey(line) {
  return `import-${bytesToHex(sha256(utf8.encode(line))).slice(0, 16)}`;
}

// The CSV's rows and every problem, by line: { rows: [{line, body}], problems: [{line, key, params}] }.
function parseImport(text) {
  const rows = [];
  const problems = [];
  const firstLineOf = new Map();
  const lines = text.split('\n');
  let inYuan = null;
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (inYuan === null) {
      const header = line.replace(/^\uFEFF/, '');
      if (header !== IMPORT_HEADER && header !== IMPORT_HEADER_YUAN) {
        if (problems.length === 0) problems.push({ line: lineNo, key: 'imp.err.header', params: { a: IMPORT_HEADER_YUAN, b: IMPORT_HEADER } });
        return;
      }
      inYuan = header === IMPORT_HEADER_YUAN;
      return;
    }
    if (/^[ \t,]*$/.test(line)) return; // blank (Excel leaves ",,,,,,")
    const fields = splitCsv(line);
    const read = fields ? rowBody(fields, inYuan) : { error: ['imp.err.csv.quote'] };
    if (read.error) return problems.push({ line: lineNo, key: read.error[0], params: read.error[1] ?? {} });
    const key = importKey(line);
    if (firstLineOf.has(key)) return problems.push({ line: lineNo, key: 'imp.err.repeat', params: { line: firstLineOf.get(key) } });
    firstLineOf.set(key, lineNo);
    rows.push({ line: lineNo, body: { idempotency_key: key, ...read.body } });
  });
  if (inYuan === null && problems.length === 0) problems.push({ line: 1, key: 'imp.err.empty', params: {} });
  return { rows, problems };
}

// ---- import ----

function importHelp() {
  return h(
    'div',
    { class: 'tool-how' },
    h('p', {}, t('imp.how')),
    h('p', {}, t('imp.how.yuan'), ' ', h('code', {}, IMPORT_HEADER_YUAN)),
    h('p', {}, t('imp.how.fen'), ' ', h('code', {}, IMPORT_HEADER)),
    h('p', { class: 'note' }, t('imp.how.cols')),
    h('p', { class: 'note' }, t('imp.how.all')),
  );
}

async function renderImportTab(root, ctx) {
  ensureStyle();
  const input = h('input', { type: 'file', id: 'import-file', accept: '.csv,text/csv,text/plain' });
  const out = h('div', { id: 'import-out', role: 'status' });
  input.addEventListener('change', () => input.files[0] && checkImport(ctx, input.files[0], out));
  replace(root, section(`${t('imp.title')} · ${ctx.communityName}`, importHelp(), h('label', { class: 'tool-file' }, t('imp.file'), input), out));
}

function problemList(problems) {
  const shown = problems.slice(0, PROBLEMS_SHOWN_MAX);
  return h(
    'ul',
    { class: 'import-problems', id: 'import-problems' },
    shown.map((p) => h('li', { dataset: { line: String(p.line), problem: p.type ?? p.key }, title: p.detail ?? '' }, t('imp.line', { line: p.line }), p.text)),
    problems.length > shown.length ? h('li', {}, `… ${problems.length - shown.length}`) : null,
  );
}

function previewTable(rows, problemsByLine, labels) {
  const shown = rows.slice(0, PREVIEW_ROWS_MAX);
  const headers = ['line', 'unit', 'amount', 'period', 'months', 'paid_on', 'method', 'receipt', 'check'].map((c) => t(`imp.col.${c}`));
  const body = shown.map((r) => {
    const bad = problemsByLine.get(r.line);
    const b = r.body;
    return h(
      'tr',
      { class: bad ? 'bad' : '', dataset: { line: String(r.line), fen: b.amount } },
      h('td', {}, String(r.line)),
      h('td', {}, labels.get(b.unit_id) ? `${labels.get(b.unit_id)}（${b.unit_id}）` : b.unit_id),
      moneyCell(b.amount),
      h('td', {}, b.period),
      h('td', {}, String(b.months)),
      h('td', {}, b.paid_on),
      h('td', {}, t(`method.${b.method}`)),
      h('td', {}, b.receipt_ref),
      h('td', {}, bad ? bad.text : t('imp.check.ok')),
    );
  });
  return [h('h3', {}, rows.length > shown.length ? t('imp.preview', { n: shown.length }) : t('imp.preview.all')), table(headers, body, { id: 'import-preview' })];
}

// Reads, checks here, then asks the server (payments:check) about every row; the import button
// appears only when nothing is refused.
async function checkImport(ctx, file, out) {
  replace(out, h('p', { class: 'loading' }, t('imp.reading')));
  const fail = (key, params) => replace(out, problemList([{ line: 1, key, text: t(key, params) }]));
  if (file.size > IMPORT_FILE_BYTES_MAX) return fail('imp.err.too_large');
  const decoded = decodeText(new Uint8Array(await file.arrayBuffer()));
  if (!decoded) return fail('imp.err.undecodable');
  const { rows, problems } = parseImport(decoded.text);
  const local = problems.map((p) => ({ ...p, text: t(p.key, p.params) }));
  if (local.length === 0 && rows.length === 0) return fail('imp.err.no_rows');
  if (rows.length > GROUP_ENTRIES_MAX) return fail('imp.err.too_many', { n: rows.length, max: GROUP_ENTRIES_MAX });
  const labels = new Map(ctx.units.map((u) => [u.unit_id, u.label]));
  const total = rows.reduce((sum, r) => sum + BigInt(r.body.amount), 0n);
  const summary = h('p', { id: 'import-summary', dataset: { rows: String(rows.length), fen: total.toString(), encoding: decoded.encoding } }, t('imp.summary', { file: file.name, n: rows.length, total: yuan(total), encoding: t(`imp.encoding.${decoded.encoding}`) }));
  let found = local;
  let check = null;
  if (local.length === 0) {
    try {
      check = await ctx.api.post(communityPath(ctx.community, '/payments:check'), { payments: rows.map((r) => r.body) });
    } catch (err) {
      return replace(out, summary, errorBox(err));
    }
    found = check.problems.map((p) => ({ line: rows[p.index].line, type: p.type, detail: p.detail, text: problemText(lang(), p.type) }));
  }
  const byLine = new Map(found.map((p) => [p.line, p]));
  const preview = previewTable(rows, byLine, labels);
  if (found.length > 0) {
    return replace(out, summary, h('p', { class: 'form-error', id: 'import-verdict', dataset: { ok: 'false' } }, t('imp.problems', { n: found.length })), problemList(found), preview);
  }
  const button = h('button', { type: 'button', class: 'big primary', id: 'import-submit' }, t('imp.submit'));
  const result = h('div', { id: 'import-result', role: 'status' });
  button.addEventListener('click', () => sendImport(ctx, rows, button, result));
  replace(
    out,
    summary,
    h('p', { class: 'flash', id: 'import-verdict', dataset: { ok: 'true' } }, t('imp.ok', { n: rows.length }), check.repeats > 0 ? ` ${t('imp.ok.repeats', { r: check.repeats })}` : ''),
    h('div', { class: 'tool-actions' }, button),
    result,
    preview,
  );
}

// One payments:batch for the whole file: all recorded or none. The rows' keys make a retry (or a
// second import of the same file) a replay.
async function sendImport(ctx, rows, button, result) {
  button.disabled = true;
  button.textContent = t('imp.sending');
  try {
    const answer = await ctx.api.post(communityPath(ctx.community, '/payments:batch'), { payments: rows.map((r) => r.body) });
    button.remove();
    replace(result, h('div', { class: 'done', dataset: { written: String(answer.written), replayed: String(answer.replayed) } }, h('p', { class: 'flash' }, `✓ ${t('imp.done', { n: answer.entries.length, w: answer.written, r: answer.replayed })}`)));
    ctx.refreshRecent?.();
  } catch (err) {
    button.disabled = false;
    button.textContent = t('imp.submit');
    replace(result, h('p', { class: 'form-error' }, t('imp.failed')), errorBox(err));
  }
}

// ---- reconciliation ----

async function renderReconcileTab(root, ctx) {
  ensureStyle();
  const input = h('input', { type: 'file', id: 'reconcile-file', accept: '.csv,text/csv,text/plain' });
  const out = h('div', { id: 'reconcile-out', role: 'status' });
  input.addEventListener('change', () => input.files[0] && reconcile(ctx, input.files[0], out));
  replace(
    root,
    section(`${t('rec.title')} · ${ctx.communityName}`, h('p', { class: 'tool-how' }, t('rec.how')), h('p', { class: 'note' }, t('rec.how.match')), h('label', { class: 'tool-file' }, t('rec.file'), input)),
    out,
  );
  root.firstElementChild.classList.add('no-print');
}

async function reconcile(ctx, file, out) {
  replace(out, h('p', { class: 'loading' }, t('rec.reading')));
  if (file.size > BANK_FILE_BYTES_MAX) return replace(out, errorBox(new ApiError(413, 'bad-bank-statement', `${file.size} bytes`)));
  try {
    const report = await ctx.api.sendBytes('POST', communityPath(ctx.community, '/reconciliation'), new Uint8Array(await file.arrayBuffer()), 'text/csv');
    replace(out, reconcileReport(ctx, file.name, report));
  } catch (err) {
    const box = errorBox(err);
    if (err.detail) box.append(h('p', { class: 'note' }, err.detail)); // names the line of the statement
    replace(out, box);
  }
}

const directionText = (d) => h('td', { class: 'nowrap' }, t(d === 'credit' ? 'rec.credit' : 'rec.debit'));
const dateCell = (date) => h('td', { class: 'nowrap' }, date);

function totalCard(name, total) {
  return h(
    'div',
    { class: 'card', id: `total-${name}`, dataset: { total: name, count: String(total.count), fen: total.amount, credit: total.credit, debit: total.debit } },
    h('div', { class: 'label' }, t(`rec.${{ matched: 'matched', only_in_ledger: 'only_ledger', only_at_bank: 'only_bank' }[name]}`)),
    h('div', { class: 'count' }, t('rec.count', { n: total.count })),
    moneyCell(total.amount, 'div'),
    h('div', { class: 'note' }, t('rec.in_out', { credit: yuan(total.credit), debit: yuan(total.debit) })),
  );
}

function listSection(id, title, total, headers, rows) {
  return h(
    'section',
    { class: 'rec-list' },
    h('h3', {}, `${title} · ${t('rec.count', { n: total.count })} · ${yuan(total.amount)}`),
    rows.length === 0 ? h('p', { class: 'note' }, t('rec.none')) : table(headers, rows, { id }),
  );
}

function reconcileReport(ctx, fileName, r) {
  const col = (k) => t(`rec.col.${k}`);
  const matched = r.matched.map((m) => [m.seq, String(m.bank_line), dateCell(m.date), dateCell(m.bank_date), moneyCell(m.amount), directionText(m.direction), m.reference || m.bank_reference, m.counterparty, t(m.exact ? 'rec.exact' : 'rec.loose')]);
  const onlyLedger = r.only_in_ledger.map((i) => [i.seq, dateCell(i.date), moneyCell(i.amount), directionText(i.direction), i.reference]);
  const onlyBank = r.only_at_bank.map((l) => [String(l.line), dateCell(l.date), moneyCell(l.amount), directionText(l.direction), l.reference, l.counterparty]);
  const made = new Date().toLocaleString(lang() === 'en' ? 'en-GB' : 'zh-CN', { hour12: false });
  const print = h('button', { type: 'button', class: 'big no-print', id: 'reconcile-print', onclick: () => printOnly('report') }, t('rec.print'));
  return h(
    'section',
    { class: 'rec-report', id: 'reconcile-report', dataset: { format: r.format, encoding: r.encoding } },
    h('h2', {}, `${t('rec.report')} · ${ctx.communityName}`),
    h('p', { class: 'note' }, t('rec.meta', { community: ctx.communityName, file: fileName, format: r.format, encoding: r.encoding, first: r.statement_dates.first || '—', last: r.statement_dates.last || '—', lines: r.bank_lines }), ' · ', t('rec.made', { time: made })),
    h('div', { class: 'tool-actions no-print' }, print),
    h('div', { class: 'cards rec-totals', id: 'reconcile-totals' }, ['matched', 'only_in_ledger', 'only_at_bank'].map((k) => totalCard(k, r.totals[k]))),
    r.ledger_entries_outside_statement_dates > 0 ? h('p', { class: 'note' }, t('rec.outside', { n: r.ledger_entries_outside_statement_dates })) : null,
    listSection('rec-only-ledger', t('rec.only_ledger'), r.totals.only_in_ledger, [col('seq'), col('date'), col('amount'), col('direction'), col('reference')], onlyLedger),
    listSection('rec-only-bank', t('rec.only_bank'), r.totals.only_at_bank, [col('line'), col('date'), col('amount'), col('direction'), col('reference'), col('counterparty')], onlyBank),
    listSection('rec-matched', t('rec.matched'), r.totals.matched, [col('seq'), col('line'), col('date'), col('bank_date'), col('amount'), col('direction'), col('reference'), col('counterparty'), col('how')], matched),
    h('p', { class: 'signature' }, t('rec.signature')),
  );
}

// ---- invitations ----

async function renderInvitationsTab(root, ctx) {
  ensureStyle();
  const units = ctx.units;
  const chosen = new Set();
  const all = h('input', { type: 'radio', name: 'inv-scope', id: 'inv-all', value: 'all', checked: true });
  const some = h('input', { type: 'radio', name: 'inv-scope', id: 'inv-some', value: 'some' });
  const filter = h('input', { type: 'search', id: 'inv-filter', placeholder: t('inv.filter'), autocomplete: 'off' });
  const list = h('ul', { class: 'inv-units', id: 'inv-units' });
  const count = h('span', { class: 'note', id: 'inv-chosen' });
  const matching = () => units.filter((u) => `${u.label ?? ''} ${u.unit_id}`.toLowerCase().includes(filter.value.trim().toLowerCase()));
  const pick = h('button', { type: 'button', id: 'inv-pick' });
  const showList = () => {
    const found = matching();
    const shown = found.slice(0, UNIT_CHOICES_SHOWN_MAX);
    replace(
      list,
      shown.map((u) => {
        const box = h('input', { type: 'checkbox', name: 'unit', value: u.unit_id, checked: chosen.has(u.unit_id) });
        box.addEventListener('change', () => (box.checked ? chosen.add(u.unit_id) : chosen.delete(u.unit_id), showCount()));
        return h('li', {}, h('label', {}, box, u.label ? `${u.label}（${u.unit_id}）` : u.unit_id));
      }),
      found.length > shown.length ? h('li', { class: 'note' }, t('inv.more', { n: found.length - shown.length })) : null,
    );
    pick.textContent = t('inv.pick_shown', { n: shown.length });
    pick.onclick = () => (shown.forEach((u) => chosen.add(u.unit_id)), showList(), showCount());
  };
  const showCount = () => (count.textContent = t('inv.chosen', { n: chosen.size }));
  const clear = h('button', { type: 'button', id: 'inv-clear', onclick: () => (chosen.clear(), showList(), showCount()) }, t('inv.clear'));
  const picker = h('div', { class: 'stack', id: 'inv-picker', hidden: true }, filter, h('div', { class: 'tool-actions' }, pick, clear, count), list);
  const scope = () => (picker.hidden = !some.checked);
  all.addEventListener('change', scope);
  some.addEventListener('change', scope);
  filter.addEventListener('input', showList);
  showList();
  showCount();
  const days = h('input', { type: 'number', id: 'inv-days', min: 1, max: INVITE_VALID_DAYS_MAX, value: INVITE_VALID_DAYS_DEFAULT, inputmode: 'numeric' });
  const create = h('button', { type: 'button', class: 'big primary', id: 'inv-create' }, t('inv.create'));
  const error = h('p', { class: 'form-error', role: 'alert', id: 'inv-error' });
  const sheet = h('div', { id: 'inv-out' });
  create.addEventListener('click', async () => {
    error.textContent = '';
    const validDays = /^\d{1,2}$/.test(days.value) ? Number(days.value) : 0;
    if (validDays < 1 || validDays > INVITE_VALID_DAYS_MAX) return (error.textContent = t('inv.days.bad', { max: INVITE_VALID_DAYS_MAX }));
    if (some.checked && chosen.size === 0) return (error.textContent = t('inv.none'));
    const body = { idempotency_key: newIdempotencyKey('inv'), valid_days: validDays };
    if (some.checked) body.unit_ids = units.map((u) => u.unit_id).filter((id) => chosen.has(id));
    create.disabled = true;
    create.textContent = t('inv.creating');
    try {
      const answer = await ctx.api.post(communityPath(ctx.community, '/invitations'), body);
      replace(sheet, invitationSheet(ctx, answer.invitations));
      sheet.scrollIntoView?.({ block: 'start' });
    } catch (err) {
      error.textContent = err.message;
      if (err.type) error.dataset.problem = err.type;
      error.title = err.detail ?? '';
    } finally {
      create.disabled = false;
      create.textContent = t('inv.create');
    }
  });
  replace(
    root,
    h(
      'section',
      { class: 'no-print' },
      h('h2', {}, `${t('inv.title')} · ${ctx.communityName}`),
      h('p', { class: 'tool-how' }, t('inv.how')),
      h('div', { class: 'inv-choice' }, h('label', {}, all, t('inv.all', { n: units.length })), h('label', {}, some, t('inv.some')), picker),
      h('label', { class: 'tool-file' }, t('inv.days', { max: INVITE_VALID_DAYS_MAX }), days),
      h('div', { class: 'tool-actions' }, create),
      error,
    ),
    sheet,
  );
}

// "K7QM3XJD9PRTWB2H" or "K7QM-3XJD-9PRT-WB2H" -> "K7QM-3XJD-9PRT-WB2H".
function groupedCode(code) {
  return code.replace(/[^0-9A-Za-z]/g, '').toUpperCase().replace(/(.{4})(?=.)/g, '$1-');
}

function joinLink(code) {
  return `${window.location.origin}${window.location.pathname}#/join?code=${groupedCode(code)}`;
}

function invitationCard(ctx, inv) {
  const code = groupedCode(inv.code);
  const link = joinLink(inv.code);
  return h(
    'div',
    { class: 'invite-card', dataset: { unit: inv.unit_id, code } },
    h('div', { class: 'inv-head' }, h('span', { class: 'inv-community' }, ctx.communityName), h('span', { class: 'note' }, t('inv.card.title'))),
    h(
      'div',
      { class: 'inv-text' },
      h('div', { class: 'note' }, t('inv.card.unit')),
      h('div', { class: 'inv-unit' }, inv.label || inv.unit_id),
      h('div', { class: 'note' }, t('inv.card.code')),
      h('div', { class: 'inv-code' }, code),
      h('div', { class: 'inv-url' }, `${window.location.origin}${window.location.pathname}`),
    ),
    qrSvg(link),
    h('div', { class: 'inv-how' }, t('inv.card.how'), h('div', { class: 'note' }, t('inv.card.expires', { date: inv.expires_on }))),
  );
}

function invitationSheet(ctx, invitations) {
  const expires = invitations[0]?.expires_on ?? '';
  return [
    h(
      'section',
      { class: 'no-print', id: 'inv-ready' },
      h('p', { class: 'inv-once', role: 'alert' }, t('inv.once')),
      h('p', { class: 'flash' }, t('inv.count', { n: invitations.length, date: expires })),
      h('div', { class: 'tool-actions' }, h('button', { type: 'button', class: 'big primary', id: 'inv-print', onclick: () => printOnly('invitations') }, t('inv.print'))),
    ),
    h('div', { class: 'invite-sheet', id: 'inv-sheet' }, invitations.map((inv) => invitationCard(ctx, inv))),
  ];
}
