// mingzhang audit --export FILE.jsonl --statement FILE.json
//
// Recomputes a signed statement from an export (mingzhang export, or GET /v1/entries pages saved
// as JSON lines) and compares it with the statement byte for byte (RFC 8785 forms):
// - every exported line is checked: leaf_hash is the hash of leaf_bytes, leaf_bytes decode as a
//   mingzhang.v1.Entry of that seq, the entry shown as JSON is the one in the bytes, and the hash
//   chain holds between consecutive seqs; seqs increase;
// - only entries with seq below the statement's tree size count; when the export holds all of
//   them, their Merkle root must be the statement's checkpoint root;
// - the entries are replayed into a Domain (ledger/domain/domain.h) and StatementBody (ledger/views/views.h)
//   is computed from its state rows for the statement's community, period and checkpoint: as mingzhang-statement/3
//   (chained entries_digest) when the statement says /3, else in /2's form (StatementAsV2, the
//   running digest over the community's leaf hashes), which /1 and /2 statements are checked
//   against as before.
// Prints "match", or the first field that differs. Exit 0 only on a byte-for-byte match.
#include <fstream>
#include <iostream>

#include "ledger/base/calendar.h"
#include "ledger/domain/domain.h"
#include "ledger/base/encoding.h"
#include "ledger/domain/entries_digest.h"
#include "ledger/base/jcs.h"
#include "ledger/log/merkle.h"
#include "ledger/log/note.h"
#include "ledger/domain/state_rows.h"
#include "ledger/views/json/view_json.h"
#include "ledger/views/views.h"
#include "mingzhang/v1/ledger.pb.h"
#include "mingzhang/v1/state.pb.h"
#include "tools/cli.h"

