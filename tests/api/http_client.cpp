#include "http_client.hpp"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>

namespace rectify::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

constexpr std::chrono::seconds kTimeout{15};

std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

}  // namespace

// Async operations driven to completion with io_context::run(): tcp_stream's timer bounds each one
// (blocking Asio calls would ignore it).
struct Connection::Impl {
    asio::io_context ioc;
    beast::tcp_stream stream{ioc};
    beast::flat_buffer buffer;
    bool connected = false;
    std::string error;

    void Run() {
        ioc.restart();
        ioc.run();
    }
};

Connection::Connection(std::uint16_t port) : impl_(std::make_unique<Impl>()) {
    boost::system::error_code result;
    impl_->stream.expires_after(kTimeout);
    impl_->stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                [&](boost::system::error_code ec) { result = ec; });
    impl_->Run();
    impl_->connected = !result;
    if (result) impl_->error = "connect: " + result.message();
}

Connection::~Connection() {
    boost::system::error_code ignored;
    impl_->stream.socket().close(ignored);
}

bool Connection::connected() const { return impl_->connected; }
const std::string& Connection::error() const { return impl_->error; }

bool Connection::WriteRaw(const std::string& bytes) {
    boost::system::error_code result;
    impl_->stream.expires_after(kTimeout);
    asio::async_write(impl_->stream, asio::buffer(bytes),
                      [&](boost::system::error_code ec, std::size_t) { result = ec; });
    impl_->Run();
    if (result) impl_->error = "write: " + result.message();
    return !result;
}

HttpResponse Connection::ReadResponse(bool head) {
    HttpResponse out;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 << 20);
    if (head) parser.skip(true);
    boost::system::error_code result;
    impl_->stream.expires_after(kTimeout);
    bhttp::async_read(impl_->stream, impl_->buffer, parser,
                      [&](boost::system::error_code ec, std::size_t) { result = ec; });
    impl_->Run();
    if (result) {
        out.error = "read: " + result.message();
        return out;
    }
    auto& res = parser.get();
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    for (const auto& field : res) out.headers[Lower(std::string(field.name_string()))] = std::string(field.value());
    return out;
}

HttpResponse Connection::Send(const std::string& method, const std::string& target, const std::string& body,
                              const Headers& headers) {
    if (!impl_->connected) return HttpResponse{0, "", {}, impl_->error};
    bhttp::request<bhttp::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(bhttp::field::host, "127.0.0.1");
    bool has_type = false;
    for (const auto& [k, v] : headers) {
        req.set(k, v);
        has_type = has_type || Lower(k) == "content-type";
    }
    if (!body.empty() && !has_type) req.set(bhttp::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    if (method == "POST" || method == "PATCH" || method == "PUT") req.content_length(body.size());

    boost::system::error_code result;
    impl_->stream.expires_after(kTimeout);
    bhttp::async_write(impl_->stream, req, [&](boost::system::error_code ec, std::size_t) { result = ec; });
    impl_->Run();
    if (result) return HttpResponse{0, "", {}, "write: " + result.message()};
    return ReadResponse(method == "HEAD");
}

bool Connection::ClosedByPeer(int wait_ms) {
    char byte;
    boost::system::error_code result;
    impl_->stream.expires_after(std::chrono::milliseconds(wait_ms));
    impl_->stream.async_read_some(asio::buffer(&byte, 1),
                                  [&](boost::system::error_code ec, std::size_t) { result = ec; });
    impl_->Run();
    return result == asio::error::eof || result == asio::error::connection_reset;
}

HttpResponse Send(std::uint16_t port, const std::string& method, const std::string& target, const std::string& body,
                  const Headers& headers) {
    Connection c(port);
    return c.Send(method, target, body, headers);
}

}  // namespace rectify::testing
