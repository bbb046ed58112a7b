// A small flag parser for the mingzhang CLI: `--name value` and `--flag`, nothing implicit.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ledger/base/status.h"

namespace mingzhang::cli {

class Args {
 public:
  // `valued` flags take the next argument; `switches` take none; `repeated` flags take the next
  // argument and may be given any number of times. Anything else is an error, and so is a flag
  // other than a repeated one given twice.
  static Result<Args> Parse(const std::vector<std::string>& argv, const std::set<std::string>& valued,
                            const std::set<std::string>& switches, const std::set<std::string>& repeated = {});

  std::optional<std::string> Get(const std::string& name) const;
  std::string GetOr(const std::string& name, const std::string& fallback) const;
  // Every value of a repeated flag, in the order given (empty when absent).
  std::vector<std::string> GetAll(const std::string& name) const;
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

}  // namespace mingzhang::cli
