// Fuzz target: the JSON request decoders of every route that takes a body, through Api::Handle (the
// same path a request from the network takes after Beast). The first input byte picks the route, the
// rest is the body. Findings: a 500, a response body that is not JSON, or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_world.hpp"

namespace {

struct Route {
    const char* method;
    const char* target;
};

constexpr Route kRoutes[] = {
    {"POST", "/api/v1/problems"},          {"PATCH", "/api/v1/problems/1"},   {"POST", "/api/v1/opinions"},
    {"POST", "/api/v1/orgs"},              {"POST", "/api/v1/users"},         {"PATCH", "/api/v1/users/2"},
    {"POST", "/api/v1/users/2/grants"},    {"POST", "/api/v1/tokens"},        {"POST", "/api/v1/session/password"},
    {"POST", "/api/v1/users/2/password"},  {"POST", "/api/v1/session"},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1 || size > 64 * 1024) return 0;
    auto& world = rectify::fuzz::TheWorld();
    const Route& route = kRoutes[data[0] % (sizeof(kRoutes) / sizeof(kRoutes[0]))];
    const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
    auto r = world.Call(route.method, route.target, body);
    rectify::fuzz::CheckResponse(r, std::string(route.method) + " " + route.target);
    return 0;
}
