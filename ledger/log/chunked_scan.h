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
//
// RangedScan does the same for a column whose keys can be cut into ranges known in advance (the
// entries, by seq): there each worker reads its own chunks too. ChunkedScan's one thread both
// reads and checks, and was the one busy thread of a verification (bench/RESULTS.md).
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "ledger/log/keys.h"
#include "ledger/base/status.h"
#include "ledger/log/store.h"

namespace mingzhang {

inline constexpr size_t kScanChunkItems = 4096;  // ~0.6 MB of entries: a few ms of hashing

template <typename Digest>
struct ScanChunk {
  size_t size = 0;  // items in use; the vectors keep their capacity from chunk to chunk
  std::vector<std::string> keys, values;
  std::vector<Digest> digests;

  // Copies the cursor's item in as the next one.
  void Add(const Cursor& cursor) {
    if (keys.size() == size) {
      keys.emplace_back();
      values.emplace_back();
      digests.emplace_back();
    }
    keys[size].assign(cursor.key());
    values[size].assign(cursor.value());
    ++size;
  }
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
    for (; cursor_.Valid() && c.size < kScanChunkItems; cursor_.Next()) c.Add(cursor_);
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

// Chunk k is the key range [chunk_start(k), chunk_start(k + 1)); the scan starts at chunk 0 and
// ends with the chunk after which the column has no key. Worker w of `threads` reads chunks w,
// w + threads, ... with a cursor of its own, digests them, and keeps up to kSlotsPerWorker of
// them ready; Run checks them in chunk order on the calling thread. A chunk with no key but keys
// after it is a gap no real log has (4,096 seqs missing) and may be followed by billions of empty
// ranges before a stray key: from there the scan goes on as a ChunkedScan, one cursor reading
// whatever keys follow. `check` may be given a chunk with no items. The workers' cursors are
// opened independently: the column must not change during the scan (a read-only store, or a
// ledger before it serves). As with ChunkedScan's digest, an exception on a worker (from
// reading, digesting) ends the process.
template <typename Digest>
class RangedScan {
 public:
  using OpenCursor = std::function<std::unique_ptr<Cursor>()>;
  using ChunkStart = std::function<std::string(uint64_t chunk)>;  // strictly increasing in chunk
  using DigestFn = typename ChunkedScan<Digest>::DigestFn;
  using CheckFn = typename ChunkedScan<Digest>::CheckFn;

  RangedScan(OpenCursor open, ChunkStart chunk_start, size_t threads, DigestFn digest)
      : open_(std::move(open)),
        chunk_start_(std::move(chunk_start)),
        threads_(std::max<size_t>(1, threads)),
        digest_(std::move(digest)) {}

  // Runs to the end of the column or until `check` returns false. The Status is that of the
  // cursor that read the last chunk checked, unless `check` stopped first.
  Status Run(const CheckFn& check) {
    std::vector<Slot> slots(threads_ * kSlotsPerWorker);
    Workers workers(*this, slots);  // declared after the slots: stopped and joined before they go
    if (!workers.Start()) return RunHere(check);
    for (uint64_t k = 0;; ++k) {
      Slot& slot = slots[k % slots.size()];
      workers.WaitUntil([&] { return slot.full; });
      if (slot.gap) {
        workers.StopAndJoin();
        return RunOneCursorFrom(k, check);
      }
      const bool going = check(slot.chunk);
      const bool last = slot.last;
      Status status = std::move(slot.status);
      workers.Release(slot);
      if (!going) return OkStatus();
      if (last) return status;
    }
  }

 private:
  static constexpr size_t kSlotsPerWorker = 2;  // one being checked while the next is read

  struct Slot {
    ScanChunk<Digest> chunk;
    Status status;      // the cursor's, once it ended in this chunk
    bool last = false;  // no chunk after this one: the column ended, or could not be read further
    bool gap = false;   // no key in this chunk, keys after it (then also last: the worker stops)
    bool full = false;  // read and digested, not yet checked; guarded by Workers::mu_
  };

  // The worker threads. Stopped and joined when it goes, also when an exception from `check`
  // unwinds past it: destroying a joinable std::thread would end the process.
  class Workers {
   public:
    Workers(RangedScan& scan, std::vector<Slot>& slots) : scan_(scan), slots_(slots) {}
    Workers(const Workers&) = delete;
    Workers& operator=(const Workers&) = delete;
    ~Workers() { StopAndJoin(); }

