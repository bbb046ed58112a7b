#include "ledger/domain/tally.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

namespace mingzhang {
namespace {

CastBallot Yes(int64_t area) { return {area, v1::YES}; }
CastBallot No(int64_t area) { return {area, v1::NO}; }
CastBallot Abstain(int64_t area) { return {area, v1::ABSTAIN}; }

TEST_CASE("tally fills every field", "[tally]") {
  const v1::Tally t = CountVotes(5, 1000, {Yes(300), Yes(200), No(150), Abstain(50)}, v1::ORDINARY);
  CHECK(t.eligible_units() == 5);
  CHECK(t.eligible_area_centi_m2() == 1000);
  CHECK(t.voted_units() == 4);
  CHECK(t.voted_area_centi_m2() == 700);
  CHECK(t.yes_units() == 2);
  CHECK(t.yes_area_centi_m2() == 500);
  CHECK(t.no_units() == 1);
  CHECK(t.no_area_centi_m2() == 150);
  CHECK(t.abstain_units() == 1);
  CHECK(t.abstain_area_centi_m2() == 50);
  CHECK(t.quorum_met());  // 4/5 units, 700/1000 area: both >= 2/3
  CHECK_FALSE(t.passed());  // 2 of 4 units is exactly half, not more
}

TEST_CASE("quorum at exactly two thirds of the area, and one centi-m2 below", "[tally]") {
  // 3 units, 300 centi-m2: 200 is exactly 2/3 (200*3 == 300*2).
  const v1::Tally at = CountVotes(3, 300, {Yes(100), Yes(100)}, v1::ORDINARY);
  CHECK(at.quorum_met());
  CHECK(at.passed());
  const v1::Tally below = CountVotes(3, 300, {Yes(100), Yes(99)}, v1::ORDINARY);
  CHECK_FALSE(below.quorum_met());
  CHECK_FALSE(below.passed());
}

TEST_CASE("quorum at exactly two thirds of the units, and one unit below", "[tally]") {
  // 9 units of 100 each: 6 voters is exactly 2/3. The 5 voters below hold enough area (700/900).
  const std::vector<CastBallot> six(6, Yes(100));
  const v1::Tally at = CountVotes(9, 900, six, v1::ORDINARY);
  CHECK(at.quorum_met());
  CHECK(at.passed());
  const v1::Tally below =
      CountVotes(9, 900, {Yes(300), Yes(100), Yes(100), Yes(100), Yes(100)}, v1::ORDINARY);
  CHECK(below.voted_area_centi_m2() == 700);
  CHECK_FALSE(below.quorum_met());
  CHECK_FALSE(below.passed());
}

TEST_CASE("quorum needs both area and headcount", "[tally]") {
  // 10 units, 1000 centi-m2. Area met (900*3 >= 2000) but 6 units (18 < 20): no quorum.
  const v1::Tally area_only = CountVotes(
      10, 1000, {Yes(400), Yes(100), Yes(100), Yes(100), Yes(100), Yes(100)}, v1::ORDINARY);
  CHECK(area_only.voted_area_centi_m2() == 900);
  CHECK_FALSE(area_only.quorum_met());
  CHECK_FALSE(area_only.passed());
  // 7 units (21 >= 20) but 595 centi-m2 (1785 < 2000): no quorum.
  const std::vector<CastBallot> seven_small(7, Yes(85));
  const v1::Tally heads_only = CountVotes(10, 1000, seven_small, v1::ORDINARY);
  CHECK(heads_only.voted_units() == 7);
  CHECK(heads_only.voted_area_centi_m2() == 595);
  CHECK_FALSE(heads_only.quorum_met());
  CHECK_FALSE(heads_only.passed());
}

TEST_CASE("no eligible units means no quorum", "[tally]") {
  const v1::Tally t = CountVotes(0, 0, {}, v1::ORDINARY);
  CHECK(t.voted_units() == 0);
  CHECK_FALSE(t.quorum_met());
  CHECK_FALSE(t.passed());
}

TEST_CASE("SPECIAL passes at exactly three quarters", "[tally]") {
  // Everyone votes, so quorum holds. 3 of 4 units and 300 of 400 area: 300*4 == 400*3.
  const v1::Tally t = CountVotes(4, 400, {Yes(100), Yes(100), Yes(100), No(100)}, v1::SPECIAL);
  CHECK(t.quorum_met());
  CHECK(t.passed());
}

TEST_CASE("SPECIAL fails just below three quarters of the area", "[tally]") {
  // 300 of 401: 1200 < 1203. Headcount is still exactly 3/4.
  const v1::Tally t = CountVotes(4, 401, {Yes(100), Yes(100), Yes(100), No(101)}, v1::SPECIAL);
  CHECK(t.quorum_met());
  CHECK_FALSE(t.passed());
}

TEST_CASE("SPECIAL fails just below three quarters of the headcount", "[tally]") {
  // 5 of 8 units YES (20 < 24) though they hold 500 of 530 area.
  const v1::Tally t = CountVotes(
      8, 530, {Yes(100), Yes(100), Yes(100), Yes(100), Yes(100), No(10), No(10), No(10)},
      v1::SPECIAL);
  CHECK(t.quorum_met());
  CHECK_FALSE(t.passed());
  // The same ballots are an ORDINARY majority: 5*2 > 8 and 500*2 > 530.
  CHECK(CountVotes(8, 530,
                   {Yes(100), Yes(100), Yes(100), Yes(100), Yes(100), No(10), No(10), No(10)},
                   v1::ORDINARY)
            .passed());
}

TEST_CASE("SPECIAL needs three quarters of both area and headcount", "[tally]") {
  // Area met, heads not: 2 of 3 YES by units (8 < 9), 900 of 1000 by area.
  CHECK_FALSE(CountVotes(3, 1000, {Yes(450), Yes(450), No(100)}, v1::SPECIAL).passed());
  // Heads met, area not: 3 of 4 YES by units, 300 of 1000 by area.
  CHECK_FALSE(
      CountVotes(4, 1000, {Yes(100), Yes(100), Yes(100), No(700)}, v1::SPECIAL).passed());
}

TEST_CASE("ORDINARY fails at exactly half of the area, passes one centi-m2 above", "[tally]") {
  // 2 of 3 units YES (more than half by headcount); area 100 of 200 is exactly half.
  const v1::Tally half = CountVotes(3, 200, {Yes(50), Yes(50), No(100)}, v1::ORDINARY);
  CHECK(half.quorum_met());
  CHECK_FALSE(half.passed());
  // 101 of 201: 202 > 201.
  const v1::Tally above = CountVotes(3, 201, {Yes(50), Yes(51), No(100)}, v1::ORDINARY);
  CHECK(above.quorum_met());
  CHECK(above.passed());
}

TEST_CASE("ORDINARY fails at exactly half of the units, passes one unit above", "[tally]") {
  // 2 of 4 units YES, holding 900 of 1000 area: headcount is exactly half.
  const v1::Tally half =
      CountVotes(4, 1000, {Yes(450), Yes(450), No(50), No(50)}, v1::ORDINARY);
  CHECK(half.quorum_met());
  CHECK_FALSE(half.passed());
  // 3 of 5 units YES.
  const v1::Tally above =
      CountVotes(5, 1000, {Yes(300), Yes(300), Yes(300), No(50), No(50)}, v1::ORDINARY);
  CHECK(above.quorum_met());
  CHECK(above.passed());
}

TEST_CASE("abstentions count as participating", "[tally]") {
  // 4 units of 100. YES, YES, ABSTAIN: 3 voters make the quorum (9 >= 8); without the
  // abstention 2 voters would not (6 < 8).
  const v1::Tally t = CountVotes(4, 400, {Yes(100), Yes(100), Abstain(100)}, v1::ORDINARY);
  CHECK(t.voted_units() == 3);
  CHECK(t.voted_area_centi_m2() == 300);
  CHECK(t.abstain_units() == 1);
  CHECK(t.abstain_area_centi_m2() == 100);
  CHECK(t.quorum_met());
  CHECK(t.passed());  // 2 of 3 is more than half
  CHECK_FALSE(CountVotes(4, 400, {Yes(100), Yes(100)}, v1::ORDINARY).quorum_met());
  // For SPECIAL the abstention is in the denominator: 2 of 3 is below 3/4 (8 < 9).
  CHECK_FALSE(CountVotes(4, 400, {Yes(100), Yes(100), Abstain(100)}, v1::SPECIAL).passed());
  // An abstention can sink an ORDINARY matter: YES 100 of 250 participating area.
  CHECK_FALSE(CountVotes(3, 250, {Yes(100), No(50), Abstain(100)}, v1::ORDINARY).passed());
}

TEST_CASE("large areas do not overflow", "[tally]") {
  // 9e18 eligible, 6e18 voted: exactly 2/3, and 6e18*3 = 9e18*2 = 1.8e19 exceed int64.
  constexpr int64_t kThird = 3'000'000'000'000'000'000;
  const v1::Tally at = CountVotes(3, 3 * kThird, {Yes(kThird), Yes(kThird)}, v1::ORDINARY);
  CHECK(at.voted_area_centi_m2() == 2 * kThird);
  CHECK(at.quorum_met());
  CHECK(at.passed());
  const v1::Tally below = CountVotes(3, 3 * kThird, {Yes(kThird), Yes(kThird - 1)}, v1::ORDINARY);
  CHECK_FALSE(below.quorum_met());
  // SPECIAL at exactly 3/4 of 8e18 (products up to 3.2e19).
  constexpr int64_t kQuarter = 2'000'000'000'000'000'000;
  CHECK(CountVotes(4, 4 * kQuarter, {Yes(kQuarter), Yes(kQuarter), Yes(kQuarter), No(kQuarter)},
                   v1::SPECIAL)
            .passed());
  CHECK_FALSE(CountVotes(4, 4 * kQuarter,
                         {Yes(kQuarter), Yes(kQuarter), Yes(kQuarter - 1), No(kQuarter)},
                         v1::SPECIAL)
                  .passed());
}

TEST_CASE("no pass without quorum, even when unanimous", "[tally]") {
  const v1::Tally t = CountVotes(10, 1000, {Yes(100)}, v1::ORDINARY);
  CHECK_FALSE(t.quorum_met());
  CHECK_FALSE(t.passed());
}

TEST_CASE("unspecified matter never passes; unspecified choices are not votes", "[tally]") {
  CHECK_FALSE(CountVotes(1, 100, {Yes(100)}, v1::MATTER_UNSPECIFIED).passed());
  const v1::Tally t = CountVotes(3, 300, {Yes(100), {100, v1::CHOICE_UNSPECIFIED}}, v1::ORDINARY);
  CHECK(t.voted_units() == 1);
  CHECK(t.voted_area_centi_m2() == 100);
  CHECK_FALSE(t.quorum_met());
}

}  // namespace
}  // namespace mingzhang