namespace mingzhang::cli {
namespace {

using nlohmann::json;

// Whether the replay's state holds the row `key` (point reads: an entry's check must not cost a
// decode of its whole community).
Result<bool> HasRow(const RowSource& rows, const std::string& key) {
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> row, rows.Get(key));
  return row.has_value();
}

// Domain::Record trusts what it replays (entries once accepted by the rules). An export comes
// from outside: refuse what the rules could never have accepted and Record could not take.
Status CheckReplayable(const v1::Entry& e, const RowSource& rows) {
  auto bad = [](const std::string& why) { return InvalidArgument("not-replayable", why); };
  auto amount_ok = [](int64_t fen) { return fen >= 1 && fen <= kAmountFenMax; };
  const std::string& community = e.community_id();
  MZ_ASSIGN_OR_RETURN(bool registered, HasRow(rows, state_key::Community(community)));
  if (e.has_community()) {
    if (registered) return bad("community " + community + " is registered twice");
    if (!ParseMonth(e.community().start_month()).ok()) return bad("the community's start_month is no month");
    return OkStatus();
  }
  if (!registered) return OkStatus();  // Record ignores entries of communities it does not know
  auto has_unit = [&](const std::string& unit) { return HasRow(rows, state_key::Unit(community, unit)); };
  auto has_proposal = [&](const std::string& id) { return HasRow(rows, state_key::Proposal(community, id)); };
  switch (e.body_case()) {
    case v1::Entry::kUnits:
      if (e.units().units_size() > static_cast<int>(kUnitsPerEntryMax)) return bad("too many units in one entry");
      for (const v1::Unit& u : e.units().units()) {
        if (u.area_centi_m2() < 1 || u.area_centi_m2() > kUnitAreaCentiM2Max) return bad("a unit's area is out of range");
      }
      return OkStatus();
    case v1::Entry::kFeePayment: {
      const v1::FeePayment& p = e.fee_payment();
      MZ_ASSIGN_OR_RETURN(bool unit_known, has_unit(p.unit_id()));
      if (!unit_known) return bad("a payment for unknown unit " + p.unit_id());
      if (!amount_ok(p.amount())) return bad("a payment amount is out of range");
      if (!ParseMonth(p.period()).ok()) return bad("a payment's period is no month");
      if (p.months() < 1 || p.months() > kPaymentMonthsMax) return bad("a payment's months is out of range");
      return OkStatus();
    }
    case v1::Entry::kDisbursement:
      return amount_ok(e.disbursement().amount()) ? OkStatus() : bad("a disbursement amount is out of range");
    case v1::Entry::kPublicRevenue:
      return amount_ok(e.public_revenue().amount()) ? OkStatus() : bad("a public revenue amount is out of range");
    case v1::Entry::kEvaluation: {
      MZ_ASSIGN_OR_RETURN(bool paid, HasRow(rows, state_key::Payment(community, e.evaluation().payment_seq())));
      if (!paid) return bad("an evaluation of an unknown payment");
      return OkStatus();
    }
    case v1::Entry::kBallot: {
      MZ_ASSIGN_OR_RETURN(bool proposal_known, has_proposal(e.ballot().proposal_id()));
      if (!proposal_known) return bad("a ballot on an unknown proposal");
      MZ_ASSIGN_OR_RETURN(bool unit_known, has_unit(e.ballot().unit_id()));
      if (!unit_known) return bad("a ballot of an unknown unit");
      return OkStatus();
    }
    case v1::Entry::kProposalClose: {
      MZ_ASSIGN_OR_RETURN(bool proposal_known, has_proposal(e.proposal_close().proposal_id()));
      if (!proposal_known) return bad("a close of an unknown proposal");
      return OkStatus();
    }
    default:
      return OkStatus();
  }
}

std::string Show(const json& v) {
  std::string text = v.dump(-1, ' ', false, json::error_handler_t::replace);
  return text.size() > 200 ? text.substr(0, 200) + "..." : text;
}

// The first place where `a` (the statement) and `b` (recomputed) differ, keys in sorted order.
std::optional<std::string> FirstDifference(const json& a, const json& b, const std::string& path) {
  if (a.is_object() && b.is_object()) {
    auto ia = a.begin(), ib = b.begin();
    while (ia != a.end() || ib != b.end()) {
      if (ib == b.end() || (ia != a.end() && ia.key() < ib.key())) {
        return path + (path.empty() ? "" : ".") + ia.key() + ": in the statement, not in the recomputed one";
      }
      if (ia == a.end() || ib.key() < ia.key()) {
        return path + (path.empty() ? "" : ".") + ib.key() + ": recomputed as " + Show(ib.value()) +
               ", missing from the statement";
      }
      if (auto d = FirstDifference(ia.value(), ib.value(), path + (path.empty() ? "" : ".") + ia.key())) return d;
      ++ia;
      ++ib;
    }
    return std::nullopt;
  }
  if (a.is_array() && b.is_array()) {
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
      if (auto d = FirstDifference(a[i], b[i], path + "[" + std::to_string(i) + "]")) return d;
    }
    if (a.size() != b.size()) {
      return path + ": " + std::to_string(a.size()) + " items in the statement, " + std::to_string(b.size()) +
             " recomputed";
    }
    return std::nullopt;
  }
  if (a == b && a.type() == b.type()) return std::nullopt;
  if (a == b && a.is_number_integer() && b.is_number_integer()) return std::nullopt;  // signed vs unsigned
  return (path.empty() ? std::string("the statement") : path) + ": the statement says " + Show(a) +
         ", the export gives " + Show(b);
}

int Problem(const std::string& why) {
  std::cout << "mismatch: " << why << "\n";
  return kExitProblem;
}

struct Replay {
  std::string community_id;  // the statement's
  Domain domain;
  std::vector<Hash> community_leaves;  // leaf hashes of the entries Record counted for community_id
  CompactRange range;  // leaves 0.. while the export is contiguous from seq 0
  bool contiguous = true;
  uint64_t counted = 0;
  uint64_t community_entries = 0;  // the community's entry count in its row, as last read
};

// Records `entry` and keeps its leaf hash when the domain counts it for the statement's community
// (the community's entry count in its row went up), for /2's digest, which the domain does not keep.
Status RecordEntry(const v1::Entry& entry, const Hash& leaf, Replay& r) {
  MZ_RETURN_IF_ERROR(r.domain.Record(entry, leaf));
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> row, r.domain.rows().Get(state_key::Community(r.community_id)));
  v1::CommunityRow community;
  if (row && !community.ParseFromString(*row)) return DataLoss("state-corrupt", "the community's row does not decode");
  if (community.entries() != r.community_entries) r.community_leaves.push_back(leaf);
  r.community_entries = community.entries();
  return OkStatus();
}

