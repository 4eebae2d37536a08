// The fixture shared by the ledger tests (ledger_test.cpp: export; ledger_import_test.cpp: import and the
// responsibility list): a SQLite service in a temporary folder, display zone Asia/Shanghai, one category
// (环境保护/环境污染/水污染) and this data —
//   org tree: 1 全国 ─ 2 福建省 ─ 3 福州市 ─ 4 鼓楼区; a second branch 5 河北省;
//   problem 1: a closed public-opinion case of 鼓楼区 with its historical dates (created 2024-03-01 09:00,
//     due 2024-03-15, closed 2024-03-10 17:30, +08:00), no task;
//   problem 2: registered, 福州市, task 1 (福州市, 张三, lead 李四, due 2030-12-31, pending).
#pragma once

#include <fstream>
#include <memory>
#include <string>

#include "service/service.hpp"
#include "test_util.hpp"

namespace rectify::service::testing_ledger {

class LedgerFixture : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_OK(SetDisplayZone("Asia/Shanghai"));  // the dates below are read in the display zone
        std::ofstream(dir_.File("cats.csv")) << "一级分类,二级分类,三级分类\n环境保护,环境污染,水污染\n";
        auto store = store::Store::OpenSqlite(dir_.File("r.db"), store::OpenMode::kCreateIfMissing);
        ASSERT_OK(store);
        auto svc = Service::Create(std::move(store).value());
        ASSERT_OK(svc);
        svc_ = std::move(svc).value();
        InitOptions init;
        init.categories_csv = dir_.File("cats.csv");
        ASSERT_OK(svc_->Init(Actor{"test", {}}, init));
        root_ = svc_->RootActor("admin");
        AddOrg(1, "福建省", "province");
        AddOrg(2, "福州市", "city");
        AddOrg(3, "鼓楼区", "county");
        AddOrg(1, "河北省", "province");
        std::ofstream(dir_.File("p.csv"))
            << "title,description,source,category,owner_org_id,created_at,due_at,status,closed_at\n"
               "河道黑臭,梅峰河水发黑,public_opinion,环境保护/环境污染/水污染,4,2024-03-01T09:00:00+08:00,"
               "2024-03-15T00:00:00+08:00,closed,2024-03-10T17:30:00+08:00\n"
               "路灯不亮,,other,,3,2024-04-01T08:00:00+08:00,,registered,\n";
        auto report = svc_->ImportProblems(root_, dir_.File("p.csv"));
        ASSERT_OK(report);
        ASSERT_TRUE(report->rejected.empty());
        TaskDraft t;
        t.org_id = 3;
        t.title = "更换路灯";
        t.responsible_person = "张三";
        t.lead_official = "李四";
        t.due_at = *ParseIso("2030-12-31T00:00:00+08:00");
        ASSERT_OK(svc_->CreateTask(root_, 2, t));
    }

    void AddOrg(domain::OrgId parent, const std::string& name, const std::string& level) {
        domain::Org o;
        o.parent_id = parent;
        o.name = name;
        o.level = level;
        ASSERT_OK(svc_->CreateOrg(root_, o));
    }

    testing::TempDir dir_;
    std::unique_ptr<Service> svc_;
    Actor root_;
};

}  // namespace rectify::service::testing_ledger
