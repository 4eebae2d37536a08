// The workflow tables of schema 3 (issue 3) on SQLite: migration of a foundation database, tasks with
// version checks, reports and evidence, transition events, mechanisms, meetings and idempotency keys.
#include <sqlite3.h>

#include <fstream>
#include <sstream>

#include "store/store.hpp"
#include "test_db.hpp"
#include "test_util.hpp"

namespace rectify::store {
namespace {

using domain::Org;
using domain::Problem;
using domain::ProblemStatus;
using domain::Task;
using domain::TaskStatus;

class WorkflowStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        RECTIFY_SKIP_WITHOUT_BACKEND();
        ASSERT_EQ(db_.error(), "");
        auto s = Store::Open(db_.url(), OpenMode::kCreateIfMissing);
        ASSERT_OK(s);
        store_ = std::move(s).value();
        ASSERT_OK(store_->Write([](WriteTx& tx) {
            RETURN_IF_ERROR(tx.UpsertLevel({"central", "中央", "Central", 0}));
            return tx.UpsertLevel({"province", "省级", "Province", 1});
        }));
        root_ = AddOrg(std::nullopt, "全国", "central");
        a_ = AddOrg(root_.id, "河北省", "province");
        b_ = AddOrg(root_.id, "福建省", "province");
        problem_ = AddProblem(a_.id);
    }

    Org AddOrg(std::optional<domain::OrgId> parent, const std::string& name, const std::string& level) {
        Org o;
        o.parent_id = parent;
        o.name = name;
        o.level = level;
        o.created_at = 100;
        EXPECT_OK(store_->Write([&](WriteTx& tx) { return tx.InsertOrg(o); }));
        return o;
    }

    Problem AddProblem(domain::OrgId owner) {
        Problem p;
        p.title = "梅峰河黑臭";
        p.owner_org_id = owner;
        p.created_at = 1000;
        p.updated_at = 1000;
        EXPECT_OK(store_->Write([&](WriteTx& tx) { return tx.InsertProblem(p); }));
        return p;
    }

    Task NewTask() {
        Task t;
        t.problem_id = problem_.id;
        t.org_id = a_.id;
        t.created_by_org_id = a_.id;
        t.title = "清淤";
        t.description = "河道清淤 2 公里";
        t.responsible_person = "张三";
        t.lead_official = "李副市长";
        t.type = domain::TaskType::kOngoing;
        t.review_dates = {2000, 3000};
        t.weight_bp = 2500;
        t.created_at = 1500;
        t.updated_at = 1500;
        return t;
    }

    Task AddTask() {
        Task t = NewTask();
        EXPECT_OK(store_->Write([&](WriteTx& tx) { return tx.InsertTask(t); }));
        return t;
    }

    testing::TempDir dir_;
    testing::TestDatabase db_{dir_};
    std::unique_ptr<Store> store_;
    Org root_, a_, b_;
    Problem problem_;
};

