#include "ledger/domain/shares.h"

#include <algorithm>
#include <numeric>

namespace mingzhang {
namespace {

// Every product below is of two values < 2^63, so it fits in 126 bits; a sum of int64 spending
// over any realistic number of categories fits as well.
using U128 = unsigned __int128;

// Spending is >= 0 by contract; a negative amount is treated as nothing spent rather than as
// money flowing back, so no share can go negative.
U128 Spent(const CategoryAmount& c) { return c.fen > 0 ? static_cast<U128>(c.fen) : 0; }

U128 TotalSpent(const std::vector<CategoryAmount>& spent) {
  U128 total = 0;
  for (const CategoryAmount& c : spent) total += Spent(c);
  return total;
}

// Hamilton's step: one extra fen to each of the `extra` largest fractional parts. All quotas
// share one denominator, so comparing remainder numerators compares the fractions; the stable
// sort gives ties to the earlier category.
void AwardRemainders(U128 extra, const std::vector<U128>& remainders, OwnerShares& out) {
  std::vector<size_t> order(remainders.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return remainders[a] > remainders[b]; });
  for (size_t k = 0; k < order.size() && extra > 0; ++k, --extra) out.shares[order[k]].fen += 1;
}

}  // namespace

OwnerShares SplitOwnerPayment(int64_t paid_fen, int64_t income_fen,
                              const std::vector<CategoryAmount>& spent) {
  OwnerShares out;
  for (const CategoryAmount& c : spent) out.shares.push_back({c.category, 0});
  out.unspent_fen = paid_fen;
  const U128 total_spent = TotalSpent(spent);
  if (paid_fen <= 0 || income_fen <= 0 || total_spent == 0) return out;

  // income >= paid by contract (the income includes this payment). Should a caller break that,
  // dividing by the larger of the two still keeps the owner's part within what they paid.
  const U128 paid = static_cast<U128>(paid_fen);
  const U128 income = std::max(static_cast<U128>(income_fen), paid);
  // Overspent: the owner's whole payment went out, split in proportion to spending. Otherwise
  // the owner's part is paid × Σspent / income, and each quota is paid × spent_c / income.
  const bool overspent = total_spent > income;
  const U128 den = overspent ? total_spent : income;
  const U128 owner_part = overspent ? paid : paid * total_spent / income;

  std::vector<U128> remainders(spent.size());
  U128 floors = 0;
  for (size_t i = 0; i < spent.size(); ++i) {
    const U128 quota_num = paid * Spent(spent[i]);
    out.shares[i].fen = static_cast<int64_t>(quota_num / den);
    remainders[i] = quota_num % den;
    floors += quota_num / den;
  }
  // Σ floor(quota) <= floor(Σ quota) = owner_part, short by fewer fen than there are categories.
  AwardRemainders(owner_part - floors, remainders, out);
  out.unspent_fen = static_cast<int64_t>(paid - owner_part);
  return out;
}

}  // namespace mingzhang
