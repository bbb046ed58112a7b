// mingzhang voucher --server URL --token-file F --file PATH
//
// Uploads a disbursement's voucher (the invoice, contract or receipt as a PDF, JPEG or PNG of at
// most kVoucherBytesMax bytes) to PUT /v1/vouchers/{sha256} with a firm's token, and prints its
// SHA-256: the voucher_sha256 the disbursement names. The hash is computed here from the file's
// bytes, and the file is checked here as the server checks it, so a file the server would refuse
// for its size or type is not sent. The server stores only a voucher that a disbursement of the
// token's communities names: record the disbursement first. Uploading the same file again is
// answered as already stored.
#include <iostream>

#include "ledger/base/crypto.h"
#include "ledger/base/encoding.h"
#include "ledger/domain/vouchers.h"
#include "tools/cli.h"
#include "tools/http_client.h"

namespace mingzhang::cli {
namespace {

int Voucher(const Args& args) {
  std::optional<std::string> url = args.Get("server");
  std::optional<std::string> token_file = args.Get("token-file");
  std::optional<std::string> file = args.Get("file");
  if (!url || !token_file || !file) return Usage("voucher needs --server, --token-file and --file");
  if (!args.positional().empty()) return Usage("voucher takes no argument " + args.positional().front());
  Result<ServerUrl> server = ServerUrl::Parse(*url);
  if (!server.ok()) return Fail(server.status());
  Result<std::string> token = ReadTokenFile(*token_file);
  if (!token.ok()) return Fail(token.status());
  Result<std::string> bytes = ReadFile(*file);
  if (!bytes.ok()) return Fail(bytes.status());

  const std::string sha = HexEncode(AsBytes(Sha256(*bytes)));
  Result<VoucherType> type = CheckVoucher(sha, *bytes);
  if (!type.ok()) {
    std::cerr << "mingzhang: " << *file << " is not sent: " << type.status().message() << "\n";
    return kExitUsage;
  }
  HttpClient client(*server);
  Result<HttpAnswer> answer =
      client.Send(Method::kPut, "/v1/vouchers/" + sha, *token, *bytes, VoucherContentType(*type));
  if (!answer.ok()) return Fail(answer.status());
  if (!answer->ok()) {
    Status refused = ProblemStatus(*answer);
    std::cerr << "mingzhang: the voucher " << sha << " was refused: " << refused.slug() << ": " << refused.message()
              << "\n";
    return answer->status >= 500 ? kExitUsage : kExitProblem;
  }
  std::cerr << "mingzhang: " << *file << " (" << bytes->size() << " bytes, " << VoucherContentType(*type) << ") "
            << (answer->status == 201 ? "stored" : "was stored already") << "\n";
  std::cout << sha << "\n";
  return kExitOk;
}

}  // namespace

const Command& VoucherCommand() {
  static const Command command{
      "voucher",
      "  voucher --server URL --token-file F --file PATH\n"
      "                                          upload a disbursement's voucher (PDF, JPEG or PNG,\n"
      "                                          at most 10 MiB; record the disbursement first) and\n"
      "                                          print its SHA-256\n",
      {"server", "token-file", "file"}, {}, {}, Voucher};
  return command;
}

}  // namespace mingzhang::cli
