#include "tools/args.h"

namespace mingzhang::cli {

Result<Args> Args::Parse(const std::vector<std::string>& argv, const std::set<std::string>& valued,
                         const std::set<std::string>& switches, const std::set<std::string>& repeated) {
  Args args;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.rfind("--", 0) != 0) {
      args.positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    bool is_switch = switches.count(name) > 0;
    bool is_repeated = repeated.count(name) > 0;
    if (!is_switch && !is_repeated && !valued.count(name)) return InvalidArgument("usage", "unknown option " + a);
    if (!is_repeated && args.values_.count(name)) return InvalidArgument("usage", a + " is given twice");
    if (is_switch) {
      args.values_[name].push_back("");
      continue;
    }
    if (i + 1 >= argv.size()) return InvalidArgument("usage", a + " needs a value");
    args.values_[name].push_back(argv[++i]);
  }
  return args;
}

std::optional<std::string> Args::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::string Args::GetOr(const std::string& name, const std::string& fallback) const {
  return Get(name).value_or(fallback);
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace mingzhang::cli
