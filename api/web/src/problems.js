// What a person is told when mingzhangd refuses a request: for every problem `type` the server
// can send (RFC 9457 problem+json, `type` a slug such as "bad-amount"), one text in zh-CN and one
// in English saying in plain words what went wrong and what to do. A problem's `detail` is for
// operators and developers (English, field names, fen); these texts are for owners, property-firm
// staff, owners' committees and regulators. Amounts are written in yuan (¥256.50), dates as
// 2026-11-23, periods as 2026-11, 2026-Q3 or 2026.
//
//   problemText('zh-CN', err.type)  // err: an ApiError (api.js)
//
// tests/web/problems_test.mjs checks that every slug in ledger/ and api/ has both texts here.

const GENERIC = {
  'zh-CN': '出错了，请稍后再试；如果一再出现，请联系物业或业委会。',
  en: 'Something went wrong. Please try again later; if it keeps happening, contact the property firm or the owners’ committee.',
};

// The same few sentences for refusals a person cannot fix by changing what they typed.
const ZH_PAGE = '页面发出的请求有误，服务器没有处理。请刷新页面后再试；如果一再出现，请联系物业或业委会。';
const EN_PAGE =
  'The page sent a request the server could not use, so nothing was done. Please reload the page and try again; if it keeps happening, contact the property firm or the owners’ committee.';
const ZH_SERVER = '服务器出了故障，这次操作没有完成。请稍后再试；如果一再出现，请联系物业或系统管理员。';
const EN_SERVER =
  'The server failed, so this was not done. Please try again later; if it keeps happening, contact the property firm or the system administrator.';
const ZH_DATA =
  '服务器上保存的账本数据读不出来或对不上，这不是您操作的问题。请截图保存此页，并告知物业、业委会或系统管理员。';
const EN_DATA =
  'The ledger’s stored data cannot be read or does not add up; this is not caused by anything you did. Please take a screenshot of this page and tell the property firm, the owners’ committee or the system administrator.';
const ZH_SETUP = '服务器的设置有误，暂时无法使用。这不是您操作的问题，请告知系统管理员。';
const EN_SETUP =
  'The server is set up wrongly and cannot be used for now. This is not caused by anything you did; please tell the system administrator.';
const ZH_CHECK =
  '核验没有通过：账本给出的证明与签名对不上，这可能说明账目被改动过。请截图保存此页，并告知业委会或监管部门。';
const EN_CHECK =
  'The check failed: the proof the ledger gave does not match its signature, which may mean the books were changed. Please take a screenshot of this page and tell the owners’ committee or the regulator.';
const ZH_CHECK_DATA = '核验用的签名数据格式不对，无法核验。请刷新页面后再试；如果一再出现，请告知业委会或监管部门。';
const EN_CHECK_DATA =
  'The signed data needed for the check is malformed, so nothing could be checked. Please reload the page and try again; if it keeps happening, tell the owners’ committee or the regulator.';

