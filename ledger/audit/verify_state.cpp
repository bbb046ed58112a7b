// State rows against a replay (verify_state.h).
#include "ledger/audit/verify_state.h"

#include <map>

#include "ledger/base/crypto.h"
#include "ledger/base/encoding.h"
#include "ledger/log/keys.h"
#include "ledger/log/merkle.h"
#include "ledger/domain/state_rows.h"

namespace mingzhang {
namespace {

const char* KindName(char kind) {
  switch (kind) {
    case 'c': return "community";
    case 'f': return "firm";
    case 'u': return "unit";
    case 'b': return "balance";
    case 'g': return "month totals";
    case 'o': return "proposal and ballots";
    case 'p': return "payment";
    case 'd': return "disbursement";
    case 'r': return "public revenue";
    case 'e': return "evaluation";
    case 'x': return "reversal";
    case 'q': return "receipt";
    case 'n': return "community entry index";
    case 'w': return "unit payments";
    case 'v': return "voucher index";
    default: return "unknown row";
  }
}

// Bytes outside printable ASCII as \xNN: keys hold ids, 0 bytes and big-endian seqs.
std::string Printable(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char ch : bytes) {
    if (ch >= 0x20 && ch < 0x7f) {
      out.push_back(static_cast<char>(ch));
    } else {
      out += "\\x";
      out.push_back(kHex[ch >> 4]);
      out.push_back(kHex[ch & 15]);
    }
  }
  return out;
}

std::string Fen(std::string_view value) {
  std::optional<uint64_t> v = ParseBe64(value);
  return v ? std::to_string(static_cast<int64_t>(*v)) + " fen" : "malformed";
}

bool IsBalance(std::string_view key) { return !key.empty() && key[0] == 'b'; }

// A balance is named by its community, fund, account and month, and shown with its amounts.
StateDifference Extra(std::string_view key) {
  if (IsBalance(key)) return {true, "the stored balance " + DescribeStateRow(key).substr(8) + " comes from no entry of the log"};
  return {false, "the state row " + DescribeStateRow(key) + " comes from no entry of the log"};
}

StateDifference Missing(std::string_view key, std::string_view replayed) {
  if (IsBalance(key)) {
    return {true, "the balance " + DescribeStateRow(key).substr(8) + " (" + Fen(replayed) +
                      " by a replay of the log) is not stored"};
  }
  return {false, "the state row " + DescribeStateRow(key) + " is missing; a replay of the log makes it"};
}

StateDifference Changed(std::string_view key, std::string_view stored, std::string_view replayed) {
  if (IsBalance(key)) {
    return {true, "the stored balance " + DescribeStateRow(key).substr(8) + " is " + Fen(stored) +
                      "; a replay of the log gives " + Fen(replayed)};
  }
  return {false, "the state row " + DescribeStateRow(key) + " differs from what a replay of the log makes"};
}

// Rows held in memory as a cursor (a replay's, collected).
class MapCursor final : public Cursor {
 public:
  explicit MapCursor(std::map<std::string, std::string> rows) : rows_(std::move(rows)), it_(rows_.begin()) {}
  void Seek(std::string_view key) override { it_ = rows_.lower_bound(std::string(key)); }
  bool Valid() const override { return it_ != rows_.end(); }
  void Next() override { ++it_; }
  std::string_view key() const override { return it_->first; }
  std::string_view value() const override { return it_->second; }
  Status status() const override { return OkStatus(); }

 private:
  std::map<std::string, std::string> rows_;
  std::map<std::string, std::string>::const_iterator it_;
};

// Walks `stored` and `expected` (cursors at their first rows) in key order together, both limited
// to keys starting with `prefix`; the first row that differs is the answer.
Result<std::optional<StateDifference>> CompareRange(Cursor& stored, Cursor& expected, std::string_view prefix) {
  auto in_range = [&](const Cursor& c) { return c.Valid() && c.key().starts_with(prefix); };
  for (; in_range(stored); stored.Next(), expected.Next()) {
    if (!in_range(expected) || stored.key() < expected.key()) return std::optional(Extra(stored.key()));
    if (expected.key() < stored.key()) return std::optional(Missing(expected.key(), expected.value()));
    if (stored.value() != expected.value()) return std::optional(Changed(stored.key(), stored.value(), expected.value()));
  }
  MZ_RETURN_IF_ERROR(stored.status());
  MZ_RETURN_IF_ERROR(expected.status());
  if (in_range(expected)) return std::optional(Missing(expected.key(), expected.value()));
  return std::optional<StateDifference>();
}

// Rows of another format than this version makes cannot be compared with its replay.
Result<std::optional<StateDifference>> CheckMarkers(const Store& store) {
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> head, store.Get(Column::kMeta, kMetaHead));
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> state_head, store.Get(Column::kMeta, kMetaStateHead));
  if (head != state_head) {
    return std::optional(StateDifference{false, "the state rows are marked as of another head than the log's"});
  }
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> format, store.Get(Column::kMeta, kMetaStateFormat));
  if (format != kStateFormat) {
    return std::optional(StateDifference{
        false, "the state rows are of format " + format.value_or("(none named)") + ", not " +
                   std::string(kStateFormat) + " as this version makes them: mingzhangd builds them again from "
                   "the entries when it next opens the store"});
  }
  return std::optional<StateDifference>();
}

