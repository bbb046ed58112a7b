// Voucher files end to end on the real mingzhangd: PUT /v1/vouchers/{sha256} by the community's
// firm, every refusal (writing nothing), GET by everyone who may read a community naming the
// voucher with its exact bytes and headers, 304, the same 404 for another community's voucher as
// for one not uploaded, a stored file checked again when read, and files kept across a restart;
// and the store itself under concurrent uploads of one voucher and of several.
#include <sys/mount.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include "ledger/base/crypto.h"
#include "ledger/base/encoding.h"
#include "ledger/domain/vouchers.h"
#include "tests/support/api_harness.h"

namespace mingzhang::apitest {
namespace {

namespace fs = std::filesystem;
const std::string kProblem = "application/problem+json";

std::string Sha256Hex(std::string_view bytes) { return HexEncode(AsBytes(Sha256(bytes))); }

// Small files of each type: what matters to the server is their first bytes and their hash.
const std::string kPdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";
const std::string kJpeg = std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00", 11) + "jpeg body";
const std::string kPng = std::string("\x89PNG\r\n\x1A\n\x00\x00\x00\x0DIHDR", 16) + "png body";
const std::string kGif = "GIF89a not a voucher type";

void CheckProblem(const Reply& r, int status, const std::string& type) {
  INFO(r.Describe());
  CHECK(r.status == status);
  CHECK(r.content_type == kProblem);
  CHECK(r.Json()["type"] == type);
}

// Every regular file under DATA/vouchers (none before the first upload: the directory is made then).
std::vector<std::string> StoredFiles(const std::string& data_dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(data_dir + "/vouchers", ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file()) files.push_back(it->path().lexically_relative(data_dir).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Firm F1 serves C1, firm F2 serves C2; each community has a unit and its owner, and C1 a
// disbursement for each of the PDF, the JPEG and the PNG, C2 one naming a file of its own.
struct Town {
  std::unique_ptr<Daemon> owned_daemon;
  Daemon& daemon;
  std::unique_ptr<HttpClient> client;
  std::string admin, firm1, firm2, committee1, regulator, owner1, owner2;
  const std::string c2_file = "%PDF-1.7\nC2's own invoice\n";

  Town() : Town(std::make_unique<Daemon>()) {}
  explicit Town(std::unique_ptr<Daemon> d) : owned_daemon(std::move(d)), daemon(*owned_daemon) {
    daemon.Start();
    client = std::make_unique<HttpClient>(daemon.port());
    admin = daemon.admin_token();
    for (const char* f : {"F1", "F2"}) {
      Post201("/v1/firms", admin, {{"idempotency_key", std::string("f-") + f}, {"firm_id", f}, {"name", f}});
    }
    for (auto [c, f] : {std::pair{"C1", "F1"}, std::pair{"C2", "F2"}}) {
      Post201("/v1/communities", admin,
              {{"idempotency_key", std::string("c-") + c}, {"community_id", c}, {"name", std::string("兰亭") + c},
               {"firm_id", f}, {"fee_rate_fen_per_m2_month", 250},
               {"remuneration", {{"basis_points_of_fee_income", 1000}}}, {"start_month", "2026-01"}});
    }
    firm1 = IssueToken(c(), admin, "firm", "F1", {"C1"});
    firm2 = IssueToken(c(), admin, "firm", "F2", {"C2"});
    committee1 = IssueToken(c(), admin, "committee", "committee-C1", {"C1"});
    regulator = IssueToken(c(), admin, "regulator", "reg");
    Fund("C1", "101", firm1);
    Fund("C2", "201", firm2);
    owner1 = IssueToken(c(), admin, "owner", "owner-101", {"C1"}, {"101"});
    owner2 = IssueToken(c(), admin, "owner", "owner-201", {"C2"}, {"201"});
    int n = 0;
    for (const std::string* file : {&kPdf, &kJpeg, &kPng}) Disburse("C1", firm1, "d" + std::to_string(++n), Sha256Hex(*file));
    Disburse("C2", firm2, "d-c2", Sha256Hex(c2_file));
  }
  HttpClient& c() { return *client; }
  json Post201(const std::string& path, const std::string& token, const json& body) {
    Reply r = c().Post(path, token, body.dump());
    INFO(path << ": " << r.Describe());
    REQUIRE(r.status == 201);
    return r.Json();
  }
  void Fund(const std::string& community, const std::string& unit, const std::string& firm) {
    Post201("/v1/communities/" + community + "/units", firm,
            {{"idempotency_key", "u-" + unit}, {"units", json::array({{{"unit_id", unit}, {"area_centi_m2", 9000}}})}});
    Post201("/v1/communities/" + community + "/payments", firm,
            {{"idempotency_key", "p-" + unit}, {"unit_id", unit}, {"amount", 100000}, {"period", "2026-01"},
             {"months", 1}, {"paid_on", "2026-01-05"}, {"method", "bank"}});
  }
  void Disburse(const std::string& community, const std::string& firm, const std::string& key, const std::string& sha) {
    Post201("/v1/communities/" + community + "/disbursements", firm,
            {{"idempotency_key", key}, {"fund", "FEES"}, {"category", "CLEANING"}, {"amount", 1000},
             {"payee", "Clean Co"}, {"description", "cleaning"}, {"paid_on", "2026-01-20"}, {"voucher_sha256", sha}});
  }
  Reply Put(const std::string& sha, const std::string& bytes, const std::string& token) {
    return c().Send(http::verb::put, "/v1/vouchers/" + sha, bytes, token, "application/octet-stream");
  }
  Reply Get(const std::string& sha, const std::string& token,
            const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return c().Send(http::verb::get, "/v1/vouchers/" + sha, "", token, "", headers);
  }
};

TEST_CASE("vouchers: uploaded by the firm, read back byte for byte by every reader of the community", "[api][vouchers]") {
  Town t;
  const std::string sha = Sha256Hex(kPdf);
  const uint64_t size_before = TreeSize(t.c());
  Reply up = t.Put(sha, kPdf, t.firm1);
  INFO(up.Describe());
  REQUIRE(up.status == 201);
  CHECK(up.Json() == json{{"sha256", sha}, {"bytes", kPdf.size()}, {"content_type", "application/pdf"}});
  // Content-addressed under its first two hex digits, exactly the bytes sent; the log is untouched.
  CHECK(StoredFiles(t.daemon.data_dir()) == std::vector<std::string>{"vouchers/" + sha.substr(0, 2) + "/" + sha});
  CHECK(ReadFile(t.daemon.data_dir() + "/vouchers/" + sha.substr(0, 2) + "/" + sha) == kPdf);
  CHECK(TreeSize(t.c()) == size_before);

  for (const std::string* token : {&t.owner1, &t.committee1, &t.firm1, &t.regulator, &t.admin}) {
    Reply r = t.Get(sha, *token);
    INFO(r.Describe());
    REQUIRE(r.status == 200);
    CHECK(r.body == kPdf);
    CHECK(r.content_type == "application/pdf");
    CHECK(r.Header(http::field::etag) == "\"" + sha + "\"");
    // Revalidated every time, and kept apart per token: one device, several accounts.
    CHECK(r.Header(http::field::cache_control) == "private, no-cache");
    CHECK(r.Header(http::field::vary) == "Authorization");
    CHECK(r.headers["X-Content-Type-Options"] == "nosniff");
    CHECK(r.Header(http::field::content_disposition) == "inline; filename=\"" + sha.substr(0, 12) + ".pdf\"");
  }

  SECTION("If-None-Match with its ETag is 304, without the bytes") {
    Reply r = t.Get(sha, t.owner1, {{"If-None-Match", "\"" + sha + "\""}});
    CHECK(r.status == 304);
    CHECK(r.body.empty());
    CHECK(r.Header(http::field::etag) == "\"" + sha + "\"");
    CHECK(r.Header(http::field::cache_control) == "private, no-cache");
    CHECK(r.Header(http::field::vary) == "Authorization");
    Reply other = t.Get(sha, t.owner1, {{"If-None-Match", "\"" + Sha256Hex(kPng) + "\""}});
    CHECK(other.status == 200);
    CHECK(other.body == kPdf);
  }
  SECTION("uploading again is 200 with the same answer, and writes nothing") {
    const auto mtime = fs::last_write_time(t.daemon.data_dir() + "/vouchers/" + sha.substr(0, 2) + "/" + sha);
    Reply again = t.Put(sha, kPdf, t.firm1);
    INFO(again.Describe());
    CHECK(again.status == 200);
    CHECK(again.body == up.body);
    CHECK(fs::last_write_time(t.daemon.data_dir() + "/vouchers/" + sha.substr(0, 2) + "/" + sha) == mtime);
  }
  SECTION("JPEG and PNG are served as such") {
    for (auto [bytes, type, ext] : {std::tuple{&kJpeg, "image/jpeg", ".jpg"}, std::tuple{&kPng, "image/png", ".png"}}) {
      const std::string h = Sha256Hex(*bytes);
      Reply put = t.Put(h, *bytes, t.firm1);
      INFO(put.Describe());
      CHECK(put.status == 201);
      CHECK(put.Json()["content_type"] == type);
      Reply r = t.Get(h, t.owner1);
      CHECK(r.status == 200);
      CHECK(r.body == *bytes);
      CHECK(r.content_type == type);
      CHECK(r.Header(http::field::content_disposition) == "inline; filename=\"" + h.substr(0, 12) + ext + "\"");
    }
  }
}

TEST_CASE("vouchers: every refused upload is answered with its reason and writes nothing", "[api][vouchers]") {
  Town t;
  const std::string sha = Sha256Hex(kPdf);
  const uint64_t size_before = TreeSize(t.c());
  const std::string unrelated = "%PDF-1.4\nnot named by any disbursement\n";
  const std::string gif_named = Sha256Hex(kGif);
  std::string upper = sha;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char ch) { return std::toupper(ch); });

  CheckProblem(t.Put(sha, kPdf, ""), 401, "unauthenticated");
  CheckProblem(t.Put(sha, kPdf, "mz_not-a-token"), 401, "bad-token");
  CheckProblem(t.Put(sha, kPdf, t.owner1), 403, "forbidden");
  CheckProblem(t.Put(sha, kPdf, t.committee1), 403, "forbidden");
  CheckProblem(t.Put(sha, kPdf, t.admin), 403, "forbidden");
  CheckProblem(t.Put(upper, kPdf, t.firm1), 400, "bad-voucher");
  CheckProblem(t.Put(sha.substr(1), kPdf, t.firm1), 400, "bad-voucher");
  CheckProblem(t.Put(sha, "", t.firm1), 400, "bad-voucher");
  CheckProblem(t.Put(gif_named, kGif, t.firm1), 415, "bad-voucher-type");
  // An HTML page claiming to be a PDF by its Content-Type: the bytes decide.
  CheckProblem(t.c().Send(http::verb::put, "/v1/vouchers/" + Sha256Hex("<html>"), "<html>", t.firm1, "application/pdf"),
               415, "bad-voucher-type");
  Reply mismatch = t.Put(sha, unrelated, t.firm1);
  CheckProblem(mismatch, 422, "voucher-mismatch");
  const std::string detail = mismatch.Json()["detail"].get<std::string>();
  CHECK(detail.find(sha) != std::string::npos);
  CHECK(detail.find(Sha256Hex(unrelated)) != std::string::npos);
  CheckProblem(t.Put(Sha256Hex(unrelated), unrelated, t.firm1), 422, "voucher-not-in-ledger");
  // C2's voucher is C2's firm's to upload; F1 serves C1 only.
  CheckProblem(t.Put(Sha256Hex(t.c2_file), t.c2_file, t.firm1), 422, "voucher-not-in-ledger");

  SECTION("a declared length over the limit is refused on the header, the body unread") {
    HttpClient raw(t.daemon.port());
    const std::string head = "PUT /v1/vouchers/" + sha + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t.firm1 +
                             "\r\nContent-Length: " + std::to_string(kVoucherBytesMax + 1) + "\r\n\r\n";
    Reply r = raw.Raw(head);  // no byte of the body follows: an answer means it was not waited for
    CheckProblem(r, 413, "voucher-too-large");
    // Without a valid token the same request is 401: who sends it is checked first.
    HttpClient anonymous(t.daemon.port());
    CheckProblem(anonymous.Raw("PUT /v1/vouchers/" + sha + " HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                               std::to_string(kVoucherBytesMax + 1) + "\r\n\r\n"),
                 401, "unauthenticated");
  }
  SECTION("a chunked body over the limit is refused once counted") {
    std::string big = kPdf + std::string(kVoucherBytesMax + 1 - kPdf.size(), 'x');
    std::ostringstream chunked;
    chunked << "PUT /v1/vouchers/" << Sha256Hex(big) << " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " << t.firm1
            << "\r\nTransfer-Encoding: chunked\r\n\r\n"
            << std::hex << big.size() << "\r\n"
            << big << "\r\n0\r\n\r\n";
    HttpClient raw(t.daemon.port());
    CheckProblem(raw.Raw(chunked.str()), 413, "voucher-too-large");
  }
  SECTION("exactly the limit is taken") {
    // Named by no disbursement, so refused as such: the size and type passed.
    std::string max = kPdf + std::string(kVoucherBytesMax - kPdf.size(), 'x');
    CheckProblem(t.Put(Sha256Hex(max), max, t.firm1), 422, "voucher-not-in-ledger");
  }
  CHECK(StoredFiles(t.daemon.data_dir()).empty());
  CHECK_FALSE(fs::exists(t.daemon.data_dir() + "/vouchers"));
  CHECK(TreeSize(t.c()) == size_before);
  // And the server still takes the right upload afterwards.
  CHECK(t.Put(sha, kPdf, t.firm1).status == 201);
}

TEST_CASE("vouchers: another community's voucher is 404, as one not uploaded yet", "[api][vouchers]") {
  Town t;
  const std::string sha = Sha256Hex(kPdf);
  const std::string c2_sha = Sha256Hex(t.c2_file);
  // Named in the ledger, not uploaded yet.
  Reply missing = t.Get(sha, t.owner1);
  CheckProblem(missing, 404, "voucher-not-found");
  // Nor does a client's ETag make a file that is not there.
  CheckProblem(t.Get(sha, t.owner1, {{"If-None-Match", "\"" + sha + "\""}}), 404, "voucher-not-found");
  REQUIRE(t.Put(sha, kPdf, t.firm1).status == 201);
  REQUIRE(t.Put(c2_sha, t.c2_file, t.firm2).status == 201);
  CHECK(t.Get(c2_sha, t.owner2).body == t.c2_file);

  Reply other = t.Get(sha, t.owner2);        // C1's, uploaded, asked by C2's owner
  Reply unknown = t.Get(Sha256Hex("never named"), t.owner2);  // named nowhere
  CheckProblem(other, 404, "voucher-not-found");
  CheckProblem(unknown, 404, "voucher-not-found");
  // The same words for all three: nothing tells them apart.
  CHECK(other.body == missing.body);
  CHECK(other.body == unknown.body);
  CheckProblem(t.Get(c2_sha, t.owner1), 404, "voucher-not-found");
  CheckProblem(t.Get(c2_sha, t.firm1), 404, "voucher-not-found");
  // A 304 is no way around it either.
  CheckProblem(t.Get(sha, t.owner2, {{"If-None-Match", "\"" + sha + "\""}}), 404, "voucher-not-found");
  CheckProblem(t.Get(sha, ""), 401, "unauthenticated");
  std::string upper = sha;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char ch) { return std::toupper(ch); });
  CheckProblem(t.Get(upper, t.owner1), 400, "bad-voucher");
}

TEST_CASE("vouchers: kept across a restart, and a stored file is checked each time it is read", "[api][vouchers]") {
  Town t;
  const std::string sha = Sha256Hex(kPdf);
  REQUIRE(t.Put(sha, kPdf, t.firm1).status == 201);
  const std::string data_dir = t.daemon.data_dir();
  REQUIRE(t.daemon.Terminate() == 0);

  Daemon again(data_dir);
  again.Start();
  HttpClient c(again.port());
  auto get = [&](const std::string& token) { return c.Send(http::verb::get, "/v1/vouchers/" + sha, "", token, ""); };
  Reply r = get(t.owner1);
  INFO(r.Describe());
  REQUIRE(r.status == 200);
  CHECK(r.body == kPdf);
  // The index from the ledger is rebuilt by its replay: C2's owner still gets 404.
  CheckProblem(get(t.owner2), 404, "voucher-not-found");

  // A file changed on disk is not served as the voucher, nor taken as already stored.
  const std::string path = data_dir + "/vouchers/" + sha.substr(0, 2) + "/" + sha;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << kPdf.substr(0, 10);
  CheckProblem(get(t.owner1), 500, "voucher-corrupt");
  // A 304 takes the file's name as its ETag without reading it (it was checked when stored);
  // the next full GET still finds the damage.
  Reply cheap = c.Send(http::verb::get, "/v1/vouchers/" + sha, "", t.owner1, "", {{"If-None-Match", "\"" + sha + "\""}});
  CHECK(cheap.status == 304);
  CHECK(cheap.body.empty());
  CheckProblem(get(t.owner1), 500, "voucher-corrupt");
  Reply repair = c.Send(http::verb::put, "/v1/vouchers/" + sha, kPdf, t.firm1, "application/pdf");
  INFO(repair.Describe());
  CHECK(repair.status == 201);
  CHECK(ReadFile(path) == kPdf);
  CHECK(get(t.owner1).body == kPdf);
}

// A tmpfs of kDiskBytes for the daemon's data, mounted for the test's life (root, as CI runs; where
// mounting is refused the test fails and says so), as tests/api/full_disk_test.cpp does.
class SmallDisk {
 public:
  static constexpr size_t kDiskBytes = 64 << 20;
  SmallDisk() : path_(root_ / "disk") {
    fs::create_directories(path_);
    const std::string options = "size=" + std::to_string(kDiskBytes) + ",mode=0700";
    if (::mount("tmpfs", path_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
      const int error = errno;
      FAIL("cannot mount a tmpfs at " << path_ << ": " << std::strerror(error) << "; this test needs root");
    }
    mounted_ = true;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  std::string data_dir() const { return path_ + "/data"; }
  std::string log_dir() const { return root_.path(); }
  // Takes every byte left, in ever smaller pieces, until the kernel says none is left.
  void Fill() const {
    const int fd = ::open(fill_path().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    const std::string piece(1 << 20, 'x');
    for (size_t size : {piece.size(), size_t{4096}, size_t{1}}) {
      while (::write(fd, piece.data(), size) == static_cast<ssize_t>(size)) {
      }
    }
    const int error = errno;
    ::close(fd);
    REQUIRE(error == ENOSPC);
  }
  void Free() const { fs::remove(fill_path()); }

 private:
  std::string fill_path() const { return path_ + "/fill"; }
  testing::TempDir root_;
  std::string path_;
  bool mounted_ = false;
};

TEST_CASE("vouchers: a full disk is 503 storage-full with nothing left, and the upload is taken once freed", "[api][vouchers][fulldisk]") {
  SmallDisk disk;
  Town t(std::make_unique<Daemon>(disk.data_dir(), disk.log_dir()));
  const std::string sha = Sha256Hex(kPng);
  disk.Fill();
  Reply full = t.Put(sha, kPng, t.firm1);
  INFO(full.Describe());
  CHECK(full.status == 503);
  CHECK(full.Json()["type"] == "storage-full");
  CHECK(StoredFiles(t.daemon.data_dir()).empty());  // no part of a file, no temporary one
  CheckProblem(t.Get(sha, t.owner1), 404, "voucher-not-found");
  disk.Free();
  Reply freed = t.Put(sha, kPng, t.firm1);
  INFO(freed.Describe());
  CHECK(freed.status == 201);
  CHECK(t.Get(sha, t.owner1).body == kPng);
}

TEST_CASE("mingzhang voucher uploads a file and prints its hash", "[api][vouchers][cli]") {
  Town t;
  const std::string dir = t.daemon.root();
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir + "/" + name, std::ios::binary) << bytes;
    return dir + "/" + name;
  };
  const std::string token_file = write("firm1.token", t.firm1 + "\n");
  const std::string url = "http://127.0.0.1:" + std::to_string(t.daemon.port());
  auto voucher = [&](const std::string& file) {
    return RunCommand({MINGZHANG_CLI, "voucher", "--server", url, "--token-file", token_file, "--file", file},
                      dir + "/cli.log");
  };
  const std::string sha = Sha256Hex(kPng);
  const std::string png = write("receipt.png", kPng);
  auto [code, output] = voucher(png);
  INFO(output);
  CHECK(code == 0);
  CHECK(output.find(sha + "\n") != std::string::npos);
  // The first upload's words exactly ("stored" alone is also in "was stored already").
  const std::string said = png + " (" + std::to_string(kPng.size()) + " bytes, image/png) ";
  CHECK(output.find(said + "stored\n") != std::string::npos);
  CHECK(output.find("already") == std::string::npos);
  CHECK(ReadFile(t.daemon.data_dir() + "/vouchers/" + sha.substr(0, 2) + "/" + sha) == kPng);
  auto [again_code, again] = voucher(png);
  CHECK(again_code == 0);
  CHECK(again.find(said + "was stored already\n") != std::string::npos);

  // Refused here, before anything is sent: exit 2, and the server holds nothing new.
  auto [gif_code, gif] = voucher(write("photo.gif", kGif));
  CHECK(gif_code == 2);
  CHECK(gif.find("PDF, JPEG or PNG") != std::string::npos);
  // Refused by the server: exit 1 with its reason.
  auto [unrelated_code, unrelated] = voucher(write("other.pdf", "%PDF-1.4\nnot in the ledger\n"));
  CHECK(unrelated_code == 1);
  CHECK(unrelated.find("voucher-not-in-ledger") != std::string::npos);
  CHECK(StoredFiles(t.daemon.data_dir()) == std::vector<std::string>{"vouchers/" + sha.substr(0, 2) + "/" + sha});
}

TEST_CASE("VoucherStore: uploads of one voucher at once store it once; of different ones, each", "[vouchers]") {
  testing::TempDir dir;
  VoucherStore store(dir.path() + "/vouchers");
  constexpr int kUploaders = 8;
  // Several large files, so that writes overlap: the same voucher from every thread, and one
  // voucher per thread.
  std::vector<std::string> files;
  for (int i = 0; i < kUploaders; ++i) files.push_back(kPdf + std::string(1 << 20, static_cast<char>('a' + i)));
  const std::string shared = files[0];
  std::vector<Result<bool>> same(kUploaders, Result<bool>(false));
  std::vector<Result<bool>> own(kUploaders, Result<bool>(false));
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < kUploaders; ++i) {
      threads.emplace_back([&, i] { same[i] = store.Put(Sha256Hex(shared), shared); });
      threads.emplace_back([&, i] { own[i] = store.Put(Sha256Hex(files[i]), files[i]); });
    }
    for (std::thread& th : threads) th.join();
  }
  // files[0] is both the shared voucher and thread 0's own: written by exactly one of the 9 Puts.
  int written = 0;
  for (const auto* results : {&same, &own}) {
    for (const Result<bool>& r : *results) {
      REQUIRE(r.ok());
      written += *r ? 1 : 0;
    }
  }
  CHECK(written == kUploaders);  // once each of the kUploaders distinct files
  for (int i = 1; i < kUploaders; ++i) CHECK(*own[i]);  // no other thread had these
  for (const std::string& f : files) {
    Result<Voucher> v = store.Get(Sha256Hex(f));
    REQUIRE(v.ok());
    CHECK(v->bytes == f);
    CHECK(store.Has(Sha256Hex(f)));
  }
  CHECK_FALSE(store.Has(Sha256Hex("never uploaded")));
  CHECK_FALSE(store.Has("not a hash"));
  // No temporary file is left behind.
  size_t kept = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir.path() + "/vouchers")) kept += e.is_regular_file() ? 1 : 0;
  CHECK(kept == files.size());
}

}  // namespace
}  // namespace mingzhang::apitest
