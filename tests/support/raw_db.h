// Direct access to a ledger's RocksDB, past the ledger: the tamper tests change what is stored
// the way someone with the disk would (tests/audit/verify_test.cpp, tests/audit/tamper_test.cpp).
#pragma once

#include <catch2/catch.hpp>
#include <rocksdb/db.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ledger/log/ledger.h"

namespace mingzhang::testing {

// The store of a data directory opened directly in RocksDB with its column families, as someone
// with the disk would: for tests that tamper with it. REQUIREs every operation to succeed.
class RawDb {
 public:
  explicit RawDb(const std::string& data_dir) {
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const char* name : {"entries", "tree", "checkpoints", "idempotency", "index", "state", "auth", "meta",
                             "default"}) {
      cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    rocksdb::DB* db = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), data_dir + "/" + kStoreDirName, cfs, &handles_, &db).ok());
    db_.reset(db);
    for (size_t i = 0; i < cfs.size(); ++i) by_name_[cfs[i].name] = handles_[i];
  }
  ~RawDb() {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  }
  std::string Get(const std::string& cf, const std::string& key) {
    std::string v;
    REQUIRE(db_->Get(rocksdb::ReadOptions(), by_name_[cf], key, &v).ok());
    return v;
  }
  void Put(const std::string& cf, const std::string& key, const std::string& value) {
    REQUIRE(db_->Put(rocksdb::WriteOptions(), by_name_[cf], key, value).ok());
  }
  void Delete(const std::string& cf, const std::string& key) {
    REQUIRE(db_->Delete(rocksdb::WriteOptions(), by_name_[cf], key).ok());
  }
  // The first key of a column at or after `from`.
  std::string KeyFrom(const std::string& cf, const std::string& from) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), by_name_[cf]));
    it->Seek(from);
    REQUIRE(it->Valid());
    return it->key().ToString();
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> by_name_;
};

}  // namespace mingzhang::testing
