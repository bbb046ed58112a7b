// Firm ratings: a score 0-100 from what the log shows about a firm in a period, a grade, and the
// regulator's red and black lists. The formula is versioned and returned with every rating
// (README "Firm ratings").
#pragma once

#include <cstdint>
#include <string>

namespace mingzhang {

// /3: promptness is measured only on entries dated on or after the community's registration
// (earlier ones are imported history); collection counts only months past due.
inline constexpr const char* kRatingFormulaVersion = "mingzhang-rating/3";
inline constexpr int kPromptRecordingDaysMax = 7;  // recorded within 7 days of the business date

struct RatingInputs {
  int64_t evaluations = 0;           // non-reversed owner evaluations in the period
  int64_t evaluation_score_sum = 0;  // sum of all five dimension scores (1-5) of those
  int64_t billed = 0;                // fen billed for the period's months past due (views.h ViewAsOf)
  int64_t collection_rate_bp = 0;    // collected / billed for those months, basis points (may exceed 10,000)
  int64_t disbursements = 0;         // disbursements in the period
  int64_t disbursements_with_voucher = 0;
  int64_t business_entries = 0;      // payments, disbursements, public revenue in the period
  int64_t imported_history_entries = 0;  // of those, dated before the community's registration was
                                         // recorded: back-filled history, not timed
  int64_t prompt_entries = 0;        // of the others, recorded within kPromptRecordingDaysMax days
  int64_t reversals = 0;             // reversals of the firm's entries of the period
};

struct Rating {
  int score = 0;         // 0-100
  std::string grade;     // AAA >= 85, AA >= 80, A >= 70, B >= 60, C below; "unrated" when the
                         // period shows nothing of the firm (nothing billed, recorded or rated),
                         // which puts it on neither list
  bool red_list = false;    // AA and above
  bool black_list = false;  // B and below
  // Points per component, in thousandths, for the published breakdown.
  int64_t evaluation_milli = 0, collection_milli = 0, disclosure_milli = 0, reversal_milli = 0;
};

Rating RateFirm(const RatingInputs& inputs);
std::string GradeOf(int score);

}  // namespace mingzhang