const zh = {
  // Signing in and who may do what
  unauthenticated: '您还没有登录，或登录已失效。请重新登录后再试。',
  'bad-token': '访问令牌不对、已失效或已被收回（例如已经退出登录）。请重新登录；如仍不行，请向物业或业委会索取新的邀请码。',
  forbidden:
    '您的账号不能做这件事，或不能查看这个小区或房号。例如：只有本房业主能为该房号投票，支出只能由本小区的物业公司登记。如有疑问，请联系物业或业委会。',
  'bad-credential': '授权范围不对：所选小区不由这家物业公司服务，或所填的小区、房号不合要求。请核对后再试。',
  'admin-exists': '管理员账号已经存在，不能再建一个。',
  'token-file-exists': '要保存令牌的文件已经存在，为免覆盖没有写入。请换一个文件名再试。',

  // Invitations on paper
  'bad-invitation-code':
    '邀请码格式不对。邀请码共 16 位，由数字和字母组成（没有字母 U），例如 K7QM-3XJD-9PRT-WB2H；短横线和空格可有可无，大小写都可以。请对照纸上的邀请码重新输入。',
  'unknown-invitation':
    '没有找到这个邀请码。请对照纸上的邀请码仔细核对，例如 K7QM-3XJD-9PRT-WB2H；如仍不行，请向物业或业委会索取新的邀请码。',
  'invitation-used':
    '这个邀请码已经用过了，每个邀请码只能用一次。如果不是您本人用的，或您需要在另一台手机上登录，请向物业或业委会索取新的邀请码。',
  'invitation-expired': '这个邀请码已过期。请向物业或业委会索取新的邀请码。',
  'invitation-revoked': '这个邀请码已被物业或业委会作废。请向他们索取新的邀请码。',
  'too-many-attempts': '输错邀请码的次数太多，为了安全暂时不能再试。请等一分钟后，对照纸上的邀请码仔细输入。',
  'invitations-already-issued': '这些房号已经发过邀请码，而且还没有用、也没过期。如需重发，请先作废原来的邀请码再发。',
  'bad-valid-days': '邀请码的有效天数应为 1 到 90 天，例如 30；不填则为 30 天。',
  'bad-invitation-record': ZH_DATA,

  // What was typed
  'bad-amount': '金额不对。金额按元填写，须大于 ¥0.00、不超过 ¥1,000,000,000.00，最多两位小数，例如 ¥256.50。',
  'bad-area': '房屋面积不对。面积按平方米填写，须大于 0、不超过 100,000 平方米，最多两位小数，例如 89.50。',
  'bad-rate': '物业费单价不对。单价按每平方米每月多少元填写，须大于 ¥0.00、不超过 ¥1,000.00，例如 ¥2.50。',
  'bad-remuneration':
    '物业公司酬金的约定不对：应为物业费收入的 0% 到 100%（例如 10%），或每月一个大于零的固定金额（例如 ¥8,000.00），二选一。',
  'bad-due-day': '每月缴费截止日不对：应为 1 到 28 中的一天（例如 15，即每月 15 日前缴当月物业费），或不填，表示每月最后一天。',
  'bad-date':
    '日期不对。请按“年-月-日”填写真实存在的日期，例如 2026-11-23，年份在 2000 到 2099 之间。缴费日、付款日和收款日不能晚于今天。',
  'bad-month': '月份不对。请按“年-月”填写，例如 2026-11，年份在 2000 到 2099 之间。',
  'bad-period':
    '期间不对。请填写月份、季度或年份，例如 2026-11、2026-Q3 或 2026。缴费的起始月不能早于小区开始收费的月份，一次最多缴 120 个月。',
  'bad-closes-on': '表决截止日不对：应为今天或以后的一个真实日期，例如 2026-11-23。',
  'bad-score': '每一项评价都要选，且在 1 到 5 之间（5 为最好）。',
  'bad-text': '填写的文字里有不能保存的字符（例如看不见的控制符或乱码）。请删去这些字符，或重新输入后再提交。',
  'bad-label': '房号名称不合要求：最多 64 个字节（约 21 个汉字），不能含换行等看不见的字符，例如 3栋2单元1101。',
  'bad-voucher': '凭证文件的指纹与文件对不上，无法认定是哪份凭证。请重新上传凭证文件（发票、合同或收据的照片或扫描件）。',
  'bad-voucher-type': '只能上传 PDF、JPEG 或 PNG 格式的凭证文件，这个文件不是。请转成 PDF 或拍照后再上传。',
  'voucher-too-large': '凭证文件超过 10 MB 的上限。请压缩或拍得小一些再上传。',
  'voucher-mismatch': '上传的文件与这笔支出登记的凭证指纹对不上，不是同一份文件。请上传记录这笔支出时选的那份凭证文件。',
  'voucher-not-in-ledger': '您服务的小区里没有哪笔支出登记了这份凭证。请先记录这笔支出（选这份凭证文件），再上传凭证。',
  'voucher-not-found': '暂时看不到这份凭证：物业可能还没有上传。',
  'voucher-corrupt': ZH_DATA,
  'bad-seq': '记录序号不对，应为 0 或正整数，例如 128。',
  'bad-request':
    '提交的内容不完整或不合要求，例如缺少必填项、编号里有不允许的字符（只能用字母、数字和 - _ .）、文字太长，或同一房号填了两次。请检查后再提交。',

  // Already there, or not found
  'duplicate-receipt':
    '这个收据号在本小区已经登记过一笔缴费，同一张收据不能记两次。请核对收据号；如果之前那笔记错了，请先冲正那一笔再登记。',
  'duplicate-unit': '这个房号已经登记过了，或在这次提交中出现了两次。请删去重复的房号。',
  'duplicate-firm': '这家物业公司已经登记过了，不用再登记。',
  'duplicate-community': '这个小区已经登记过了，不用再登记。',
  'duplicate-proposal': '已有一个相同编号的表决事项。请换一个编号，例如 elevator-2026。',
  'unknown-community': '找不到这个小区。请核对小区编号；如仍不对，请联系物业或业委会。',
  'unknown-unit': '本小区没有登记这个房号。请核对房号；如仍不对，请联系物业。',
  'unknown-firm': '找不到这家物业公司。请核对公司编号，或先登记这家公司。',
  'unknown-payment': '找不到要评价的这笔缴费。请在“我的缴费记录”里选一笔再评价。',
  'unknown-proposal': '找不到这个表决事项。请回到事项列表重新选择。',
  'unknown-resolution':
    '用公共收益付款，要写明本小区业主表决通过的决议编号（以 R- 开头，例如 R-elevator-2026）。没有找到这个决议，请核对编号。',
  'unknown-entry': '找不到这条记录：这个序号还没有记录。请核对序号，或刷新页面后再试。',
  'not-found': '要找的数据不存在。请刷新页面后再试。',

  // Trust rules: the books forbid it
  'insufficient-funds':
    '账上的钱不够：这笔支出（或冲正）会让这项资金在某个月底出现负数，而专项资金不能透支。请核对金额和日期；付款日期不能早于对应收入的到账日期。',
  'remuneration-cap':
    '超过了合同约定的物业酬金上限：记入这笔后，累计提取的酬金会超过按物业费收入计算出的可提取数。物业酬金只能从物业费资金中支付。请核对金额和日期。',
  'resolution-exceeded': '这笔支出会超过业主表决批准的金额。批准多少最多只能花多少；如需追加，要另行表决。',
  'resolution-not-passed':
    '这项表决还没有结束、没有通过，或这个决议没有批准动用公共收益，所以不能用公共收益付款。请等表决通过后再登记。',
  'resolution-matter': '用公共收益做维修，须由业主按“特别事项（四分之三）”表决通过；这个决议是一般事项，不能用于维修。',
  'idempotency-conflict':
    '这份表单之前提交过，但这次的内容不一样；为防止重复记账，这次没有保存。请刷新页面，看看之前那次是否已经记入，再重新填写提交。',
  'not-reversible': '这条记录不能冲正：只有缴费、支出和公共收益可以冲正，冲正记录本身不能再冲正。',
  'already-reversed': '这条记录已经冲正过了，不用再冲正。',
  'payment-reversed': '这笔缴费已被冲正（作废），不能再评价。',
  'payment-already-evaluated': '这笔缴费已经评价过了，每笔缴费只能评价一次。',
  'proposal-closed': '这个表决事项已经结束，不能再投票，也不用再结束一次。',
  'voting-closed': '投票已经截止（按北京时间，截止日当天仍可投），不能再投票。',
  'proposal-still-open': '还没到截止日，表决不能提前结束；只有全部房号都投了票才能提前结束。请到截止日之后再结束表决。',

  // Bank statements
  'bad-bank-statement':
    '银行对账单文件读不了。请上传从网银导出、没有改动过的 CSV 文件（不超过 8 MB，UTF-8 或 GBK 编码均可）；出错的行号见下方说明。',
  'unknown-bank-format':
    '认不出这份对账单的格式。目前可用工商银行、招商银行、建设银行网银导出的 CSV 对账单，或表头为 date,amount,direction,counterparty,reference 的通用格式。请确认第一行是原样的表头。',

  // Too much at once, or the server is busy
  'body-too-large': '提交的内容太大（例如上传的文件太大）。请缩小文件或分几次提交。',
  'entry-too-large': '这次提交的内容太多，超过了一条记录的上限。请分几次提交，例如每次少登记一些房号。',
  'header-too-large': ZH_PAGE,
  busy: '服务器正忙，这次提交没有记入。请等几秒钟再试。',
  'too-many-connections': '现在访问的人太多，服务器一时忙不过来。请稍等片刻再试。',
  'shutting-down': '服务器正在重启或维护，这次提交没有记入。请过几分钟再试。',
  'storage-full': '服务器的存储空间满了，这次提交没有记入。请稍后再提交一次；如果一再出现，请告知物业或系统管理员。',
  'storage-unavailable': '服务器的存储出了故障，这次提交没有记入。请稍后再提交一次；如果一再出现，请告知物业或系统管理员。',
  'log-damaged':
    '服务器自检发现保存的账本被改动或损坏，为保护账目已暂停一切记账，这次提交没有记入。查看账目不受影响。这不是您操作的问题，请告知物业、业委会或系统管理员。',
  'io-error': ZH_SERVER,
  internal: ZH_SERVER,
  'no-response': ZH_SERVER,
  crypto: ZH_SERVER,
  'no-entropy': ZH_SERVER,

  // The page's request itself was wrong (a person can only reload)
  'bad-json': ZH_PAGE,
  'bad-target': ZH_PAGE,
  'bad-query': ZH_PAGE,
  'duplicate-query-parameter': ZH_PAGE,
  'bad-idempotency-key': ZH_PAGE,
  'bad-base64': ZH_PAGE,
  'bad-hex': ZH_PAGE,
  'not-canonicalizable': ZH_PAGE,
  'unsupported-transfer-coding': ZH_PAGE,
  'bad-path': '网址里的小区编号或房号有不允许的字符。请从首页重新进入。',
  'no-route': '没有这个页面或功能，网址可能有误或已过时。请从首页重新进入。',
  'method-not-allowed': ZH_PAGE,

  // Checking the books (proofs and signed checkpoints)
  'beyond-tree': '要核验的位置超出了账本现有的记录，账本可能还没更新到那里。请刷新页面后再试。',
  'no-checkpoint': '账本在这个位置没有签名检查点，无法核验。请刷新页面后再试。',
  'out-of-range': '要核验的记录不在所选的范围内。请刷新页面后再试。',
  'bad-proof': ZH_CHECK,
  'root-mismatch': ZH_CHECK,
  'bad-signature': '签名核验没有通过：这份数据不是用本账本的密钥签的，可能被改动过。请截图保存此页，并告知业委会或监管部门。',
  'unknown-key': '这份数据上没有本账本的签名，无法核验。请刷新页面后再试；如果一再出现，请截图保存并告知业委会或监管部门。',
  'malformed-note': ZH_CHECK_DATA,
  'malformed-checkpoint': ZH_CHECK_DATA,
  'bad-verifier-key': ZH_CHECK_DATA,
  'bad-public-key': ZH_CHECK_DATA,

  // Stored data damaged or not matching
  'store-corrupt': ZH_DATA,
  'state-corrupt': ZH_DATA,
  'store-does-not-verify': ZH_DATA,
  'entry-corrupt': ZH_DATA,
  'entry-missing': ZH_DATA,
  'tree-node-missing': ZH_DATA,
  'checkpoint-mismatch': ZH_DATA,
  'bad-credential-record': ZH_DATA,
  'bad-issue-record': ZH_DATA,

  // How the server was started (met by its operator, not in the portal)
  'bad-server-options': ZH_SETUP,
  'tls-config': ZH_SETUP,
  'access-log': ZH_SETUP,
  'listen-failed': ZH_SETUP,
  'web-dir': ZH_SETUP,
  'no-ledger': ZH_SETUP,
  'store-invalid': ZH_SETUP,
  'store-layout': ZH_SETUP,
  'bad-origin': ZH_SETUP,
  'bad-key-name': ZH_SETUP,
  'bad-private-key': ZH_SETUP,
  'key-file-missing': ZH_SETUP,
  'key-file-mode': ZH_SETUP,
  'key-file-exists': '密钥文件已经存在，为免覆盖没有写入。请换一个文件名再试。',
  'key-mismatch': ZH_SETUP,
};

