// Status and Result<T>: the one error type of rectify. Every function that can fail returns one of them.
// Codes are a fixed list; src/http maps them to HTTP statuses in one table (ENGINEERING.md, "Errors").
// Value types; thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace rectify {

enum class StatusCode {
    kOk,
    kInvalidArgument,     // 400: the input is wrong; the message says what and where
    kUnauthenticated,     // 401
    kPermissionDenied,    // 403
    kNotFound,            // 404: unknown id, or an id outside the actor's scope
    kAlreadyExists,       // 409
    kFailedPrecondition,  // 409: e.g. an illegal state transition, a schema newer than the binary
    kAborted,             // 409: an edit conflict (stale version)
    kPayloadTooLarge,     // 413
    kResourceExhausted,   // 429: too many attempts (login back-off); retry later
    kUnavailable,         // 503
    kInternal,            // 500
};

// Stable snake_case name of a code, used in the API error body: "invalid_argument", "not_found", ...
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
public:
    Status() = default;
    Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

    static Status Ok() { return {}; }
    bool ok() const { return code_ == StatusCode::kOk; }
    StatusCode code() const { return code_; }
    const std::string& message() const { return message_; }
    // "not_found: org 7 does not exist" — for logs and the CLI.
    std::string ToString() const;

private:
    StatusCode code_ = StatusCode::kOk;
    std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status Aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
inline Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
inline Status PayloadTooLarge(std::string m) { return {StatusCode::kPayloadTooLarge, std::move(m)}; }
inline Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status Unauthenticated(std::string m) { return {StatusCode::kUnauthenticated, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Either a value or a non-OK Status. Accessing value() of an error is a programmer error (asserts).
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design, like absl::StatusOr
    Result(Status status) : v_(std::move(status)) {}  // NOLINT

    bool ok() const { return std::holds_alternative<T>(v_); }
    Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }
    T& value() & { return std::get<T>(v_); }
    const T& value() const& { return std::get<T>(v_); }
    T&& value() && { return std::get<T>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

private:
    std::variant<T, Status> v_;
};

namespace detail {
inline const Status& ToStatus(const Status& s) { return s; }
template <typename T>
Status ToStatus(const Result<T>& r) { return r.status(); }
}  // namespace detail

}  // namespace rectify

#define RECTIFY_CONCAT_INNER(a, b) a##b
#define RECTIFY_CONCAT(a, b) RECTIFY_CONCAT_INNER(a, b)

// Returns the Status of `expr` (a Status or Result) from the enclosing function when it is not OK.
#define RETURN_IF_ERROR(expr)                                                    \
    do {                                                                         \
        auto&& rectify_status_ = (expr);                                         \
        if (!rectify_status_.ok()) return ::rectify::detail::ToStatus(rectify_status_); \
    } while (0)

// `ASSIGN_OR_RETURN(auto x, F());` declares x from F()'s value, or returns F()'s error.
// It expands to several statements: brace it when it is the body of an if.
#define ASSIGN_OR_RETURN(lhs, expr) ASSIGN_OR_RETURN_IMPL(RECTIFY_CONCAT(rectify_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
    auto tmp = (expr);                        \
    if (!tmp.ok()) return tmp.status();       \
    lhs = std::move(tmp).value()