std::string ReadText(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(WorkflowMigrationSqliteOnly, UpgradesAFoundationDatabaseAndKeepsItsRows) {
    RECTIFY_SQLITE_ONLY("seeds a schema-1 SQLite file; on PostgreSQL every migration runs from empty in each test");
    testing::TempDir dir;
    const std::string db_path = dir.File("old.db");
    // A database as the foundation binary left it: migration 1 only, with one problem and one opinion.
    std::string sql = ReadText(testing::SourceDir() / "src/store/schema/001_foundation.sql");
    for (std::size_t pos; (pos = sql.find("{{ID}}")) != std::string::npos;) sql.replace(pos, 6, "INTEGER PRIMARY KEY");
    for (std::size_t pos; (pos = sql.find("{{PATH_TEXT}}")) != std::string::npos;) sql.replace(pos, 13, "TEXT");
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
    std::string seed = sql +
                       ";CREATE TABLE schema_migration (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL);"
                       "INSERT INTO schema_migration VALUES (1, 0);"
                       "INSERT INTO org_level VALUES ('central', '中央', 'Central', 0);"
                       "INSERT INTO org (parent_id, name, level, kind, path, created_at) VALUES "
                       "(NULL, '全国', 'central', 'party_gov_agency', '/1/', 0);"
                       "INSERT INTO problem (title, description, source, severity, owner_org_id, status, created_at, "
                       "closed_at, updated_at) VALUES ('旧问题', '', 'public_opinion', 'normal', 1, 'closed', 10, 20, 20);"
                       "INSERT INTO opinion (channel, kind, status, received_at, title, text, org_id, problem_id) "
                       "VALUES ('web', 'complaint', 'accepted', 10, '旧意见', '', 1, 1);";
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db, seed.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_close(db);

    auto s = Store::OpenSqlite(db_path, OpenMode::kMustExist);
    ASSERT_OK(s);
    EXPECT_EQ(*(*s)->SchemaVersion(), Store::KnownSchemaVersion());
    auto p = (*s)->GetProblem(1);
    ASSERT_OK(p);
    EXPECT_EQ(p->title, "旧问题");
    EXPECT_EQ(p->round, 1);
    EXPECT_EQ(p->status_reason, std::nullopt);
    EXPECT_EQ(p->closed_at, std::optional<UnixSeconds>(20));
    auto o = (*s)->GetOpinion(1);
    ASSERT_OK(o);
    EXPECT_EQ(o->satisfaction, std::nullopt);
    EXPECT_EQ(o->problem_id, std::optional<domain::ProblemId>(1));
    EXPECT_TRUE((*s)->ListTasksOfProblem(1)->empty());
}

TEST_F(WorkflowStoreTest, StoresAndReadsEveryTaskField) {
    Task t = AddTask();
    EXPECT_GT(t.id, 0);
    EXPECT_EQ(t.version, 1);
    auto got = store_->GetTask(t.id);
    ASSERT_OK(got);
    EXPECT_EQ(got->problem_id, problem_.id);
    EXPECT_EQ(got->org_id, a_.id);
    EXPECT_EQ(got->round, 1);
    EXPECT_EQ(got->title, "清淤");
    EXPECT_EQ(got->description, "河道清淤 2 公里");
    EXPECT_EQ(got->lead_official, std::optional<std::string>("李副市长"));
    EXPECT_EQ(got->type, domain::TaskType::kOngoing);
    EXPECT_EQ(got->due_at, std::nullopt);
    EXPECT_EQ(got->review_dates, (std::vector<UnixSeconds>{2000, 3000}));
    EXPECT_EQ(got->weight_bp, std::optional<int>(2500));
    EXPECT_EQ(got->status, TaskStatus::kPending);
    EXPECT_EQ(got->progress, 0);
    EXPECT_EQ(got->returned_after_report_id, 0);
    EXPECT_EQ(got->created_at, 1500);
    EXPECT_EQ(store_->GetTask(999).status().code(), StatusCode::kNotFound);
}

TEST_F(WorkflowStoreTest, UpdateTaskChecksTheVersionAndNamesTheCurrentOne) {
    Task t = AddTask();
    Task first = t, second = t;
    first.status = TaskStatus::kInProgress;
    first.progress = 30;
    first.weight_bp.reset();
    ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.UpdateTask(first); }));
    EXPECT_EQ(first.version, 2);
    second.title = "另一个标题";
    Status stale = store_->Write([&](WriteTx& tx) { return tx.UpdateTask(second); });
    EXPECT_EQ(stale.code(), StatusCode::kAborted);
    EXPECT_EQ(stale.message(), "task " + std::to_string(t.id) +
                                   " was changed by someone else: you sent version 1, the current version is 2; "
                                   "reload and apply your change again");
    auto got = store_->GetTask(t.id);
    EXPECT_EQ(got->title, "清淤");
    EXPECT_EQ(got->status, TaskStatus::kInProgress);
    EXPECT_EQ(got->progress, 30);
    EXPECT_EQ(got->weight_bp, std::nullopt);
    EXPECT_EQ(got->version, 2);
}

