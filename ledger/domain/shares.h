// "Where my fee went": an owner's payment split across what the fee pool was spent on, in whole
// fen, by largest remainders, so that the shares plus the unspent part equal the payment exactly.
#pragma once

#include <cstdint>
#include <vector>

#include "mingzhang/v1/ledger.pb.h"

namespace mingzhang {

struct CategoryAmount {
  v1::Category category = v1::CATEGORY_UNSPECIFIED;
  int64_t fen = 0;
};

struct OwnerShares {
  std::vector<CategoryAmount> shares;  // same categories and order as `spent`
  int64_t unspent_fen = 0;
};

// paid_fen: what the owner paid for the period (>= 0). income_fen: the community's fee income for
// the period (>= paid_fen). spent: fee-pool spending in the period by category (each >= 0).
// The owner's part of spending is paid × min(Σspent, income) / income, rounded down to a fen;
// it is divided among categories in proportion to spending (Hamilton / largest remainder: floor
// every exact quota, then give one fen each to the largest fractional parts, ties to the earlier
// category). unspent = paid − Σshares. income 0 gives no shares and everything unspent.
// Products are computed in 128 bits: no overflow for any int64 inputs.
OwnerShares SplitOwnerPayment(int64_t paid_fen, int64_t income_fen, const std::vector<CategoryAmount>& spent);

}  // namespace mingzhang
