#include "tools/args.h"

namespace mingzhang::cli {

Result<Args> Args::Parse(const std::vector<std::string>& argv, const std::set<std::string>& valued,
                         const std::set<std::string>& switches) {
  Args args;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.rfind("--", 0) != 0) {
      args.positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    if (switches.count(name)) {
      args.values_[name] = "";
    } else if (valued.count(name)) {
      if (i + 1 >= argv.size()) return InvalidArgument("usage", "--" + name + " needs a value");
      args.values_[name] = argv[++i];
    } else {
      return InvalidArgument("usage", "unknown option " + a);
    }
  }
  return args;
}

std::optional<std::string> Args::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Args::GetOr(const std::string& name, const std::string& fallback) const {
  return Get(name).value_or(fallback);
}

}  // namespace mingzhang::cli
