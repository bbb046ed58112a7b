#include "ledger/domain/rating.h"

#include <algorithm>

namespace mingzhang {
namespace {

// Counts are int64; products such as 20 × n or 1000 × points × count need more than 64 bits.
using Wide = __int128;
using UWide = unsigned __int128;
constexpr int64_t kMilli = 1000;

// floor(points × num / den) in thousandths, the ratio num/den clamped to [0, 1] so that
// inconsistent counts (more vouchers than disbursements, ...) never give more than full points
// or fewer than none. REQUIRES: den > 0.
int64_t RatioMilli(int64_t points, Wide num, Wide den) {
  num = std::clamp(num, Wide{0}, den);
  return static_cast<int64_t>(Wide{points} * kMilli * num / den);
}

// 40 × (m − 1) / 4 with m = S / (5n) is 40 × (S − 5n) / (20n). No evaluations: neutral half.
int64_t EvaluationMilli(const RatingInputs& in) {
  if (in.evaluations <= 0) return 20 * kMilli;
  const Wide n = in.evaluations;
  return RatioMilli(40, Wide{in.evaluation_score_sum} - 5 * n, 20 * n);
}

// Nothing billed (a community not started yet): nothing went uncollected.
int64_t CollectionMilli(const RatingInputs& in) {
  if (in.billed <= 0) return 20 * kMilli;
  return RatioMilli(20, in.collection_rate_bp, 10000);
}

// points × num / den, as the whole part in thousandths and the remainder over den.
struct Part {
  UWide milli;
  UWide rem;
  UWide den;
};
// A ratio over zero items counts as fully met: nothing went undisclosed.
Part PartOf(int64_t points, int64_t num, int64_t den) {
  if (den <= 0) return {static_cast<UWide>(points * kMilli), 0, 1};
  const UWide d = static_cast<UWide>(den);
  const UWide met = static_cast<UWide>(std::clamp<int64_t>(num, 0, den));
  const UWide scaled = static_cast<UWide>(points * kMilli) * met;
  return {scaled / d, scaled % d, d};
}

// floor(10 × vouchers/disbursements + 15 × prompt/timed entries) exactly: the floors of the two parts
// plus one when their fractional parts add up to a whole (r1/d1 + r2/d2 >= 1, cross-multiplied;
// each product is below 2^126).
int64_t DisclosureMilli(const RatingInputs& in) {
  const Part v = PartOf(10, in.disbursements_with_voucher, in.disbursements);
  // Imported history is neither rewarded nor punished: promptness is over the timed entries only.
  const Part p = PartOf(15, in.prompt_entries, in.business_entries - in.imported_history_entries);
  const bool carry = v.rem * p.den + p.rem * v.den >= v.den * p.den;
  return static_cast<int64_t>(v.milli + p.milli) + (carry ? 1 : 0);
}

// 15 × max(0, 1 − 10r/B) = 15 × (B − 10r) / B: one reversal per ten entries costs all.
int64_t ReversalMilli(const RatingInputs& in) {
  const Wide b = std::max<int64_t>(1, in.business_entries);
  return RatioMilli(15, b - 10 * Wide{in.reversals}, b);
}

}  // namespace

std::string GradeOf(int score) {
  if (score >= 85) return "AAA";
  if (score >= 80) return "AA";
  if (score >= 70) return "A";
  if (score >= 60) return "B";
  return "C";
}

Rating RateFirm(const RatingInputs& inputs) {
  Rating r;
  r.evaluation_milli = EvaluationMilli(inputs);
  r.collection_milli = CollectionMilli(inputs);
  r.disclosure_milli = DisclosureMilli(inputs);
  r.reversal_milli = ReversalMilli(inputs);
  // The published breakdown is what is added up, so anyone can redo the sum from it.
  const int64_t total =
      r.evaluation_milli + r.collection_milli + r.disclosure_milli + r.reversal_milli;
  r.score = static_cast<int>(std::clamp<int64_t>((total + kMilli / 2) / kMilli, 0, 100));
  if (inputs.billed <= 0 && inputs.business_entries == 0 && inputs.evaluations == 0) {
    r.grade = "unrated";
    return r;
  }
  r.grade = GradeOf(r.score);
  r.red_list = r.score >= 80;
  r.black_list = r.score < 70;
  return r;
}

}  // namespace mingzhang
