// Civil Code art. 278 vote counting: quorum and pass thresholds by headcount and by area.
//
// Quorum: the units that voted hold >= 2/3 of the exclusive area AND are >= 2/3 of the units.
// SPECIAL matters (items 6-8) pass with >= 3/4 of the participating area AND headcount voting YES;
// ORDINARY matters with more than half of both. ABSTAIN counts as participating. "以上" includes
// the bound (art. 1259). All comparisons are exact integer cross-multiplications.
#pragma once

#include <cstdint>
#include <vector>

#include "mingzhang/v1/ledger.pb.h"

namespace mingzhang {

struct CastBallot {
  int64_t area_centi_m2 = 0;
  v1::Choice choice = v1::CHOICE_UNSPECIFIED;  // YES, NO or ABSTAIN
};

// REQUIRES: one CastBallot per voting unit (the unit's latest ballot); eligible_* cover every
// registered unit of the community, voters included.
v1::Tally CountVotes(int64_t eligible_units, int64_t eligible_area_centi_m2,
                     const std::vector<CastBallot>& ballots, v1::Matter matter);

}  // namespace mingzhang
