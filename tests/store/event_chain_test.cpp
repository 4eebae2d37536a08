// The hash chain of the event log: what AppendEvent stores, that every alteration of any stored
// field of any event is reported at that event, the append-only triggers, and the chaining of events
// stored before migration 3 (003_accounts.sql). Tampering is done with the sqlite3 C API or libpq, as an
// intruder would. Runs on SQLite and on PostgreSQL (tests/test_db.hpp).
#include <sqlite3.h>

#include <filesystem>

#include "common/text.hpp"
#include "store/store.hpp"
#include "test_db.hpp"
#include "test_util.hpp"

namespace rectify::store {
namespace {

// Runs SQL statements on the database (file or postgresql:// URL); returns the error text ("" on success).
std::string Exec(const std::string& db_path, const std::string& sql) {
    if (Store::IsPostgresUrl(db_path)) return testing::PgExec(db_path, sql);
    sqlite3* db = nullptr;
    sqlite3_open(db_path.c_str(), &db);
    char* err = nullptr;
    sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    std::string out = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    return out;
}

class EventChainTest : public ::testing::Test {
protected:
    void SetUp() override {
        RECTIFY_SKIP_WITHOUT_BACKEND();
        ASSERT_EQ(db_.error(), "");
        path_ = plain_layout_ ? testing::LibpqUrl(db_.url()) : db_.url();
        auto s = Store::Open(path_, OpenMode::kCreateIfMissing);
        ASSERT_OK(s);
        store_ = std::move(s).value();
    }

    // A workflow transition's columns of an event (002_workflow.sql).
    struct Transition {
        std::string from_state, to_state, reason;
    };

    Event Append(const std::string& entity, std::int64_t id, std::optional<std::string> before,
                 std::optional<std::string> after, std::optional<Transition> transition = std::nullopt) {
        Event e;
        if (transition) {
            e.from_state = transition->from_state;
            e.to_state = transition->to_state;
            e.reason = transition->reason;
        }
        e.at = 1'600'000'000 + id;
        e.actor = "tester";
        e.entity = entity;
        e.entity_id = id;
        e.action = before ? "update" : "create";
        e.before_json = std::move(before);
        e.after_json = std::move(after);
        EXPECT_OK(store_->Write([&](WriteTx& tx) { return tx.AppendEvent(e); }));
        return e;
    }

    void AppendFive() {
        Append("org", 7, std::nullopt, R"({"id":7,"name":"河北省"})");
        Append("task", 1, std::nullopt, R"({"id":1,"org_id":7})");
        Event transition = Append("task", 1, R"({"id":1,"org_id":7})", R"({"id":1,"org_id":7,"progress":50})",
                                  Transition{"in_progress", "submitted", "整改完成"});
        EXPECT_EQ(transition.from_state, std::optional<std::string>("in_progress"));
        Append("import_batch", 3, std::nullopt, R"({"rows":12})");
        Append("org", 9, std::nullopt, R"({"id":9,"name":"天津市"})");
    }

    // "DROP TRIGGER <name>" in the backend's syntax.
    std::string DropTrigger(const std::string& name) const {
        return "DROP TRIGGER " + name + (db_.postgres() ? " ON event" : "");
    }

