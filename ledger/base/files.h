// Files that must survive a power cut the moment they are written: the log key, its public half,
// the first admin token. POSIX only.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "ledger/base/status.h"

namespace mingzhang {

// fsyncs directory `dir`, making the entries created or renamed in it durable.
bool SyncDirectory(const std::string& dir);

// Creates `path`, which must not exist (else AlreadyExists `exists_slug`), holding `contents` with
// `mode`, and syncs it and its directory entry. On failure nothing is left at `path`.
Status WriteNewFile(const std::string& path, std::string_view contents, mode_t mode, const char* exists_slug);

// Replaces `path` with `contents` (mode `mode`) all at once: written to a temporary file beside
// it, synced, renamed over it, and the directory synced.
Status ReplaceFile(const std::string& path, std::string_view contents, mode_t mode);

}  // namespace mingzhang
