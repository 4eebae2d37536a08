#include "common/status.hpp"

namespace rectify {

std::string_view StatusCodeName(StatusCode code) {
    switch (code) {
        case StatusCode::kOk: return "ok";
        case StatusCode::kInvalidArgument: return "invalid_argument";
        case StatusCode::kUnauthenticated: return "unauthenticated";
        case StatusCode::kPermissionDenied: return "permission_denied";
        case StatusCode::kNotFound: return "not_found";
        case StatusCode::kAlreadyExists: return "already_exists";
        case StatusCode::kFailedPrecondition: return "failed_precondition";
        case StatusCode::kAborted: return "aborted";
        case StatusCode::kPayloadTooLarge: return "payload_too_large";
        case StatusCode::kResourceExhausted: return "resource_exhausted";
        case StatusCode::kUnavailable: return "unavailable";
        case StatusCode::kInternal: return "internal";
    }
    return "internal";
}

std::string Status::ToString() const {
    if (ok()) return "ok";
    return std::string(StatusCodeName(code_)) + ": " + message_;
}

}  // namespace rectify
