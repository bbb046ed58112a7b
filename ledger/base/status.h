// Status and Result<T>: how every fallible ledger call reports what went wrong.
//
// Codes follow abseil's so that callers (the HTTP layer maps them in one place) can tell a bad
// request from a conflict or a storage failure. `slug` is a stable machine-readable reason such
// as "insufficient-funds"; `message` is a sentence for people.
//
//   Result<Entry> r = ledger.Get(seq);
//   if (!r.ok()) return r.status();
//   use(r.value());
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace mingzhang {

enum class Code {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kAborted,
  kResourceExhausted,
  kDataLoss,
  kUnavailable,
  kPermissionDenied,
  kUnauthenticated,
  kInternal,
};

const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string slug, std::string message)
      : code_(code), slug_(std::move(slug)), message_(std::move(message)) {}

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& slug() const { return slug_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // Written out where an error is deliberately dropped, so a reviewer sees it.
  void IgnoreError() const {}

 private:
  Code code_ = Code::kOk;
  std::string slug_;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
inline Status InvalidArgument(std::string slug, std::string message) {
  return Status(Code::kInvalidArgument, std::move(slug), std::move(message));
}
inline Status NotFound(std::string slug, std::string message) {
  return Status(Code::kNotFound, std::move(slug), std::move(message));
}
inline Status AlreadyExists(std::string slug, std::string message) {
  return Status(Code::kAlreadyExists, std::move(slug), std::move(message));
}
inline Status FailedPrecondition(std::string slug, std::string message) {
  return Status(Code::kFailedPrecondition, std::move(slug), std::move(message));
}
inline Status Aborted(std::string slug, std::string message) {
  return Status(Code::kAborted, std::move(slug), std::move(message));
}
inline Status ResourceExhausted(std::string slug, std::string message) {
  return Status(Code::kResourceExhausted, std::move(slug), std::move(message));
}
inline Status DataLoss(std::string slug, std::string message) {
  return Status(Code::kDataLoss, std::move(slug), std::move(message));
}
inline Status Unavailable(std::string slug, std::string message) {
  return Status(Code::kUnavailable, std::move(slug), std::move(message));
}
inline Status PermissionDenied(std::string slug, std::string message) {
  return Status(Code::kPermissionDenied, std::move(slug), std::move(message));
}
inline Status Internal(std::string slug, std::string message) {
  return Status(Code::kInternal, std::move(slug), std::move(message));
}

// A value or the Status saying why there is none. Never holds an OK status without a value.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(state_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(state_);
  }
  T& value() & {
    assert(ok());
    return std::get<T>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<Status, T> state_;
};

}  // namespace mingzhang

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define MZ_RETURN_IF_ERROR(expr)            \
  do {                                      \
    ::mingzhang::Status mz_status_ = (expr); \
    if (!mz_status_.ok()) return mz_status_; \
  } while (0)

#define MZ_CONCAT_INNER(a, b) a##b
#define MZ_CONCAT(a, b) MZ_CONCAT_INNER(a, b)
// Declares `lhs` from a Result, or returns its Status from the enclosing function.
#define MZ_ASSIGN_OR_RETURN(lhs, expr) \
  MZ_ASSIGN_OR_RETURN_IMPL(MZ_CONCAT(mz_result_, __LINE__), lhs, expr)
#define MZ_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
