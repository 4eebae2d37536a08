#include "http/static_files.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <fstream>
#include <iterator>
#include <sstream>
#include <utility>

namespace rectify::http {
namespace fs = std::filesystem;
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 15> kTypes{{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".webp", "image/webp"},
    {".ico", "image/x-icon"},
    {".woff", "font/woff"},
    {".woff2", "font/woff2"},
    {".json", "application/json; charset=utf-8"},
    {".map", "application/json; charset=utf-8"},
    {".txt", "text/plain; charset=utf-8"},
    {".wasm", "application/wasm"},
}};

// True when `inner` (canonical) lies inside `root` (canonical) or is it.
bool Inside(const fs::path& inner, const fs::path& root) {
    auto r = root.begin();
    auto i = inner.begin();
    for (; r != root.end(); ++r, ++i) {
        if (i == inner.end() || *i != *r) return false;
    }
    return true;
}

Response NotFoundResponse(const std::string& path) { return ErrorResponse(NotFound("no file at " + path)); }

}  // namespace

std::string_view ContentTypeFor(std::string_view file_name) {
    auto dot = file_name.rfind('.');
    if (dot == std::string_view::npos) return "application/octet-stream";
    std::string ext(file_name.substr(dot));
    for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext == ".jpeg") return "image/jpeg";
    for (const auto& [e, type] : kTypes) {
        if (e == ext) return type;
    }
    return "application/octet-stream";
}

StaticFiles::StaticFiles(fs::path root) : root_(std::move(root)) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(fs::absolute(root_, ec), ec);
    if (!ec) root_ = canonical;
}

Response StaticFiles::Serve(const Target& target) const {
    std::vector<std::string> parts;
    for (const auto& seg : target.segments) {
        if (seg == "." || seg == "..")
            return ErrorResponse(InvalidArgument("the path must not contain . or .. segments"));
        if (seg.find_first_of(std::string_view("/\\\0", 3)) != std::string::npos) {
            return ErrorResponse(InvalidArgument("a path segment must not contain an encoded '/', '\\' or NUL"));
        }
        if (!seg.empty()) parts.push_back(seg);
    }
    const bool immutable = !parts.empty() && parts.front() == "assets" && parts.size() > 1;
    fs::path file = root_;
    for (const auto& p : parts) file /= fs::path(p);

    std::error_code ec;
    if (!parts.empty() && fs::is_regular_file(file, ec)) return File(file, immutable);

    // SPA fallback: "/" and extension-less paths (client routes) get index.html; not under /assets/.
    const bool has_extension = !parts.empty() && parts.back().find('.') != std::string::npos;
    if (!has_extension && !immutable) {
        fs::path index = root_ / "index.html";
        if (fs::is_regular_file(index, ec)) return File(index, false);
    }
    return NotFoundResponse(target.path);
}

Response StaticFiles::File(const fs::path& file, bool immutable) const {
    std::error_code ec;
    fs::path canonical = fs::canonical(file, ec);
    if (ec || !Inside(canonical, root_)) return NotFoundResponse(file.filename().string());
    std::ifstream in(canonical, std::ios::binary);
    if (!in) {
        spdlog::warn("static file {} cannot be read", canonical.string());
        return ErrorResponse(NotFound("the file cannot be read"));
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    Response r;
    r.status = 200;
    r.body = std::move(buffer).str();
    r.content_type = std::string(ContentTypeFor(canonical.filename().string()));
    r.SetHeader("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
    return r;
}

}  // namespace rectify::http
