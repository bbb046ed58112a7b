// The one file that includes RocksDB.
#include "ledger/store.h"

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/write_batch.h>

namespace mingzhang {
namespace {

constexpr const char* kColumnNames[kColumnCount] = {
    "entries", "tree", "checkpoints", "idempotency", "index", "state", "auth", "meta"};

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return OkStatus();
  std::string message = what + ": " + s.ToString();
  if (s.IsNotFound()) return NotFound("not-found", message);
  if (s.IsCorruption()) return DataLoss("store-corrupt", message);
  if (s.IsInvalidArgument()) return InvalidArgument("store-invalid", message);
  if (s.IsNoSpace()) return Unavailable("storage-full", message);
  return Unavailable("storage-unavailable", message);
}

rocksdb::Slice ToSlice(std::string_view v) { return rocksdb::Slice(v.data(), v.size()); }

class RocksCursor final : public Cursor {
 public:
  explicit RocksCursor(rocksdb::Iterator* it) : it_(it) {}
  void Seek(std::string_view key) override { it_->Seek(ToSlice(key)); }
  bool Valid() const override { return it_->Valid(); }
  void Next() override { it_->Next(); }
  std::string_view key() const override { return it_->key().ToStringView(); }
  std::string_view value() const override { return it_->value().ToStringView(); }
  Status status() const override { return FromRocks(it_->status(), "iterating"); }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
};

rocksdb::ColumnFamilyOptions ColumnOptions(const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions cf;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Most point reads miss (a new idempotency key, an unknown id): a bloom filter over the
  // memtable answers those without walking its skip list.
  cf.memtable_prefix_bloom_size_ratio = 0.05;
  cf.memtable_whole_key_filtering = true;
  return cf;
}

}  // namespace

const char* ColumnName(Column column) { return kColumnNames[static_cast<int>(column)]; }

void WriteSet::Put(Column column, std::string key, std::string value) {
  payload_bytes_ += key.size() + value.size();
  ops_.push_back(WriteOp{column, false, std::move(key), std::move(value)});
}

void WriteSet::Delete(Column column, std::string key) {
  payload_bytes_ += key.size();
  ops_.push_back(WriteOp{column, true, std::move(key), {}});
}

struct Store::Impl {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // index kColumnCount is "default"

  rocksdb::ColumnFamilyHandle* handle(Column c) const { return handles[static_cast<int>(c)]; }

  ~Impl() {
    if (!db) return;
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db->Close().PermitUncheckedError();
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::Open(const std::string& dir, const StoreOptions& options) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = options.create_if_missing;
  // Every committed batch is fsynced by its writer; background flushes need no extra syncs.
  db_options.keep_log_file_num = 4;
  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int i = 0; i < kColumnCount; ++i) descriptors.emplace_back(kColumnNames[i], ColumnOptions(cache));
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, ColumnOptions(cache));

  auto impl = std::make_unique<Impl>();
  rocksdb::DB* db = nullptr;
  rocksdb::Status s =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, dir, descriptors, &impl->handles, &db)
          : rocksdb::DB::Open(db_options, dir, descriptors, &impl->handles, &db);
  if (!s.ok()) return FromRocks(s, "opening store " + dir);
  impl->db.reset(db);
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Result<std::optional<std::string>> Store::Get(Column column, std::string_view key) const {
  std::string value;
  rocksdb::Status s = impl_->db->Get(rocksdb::ReadOptions(), impl_->handle(column), ToSlice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, std::string("reading ") + ColumnName(column));
  return std::optional<std::string>(std::move(value));
}

std::vector<Result<std::optional<std::string>>> Store::MultiGet(Column column,
                                                                const std::vector<std::string>& keys) const {
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  impl_->db->MultiGet(rocksdb::ReadOptions(), impl_->handle(column), keys.size(), slices.data(), values.data(),
                      statuses.data());
  std::vector<Result<std::optional<std::string>>> out;
  out.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) {
      out.emplace_back(std::optional<std::string>());
    } else if (!statuses[i].ok()) {
      out.emplace_back(FromRocks(statuses[i], std::string("reading ") + ColumnName(column)));
    } else {
      out.emplace_back(std::optional<std::string>(values[i].ToString()));
    }
  }
  return out;
}

Status Store::Write(const WriteSet& writes, bool sync) {
  rocksdb::WriteBatch batch(writes.payload_bytes() + writes.ops().size() * 16);
  for (const WriteOp& op : writes.ops()) {
    rocksdb::Status s = op.is_delete ? batch.Delete(impl_->handle(op.column), ToSlice(op.key))
                                     : batch.Put(impl_->handle(op.column), ToSlice(op.key), ToSlice(op.value));
    if (!s.ok()) return FromRocks(s, "building batch");
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = sync;
  return FromRocks(impl_->db->Write(write_options, &batch), "writing batch");
}

std::unique_ptr<Cursor> Store::NewCursor(Column column) const {
  return std::make_unique<RocksCursor>(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->handle(column)));
}

Result<std::optional<std::string>> Store::LastKey(Column column) const {
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->handle(column)));
  it->SeekToLast();
  if (it->Valid()) return std::optional<std::string>(it->key().ToString());
  MZ_RETURN_IF_ERROR(FromRocks(it->status(), "seeking last key"));
  return std::optional<std::string>();
}

}  // namespace mingzhang
