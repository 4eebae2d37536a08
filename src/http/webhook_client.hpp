// The real WebhookTransport: a blocking HTTP/1.1 client over Boost.Beast for http:// and https:// URLs
// (TLS through OpenSSL with the system CA store, peer and host name verified, SNI sent). Used by the
// scheduler of `rectify serve` and by `rectify supervise run`; tests use it against loopback receivers.
// Thread-safe: Post may run on several threads at once (each call has its own io_context and streams).
#pragma once

#include <chrono>
#include <string>

#include "service/service.hpp"

namespace rectify::http {

struct WebhookClientOptions {
    std::chrono::seconds connect_timeout{10};  // name resolution + TCP connect + TLS handshake
    std::chrono::seconds io_timeout{10};       // writing the request and reading the whole answer
    // Extra CA certificates (PEM file) trusted besides the system store; "" = the system store only.
    std::string ca_file;
};

class WebhookClient final : public service::WebhookTransport {
public:
    explicit WebhookClient(WebhookClientOptions options = {});

    // POSTs `request`. The answer's status and the first 1,024 bytes of its body; or no status and the
    // error as text: "resolve: <reason>", "connect: connection refused", "tls: certificate verify
    // failed", "timeout after 10 s", "url: ..." (a URL ParseWebhookUrl refuses).
    service::WebhookResponse Post(const service::WebhookRequest& request) override;

private:
    WebhookClientOptions options_;
};

}  // namespace rectify::http