TEST_F(WorkflowStoreTest, ReportsCarryTheirEvidenceAndCountAfterAnId) {
    Task t = AddTask();
    Task other = AddTask();
    domain::ProgressReport r1{0, t.id, 1600, "已清淤 1 公里", 50, "clerk", {}};
    domain::ProgressReport r2{0, t.id, 1700, "已清淤 2 公里", 100, "clerk", {}};
    domain::Evidence e1{0, t.id, std::nullopt, std::string(64, 'a'), 10, "image/png", "现场.png", "clerk", 1650};
    domain::Evidence e2{0, t.id, std::nullopt, std::string(64, 'b'), 20, "application/pdf", "验收.pdf", "clerk", 1660};
    ASSERT_OK(store_->Write([&](WriteTx& tx) {
        RETURN_IF_ERROR(tx.InsertProgressReport(r1));
        RETURN_IF_ERROR(tx.InsertEvidence(e1));
        RETURN_IF_ERROR(tx.InsertEvidence(e2));
        RETURN_IF_ERROR(tx.InsertProgressReport(r2));
        return tx.AttachEvidence(e1.id, r2.id);
    }));
    auto reports = store_->ListProgressReports(t.id);
    ASSERT_OK(reports);
    ASSERT_EQ(reports->size(), 2u);
    EXPECT_EQ((*reports)[0].text, "已清淤 1 公里");
    EXPECT_TRUE((*reports)[0].evidence_ids.empty());
    EXPECT_EQ((*reports)[1].percent, 100);
    EXPECT_EQ((*reports)[1].evidence_ids, (std::vector<domain::EvidenceId>{e1.id}));
    auto evidence = store_->ListEvidence(t.id);
    ASSERT_EQ(evidence->size(), 2u);
    EXPECT_EQ((*evidence)[0].report_id, std::optional<domain::ReportId>(r2.id));
    EXPECT_EQ((*evidence)[1].original_name, "验收.pdf");
    EXPECT_EQ((*evidence)[1].size_bytes, 20);

    ASSERT_OK(store_->Write([&](WriteTx& tx) -> Status {
        EXPECT_EQ(*tx.CountReportsAfter(t.id, 0), 2);
        EXPECT_EQ(*tx.CountReportsAfter(t.id, r1.id), 1);
        EXPECT_EQ(*tx.CountReportsAfter(t.id, r2.id), 0);
        EXPECT_EQ(*tx.CountEvidence(t.id), 2);
        EXPECT_EQ(*tx.CountEvidence(other.id), 0);
        EXPECT_EQ(*tx.LastReportId(t.id), r2.id);
        EXPECT_EQ(*tx.LastReportId(other.id), 0);
        // Twice, or onto another task's report: refused.
        EXPECT_EQ(tx.AttachEvidence(e1.id, r1.id).code(), StatusCode::kFailedPrecondition);
        domain::ProgressReport r3{0, other.id, 1800, "x", 10, "clerk", {}};
        RETURN_IF_ERROR(tx.InsertProgressReport(r3));
        EXPECT_EQ(tx.AttachEvidence(e2.id, r3.id).code(), StatusCode::kFailedPrecondition);
        return Status::Ok();
    }));
}

TEST_F(WorkflowStoreTest, WorkflowFieldsOfProblemsAndOpinionsRoundTrip) {
    Problem p = problem_;
    p.status = ProblemStatus::kRegistered;
    p.round = 3;
    p.status_reason = "反弹回潮";
    p.reopen_cause = domain::ReopenCause::kRecurrence;
    p.reopened_at = 5000;
    ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.UpdateProblem(p); }));
    auto got = store_->GetProblem(p.id);
    EXPECT_EQ(got->round, 3);
    EXPECT_EQ(got->status_reason, std::optional<std::string>("反弹回潮"));
    EXPECT_EQ(got->reopen_cause, std::optional<domain::ReopenCause>(domain::ReopenCause::kRecurrence));
    EXPECT_EQ(got->reopened_at, std::optional<UnixSeconds>(5000));

    domain::Opinion o;
    o.title = "河水发臭";
    o.org_id = a_.id;
    o.received_at = 900;
    ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.InsertOpinion(o); }));
    domain::Opinion stale = o;
    o.reply_text = "已处理";
    o.replied_at = 1200;
    o.reply_org_id = a_.id;
    o.satisfaction = domain::Satisfaction::kBasicallySatisfied;
    o.rated_at = 1300;
    o.rating_comment = "还行";
    o.status = domain::OpinionStatus::kDuplicate;
    o.duplicate_of_problem_id = p.id;
    o.status_reason = "同一问题";
    ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.UpdateOpinion(o); }));
    EXPECT_EQ(o.version, 2);
    auto read = store_->GetOpinion(o.id);
    EXPECT_EQ(read->satisfaction, std::optional<domain::Satisfaction>(domain::Satisfaction::kBasicallySatisfied));
    EXPECT_EQ(read->rated_at, std::optional<UnixSeconds>(1300));
    EXPECT_EQ(read->rating_comment, std::optional<std::string>("还行"));
    EXPECT_EQ(read->status, domain::OpinionStatus::kDuplicate);
    EXPECT_EQ(read->duplicate_of_problem_id, std::optional<domain::ProblemId>(p.id));
    EXPECT_EQ(read->status_reason, std::optional<std::string>("同一问题"));
    EXPECT_EQ(store_->Write([&](WriteTx& tx) { return tx.UpdateOpinion(stale); }).code(), StatusCode::kAborted);
}

