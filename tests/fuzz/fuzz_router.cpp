// Fuzz target: request-target parsing (ParseTarget, percent-decoding), routing (Router::Find) and the
// query-parameter decoders of every GET route, through Api::Handle. The input is the request-target.
// Findings: a parsed target with invalid UTF-8 or a NUL in a segment or query item, a 500, a body
// that is not JSON, or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "common/text.hpp"
#include "fuzz_world.hpp"
#include "http/router.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 16 * 1024) return 0;
    const std::string target(reinterpret_cast<const char*>(data), size);
    auto parsed = rectify::http::ParseTarget(target);
    if (parsed.ok()) {
        auto bad = [](const std::string& s) { return !rectify::IsValidUtf8(s) || s.find('\0') != std::string::npos; };
        for (const auto& seg : parsed->segments) {
            if (bad(seg)) {
                std::fprintf(stderr, "a segment with invalid UTF-8 or NUL passed ParseTarget\n");
                std::abort();
            }
        }
        for (const auto& [k, v] : parsed->query) {
            if (bad(k) || bad(v)) {
                std::fprintf(stderr, "a query item with invalid UTF-8 or NUL passed ParseTarget\n");
                std::abort();
            }
        }
    }
    auto& world = rectify::fuzz::TheWorld();
    for (const char* method : {"GET", "DELETE"}) {
        auto r = world.Call(method, target, "");
        rectify::fuzz::CheckResponse(r, std::string(method) + " " + target);
    }
    return 0;
}
