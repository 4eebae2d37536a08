// The only translation unit with Beast and Asio (~13 s and ~0.8 GB to compile): the accept loop, one
// coroutine per connection, timeouts, the body limit, and shutdown on SIGTERM/SIGINT. Everything about
// what a request means lives in api.cpp.
//
// Concurrency: one io_context run by `threads` threads. The acceptor and the signal set share one
// strand (the control strand); each connection has its own strand, and its `idle` flag is touched only
// on it. The set of open connections is guarded by a mutex.
#include "http/server.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include "http/api.hpp"
#include "http/message.hpp"

namespace rectify::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t kHeaderLimitBytes = 16 * 1024;
constexpr std::size_t kDrainLimitBytes = 4 << 20;   // unread body discarded before closing after a 413
constexpr std::chrono::seconds kDrainTimeout{2};
// At shutdown an idle keep-alive connection stays open this long, so that a request the client sent
// right after its last response (before it could know about the shutdown) is still answered.
constexpr std::chrono::milliseconds kIdleLingerAtStop{100};

// The body limit of one request, in bytes; `upload` when it is the evidence upload route's (issue 3).
struct BodyLimit {
    std::size_t bytes = 0;
    bool upload = false;
    bool public_intake = false;  // a public filing route (issue 9): --public-max-body-bytes
};

struct Connection {
    explicit Connection(tcp::socket socket) : stream(std::move(socket)), linger(stream.get_executor()) {}
    beast::tcp_stream stream;
    asio::steady_timer linger;  // closes the connection at shutdown if it stays idle
    bool idle = true;  // waiting for the first byte of a request; only touched on the connection's strand
};

