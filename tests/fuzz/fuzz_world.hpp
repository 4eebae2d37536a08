// A small rectify for the fuzz targets that drive the whole API (Api::Handle): a temporary SQLite
// database with the root org, one province, a problem, a second user and an admin API token, built
// once per process. Argon2id runs with the smallest parameters libargon2 accepts (8 KiB, 1 pass) so
// that logins and password changes do not slow the fuzzer; nothing else uses such parameters.
// Not thread-safe (libFuzzer calls the target from one thread).
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "http/api.hpp"
#include "service/service.hpp"
#include "store/store.hpp"

namespace rectify::fuzz {

struct World {
    std::string dir;
    std::unique_ptr<service::Service> service;
    std::unique_ptr<http::Api> api;
    std::string token;

    ~World() {
        api.reset();
        service.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }

    // The request with the admin token.
    http::Response Call(const std::string& method, const std::string& target, const std::string& body) const {
        http::Request r{method, target, std::nullopt, body};
        r.headers = {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
        r.client = "127.0.0.1";
        return api->Handle(r);
    }
};

inline void Die(const char* what, const Status& s) {
    std::fprintf(stderr, "fuzz world: %s: %s\n", what, s.ToString().c_str());
    std::abort();
}

inline World& TheWorld() {
    static World* world = [] {
        auto* w = new World;
        char tmpl[] = "/tmp/rectify-fuzz-XXXXXX";
        if (!mkdtemp(tmpl)) std::abort();
        w->dir = tmpl;
        auto store = store::Store::OpenSqlite(w->dir + "/fuzz.db", store::OpenMode::kCreateIfMissing);
        if (!store.ok()) Die("open", store.status());
        service::AccountPolicy cheap;
        cheap.password_hash = {8, 1, 1};
        auto svc = service::Service::Create(std::move(store).value(), cheap);
        if (!svc.ok()) Die("service", svc.status());
        w->service = std::move(svc).value();
        auto root = w->service->RootActor("fuzz");
        if (Status s = w->service->Init(root, service::InitOptions{}); !s.ok()) Die("init", s);
        root = w->service->RootActor("fuzz");
        domain::Org province;
        province.parent_id = 1;
        province.name = "河北省";
        province.level = "province";
        province.division_code = "13";
        if (auto o = w->service->CreateOrg(root, province); !o.ok()) Die("org", o.status());  // id 2
        service::ProblemDraft p;
        p.title = "路灯不亮";
        p.owner_org_id = 2;
        if (auto made = w->service->CreateProblem(root, p); !made.ok()) Die("problem", made.status());  // id 1
        service::UserDraft admin{"admin", "管理员", 1, "admin password 1", {{domain::Role::kAdmin, 1}}, false};
        auto a = w->service->AddUser(root, admin);  // user 1
        if (!a.ok()) Die("admin", a.status());
        service::UserDraft clerk{"clerk", "填报员", 2, "clerk password 1", {{domain::Role::kClerk, 2}}, false};
        if (auto c = w->service->AddUser(root, clerk); !c.ok()) Die("clerk", c.status());  // user 2
        auto as_admin = w->service->UserActor(a->user.id, "fuzz");
        if (!as_admin.ok()) Die("actor", as_admin.status());
        auto token = w->service->CreateToken(*as_admin, service::TokenDraft{"fuzz", {}, std::nullopt});
        if (!token.ok()) Die("token", token.status());
        w->token = token->secret;
        w->api = std::make_unique<http::Api>(*w->service, http::ApiOptions{});
        return w;
    }();
    return *world;
}

// Aborts (a finding) when the API answered 500 or a JSON body that does not parse.
inline void CheckResponse(const http::Response& r, const std::string& what) {
    if (r.status >= 500) {
        std::fprintf(stderr, "%s: status %d: %s\n", what.c_str(), r.status, r.body.c_str());
        std::abort();
    }
    if (!r.body.empty() && r.content_type.rfind("application/json", 0) == 0 &&
        nlohmann::json::parse(r.body, nullptr, false).is_discarded()) {
        std::fprintf(stderr, "%s: a body that is not JSON: %s\n", what.c_str(), r.body.c_str());
        std::abort();
    }
}

}  // namespace rectify::fuzz
