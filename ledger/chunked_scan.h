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
#include <system_error>
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

  // Runs to the end of the cursor or until `check` returns false. The Status is the cursor's,
  // unless `check` stopped first: what it found stands, whatever the cursor met reading ahead.
  Status Run(const CheckFn& check) {
    ScanChunk<Digest> chunks[2];  // never moved: the digesting threads hold a reference
    Digesting digesting;          // declared after the chunks: joined before they go
    int current = 0;
    Read(chunks[current]);
    StartDigest(chunks[current], digesting);
    bool going = true;
    while (going && chunks[current].size > 0) {
      ScanChunk<Digest>& next = chunks[current ^ 1];
      Read(next);
      digesting.Join();
      StartDigest(next, digesting);
      going = check(chunks[current]);
      current ^= 1;
    }
    digesting.Join();
    return going ? cursor_.status() : OkStatus();
  }

 private:
  // The threads digesting one chunk. Joined when it goes, also when an exception unwinds past
  // it: destroying a joinable std::thread would end the process.
  class Digesting {
   public:
    Digesting() = default;
    Digesting(const Digesting&) = delete;
    Digesting& operator=(const Digesting&) = delete;
    ~Digesting() { Join(); }
    // Runs `work` on a thread of its own, or here when no thread can be had (a process limit).
    void Start(const std::function<void()>& work) {
      threads_.reserve(threads_.size() + 1);  // so that a started thread is always kept
      try {
        threads_.emplace_back(work);
      } catch (const std::system_error&) {
        work();
      }
    }
    void Join() {
      for (std::thread& t : threads_) t.join();
      threads_.clear();
    }

   private:
    std::vector<std::thread> threads_;
  };

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
  void StartDigest(ScanChunk<Digest>& c, Digesting& digesting) {
    const size_t per_thread = (c.size + threads_ - 1) / threads_;
    for (size_t begin = 0; begin < c.size; begin += per_thread) {
      const size_t end = std::min(c.size, begin + per_thread);
      digesting.Start([this, &c, begin, end] {
        for (size_t i = begin; i < end; ++i) digest_(c, i, c.digests[i]);
      });
    }
  }

  Cursor& cursor_;
  const size_t threads_;
  DigestFn digest_;
};

}  // namespace mingzhang
