#include "ledger/domain/rating.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

namespace mingzhang {
namespace {

// Inputs with a fee billed, no disbursements, no business entries and no reversals: disclosure (25) and
// reversals (15) are full, 40 points. Evaluations add 2S - 10 points for one evaluation with
// dimension sum S (5..25), or 20 with none; collection adds bp / 500 points.
RatingInputs With(int64_t evaluations, int64_t score_sum, int64_t collection_bp) {
  RatingInputs in;
  in.evaluations = evaluations;
  in.evaluation_score_sum = score_sum;
  in.billed = 100000;
  in.collection_rate_bp = collection_bp;
  return in;
}

struct Expect {
  int score;
  std::string grade;
  bool red, black;
};

void CheckRating(const RatingInputs& in, const Expect& e) {
  const Rating r = RateFirm(in);
  CHECK(r.score == e.score);
  CHECK(r.grade == e.grade);
  CHECK(r.red_list == e.red);
  CHECK(r.black_list == e.black);
}

TEST_CASE("grade boundaries", "[rating]") {
  CheckRating(With(1, 25, 2500), {85, "AAA", true, false});  // 40 + 5 + 40
  CheckRating(With(1, 25, 2000), {84, "AA", true, false});   // 40 + 4 + 40
  CheckRating(With(0, 0, 10000), {80, "AA", true, false});   // 20 + 20 + 40
  CheckRating(With(0, 0, 9500), {79, "A", false, false});    // 20 + 19 + 40
  CheckRating(With(0, 0, 5000), {70, "A", false, false});    // 20 + 10 + 40
  CheckRating(With(0, 0, 4500), {69, "B", false, true});     // 20 + 9 + 40
  CheckRating(With(0, 0, 0), {60, "B", false, true});        // 20 + 0 + 40
  CheckRating(With(1, 5, 9500), {59, "C", false, true});     // 0 + 19 + 40
}

TEST_CASE("nothing billed: full collection points; nothing at all: unrated, on neither list", "[rating]") {
  RatingInputs in;
  in.business_entries = 3;
  in.prompt_entries = 3;
  CheckRating(in, {80, "AA", true, false});  // 20 + 20 + 25 + 15: a firm recording in the period
  CheckRating(RatingInputs{}, {80, "unrated", false, false});
}

TEST_CASE("GradeOf", "[rating]") {
  CHECK(GradeOf(100) == "AAA");
  CHECK(GradeOf(85) == "AAA");
  CHECK(GradeOf(84) == "AA");
  CHECK(GradeOf(80) == "AA");
  CHECK(GradeOf(79) == "A");
  CHECK(GradeOf(70) == "A");
  CHECK(GradeOf(69) == "B");
  CHECK(GradeOf(60) == "B");
  CHECK(GradeOf(59) == "C");
  CHECK(GradeOf(0) == "C");
}

TEST_CASE("score rounds half up", "[rating]") {
  // 40 + 2250/500 = 4.5 + 40 = 84.500 -> 85; 2249 bp gives 4.498 -> 84.498 -> 84.
  CheckRating(With(1, 25, 2250), {85, "AAA", true, false});
  CheckRating(With(1, 25, 2249), {84, "AA", true, false});
}

TEST_CASE("worked example with every component", "[rating]") {
  RatingInputs in;
  in.evaluations = 4;
  in.evaluation_score_sum = 71;
  in.billed = 4'500'000;
  in.collection_rate_bp = 9234;
  in.disbursements = 7;
  in.disbursements_with_voucher = 6;
  in.business_entries = 30;
  in.prompt_entries = 27;
  in.reversals = 1;
  // evaluation: m = 71 / 20 = 3.55; 40 * (3.55 - 1) / 4 = 25.5            -> 25500
  // collection: 20 * 9234 / 10000 = 18.468                                -> 18468
  // disclosure: 10 * 6/7 = 8.571428.. + 15 * 27/30 = 13.5 -> 22.071428..  -> 22071
  // reversals:  15 * (1 - 10 * 1/30) = 15 * 2/3 = 10                      -> 10000
  // total 76039 thousandths -> 76.039 -> 76: A, on neither list.
  const Rating r = RateFirm(in);
  CHECK(r.evaluation_milli == 25500);
  CHECK(r.collection_milli == 18468);
  CHECK(r.disclosure_milli == 22071);
  CHECK(r.reversal_milli == 10000);
  CHECK(r.score == 76);
  CHECK(r.grade == "A");
  CHECK_FALSE(r.red_list);
  CHECK_FALSE(r.black_list);
}

TEST_CASE("disclosure is floored as a whole, not part by part", "[rating]") {
  // 10 * 2/3 = 6.666.. and 15 * 2/9 = 3.333..: the parts floor to 6666 + 3333 = 9999, but the
  // component is exactly 10 points.
  RatingInputs in;
  in.disbursements = 3;
  in.disbursements_with_voucher = 2;
  in.business_entries = 9;
  in.prompt_entries = 2;
  CHECK(RateFirm(in).disclosure_milli == 10000);
}

TEST_CASE("evaluation extremes and the neutral default", "[rating]") {
  CHECK(RateFirm(With(0, 0, 0)).evaluation_milli == 20000);
  CHECK(RateFirm(With(3, 15, 0)).evaluation_milli == 0);       // all ones
  CHECK(RateFirm(With(3, 75, 0)).evaluation_milli == 40000);   // all fives
  CHECK(RateFirm(With(3, 44, 0)).evaluation_milli == 19333);   // 40 * 29/60 = 19.333..
}

TEST_CASE("clamps", "[rating]") {
  // Collection above 100% earns no more than 20 points.
  CHECK(RateFirm(With(0, 0, 12000)).collection_milli == 20000);
  RatingInputs in;
  in.business_entries = 30;
  in.prompt_entries = 30;
  in.reversals = 3;  // exactly 10%: 15 * (1 - 1) = 0
  CHECK(RateFirm(in).reversal_milli == 0);
  in.reversals = 4;  // above 10%: clamped at 0, not negative
  CHECK(RateFirm(in).reversal_milli == 0);
  in.reversals = 2;  // 15 * (1 - 20/30) = 5
  CHECK(RateFirm(in).reversal_milli == 5000);
  // One reversal and no business entries: divides by max(1, 0) = 1.
  RatingInputs none;
  none.reversals = 1;
  CHECK(RateFirm(none).reversal_milli == 0);
  // A perfect record scores 100.
  RatingInputs best = With(2, 50, 10000);
  best.disbursements = 4;
  best.disbursements_with_voucher = 4;
  best.business_entries = 10;
  best.prompt_entries = 10;
  const Rating r = RateFirm(best);
  CHECK(r.score == 100);
  CHECK(r.grade == "AAA");
}

TEST_CASE("imported history is neither rewarded nor punished in promptness", "[rating]") {
  RatingInputs in;
  in.billed = 100000;
  in.collection_rate_bp = 10000;
  in.business_entries = 40;
  in.imported_history_entries = 30;  // back-filled months late: not timed
  in.prompt_entries = 5;             // of the 10 timed
  // disclosure: 10 (no disbursements) + 15 * 5/10 = 7.5 -> 17500; reversals 15 over 40 entries.
  const Rating r = RateFirm(in);
  CHECK(r.disclosure_milli == 17500);
  CHECK(r.reversal_milli == 15000);
  // Only imported history: promptness over none counts as met.
  in.imported_history_entries = 40;
  in.prompt_entries = 0;
  CHECK(RateFirm(in).disclosure_milli == 25000);
  // Had it been timed, all 40 late would have cost the 15 points.
  in.imported_history_entries = 0;
  CHECK(RateFirm(in).disclosure_milli == 10000);
}

TEST_CASE("formula version", "[rating]") {
  CHECK(std::string(kRatingFormulaVersion) == "mingzhang-rating/3");
}

}  // namespace
}  // namespace mingzhang
