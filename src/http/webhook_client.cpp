// The webhook client: each Post runs one coroutine on a private io_context (so the caller blocks, and
// Beast's per-operation timeouts apply), connects (TLS for https), writes one request with
// Connection: close and reads one answer.
#include "http/webhook_client.hpp"

#include <cctype>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>

namespace rectify::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kKeptBodyBytes = 1024;
constexpr std::uint64_t kReadBodyLimit = 64 * 1024;

// "Connection refused" -> "connection refused".
std::string Lower(std::string text) {
    if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    return text;
}

struct Exchange {
    const WebhookClientOptions& options;
    const service::WebhookUrl& url;
    const service::WebhookRequest& request;
    service::WebhookResponse out;
    std::optional<ssl::context> tls;

    std::string Failure(std::string_view stage, const boost::system::error_code& ec, std::chrono::seconds limit) {
        if (ec == beast::error::timeout) return "timeout after " + std::to_string(limit.count()) + " s";
        return std::string(stage) + ": " + Lower(ec.message());
    }

    bhttp::request<bhttp::string_body> Message() const {
        bhttp::request<bhttp::string_body> req{bhttp::verb::post, url.target, 11};
        const bool v6 = url.host.find(':') != std::string::npos;
        std::string host = v6 ? "[" + url.host + "]" : url.host;
        if (url.port != (url.tls() ? 443 : 80)) host += ":" + std::to_string(url.port);
        req.set(bhttp::field::host, host);
        req.set(bhttp::field::connection, "close");
        for (const auto& [name, value] : request.headers) req.set(name, value);
        req.body() = request.body;
        req.prepare_payload();
        return req;
    }

    template <typename Stream>
    asio::awaitable<void> Talk(Stream& stream, beast::tcp_stream& tcp_layer) {
        auto req = Message();
        tcp_layer.expires_after(options.io_timeout);
        auto [wec, written] = co_await bhttp::async_write(stream, req, kTuple);
        (void)written;
        if (wec) {
            out.error = Failure("write", wec, options.io_timeout);
            co_return;
        }
        beast::flat_buffer buffer;
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(kReadBodyLimit);
        tcp_layer.expires_after(options.io_timeout);
        auto [rec, read] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
        (void)read;
        if (rec && !(rec == bhttp::error::body_limit && parser.is_header_done())) {
            out.error = Failure("read", rec, options.io_timeout);
            co_return;
        }
        out.status = static_cast<int>(parser.get().result_int());
        const std::string& body = parser.get().body();
        out.body = body.substr(0, std::min(body.size(), kKeptBodyBytes));
    }

    asio::awaitable<void> Run() {
        auto ex = co_await asio::this_coro::executor;
        tcp::resolver resolver(ex);
        beast::tcp_stream tcp_stream(ex);
        tcp_stream.expires_after(options.connect_timeout);
        auto [rec, endpoints] = co_await resolver.async_resolve(url.host, std::to_string(url.port), kTuple);
        if (rec) {
            out.error = "resolve " + url.host + ": " + Lower(rec.message());
            co_return;
        }
        auto [cec, ep] = co_await tcp_stream.async_connect(endpoints, kTuple);
        (void)ep;
        if (cec) {
            out.error = Failure("connect", cec, options.connect_timeout);
            co_return;
        }
        if (!url.tls()) {
            co_await Talk(tcp_stream, tcp_stream);
            boost::system::error_code ignored;
            tcp_stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
            co_return;
        }
        tls.emplace(ssl::context::tls_client);
        boost::system::error_code ec;
        tls->set_default_verify_paths(ec);
        if (!options.ca_file.empty()) {
            tls->load_verify_file(options.ca_file, ec);
            if (ec) {
                out.error = "tls: cannot read the CA file " + options.ca_file + ": " + Lower(ec.message());
                co_return;
            }
        }
        tls->set_verify_mode(ssl::verify_peer);
        beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), *tls);
        boost::system::error_code addr_ec;
        asio::ip::make_address(url.host, addr_ec);
        if (addr_ec) {  // a DNS name: SNI (RFC 6066 §3 sends no IP literals)
            SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str());
        }
        stream.set_verify_callback(ssl::host_name_verification(url.host));
        beast::get_lowest_layer(stream).expires_after(options.connect_timeout);
        auto [hec] = co_await stream.async_handshake(ssl::stream_base::client, kTuple);
        if (hec) {
            out.error = Failure("tls", hec, options.connect_timeout);
            co_return;
        }
        co_await Talk(stream, beast::get_lowest_layer(stream));
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
        auto [sec] = co_await stream.async_shutdown(kTuple);
        (void)sec;  // many servers close without close_notify; the answer is complete either way
    }
};

}  // namespace

WebhookClient::WebhookClient(WebhookClientOptions options) : options_(std::move(options)) {}

service::WebhookResponse WebhookClient::Post(const service::WebhookRequest& request) {
    auto url = service::ParseWebhookUrl(request.url);
    if (!url.ok()) return service::WebhookResponse{std::nullopt, url.status().message(), ""};
    Exchange x{options_, *url, request, {}, std::nullopt};
    try {
        asio::io_context ioc;
        asio::co_spawn(ioc, x.Run(), [&x](std::exception_ptr e) {
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                x.out.status.reset();
                x.out.error = std::string("client: ") + ex.what();
            }
        });
        ioc.run();
    } catch (const std::exception& e) {
        x.out.status.reset();
        x.out.error = std::string("client: ") + e.what();
    }
    return std::move(x.out);
}

}  // namespace rectify::http
