#include "ledger/domain/shares.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace mingzhang {
namespace {

using U128 = unsigned __int128;
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

std::vector<int64_t> Fen(const OwnerShares& s) {
  std::vector<int64_t> out;
  for (const CategoryAmount& c : s.shares) out.push_back(c.fen);
  return out;
}

TEST_CASE("worked example: the largest remainder gets the extra fen", "[shares]") {
  // paid 200, income 900, spent SECURITY 240 + GREENERY 290 + CLEANING 170 = 700 <= 900.
  // Owner's part T = floor(200*700/900) = floor(155.55) = 155.
  // Quotas: 200*240/900 = 48000/900 = 53 r 300 (53.33)
  //         200*290/900 = 58000/900 = 64 r 400 (64.44)
  //         200*170/900 = 34000/900 = 37 r 700 (37.77)
  // Floors 53 + 64 + 37 = 154; one fen left, to the largest remainder (CLEANING, r 700).
  // Shares 53, 64, 38 = 155; unspent 200 - 155 = 45.
  const OwnerShares s = SplitOwnerPayment(
      200, 900, {{v1::SECURITY, 240}, {v1::GREENERY, 290}, {v1::CLEANING, 170}});
  REQUIRE(s.shares.size() == 3);
  CHECK(s.shares[0].category == v1::SECURITY);
  CHECK(s.shares[1].category == v1::GREENERY);
  CHECK(s.shares[2].category == v1::CLEANING);
  CHECK(Fen(s) == std::vector<int64_t>{53, 64, 38});
  CHECK(s.unspent_fen == 45);
}

TEST_CASE("two extra fen go to the two largest remainders", "[shares]") {
  // paid 100, income 700, spent SECURITY 250 + GREENERY 290 + CLEANING 160 = 700 = income.
  // T = 100*700/700 = 100. Quotas 25000/700 = 35 r 500, 29000/700 = 41 r 300,
  // 16000/700 = 22 r 600. Floors 98; 2 fen to CLEANING (600) and SECURITY (500).
  const OwnerShares s = SplitOwnerPayment(
      100, 700, {{v1::SECURITY, 250}, {v1::GREENERY, 290}, {v1::CLEANING, 160}});
  CHECK(Fen(s) == std::vector<int64_t>{36, 41, 23});
  CHECK(s.unspent_fen == 0);
}

TEST_CASE("equal remainders: the earlier category wins", "[shares]") {
  // paid 10000, income 30000, spent 10000 + 7000 + 6001 = 23001. T = 230010000/30000 = 7667.
  // Quotas 3333 r 10000, 2333 r 10000, 2000 r 10000: floors 7666, one fen to the first.
  const OwnerShares s = SplitOwnerPayment(
      10000, 30000, {{v1::CLEANING, 10000}, {v1::SECURITY, 7000}, {v1::REPAIR, 6001}});
  CHECK(Fen(s) == std::vector<int64_t>{3334, 2333, 2000});
  CHECK(s.unspent_fen == 2333);
}

TEST_CASE("shares plus unspent equal the payment", "[shares]") {
  // paid 12345 of income 99999; spent 33333 + 11111 + 1: T = floor(12345*44445/99999) = 5486.
  const OwnerShares s = SplitOwnerPayment(
      12345, 99999, {{v1::CLEANING, 33333}, {v1::UTILITIES, 11111}, {v1::OTHER, 1}});
  int64_t sum = s.unspent_fen;
  for (int64_t f : Fen(s)) sum += f;
  CHECK(sum == 12345);
  CHECK(s.unspent_fen == 12345 - 5486);
}

TEST_CASE("overspending: the whole payment is split by spending", "[shares]") {
  // spent 3000 + 4000 = 7000 > income 5000: quotas 1000*3000/7000 = 428 r 4000,
  // 1000*4000/7000 = 571 r 3000. Floors 999; T = 1000; one fen to CLEANING.
  const OwnerShares s =
      SplitOwnerPayment(1000, 5000, {{v1::CLEANING, 3000}, {v1::REPAIR, 4000}});
  CHECK(Fen(s) == std::vector<int64_t>{429, 571});
  CHECK(s.unspent_fen == 0);
}

TEST_CASE("income 0, paid 0, no categories, nothing spent", "[shares]") {
  const std::vector<CategoryAmount> spent = {{v1::CLEANING, 500}, {v1::REPAIR, 700}};
  const OwnerShares no_income = SplitOwnerPayment(500, 0, spent);
  CHECK(Fen(no_income) == std::vector<int64_t>{0, 0});
  CHECK(no_income.unspent_fen == 500);
  const OwnerShares no_payment = SplitOwnerPayment(0, 1000, spent);
  CHECK(Fen(no_payment) == std::vector<int64_t>{0, 0});
  CHECK(no_payment.unspent_fen == 0);
  const OwnerShares no_categories = SplitOwnerPayment(500, 1000, {});
  CHECK(no_categories.shares.empty());
  CHECK(no_categories.unspent_fen == 500);
  const OwnerShares nothing_spent =
      SplitOwnerPayment(500, 1000, {{v1::CLEANING, 0}, {v1::REPAIR, 0}});
  CHECK(Fen(nothing_spent) == std::vector<int64_t>{0, 0});
  CHECK(nothing_spent.unspent_fen == 500);
}

TEST_CASE("int64 extremes", "[shares]") {
  // Overspent by 3x: each quota is kMax/3 = 3074457345618258602 r kMax (all equal); floors sum
  // to kMax - 1, so the first category gets the last fen.
  const OwnerShares thirds = SplitOwnerPayment(
      kMax, kMax, {{v1::CLEANING, kMax}, {v1::SECURITY, kMax}, {v1::REPAIR, kMax}});
  CHECK(Fen(thirds) == std::vector<int64_t>{3074457345618258603, 3074457345618258602,
                                            3074457345618258602});
  CHECK(thirds.unspent_fen == 0);
  // Spent one fen less than income: T = floor(kMax*(kMax-1)/kMax) = kMax - 1.
  const OwnerShares almost = SplitOwnerPayment(kMax, kMax, {{v1::CLEANING, kMax - 1}});
  CHECK(Fen(almost) == std::vector<int64_t>{kMax - 1});
  CHECK(almost.unspent_fen == 1);
  // One fen paid of a huge income, all spent: quota 1 exactly.
  const OwnerShares one = SplitOwnerPayment(1, kMax, {{v1::CLEANING, kMax}});
  CHECK(Fen(one) == std::vector<int64_t>{1});
  CHECK(one.unspent_fen == 0);
}

// Exact quota of category i is num / den; the share must be floor or ceiling of it.
bool WithinOneFen(int64_t share, U128 num, U128 den) {
  const U128 scaled = static_cast<U128>(share) * den;
  return scaled + den > num && scaled < num + den;
}

struct Case {
  int64_t paid, income;
  std::vector<CategoryAmount> spent;
};

// Magnitudes vary per case, from a few fen to near int64 limits, and zeros are common.
Case RandomCase(std::mt19937_64& rng) {
  auto below = [&](int bits) { return static_cast<int64_t>(rng() >> (64 - bits)); };
  const int bits[] = {4, 12, 24, 40, 62};
  Case c;
  const int scale = bits[rng() % 5];
  c.paid = rng() % 8 == 0 ? 0 : below(scale);
  c.income = c.paid + below(bits[rng() % 5]);
  const size_t n = rng() % 7;
  const int spent_scale = bits[rng() % 5];
  for (size_t i = 0; i < n; ++i) {
    const int64_t f = rng() % 6 == 0 ? 0 : below(spent_scale);
    c.spent.push_back({static_cast<v1::Category>(1 + i), f});
  }
  return c;
}

void CheckInvariants(const Case& c, const OwnerShares& s) {
  U128 total_spent = 0;
  for (const CategoryAmount& a : c.spent) total_spent += static_cast<U128>(a.fen);
  const U128 den = total_spent > static_cast<U128>(c.income) ? total_spent : c.income;
  REQUIRE(s.shares.size() == c.spent.size());
  __int128 sum = s.unspent_fen;
  for (size_t i = 0; i < c.spent.size(); ++i) {
    const int64_t f = s.shares[i].fen;
    REQUIRE(f >= 0);
    sum += f;
    if (den > 0 && c.income > 0) {
      REQUIRE(WithinOneFen(f, static_cast<U128>(c.paid) * static_cast<U128>(c.spent[i].fen), den));
    }
  }
  REQUIRE(sum == c.paid);
  REQUIRE(s.unspent_fen >= 0);
}

TEST_CASE("property: 100,000 random splits keep every invariant", "[shares]") {
  std::mt19937_64 rng(20240601);
  for (int i = 0; i < 100000; ++i) {
    const Case c = RandomCase(rng);
    CheckInvariants(c, SplitOwnerPayment(c.paid, c.income, c.spent));
  }
}

}  // namespace
}  // namespace mingzhang