Result<std::map<std::string, std::string>> Collect(const RowSource& rows, std::string_view prefix) {
  std::map<std::string, std::string> out;
  MZ_RETURN_IF_ERROR(rows.Scan(prefix, "", [&](std::string_view k, std::string_view v) {
    out.emplace_hint(out.end(), std::string(k), std::string(v));
    return true;
  }));
  return out;
}

}  // namespace

std::string DescribeStateRow(std::string_view key) {
  if (key.empty()) return "(empty key)";
  std::string rest(key.substr(1));
  // Seqs are the last 8 bytes of the keys of entries' own rows: shown as numbers.
  const std::string_view seq_kinds = "pdrexnw";
  if (seq_kinds.find(key[0]) != std::string_view::npos && rest.size() >= 9) {
    if (std::optional<uint64_t> seq = ParseBe64(std::string_view(rest).substr(rest.size() - 8))) {
      rest = rest.substr(0, rest.size() - 9) + "/seq " + std::to_string(*seq);
    }
  }
  for (char& ch : rest) {
    if (ch == '\0') ch = '/';
  }
  return std::string(KindName(key[0])) + " " + Printable(rest);
}

Result<std::optional<StateDifference>> CompareStateRows(const Store& store, const RowSource& replayed) {
  MZ_ASSIGN_OR_RETURN(std::optional<StateDifference> marker, CheckMarkers(store));
  if (marker) return marker;
  MZ_ASSIGN_OR_RETURN(auto rows, Collect(replayed, ""));
  MapCursor expected(std::move(rows));
  std::unique_ptr<Cursor> cursor = store.NewCursor(Column::kState, Store::Access::kScan);
  cursor->Seek("");
  return CompareRange(*cursor, expected, "");
}

Result<std::optional<StateDifference>> CompareStateColumns(const Store& store, const Store& replayed) {
  MZ_ASSIGN_OR_RETURN(std::optional<StateDifference> marker, CheckMarkers(store));
  if (marker) return marker;
  std::unique_ptr<Cursor> expected = replayed.NewCursor(Column::kState, Store::Access::kScan);
  std::unique_ptr<Cursor> cursor = store.NewCursor(Column::kState, Store::Access::kScan);
  expected->Seek("");
  cursor->Seek("");
  return CompareRange(*cursor, *expected, "");
}

Result<std::optional<StateDifference>> CheckCommunityState(std::shared_ptr<const StoreView> view,
                                                           const std::string& community_id) {
  StoreRows stored(view);
  StateReader reader(stored);
  MZ_ASSIGN_OR_RETURN(std::vector<uint64_t> seqs, reader.CommunitySeqs(community_id, std::nullopt, SIZE_MAX));
  Domain replay;
  for (uint64_t seq : seqs) {
    MZ_ASSIGN_OR_RETURN(std::optional<std::string> bytes, view->Get(Column::kEntries, EntryKey(seq)));
    v1::Entry entry;
    if (!bytes || !entry.ParseFromString(*bytes) || entry.seq() != seq || entry.community_id() != community_id) {
      return std::optional(StateDifference{
          false, "the community entry index of " + community_id + " names seq " + std::to_string(seq) +
                     ", which is no entry of the community"});
    }
    MZ_RETURN_IF_ERROR(replay.Record(entry, LeafHash(*bytes)));
  }
  const RowSource& replayed = replay.rows();
  // The community's own row: only what its entries make (its registration, totals and digest).
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> header, stored.Get(state_key::Community(community_id)));
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> replayed_header, replayed.Get(state_key::Community(community_id)));
  if (header != replayed_header) {
    return std::optional(StateDifference{false, "the state row " + DescribeStateRow(state_key::Community(community_id)) +
                                                    " (its registration, totals and entries digest) differs from a "
                                                    "replay of its entries"});
  }
  for (const char kind : std::string_view("ubgopdrexqnw")) {
    const std::string prefix = state_key::Prefix(kind, community_id);
    MZ_ASSIGN_OR_RETURN(auto rows, Collect(replayed, prefix));
    MapCursor expected(std::move(rows));
    std::unique_ptr<Cursor> cursor = view->NewCursor(Column::kState);
    cursor->Seek(prefix);
    MZ_ASSIGN_OR_RETURN(std::optional<StateDifference> difference, CompareRange(*cursor, expected, prefix));
    if (difference) return difference;
  }
  return std::optional<StateDifference>();
}

Result<std::optional<StateDifference>> CheckEveryCommunity(const Store& store, const std::function<bool()>& go_on) {
  std::string after;
  for (;;) {
    std::vector<std::string> ids;
    {
      StoreRows rows(store.View());
      MZ_ASSIGN_OR_RETURN(ids, StateReader(rows).CommunityIds(after, kCommunitiesPerRead));
    }
    if (ids.empty()) return std::optional<StateDifference>();
    for (const std::string& id : ids) {
      if (go_on && !go_on()) return std::optional<StateDifference>();
      MZ_ASSIGN_OR_RETURN(std::optional<StateDifference> difference, CheckCommunityState(store.View(), id));
      if (difference) return difference;
    }
    after = ids.back();
  }
}

}  // namespace mingzhang
