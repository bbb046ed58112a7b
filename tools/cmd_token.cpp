// mingzhang token issue --server URL --admin-token-file F --role R --principal P
//                       [--community C]... [--unit U]...
// Asks the server for a bearer token (POST /v1/tokens, admin only) and prints it: it is shown once.
#include <iostream>

#include "mingzhang/v1/ledger.pb.h"
#include "tools/cli.h"
#include "tools/http_client.h"

namespace mingzhang::cli {
namespace {

int Token(const Args& args) {
  if (args.positional().size() != 1 || args.positional()[0] != "issue") {
    return Usage("token needs the subcommand issue: mingzhang token issue --server URL ...");
  }
  std::optional<std::string> url = args.Get("server");
  std::optional<std::string> admin_file = args.Get("admin-token-file");
  std::optional<std::string> role_name = args.Get("role");
  std::optional<std::string> principal = args.Get("principal");
  if (!url || !admin_file || !role_name || !principal) {
    return Usage("token issue needs --server, --admin-token-file, --role and --principal");
  }
  v1::Role role;
  if (!v1::Role_Parse(*role_name, &role) || role == v1::ROLE_UNSPECIFIED) {
    return Usage("--role must be one of admin, firm, committee, owner, regulator");
  }
  Result<ServerUrl> server = ServerUrl::Parse(*url);
  if (!server.ok()) return Fail(server.status());
  Result<std::string> admin = ReadTokenFile(*admin_file);
  if (!admin.ok()) return Fail(admin.status());

  for (const std::string& text : args.GetAll("community")) {
    if (!ValidUtf8(text)) return Usage("--community is not UTF-8");
  }
  for (const std::string& text : args.GetAll("unit")) {
    if (!ValidUtf8(text)) return Usage("--unit is not UTF-8");
  }
  if (!ValidUtf8(*principal)) return Usage("--principal is not UTF-8");
  nlohmann::json body{{"role", *role_name},
                      {"principal_id", *principal},
                      {"communities", args.GetAll("community")},
                      {"units", args.GetAll("unit")}};
  HttpClient client(*server);
  // Not retried: a token request is no idempotent write, and a repeat would issue a second token.
  Result<nlohmann::json> answer = CallJson(client, Method::kPost, "/v1/tokens", *admin, &body, /*retry=*/false);
  if (!answer.ok()) {
    std::cerr << "mingzhang: the server refused (" << answer.status().slug() << "): " << answer.status().message()
              << "\n";
    return answer.status().code() == Code::kUnavailable ? kExitUsage : kExitProblem;
  }
  if (!answer->contains("token") || !(*answer)["token"].is_string()) {
    return Fail(DataLoss("bad-answer", "the server's answer holds no token"));
  }
  std::cout << (*answer)["token"].get<std::string>() << "\n";
  return kExitOk;
}

}  // namespace

const Command& TokenCommand() {
  static const Command command{
      "token",
      "  token issue --server URL --admin-token-file F --role R --principal P [--community C]... [--unit U]...\n"
      "                                          issue a bearer token (roles: admin, firm, committee,\n"
      "                                          owner, regulator) and print it; it is shown once\n",
      {"server", "admin-token-file", "role", "principal"}, {}, {"community", "unit"}, Token};
  return command;
}

}  // namespace mingzhang::cli
