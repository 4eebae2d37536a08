// A small blocking HTTP/1.1 client for the API tests, over Beast (only http_client.cpp includes Beast).
// Every operation times out after 15 s so a hung server fails a test instead of hanging it.
// Not thread-safe: one Connection per thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rectify::testing {

struct HttpResponse {
    int status = 0;  // 0 when no response could be read (see `error`)
    std::string body;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string error;                           // transport error text, empty on success

    // The body parsed as JSON (a discarded value when it is not JSON).
    nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
    // The header `name` (lower case), or "" when absent.
    std::string Header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// One TCP connection to 127.0.0.1:port that can carry many requests (keep-alive).
class Connection {
  public:
    explicit Connection(std::uint16_t port);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // False when the connect failed (`error()` says why).
    bool connected() const;
    const std::string& error() const;

    // Sends one request (Content-Length set from `body`; Content-Type application/json when a body is
    // given and `headers` names none) and reads the response. HEAD reads no body.
    HttpResponse Send(const std::string& method, const std::string& target, const std::string& body = "",
                      const Headers& headers = {});
    // Writes raw bytes (for partial requests); false on error.
    bool WriteRaw(const std::string& bytes);
    // Reads one response (after WriteRaw).
    HttpResponse ReadResponse(bool head = false);
    // True when the server has closed the connection: a read returns end of file within `wait_ms`.
    bool ClosedByPeer(int wait_ms);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// One request on a fresh connection.
HttpResponse Send(std::uint16_t port, const std::string& method, const std::string& target,
                  const std::string& body = "", const Headers& headers = {});

}  // namespace rectify::testing
