#include "http/router.hpp"

#include <algorithm>

#include "common/text.hpp"

namespace rectify::http {
namespace {

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Decodes and checks one piece of the target; `what` names it in errors ("path", "query parameter").
Result<std::string> DecodePiece(std::string_view raw, bool plus_is_space, std::string_view what) {
    ASSIGN_OR_RETURN(std::string decoded, PercentDecode(raw, plus_is_space));
    if (auto bad = FirstInvalidUtf8(decoded)) {
        return InvalidArgument("the " + std::string(what) + " is not valid UTF-8 (byte " + std::to_string(*bad) +
                               " after decoding)");
    }
    if (decoded.find('\0') != std::string::npos) {
        return InvalidArgument("the " + std::string(what) + " contains a NUL byte");
    }
    return decoded;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (true) {
        std::size_t pos = s.find(sep, start);
        if (pos == std::string_view::npos) {
            out.push_back(s.substr(start));
            return out;
        }
        out.push_back(s.substr(start, pos - start));
        start = pos + 1;
    }
}

}  // namespace

Result<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%') {
            const bool room = i + 2 < text.size();
            const int hi = room ? HexValue(text[i + 1]) : -1;
            const int lo = room ? HexValue(text[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                return InvalidArgument("malformed percent-escape at byte " + std::to_string(i) +
                                       " (expected % and two hex digits)");
            }
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

Result<Target> ParseTarget(std::string_view target) {
    if (target.empty() || target.front() != '/') {
        return InvalidArgument("the request-target must be a path starting with '/'");
    }
    Target t;
    std::string_view raw_path = target;
    std::string_view raw_query;
    if (auto q = target.find('?'); q != std::string_view::npos) {
        raw_path = target.substr(0, q);
        raw_query = target.substr(q + 1);
    }
    if (auto h = raw_query.find('#'); h != std::string_view::npos) raw_query = raw_query.substr(0, h);

    ASSIGN_OR_RETURN(t.path, DecodePiece(raw_path, false, "path"));
    if (raw_path.size() > 1) {
        for (std::string_view seg : Split(raw_path.substr(1), '/')) {
            ASSIGN_OR_RETURN(std::string s, DecodePiece(seg, false, "path"));
            t.segments.push_back(std::move(s));
        }
    }
    if (!raw_query.empty()) {
        for (std::string_view pair : Split(raw_query, '&')) {
            if (pair.empty()) continue;
            std::string_view name = pair, value;
            if (auto eq = pair.find('='); eq != std::string_view::npos) {
                name = pair.substr(0, eq);
                value = pair.substr(eq + 1);
            }
            ASSIGN_OR_RETURN(std::string n, DecodePiece(name, true, "query string"));
            ASSIGN_OR_RETURN(std::string v, DecodePiece(value, true, "query string"));
            t.query.emplace_back(std::move(n), std::move(v));
        }
    }
    return t;
}

const std::string& PathParams::Get(std::string_view name) const {
    static const std::string kEmpty;
    for (const auto& [k, v] : items_) {
        if (k == name) return v;
    }
    return kEmpty;
}

void Router::Add(std::string method, std::string_view pattern, Handler handler) {
    Route r;
    r.method = std::move(method);
    if (pattern.size() > 1) {
        for (std::string_view seg : Split(pattern.substr(1), '/')) r.pattern.emplace_back(seg);
    }
    r.handler = std::move(handler);
    routes_.push_back(std::move(r));
}

bool Router::Matches(const Route& route, const std::vector<std::string>& segments, PathParams* params) {
    if (route.pattern.size() != segments.size()) return false;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const std::string& p = route.pattern[i];
        const bool is_param = p.size() >= 2 && p.front() == '{' && p.back() == '}';
        if (is_param) {
            if (segments[i].empty()) return false;
        } else if (p != segments[i]) {
            return false;
        }
    }
    if (params) {
        for (std::size_t i = 0; i < segments.size(); ++i) {
            const std::string& p = route.pattern[i];
            if (p.size() >= 2 && p.front() == '{' && p.back() == '}')
                params->Add(p.substr(1, p.size() - 2), segments[i]);
        }
    }
    return true;
}

std::vector<std::pair<std::string, std::string>> Router::Routes() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const Route& r : routes_) {
        std::string pattern;
        for (const auto& seg : r.pattern) pattern += "/" + seg;
        out.emplace_back(r.method, pattern.empty() ? "/" : pattern);
    }
    return out;
}

Router::Match Router::Find(std::string_view method, const std::vector<std::string>& segments) const {
    Match m;
    std::vector<std::string> allowed;
    auto allow = [&](const std::string& name) {
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) allowed.push_back(name);
    };
    for (const Route& r : routes_) {
        if (!Matches(r, segments, nullptr)) continue;
        const bool method_matches = r.method == method || (method == "HEAD" && r.method == "GET");
        if (method_matches) {
            m.kind = Match::Kind::kFound;
            m.handler = &r.handler;
            Matches(r, segments, &m.params);
            return m;
        }
        allow(r.method);
        if (r.method == "GET") allow("HEAD");
    }
    if (allowed.empty()) return m;
    m.kind = Match::Kind::kMethodNotAllowed;
    for (const auto& a : allowed) {
        if (!m.allow.empty()) m.allow += ", ";
        m.allow += a;
    }
    return m;
}

}  // namespace rectify::http
