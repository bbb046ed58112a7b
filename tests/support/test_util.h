// Helpers shared by the tests: temporary directories and entry builders.
#pragma once

#include <atomic>
#include <filesystem>
#include <random>
#include <string>

#include "mingzhang/v1/ledger.pb.h"

namespace mingzhang::testing {

// A fresh directory under the system temp dir, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("mingzhang-test-" + std::to_string(rd()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path() const { return path_.string(); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A firm registration: the simplest entry that needs no community.
inline v1::Entry FirmEntry(const std::string& idempotency_key, const std::string& firm_id) {
  v1::Entry e;
  e.mutable_actor()->set_role(v1::admin);
  e.mutable_actor()->set_principal_id("admin");
  e.set_idempotency_key(idempotency_key);
  e.mutable_firm()->set_firm_id(firm_id);
  e.mutable_firm()->set_name("Firm " + firm_id);
  return e;
}

}  // namespace mingzhang::testing
