// Builders of ledger entries for every body kind, and the actors that make them: shared by the
// domain tests and the benchmarks (no test framework here).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ledger/base/crypto.h"
#include "ledger/base/encoding.h"
#include "mingzhang/v1/ledger.pb.h"

namespace mingzhang::testing {

// ---- Actors -------------------------------------------------------------------------------

inline v1::Actor Actor(v1::Role role, const std::string& principal, std::vector<std::string> units = {}) {
  v1::Actor a;
  a.set_role(role);
  a.set_principal_id(principal);
  for (const std::string& u : units) a.add_unit_ids(u);
  return a;
}
inline v1::Actor AdminActor() { return Actor(v1::admin, "admin"); }
inline v1::Actor FirmActor(const std::string& firm_id) { return Actor(v1::firm, firm_id); }
inline v1::Actor CommitteeActor(const std::string& principal = "committee") {
  return Actor(v1::committee, principal);
}
inline v1::Actor OwnerActor(const std::string& principal, std::vector<std::string> units) {
  return Actor(v1::owner, principal, std::move(units));
}
inline v1::Actor RegulatorActor() { return Actor(v1::regulator, "regulator"); }

// ---- Entries ------------------------------------------------------------------------------

// Idempotency keys are unique in the whole test process, so no two requests ever collide.
inline std::string NextKey() {
  static std::atomic<uint64_t> counter{0};
  return "key-" + std::to_string(counter++);
}

inline v1::Entry Base(const std::string& community_id, const v1::Actor& actor) {
  v1::Entry e;
  e.set_community_id(community_id);
  *e.mutable_actor() = actor;
  e.set_idempotency_key(NextKey());
  return e;
}

// The SHA-256 of a made-up voucher document, as 64 lowercase hex digits.
inline std::string Voucher(const std::string& document) { return HexEncode(AsBytes(Sha256(document))); }

inline v1::Entry Firm(const std::string& firm_id, const std::string& name = "", const v1::Actor& actor = AdminActor()) {
  v1::Entry e = Base("", actor);
  e.mutable_firm()->set_firm_id(firm_id);
  e.mutable_firm()->set_name(name.empty() ? "Firm " + firm_id : name);
  return e;
}

inline v1::Remuneration BasisPoints(uint32_t bp) {
  v1::Remuneration r;
  r.set_basis_points_of_fee_income(bp);
  return r;
}
inline v1::Remuneration FixedPerMonth(int64_t fen) {
  v1::Remuneration r;
  r.set_fixed_fen_per_month(fen);
  return r;
}

inline v1::Entry Community(const std::string& community_id, const std::string& firm_id, int64_t rate,
                           const v1::Remuneration& remuneration, const std::string& start_month,
                           const v1::Actor& actor = AdminActor()) {
  v1::Entry e = Base(community_id, actor);
  v1::CommunityRegistration* c = e.mutable_community();
  c->set_name("Community " + community_id);
  c->set_firm_id(firm_id);
  c->set_fee_rate_fen_per_m2_month(rate);
  *c->mutable_remuneration() = remuneration;
  c->set_start_month(start_month);
  return e;
}

inline v1::Entry Units(const std::string& community_id, const v1::Actor& actor,
                       const std::vector<std::pair<std::string, int64_t>>& units) {
  v1::Entry e = Base(community_id, actor);
  for (const auto& [id, area] : units) {
    v1::Unit* u = e.mutable_units()->add_units();
    u->set_unit_id(id);
    u->set_area_centi_m2(area);
  }
  return e;
}

inline v1::Entry Payment(const std::string& community_id, const v1::Actor& actor, const std::string& unit_id,
                         int64_t amount, const std::string& period, uint32_t months, const std::string& paid_on,
                         v1::FeePayment::Method method = v1::FeePayment::bank, const std::string& receipt_ref = "") {
  v1::Entry e = Base(community_id, actor);
  v1::FeePayment* p = e.mutable_fee_payment();
  p->set_unit_id(unit_id);
  p->set_amount(amount);
  p->set_period(period);
  p->set_months(months);
  p->set_paid_on(paid_on);
  p->set_method(method);
  p->set_receipt_ref(receipt_ref);
  return e;
}

inline v1::Entry Disbursement(const std::string& community_id, const v1::Actor& actor, v1::Fund fund,
                              v1::Category category, int64_t amount, const std::string& paid_on,
                              const std::string& voucher_sha256, const std::string& resolution_id = "",
                              const std::string& payee = "payee") {
  v1::Entry e = Base(community_id, actor);
  v1::Disbursement* d = e.mutable_disbursement();
  d->set_fund(fund);
  d->set_category(category);
  d->set_amount(amount);
  d->set_payee(payee);
  d->set_description(v1::Category_Name(category));
  d->set_paid_on(paid_on);
  d->set_voucher_sha256(voucher_sha256);
  d->set_resolution_id(resolution_id);
  return e;
}

inline v1::Entry Revenue(const std::string& community_id, const v1::Actor& actor, v1::PublicRevenue::Source source,
                         int64_t amount, const std::string& received_on, const std::string& contract_ref = "") {
  v1::Entry e = Base(community_id, actor);
  v1::PublicRevenue* r = e.mutable_public_revenue();
  r->set_source(source);
  r->set_amount(amount);
  r->set_payer("payer");
  r->set_received_on(received_on);
  r->set_contract_ref(contract_ref);
  return e;
}

// Scores in the order cleaning, security, greenery, repair, service.
inline v1::Entry Evaluation(const std::string& community_id, const v1::Actor& actor, uint64_t payment_seq,
                            std::array<uint32_t, 5> scores, const std::string& comment = "") {
  v1::Entry e = Base(community_id, actor);
  v1::Evaluation* ev = e.mutable_evaluation();
  ev->set_payment_seq(payment_seq);
  v1::Scores* s = ev->mutable_scores();
  s->set_cleaning(scores[0]);
  s->set_security(scores[1]);
  s->set_greenery(scores[2]);
  s->set_repair(scores[3]);
  s->set_service(scores[4]);
  ev->set_comment(comment);
  return e;
}

inline v1::Entry Proposal(const std::string& community_id, const v1::Actor& actor, const std::string& proposal_id,
                          v1::Matter matter, v1::Fund fund, int64_t amount, const std::string& closes_on,
                          const std::string& title = "title") {
  v1::Entry e = Base(community_id, actor);
  v1::Proposal* p = e.mutable_proposal();
  p->set_proposal_id(proposal_id);
  p->set_title(title);
  p->set_matter(matter);
  p->set_amount(amount);
  p->set_fund(fund);
  p->set_closes_on(closes_on);
  return e;
}

inline v1::Entry Ballot(const std::string& community_id, const v1::Actor& actor, const std::string& proposal_id,
                        const std::string& unit_id, v1::Choice choice) {
  v1::Entry e = Base(community_id, actor);
  v1::Ballot* b = e.mutable_ballot();
  b->set_proposal_id(proposal_id);
  b->set_unit_id(unit_id);
  b->set_choice(choice);
  return e;
}

inline v1::Entry Close(const std::string& community_id, const v1::Actor& actor, const std::string& proposal_id) {
  v1::Entry e = Base(community_id, actor);
  e.mutable_proposal_close()->set_proposal_id(proposal_id);
  return e;
}

inline v1::Entry Reversal(const std::string& community_id, const v1::Actor& actor, uint64_t target_seq,
                          const std::string& reason = "recorded in error") {
  v1::Entry e = Base(community_id, actor);
  e.mutable_reversal()->set_target_seq(target_seq);
  e.mutable_reversal()->set_reason(reason);
  return e;
}

}  // namespace mingzhang::testing
