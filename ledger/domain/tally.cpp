#include "ledger/domain/tally.h"

namespace mingzhang {
namespace {

// Areas are int64 centi-m²; a product of two of them needs more than 64 bits.
using Wide = __int128;

// Adds one ballot to the running counts. Ballots without a real choice are skipped rather than
// counted as participating: a unit that never said YES, NO or ABSTAIN has not voted.
void AddBallot(const CastBallot& b, v1::Tally& t) {
  switch (b.choice) {
    case v1::YES:
      t.set_yes_units(t.yes_units() + 1);
      t.set_yes_area_centi_m2(t.yes_area_centi_m2() + b.area_centi_m2);
      break;
    case v1::NO:
      t.set_no_units(t.no_units() + 1);
      t.set_no_area_centi_m2(t.no_area_centi_m2() + b.area_centi_m2);
      break;
    case v1::ABSTAIN:
      t.set_abstain_units(t.abstain_units() + 1);
      t.set_abstain_area_centi_m2(t.abstain_area_centi_m2() + b.area_centi_m2);
      break;
    default:
      return;
  }
  t.set_voted_units(t.voted_units() + 1);
  t.set_voted_area_centi_m2(t.voted_area_centi_m2() + b.area_centi_m2);
}

// part / whole >= num / den, exactly.
bool AtLeast(int64_t part, int64_t whole, int num, int den) {
  return Wide{part} * den >= Wide{whole} * num;
}

// Art. 278: two thirds of the area and two thirds of the units took part. With no registered
// units there is nobody to form a quorum, so it cannot be met.
bool QuorumMet(const v1::Tally& t) {
  if (t.eligible_units() <= 0) return false;
  return AtLeast(t.voted_area_centi_m2(), t.eligible_area_centi_m2(), 2, 3) &&
         AtLeast(t.voted_units(), t.eligible_units(), 2, 3);
}

// ORDINARY needs strictly more than half of the participants, SPECIAL at least three quarters;
// both by area and by headcount. An unknown matter never passes.
bool Approved(const v1::Tally& t, v1::Matter matter) {
  const int64_t ya = t.yes_area_centi_m2(), va = t.voted_area_centi_m2();
  const int64_t yu = t.yes_units(), vu = t.voted_units();
  switch (matter) {
    case v1::ORDINARY:
      return Wide{ya} * 2 > Wide{va} && Wide{yu} * 2 > Wide{vu};
    case v1::SPECIAL:
      return AtLeast(ya, va, 3, 4) && AtLeast(yu, vu, 3, 4);
    default:
      return false;
  }
}

}  // namespace

v1::Tally CountVotes(int64_t eligible_units, int64_t eligible_area_centi_m2,
                     const std::vector<CastBallot>& ballots, v1::Matter matter) {
  v1::Tally t;
  t.set_eligible_units(eligible_units);
  t.set_eligible_area_centi_m2(eligible_area_centi_m2);
  for (const CastBallot& b : ballots) AddBallot(b, t);
  t.set_quorum_met(QuorumMet(t));
  t.set_passed(t.quorum_met() && Approved(t, matter));
  return t;
}

}  // namespace mingzhang