// Reads the export, checking each line, and replays the entries below `tree_size`.
Result<std::optional<std::string>> ReplayExport(std::istream& in, uint64_t tree_size, Replay& r) {
  std::string text;
  size_t line_no = 0;
  std::optional<uint64_t> last_seq;
  Hash last_chain{};
  while (std::getline(in, text)) {
    ++line_no;
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::string where = "export line " + std::to_string(line_no) + ": ";
    json line = ParseStrictJson(text);
    if (!line.is_object() || !line.contains("leaf_bytes") || !line["leaf_bytes"].is_string() || !line.contains("seq")) {
      return InvalidArgument("bad-export", where + "not an exported entry {seq, leaf_bytes, leaf_hash, entry}");
    }
    std::optional<uint64_t> seq = line["seq"].is_string() ? ParseU64(line["seq"].get<std::string>())
                                  : line["seq"].is_number_unsigned() ? std::optional<uint64_t>(line["seq"].get<uint64_t>())
                                                                      : std::nullopt;
    if (!seq) return InvalidArgument("bad-export", where + "seq is not a number");
    if (last_seq && *seq <= *last_seq) return std::optional<std::string>(where + "seqs do not increase");
    Result<std::string> bytes = Base64Decode(line["leaf_bytes"].get<std::string>());
    if (!bytes.ok()) return std::optional<std::string>(where + "leaf_bytes is not base64");
    Hash leaf = LeafHash(*bytes);
    if (line.contains("leaf_hash") && line["leaf_hash"] != Base64Encode(AsBytes(leaf))) {
      return std::optional<std::string>(where + "leaf_hash is not the hash of leaf_bytes");
    }
    v1::Entry entry;
    if (!entry.ParseFromString(*bytes) || entry.seq() != *seq) {
      return std::optional<std::string>(where + "leaf_bytes is no entry of seq " + std::to_string(*seq));
    }
    if (line.contains("entry") && line["entry"] != ProtoToJson(entry)) {
      return std::optional<std::string>(where + "the entry shown as JSON differs from its leaf_bytes");
    }
    bool follows = last_seq ? *seq == *last_seq + 1 : *seq == 0;
    if (follows && entry.prev_hash() != AsBytes(last_chain)) {
      return std::optional<std::string>(where + "prev_hash is not the hash of the previous entry (chain broken)");
    }
    last_seq = seq;
    last_chain = Sha256(*bytes);
    if (*seq >= tree_size) continue;
    if (!follows) r.contiguous = false;
    if (r.contiguous) r.range.Append(leaf, [](int, uint64_t, const Hash&) {});
    if (Status s = CheckReplayable(entry, r.domain.rows()); !s.ok()) {
      return std::optional<std::string>(where + "seq " + std::to_string(*seq) + ": " + s.message());
    }
    if (Status s = RecordEntry(entry, leaf, r); !s.ok()) {
      return std::optional<std::string>(where + "seq " + std::to_string(*seq) + " cannot be replayed: " + s.message());
    }
    ++r.counted;
  }
  if (in.bad()) return Unavailable("file-read", "reading the export failed");
  return std::optional<std::string>();
}

