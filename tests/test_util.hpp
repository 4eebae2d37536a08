// Helpers shared by the GoogleTest suites: status assertions and temporary directories.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>

#include "common/status.hpp"

#define ASSERT_OK(expr)                                                     \
    do {                                                                    \
        auto&& rectify_s_ = (expr);                                         \
        ASSERT_TRUE(rectify_s_.ok()) << ::rectify::detail::ToStatus(rectify_s_).ToString(); \
    } while (0)
#define EXPECT_OK(expr)                                                     \
    do {                                                                    \
        auto&& rectify_s_ = (expr);                                         \
        EXPECT_TRUE(rectify_s_.ok()) << ::rectify::detail::ToStatus(rectify_s_).ToString(); \
    } while (0)

namespace rectify::testing {

// A fresh directory under the system temp dir, removed when the object goes away.
class TempDir {
public:
    TempDir() {
        std::random_device rd;
        path_ = std::filesystem::temp_directory_path() / ("rectify-test-" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::string File(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

// The repository root (ctest runs tests there; RECTIFY_SOURCE_DIR overrides).
inline std::filesystem::path SourceDir() {
    if (const char* d = std::getenv("RECTIFY_SOURCE_DIR")) return d;
    return std::filesystem::current_path();
}

}  // namespace rectify::testing
