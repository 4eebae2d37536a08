// Serving the built web UI (web/dist) from a directory, with SPA fallback: a path without a file
// extension that names no file gets index.html, so client-side routes survive a reload.
// Never serves anything outside the directory: "." and ".." segments, and decoded '/', '\' or NUL
// inside a segment, are rejected; symlinks that leave the directory are not followed.
// Thread-safe (reads the file system on each request, no state after construction).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "http/message.hpp"
#include "http/router.hpp"

namespace rectify::http {

// The Content-Type of a file name by its extension (html, js, mjs, css, svg, png, jpg, webp, ico, woff,
// woff2, json, map, txt, wasm); "application/octet-stream" for anything else.
std::string_view ContentTypeFor(std::string_view file_name);

class StaticFiles {
  public:
    // `root`: the directory to serve. It need not exist yet (requests then get 404).
    explicit StaticFiles(std::filesystem::path root);

    // Answers GET/HEAD of `target` (already percent-decoded): 200 with the file and Cache-Control
    // ("public, max-age=31536000, immutable" under /assets/, "no-cache" otherwise, index.html included),
    // 400 JSON for "." / ".." segments, 404 JSON when there is no such file (and no SPA fallback).
    Response Serve(const Target& target) const;

  private:
    Response File(const std::filesystem::path& file, bool immutable) const;

    std::filesystem::path root_;
};

}  // namespace rectify::http