    testing::TempDir dir_;
    testing::TestDatabase db_{dir_};
    std::string path_;
    bool plain_layout_ = false;  // open without rectify_layout=partitioned (EventChainMigrationTest)
    std::unique_ptr<Store> store_;
};

TEST_F(EventChainTest, EachEventHashesThePreviousHashAndItsCanonicalContent) {
    Event first = Append("org", 7, std::nullopt, R"({"id":7})");
    Event second = Append("org", 7, R"({"id":7})", R"({"id":7,"name":"x"})");
    EXPECT_EQ(first.id, 1);
    EXPECT_EQ(second.id, 2);
    EXPECT_EQ(first.prev_hash, std::string(64, '0'));
    // The content by hand: netstrings of id, at, actor, entity, entity_id, action, before, after,
    // from_state, to_state, reason (all three missing here), org_id.
    const std::string content1 = "1:1,10:1600000007,6:tester,3:org,1:7,6:create,~,8:{\"id\":7},~,~,~,1:7,";
    EXPECT_EQ(CanonicalEventContent(first), content1);
    EXPECT_EQ(first.hash, Sha256Hex(std::string(64, '0') + content1));
    EXPECT_EQ(second.prev_hash, first.hash);
    EXPECT_EQ(second.hash, Sha256Hex(first.hash + CanonicalEventContent(second)));
    auto report = store_->VerifyChain();
    ASSERT_OK(report);
    EXPECT_TRUE(report->ok()) << report->reason;
    EXPECT_EQ(report->events, 2);
    EXPECT_EQ(report->head_id, 2);
    EXPECT_EQ(report->head_hash, second.hash);
}

TEST_F(EventChainTest, DerivesTheOrgOfAnEventFromItsJsonWhenTheEntityIsUnknown) {
    AppendFive();
    auto events = store_->ListAuditEvents(AuditFilter{});
    ASSERT_OK(events);
    ASSERT_EQ(events->size(), 5u);
    EXPECT_EQ((*events)[0].org_id, std::optional<domain::OrgId>(7));  // the org itself
    EXPECT_EQ((*events)[1].org_id, std::optional<domain::OrgId>(7));  // "org_id" of the JSON after
    EXPECT_EQ((*events)[3].org_id, std::nullopt);                     // nothing to go by
    EXPECT_EQ((*events)[4].org_id, std::optional<domain::OrgId>(9));
}

TEST_F(EventChainTest, AlteringAnyStoredFieldOfAnyEventIsReportedAtThatEvent) {
    AppendFive();
    // An intruder with the file can drop the triggers; the chain still tells.
    ASSERT_EQ(Exec(path_, DropTrigger("event_append_only_update") + "; " + DropTrigger("event_append_only_delete")), "");
    struct Change {
        const char* column;
        const char* tamper;  // SQL expression of the altered value
    };
    const Change changes[] = {
        {"at", "at + 1"},
        {"actor", "actor || 'x'"},
        {"entity", "entity || 'x'"},
        {"entity_id", "entity_id + 1"},
        {"action", "action || 'x'"},
        {"before_json", "COALESCE(before_json || ' ', '{}')"},
        {"after_json", "COALESCE(after_json || ' ', '{}')"},
        // The workflow's transition columns (002_workflow.sql): set where empty, altered where set.
        {"from_state", "COALESCE(from_state || 'x', 'assigned')"},
        {"to_state", "COALESCE(to_state || 'x', 'closed')"},
        {"reason", "COALESCE(reason || 'x', '已整改')"},
        {"org_id", "COALESCE(org_id + 1, 1)"},
        {"prev_hash", "substr('f' || prev_hash, 1, 64)"},
        {"hash", "substr('f' || hash, 1, 64)"},
        {"id", "id + 1000"},
    };
    for (int id = 1; id <= 5; ++id) {
        for (const auto& c : changes) {
            const std::string col = c.column;
            // Keep the original to put it back afterwards (hex() round-trips any value, NULL included).
            ASSERT_EQ(Exec(path_, "CREATE TABLE saved AS SELECT * FROM event WHERE id = " + std::to_string(id)), "");
            ASSERT_EQ(Exec(path_, "UPDATE event SET " + col + " = " + c.tamper + " WHERE id = " + std::to_string(id)),
                      "");
            auto report = store_->VerifyChain();
            ASSERT_OK(report);
            EXPECT_EQ(report->first_broken_id, std::optional<std::int64_t>(id)) << col << " of event " << id << ": "
                                                                               << report->reason;
            const std::string where = col == "id" ? "id = " + std::to_string(id + 1000) : "id = " + std::to_string(id);
            ASSERT_EQ(Exec(path_, "DELETE FROM event WHERE " + where + "; INSERT INTO event SELECT * FROM saved; "
                                  "DROP TABLE saved"),
                      "");
            auto restored = store_->VerifyChain();
            ASSERT_OK(restored);
            ASSERT_TRUE(restored->ok()) << "after restoring " << col << " of " << id << ": " << restored->reason;
        }
    }
}

TEST_F(EventChainTest, DeletingAnEventIsReportedAtTheGap) {
    AppendFive();
    ASSERT_EQ(Exec(path_, DropTrigger("event_append_only_delete")), "");
    ASSERT_EQ(Exec(path_, "DELETE FROM event WHERE id = 2"), "");
    auto report = store_->VerifyChain();
    ASSERT_OK(report);
    EXPECT_EQ(report->first_broken_id, std::optional<std::int64_t>(2));
    EXPECT_NE(report->reason.find("missing"), std::string::npos) << report->reason;
}

TEST_F(EventChainTest, TheApplicationCannotUpdateOrDeleteEvents) {
    AppendFive();
    EXPECT_NE(Exec(path_, "UPDATE event SET actor = 'x' WHERE id = 1").find("append-only"), std::string::npos);
    EXPECT_NE(Exec(path_, "DELETE FROM event WHERE id = 1").find("append-only"), std::string::npos);
}

// Rebuilds a schema-2 database out of the current one, which a partitioned table cannot be (its partition
// key province_id cannot be dropped): always the plain layout, also in scripts/test's partitioned pass.
class EventChainMigrationTest : public EventChainTest {
protected:
    EventChainMigrationTest() { plain_layout_ = true; }
};

TEST_F(EventChainMigrationTest, MigrationThreeChainsTheEventsOfAnOlderDatabase) {
    AppendFive();
    store_.reset();
    // Turn the file back into schema 2 (foundation and workflow) as it was: no open-task indexes (issue 6's
    // 015, issue 11's 016), no province key (issue 10's 014), no cause analysis and
    // self-inspection lists (issue 12's 013, whose cadre_rank goes with app_user), no study sessions and
    // research visits (issue 12's 012), no public media URLs and
    // opinion likes (issue 9's 011 and 010), no campaigns (issue 5's 009_campaigns.sql), no routing rules
    // (008_routing.sql), no public intake (issue 9's 007_public_intake.sql), no opinion time limits
    // (schema 6), no supervision tables (schema 5),
    // no linkage tables and columns (schema 4), no accounts tables, no chain columns, no triggers.
    ASSERT_EQ(Exec(path_,
                   "DROP INDEX task_open; DROP INDEX task_open_due; DROP INDEX task_open_org; DROP INDEX task_cascade_child; DROP INDEX progress_report_task_at;"
                   "CREATE INDEX progress_report_task ON progress_report(task_id);"
                   "ALTER TABLE org DROP COLUMN province_id; ALTER TABLE problem DROP COLUMN province_id;"
                   "ALTER TABLE task DROP COLUMN province_id; ALTER TABLE opinion DROP COLUMN province_id;"
                   "DROP TABLE self_inspection_item; DROP TABLE problem_cause; DROP TABLE problem_cause_analysis;"
                   "DROP TABLE cause_category;"
                   "DROP TABLE research_visit_opinion; DROP TABLE research_visit; DROP TABLE study_session;"
                   "ALTER TABLE opinion DROP COLUMN likes;"
                   "DROP TABLE problem_special_item; DROP INDEX problem_campaign;"
                   "ALTER TABLE problem DROP COLUMN campaign_id; DROP TABLE special_item; DROP TABLE campaign_batch;"
                   "DROP TABLE campaign;"
                   "DROP TABLE opinion_routing; DROP TABLE routing_rule; DROP TABLE routing_rule_set;"
                   "DROP TABLE public_intake;"
                   "DROP INDEX opinion_unanswered; ALTER TABLE opinion DROP COLUMN responded_at;"
                   "ALTER TABLE opinion DROP COLUMN reply_due_at; ALTER TABLE opinion DROP COLUMN sla_class;"
                   "DROP TABLE supervision_team_assignment; DROP TABLE supervision_team_member;"
                   "DROP TABLE supervision_team; DROP TABLE bulletin; DROP TABLE webhook_delivery; DROP TABLE webhook; DROP TABLE notification_read;"
                   "DROP TABLE notification; DROP INDEX task_due; DROP TABLE supervision_step;"
                   "DROP TABLE problem_co_owner; DROP INDEX task_parent; ALTER TABLE task DROP COLUMN cascade_id;"
                   "ALTER TABLE task DROP COLUMN parent_task_id; DROP TABLE task_cascade; DROP TABLE escalation;" +
                   DropTrigger("event_append_only_update") + ";" + DropTrigger("event_append_only_delete") + ";" +
                   "DROP TABLE api_token_grant; DROP TABLE api_token; DROP TABLE user_session; DROP TABLE user_grant;"
                   "DROP TABLE login_attempt; DROP TABLE app_user; DROP INDEX event_org; DROP INDEX event_at;"
                   "ALTER TABLE event DROP COLUMN org_id; ALTER TABLE event DROP COLUMN prev_hash;"
                   "ALTER TABLE event DROP COLUMN hash; DELETE FROM schema_migration WHERE version >= 3"),
              "");
    auto s = Store::Open(path_, OpenMode::kMustExist);
    ASSERT_OK(s);
    store_ = std::move(s).value();
    auto report = store_->VerifyChain();
    ASSERT_OK(report);
    EXPECT_TRUE(report->ok()) << report->reason;
    EXPECT_EQ(report->events, 5);
    auto events = store_->ListAuditEvents(AuditFilter{});
    ASSERT_OK(events);
    EXPECT_EQ((*events)[1].org_id, std::optional<domain::OrgId>(7));
    EXPECT_NE(Exec(path_, "DELETE FROM event").find("append-only"), std::string::npos);
}

}  // namespace
}  // namespace rectify::store
