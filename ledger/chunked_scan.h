// Reads a column in key order, chunk by chunk, and spreads the work per item over every core:
//
//   ChunkedScan<Digest> scan(cursor, DigestThreads(),
//       [](const ScanChunk<Digest>& c, size_t i, Digest& out) { ... });  // any thread, any order
//   Status s = scan.Run([](const ScanChunk<Digest>& c) { ...; return keep_going; });  // in order
//
// `digest` sees one item and writes only its own output: what needs no other item (hashes,
// decoding). `check` sees a whole chunk once every item of it is digested, chunks in key order:
// what needs the items before (a chain, a tree). While worker threads digest chunk k+1, this
// thread checks chunk k; while they digest chunk k, it reads chunk k+1. Verification is mostly
// hashing, so this is how it uses both cores of a small machine.
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ledger/status.h"
#include "ledger/store.h"

namespace mingzhang {

inline constexpr size_t kScanChunkItems = 4096;  // ~0.6 MB of entries: a few ms of hashing

template <typename Digest>
struct ScanChunk {
  size_t size = 0;  // items in use; the vectors keep their capacity from chunk to chunk
  std::vector<std::string> keys, values;
  std::vector<Digest> digests;
};

// The number of threads that digest: one per hardware thread.
inline size_t DigestThreads() { return std::max<size_t>(1, std::thread::hardware_concurrency()); }

template <typename Digest>
class ChunkedScan {
 public:
  using DigestFn = std::function<void(const ScanChunk<Digest>&, size_t, Digest&)>;
  using CheckFn = std::function<bool(const ScanChunk<Digest>&)>;

  ChunkedScan(Cursor& cursor, size_t threads, DigestFn digest)
      : cursor_(cursor), threads_(std::max<size_t>(1, threads)), digest_(std::move(digest)) {}

  // Runs to the end of the cursor or until `check` returns false. The Status is the cursor's.
  Status Run(const CheckFn& check) {
    ScanChunk<Digest> chunks[2];  // never moved: the digesting threads hold a reference
    int current = 0;
    Read(chunks[current]);
    std::vector<std::thread> digesting = StartDigest(chunks[current]);
    bool going = true;
    while (going && chunks[current].size > 0) {
      ScanChunk<Digest>& next = chunks[current ^ 1];
      Read(next);
      Join(digesting);
      digesting = StartDigest(next);
      going = check(chunks[current]);
      current ^= 1;
    }
    Join(digesting);
    return cursor_.status();
  }

 private:
  void Read(ScanChunk<Digest>& c) {
    c.size = 0;
    for (; cursor_.Valid() && c.size < kScanChunkItems; cursor_.Next(), ++c.size) {
      if (c.keys.size() == c.size) {
        c.keys.emplace_back();
        c.values.emplace_back();
        c.digests.emplace_back();
      }
      c.keys[c.size].assign(cursor_.key());
      c.values[c.size].assign(cursor_.value());
    }
  }

  // Slices the chunk over the threads; each thread digests its slice.
  std::vector<std::thread> StartDigest(ScanChunk<Digest>& c) {
    std::vector<std::thread> threads;
    const size_t per_thread = (c.size + threads_ - 1) / threads_;
    for (size_t begin = 0; begin < c.size; begin += per_thread) {
      const size_t end = std::min(c.size, begin + per_thread);
      threads.emplace_back([this, &c, begin, end] {
        for (size_t i = begin; i < end; ++i) digest_(c, i, c.digests[i]);
      });
    }
    return threads;
  }

  static void Join(std::vector<std::thread>& threads) {
    for (std::thread& t : threads) t.join();
    threads.clear();
  }

  Cursor& cursor_;
  const size_t threads_;
  DigestFn digest_;
};

}  // namespace mingzhang
