// Voucher files as the archive keeps them (README "Vouchers"): at most VOUCHER_BYTES_MAX bytes, a
// PDF, JPEG or PNG told by its first bytes — never by a name or a Content-Type (an HTML page from
// this origin could act as the page itself). No DOM here, so node tests import it as is.

// kVoucherBytesMax (ledger/domain/vouchers.h), the voucher route's limit.
export const VOUCHER_BYTES_MAX = 10 * 1024 * 1024;

const VOUCHER_TYPES = [
  { type: 'application/pdf', magic: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // %PDF-
  { type: 'image/jpeg', magic: [0xff, 0xd8, 0xff] },
  { type: 'image/png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
];

// The file's type by its first bytes, or null when it is none the archive keeps.
export function voucherType(bytes) {
  return VOUCHER_TYPES.find((v) => v.magic.length <= bytes.length && v.magic.every((b, i) => bytes[i] === b))?.type ?? null;
}
