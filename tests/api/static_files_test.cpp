// Serving the web UI from a directory, without sockets.
#include "http/static_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_util.hpp"

namespace rectify::http {
namespace {

namespace fs = std::filesystem;

void WriteFile(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

class ApiStaticFiles : public ::testing::Test {
  protected:
    ApiStaticFiles() : web_(dir_.path() / "web"), files_(web_) {}
    void SetUp() override {
        WriteFile(web_ / "index.html", "INDEX");
        WriteFile(web_ / "assets" / "app.js", "JS");
        WriteFile(web_ / "fonts" / "a.woff2", "FONT");
        WriteFile(dir_.path() / "secret.txt", "SECRET");
        fs::create_symlink(dir_.path() / "secret.txt", web_ / "leak.txt");
        fs::create_directories(web_ / "docs");
    }
    Response Get(const std::string& target) {
        auto t = ParseTarget(target);
        EXPECT_TRUE(t.ok()) << target;
        return files_.Serve(*t);
    }

    rectify::testing::TempDir dir_;
    fs::path web_;
    StaticFiles files_;
};

TEST_F(ApiStaticFiles, ServesIndexForTheRootAndClientRoutes) {
    for (const char* target : {"/", "/problems", "/problems/12", "/orgs/3/stats", "/docs"}) {
        Response r = Get(target);
        EXPECT_EQ(r.status, 200) << target;
        EXPECT_EQ(r.body, "INDEX") << target;
        EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
        EXPECT_EQ(r.Header("Cache-Control"), "no-cache");
    }
}

TEST_F(ApiStaticFiles, ServesAssetsAsImmutable) {
    Response js = Get("/assets/app.js");
    EXPECT_EQ(js.status, 200);
    EXPECT_EQ(js.body, "JS");
    EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(js.Header("Cache-Control"), "public, max-age=31536000, immutable");
    Response font = Get("/fonts/a.woff2");
    EXPECT_EQ(font.content_type, "font/woff2");
    EXPECT_EQ(font.Header("Cache-Control"), "no-cache");
}

TEST_F(ApiStaticFiles, AnswersNotFoundForMissingFilesAndMissingAssets) {
    EXPECT_EQ(Get("/missing.png").status, 404);
    EXPECT_EQ(Get("/assets/missing").status, 404);  // no SPA fallback under /assets/
}

TEST_F(ApiStaticFiles, RejectsDotSegmentsAndEncodedSeparators) {
    EXPECT_EQ(Get("/../secret.txt").status, 400);
    EXPECT_EQ(Get("/%2E%2E/secret.txt").status, 400);
    EXPECT_EQ(Get("/assets/./app.js").status, 400);
    EXPECT_EQ(Get("/..%2Fsecret.txt").status, 400);
    EXPECT_EQ(Get("/..%5Csecret.txt").status, 400);
}

TEST_F(ApiStaticFiles, DoesNotFollowSymlinksOutOfTheDirectory) {
    Response r = Get("/leak.txt");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.body.find("SECRET"), std::string::npos);
}

TEST(ApiContentTypes, AreChosenByExtension) {
    EXPECT_EQ(ContentTypeFor("index.html"), "text/html; charset=utf-8");
    EXPECT_EQ(ContentTypeFor("a.JS"), "text/javascript; charset=utf-8");
    EXPECT_EQ(ContentTypeFor("a.css"), "text/css; charset=utf-8");
    EXPECT_EQ(ContentTypeFor("a.svg"), "image/svg+xml");
    EXPECT_EQ(ContentTypeFor("a.png"), "image/png");
    EXPECT_EQ(ContentTypeFor("a.woff2"), "font/woff2");
    EXPECT_EQ(ContentTypeFor("a.json"), "application/json; charset=utf-8");
    EXPECT_EQ(ContentTypeFor("a.jpeg"), "image/jpeg");
    EXPECT_EQ(ContentTypeFor("Makefile"), "application/octet-stream");
    EXPECT_EQ(ContentTypeFor("a.exe"), "application/octet-stream");
}

}  // namespace
}  // namespace rectify::http