TEST_F(WorkflowStoreTest, TransitionEventsKeepFromToAndReason) {
    Task t = AddTask();
    ASSERT_OK(store_->Write([&](WriteTx& tx) {
        Event e;
        e.at = 2000;
        e.actor = "verifier";
        e.entity = "task";
        e.entity_id = t.id;
        e.action = "return";
        e.from_state = "submitted";
        e.to_state = "returned";
        e.reason = "照片不清楚";
        return tx.AppendEvent(e);
    }));
    auto events = store_->ListEvents("task", t.id);
    ASSERT_EQ(events->size(), 1u);
    const Event& e = events->front();
    EXPECT_EQ(e.action, "return");
    EXPECT_EQ(e.from_state, std::optional<std::string>("submitted"));
    EXPECT_EQ(e.to_state, std::optional<std::string>("returned"));
    EXPECT_EQ(e.reason, std::optional<std::string>("照片不清楚"));
}

TEST_F(WorkflowStoreTest, AFailedWriteLeavesNoTaskBehind) {
    Status s = store_->Write([&](WriteTx& tx) -> Status {
        Task t = NewTask();
        RETURN_IF_ERROR(tx.InsertTask(t));
        return FailedPrecondition("changed my mind");
    });
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
    EXPECT_TRUE(store_->ListTasksOfProblem(problem_.id)->empty());
}

TEST_F(WorkflowStoreTest, MechanismsLinkProblemsAndListBySubtree) {
    domain::Mechanism m;
    m.org_id = a_.id;
    m.title = "河长巡河制度";
    m.text = "每周巡河一次";
    m.adopted_at = 3000;
    m.created_at = m.updated_at = 3000;
    domain::Mechanism elsewhere = m;
    elsewhere.org_id = b_.id;
    Problem other = AddProblem(a_.id);
    ASSERT_OK(store_->Write([&](WriteTx& tx) {
        RETURN_IF_ERROR(tx.InsertMechanism(m));
        RETURN_IF_ERROR(tx.InsertMechanism(elsewhere));
        RETURN_IF_ERROR(tx.LinkMechanismProblem(m.id, other.id, 3100));
        return tx.LinkMechanismProblem(m.id, problem_.id, 3100);
    }));
    EXPECT_EQ(store_->Write([&](WriteTx& tx) { return tx.LinkMechanismProblem(m.id, other.id, 3200); }).code(),
              StatusCode::kAlreadyExists);
    auto got = store_->GetMechanism(m.id);
    ASSERT_OK(got);
    std::vector<domain::ProblemId> ids = {problem_.id, other.id};
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(got->problem_ids, ids);

    MechanismFilter in_a;
    in_a.subtree_paths = {a_.path};
    auto listed = store_->ListMechanisms(in_a);
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ(listed->front().id, m.id);
    MechanismFilter all;
    EXPECT_EQ(store_->ListMechanisms(all)->size(), 2u);

    ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.UnlinkMechanismProblem(m.id, other.id); }));
    EXPECT_EQ(store_->Write([&](WriteTx& tx) { return tx.UnlinkMechanismProblem(m.id, other.id); }).code(),
              StatusCode::kNotFound);
    MechanismFilter of_other;
    of_other.problem_id = other.id;
    EXPECT_TRUE(store_->ListMechanisms(of_other)->empty());
    MechanismFilter of_first;
    of_first.problem_id = problem_.id;
    EXPECT_EQ(store_->ListMechanisms(of_first)->size(), 1u);

    domain::Mechanism stale = *got;
    got->title = "河长制";
    got->updated_at = 4000;
    ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.UpdateMechanism(*got); }));
    EXPECT_EQ(store_->Write([&](WriteTx& tx) { return tx.UpdateMechanism(stale); }).code(), StatusCode::kAborted);
    EXPECT_EQ(store_->GetMechanism(m.id)->title, "河长制");
}