// The path of a request-target without its query, cut for the log line (never the query: it may hold
// search text). Control and non-ASCII bytes are written as %XX so a log line stays one clean line.
std::string LogPath(std::string_view target) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string_view path = target.substr(0, target.find('?'));
    if (path.size() > 200) path = path.substr(0, 200);
    std::string out;
    for (unsigned char c : path) {
        if (c < 0x21 || c >= 0x7F) {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

std::string EndpointText(const tcp::endpoint& e) {
    const auto addr = e.address();
    return (addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string()) + ":" + std::to_string(e.port());
}

class Server {
public:
    Server(service::Service& service, const ServerOptions& options)
        : options_(options),
          api_(service, ApiOptions{options.static_dir, options.secure_cookies, options.public_rate_per_minute,
                                   options.public_burst, options.public_max_body_bytes}),
          ioc_(std::max(1, options.threads)),
          control_(asio::make_strand(ioc_)),
          acceptor_(control_),
          signals_(control_, SIGINT, SIGTERM) {}

    Status Run() {
        boost::system::error_code ec;
        const auto address = asio::ip::make_address(options_.bind, ec);
        if (ec) return InvalidArgument("bind address \"" + options_.bind + "\" is not an IPv4 or IPv6 address");
        const tcp::endpoint endpoint(address, options_.port);
        const std::string where = EndpointText(endpoint);
        if (acceptor_.open(endpoint.protocol(), ec); ec) return Unavailable("cannot listen on " + where + ": " + ec.message());
        acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
        if (acceptor_.bind(endpoint, ec); ec) {
            if (ec == asio::error::address_in_use) return Unavailable(where + " is in use");
            return Unavailable("cannot bind " + where + ": " + ec.message());
        }
        if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec) {
            return Unavailable("cannot listen on " + where + ": " + ec.message());
        }
        const auto bound = acceptor_.local_endpoint(ec);
        if (ec) return Unavailable("cannot read the bound port: " + ec.message());

        signals_.async_wait([this](const boost::system::error_code& e, int signal) {
            if (e) return;
            spdlog::info("signal {} received: no new connections; finishing requests in flight (up to {} s)", signal,
                         options_.shutdown_grace.count());
            Stop();
        });
        asio::co_spawn(control_, Accept(), [](std::exception_ptr e) {
            if (e) spdlog::error("the accept loop ended with an exception");
        });

        spdlog::info("listening on {} with {} threads", EndpointText(bound), std::max(1, options_.threads));
        if (options_.on_listening) options_.on_listening(bound.port());

        std::vector<std::thread> threads;
        for (int i = 1; i < options_.threads; ++i) threads.emplace_back([this] { RunLoop(); });
        RunLoop();
        for (auto& t : threads) t.join();
        {
            std::lock_guard lock(mutex_);
            connections_.clear();
        }
        spdlog::info("stopped");
        return Status::Ok();
    }

private:
    void RunLoop() {
        for (;;) {
            try {
                ioc_.run();
                return;
            } catch (const std::exception& e) {
                spdlog::error("I/O loop: unexpected exception: {}", e.what());
            }
        }
    }

    // On the control strand.
    void Stop() {
        if (stopping_.exchange(true)) return;
        boost::system::error_code ec;
        acceptor_.close(ec);
        std::vector<std::shared_ptr<Connection>> open;
        {
            std::lock_guard lock(mutex_);
            open.assign(connections_.begin(), connections_.end());
        }
        for (auto& c : open) {
            asio::post(c->stream.get_executor(), [c] {
                if (!c->idle) return;  // busy: closes itself after its response
                // A request that arrives within the linger time is served (then the connection closes);
                // one that arrives later meets a closed connection: the usual keep-alive race, which
                // clients handle by retrying on a new connection.
                c->linger.expires_after(kIdleLingerAtStop);
                c->linger.async_wait([c](const boost::system::error_code& ec) {
                    if (ec || !c->idle) return;
                    boost::system::error_code ignored;
                    c->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
                    c->stream.socket().close(ignored);
                });
            });
        }
        asio::co_spawn(control_, Drain(), [](std::exception_ptr) {});
    }

    // Waits until every connection has closed or the grace period is over, then stops the loop.
    asio::awaitable<void> Drain() {
        const auto deadline = Clock::now() + options_.shutdown_grace;
        asio::steady_timer timer(co_await asio::this_coro::executor);
        for (;;) {
            std::size_t open = 0;
            {
                std::lock_guard lock(mutex_);
                open = connections_.size();
            }
            if (open == 0) break;
            if (Clock::now() >= deadline) {
                spdlog::warn("{} connections still open after the {} s grace period; closing them", open,
                             options_.shutdown_grace.count());
                break;
            }
            timer.expires_after(std::chrono::milliseconds(20));
            co_await timer.async_wait(kTuple);
        }
        ioc_.stop();
    }

    // On the control strand.
    asio::awaitable<void> Accept() {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(ioc_), kTuple);
            if (stopping_) co_return;
            if (ec) {
                if (ec == asio::error::operation_aborted) co_return;
                spdlog::warn("accept failed: {}", ec.message());
                if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space) {
                    asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(100));
                    co_await pause.async_wait(kTuple);
                }
                continue;
            }
            auto connection = std::make_shared<Connection>(tcp::socket(std::move(socket)));
            {
                std::lock_guard lock(mutex_);
                connections_.insert(connection);
            }
            asio::co_spawn(connection->stream.get_executor(), Session(connection),
                           [this, connection](std::exception_ptr e) {
                               if (e) spdlog::error("a connection ended with an unexpected exception");
                               std::lock_guard lock(mutex_);
                               connections_.erase(connection);
                           });
        }
    }

    // One connection: requests one after another (keep-alive) until the client closes, a timeout, an
    // unrecoverable request error, or shutdown.
    asio::awaitable<void> Session(std::shared_ptr<Connection> c) {
        beast::flat_buffer buffer;
        try {
            for (;;) {
                if (buffer.size() == 0) {
                    c->idle = true;
                    if (stopping_) {
                        // The last response still said keep-alive: wait briefly for a next request.
                        c->stream.expires_after(kIdleLingerAtStop);
                    } else {
                        c->stream.expires_after(options_.request_timeout);
                    }
                    auto [ec, n] = co_await c->stream.async_read_some(buffer.prepare(8192), kTuple);
                    if (ec) break;  // closed by the client, idle timeout, or shutdown
                    buffer.commit(n);
                }
                c->idle = false;
                const bool keep_alive = co_await ServeOne(*c, buffer);
                if (!keep_alive) break;
            }
        } catch (const std::exception& e) {
            spdlog::error("connection: unexpected exception: {}", e.what());
        }
        c->linger.cancel();
        boost::system::error_code ignored;
        c->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        c->stream.close();
    }

    // Reads one request and answers it. Returns whether the connection stays open.
    asio::awaitable<bool> ServeOne(Connection& c, beast::flat_buffer& buffer) {
        const auto start = Clock::now();
        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(kHeaderLimitBytes);
        // The evidence upload route takes larger bodies (issue 3). No body is read with the header, so the
        // limit is set once the header names the route (Beast would otherwise refuse a Content-Length over
        // the default limit while reading the header, before the route is known).
        parser.body_limit(boost::none);
        BodyLimit limit{options_.max_body_bytes, false};

        c.stream.expires_after(options_.request_timeout);
        auto [ec, n_header] = co_await bhttp::async_read_header(c.stream, buffer, parser, kTuple);
        if (!ec) {
            Request head;
            head.method = std::string(parser.get().method_string());
            head.target = std::string(parser.get().target());
            for (const auto& field : parser.get()) {
                head.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
            }
            if (auto upload = api_.UploadLimit(head)) limit = BodyLimit{*upload, true};
            if (auto pub = api_.PublicBodyLimit(head)) limit = BodyLimit{*pub, false, true};
            const auto length = parser.content_length();
            if (length && *length > limit.bytes) {
                ec = bhttp::error::body_limit;
            } else {
                parser.body_limit(limit.bytes);
            }
        }
        if (!ec && !parser.is_done()) {
            const auto expect = parser.get()[bhttp::field::expect];
            if (beast::iequals(expect, "100-continue")) {
                bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, parser.get().version()};
                auto [wec, n_continue] = co_await bhttp::async_write(c.stream, go_on, kTuple);
                if (wec) co_return false;
            }
            c.stream.expires_after(options_.request_timeout);
            auto [rec, n_body] = co_await bhttp::async_read(c.stream, buffer, parser, kTuple);
            ec = rec;
        }
        if (ec) co_return co_await ReadFailed(c, ec, parser, start, limit);

        auto& req = parser.get();
        const std::string method(req.method_string());
        const std::string path = LogPath(req.target());
        const bool head = req.method() == bhttp::verb::head;
        const bool keep_alive = req.keep_alive() && !stopping_;

        Response res;
        try {
            Request request;
            request.method = method;
            request.target = std::string(req.target());
            if (auto it = req.find(bhttp::field::if_match); it != req.end()) request.if_match = std::string(it->value());
            for (const auto& field : req) {
                request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
            }
            request.client = ClientAddress(c, request);
            if (auto it = req.find(bhttp::field::content_type); it != req.end()) {
                request.content_type = std::string(it->value());
            }
            if (auto it = req.find("Idempotency-Key"); it != req.end()) request.idempotency_key = std::string(it->value());
            request.body = std::move(req.body());
            res = api_.Handle(request);
        } catch (const std::exception& e) {
            spdlog::error("{} {}: unexpected exception: {}", method, path, e.what());
            res = ErrorResponse(Internal(e.what()));
            AddSecurityHeaders(res);
        }
        const bool written = co_await Write(c, std::move(res), req.version(), keep_alive, head, method, path, start);
        co_return written && keep_alive;
    }

    // The client's IP address: the peer's, or X-Real-IP when the proxy in front is trusted to set it.
    std::string ClientAddress(Connection& c, const Request& request) const {
        if (options_.trust_x_real_ip) {
            if (auto real = request.Header("X-Real-IP")) {
                boost::system::error_code ec;
                auto addr = asio::ip::make_address(*real, ec);
                if (!ec) return addr.to_string();
            }
        }
        boost::system::error_code ec;
        auto peer = c.stream.socket().remote_endpoint(ec);
        return ec ? std::string() : peer.address().to_string();
    }

    // Answers a request that could not be read, when an answer makes sense; never keeps the connection.
    asio::awaitable<bool> ReadFailed(Connection& c, const boost::system::error_code& ec,
                                     bhttp::request_parser<bhttp::string_body>& parser, Clock::time_point start,
                                     BodyLimit limit) {
        // The start line may have been read even when the header as a whole was not.
        const auto& partial = parser.get();
        const unsigned version = partial.version() == 10 ? 10 : 11;
        const std::string method = partial.method_string().empty() ? "-" : std::string(partial.method_string());
        const std::string path = partial.target().empty() ? "-" : LogPath(partial.target());
        Status status;
        if (ec == bhttp::error::body_limit) {
            status = limit.public_intake
                         ? PayloadTooLarge("the request body is larger than the limit of " + std::to_string(limit.bytes) +
                                           " bytes for filing an opinion (rectify --public-max-body-bytes); send a "
                                           "smaller photo")
                     : limit.upload ? PayloadTooLarge("the evidence file is larger than the limit of " +
                                                    std::to_string(limit.bytes) + " bytes (rectify --max-evidence-bytes)")
                                  : PayloadTooLarge("the request body is larger than " + std::to_string(limit.bytes) +
                                                    " bytes");
        } else if (ec == bhttp::error::header_limit) {
            status = PayloadTooLarge("the request header is larger than " + std::to_string(kHeaderLimitBytes) +
                                     " bytes");
        } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
                   ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
            status = InvalidArgument("malformed HTTP request: " + ec.message());
        } else {
            // The client went away, the read timed out, or the server is stopping: nothing to answer.
            if (ec != asio::error::eof && ec != bhttp::error::end_of_stream && ec != asio::error::operation_aborted) {
                spdlog::debug("{} {}: read ended: {}", method, path, ec.message());
            }
            co_return false;
        }
        Response res = api_.ReadErrorResponse(std::string_view(partial.target().data(), partial.target().size()), status);
        AddSecurityHeaders(res);
        res.SetHeader("X-Request-Id", NewRequestId());
        co_await Write(c, std::move(res), version, false, false, method, path, start);
        // Lingering close: read and drop what the client still sends, so that closing with unread data
        // does not reset the connection before the client has read the answer.
        boost::system::error_code ignored;
        c.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        c.stream.expires_after(kDrainTimeout);
        std::size_t drained = 0;
        std::vector<char> sink(16 * 1024);
        while (drained < kDrainLimitBytes) {
            auto [dec, n] = co_await c.stream.async_read_some(asio::buffer(sink), kTuple);
            if (dec) break;
            drained += n;
        }
        co_return false;
    }

    // Sends `res` and logs the request line. Returns false when the write failed.
    asio::awaitable<bool> Write(Connection& c, Response res, unsigned version, bool keep_alive, bool head,
                                const std::string& method, const std::string& path, Clock::time_point start) {
        bhttp::response<bhttp::string_body> out;
        out.version(version);
        out.result(static_cast<unsigned>(res.status));
        out.set(bhttp::field::server, "rectify");
        if (!res.content_type.empty()) out.set(bhttp::field::content_type, res.content_type);
        for (auto& [name, value] : res.headers) out.set(name, value);
        out.keep_alive(keep_alive);
        out.body() = std::move(res.body);
        out.prepare_payload();
        if (head) {
            const auto length = out.body().size();
            out.body().clear();
            out.content_length(length);
        }
        c.stream.expires_after(options_.request_timeout);
        auto [ec, n] = co_await bhttp::async_write(c.stream, out, kTuple);
        AccessLogEntry entry;
        entry.request_id = res.Header("X-Request-Id").value_or("-");
        entry.method = method;
        entry.route = res.log_route.empty() ? path : res.log_route;
        entry.status = res.status;
        entry.ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        entry.auth = res.log_auth;
        entry.write_failed = static_cast<bool>(ec);
        const std::string line = AccessLogJson(entry);
        if (dedicated_access_log_) {
            access_log_->info("{}", std::string_view(line).substr(1));  // its pattern opens the object
        } else {
            access_log_->info("{}", line);
        }
        co_return !ec;
    }

    const ServerOptions& options_;
    // The "access" logger when the program made one (its pattern starts the JSON object with time and
    // level: cli.cpp SetUpLogging), else the default logger with whole objects.
    bool dedicated_access_log_ = spdlog::get("access") != nullptr;
    std::shared_ptr<spdlog::logger> access_log_ = dedicated_access_log_ ? spdlog::get("access")
                                                                        : spdlog::default_logger();
    Api api_;
    asio::io_context ioc_;
    asio::strand<asio::io_context::executor_type> control_;
    tcp::acceptor acceptor_;
    asio::signal_set signals_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::set<std::shared_ptr<Connection>> connections_;  // declared after ioc_: destroyed before it
};

}  // namespace

Status Serve(service::Service& service, const ServerOptions& options) {
    try {
        Server server(service, options);
        return server.Run();
    } catch (const std::exception& e) {
        return Unavailable(std::string("the server failed: ") + e.what());
    }
}

}  // namespace rectify::http