int Audit(const Args& args) {
  std::optional<std::string> export_path = args.Get("export");
  std::optional<std::string> statement_path = args.Get("statement");
  if (!export_path || !statement_path) return Usage("audit needs --export FILE.jsonl and --statement FILE.json");
  if (!args.positional().empty()) return Usage("audit takes no argument " + args.positional().front());

  Result<std::string> text = ReadFile(*statement_path);
  if (!text.ok()) return Fail(text.status());
  json doc = ParseStrictJson(*text);
  if (!doc.is_object()) return Fail(InvalidArgument("bad-statement", *statement_path + " is not a JSON object in I-JSON (no syntax error, no name twice in an object)"));
  const json& statement = doc.contains("statement") ? doc["statement"] : doc;
  std::string community, period_text, origin, size_text, root_text, as_of_text;
  try {
    community = statement.at("community_id").get<std::string>();
    // The day its billing was read as of (mingzhang-statement/2); the period's end before that.
    if (statement.contains("as_of")) as_of_text = statement.at("as_of").get<std::string>();
    period_text = statement.at("period").get<std::string>();
    origin = statement.at("checkpoint").at("origin").get<std::string>();
    size_text = statement.at("checkpoint").at("tree_size").get<std::string>();
    root_text = statement.at("checkpoint").at("root_hash").get<std::string>();
  } catch (const json::exception&) {
    return Fail(InvalidArgument("bad-statement", *statement_path +
                                                     " lacks community_id, period or checkpoint {origin, tree_size, root_hash}"));
  }
  Result<Period> period = ParsePeriod(period_text);
  Result<Date> as_of = as_of_text.empty() && period.ok() ? Result<Date>(LastDayOf(period->last)) : ParseDate(as_of_text);
  // StatementBody reads as of the end of the day before `today`.
  const Date today_then = as_of.ok() ? DateOfUnixMs((as_of->days_since_epoch() + 1) * 86'400'000) : Date{};
  if (period.ok() && !as_of.ok()) return Fail(InvalidArgument("bad-statement", *statement_path + ": as_of is no date"));
  std::optional<uint64_t> tree_size = ParseU64(size_text);
  Result<std::string> root = Base64Decode(root_text);
  if (!period.ok() || !tree_size || !root.ok() || root->size() != kHashBytes) {
    return Fail(InvalidArgument("bad-statement", *statement_path + ": bad period, tree_size or root_hash"));
  }

  std::ifstream in(*export_path, std::ios::binary);
  if (!in) return Fail(NotFound("file-missing", "cannot read " + *export_path));
  Replay replay;
  replay.community_id = community;
  Result<std::optional<std::string>> read = ReplayExport(in, *tree_size, replay);
  if (!read.ok()) return Fail(read.status());
  if (*read) return Problem(**read);

  bool full = replay.contiguous && replay.counted == *tree_size;
  if (full && AsBytes(replay.range.Root()) != *root) {
    return Problem("checkpoint.root_hash: the " + std::to_string(*tree_size) +
                   " exported entries do not give the statement's root");
  }
  if (!full) {
    std::cout << "note: the export holds " << replay.counted << " of the " << *tree_size
              << " entries below the statement's tree size (e.g. one community's); the root is not recomputed,"
                 " entries_count and entries_digest still cover the community\n";
  }

  Checkpoint checkpoint{origin, *tree_size, HashFromBytes(*root), {}};
  StateReader state(replay.domain.rows());
  Result<StatementView> recomputed = StatementBody(state, community, *period, checkpoint, today_then);
  if (!recomputed.ok()) return Problem("cannot recompute the statement from the export: " + recomputed.status().message());
  if (statement.value("format", json()) != kStatementFormat) {
    recomputed = StatementAsV2(std::move(*recomputed), LegacyEntriesDigestOf(replay.community_leaves));
  }
  Result<std::string> ours = StatementJcs(*recomputed);
  if (!ours.ok()) return Fail(ours.status());
  Result<std::string> theirs = Canonicalize(statement);
  if (!theirs.ok()) return Problem("the statement has no canonical form: " + theirs.status().message());
  if (*ours == *theirs) {
    std::cout << "match: statement of " << community << " for " << period_text << " at tree size " << *tree_size
              << " recomputed from " << replay.counted << " exported entries, byte for byte ("
              << ours->size() << " bytes of JCS)\n";
    return kExitOk;
  }
  std::optional<std::string> where = FirstDifference(statement, ToJson(*recomputed), "");
  return Problem(where.value_or("the JCS bytes differ"));
}

}  // namespace

const Command& AuditCommand() {
  static const Command command{
      "audit",
      "  audit --export FILE.jsonl --statement FILE.json\n"
      "                                          recompute a statement from an export and compare it\n"
      "                                          byte for byte; prints match or the first difference\n",
      {"export", "statement"}, {}, {}, Audit};
  return command;
}

}  // namespace mingzhang::cli