const en = {
  // Signing in and who may do what
  unauthenticated: 'You are not signed in, or your sign-in has ended. Please sign in again and retry.',
  'bad-token':
    'This access token is wrong, has ended or was withdrawn (for example after signing out). Please sign in again; if that does not work, ask the property firm or the owners’ committee for a new invitation code.',
  forbidden:
    'Your account may not do this, or may not see this community or unit. For example, only a unit’s owner votes for it, and only the community’s property firm records spending. If in doubt, ask the property firm or the owners’ committee.',
  'bad-credential':
    'The access asked for does not fit: the community is not served by this property firm, or a community or unit given is not allowed. Please check them and try again.',
  'admin-exists': 'An administrator account exists already; a second one is not made.',
  'token-file-exists': 'The file the access token was to be saved in exists already, so nothing was written. Please choose another file name.',

  // Invitations on paper
  'bad-invitation-code':
    'That is not an invitation code. A code has 16 letters and digits (never the letter U), such as K7QM-3XJD-9PRT-WB2H; dashes and spaces are optional, capitals or not. Please type it again from the paper.',
  'unknown-invitation':
    'This invitation code was not found. Please check it carefully against the paper (such as K7QM-3XJD-9PRT-WB2H); if it still fails, ask the property firm or the owners’ committee for a new one.',
  'invitation-used':
    'This invitation code was used already; each code works once. If you did not use it, or you need to sign in on another phone, ask the property firm or the owners’ committee for a new one.',
  'invitation-expired': 'This invitation code has expired. Please ask the property firm or the owners’ committee for a new one.',
  'invitation-revoked': 'This invitation code was cancelled by the property firm or the owners’ committee. Please ask them for a new one.',
  'too-many-attempts':
    'Too many wrong invitation codes were tried, so trying is paused for safety. Please wait a minute, then type the code carefully from the paper.',
  'invitations-already-issued':
    'These units already have invitation codes that are neither used nor expired. To hand out new ones, cancel the old codes first.',
  'bad-valid-days': 'An invitation code is valid for 1 to 90 days, such as 30; left empty, it is 30 days.',
  'bad-invitation-record': EN_DATA,

  // What was typed
  'bad-amount':
    'The amount is not right. Type it in yuan: more than ¥0.00 and at most ¥1,000,000,000.00, with at most two decimals, such as ¥256.50.',
  'bad-area':
    'The floor area is not right. Type it in square metres: more than 0 and at most 100,000 m², with at most two decimals, such as 89.50.',
  'bad-rate':
    'The fee rate is not right. Type it in yuan per square metre per month: more than ¥0.00 and at most ¥1,000.00, such as ¥2.50.',
  'bad-remuneration':
    'The property firm’s remuneration is not right: it is either 0% to 100% of fee income (such as 10%) or a fixed sum above zero each month (such as ¥8,000.00), one of the two.',
  'bad-due-day':
    'The monthly due day is not right: it is a day from 1 to 28 (such as 15: each month’s fee is due by the 15th), or empty for the last day of the month.',
  'bad-date':
    'The date is not right. Type a real date as year-month-day, such as 2026-11-23, in the years 2000 to 2099. A payment or receipt date cannot be later than today.',
  'bad-month': 'The month is not right. Type it as year-month, such as 2026-11, in the years 2000 to 2099.',
  'bad-period':
    'The period is not right. Type a month, a quarter or a year, such as 2026-11, 2026-Q3 or 2026. A payment cannot start before the month the community started charging fees, and covers at most 120 months.',
  'bad-closes-on': 'The voting end date is not right: it is a real date, today or later, such as 2026-11-23.',
  'bad-score': 'Every rating must be given, from 1 to 5 (5 is best).',
  'bad-text':
    'The text holds characters that cannot be kept (such as invisible control characters or garbled text). Please remove them, or type the text again, and submit.',
  'bad-label':
    'The unit name is not allowed: at most 64 bytes (about 21 Chinese characters) and no line breaks or other invisible characters, such as Bldg 3 Unit 2 Flat 1101.',
  'bad-voucher':
    'The voucher file’s fingerprint does not match the file, so the voucher cannot be identified. Please upload the voucher file again (a photo or scan of the invoice, contract or receipt).',
  'bad-voucher-type':
    'Vouchers are PDF, JPEG or PNG files, and this one is not. Please convert it to PDF or take a photo, and upload it again.',
  'voucher-too-large': 'The voucher file is over the 10 MB limit. Please compress it or take a smaller photo, and upload it again.',
  'voucher-mismatch':
    'The file uploaded does not match the voucher fingerprint recorded with this spending: it is not the same file. Please upload the file chosen when the spending was recorded.',
  'voucher-not-in-ledger':
    'No spending recorded in the communities you serve names this voucher. Please record the spending first (choosing this voucher file), then upload the voucher.',
  'voucher-not-found': 'This voucher cannot be shown yet: the property firm may not have uploaded it.',
  'voucher-corrupt': EN_DATA,
  'bad-seq': 'The entry number is not right: it is 0 or a whole number above 0, such as 128.',
  'bad-request':
    'Something is missing or not allowed, for example a required field is empty, a code holds characters other than letters, digits and - _ . , a text is too long, or one unit is listed twice. Please check and submit again.',

  // Already there, or not found
  'duplicate-receipt':
    'A payment with this receipt number is already recorded in this community; one receipt is never recorded twice. Please check the receipt number; if the earlier payment was wrong, reverse it first and then record this one.',
  'duplicate-unit': 'This unit is already registered, or appears twice in what you sent. Please remove the repeated unit.',
  'duplicate-firm': 'This property firm is already registered; there is no need to register it again.',
  'duplicate-community': 'This community is already registered; there is no need to register it again.',
  'duplicate-proposal': 'A vote with this code exists already. Please choose another code, such as elevator-2026.',
  'unknown-community': 'This community was not found. Please check the community code; if it still fails, contact the property firm or the owners’ committee.',
  'unknown-unit': 'This unit is not registered in this community. Please check the unit; if it still fails, contact the property firm.',
  'unknown-firm': 'This property firm was not found. Please check the firm’s code, or register the firm first.',
  'unknown-payment': 'The payment to rate was not found. Please pick one from “My payments” and rate it there.',
  'unknown-proposal': 'This vote was not found. Please go back to the list of votes and choose again.',
  'unknown-resolution':
    'Spending public revenue needs the code of a resolution this community’s owners passed (it starts with R-, such as R-elevator-2026). No such resolution was found; please check the code.',
  'unknown-entry': 'This entry was not found: nothing is recorded under that number yet. Please check the number, or reload the page and try again.',
  'not-found': 'What was asked for does not exist. Please reload the page and try again.',

  // Trust rules: the books forbid it
  'insufficient-funds':
    'There is not enough money: this payment (or reversal) would leave the fund below zero at the end of a month, and a trust fund is never overdrawn. Please check the amount and the date; money cannot be paid out before the income that covers it arrived.',
  'remuneration-cap':
    'This goes over the property firm’s remuneration allowed by its contract: with it, the remuneration taken so far would be more than the contract allows on the fee income so far. Remuneration is paid from the fee fund only. Please check the amount and the date.',
  'resolution-exceeded':
    'This would spend more than the owners’ vote approved. No more than the approved sum can be spent; spending more needs a new vote.',
  'resolution-not-passed':
    'This vote is still open or did not pass, or the resolution does not approve spending public revenue, so public revenue cannot pay for this. Please record it after the vote has passed.',
  'resolution-matter':
    'Repairs paid from public revenue need a vote passed as a special matter (three quarters); this resolution is an ordinary matter, so it cannot pay for repairs.',
  'idempotency-conflict':
    'This form was sent before with different contents, so this time nothing was saved, to avoid recording it twice. Please reload the page, see whether the earlier one was recorded, and fill in the form again.',
  'not-reversible': 'This entry cannot be reversed: only payments, spending and public revenue are reversed, and a reversal is never reversed itself.',
  'already-reversed': 'This entry was already reversed; there is nothing more to do.',
  'payment-reversed': 'This payment was reversed (cancelled), so it cannot be rated.',
  'payment-already-evaluated': 'This payment was already rated; each payment is rated once.',
  'proposal-closed': 'This vote has ended: no more ballots are taken, and it need not be closed again.',
  'voting-closed': 'Voting has ended (it runs through its end date, Beijing time), so no more ballots are taken.',
  'proposal-still-open':
    'The vote’s end date has not come yet, and a vote closes early only once every unit has voted. Please close it after its end date.',

  // Bank statements
  'bad-bank-statement':
    'The bank statement cannot be read. Please upload the CSV file exactly as online banking exported it (at most 8 MB, UTF-8 or GBK); the line at fault is named below.',
  'unknown-bank-format':
    'The statement’s layout is not recognised. CSV statements exported from ICBC, China Merchants Bank or China Construction Bank online banking can be used, or a plain one whose first row is date,amount,direction,counterparty,reference. Please make sure the first row is the header as exported.',

  // Too much at once, or the server is busy
  'body-too-large': 'What was sent is too large (for example an uploaded file). Please make the file smaller or send it in parts.',
  'entry-too-large': 'This is too much for one record. Please send it in parts, for example fewer units at a time.',
  'header-too-large': EN_PAGE,
  busy: 'The server is busy, so this was not recorded. Please wait a few seconds and try again.',
  'too-many-connections': 'Too many people are using the server right now. Please wait a moment and try again.',
  'shutting-down': 'The server is restarting or under maintenance, so this was not recorded. Please try again in a few minutes.',
  'storage-full':
    'The server’s storage is full, so this was not recorded. Please send it again later; if it keeps happening, tell the property firm or the system administrator.',
  'storage-unavailable':
    'The server’s storage failed, so this was not recorded. Please send it again later; if it keeps happening, tell the property firm or the system administrator.',
  'log-damaged':
    'The server’s own check found the stored ledger changed or damaged, so to protect the books it records nothing until this is repaired; this was not recorded. The books can still be viewed. This is not caused by anything you did; please tell the property firm, the owners’ committee or the system administrator.',
  'io-error': EN_SERVER,
  internal: EN_SERVER,
  'no-response': EN_SERVER,
  crypto: EN_SERVER,
  'no-entropy': EN_SERVER,

  // The page's request itself was wrong (a person can only reload)
  'bad-json': EN_PAGE,
  'bad-target': EN_PAGE,
  'bad-query': EN_PAGE,
  'duplicate-query-parameter': EN_PAGE,
  'bad-idempotency-key': EN_PAGE,
  'bad-base64': EN_PAGE,
  'bad-hex': EN_PAGE,
  'not-canonicalizable': EN_PAGE,
  'unsupported-transfer-coding': EN_PAGE,
  'bad-path': 'The web address holds a community or unit code with characters that are not allowed. Please start again from the home page.',
  'no-route': 'There is no such page or function; the web address may be wrong or out of date. Please start again from the home page.',
  'method-not-allowed': EN_PAGE,

  // Checking the books (proofs and signed checkpoints)
  'beyond-tree': 'The place to check lies beyond the entries the ledger holds; it may not have caught up yet. Please reload the page and try again.',
  'no-checkpoint': 'The ledger has no signed checkpoint at this place, so it cannot be checked. Please reload the page and try again.',
  'out-of-range': 'The entry to check is not within the range chosen. Please reload the page and try again.',
  'bad-proof': EN_CHECK,
  'root-mismatch': EN_CHECK,
  'bad-signature':
    'The signature check failed: this was not signed with the ledger’s key and may have been changed. Please take a screenshot of this page and tell the owners’ committee or the regulator.',
  'unknown-key':
    'This carries no signature of this ledger, so it cannot be checked. Please reload the page and try again; if it keeps happening, take a screenshot and tell the owners’ committee or the regulator.',
  'malformed-note': EN_CHECK_DATA,
  'malformed-checkpoint': EN_CHECK_DATA,
  'bad-verifier-key': EN_CHECK_DATA,
  'bad-public-key': EN_CHECK_DATA,

  // Stored data damaged or not matching
  'store-corrupt': EN_DATA,
  'state-corrupt': EN_DATA,
  'store-does-not-verify': EN_DATA,
  'entry-corrupt': EN_DATA,
  'entry-missing': EN_DATA,
  'tree-node-missing': EN_DATA,
  'checkpoint-mismatch': EN_DATA,
  'bad-credential-record': EN_DATA,
  'bad-issue-record': EN_DATA,

  // How the server was started (met by its operator, not in the portal)
  'bad-server-options': EN_SETUP,
  'tls-config': EN_SETUP,
  'access-log': EN_SETUP,
  'listen-failed': EN_SETUP,
  'web-dir': EN_SETUP,
  'no-ledger': EN_SETUP,
  'store-invalid': EN_SETUP,
  'store-layout': EN_SETUP,
  'bad-origin': EN_SETUP,
  'bad-key-name': EN_SETUP,
  'bad-private-key': EN_SETUP,
  'key-file-missing': EN_SETUP,
  'key-file-mode': EN_SETUP,
  'key-file-exists': 'The key file exists already, so nothing was written. Please choose another file name.',
  'key-mismatch': EN_SETUP,
};

export const PROBLEM_TEXT = Object.freeze({ 'zh-CN': Object.freeze(zh), en: Object.freeze(en) });
export const PROBLEM_FALLBACK = Object.freeze(GENERIC);

// The text for a problem's `type` in `lang` ('zh-CN' or 'en'; another 'en-…' reads English, any
// other language Chinese). An unknown or missing type gets the generic sentence.
export function problemText(lang, type) {
  const key = String(lang ?? '').toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
  const texts = PROBLEM_TEXT[key];
  return typeof type === 'string' && Object.hasOwn(texts, type) ? texts[type] : GENERIC[key];
}
