// Entry decoding and the ledger's rules at append time, without a store: the bytes are parsed as
// a v1::Entry (the stored format, README "Entry bytes"), printed as the API prints entries, and
// — shaped as the sequencer shapes a request — put to the trust rules (Domain::Admit) of a small
// world (fuzz_support.h). An admitted entry is recorded.
//
// Properties: no crash or sanitizer report; printing never throws; a parsed entry serializes and
// parses back to itself; an admitted money entry posts balanced postings; after recording, no
// fund's cash is below zero and the state rows seal into a batch.
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/message_differencer.h>

#include "api/v1/json_io.h"
#include "ledger/domain/domain.h"
#include "ledger/domain/state_rows.h"
#include "tests/fuzz/fuzz_support.h"

namespace mingzhang::fuzz {
namespace {

// Admits and records the world into `domain`, as the sequencer would.
void BuildWorld(Domain& domain) {
  uint64_t seq = 0;
  for (v1::Entry& entry : WorldRequests()) {
    entry.set_seq(seq++);
    entry.set_recorded_at_ms(kWorldClockMs);
    bool changed = false;
    FUZZ_CHECK(domain.Admit(entry, &changed).ok());
    FUZZ_CHECK(domain.Record(entry, Sha256(entry.SerializeAsString())).ok());
  }
}

// Admit changes no state, so one world serves every input.
Domain& AdmittingWorld() {
  static Domain* world = [] {
    auto* domain = new Domain();
    BuildWorld(*domain);
    return domain;
  }();
  return *world;
}

// What the sequencer refuses before the rules see an entry (ledger_append.cpp).
bool ShapedLikeARequest(const v1::Entry& entry) {
  return entry.body_case() != v1::Entry::BODY_NOT_SET && entry.actor().role() != v1::ROLE_UNSPECIFIED &&
         !entry.actor().principal_id().empty() &&
         (!entry.community_id().empty() || entry.body_case() == v1::Entry::kFirm);
}

void CheckBalanced(const v1::Entry& entry) {
  int64_t sum = 0;
  for (const Posting& p : PostingsOf(entry)) {
    FUZZ_CHECK(!__builtin_add_overflow(sum, p.fen, &sum));
  }
  FUZZ_CHECK(sum == 0);
}

void RecordAdmitted(const v1::Entry& entry) {
  Domain domain;
  BuildWorld(domain);
  FUZZ_CHECK(domain.Record(entry, Sha256(entry.SerializeAsString())).ok());
  {
    StateReader state(domain.rows());
    Result<std::vector<std::string>> ids = state.CommunityIds("", SIZE_MAX);
    FUZZ_CHECK(ids.ok());
    for (const std::string& id : *ids) {
      Result<const CommunityState*> community = state.Community(id, UnitDetail::kAreas);
      FUZZ_CHECK(community.ok());
      for (const auto& [fund, cash] : (*community)->cash) FUZZ_CHECK(cash >= 0);
    }
  }
  WriteSet writes;
  domain.Seal(writes);
}

}  // namespace
}  // namespace mingzhang::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mingzhang;
  using namespace mingzhang::fuzz;
  // protobuf logs every string that is not UTF-8 before refusing it: noise at this rate.
  static const google::protobuf::LogSilencer quiet;
  v1::Entry entry;
  if (!entry.ParseFromArray(data, static_cast<int>(size))) return 0;
  (void)ProtoToJson(entry);  // GET /v1/entries prints stored entries with this
  v1::Entry again;
  FUZZ_CHECK(again.ParseFromString(entry.SerializeAsString()));
  FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(entry, again));
  if (!ShapedLikeARequest(entry)) return 0;
  Domain& world = AdmittingWorld();
  static const uint64_t next_seq = WorldRequests().size();
  entry.set_seq(next_seq);
  entry.clear_prev_hash();
  entry.set_recorded_at_ms(kWorldClockMs);
  bool changed = false;
  const Status admitted = world.Admit(entry, &changed);
  if (!admitted.ok()) {
    FUZZ_CHECK(!admitted.slug().empty());
    return 0;
  }
  CheckBalanced(entry);
  RecordAdmitted(entry);
  return 0;
}
