// A loopback HTTP receiver for webhook tests: a plain-socket server on 127.0.0.1 with an ephemeral
// port, on its own thread. It records every request (method, target, lower-case header names, body)
// and answers each with the next status of its script (the last one repeats). One request per
// connection (the client sends Connection: close). Independent of rectify's HTTP code on purpose.
// With a certificate and key (PEM files) it speaks TLS (OpenSSL directly) and records the SNI name.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace rectify::testing {

struct ReceivedRequest {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
    std::string sni;  // TLS only: the server name the client sent
    std::string Header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? "" : it->second;
    }
};

class WebhookReceiver {
public:
    explicit WebhookReceiver(std::vector<int> script = {200}, const std::string& cert_file = "",
                             const std::string& key_file = "")
        : script_(std::move(script)) {
        if (!cert_file.empty()) {
            tls_ = SSL_CTX_new(TLS_server_method());
            if (SSL_CTX_use_certificate_chain_file(tls_, cert_file.c_str()) != 1 ||
                SSL_CTX_use_PrivateKey_file(tls_, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
                throw std::runtime_error("cannot load the test certificate");
            }
        }
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd_ < 0) throw std::runtime_error("socket");
        int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("bind");
        if (::listen(fd_, 16) != 0) throw std::runtime_error("listen");
        socklen_t len = sizeof addr;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { Loop(); });
    }
    ~WebhookReceiver() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
        if (tls_) SSL_CTX_free(tls_);
    }
    // Connections whose TLS handshake failed (the client refused the certificate).
    int failed_handshakes() const { return failed_handshakes_; }
    WebhookReceiver(const WebhookReceiver&) = delete;
    WebhookReceiver& operator=(const WebhookReceiver&) = delete;

    int port() const { return port_; }
    std::string Url(const std::string& path = "/hook") const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }
    std::vector<ReceivedRequest> Requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

private:
    void Loop() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) continue;
            Serve(c);
            ::close(c);
        }
    }

    static std::string Lower(std::string s) {
        for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        return s;
    }

    void Serve(int c) {
        timeval tv{5, 0};
        ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        SSL* ssl = nullptr;
        std::string sni;
        if (tls_) {
            ssl = SSL_new(tls_);
            SSL_set_fd(ssl, c);
            if (SSL_accept(ssl) != 1) {
                ++failed_handshakes_;
                SSL_free(ssl);
                return;
            }
            if (const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) sni = name;
        }
        auto recv_some = [&](char* buf, std::size_t size) -> ssize_t {
            if (ssl) return SSL_read(ssl, buf, static_cast<int>(size));
            return ::recv(c, buf, size, 0);
        };
        Exchange(c, ssl, sni, recv_some);
        if (ssl) {
            SSL_shutdown(ssl);
            SSL_free(ssl);
        }
    }

    template <typename Recv>
    void Exchange(int c, SSL* ssl, const std::string& sni, Recv& recv_some) {
        std::string data;
        char buf[4096];
        std::size_t head_end = std::string::npos;
        while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
            ssize_t n = recv_some(buf, sizeof buf);
            if (n <= 0) return;
            data.append(buf, static_cast<std::size_t>(n));
        }
        ReceivedRequest r;
        std::size_t line_end = data.find("\r\n");
        const std::string first = data.substr(0, line_end);
        r.method = first.substr(0, first.find(' '));
        r.target = first.substr(first.find(' ') + 1, first.rfind(' ') - first.find(' ') - 1);
        std::size_t pos = line_end + 2;
        while (pos < head_end) {
            std::size_t e = data.find("\r\n", pos);
            const std::string line = data.substr(pos, e - pos);
            const std::size_t colon = line.find(':');
            std::string value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(value.begin());
            r.headers[Lower(line.substr(0, colon))] = value;
            pos = e + 2;
        }
        const std::size_t length = std::stoul(r.headers.count("content-length") ? r.headers["content-length"] : "0");
        r.body = data.substr(head_end + 4);
        r.sni = sni;
        while (r.body.size() < length) {
            ssize_t n = recv_some(buf, sizeof buf);
            if (n <= 0) return;
            r.body.append(buf, static_cast<std::size_t>(n));
        }
        int status;
        {
            std::lock_guard lock(mutex_);
            status = script_[std::min(requests_.size(), script_.size() - 1)];
            requests_.push_back(std::move(r));
        }
        const std::string answer = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: text/plain\r\n"
                                   "Content-Length: 6\r\nConnection: close\r\n\r\nstatus";
        if (ssl) {
            SSL_write(ssl, answer.data(), static_cast<int>(answer.size()));
        } else {
            ::send(c, answer.data(), answer.size(), MSG_NOSIGNAL);
        }
    }

    std::vector<int> script_;
    SSL_CTX* tls_ = nullptr;
    std::atomic<int> failed_handshakes_{0};
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::vector<ReceivedRequest> requests_;
    std::thread thread_;
};

// HMAC-SHA256 of `data` under `key` as hex, computed by the openssl command-line tool (an
// implementation independent of rectify's): `openssl dgst -sha256 -hmac KEY FILE`.
inline std::string OpensslHmacHex(const std::string& key, const std::string& data, const std::string& dir) {
    const std::string file = dir + "/hmac-input";
    {
        std::FILE* f = std::fopen(file.c_str(), "wb");
        std::fwrite(data.data(), 1, data.size(), f);
        std::fclose(f);
    }
    // The key is base64url text ("whsec_..."): no shell quoting issues inside single quotes.
    const std::string cmd = "openssl dgst -sha256 -hmac '" + key + "' '" + file + "'";
    std::FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return "";
    std::string out;
    char buf[256];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    ::pclose(p);
    // "HMAC-SHA2-256(file)= 3f0c..." (OpenSSL 3) or "HMAC-SHA256(file)= ...".
    const std::size_t eq = out.rfind("= ");
    if (eq == std::string::npos) return "";
    std::string hex = out.substr(eq + 2);
    while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r')) hex.pop_back();
    return hex;
}

}  // namespace rectify::testing
