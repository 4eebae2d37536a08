#include "store/blob_store.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/text.hpp"

namespace rectify::store {
namespace {

namespace fs = std::filesystem;

bool IsDigest(const std::string& s) {
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

std::string BlobStore::PathOf(const std::string& sha256) const {
    return (fs::path(root_) / sha256.substr(0, 2) / sha256).string();
}

Result<std::string> BlobStore::Put(std::string_view content) const {
    ASSIGN_OR_RETURN(Stored stored, PutReporting(content));
    return stored.sha256;
}

Status BlobStore::Remove(const std::string& sha256) const {
    if (!IsDigest(sha256)) return InvalidArgument("\"" + sha256 + "\" is not a SHA-256 digest");
    std::error_code ec;
    fs::remove(PathOf(sha256), ec);
    if (ec) return Unavailable("cannot delete file " + PathOf(sha256) + ": " + ec.message());
    return Status::Ok();
}

Result<BlobStore::Stored> BlobStore::PutReporting(std::string_view content) const {
    const std::string digest = Sha256Hex(content);
    const fs::path final_path = PathOf(digest);
    std::error_code ec;
    if (fs::exists(final_path, ec)) return Stored{digest, false};
    fs::create_directories(final_path.parent_path(), ec);
    if (ec) return Unavailable("cannot create the evidence directory " + final_path.parent_path().string() + ": " + ec.message());
    static std::atomic<std::uint64_t> counter{0};
    const fs::path tmp = final_path.string() + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(++counter);
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.flush();
        if (!out) {
            fs::remove(tmp, ec);
            return Unavailable("cannot write evidence file " + tmp.string());
        }
    }
    fs::rename(tmp, final_path, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        return Unavailable("cannot store evidence file " + final_path.string() + ": " + ec.message());
    }
    return Stored{digest, true};
}

Result<std::string> BlobStore::Get(const std::string& sha256) const {
    if (!IsDigest(sha256)) return InvalidArgument("\"" + sha256 + "\" is not a SHA-256 digest");
    const std::string path = PathOf(sha256);
    std::ifstream in(path, std::ios::binary);
    if (!in) return Internal("evidence file " + path + " is missing");
    std::ostringstream s;
    s << in.rdbuf();
    if (in.bad()) return Internal("cannot read evidence file " + path);
    return s.str();
}

}  // namespace rectify::store