    // Starts every worker, or none: false when a thread could not be had (a process limit).
    bool Start() {
      try {
        threads_.reserve(scan_.threads_);
        for (size_t w = 0; w < scan_.threads_; ++w) threads_.emplace_back([this, w] { Work(w); });
        return true;
      } catch (const std::system_error&) {
        StopAndJoin();
        return false;
      }
    }
    template <typename Predicate>
    void WaitUntil(Predicate ready) {
      std::unique_lock lock(mu_);
      changed_.wait(lock, ready);
    }
    void Release(Slot& slot) {
      {
        std::lock_guard lock(mu_);
        slot.full = false;
      }
      changed_.notify_all();
    }
    void StopAndJoin() {
      {
        std::lock_guard lock(mu_);
        stopped_ = true;
      }
      changed_.notify_all();
      for (std::thread& t : threads_) t.join();
      threads_.clear();
    }

   private:
    // False when the scan stopped instead.
    bool WaitUntilFree(const Slot& slot) {
      std::unique_lock lock(mu_);
      changed_.wait(lock, [&] { return stopped_ || !slot.full; });
      return !stopped_;
    }
    void Work(size_t worker) {
      std::unique_ptr<Cursor> cursor = scan_.open_();
      for (uint64_t k = worker;; k += scan_.threads_) {
        Slot& slot = slots_[k % slots_.size()];
        if (!WaitUntilFree(slot)) return;
        scan_.Fill(*cursor, k, slot);
        const bool last = slot.last;  // the slot is the checker's once full
        {
          std::lock_guard lock(mu_);
          slot.full = true;
        }
        changed_.notify_all();
        if (last) return;
      }
    }

    RangedScan& scan_;
    std::vector<Slot>& slots_;
    std::mutex mu_;
    std::condition_variable changed_;
    bool stopped_ = false;  // guarded by mu_
    std::vector<std::thread> threads_;
  };

  // Reads chunk k into the slot and digests it.
  void Fill(Cursor& cursor, uint64_t k, Slot& slot) {
    ScanChunk<Digest>& c = slot.chunk;
    const std::string end = chunk_start_(k + 1);
    c.size = 0;
    for (cursor.Seek(chunk_start_(k)); cursor.Valid() && cursor.key() < end; cursor.Next()) c.Add(cursor);
    slot.gap = c.size == 0 && cursor.Valid();
    slot.last = !cursor.Valid() || slot.gap;
    slot.status = cursor.status();
    for (size_t i = 0; i < c.size; ++i) digest_(c, i, c.digests[i]);
  }

  // The whole scan on this thread, when no worker could be started.
  Status RunHere(const CheckFn& check) {
    std::unique_ptr<Cursor> cursor = open_();
    Slot slot;
    for (uint64_t k = 0;; ++k) {
      Fill(*cursor, k, slot);
      if (slot.gap) return RunOneCursorFrom(k, check);
      if (!check(slot.chunk)) return OkStatus();
      if (slot.last) return slot.status;
    }
  }

  // The rest of the column from chunk k's start, read by one cursor.
  Status RunOneCursorFrom(uint64_t k, const CheckFn& check) {
    std::unique_ptr<Cursor> cursor = open_();
    cursor->Seek(chunk_start_(k));
    return ChunkedScan<Digest>(*cursor, threads_, digest_).Run(check);
  }

  OpenCursor open_;
  ChunkStart chunk_start_;
  const size_t threads_;
  DigestFn digest_;
};

// The entries column from `first_seq`, kScanChunkItems seqs per chunk, on every core.
template <typename Digest>
RangedScan<Digest> EntryScan(const Store& store, typename RangedScan<Digest>::DigestFn digest, uint64_t first_seq = 0) {
  return RangedScan<Digest>([&store] { return store.NewCursor(Column::kEntries, Store::Access::kScan); },
                            [first_seq](uint64_t chunk) { return EntryKey(first_seq + chunk * kScanChunkItems); },
                            DigestThreads(), std::move(digest));
}

}  // namespace mingzhang