TEST_F(WorkflowStoreTest, MeetingFindingsBecomeAProblemOnce) {
    domain::Meeting m;
    m.org_id = a_.id;
    m.kind = domain::MeetingKind::kDemocraticLife;
    m.title = "专题民主生活会";
    m.held_at = 2500;
    m.attendees = 12;
    m.created_at = 2600;
    domain::MeetingFinding f{0, 0, "调研不深入", std::nullopt, 2600};
    ASSERT_OK(store_->Write([&](WriteTx& tx) {
        RETURN_IF_ERROR(tx.InsertMeeting(m));
        f.meeting_id = m.id;
        RETURN_IF_ERROR(tx.InsertFinding(f));
        return tx.TouchMeeting(m.id, 1);
    }));
    EXPECT_EQ(store_->GetMeeting(m.id)->version, 2);
    EXPECT_EQ(store_->Write([&](WriteTx& tx) { return tx.TouchMeeting(m.id, 1); }).code(), StatusCode::kAborted);
    ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.SetFindingProblem(f.id, problem_.id); }));
    EXPECT_EQ(store_->Write([&](WriteTx& tx) { return tx.SetFindingProblem(f.id, problem_.id); }).code(),
              StatusCode::kFailedPrecondition);
    auto findings = store_->ListFindings(m.id);
    ASSERT_EQ(findings->size(), 1u);
    EXPECT_EQ(findings->front().problem_id, std::optional<domain::ProblemId>(problem_.id));
    EXPECT_EQ(findings->front().text, "调研不深入");
    MeetingFilter in_b;
    in_b.subtree_paths = {b_.path};
    EXPECT_TRUE(store_->ListMeetings(in_b)->empty());
    auto all = store_->ListMeetings(MeetingFilter{});
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ(all->front().kind, domain::MeetingKind::kDemocraticLife);
    EXPECT_EQ(all->front().attendees, 12);
}

TEST_F(WorkflowStoreTest, IdempotencyKeysAreReservedCompletedAndPurged) {
    IdempotencyRecord r;
    r.actor = "http";
    r.key = "k-1";
    r.method = "POST";
    r.path = "/api/v1/problems";
    r.request_sha256 = std::string(64, 'c');
    r.created_at = 100;
    ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.InsertIdempotencyKey(r); }));
    EXPECT_EQ(store_->Write([&](WriteTx& tx) { return tx.InsertIdempotencyKey(r); }).code(),
              StatusCode::kAlreadyExists);
    r.status = 201;
    r.content_type = "application/json";
    r.body = "{\"id\":1}";
    r.headers_json = "[[\"ETag\",\"\\\"1\\\"\"]]";
    ASSERT_OK(store_->Write([&](WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.CompleteIdempotencyKey(r));
        auto found = tx.FindIdempotencyKey("http", "k-1");
        EXPECT_TRUE(found.ok() && found->has_value());
        if (found.ok() && found->has_value()) {
            EXPECT_EQ((*found)->status, std::optional<int>(201));
            EXPECT_EQ((*found)->body, r.body);
            EXPECT_EQ((*found)->headers_json, r.headers_json);
            EXPECT_EQ((*found)->request_sha256, r.request_sha256);
        }
        EXPECT_FALSE(tx.FindIdempotencyKey("someone-else", "k-1")->has_value());
        RETURN_IF_ERROR(tx.PurgeIdempotencyKeys(100));  // created at 100: kept
        EXPECT_TRUE(tx.FindIdempotencyKey("http", "k-1")->has_value());
        RETURN_IF_ERROR(tx.PurgeIdempotencyKeys(101));
        EXPECT_FALSE(tx.FindIdempotencyKey("http", "k-1")->has_value());
        return Status::Ok();
    }));
}

}  // namespace
}  // namespace rectify::store
