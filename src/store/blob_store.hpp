// Content-addressed files (evidence, issue 3) outside the database: a file with SHA-256 digest d lives at
// <root>/<d[0:2]>/<d>. Writing the same content twice stores it once. Called by src/service.
// Thread-safe: writes go to a unique temporary file that is renamed into place (atomic on POSIX), so
// concurrent writers of the same content both succeed and readers never see a partial file.
#pragma once

#include <string>
#include <string_view>

#include "common/status.hpp"

namespace rectify::store {

class BlobStore {
public:
    // `root` is created on first Put when missing.
    explicit BlobStore(std::string root) : root_(std::move(root)) {}

    const std::string& root() const { return root_; }

    // Stores `content` and returns its lower-case hex SHA-256. Errors: kUnavailable when the directory
    // cannot be created or the file cannot be written (with the OS reason).
    Result<std::string> Put(std::string_view content) const;
    // Put, also telling whether this call created the file (false: the content was stored already).
    // Errors as Put.
    struct Stored {
        std::string sha256;
        bool created = false;
    };
    Result<Stored> PutReporting(std::string_view content) const;
    // Deletes the file of digest `sha256` (nothing when absent). Only for a file this process has just
    // created and no row refers to (a refused filing, Service::WithNewBlob). Errors: kInvalidArgument for a
    // malformed digest; kUnavailable when the file exists but cannot be deleted (with the OS reason).
    Status Remove(const std::string& sha256) const;
    // The content of digest `sha256`. Errors: kInvalidArgument when it is not 64 lower-case hex digits;
    // kInternal when the file is missing or unreadable (the database refers to it), with the path.
    Result<std::string> Get(const std::string& sha256) const;
    // <root>/<aa>/<sha256>
    std::string PathOf(const std::string& sha256) const;

private:
    std::string root_;
};

}  // namespace rectify::store
