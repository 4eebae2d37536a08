// The use cases of rectify: one function per user action. Called by src/http and src/cli; every call
// takes the Actor who acts and checks scope here, so no caller can forget it. Anything outside the
// actor's scope is answered kNotFound, exactly like an id that does not exist (no existence leaks).
// Thread-safe: any number of threads may call any function at once.
#pragma once

#include <array>
#include <chrono>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stop_token>
#include <string_view>
#include <unordered_map>
#include <string>
#include <thread>
#include <vector>

#include "common/crypto.hpp"
#include "common/status.hpp"
#include "domain/account.hpp"
#include "domain/campaign.hpp"
#include "domain/cause.hpp"
#include "domain/json.hpp"
#include "domain/linkage.hpp"
#include "domain/model.hpp"
#include "domain/opinion_sla.hpp"
#include "domain/public_intake.hpp"
#include "domain/routing.hpp"
#include "domain/study.hpp"
#include "domain/workflow.hpp"
#include "index/org_tree.hpp"
#include "index/rollup_index.hpp"
#include "index/side_index.hpp"
#include "index/task_index.hpp"
#include "service/ledger.hpp"
#include "store/blob_store.hpp"
#include "store/store.hpp"

namespace rectify::service {

using domain::Actor;

// One page of a list and the opaque cursor of the next page (nullopt on the last page).
template <typename T>
struct Page {
    std::vector<T> items;
    std::optional<std::string> next_cursor;
    std::optional<std::int64_t> total;  // every match, when asked for
};

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;

// Filters of GET /api/v1/problems. `org_id`: the subtree to list (default: the actor's whole scope).
// `category_id`: that category and its descendants. Created range [created_from, created_to), UTC.
struct ProblemQuery {
    std::optional<domain::OrgId> org_id;
    std::vector<domain::ProblemStatus> statuses;
    std::optional<domain::CategoryId> category_id;
    std::optional<domain::ProblemSource> source;
    std::optional<UnixSeconds> created_from;
    std::optional<UnixSeconds> created_to;
    std::optional<bool> overdue;  // see store::ProblemFilter::overdue
    std::optional<domain::CampaignId> campaign_id;        // tagged with this campaign (visible, else kNotFound)
    std::optional<domain::SpecialItemId> special_item_id;  // tagged with this special item (ditto)
    std::optional<int> batch;                 // owner org's batch (0 none, 1 first, 2 second)
    std::optional<domain::OrgKind> org_kind;  // owner org's kind
    std::optional<std::int64_t> cause_category_id;  // whose cause analysis names it (issue 12; kNotFound if none)
    // Only these problems (the rows a user selected, e.g. for the ledger); empty: no restriction. At most
    // kMaxProblemIds (else kInvalidArgument). Like every filter it narrows the scope: an id outside the
    // actor's subtree (or one that does not exist) matches nothing and is left out, never an error — the list
    // route and the ledger answer alike, and neither tells whether such a problem exists.
    std::vector<domain::ProblemId> ids;
    store::ProblemOrder order = store::ProblemOrder::kIdDesc;
    std::optional<std::string> cursor;  // with kIdDesc only
    std::int64_t offset = 0;            // rows to skip (0..kMaxOffset)
    bool with_total = false;            // also count every match
    int limit = kDefaultPageSize;  // 1..kMaxPageSize
};
inline constexpr std::int64_t kMaxOffset = 1'000'000;
inline constexpr std::size_t kMaxProblemIds = 1'000;  // ProblemQuery::ids (one page of a list is at most 500)

struct OpinionQuery {
    std::optional<domain::OrgId> org_id;
    std::vector<domain::OpinionStatus> statuses;
    std::optional<domain::OpinionChannel> channel;
    std::optional<domain::CategoryId> category_id;
    std::optional<bool> replied;
    std::optional<UnixSeconds> received_from;
    std::optional<UnixSeconds> received_to;
    std::optional<std::string> cursor;
    int limit = kDefaultPageSize;
};

// A new problem (POST /api/v1/problems). Status starts as registered; created_at is now.
struct ProblemDraft {
    std::string title;
    std::string description;
    domain::ProblemSource source = domain::ProblemSource::kOther;
    std::optional<domain::CategoryId> category_id;
    domain::Severity severity = domain::Severity::kNormal;
    domain::OrgId owner_org_id = 0;
    std::optional<UnixSeconds> due_at;
    std::vector<domain::OpinionId> opinion_ids;  // opinions this problem came from (must be in scope)
    // ---- campaigns (issue 5): see Service::CreateProblem ----
    std::optional<domain::CampaignId> campaign_id;
    std::vector<domain::SpecialItemId> special_item_ids;
};

// An edit of a problem's descriptive fields (PATCH /api/v1/problems/{id}). `version` is the version the
// editor read; a stale one is kAborted. Status changes belong to the workflow (issue 3), not here.
struct ProblemPatch {
    std::int64_t version = 0;
    std::optional<std::string> title;
    std::optional<std::string> description;
    std::optional<std::optional<domain::CategoryId>> category_id;  // set, or clear with nullopt inside
    std::optional<domain::Severity> severity;
    std::optional<std::optional<UnixSeconds>> due_at;
    // ---- campaigns (issue 5) ----
    // Set or clear (nullopt inside) the campaign; a change of campaign drops the items unless
    // special_item_ids is given too. special_item_ids replaces the items (they need a campaign).
    std::optional<std::optional<domain::CampaignId>> campaign_id;
    std::optional<std::vector<domain::SpecialItemId>> special_item_ids;
};

// A new opinion (POST /api/v1/opinions), routed to `org_id`; status received.
struct OpinionDraft {
    domain::OpinionChannel channel = domain::OpinionChannel::kOther;
    domain::OpinionKind kind = domain::OpinionKind::kOther;
    std::string title;
    std::string text;
    domain::OrgId org_id = 0;
    std::optional<std::string> division_code;
    std::optional<std::string> submitter;
    std::optional<domain::CategoryId> category_id;
    std::optional<UnixSeconds> received_at;  // default now
    // Handling-time class (办理时限); its limit from the supervision policy fixes reply_due_at.
    domain::SlaClass sla_class = domain::SlaClass::kGeneral;
};

// A problem with what it came from.
// How an actor sees a problem (issue 5, docs/LINKAGE.md#visibility). full: the owner's subtree and its
// ancestors (scope covers the owner), the orgs a problem was escalated from (accepted escalations) and
// its co-owners (同题共答);
// part: an org with a task of the problem in scope but no full access (a cascade child, a unit below
// the owner with a task) sees the problem's summary and its own tasks only; none: 404.
enum class ProblemAccess { kNone, kPart, kFull };

struct ProblemDetail {
    domain::Problem problem;
    domain::Org owner;
    std::optional<domain::Category> category;
    std::vector<domain::OpinionId> opinion_ids;
    // ---- workflow (issue 3) ----
    std::optional<double> progress;  // domain::ProblemProgress over the current round; nullopt: no task
    int task_count = 0;              // tasks of the current round that are not withdrawn
    // ---- linkage (issue 5) ----
    ProblemAccess access = ProblemAccess::kFull;   // how the actor sees it (docs/LINKAGE.md#visibility)
    std::vector<domain::Escalation> escalations;   // every escalation, oldest first (full access only)
    std::vector<domain::OrgId> co_owner_ids;       // 同题共答: the co-owner orgs (the owner is the lead)
    // ---- campaigns (issue 5) ----
    std::optional<domain::Campaign> campaign;      // the campaign it is tagged with
    std::vector<domain::SpecialItem> special_items;  // its items, by id
    // ---- root-cause analysis (issue 12) ----
    std::optional<domain::CauseAnalysis> cause_analysis;  // nullopt: not analysed yet
    std::vector<domain::CauseCategory> causes;            // the categories it names, in id order
};

// ---- workflow (issue 3) ----

// Where evidence files go and what is accepted (rectify serve --blob-dir, --max-evidence-bytes,
// --evidence-types).
struct EvidenceOptions {
    std::string blob_dir;           // var/blobs next to the database by default (the CLI decides)
    domain::EvidencePolicy policy;  // size limit (bytes) and allowed content types
};

// A new task (POST /api/v1/problems/{id}/tasks) for org `org_id`, which must lie in the subtree of the
// problem's owner org. The owner org is recorded as the creating org.
struct TaskDraft {
    domain::OrgId org_id = 0;
    std::string title;
    std::string description;
    std::string responsible_person;
    std::optional<std::string> lead_official;
    domain::TaskType type = domain::TaskType::kTimeBound;
    std::optional<UnixSeconds> due_at;
    std::vector<UnixSeconds> review_dates;
    std::optional<int> weight_bp;  // 1..10000
};

// An edit of a task's descriptive fields (PATCH /api/v1/tasks/{id}); `version` is the one read.
struct TaskPatch {
    std::int64_t version = 0;
    std::optional<std::string> title;
    std::optional<std::string> description;
    std::optional<std::string> responsible_person;
    std::optional<std::optional<std::string>> lead_official;
    std::optional<domain::TaskType> type;
    std::optional<std::optional<UnixSeconds>> due_at;
    std::optional<std::vector<UnixSeconds>> review_dates;
    std::optional<std::optional<int>> weight_bp;
};

struct ReportDraft {
    std::string text;
    int percent = 0;                             // 0..100
    std::vector<domain::EvidenceId> evidence_ids;  // files of the task uploaded before, attached to this report
};

// How an opinion is accepted: linked to an existing problem (`problem_id`), or made into a new one
// whose fields default to the opinion's (title, text as description, category, its org as owner,
// source public_opinion).
struct OpinionAcceptance {
    std::optional<domain::ProblemId> problem_id;
    std::optional<std::string> title;
    std::optional<std::string> description;
    std::optional<domain::OrgId> owner_org_id;
    std::optional<domain::CategoryId> category_id;
    std::optional<domain::Severity> severity;
    std::optional<UnixSeconds> due_at;
};

struct OpinionAccepted {
    domain::Opinion opinion;
    domain::Problem problem;
    bool created_problem = false;
};

struct MechanismDraft {
    domain::OrgId org_id = 0;
    std::string title;
    std::string text;
    std::optional<UnixSeconds> adopted_at;  // default now
    std::vector<domain::ProblemId> problem_ids;
};

struct MechanismPatch {
    std::int64_t version = 0;
    std::optional<std::string> title;
    std::optional<std::string> text;
    std::optional<UnixSeconds> adopted_at;
};

struct MeetingDraft {
    domain::OrgId org_id = 0;
    domain::MeetingKind kind = domain::MeetingKind::kOther;
    std::string title;
    UnixSeconds held_at = 0;
    int attendees = 0;
    std::string notes;
    std::vector<std::string> findings;  // texts
};

struct MeetingDetail {
    domain::Meeting meeting;
    std::vector<domain::MeetingFinding> findings;
};

// The problem made from a meeting finding; every field defaults: the title is the finding's text (cut
// to 500 characters), the owner is the meeting's org, the source is meeting.
struct FindingProblemDraft {
    std::optional<std::string> title;
    std::optional<domain::OrgId> owner_org_id;
    std::optional<domain::CategoryId> category_id;
    std::optional<domain::Severity> severity;
    std::optional<UnixSeconds> due_at;
};

// One step in the history of a problem (GET /api/v1/problems/{id}/timeline). Entries come from the
// event log of the problem, its tasks (with their reports and evidence) and its opinions; for imported
// records the historical dates they carry are added as entries too (`historical`: registered at
// created_at, closed at closed_at, received and replied for opinions), with the importing actor.
struct TimelineEntry {
    UnixSeconds at = 0;
    std::string entity;  // "problem", "task", "opinion"
    std::int64_t entity_id = 0;
    std::string action;  // "create", "start", "report", "submit", "return", "accept", "close", "reopen", ...
    std::string actor;
    std::optional<std::string> from;  // status before
    std::optional<std::string> to;    // status after
    std::optional<std::string> reason;
    nlohmann::json detail = nlohmann::json::object();  // a few fields of what changed (report text, ...)
    bool historical = false;
    std::optional<std::int64_t> event_id;
};

// A rate with the figures it comes from; rate is nullopt when the denominator is 0.
struct Rate {
    std::int64_t numerator = 0;
    std::int64_t denominator = 0;
    std::optional<double> rate;
};
// numerator / denominator, rate null when the denominator is 0.
Rate MakeRate(std::int64_t numerator, std::int64_t denominator);

struct CategoryCount {
    std::optional<domain::CategoryId> category_id;  // nullopt: uncategorised
    std::string path;                               // "" when uncategorised
    std::int64_t count = 0;
};

// Problems owned in a subtree that came up by escalation from one origin org (issue 5).
struct EscalatedFromCount {
    domain::OrgId org_id = 0;
    std::string name;
    std::int64_t problems = 0;
};

// What Stats counts: filters and the parameters of the time-dependent figures.
struct StatsQuery {
    // by_category groups at this depth (1..3). Depth 1 comes from the roll-up index; 2 and 3 are counted
    // by SQL per request (slow at province scale) and cannot be combined with the filters below.
    int category_depth = 1;
    // Only problems of this top-level (depth 1) category; with `uncategorised`, only problems without one.
    std::optional<domain::CategoryId> category_id;
    bool uncategorised = false;
    std::optional<domain::ProblemSource> source;  // only problems from this source
    // Record filters (issue 6; the index visits every problem of the subtree for them,
    // docs/PERFORMANCE.md#record-filters):
    std::optional<domain::CampaignId> campaign_id;        // tagged with this campaign (visible, else kNotFound)
    std::optional<domain::SpecialItemId> special_item_id;  // tagged with this special item (visible, else kNotFound)
    std::optional<int> batch;                             // owner org's batch: 0 none, 1 first, 2 second
    std::optional<domain::OrgKind> org_kind;              // owner org's kind
    std::optional<UnixSeconds> created_from;              // created in [created_from, created_to), UTC seconds
    std::optional<UnixSeconds> created_to;
    // Due soon = open and due within this many days (86,400 s each) from now. Calendar days until the
    // working-day calendar of issue 8 lands.
    int due_soon_days = 3;
    int weeks = 12;  // length of the weekly series, 0..520; the last week is the one containing now
    // The instant the time-dependent figures (overdue, due soon, stalled, the weekly series, this month's
    // supervision) are computed at, UTC seconds; default the current time. The HTTP API always uses the
    // current time; tests and bulletins give one.
    std::optional<UnixSeconds> at;
};

struct WeekFigures {
    UnixSeconds week_start = 0;  // Monday 00:00 in the display zone (common/time.hpp), as UTC seconds
    std::int64_t created = 0;    // problems created in the week
    std::int64_t closed = 0;     // problems closed in the week (and still closed)
};

// Figures of one org's whole subtree (GET /api/v1/orgs/{id}/stats), over the problems that pass the
// query's filters (opinions are not filtered). Counting rules: docs/API.md#figures.
struct OrgStats {
    domain::Org org;
    UnixSeconds at = 0;  // the instant overdue and due soon were computed at (UTC seconds)
    std::int64_t problems = 0;
    std::vector<std::pair<std::string, std::int64_t>> by_status;  // every status, in lifecycle order
    std::vector<std::pair<std::string, std::int64_t>> by_source;  // every source, in declaration order
    std::vector<CategoryCount> by_category;                        // largest first
    std::int64_t closed = 0;
    std::int64_t open = 0;  // registered, planned, in progress or pending verification
    Rate completion;        // closed / (problems - invalid - merged)
    std::int64_t overdue = 0;   // open and due_at < at
    std::int64_t due_soon = 0;  // open and at <= due_at < at + due_soon_days
    Rate overdue_rate;          // overdue / open
    Rate closed_on_time;        // closed at or before due_at / closed problems with a due date
    // Whole days from created_at to closed_at (floor of seconds / 86,400), over closed problems, by the
    // nearest-rank method (the smallest d with at least ceil(p * n) problems at or under d days).
    std::optional<std::int64_t> median_days_to_close;
    std::optional<std::int64_t> p90_days_to_close;
    std::vector<WeekFigures> weekly;  // oldest first
    std::int64_t opinions = 0;
    Rate opinions_replied;
    // Satisfaction rate (满意率) of the subtree's opinions: satisfied (+ basically satisfied when the
    // opinion SLA profile counts it, SupervisionPolicy::opinion_sla) / rated; the last rating of each
    // opinion; not rated ones are outside the denominator (docs/SUPERVISION.md#opinion-rates).
    Rate satisfaction;
    // Open tasks of the subtree's orgs with no activity (created, returned or a progress report) for
    // `stalled_days` calendar days (SupervisionPolicy::warnings.stalled_days): the total of the stalled
    // work queue (GET /api/v1/queues/stalled?org_id=...) at `at`. Tasks, not problems.
    std::int64_t stalled = 0;
    int stalled_days = 0;
    // ---- linkage (issue 5) ----
    // Of `problems` (each counted once, at its owner: the org that answers it), those that came up by an
    // accepted escalation, per origin org, ascending by org id.
    std::vector<EscalatedFromCount> escalated_from;
    // Participation (同题共答): problems led outside the subtree in which an org of the subtree is a
    // co-owner; not part of `problems` (counted once, for the lead).
    std::int64_t co_owned = 0;
    // 下题上答 sent up: problems raised in the subtree (escalation origin inside) answered outside it.
    // 上题下答: child tasks issued by the subtree's cascades (cascaded_down) and received from cascades
    // issued above it (cascaded_in). Rules: store::SubtreeLinkFigures, docs/LINKAGE.md#link-figures.
    std::int64_t escalated_up = 0;
    std::int64_t cascaded_down = 0;
    std::int64_t cascaded_in = 0;
    // ---- supervision (issue 8) ----
    // Supervise steps (督办) taken on tasks of the subtree's orgs this calendar month (display zone), up
    // to `at`; a task supervised twice counts twice.
    std::int64_t supervised_this_month = 0;
};

// What one import did. `rejected` lists every rejected row with its 1-based data-row number (the row
// after the header is row 1) and the reason; when any row is rejected nothing of the file is stored.
// (RowError is declared in service/ledger.hpp, which the ledger import shares.)
struct ImportReport {
    std::string kind;
    std::string file;
    std::int64_t rows_read = 0;
    std::int64_t rows_stored = 0;
    std::int64_t rows_existing = 0;  // already stored by an earlier import of the same data (natural keys)
    std::vector<RowError> rejected;
};

// Options of `rectify init`: the root org above the provinces, and the category catalogue to load.
struct InitOptions {
    std::string root_name = "全国";
    std::string root_level = "central";
    std::optional<std::string> categories_csv;  // 一级分类,二级分类,三级分类 (the 问政 taxonomy)
};

// Options of `rectify import divisions`: which parts of the china-division files to load.
// `dir` holds provinces.csv, cities.csv, areas.csv, streets.csv. Provinces are loaded whole
// (cities, counties, townships) unless `cities` names some of their cities, then only those.
struct DivisionImportOptions {
    std::string dir;
    std::vector<std::string> provinces;  // 2-digit codes, e.g. "12", "13"
    std::vector<std::string> cities;     // 4-digit codes, e.g. "3501"; their province is created too
    std::string depth = "township";      // deepest level to load: city, county or township
};

// Options of the opinion and problem imports.
struct OpinionImportOptions {
    std::string file;
    std::string format;  // "wenzheng" (问政 messages with replies) or "fz12345" (Fuzhou 12345 cases)
    // wenzheng: the org of the masked city (A市); messages naming one of its children (A3区) go there.
    std::optional<domain::OrgId> org_id;
    // fz12345: the org of 福州市, whose child districts receive the cases; and the deadline given to
    // each case, in days after receipt (the SLA; see docs/DATA.md for the choice of 15).
    int due_days = 15;
};

// ---- accounts (issue 4): types ----

// Login back-off (in memory, per process; docs/SECURITY.md#logins). Each failed login counts against
// the login name and against the client address. Past `free_*` failures, the key must wait
// base_delay * 2^(failures - free - 1) seconds after its last failure, at most max_delay. A success
// clears the name's count (not the client's: one good account must not unlock guessing others);
// a key with no failure for forget_after seconds is forgotten.
struct LoginThrottlePolicy {
    int free_failures_per_user = 5;
    int free_failures_per_client = 20;
    std::int64_t base_delay_seconds = 1;
    std::int64_t max_delay_seconds = 900;
    std::int64_t forget_after_seconds = 3600;
    std::size_t max_keys = 100000;  // memory bound: the oldest keys are dropped beyond it
};

struct AccountPolicy {
    PasswordHashParams password_hash = PasswordHashParams::Rfc9106Second();
    int max_concurrent_hashes = 2;                      // Argon2 runs at once (memory: this * m)
    std::int64_t session_idle_seconds = 2 * 3600;       // OWASP Session Management: idle timeout
    std::int64_t session_lifetime_seconds = 12 * 3600;  // absolute timeout: one working day
    std::int64_t token_default_days = 90;
    std::int64_t token_max_days = 366;
    std::int64_t login_attempt_retention_days = 90;
    // Seconds a resolved API token is reused without reading the database (detail::TokenCache). Changes
    // made through any rectify server end it at once (events); this bounds only the delay of a change made
    // by another program on the database. 0: every request reads the token.
    std::int64_t token_cache_seconds = 10;
    LoginThrottlePolicy throttle;
};

// A user to create. `password` empty: the service generates a one-time password and returns it.
struct UserDraft {
    std::string name;
    std::string display_name;
    domain::OrgId org_id = 0;
    std::string password;
    std::vector<domain::Grant> grants;
    bool must_change_password = true;  // someone else knows the password until the user changes it
};

struct CreatedUser {
    domain::User user;
    std::optional<std::string> generated_password;  // shown once, stored nowhere
};

// A successful login: the session secret (for the cookie; stored only hashed) and the session.
struct LoginResult {
    std::string session_secret;
    domain::Session session;
    domain::User user;
};

// Who a request is, once its session cookie or bearer token checked out.
struct Authenticated {
    Actor actor;
    domain::User user;
    std::optional<domain::Session> session;  // kSession: the session (its CSRF token)
    std::optional<domain::ApiToken> token;   // kToken: the token
};

// A new API token (POST /api/v1/tokens). grants empty: all of the user's grants.
struct TokenDraft {
    std::string name;
    std::vector<domain::Grant> grants;
    std::optional<std::int64_t> expires_in_days;  // default AccountPolicy::token_default_days
};

struct CreatedToken {
    domain::ApiToken token;
    std::string secret;  // "rct_" + 43 base64url characters; shown once, stored only as SHA-256
};

// GET /api/v1/audit/events: the events of the subtree of org_id (default: every subtree the actor
// audits), at in [from, to), oldest first, paged by cursor.
struct AuditQuery {
    std::optional<domain::OrgId> org_id;
    std::optional<UnixSeconds> from;
    std::optional<UnixSeconds> to;
    std::optional<std::string> cursor;
    int limit = 500;  // 1..kMaxAuditPage
};
inline constexpr int kMaxAuditPage = 5000;

namespace detail {
struct AccountState;
template <typename Key, typename Value>
class GenerationCache;
}

// ---- linkage (issue 5) ----

// POST /api/v1/problems/{id}/escalations: hand the problem to `to_org_id`, an ancestor of its owner.
struct EscalationDraft {
    domain::OrgId to_org_id = 0;
    std::string reason;
    domain::EscalationKind kind = domain::EscalationKind::kAncestor;
};

// POST /api/v1/tasks/{id}/cascade: one child task per target org below the parent task's org.
// Children take the parent's title, description, type, lead official and review dates unless
// title/description are given; `due_at` defaults to the parent's deadline and may not be later.
struct CascadeDraft {
    domain::CascadeTargets targets;
    std::string responsible_person;
    std::optional<std::string> title;
    std::optional<std::string> description;
    std::optional<UnixSeconds> due_at;
};

// POST /api/v1/problems/{id}/co-owners: `org_id` becomes a co-owner with its part, the task `task`
// (whose org_id is ignored: it is the co-owner's).
struct CoOwnerDraft {
    domain::OrgId org_id = 0;
    TaskDraft task;
};
struct CoOwnerAdded {
    domain::CoOwner co_owner;
    domain::Task task;
};

// The children of a parent task: the roll-up over all of them and one page of them (ascending id).
struct ChildTasksPage {
    domain::CascadeRollup rollup;
    std::vector<domain::Task> items;
    std::optional<std::string> next_cursor;
};

// ---- campaigns (issue 5): types; src/service/campaign.cpp, docs/LINKAGE.md#campaigns ----

// POST /api/v1/campaigns/{id}/special-items (and the items of a campaign loaded from a file).
struct SpecialItemDraft {
    std::string code;
    std::string title;
    std::optional<domain::OrgId> lead_org_id;
    std::string description;
};

// POST /api/v1/campaigns. `items` are created with it, in the same transaction (the JSON load).
struct CampaignDraft {
    std::string code;
    std::string name;
    std::string description;
    domain::OrgId owner_org_id = 0;
    std::string start_date;  // "YYYY-MM-DD"
    std::string end_date;
    std::vector<domain::CampaignBatch> batches;
    std::optional<std::string> source;
    std::vector<SpecialItemDraft> items;
};

// PATCH /api/v1/campaigns/{id}: the members given change; `batches` replaces all batches. The owner org
// does not change (a campaign of another org is another campaign).
struct CampaignPatch {
    std::optional<std::string> code;
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::optional<std::string> start_date;
    std::optional<std::string> end_date;
    std::optional<std::vector<domain::CampaignBatch>> batches;
    std::optional<std::optional<std::string>> source;
};

// PATCH /api/v1/special-items/{id}.
struct SpecialItemPatch {
    std::optional<std::string> code;
    std::optional<std::string> title;
    std::optional<std::optional<domain::OrgId>> lead_org_id;
    std::optional<std::string> description;
};

// A campaign with its owner and its items (by code).
struct CampaignDetail {
    domain::Campaign campaign;
    domain::Org owner;
    std::vector<domain::SpecialItem> items;
    bool can_manage = false;  // the actor may edit it and add items (admin over the owner org)
};

// Figures of one special item (or of a whole campaign) over one subtree: store::SpecialItemCounts and
// the rates made from them: completion = closed / (problems - invalid - merged); on_time = closed at or
// before the due date / closed with a due date (both as OrgStats).
struct ItemFigures {
    store::SpecialItemCounts counts;
    Rate completion;
    Rate on_time;
};
// GET /api/v1/orgs/{id}/stats/special-items?campaign_id=: per item of the campaign, over the problems owned
// inside the org's subtree, at `at`. A problem with two items counts under both, once each; `campaign`
// counts every tagged problem once (docs/LINKAGE.md#figures-by-item).
struct SpecialItemStats {
    domain::Org org;
    domain::Campaign campaign;
    UnixSeconds at = 0;
    std::vector<std::pair<domain::SpecialItem, ItemFigures>> items;  // every item of the campaign, by code
    ItemFigures total;              // the campaign's problems in the subtree, each once
    std::int64_t without_item = 0;  // tagged with the campaign but with no item
    // The campaign's problems by the batch of their owner org (Org::batch 0 none, 1 first, 2 second): a
    // first-batch unit's work after its batch ended is reported apart from the second batch's. For a batch
    // the campaign defines, `end` is 00:00 after its end_date (display zone) and `phase` counts the batch's
    // problems against it (store::BatchPhaseCounts; docs/LINKAGE.md#batch-ends).
    struct BatchFigures {
        int batch = 0;
        ItemFigures figures;
        std::optional<UnixSeconds> end;
        store::BatchPhaseCounts phase;
    };
    std::vector<BatchFigures> by_org_batch;
};

// ---- root-cause analysis and leaders' own lists (issue 12): types; rules in docs/CAUSES.md ----

// A cause category to add (POST /api/v1/cause-categories) or the fields to change (PUT .../{id}).
struct CauseCategoryDraft {
    std::string code;
    std::string name_zh;
    std::string name_en;
    bool higher_level = false;
    int sort_order = 0;
    bool active = true;
};
struct CauseCategoryPatch {
    std::optional<std::string> code, name_zh, name_en;
    std::optional<bool> higher_level, active;
    std::optional<int> sort_order;
};

// PUT /api/v1/problems/{id}/cause-analysis: the categories (one or more) and text; `version` the
// analysis' version read (0 or absent: none yet).
struct CauseAnalysisInput {
    std::vector<domain::CauseCategoryId> category_ids;
    std::string text;
    std::optional<std::int64_t> version;
};
// What a PUT returns: the analysis, its categories, and whether a higher-level cause suggests escalating
// the problem (下题上答) to an ancestor of its owner (`escalation_suggested`; false when one is pending or
// the problem is not open, for then the escalation cannot be asked).
struct CauseAnalysisResult {
    domain::CauseAnalysis analysis;
    std::vector<domain::CauseCategory> causes;
    bool escalation_suggested = false;
    std::vector<domain::CauseCategoryId> higher_level_ids;
};

// GET /api/v1/orgs/{id}/stats/causes: per category (every category that is active or has a problem), the
// counts over problems owned in the subtree; filters as the problem list's category_id, source, campaign_id.
struct CauseStatsQuery {
    std::optional<domain::CategoryId> category_id;
    std::optional<domain::ProblemSource> source;
    std::optional<domain::CampaignId> campaign_id;
    // As GET /orgs/{id}/stats (StatsQuery's record filters).
    std::optional<domain::SpecialItemId> special_item_id;
    std::optional<int> batch;  // 0..2
    std::optional<domain::OrgKind> org_kind;
    std::optional<UnixSeconds> created_from;
    std::optional<UnixSeconds> created_to;
};
struct CauseStats {
    domain::Org org;
    UnixSeconds at = 0;
    std::vector<std::pair<domain::CauseCategory, store::CauseCounts>> categories;
    store::CauseCounts analysed;
    store::CauseCounts without_analysis;
};

// A new self-inspection item (POST /api/v1/orgs/{id}/self-inspection-items). Personal: the actor's own,
// for the org of the actor's account; leader_name defaults to the account's display name.
struct SelfInspectionDraft {
    domain::SelfInspectionKind kind = domain::SelfInspectionKind::kPersonal;
    std::optional<std::string> leader_name;
    std::string position;
    std::string problem_text;
    std::string measures;
    std::string deadline;
    std::string note;
};
// PATCH /api/v1/self-inspection-items/{id}: status "done" needs done_on; "open" clears it.
struct SelfInspectionPatch {
    std::optional<std::string> leader_name, position, problem_text, measures, deadline, note;
    std::optional<bool> done;
    std::optional<std::string> done_on;
};
// An item with what the reader may do with it.
struct SelfInspectionView {
    domain::SelfInspectionItem item;
    std::string org_name;
    bool can_edit = false;
};
// GET /api/v1/orgs/{id}/stats/self-inspection: completion of both kinds of lists over the subtree, and per
// child org, at `today` (the display zone's date of `at`).
struct SelfInspectionStats {
    domain::Org org;
    UnixSeconds at = 0;
    std::string today;
    store::SelfInspectionFigures total;
    std::vector<std::pair<domain::Org, store::SelfInspectionFigures>> children;
};

// ---- supervision (issue 8): types ----

// The rules of supervision (rectify serve --due-soon-working-days, --stalled-days, ...). The calendar
// is the built-in official one unless replaced (rectify serve --calendar FILE).
struct SupervisionPolicy {
    domain::WarningPolicy warnings;
    domain::LadderPolicy ladder;
    domain::SlaProfile opinion_sla;  // handling-time limits of opinions and the rates' weights (--opinion-sla)
    std::shared_ptr<const domain::WorkCalendar> calendar;  // null: domain::WorkCalendar::BuiltIn()
};

// A ladder step taken by hand (POST /api/v1/tasks/{id}/supervision). supervise: feedback_due_at
// defaults to LadderPolicy::feedback_working_days working days from now, feedback_every_days to the
// policy's. interview: official and held_at are required, notes optional.
struct SupervisionDraft {
    domain::SupervisionKind kind = domain::SupervisionKind::kUrge;
    std::string reason;
    std::optional<UnixSeconds> feedback_due_at;
    std::optional<int> feedback_every_days;
    std::optional<std::string> official;
    std::optional<UnixSeconds> held_at;
    std::optional<std::string> notes;
};

// A task's supervision state (GET /api/v1/tasks/{id}/supervision): its warning now and its steps.
struct TaskSupervision {
    domain::Task task;
    domain::TaskWarning warning;
    std::vector<domain::SupervisionStep> steps;
};

// What one scheduler pass did (Service::RunLadder).
struct LadderRunReport {
    UnixSeconds at = 0;
    std::int64_t candidates = 0;  // overdue open tasks looked at
    std::int64_t urged = 0;
    std::int64_t supervised = 0;
    std::int64_t skipped = 0;  // taken meanwhile (by another server or pass), or no longer due
    std::vector<std::string> errors;  // "task 12: ..." — the pass goes on after an error
};

// The work queues (GET /api/v1/queues/{kind}).
enum class WorkQueue { kOverdue, kDueSoon, kStalled, kReturned, kToVerify, kEscalations, kOpinionsOverdue };
inline constexpr std::array<std::pair<WorkQueue, std::string_view>, 7> kWorkQueueNames{{
    {WorkQueue::kOverdue, "overdue"},
    {WorkQueue::kDueSoon, "due_soon"},
    {WorkQueue::kStalled, "stalled"},
    {WorkQueue::kReturned, "returned"},
    {WorkQueue::kToVerify, "to_verify"},
    {WorkQueue::kEscalations, "escalations"},
    {WorkQueue::kOpinionsOverdue, "opinions_overdue"},
}};
// Errors: kInvalidArgument listing the queue names.
Result<WorkQueue> ParseWorkQueue(std::string_view name);
// A ladder step as the API writes it (instants ISO-8601 in the display zone).
nlohmann::json StepToJson(const domain::SupervisionStep& step);

struct QueueQuery {
    std::optional<domain::OrgId> org_id;  // a subtree inside the scope (default: the whole scope)
    std::int64_t offset = 0;              // 0..kMaxOffset
    int limit = kDefaultPageSize;         // 1..kMaxPageSize
};

// One row of a queue with why it is there: `why` is a code ("overdue", "due_soon", "stalled",
// "returned", "submitted", "escalated", "opinion_overdue") and `why_text` a Chinese sentence ("逾期 3 个工作日").
struct QueueItem {
    std::optional<store::QueueRow> task;
    std::optional<store::EscalationQueueRow> escalation;
    std::optional<domain::Opinion> opinion;  // opinions_overdue
    std::optional<domain::TaskWarning> warning;  // tasks only
    std::string why;
    std::string why_text;
};

// POST /api/v1/teams: a supervision team (指导组 / 督导组) formed by org_id.
// Response, resolution and satisfaction rates (响应率, 解决率, 满意率) of the opinions received in
// [from, to) and routed into one org's subtree, at `at` (GET /api/v1/orgs/{id}/opinion-rates);
// definitions: domain::OpinionSlaCounts, docs/SUPERVISION.md#opinion-rates.
struct OpinionRatesRow {
    domain::Org org;
    domain::OpinionSlaCounts counts;
    Rate response;      // responded_on_time / due
    Rate resolution;    // resolved / resolvable
    Rate satisfaction;  // satisfied (+ basically satisfied, per the profile) / rated
    std::optional<double> score;  // domain::SlaScore
};
struct OpinionRates {
    UnixSeconds from = 0, to = 0, at = 0;
    std::string limits;                 // the profile's limits, "emergency=2h,utility=24h,general=7d,complex=15d"
    std::array<int, 3> weights{};       // response, resolution, satisfaction
    bool basically_satisfied_counts = true;
    OpinionRatesRow total;              // the org's whole subtree
    std::vector<OpinionRatesRow> children;  // one per child org, by org id
};

struct TeamDraft {
    domain::OrgId org_id = 0;
    std::string name;
    domain::TeamKind kind = domain::TeamKind::kGuidance;
    std::optional<std::string> campaign;
};

// POST /api/v1/bulletins: a bulletin over the children of org_id for the problems created in
// [period_from, period_to). min_sample: children with fewer problems are listed unranked (样本不足).
// campaign_id / special_item_id (issue 5, "every report can be cut by item"): only problems tagged with
// them, the opinions linked to those problems and the supervise steps on their tasks count; the leaders'
// self-inspection section is not cut (its items carry no campaign tags). Each must be visible to the
// publisher (else kNotFound naming the field).
// The words a bulletin's heading adds for its cut (BulletinDraft::campaign_id / special_item_id), from the
// stored body's "cut": "" without one, else "　专项整治：<campaign name>" and "　整治事项：<code> <title>".
std::string BulletinCutText(const nlohmann::json& body);

struct BulletinDraft {
    domain::OrgId org_id = 0;
    std::string title;
    UnixSeconds period_from = 0;
    UnixSeconds period_to = 0;
    std::int64_t min_sample = 5;
    std::optional<domain::CampaignId> campaign_id;
    std::optional<domain::SpecialItemId> special_item_id;
};

// ---- notifications and webhooks (issue 8): types; src/service/notifications.cpp ----

// The kinds of notification there are, which a webhook may subscribe to: the ladder's steps. The one
// list the service validates against (the API documents the same names).
inline constexpr std::array<std::string_view, 3> kNotificationKinds{"urge", "supervise", "interview"};

// GET /api/v1/notifications: the acting user's inbox, newest first.
struct InboxQuery {
    bool unread_only = false;
    std::optional<std::string> cursor;  // next_cursor of the previous page
    int limit = kDefaultPageSize;       // 1..kMaxPageSize
};

// POST /api/v1/webhooks. `kinds` empty: every kind (also kinds added later).
struct WebhookDraft {
    domain::OrgId org_id = 0;
    std::string url;
    std::vector<std::string> kinds;
    bool active = true;
};

// PATCH /api/v1/webhooks/{id}: the members given change.
struct WebhookPatch {
    std::optional<std::string> url;
    std::optional<std::vector<std::string>> kinds;
    std::optional<bool> active;
};

// A new webhook and its signing secret: "whsec_" + 43 base64url characters (256 random bits). The
// secret is returned here once and never by any other call.
struct CreatedWebhook {
    domain::Webhook webhook;
    std::string secret;
};

// A webhook URL taken apart: scheme "http" or "https", host (an IPv6 literal without its brackets),
// port (80 / 443 unless given) and the request-target ("/" when the URL has no path).
struct WebhookUrl {
    std::string scheme;
    std::string host;
    std::uint16_t port = 0;
    std::string target;
    bool tls() const { return scheme == "https"; }
};
// Parses an absolute http:// or https:// URL with a host and no user info or fragment, at most 2,000
// bytes of visible ASCII. Errors: kInvalidArgument saying what is wrong.
Result<WebhookUrl> ParseWebhookUrl(std::string_view url);

// Retries of webhook deliveries (rectify serve --webhook-max-attempts, --webhook-retry-base-seconds,
// --webhook-retry-cap-seconds). After failed attempt n (1-based) the next one is due
// min(cap, base * 2^(n-1)) seconds later: 30 s, 1 min, 2 min, ... 64 min, capped at 6 h. After
// max_attempts failed attempts the delivery is dead (dead letter) and never tried again.
struct WebhookPolicy {
    int max_attempts = 8;                         // 1..100
    std::int64_t retry_base_seconds = 30;         // >= 1
    std::int64_t retry_cap_seconds = 6 * 3600;    // >= retry_base_seconds
    int batch = 100;                              // deliveries read per store query
};
// The delay before the next attempt after `failed_attempts` (>= 1) failed ones, in seconds.
std::int64_t RetryDelaySeconds(const WebhookPolicy& policy, int failed_attempts);

// The signature header value of a delivery: "sha256=" + hex HMAC-SHA256(secret, "<timestamp>.<body>"),
// timestamp in decimal UTC seconds (the X-Rectify-Timestamp header). docs/SECURITY.md#webhook-signatures.
std::string WebhookSignature(std::string_view secret, UnixSeconds timestamp, std::string_view body);

// One POST of a delivery: the URL, the header fields (name, value) and the JSON body.
struct WebhookRequest {
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};
// What came back: the HTTP status, or no status and the transport error ("connect: connection
// refused", "timeout after 10 s"). `body` holds at most the first 1,024 bytes of the answer.
struct WebhookResponse {
    std::optional<int> status;
    std::string error;
    std::string body;
};

// Sends webhook requests (src/http/webhook_client.hpp is the real one; tests inject their own).
// Post blocks until the answer, an error or the transport's timeout; it never throws.
class WebhookTransport {
public:
    virtual ~WebhookTransport() = default;
    virtual WebhookResponse Post(const WebhookRequest& request) = 0;
};

// What one delivery pass did (Service::DeliverWebhooks).
struct DeliveryReport {
    UnixSeconds at = 0;
    std::int64_t attempted = 0;  // POSTs made
    std::int64_t delivered = 0;  // answered 2xx
    std::int64_t retried = 0;    // failed, another attempt scheduled
    std::int64_t dead = 0;       // failed the last allowed attempt
    std::vector<std::string> errors;  // store failures ("delivery 12: ..."); the pass stops at the first
};

// One scheduler pass: the ladder, then the webhook deliveries (which include the ladder's new ones).
struct SupervisionPassReport {
    LadderRunReport ladder;
    DeliveryReport deliveries;
    // True when another server (or thread) was running a pass (Store::RunExclusive): this one did nothing.
    bool skipped_running_elsewhere = false;
};
nlohmann::json ToJson(const LadderRunReport& report);
nlohmann::json ToJson(const DeliveryReport& report);
nlohmann::json ToJson(const SupervisionPassReport& report);
// The API forms (instants ISO-8601 in the display zone). A webhook's JSON never holds its secret.
nlohmann::json NotificationToJson(const domain::Notification& n);
nlohmann::json WebhookToJson(const domain::Webhook& w);
nlohmann::json DeliveryToJson(const domain::WebhookDelivery& d);


// ---- public intake (issue 9): the portal and Open311; src/service/public_intake.cpp ----

// Limits of public intake (docs/PUBLIC.md#abuse-limits), set by `rectify serve` flags.
struct PublicPolicy {
    // A submission with the same normalised title and text (domain::NormalisedTextHash) from the same
    // client address or the same contact within this many seconds is refused (kAlreadyExists, without
    // naming the earlier one). 0 turns the check off. `--public-duplicate-minutes` (default 10).
    std::int64_t duplicate_window_seconds = 600;
};

// Length limits of public submissions, in characters (code points).
inline constexpr std::size_t kPublicTitleMinChars = 2;
inline constexpr std::size_t kPublicTitleMaxChars = 100;
inline constexpr std::size_t kPublicTextMinChars = 5;
inline constexpr std::size_t kPublicTextMaxChars = 5000;
inline constexpr std::size_t kPublicContactNameMaxChars = 50;
inline constexpr std::size_t kPublicAddressMaxChars = 200;
inline constexpr std::size_t kPublicCommentMaxChars = 500;
inline constexpr std::size_t kPublicMediaUrlMaxBytes = 2048;  // Open311 media_url (common browser URL limit)

// One submission from the public, through the portal or Open311.
struct PublicSubmission {
    std::string via = "portal";                  // "portal" or "open311"
    std::optional<domain::CategoryId> category_id;  // from the catalogue; required on the portal
    domain::OpinionKind kind = domain::OpinionKind::kOther;
    std::optional<std::string> division_code;   // location as a division (2, 4, 6, 9 or 12 digits)
    std::optional<std::string> address;         // free address (Open311 address_string)
    std::optional<std::string> latitude;        // WGS 84 decimal degrees, -90..90 (Open311 lat)
    std::optional<std::string> longitude;       // -180..180 (Open311 long)
    std::string title;
    std::string text;
    std::optional<std::string> contact_name;
    std::optional<std::string> contact_phone;
    std::optional<std::string> contact_email;
    struct Photo {
        std::string content_type;  // an image type among the evidence types
        std::string name;          // file name as sent ("photo.jpg" when none)
        std::string bytes;
    };
    std::optional<Photo> photo;
    std::string client;  // the client's IP address ("" unknown): duplicate check only, stored hashed
    std::optional<std::string> service_code;   // Open311
    // Open311 media_url: the URL of a picture the client hosts; http:// or https://, at most
    // kPublicMediaUrlMaxBytes, no spaces or control characters (400 "media_url: ..." otherwise).
    std::optional<std::string> media_url;
    // Open311: the account of the api_key; it must hold clerk over the org the request is routed to.
    const domain::Actor* account = nullptr;
};

// What the public sees of an opinion filed by the public (tracking, Open311): no contact, no staff
// names, no internal notes; free text masked by domain::MaskPersonalDetails.
struct PublicView {
    std::string tracking_code;  // display form ABCD-EFGH-JKMN
    domain::OpinionId opinion_id = 0;
    // received | in_progress | answered | closed | declined | duplicate (docs/PUBLIC.md#statuses)
    std::string status;
    bool open = true;  // Open311 status: open (received, in_progress) or closed (the others)
    std::string title;
    std::string text;
    std::optional<domain::CategoryId> category_id;
    std::optional<std::string> category_name;
    std::optional<std::string> service_code;
    std::optional<std::string> division_code;
    std::optional<std::string> address;
    std::optional<std::string> latitude;
    std::optional<std::string> longitude;
    domain::OrgId org_id = 0;
    std::string org_name;  // the unit it was routed to
    UnixSeconds received_at = 0;
    UnixSeconds updated_at = 0;  // the latest of received, replied, rated, the problem's closed_at
    UnixSeconds reply_due_at = 0;  // the reply deadline (办理时限, docs/WORKFLOW.md): Open311 expected_datetime
    // The US ZIP code ending a US-style address ("..., MD, 21215"; domain::TrailingUsZipCode), else nullopt.
    std::optional<std::string> zipcode;
    std::optional<std::string> reply_text;
    std::optional<UnixSeconds> replied_at;
    std::optional<std::string> reply_org_name;
    std::optional<UnixSeconds> closed_at;
    std::optional<domain::Satisfaction> satisfaction;
    std::optional<UnixSeconds> rated_at;
    bool can_rate = false;  // a reply that has not been rated
    bool has_photo = false;
    // Open311 media_url: the URL its Open311 client posted, else nullopt. A photo filed through the portal
    // gets no public URL (docs/PUBLIC.md#photos).
    std::optional<std::string> media_url;
};

// The public notice board (整改公示) of an org's subtree: closed problems and adopted mechanisms, masked.
// An opinion (意见建议) a closed problem answers: one whose problem_id is the problem (accepted into it or
// linked to it), from any channel but kMeeting (a 民主生活会 / 组织生活会 finding is internal). Title and text
// masked (domain::MaskPersonalDetails); never the submitter, contact details, tracking code or reply.
struct NoticeOpinion {
    std::string title;
    std::string text;
    domain::OpinionChannel channel = domain::OpinionChannel::kOther;
    UnixSeconds received_at = 0;  // UTC seconds
};
inline constexpr std::size_t kNoticeOpinionsShown = 5;  // per problem; opinion_count gives them all
struct NoticeProblem {
    domain::ProblemId id = 0;
    std::string title;
    std::string description;
    std::optional<std::string> category_name;
    std::string org_name;
    UnixSeconds created_at = 0;
    UnixSeconds closed_at = 0;
    std::vector<NoticeOpinion> opinions;  // the first kNoticeOpinionsShown by id (oldest first)
    std::int64_t opinion_count = 0;       // every public opinion it answers
};
struct NoticeMechanism {
    domain::MechanismId id = 0;
    std::string title;
    std::string text;
    std::string org_name;
    UnixSeconds adopted_at = 0;
};
struct NoticeBoard {
    domain::Org org;
    Page<NoticeProblem> problems;
    Page<NoticeMechanism> mechanisms;
};

nlohmann::json ToJson(const PublicView& view);
nlohmann::json ToJson(const NoticeBoard& board);
// ---- text mining (issue 9, docs/TEXT.md; src/service/text_mining.cpp) ----

// A suggested category: a top-level category of the catalogue with the classifier's posterior.
struct CategorySuggestion {
    domain::CategoryId category_id = 0;
    std::string name;
    double score = 0;  // 0..1; the scores of all classes the model knows sum to 1
};

// A possible duplicate of an opinion: an open problem or an unhandled opinion in the actor's scope.
struct DuplicateSuggestion {
    std::string kind;  // "opinion" or "problem"
    std::int64_t id = 0;
    std::string title;
    double similarity = 0;  // Jaccard of the character 3-gram shingles of title + text, 0..1
    domain::OrgId org_id = 0;
    std::string status;
    UnixSeconds at = 0;  // received_at (opinion) or created_at (problem)
};

struct OpinionSuggestions {
    domain::OpinionId opinion_id = 0;
    std::vector<CategorySuggestion> categories;   // best first, at most 3
    std::vector<DuplicateSuggestion> duplicates;  // most similar first, at most kMaxDuplicateSuggestions
    std::int64_t compared = 0;                    // candidates compared
    double threshold = 0;                         // the similarity a duplicate needed
};
inline constexpr double kDuplicateThreshold = 0.15;           // docs/PERFORMANCE.md#text-mining
inline constexpr std::size_t kMaxDuplicateSuggestions = 10;
inline constexpr int kDuplicateCandidateLimit = 2000;          // newest opinions / problems compared, each
inline constexpr UnixSeconds kDuplicateWindowSeconds = 180 * 86400;  // opinions received this close

struct HotIssueQuery {
    std::optional<UnixSeconds> from;  // inclusive; default to - 90 days
    std::optional<UnixSeconds> to;    // exclusive; default now
    int limit = 10;                   // 1..100 clusters
};

struct HotIssue {
    std::int64_t size = 0;    // opinions
    std::int64_t people = 0;  // distinct submitters (unknown ones each count)
    std::int64_t likes = 0;   // the members' likes (点赞数), summed
    double heat = 0;          // the rank, text::HotCluster::heat, with ages counted to the window's end
    UnixSeconds first_at = 0;
    UnixSeconds last_at = 0;
    domain::OpinionId representative_id = 0;
    std::string title;  // the representative's
    std::vector<domain::OrgId> org_ids;  // distinct orgs of the members
    std::vector<domain::OpinionId> opinion_ids;  // oldest first
};

struct HotIssues {
    domain::OrgId org_id = 0;
    UnixSeconds from = 0;
    UnixSeconds to = 0;
    std::int64_t opinions = 0;  // opinions clustered
    bool truncated = false;     // more than kHotIssueOpinionLimit opinions: only the newest were clustered
    std::vector<HotIssue> items;
};
inline constexpr int kHotIssueOpinionLimit = 20000;
// How long a hot-issue answer is reused (docs/TEXT.md#hot-issue-cache): at most this many seconds, and only
// while no opinion or org has changed through this process.
inline constexpr std::int64_t kHotIssueCacheSeconds = 60;
inline constexpr std::size_t kHotIssueCacheEntries = 1000;

// ---- study and research (issue 12, docs/STUDY.md) ----

// A new study session (POST /api/v1/orgs/{id}/study-sessions). With a non-empty attendance list the
// counts are derived from it (expected = names, present = names marked present); expected / present sent
// as well must agree. Without one, expected and present are required.
struct StudySessionDraft {
    domain::OrgId org_id = 0;
    std::string held_on;  // "YYYY-MM-DD"
    std::string topic;
    domain::StudyForm form = domain::StudyForm::kCollectiveStudy;
    std::string materials;
    std::int64_t hours_x100 = 0;  // hundredths of an hour (domain::HoursToHundredths)
    std::optional<std::int64_t> expected;
    std::optional<std::int64_t> present;
    std::vector<domain::AttendanceEntry> attendance;
    std::string notes;
};
// A change of a session (PATCH); absent fields keep their value. attendance replaces the roster (an empty
// list drops it; the counts stay unless sent). While a roster is kept the counts follow it.
struct StudySessionPatch {
    std::optional<std::string> held_on;
    std::optional<std::string> topic;
    std::optional<domain::StudyForm> form;
    std::optional<std::string> materials;
    std::optional<std::int64_t> hours_x100;
    std::optional<std::int64_t> expected;
    std::optional<std::int64_t> present;
    std::optional<std::vector<domain::AttendanceEntry>> attendance;
    std::optional<std::string> notes;
};

// One opinion heard on a research visit, registered as an opinion of channel research_visit routed to
// `org_id` (default: the visit's org). title defaults to the first 40 characters of text.
struct VisitOpinionDraft {
    std::string text;
    std::optional<std::string> title;
    domain::OpinionKind kind = domain::OpinionKind::kOther;
    std::optional<domain::OrgId> org_id;
    std::optional<domain::CategoryId> category_id;
    std::optional<std::string> submitter;  // a pseudonym of the person heard, never contact details
    std::optional<std::string> division_code;
    domain::SlaClass sla_class = domain::SlaClass::kGeneral;
};
struct ResearchVisitDraft {
    domain::OrgId org_id = 0;
    std::vector<std::string> visitors;
    std::optional<domain::OrgId> visited_org_id;
    std::string place;
    std::string visited_on;  // "YYYY-MM-DD"
    std::string met;
    std::string summary;
    std::vector<VisitOpinionDraft> opinions;
};
// An opinion of a visit and the problem it became (when the actor's scope holds the problem's owner; else
// only the opinion's problem_id tells).
struct VisitOpinion {
    domain::Opinion opinion;
    std::optional<domain::Problem> problem;
};
struct ResearchVisitDetail {
    domain::ResearchVisit visit;
    domain::Org org;
    std::optional<domain::Org> visited_org;
    std::vector<VisitOpinion> opinions;
};

// Study and research figures (docs/STUDY.md#figures). participation = sum of present / sum of expected
// over the sessions; opinions_per_visit = opinions / visits (null without visits); problems = distinct
// problems that opinions heard on the visits became.
struct StudyFigures {
    std::int64_t sessions = 0;
    std::int64_t hours_x100 = 0;
    Rate participation;
    std::int64_t visits = 0;
    std::int64_t opinions = 0;
    std::optional<double> opinions_per_visit;
    std::int64_t problems = 0;
};
struct StudyStats {
    domain::Org org;
    std::optional<std::string> from, to;  // the date range, inclusive
    StudyFigures total;                   // the whole subtree
    StudyFigures own;                     // the org's own records
    std::vector<std::pair<domain::Org, StudyFigures>> children;  // each child's subtree, every child, by id
};

// The supervisor's queue (GET /api/v1/orgs/{id}/study/inactive): see store::InactiveStudyFilter.
struct InactiveStudyQuery {
    domain::OrgId org_id = 0;
    int weeks = 4;  // 1..104
    std::optional<std::string> level;
    std::optional<domain::OrgKind> kind;
    std::int64_t offset = 0;
    int limit = kDefaultPageSize;  // 1..kMaxPageSize
};
struct InactiveStudyPage {
    int weeks = 4;
    std::string cutoff;  // the first day counted, "YYYY-MM-DD": today (display zone) minus 7 x weeks days
    std::vector<store::InactiveStudyRow> items;
    std::int64_t total = 0;
};

class Service {
public:
    // Takes the store and builds the in-memory org tree from it. Errors: those of the store.
    static Result<std::unique_ptr<Service>> Create(std::unique_ptr<store::Store> store, AccountPolicy policy = {});
    ~Service();

    // ---- several servers on one database (issue 10; docs/ARCHITECTURE.md "Several servers on one
    // PostgreSQL") ----
    // Applies the events committed since the last applied one (by any process; at most 1,000 per read, in
    // id order) through the same path as the commit observer: the roll-up index, the hot-issue cache and,
    // for org events of other processes, the org tree. Returns how many events it applied. Errors: those
    // of the store (kUnavailable); the events of a failed read are applied at the next call.
    Result<std::int64_t> CatchUp();
    // The largest event id applied to this process's in-memory state (0 before the first event).
    std::int64_t AppliedEventId() const;
    // Starts the follower thread when other processes may write the database (Store::SharedByProcesses;
    // on SQLite nothing happens): it waits for a commit notification (Store::WaitForCommit) and calls
    // CatchUp, and calls it at least every `fallback_poll` (milliseconds, > 0) in case a notification was
    // lost. Errors are logged and retried. Stopped by StopFollowing or the destructor. Idempotent.
    void StartFollowing(std::chrono::milliseconds fallback_poll = std::chrono::seconds(1));
    // Stops and joins the follower thread (within ~250 ms). Idempotent.
    void StopFollowing();

    // An actor that sees the whole tree and holds admin over it (the CLI and start-up tasks).
    Actor RootActor(const std::string& name) const;
    // An actor with admin over the subtree of `org_id` only.
    Actor SubtreeAdmin(const std::string& name, domain::OrgId org_id) const;

    // ---- set-up ----
    // Seeds the org levels, the root org and the category catalogue; does nothing that is already
    // there (safe to run twice). Errors: kInvalidArgument (bad categories file, with row), store errors.
    Status Init(const Actor& actor, const InitOptions& options);
    bool Initialized() const;

    // ---- orgs ----
    Result<domain::Org> GetOrg(const Actor& actor, domain::OrgId id);
    Result<std::vector<domain::Org>> ListChildren(const Actor& actor, domain::OrgId id);
    Result<domain::Org> FindOrgByDivisionCode(const Actor& actor, const std::string& code);
    // The org reached from the root by child names, "西地省/A市" (the root's own name is not part of
    // it). Errors: kNotFound naming the first missing step, kInvalidArgument (empty path).
    Result<domain::Org> FindOrgByPath(const Actor& actor, const std::string& names_path);
    // Orgs in scope whose name contains `text` or whose division code starts with it, at most `limit`
    // (1..100), shallowest first. Errors: kInvalidArgument (empty text).
    Result<std::vector<domain::Org>> SearchOrgs(const Actor& actor, const std::string& text, int limit = 20);
    // The chain from the root down to `id` (for breadcrumbs), limited to what the actor may see.
    Result<std::vector<domain::Org>> Ancestors(const Actor& actor, domain::OrgId id);
    // Creates an org under `draft.parent_id` (required, in scope; admin there). Errors: kInvalidArgument,
    // kAlreadyExists (division code or sibling name), kNotFound (parent), kPermissionDenied.
    Result<domain::Org> CreateOrg(const Actor& actor, domain::Org draft);
    // Moves an org (and its subtree) under a new parent; both must be in scope, with admin over both;
    // history is the event log. Errors: kNotFound, kPermissionDenied, kFailedPrecondition (into its
    // own subtree, or the root).
    Result<domain::Org> MoveOrg(const Actor& actor, domain::OrgId id, domain::OrgId new_parent);
    Result<std::vector<domain::OrgLevel>> ListLevels();
    // Every category, parents before children (from memory: Catalogue). Errors: the store's.
    Result<std::vector<domain::Category>> ListCategories();
    // One category. Errors: kInvalidArgument "category_id: no category N".
    Result<domain::Category> GetCategory(domain::CategoryId id);

    // ---- problems ----
    Result<Page<domain::Problem>> ListProblems(const Actor& actor, const ProblemQuery& query);
    Result<ProblemDetail> GetProblem(const Actor& actor, domain::ProblemId id);
    // Writes need clerk or reviewer over the owner org (kPermissionDenied); reads only scope.
    Result<domain::Problem> CreateProblem(const Actor& actor, const ProblemDraft& draft);
    Result<domain::Problem> UpdateProblem(const Actor& actor, domain::ProblemId id, const ProblemPatch& patch);

    // ---- opinions ----
    Result<Page<domain::Opinion>> ListOpinions(const Actor& actor, const OpinionQuery& query);
    Result<domain::Opinion> GetOpinion(const Actor& actor, domain::OpinionId id);
    // Needs clerk over the org (kPermissionDenied).
    Result<domain::Opinion> CreateOpinion(const Actor& actor, const OpinionDraft& draft);

    // ---- text mining (issue 9, docs/TEXT.md) ----
    // Suggestions for one opinion in scope (else kNotFound): the top three categories of the classifier
    // (trained on first use from the built-in labelled 问政 messages and the catalogue's top-level
    // categories, docs/TEXT.md#categories), and possible duplicates: open problems (registered .. pending
    // verification) and received or accepted opinions in the actor's scope, at most
    // kDuplicateCandidateLimit of each (newest first; opinions received within kDuplicateWindowSeconds of
    // this one), whose Jaccard similarity to it is at least kDuplicateThreshold. The opinion's own problem
    // is left out. Nothing is changed: linking is the clerk's step (duplicate / accept routes).
    Result<OpinionSuggestions> SuggestForOpinion(const Actor& actor, domain::OpinionId id);
    // Hot issues (热点问题) of the subtree of `org_id` (in scope, else kNotFound): opinions received in
    // [from, to) clustered by text::ClusterHotIssues (text, compatible org, 30-day gap, at least two
    // people), ranked by heat (people, likes and age counted to `to`, text::HotCluster::heat,
    // docs/TEXT.md#hot-issues). Answers are cached per scope, org, window and limit until an opinion or org
    // changes, kHotIssueCacheSeconds at most. Errors: kInvalidArgument (from >= to, limit outside
    // 1..100), kNotFound.
    Result<HotIssues> FindHotIssues(const Actor& actor, domain::OrgId org_id, const HotIssueQuery& query);

    // ---- figures ----
    // Figures over the subtree of `org_id` at the current instant, from the roll-up index (src/index),
    // which every committed write updates before the write returns. The filters apply to the problem figures;
    // opinions, co-owned, supervised and escalated-from counts are the whole subtree's. Errors: kNotFound (org
    // out of scope; a campaign_id or special_item_id not visible), kInvalidArgument (category_depth outside
    // 1..3, depth > 1 with a filter, category_id not a top-level category, weeks outside 0..520,
    // due_soon_days outside 0..365, batch outside 0..2, created_to before created_from), kUnavailable (the
    // index could not be rebuilt from the store).
    Result<OrgStats> Stats(const Actor& actor, domain::OrgId org_id, const StatsQuery& query = {});
    // Builds the roll-up index from the store now if it is not built (or stale); Stats would do it on first
    // use. Errors: kUnavailable (the store could not be read).
    Status BuildRollupIndex();
    // The figures of each child of `org_id` (for rankings), in child id order, consistent with each other
    // (one index snapshot). Errors: as Stats.
    Result<std::vector<OrgStats>> ChildStats(const Actor& actor, domain::OrgId org_id, const StatsQuery& query = {});

    // ---- the ledger (台账, issue 6; service/ledger.hpp) ----
    // Writes the problem, task or responsibility list of the problems `filter` selects (org_id, statuses,
    // category_id, source, overdue; its paging fields are ignored), newest problem first, to `sink`, reading a
    // page at a time. The task list has one row per task of each problem's current round; the responsibility
    // list one row per (task org, 责任人, 牵头领导) of those tasks, withdrawn ones left out (docs/API.md#the-ledger-台账;
    // only the groups are held). Returns the rows written.
    // Errors: as ListProblems (kNotFound for an org out of scope), those of the sink.
    Result<std::int64_t> ExportLedger(const Actor& actor, LedgerList list, const ProblemQuery& filter, LedgerSink& sink);
    // Imports a ledger (docs/API.md#ledger-import): finds the header row among the first five rows, maps
    // columns to fields (input.mapping over the auto-match of LedgerImportFields()), checks every row, and —
    // in one write transaction — stores the rows: a row with a 问题编号 of a problem in the actor's scope
    // updates it (整改进展 -> a progress report on its one open task, or the task a 任务编号 names; 完成情况 /
    // 是否销号 -> the workflow step that leads there, 申请销号 or 销号, with that step's role and guards), a row
    // without one registers a problem (and a task when it has 整改措施). A dry run, or a commit with any
    // rejected row, rolls the transaction back: nothing is stored, and the report lists every rejected row.
    // Errors: kInvalidArgument (no header row, a bad mapping, neither 问题编号 nor 问题描述 + 责任单位
    // columns, more than kMaxLedgerImportRows rows), those of the store.
    Result<LedgerImportReport> ImportLedger(const Actor& actor, const LedgerImportInput& input, LedgerImportMode mode);
    static constexpr std::size_t kMaxLedgerImportRows = 100'000;

    // The event log of one record (entity "org", "problem" or "opinion"), oldest first; scope-checked
    // through the record. Errors: kNotFound, kInvalidArgument (unknown entity).
    Result<std::vector<store::Event>> History(const Actor& actor, const std::string& entity, std::int64_t id);

    // ---- imports (src/service/import.cpp); each file is one transaction ----
    Result<ImportReport> ImportDivisions(const Actor& actor, const DivisionImportOptions& options);
    // A CSV of orgs that are not divisions: columns path,level,kind,batch,division_code where path is
    // the names from the root's child down, joined with '/', e.g. "西地省/A市/A3区". Parents first.
    Result<ImportReport> ImportOrgs(const Actor& actor, const std::string& file);
    Result<ImportReport> ImportOpinions(const Actor& actor, const OpinionImportOptions& options);
    // The rectify problem list CSV (docs/DATA.md#problems-csv): title,description,source,category,
    // owner_division_code|owner_org_id,created_at,due_at,status,closed_at,source_ref.
    Result<ImportReport> ImportProblems(const Actor& actor, const std::string& file);

    // ---- accounts (issue 4); src/service/accounts.cpp ----
    // Who may do what (docs/SECURITY.md#roles): a user is visible to an actor whose scope holds the
    // user's org (else kNotFound); admin and org_admin over that org manage the user, but only when
    // every grant the user holds lies inside subtrees where the actor is org_admin (and admin grants
    // inside subtrees where it is admin) — so nobody takes over an account stronger than their own
    // (kPermissionDenied). Nobody grants a role they could not manage, or changes their own grants or
    // disables themselves (kFailedPrecondition). Every change writes an event ("user" or "api_token").

    // Checks name and password, with back-off (LoginRetryAfter); creates a session. Unknown names and
    // wrong passwords get the same kUnauthenticated answer after the same Argon2 work; the stored hash
    // is replaced when it was made with other parameters than the policy's (rehash at login).
    // `client` is the client address (for back-off and the login log). Errors: kUnauthenticated,
    // kResourceExhausted (back-off; LoginRetryAfter says how long).
    Result<LoginResult> Login(const std::string& name, const std::string& password, const std::string& client);
    // Seconds until `name` from `client` may try to log in again (0: now).
    std::int64_t LoginRetryAfter(const std::string& name, const std::string& client) const;
    // The actor of a session cookie secret or an "rct_..." token. Errors: kUnauthenticated (unknown,
    // expired, revoked, or the user is disabled); the store's. A token once resolved is reused from memory
    // (detail::TokenCache: until a user, api_token, supervision_team or org event, at most
    // AccountPolicy::token_cache_seconds); its expiry is checked on every call. Sessions are always read.
    Result<Authenticated> ResolveSession(const std::string& secret);
    Result<Authenticated> ResolveToken(const std::string& secret);
    // Ends the session (idempotent).
    Status Logout(const Authenticated& who);
    // The user's own password change: checks `old_password` (with the login back-off), stores the new
    // one, clears must_change_password and ends the user's other sessions. Only for a session.
    // Errors: kUnauthenticated (wrong old password), kInvalidArgument (policy), kPermissionDenied
    // (token), kResourceExhausted.
    Status ChangeOwnPassword(const Authenticated& who, const std::string& old_password,
                             const std::string& new_password);

    // Errors: kNotFound (org or a grant's org outside scope), kPermissionDenied, kAlreadyExists
    // (name taken), kInvalidArgument.
    Result<CreatedUser> AddUser(const Actor& actor, const UserDraft& draft);
    Result<domain::User> GetUser(const Actor& actor, domain::UserId id);
    // Users whose org lies in the subtree of `org_id` (default: the actor's scope) that the actor may
    // read (org_admin or auditor over their org, or themselves).
    Result<std::vector<domain::User>> ListUsers(const Actor& actor, std::optional<domain::OrgId> org_id);
    // Finds a user by login name (for the CLI). Errors: kNotFound.
    Result<domain::User> FindUser(const Actor& actor, const std::string& name);
    // Sets a password chosen by an administrator (or generates one when `password` is empty and
    // returns it); the user must change it at the next login; ends the user's sessions.
    Result<std::optional<std::string>> ResetPassword(const Actor& actor, domain::UserId id, const std::string& password,
                                                     bool must_change = true);
    // Disables or enables a user; disabling ends the user's sessions (tokens stop working too).
    Result<domain::User> SetUserDisabled(const Actor& actor, domain::UserId id, bool disabled);
    Result<domain::User> GrantRole(const Actor& actor, domain::UserId id, const domain::Grant& grant);
    Result<domain::User> RevokeGrant(const Actor& actor, domain::UserId id, domain::GrantId grant_id);

    // Creates a token for the acting user (session or CLI, never a token). Each requested grant must
    // be covered by one of the user's grants (same role or admin, org inside its subtree).
    Result<CreatedToken> CreateToken(const Actor& actor, const TokenDraft& draft);
    // The tokens of `user_id` (default: the acting user's own).
    Result<std::vector<domain::ApiToken>> ListTokens(const Actor& actor, std::optional<domain::UserId> user_id);
    Status RevokeToken(const Actor& actor, domain::TokenId id);

    // On a database without users: creates `name` as admin over the root org with a generated
    // one-time password (must be changed at first login) and returns the password; nullopt when users
    // exist. Errors: kFailedPrecondition (no org tree yet).
    Result<std::optional<std::string>> EnsureFirstAdmin(const std::string& name);
    // The actor of user `id` for the CLI acting on the user's behalf (auth kInternal; events name
    // `via` and the user, e.g. "cli(as alice)"). Errors: kNotFound.
    Result<Actor> UserActor(domain::UserId id, const std::string& via);
    // Deletes login attempts older than the retention (AccountPolicy::login_attempt_retention_days).
    Status PruneLoginAttempts();
    const AccountPolicy& account_policy() const;

    // ---- audit (issue 4) ----
    // Events of a subtree and period for an auditor (or admin) over it. Errors: kNotFound (org outside
    // scope), kPermissionDenied (no auditor role there), kInvalidArgument.
    Result<Page<store::Event>> AuditEvents(const Actor& actor, const AuditQuery& query);
    // Checks the whole chain; only for an auditor or admin over the root org. Errors: kPermissionDenied.
    Result<store::ChainReport> VerifyAudit(const Actor& actor);

    store::Store& store() { return *store_; }
    // The current org tree snapshot (immutable; replaced after org changes).
    std::shared_ptr<const index::OrgTree> Tree() const;

    // Internal for the importers: rebuilds the org tree from the store after org writes.
    Status ReloadTree();
    // Internal: the domain::Actor's permission to see org `id` (scope check).
    bool InScope(const Actor& actor, domain::OrgId id) const;
    // True when the actor holds `role`, or admin, over a subtree containing org `id`.
    bool HasRole(const Actor& actor, domain::Role role, domain::OrgId id) const;
    // Clerk or reviewer (or admin) over `org`: may register and edit its problems.
    bool CanEditProblems(const Actor& actor, domain::OrgId org) const;

    // ---- public intake (issue 9): src/service/public_intake.cpp; rules in docs/PUBLIC.md ----
    void ConfigurePublic(PublicPolicy policy) { public_ = policy; }
    const PublicPolicy& public_policy() const { return public_; }
    // Files an opinion from the public: checks the submission (kInvalidArgument naming the field: lengths
    // kPublic*Chars, a category of the catalogue, a division code of 2-12 digits, latitude/longitude,
    // phone 5-20 of digits, spaces, +, -, ( ), e-mail local@domain.tld up to 254 bytes; the photo by the
    // evidence rules: kPayloadTooLarge over --max-evidence-bytes, kInvalidArgument for a type that is
    // not an image among --evidence-types or content that is not that image), refuses a repeat within
    // the duplicate window (kAlreadyExists "this opinion was already received ..."), routes it
    // (domain::RoutingCandidates: the deepest org whose division code is the location's or an
    // ancestor's, else the root org; Open311: the account must hold clerk there, else
    // kPermissionDenied), and stores the opinion (status received, channel web, actor
    // "public:<via>"), its intake row with a fresh unique tracking code and the photo, in one
    // transaction. Returns what the public sees.
    Result<PublicView> FilePublicOpinion(const PublicSubmission& submission);
    // The public view of the opinion with tracking code `typed` (any case, dashes and spaces ignored).
    // Errors: kInvalidArgument (not a well-formed code), kNotFound (no such code).
    Result<PublicView> TrackPublicOpinion(const std::string& typed);
    // The same by opinion id (Open311 service_request_id); only opinions filed by the public.
    Result<PublicView> PublicOpinionById(domain::OpinionId id);
    // Rates the reply once (the workflow's rating: a 不满意 on a closed problem reopens it), as actor
    // "public:portal". Errors: as TrackPublicOpinion; kFailedPrecondition "there is no reply to rate
    // yet" / "this reply was already rated"; kInvalidArgument (comment over 500 characters).
    Result<PublicView> RatePublicOpinion(const std::string& typed, domain::Satisfaction satisfaction,
                                         const std::optional<std::string>& comment);
    // The notice board of `org_id`'s subtree (no scope: it is public): closed problems and mechanisms,
    // each newest (highest id) first, a page of `limit` (1..100) with its own cursor; free text masked by
    // domain::MaskPersonalDetails. Errors: kNotFound (no such org), kInvalidArgument (limit, cursor).
    Result<NoticeBoard> PublicNotices(domain::OrgId org_id, const std::optional<std::string>& problems_cursor,
                                      const std::optional<std::string>& mechanisms_cursor, int limit);
    // Orgs the public may pick (notice boards): the children of `parent` (nullopt: the root itself).
    Result<std::vector<domain::Org>> PublicOrgs(std::optional<domain::OrgId> parent);
    // For the staff: how an opinion in the actor's scope came from the public — tracking code, contact,
    // location, photo — or nullopt for an opinion entered by staff or imported. Errors: kNotFound (the
    // opinion is outside the scope or does not exist).
    Result<std::optional<domain::PublicIntake>> PublicIntakeOf(const Actor& actor, domain::OpinionId id);
    // The photo of such an opinion: its intake (content type, size) and bytes. Errors: kNotFound (outside
    // the scope, or no photo).
    Result<std::pair<domain::PublicIntake, std::string>> PublicPhoto(const Actor& actor, domain::OpinionId id);
    // The public intakes of Open311 GET requests (filter as store::PublicIntakeFilter).
    Result<std::vector<PublicView>> ListPublicOpinions(const store::PublicIntakeFilter& filter);

    // ---- workflow (issue 3): src/service/workflow.cpp ----
    // Every call checks, in this order: scope (outside: kNotFound, like an unknown id); the version the
    // caller read when one is given (If-Match; stale: kAborted naming the current version); the state
    // machine (illegal: kFailedPrecondition listing the allowed next actions); the role the transition
    // table asks for on the org it names (missing: kPermissionDenied saying which role over which org);
    // then the guards of domain/workflow.hpp. Each change and its events are one transaction; a task
    // change re-derives its problem's status in the same transaction.
    void ConfigureEvidence(EvidenceOptions options);
    const EvidenceOptions& evidence_options() const { return evidence_; }

    // Tasks. CreateTask needs the problem in add_task state and clerk/reviewer over its owner org.
    Result<domain::Task> CreateTask(const Actor& actor, domain::ProblemId problem, const TaskDraft& draft,
                                    std::optional<std::int64_t> problem_version = std::nullopt);
    Result<domain::Task> GetTask(const Actor& actor, domain::TaskId id);
    // All rounds, oldest first; `round` filters.
    Result<std::vector<domain::Task>> ListTasks(const Actor& actor, domain::ProblemId problem,
                                                std::optional<int> round = std::nullopt);
    Result<domain::Task> UpdateTask(const Actor& actor, domain::TaskId id, const TaskPatch& patch);
    Result<domain::Task> StartTask(const Actor& actor, domain::TaskId id, std::optional<std::int64_t> version);
    // Adds a report, sets the task's progress to its percent (a returned task goes back in_progress).
    Result<domain::ProgressReport> ReportProgress(const Actor& actor, domain::TaskId id, const ReportDraft& draft,
                                                  std::optional<std::int64_t> version);
    Result<std::vector<domain::ProgressReport>> ListReports(const Actor& actor, domain::TaskId id);
    // Stores a file for the task (domain::CheckEvidence: kPayloadTooLarge over the limit, kInvalidArgument
    // for executables, other types or a bad name). The content is written to the blob directory first.
    Result<domain::Evidence> UploadEvidence(const Actor& actor, domain::TaskId id, const std::string& original_name,
                                            const std::string& content_type, std::string_view content);
    Result<std::vector<domain::Evidence>> ListEvidence(const Actor& actor, domain::TaskId id);
    Result<domain::Evidence> GetEvidence(const Actor& actor, domain::EvidenceId id);
    // The file's metadata and bytes; scope is the task's org.
    Result<std::pair<domain::Evidence, std::string>> DownloadEvidence(const Actor& actor, domain::EvidenceId id);
    Result<domain::Task> SubmitTask(const Actor& actor, domain::TaskId id, std::optional<std::int64_t> version);
    Result<domain::Task> AcceptTask(const Actor& actor, domain::TaskId id, const std::optional<std::string>& comment,
                                    std::optional<std::int64_t> version);
    Result<domain::Task> ReturnTask(const Actor& actor, domain::TaskId id, const std::string& reason,
                                    std::optional<std::int64_t> version);
    Result<domain::Task> RequestWithdrawal(const Actor& actor, domain::TaskId id, const std::string& reason,
                                           std::optional<std::int64_t> version);
    Result<domain::Task> DeclineWithdrawal(const Actor& actor, domain::TaskId id, const std::string& reason,
                                           std::optional<std::int64_t> version);
    Result<domain::Task> WithdrawTask(const Actor& actor, domain::TaskId id, const std::string& reason,
                                      std::optional<std::int64_t> version);

    // Problems.
    Result<domain::Problem> CloseProblem(const Actor& actor, domain::ProblemId id, std::optional<std::int64_t> version);
    Result<domain::Problem> ReopenProblem(const Actor& actor, domain::ProblemId id, domain::ReopenCause cause,
                                          const std::string& reason, std::optional<std::int64_t> version);
    // 不属实: open tasks of the round are cancelled (withdrawn) in the same transaction.
    Result<domain::Problem> MarkProblemInvalid(const Actor& actor, domain::ProblemId id, const std::string& reason,
                                               std::optional<std::int64_t> version);
    // Into an open problem in scope; open tasks are cancelled and the opinions move to the target.
    Result<domain::Problem> MergeProblem(const Actor& actor, domain::ProblemId id, domain::ProblemId into,
                                         const std::string& reason, std::optional<std::int64_t> version);
    Result<std::vector<TimelineEntry>> Timeline(const Actor& actor, domain::ProblemId id);

    // Opinions.
    Result<OpinionAccepted> AcceptOpinion(const Actor& actor, domain::OpinionId id, const OpinionAcceptance& how,
                                          std::optional<std::int64_t> version);
    Result<domain::Opinion> DeclineOpinion(const Actor& actor, domain::OpinionId id, const std::string& reason,
                                           std::optional<std::int64_t> version);
    // Exactly one of the two targets. Errors also: kInvalidArgument (none or both, or itself).
    Result<domain::Opinion> MarkOpinionDuplicate(const Actor& actor, domain::OpinionId id,
                                                 std::optional<domain::OpinionId> of_opinion,
                                                 std::optional<domain::ProblemId> of_problem,
                                                 const std::optional<std::string>& reason,
                                                 std::optional<std::int64_t> version);
    // The reply (replied_at = now) from `reply_org_id` (default: the opinion's org; must be in scope).
    Result<domain::Opinion> ReplyOpinion(const Actor& actor, domain::OpinionId id, const std::string& text,
                                         std::optional<domain::OrgId> reply_org_id,
                                         std::optional<std::int64_t> version);
    // A 不满意 rating of an opinion whose problem is closed reopens that problem (cause
    // dissatisfied_rating) in the same transaction.
    Result<domain::Opinion> RateOpinion(const Actor& actor, domain::OpinionId id, domain::Satisfaction satisfaction,
                                        const std::optional<std::string>& comment,
                                        std::optional<std::int64_t> version);

    // 转办 (docs/LINKAGE.md#transfers): passes a received, not yet handled opinion to org `to` — one in
    // the actor's scope, or an ancestor of the opinion's org (sent back up to the dispatching level) — with
    // a reason (required, ≤ 2,000 characters). Needs clerk or reviewer over the opinion's org. Counts one
    // more transfer (transfer_count) and appends a routing step; the answer deadline (reply_due_at) does
    // not move and the transfer is not a response. Errors: kNotFound (the opinion, or `to`, outside the
    // scope), kFailedPrecondition (already handled: accepted, declined or duplicate), kInvalidArgument
    // ("to_org_id: the opinion is already at org 5", empty reason), kPermissionDenied, kAborted (version).
    Result<domain::Opinion> TransferOpinion(const Actor& actor, domain::OpinionId id, domain::OrgId to,
                                            const std::string& reason, std::optional<std::int64_t> version);
    // An opinion's routing steps (first routing, then each transfer), oldest first. Errors: kNotFound.
    Result<std::vector<domain::OpinionRouting>> OpinionRoutingOf(const Actor& actor, domain::OpinionId id);

    // Routing rules (docs/LINKAGE.md#routing-rules). Reading and replacing them needs admin over the root
    // org: they decide where every public opinion of the jurisdiction goes. `version` nullopt: the rule set
    // in force (version 0 and no rules before any is stored). Errors: kPermissionDenied, kNotFound (no
    // such version).
    Result<domain::RoutingRuleSet> GetRoutingRules(const Actor& actor, std::optional<int> version);
    // Stores `rules` as the next version (ids and version are assigned; `note` ≤ 200 characters says what
    // changed). Checks domain::CheckRoutingRules and that every org and category exists ("rules[2].org_id:
    // no org 99"). Errors: kInvalidArgument, kPermissionDenied.
    Result<domain::RoutingRuleSet> ReplaceRoutingRules(const Actor& actor, std::vector<domain::RoutingRule> rules,
                                                       const std::string& note);
    // Where the rules in force send an opinion about `category_id` at `division_code` (either may be
    // absent): the rule, or nullopt when none matches. Errors: kInvalidArgument (a bad division code).
    Result<std::optional<domain::RoutingRule>> RouteByRules(const std::optional<std::string>& division_code,
                                                           std::optional<domain::CategoryId> category_id);

    // Mechanisms (长效机制): clerk or reviewer over the adopting org.
    Result<domain::Mechanism> CreateMechanism(const Actor& actor, const MechanismDraft& draft);
    Result<domain::Mechanism> GetMechanism(const Actor& actor, domain::MechanismId id);
    Result<Page<domain::Mechanism>> ListMechanisms(const Actor& actor, std::optional<domain::OrgId> org_id,
                                                   std::optional<domain::ProblemId> problem_id,
                                                   const std::optional<std::string>& cursor, int limit);
    Result<domain::Mechanism> UpdateMechanism(const Actor& actor, domain::MechanismId id, const MechanismPatch& patch);
    Result<domain::Mechanism> LinkMechanismProblem(const Actor& actor, domain::MechanismId id,
                                                   domain::ProblemId problem);
    Result<domain::Mechanism> UnlinkMechanismProblem(const Actor& actor, domain::MechanismId id,
                                                     domain::ProblemId problem);

    // Meetings (民主生活会 / 组织生活会): clerk or reviewer over the meeting's org.
    Result<MeetingDetail> CreateMeeting(const Actor& actor, const MeetingDraft& draft);
    Result<MeetingDetail> GetMeeting(const Actor& actor, domain::MeetingId id);
    Result<Page<domain::Meeting>> ListMeetings(const Actor& actor, std::optional<domain::OrgId> org_id,
                                               const std::optional<std::string>& cursor, int limit);
    Result<domain::MeetingFinding> AddFinding(const Actor& actor, domain::MeetingId id, const std::string& text,
                                              std::optional<std::int64_t> version);
    // One transaction: the problem (source meeting) and the finding's link to it. Errors also:
    // kFailedPrecondition when the finding has a problem already.
    Result<domain::Problem> FindingToProblem(const Actor& actor, domain::MeetingId meeting, domain::FindingId finding,
                                             const FindingProblemDraft& draft);

    // ---- root-cause analysis and leaders' own lists (issue 12): src/service/cause.cpp, docs/CAUSES.md ----
    // Every cause category (any signed-in actor), by sort_order then id.
    Result<std::vector<domain::CauseCategory>> ListCauseCategories(const Actor& actor);
    // Admin over the root only (the list is shared by the whole tree). Errors: kPermissionDenied,
    // kInvalidArgument (domain::ValidateCauseCategory), kAlreadyExists (code), kNotFound, kAborted (version).
    Result<domain::CauseCategory> CreateCauseCategory(const Actor& actor, const CauseCategoryDraft& draft);
    Result<domain::CauseCategory> UpdateCauseCategory(const Actor& actor, domain::CauseCategoryId id,
                                                      const CauseCategoryPatch& patch, std::int64_t version);
    // Sets a problem's cause analysis; the clerk or reviewer over its owner org (as other problem edits).
    // Recorded as event problem/cause_analysis in the problem's timeline. Errors: kNotFound (problem not
    // visible), kPermissionDenied, kInvalidArgument (domain::ValidateCauseAnalysis), kAborted (version).
    Result<CauseAnalysisResult> SetCauseAnalysis(const Actor& actor, domain::ProblemId problem,
                                                 const CauseAnalysisInput& input);
    // Per-category figures of an org's subtree at `now`. Errors: kNotFound (org or filter category, campaign or
    // special item), kInvalidArgument (batch outside 0..2, created_to before created_from).
    Result<CauseStats> GetCauseStats(const Actor& actor, domain::OrgId org, const CauseStatsQuery& query, UnixSeconds now);

    // The cadre ranks that make an account a leading cadre (rectify serve --leading-cadre-ranks).
    void ConfigureLeadingCadreRanks(std::vector<std::string> ranks) { leading_cadre_ranks_ = std::move(ranks); }
    const std::vector<std::string>& leading_cadre_ranks() const { return leading_cadre_ranks_; }
    // Sets or clears (nullopt) the cadre rank of an account; as SetUserDisabled, an org_admin or admin over
    // the account's org. Errors: kInvalidArgument (unknown rank), kNotFound, kPermissionDenied.
    Result<domain::User> SetUserCadreRank(const Actor& actor, domain::UserId id, std::optional<std::string> rank);

    // Self-inspection items (docs/CAUSES.md#visibility). Personal items: the owner (a leading cadre, for
    // the org of their account) creates and edits them; seen by the owner, the org's leadership (leader,
    // org_admin or admin grant on that org) and the levels above (leader, supervisor, admin or auditor
    // grant on a strict ancestor); nobody else (kNotFound). Leadership-group items: created and edited
    // by the org's leadership; seen by every actor whose scope covers the org. Errors: kNotFound (org or
    // item not visible), kPermissionDenied (not a leading cadre; not the org's leadership; not the owner),
    // kInvalidArgument (domain::ValidateSelfInspectionItem; a personal item for another org), kAborted.
    Result<SelfInspectionView> CreateSelfInspectionItem(const Actor& actor, domain::OrgId org,
                                                        const SelfInspectionDraft& draft);
    Result<SelfInspectionView> GetSelfInspectionItem(const Actor& actor, domain::SelfInspectionItemId id);
    Result<SelfInspectionView> UpdateSelfInspectionItem(const Actor& actor, domain::SelfInspectionItemId id,
                                                        const SelfInspectionPatch& patch, std::int64_t version);
    // The visible items of an org (subtree: also of the orgs below), of one kind or both.
    Result<std::vector<SelfInspectionView>> ListSelfInspectionItems(const Actor& actor, domain::OrgId org, bool subtree,
                                                                    std::optional<domain::SelfInspectionKind> kind);
    // Counts only (no item text): any actor whose scope covers the org.
    Result<SelfInspectionStats> GetSelfInspectionStats(const Actor& actor, domain::OrgId org, UnixSeconds now);
    // True when `actor` may read / change `item` (the rules above).
    bool SeesSelfInspectionItem(const Actor& actor, const domain::SelfInspectionItem& item) const;
    bool MayEditSelfInspectionItem(const Actor& actor, const domain::SelfInspectionItem& item) const;

    // ---- linkage (issue 5): src/service/linkage.cpp, docs/LINKAGE.md ----
    // How `actor` sees problem `p` (ProblemAccess). Reads the problem's escalations and tasks.
    ProblemAccess AccessToProblem(const Actor& actor, const domain::Problem& p);

    // 下题上答. A clerk or reviewer over the problem's owner asks `to_org_id` (a strict ancestor of the
    // owner, domain::CheckEscalationTarget; for kind batch_link a first-batch unit anywhere,
    // domain::CheckBatchLinkTarget) to own and answer an open problem. One pending escalation
    // per problem. `problem_version`: If-Match of the problem. Errors: kNotFound (problem not visible),
    // kAborted (stale version), kInvalidArgument (reason, to_org_id), kPermissionDenied,
    // kFailedPrecondition (problem not open, or an escalation pending already).
    Result<domain::Escalation> EscalateProblem(const Actor& actor, domain::ProblemId problem,
                                               const EscalationDraft& draft,
                                               std::optional<std::int64_t> problem_version);
    // Visible when its problem is. Errors: kNotFound.
    Result<domain::Escalation> GetEscalation(const Actor& actor, domain::EscalationId id);
    Result<std::vector<domain::Escalation>> ListEscalations(const Actor& actor, domain::ProblemId problem);
    // A reviewer over the target org: the problem's owner becomes the target in the same transaction
    // (its tasks stay; the asking org keeps read access). Errors as EscalateProblem, and
    // kFailedPrecondition when the problem is no longer open.
    Result<domain::Escalation> AcceptEscalation(const Actor& actor, domain::EscalationId id,
                                                const std::optional<std::string>& comment,
                                                std::optional<std::int64_t> version);
    // A reviewer over the target org says no, with a reason; the owner does not change.
    Result<domain::Escalation> DeclineEscalation(const Actor& actor, domain::EscalationId id, const std::string& reason,
                                                 std::optional<std::int64_t> version);
    // A clerk or reviewer over the asking org takes a pending request back, with a reason.
    Result<domain::Escalation> WithdrawEscalation(const Actor& actor, domain::EscalationId id,
                                                  const std::string& reason, std::optional<std::int64_t> version);

    // 上题下答. A clerk or reviewer over the parent task's org issues it to every org below that org the
    // filter selects (domain::CascadeTargets), one child task each, in one transaction (a few multi-row
    // statements whatever the number of targets) with one "cascade" event on the parent listing the
    // child ids. Orgs with an open child of the parent already are skipped. The parent must be pending,
    // in progress or returned, of an open problem's current round. Errors: kNotFound (parent not in
    // scope), kAborted (stale parent version), kInvalidArgument naming the JSON path (/targets/...,
    // /due_at later than the parent's deadline, /responsible_person), kPermissionDenied,
    // kFailedPrecondition (parent or problem state; every target has a child already).
    Result<domain::Cascade> CascadeTask(const Actor& actor, domain::TaskId parent, const CascadeDraft& draft,
                                        std::optional<std::int64_t> parent_version);
    // 同题共答. A clerk or reviewer over the problem's owner (the lead) who also has the co-owner org in
    // scope (a common superior, or the lead over a unit below it) adds the co-owner together with its part
    // (a task of that org, created by the lead org) in one transaction. The problem must accept new tasks.
    // Errors: kNotFound (problem or org_id not in scope), kAborted (stale problem version),
    // kPermissionDenied, kInvalidArgument (org_id is the lead; the task's fields), kAlreadyExists (a
    // co-owner already), kFailedPrecondition (problem state).
    Result<CoOwnerAdded> AddCoOwner(const Actor& actor, domain::ProblemId problem, const CoOwnerDraft& draft,
                                    std::optional<std::int64_t> problem_version);
    // The co-owners, by org id; for actors with full access. Errors: kNotFound.
    Result<std::vector<domain::CoOwner>> ListCoOwners(const Actor& actor, domain::ProblemId problem);

    // The roll-up of a parent's children and one page of them (children visible to the actor).
    // `limit` 1..1000. Errors: kNotFound (parent not visible), kInvalidArgument (cursor, limit).
    Result<ChildTasksPage> ListChildTasks(const Actor& actor, domain::TaskId parent,
                                          const std::optional<std::string>& cursor, int limit);

    // Idempotency keys of POST requests (the API's Idempotency-Key). Begin reserves (actor, key) for a
    // request identified by `request_sha256` and returns nullopt, or returns the stored first response
    // of the same request. Errors: kInvalidArgument (key not 1-255 visible ASCII characters);
    // kAlreadyExists (the key was used for a different request); kAborted (the first request with this
    // key is still running, or never finished). Keys expire after kIdempotencyKeySeconds.
    static constexpr std::int64_t kIdempotencyKeySeconds = 24 * 3600;
    Result<std::optional<store::IdempotencyRecord>> BeginIdempotent(const Actor& actor, const std::string& key,
                                                                    const std::string& method,
                                                                    const std::string& path,
                                                                    const std::string& request_sha256);
    // Stores the response of a reserved key (Finish), or frees the key when the request changed nothing
    // and may be retried with it (Abandon).
    Status FinishIdempotent(const Actor& actor, store::IdempotencyRecord record);
    Status AbandonIdempotent(const Actor& actor, const std::string& key);

    // ---- campaigns (issue 5): src/service/campaign.cpp, docs/LINKAGE.md#campaigns ----
    // A campaign is visible to an actor whose scope holds its owner org, an org below it, or an org above
    // it (the owner's subtree and ancestors); anything else is kNotFound. Creating and changing a campaign
    // and its items needs admin over the owner org (docs/SECURITY.md#roles). Every change is an event
    // ("campaign" or "special_item", actions create / update) with the record before and after.
    // Create: kInvalidArgument (domain::ValidateCampaign, ValidateSpecialItem with "special_items[i]." in front;
    // lead_org_id outside the owner's subtree), kNotFound (owner_org_id / lead_org_id outside scope),
    // kPermissionDenied, kAlreadyExists (code taken, or two items with one code).
    Result<CampaignDetail> CreateCampaign(const Actor& actor, const CampaignDraft& draft);
    Result<CampaignDetail> GetCampaign(const Actor& actor, domain::CampaignId id);
    // The campaigns visible to the actor, by id; with org_id (in scope): only those visible from that org.
    Result<std::vector<domain::Campaign>> ListCampaigns(const Actor& actor, std::optional<domain::OrgId> org_id);
    // Errors: kNotFound (no visible campaign with that code).
    Result<CampaignDetail> FindCampaignByCode(const Actor& actor, const std::string& code);
    // `version`: the version read (If-Match); stale: kAborted. Changed dates must still hold every batch.
    Result<CampaignDetail> UpdateCampaign(const Actor& actor, domain::CampaignId id, const CampaignPatch& patch,
                                          std::int64_t version);
    Result<domain::SpecialItem> AddSpecialItem(const Actor& actor, domain::CampaignId campaign_id,
                                               const SpecialItemDraft& draft);
    Result<domain::SpecialItem> GetSpecialItem(const Actor& actor, domain::SpecialItemId id);
    Result<domain::SpecialItem> UpdateSpecialItem(const Actor& actor, domain::SpecialItemId id,
                                                  const SpecialItemPatch& patch, std::int64_t version);
    // Per-item figures of a visible campaign over the subtree of org_id (in scope), at `now` (UTC seconds),
    // by SQL over the subtree (store::Store::SpecialItemFigures). Errors: kNotFound.
    Result<SpecialItemStats> GetSpecialItemStats(const Actor& actor, domain::OrgId org_id,
                                                 domain::CampaignId campaign_id, UnixSeconds now);
    // The campaigns and items the problems (already read through the actor's scope) are tagged with, for
    // display in lists: each problem's tags are shown to whoever may see the problem.
    struct TagLabels {
        std::map<domain::CampaignId, domain::Campaign> campaigns;
        std::map<domain::SpecialItemId, domain::SpecialItem> items;
    };
    Result<TagLabels> ProblemTagLabels(const std::vector<domain::Problem>& problems);

    // ---- study and research (issue 12): src/service/study.cpp, docs/STUDY.md ----
    // Every read checks the org of the record against the actor's scope (outside: kNotFound); writes need
    // clerk or org_admin (or admin) over the record's org (kPermissionDenied). Every change is an event
    // ("study_session": create / update / delete; "research_visit": create / add_opinion) with the record.
    // Errors of writes: kInvalidArgument naming the field (domain::ValidateStudySession,
    // ValidateResearchVisit; "opinions[i]." in front of an opinion's field), kAborted (stale version).
    Result<domain::StudySession> CreateStudySession(const Actor& actor, const StudySessionDraft& draft);
    Result<domain::StudySession> GetStudySession(const Actor& actor, domain::StudySessionId id);
    Result<domain::StudySession> UpdateStudySession(const Actor& actor, domain::StudySessionId id,
                                                    const StudySessionPatch& patch, std::int64_t version);
    // `version` (If-Match), when given, must be the current one (kAborted otherwise).
    Status DeleteStudySession(const Actor& actor, domain::StudySessionId id, std::optional<std::int64_t> version);
    // Sessions of the subtree of org_id (in scope), held_on in [from, to], newest first; cursor: opaque.
    Result<Page<domain::StudySession>> ListStudySessions(const Actor& actor, domain::OrgId org_id,
                                                         const std::optional<std::string>& from,
                                                         const std::optional<std::string>& to,
                                                         std::optional<domain::StudyForm> form,
                                                         const std::optional<std::string>& cursor, int limit);
    // Creates the visit and registers each opinion heard (channel research_visit, status received; they
    // enter the opinion inbox like any other) in one transaction. An opinion's org_id must be in scope with
    // the clerk role (like POST /api/v1/opinions). visited_org_id outside scope: kNotFound.
    Result<ResearchVisitDetail> CreateResearchVisit(const Actor& actor, const ResearchVisitDraft& draft);
    Result<ResearchVisitDetail> GetResearchVisit(const Actor& actor, domain::ResearchVisitId id);
    Result<ResearchVisitDetail> AddVisitOpinions(const Actor& actor, domain::ResearchVisitId id,
                                                 const std::vector<VisitOpinionDraft>& opinions);
    Result<Page<domain::ResearchVisit>> ListResearchVisits(const Actor& actor, domain::OrgId org_id,
                                                           const std::optional<std::string>& from,
                                                           const std::optional<std::string>& to,
                                                           const std::optional<std::string>& cursor, int limit);
    // Figures of the subtree of org_id and of each child's subtree, dates in [from, to] ("YYYY-MM-DD",
    // inclusive). Errors: kNotFound, kInvalidArgument ("from: ...", "to: ... is before from").
    Result<StudyStats> GetStudyStats(const Actor& actor, domain::OrgId org_id, const std::optional<std::string>& from,
                                     const std::optional<std::string>& to);
    // Errors: kNotFound, kInvalidArgument ("weeks: ...", "limit", "offset").
    Result<InactiveStudyPage> ListInactiveStudyOrgs(const Actor& actor, const InactiveStudyQuery& query,
                                                   UnixSeconds now);

    // ---- supervision (issue 8): src/service/supervision.cpp, docs/SUPERVISION.md ----
    void ConfigureSupervision(SupervisionPolicy policy);
    const SupervisionPolicy& supervision_policy() const { return supervision_; }
    const domain::WorkCalendar& calendar() const;

    // The task's warning at `now` and its ladder steps; scope as GetTask. Errors: kNotFound.
    Result<TaskSupervision> GetTaskSupervision(const Actor& actor, domain::TaskId id, UnixSeconds now);
    // Takes a ladder step by hand, at `now`: a supervisor or leader over the level above the task's org
    // (or over the org that created the task, when that is another org) — nobody supervises itself. Urge and
    // supervise only while the deadline runs (pending, in progress, returned); an interview also on a
    // submitted or accepted task (it may be held after the fact), never on a withdrawn one. One
    // transaction: the step, an event on the task's timeline, a notification to the task's org and its
    // webhook deliveries. Errors: kNotFound, kPermissionDenied, kFailedPrecondition (task state),
    // kInvalidArgument naming the field (reason empty or over 2,000 characters; interview without
    // official or held_at; feedback_every_days outside 1..365).
    Result<domain::SupervisionStep> TakeSupervisionStep(const Actor& actor, domain::TaskId id,
                                                        const SupervisionDraft& draft, UnixSeconds now);
    // One scheduler pass at `now`: every open task past its deadline is urged, and supervised later,
    // per the ladder policy (domain::DueLadderStep), each step in its own transaction and at most once
    // per task, kind and deadline (also across restarts and servers: the store refuses a second one).
    // Errors: kUnavailable when the store cannot be read; a failure on one task is reported and skipped.
    Result<LadderRunReport> RunLadder(UnixSeconds now);

    // Fixes an opinion's deadline from its class and received_at by the policy's profile
    // (domain::SlaDueAt) unless it is set already (reply_due_at != 0: an import whose source states the
    // deadline, e.g. fz12345's --due-days), and takes an already given reply (imports) as its first
    // response.
    void StampOpinionSla(domain::Opinion& o) const;
    // The opinion CreateOpinion stores for `draft`: scope (kNotFound "org_id: ..."), the clerk role
    // (kPermissionDenied), the handling-time limit, domain::ValidateOpinion. Nothing is written.
    Result<domain::Opinion> NewOpinion(const Actor& actor, const OpinionDraft& draft) const;
    // The opinions of a visit's drafts (NewOpinion each, channel research_visit, errors with "opinions[i]."
    // in front), and their writing with the visit links and events inside `tx` (study.cpp).
    Result<std::vector<domain::Opinion>> VisitOpinions(const Actor& actor, const domain::ResearchVisit& visit,
                                                       const std::vector<VisitOpinionDraft>& drafts) const;
    Status StoreVisitOpinions(const Actor& actor, store::WriteTx& tx, const domain::ResearchVisit& visit,
                              std::vector<domain::Opinion>& opinions);
    // The rates of the opinions received in [from, to) (UTC seconds) in org_id's subtree and in each
    // child's, at `now`. Needs any role that reads figures — scope only, like GET /stats. Errors:
    // kNotFound (org out of scope), kInvalidArgument (from >= to).
    Result<OpinionRates> GetOpinionRates(const Actor& actor, domain::OrgId org_id, UnixSeconds from, UnixSeconds to,
                                         UnixSeconds now);

    // A work queue at `now`, sorted (store::QueueFilter), one page with the total. to_verify holds the
    // submitted tasks the actor may verify (verifier, reviewer or admin over a strict ancestor of the
    // task's org); escalations the pending escalations to orgs where the actor is reviewer or admin;
    // opinions_overdue the opinions not yet answered past their limit (reply_due_at < now), oldest
    // deadline first.
    // Errors: kNotFound (org_id out of scope), kInvalidArgument (offset, limit).
    Result<Page<QueueItem>> ListQueue(const Actor& actor, WorkQueue queue, const QueueQuery& query, UnixSeconds now);

    // Computes and stores a bulletin (通报) over the children of draft.org_id, at `now`: per child the
    // figures of store::Store::BulletinFigures, ranked by domain::RankBulletin. Needs supervisor, leader
    // or admin over org_id. Errors: kNotFound, kPermissionDenied, kInvalidArgument (title, period,
    // min_sample outside 0..100000, an org without children).
    Result<domain::Bulletin> PublishBulletin(const Actor& actor, const BulletinDraft& draft, UnixSeconds now);
    Result<domain::Bulletin> GetBulletin(const Actor& actor, domain::BulletinId id);
    // Bulletins of orgs in the subtree of org_id (default: the scope), newest first, at most 100.
    Result<std::vector<domain::Bulletin>> ListBulletins(const Actor& actor, std::optional<domain::OrgId> org_id);
    // Writes a bulletin's table to a ledger sink (XLSX or CSV). Errors: as GetBulletin, the sink's.
    Status ExportBulletin(const Actor& actor, domain::BulletinId id, LedgerSink& sink);

    // Supervision teams (docs/SUPERVISION.md#teams). The forming org's org_admin (or admin) manages a team;
    // a team is visible where its org is. Members are users the actor can see (GetUser); assignments are
    // orgs inside the forming org's subtree. While assigned, every member holds domain::kTeamMemberRoles
    // over the assigned subtree (added to the member's grants at each request). Every change is an event
    // of entity "supervision_team". Errors: kNotFound (team, org or user outside scope), kPermissionDenied,
    // kInvalidArgument (name, an org outside the forming org's subtree), kAlreadyExists (member twice).
    Result<domain::SupervisionTeam> CreateTeam(const Actor& actor, const TeamDraft& draft);
    Result<domain::SupervisionTeam> GetTeam(const Actor& actor, domain::TeamId id);
    Result<std::vector<domain::SupervisionTeam>> ListTeams(const Actor& actor, std::optional<domain::OrgId> org_id);
    Result<domain::SupervisionTeam> AddTeamMember(const Actor& actor, domain::TeamId id, domain::UserId user_id);
    Result<domain::SupervisionTeam> RemoveTeamMember(const Actor& actor, domain::TeamId id, domain::UserId user_id);
    Result<domain::SupervisionTeam> AssignTeam(const Actor& actor, domain::TeamId id, domain::OrgId org_id);
    Result<domain::SupervisionTeam> EndTeamAssignment(const Actor& actor, domain::TeamId id,
                                                      domain::TeamAssignmentId assignment_id);

    // ---- notifications and webhooks (issue 8): src/service/notifications.cpp, docs/SUPERVISION.md ----
    // The inbox of the acting user: notifications to the user and to the user's own org (User::org_id),
    // newest first, with the user's read state. Errors: kFailedPrecondition (an actor without a user
    // account, e.g. the command line), kInvalidArgument (cursor, limit), kNotFound (user gone).
    Result<Page<domain::Notification>> ListInbox(const Actor& actor, const InboxQuery& query);
    // Unread notifications in the acting user's inbox. Errors: as ListInbox.
    Result<std::int64_t> CountUnreadNotifications(const Actor& actor);
    // Marks one notification of the inbox read for the acting user (idempotent: the first read_at stays)
    // and returns it. Errors: as ListInbox; kNotFound when it is not in the user's inbox.
    Result<domain::Notification> MarkNotificationRead(const Actor& actor, domain::NotificationId id, UnixSeconds now);
    // Marks every unread notification of the inbox read; returns how many. Errors: as ListInbox.
    Result<std::int64_t> MarkAllNotificationsRead(const Actor& actor, UnixSeconds now);

    // Webhooks: every call needs org_admin (or admin) over the webhook's org; outside the scope kNotFound.
    // Create: kInvalidArgument (url: ParseWebhookUrl; kinds: unknown or repeated), kNotFound (org),
    // kPermissionDenied. The secret is generated here (RandomToken) and returned once.
    Result<CreatedWebhook> CreateWebhook(const Actor& actor, const WebhookDraft& draft);
    // The webhooks of orgs in the subtree of org_id (default: the scope) the actor administers, by id.
    Result<std::vector<domain::Webhook>> ListWebhooks(const Actor& actor, std::optional<domain::OrgId> org_id);
    Result<domain::Webhook> GetWebhook(const Actor& actor, domain::WebhookId id);
    // Changes url, kinds and active. `version`: If-Match (stale: kAborted). Deactivating pauses the
    // webhook: its pending deliveries stay pending and go out once it is active again; new
    // notifications are not queued for it meanwhile.
    Result<domain::Webhook> UpdateWebhook(const Actor& actor, domain::WebhookId id, const WebhookPatch& patch,
                                          std::optional<std::int64_t> version);
    // The newest `limit` (1..kMaxPageSize) deliveries of a webhook, newest first.
    Result<std::vector<domain::WebhookDelivery>> ListWebhookDeliveries(const Actor& actor, domain::WebhookId id,
                                                                       int limit);

    void ConfigureWebhooks(WebhookPolicy policy);
    const WebhookPolicy& webhook_policy() const { return webhooks_; }
    // One delivery pass at `now` (UTC seconds): every pending delivery of an active webhook with
    // next_attempt_at <= now is POSTed once through `transport`, oldest first, with the headers
    // Content-Type: application/json, X-Rectify-Delivery: <delivery id>, X-Rectify-Timestamp: <now>,
    // X-Rectify-Signature: WebhookSignature(secret, now, payload). 2xx: delivered; otherwise attempts + 1
    // and retried after RetryDelaySeconds, or dead after WebhookPolicy::max_attempts. Each outcome is
    // stored before the next POST. Delivery is at least once: a process killed between a POST and the
    // write of its outcome sends it again (receivers de-duplicate by X-Rectify-Delivery). `stop`: checked
    // between deliveries (server shutdown). Errors: kUnavailable when the outbox cannot be read.
    Result<DeliveryReport> DeliverWebhooks(UnixSeconds now, WebhookTransport& transport, std::stop_token stop = {});
    // RunLadder(now) then DeliverWebhooks(now, transport): what the scheduler of `rectify serve` does
    // every --scan-seconds, and `rectify supervise run`. At most one pass runs at a time across all servers
    // of the database (Store::RunExclusive: a PostgreSQL session advisory lock held for the whole pass);
    // when another one runs, this one does nothing and says so (skipped_running_elsewhere). Errors: those
    // of RunLadder and DeliverWebhooks; kUnavailable when the lock cannot be asked for.
    Result<SupervisionPassReport> RunSupervisionPass(UnixSeconds now, WebhookTransport& transport,
                                                     std::stop_token stop = {});

private:
    explicit Service(std::unique_ptr<store::Store> store);
    Result<std::vector<std::string>> ScopePaths(const Actor& actor, std::optional<domain::OrgId> org_id);
    Result<domain::Org> GetOrgInScope(const Actor& actor, domain::OrgId id);
    // accounts.cpp
    Actor ActorOf(const domain::User& user, const std::vector<domain::Grant>& grants) const;
    bool CanManage(const Actor& actor, const domain::User& user) const;
    bool CanGrant(const Actor& actor, const domain::Grant& grant) const;
    Result<domain::User> ManagedUser(const Actor& actor, domain::UserId id);
    Status FailedLogin(const std::string& name, const std::string& client, std::optional<domain::UserId> user_id,
                       domain::LoginOutcome outcome);

    std::unique_ptr<store::Store> store_;
    std::unique_ptr<detail::AccountState> accounts_;
    // Orgs as GetOrgInScope, ScopePaths, GetProblem and ChildStats read them (issue 11: the org's read was 8 % of a
    // `/stats` request). Orgs change only by creation and moves (the store writes nothing else of an org),
    // each an "org" event: ApplyEvents and ReloadTree invalidate it; no age bound. kOrgCacheCapacity entries.
    static constexpr std::size_t kOrgCacheCapacity = 4096;
    std::unique_ptr<detail::GenerationCache<domain::OrgId, domain::Org>> org_cache_;
    // An org by id through org_cache_. Errors: the store's GetOrg (kNotFound).
    Result<domain::Org> CachedOrg(domain::OrgId id);
    mutable std::shared_mutex tree_mutex_;
    std::shared_ptr<const index::OrgTree> tree_;
    // ---- the roll-up index (issue 6): built at Create, fed by the store's commit observer ----
    // Builds rollup_, side_ and task_index_ from the store, the last two on threads of their own (reads on
    // pooled connections), and clears rollup_stale_ when all three succeeded. Errors: the store's, the
    // indexes' Build (the first of the roll-up's, the side index's, the task index's that failed).
    Status RebuildRollup();
    // The index, rebuilt first when stale. Errors: kUnavailable.
    Result<std::shared_ptr<index::RollupIndex>> Rollup();
    // Checks the query (errors: see Stats) and makes the index's query at now.
    Result<index::FiguresQuery> CheckStatsQuery(const StatsQuery& query);
    // The commit observer: the events this process's write just committed, in id order, inside the store's
    // write lock. Catches up first when other processes committed events since the last applied one.
    void OnCommit(const std::vector<store::Event>& events);
    // Who committed the events ApplyEvents gets: this process (whose writers reload the org tree themselves
    // after the write) or another one (seen through the event log).
    enum class EventOrigin { kThisProcess, kOtherProcess };
    // The one path every committed event takes (apply_mutex_ held, events in id order, each after
    // applied_event_id_): bumps the hot-issue generation for opinion and org events, reloads the org tree
    // for org events of other processes, updates the roll-up index (marked stale when that fails), and
    // advances applied_event_id_. Errors: the tree reload's (applied_event_id_ then stays put).
    Status ApplyEvents(const std::vector<store::Event>& events, EventOrigin origin);
    // CatchUp with apply_mutex_ held.
    Result<std::int64_t> CatchUpLocked();
    Status ApplyToRollup(const std::vector<store::Event>& events);
    // The top-level (depth 1) category of `id` (itself at depth 1); nullopt for none. Errors: kNotFound
    // (no such category), the store's.
    Result<std::optional<domain::CategoryId>> TopCategory(std::optional<domain::CategoryId> id);
    // The category catalogue in memory (issue 11: reading it was 8 % of a `/stats` request,
    // docs/PERFORMANCE.md#province-http-indexes). Categories are only ever added (the store has no update
    // or delete of one; `rectify init` adds them), so a catalogue stays right but for categories added
    // since it was read: it is read once, again after this process's Init, and again when asked to hold an
    // id it lacks — so one added by another process is found at its first use (a listing of all shows it
    // after that or a restart).
    struct CategoryCatalogue {
        std::vector<domain::Category> categories;                            // the store's order
        std::unordered_map<domain::CategoryId, std::size_t> position;        // id -> index in categories
        std::unordered_map<domain::CategoryId, domain::CategoryId> top;      // id -> its depth-1 ancestor
        const domain::Category* Find(domain::CategoryId id) const;
    };
    // The catalogue, read again first when `holding` is set and not in it (it may still lack it after:
    // callers check). Errors: the store's.
    Result<std::shared_ptr<const CategoryCatalogue>> Catalogue(std::optional<domain::CategoryId> holding = std::nullopt);
    std::mutex catalogue_mutex_;  // guards catalogue_; taken after rollup_mutex_ when both are (TopCategory)
    std::shared_ptr<const CategoryCatalogue> catalogue_;
    // Whether the subtrees `subtree_paths` hold at least 1 / kWalkByIdShare of all problems, by the roll-up
    // index (false while it is not built or stale: a plan hint never builds it). Sets
    // store::ProblemFilter::walk_by_id.
    static constexpr std::int64_t kWalkByIdShare = 8;
    bool LargeShareOfProblems(const std::vector<std::string>& subtree_paths) const;
    Result<OrgStats> StatsFromFigures(domain::Org org, const index::Figures& f, const StatsQuery& query, UnixSeconds at);
    mutable std::mutex rollup_mutex_;  // guards rollup_, rollup_stale_
    std::shared_ptr<index::RollupIndex> rollup_;
    // The side-figures index (issue 6, src/index/side_index.hpp): opinion and link figures and escalated_from
    // for /stats. Built, fed and marked stale with rollup_, under rollup_mutex_; null while rollup_ is.
    std::shared_ptr<index::SideIndex> side_;
    // Builds side_ from the store's opinions, linked problems and cascades (on RebuildRollup's second thread,
    // rollup_mutex_ held by it; touches side_ and the store only; `orgs`: every org, as RebuildRollup read
    // them). Errors: the store's, the index's Build.
    Status RebuildSideIndex(const std::vector<domain::Org>& orgs);
    // Feeds side_ the events (rollup_mutex_ held): org creates, imports and moves; every opinion event
    // (re-reads the opinion), every problem event (re-reads its owner, co-owners and accepted escalations),
    // task "cascade" events (re-reads the parent task's cascades). Errors: the store's, the index's
    // (the caller then marks both indexes stale).
    Status ApplyToSideIndex(const std::vector<store::Event>& events);
    // Fills s's opinion figures, link figures and escalated_from from side_ (the names of the origin orgs
    // from the store). Errors: kUnavailable (side_ not built), kNotFound (s.org unknown to the index).
    Status SideFiguresInto(OrgStats& s);
    // The task index (issue 6: stalled, supervised this month), built and fed with rollup_, under
    // rollup_mutex_ and marked stale with it (rollup_stale_).
    std::shared_ptr<index::TaskIndex> task_index_;
    // RebuildRollup's part for the task index (on its third thread, rollup_mutex_ held by it; touches
    // task_index_ and the store only): every open task's last activity and every supervise step from the
    // store. `orgs` empty: no index. Errors: the store's, TaskIndex::Build's.
    Status RebuildTaskIndex(const std::vector<domain::Org>& orgs);
    // ApplyToRollup's part (rollup_mutex_ held): org creations, imports and moves; for each task event the
    // task is re-read (ListTaskActivity: open -> PutOpenTask, else DropTask), with its cascade children after
    // a "cascade", and after a "supervise" step its supervise steps (AddStep ignores those already added).
    // Errors: kFailedPrecondition (no index), the store's and the index's.
    Status ApplyToTaskIndex(const std::vector<store::Event>& events);
    // StatsFromFigures' part: s.stalled (the stalled queue's rule at `at`, supervision.warnings.stalled_days)
    // and s.supervised_this_month (supervise steps from the 1st of `at`'s month in the display zone to `at`
    // inclusive) of s.org's subtree, from the task index. Errors: kUnavailable (no index), kNotFound.
    Status TaskFiguresFromIndex(OrgStats& s, UnixSeconds at);
    // The total of the overdue or due-soon work queue (ListQueue) over the subtrees of `roots` (disjoint) at
    // `now`, due soon before `due_before` (UTC seconds), from the task index: the same rule as
    // Store::CountQueue kOverdue / kDueSoon (task_index.hpp); and the same queue's total over the whole org
    // tree, for the page's plan (QueueFilter::walk_by_deadline: ListQueue walks in deadline order when that
    // reads fewer rows than starting from the subtrees' orgs). nullopt when the index is not built or is stale, an org is
    // unknown to it, or `queue` is another: the caller counts in SQL then. Issue 11 item 2.
    struct DeadlineTotals {
        std::int64_t subtrees = 0;
        std::int64_t all = 0;
    };
    std::optional<DeadlineTotals> DeadlineTotalsFromIndex(WorkQueue queue, const std::vector<domain::OrgId>& roots,
                                                         UnixSeconds now, UnixSeconds due_before);
    bool rollup_stale_ = false;  // an update failed: rebuild before the next query
    // ---- following other servers (issue 10) ----
    mutable std::mutex apply_mutex_;      // serialises ApplyEvents (commit observer and follower)
    std::int64_t applied_event_id_ = 0;  // guarded by apply_mutex_
    std::mutex follower_mutex_;           // guards follower_ (StartFollowing / StopFollowing)
    // ---- supervision (issue 8) ----
    // Inside a write: the step, its event on the task, the notification to the task's org and the
    // webhook outbox rows.
    Status RecordStep(store::WriteTx& tx, const Actor& actor, const domain::Task& task, domain::SupervisionStep& step);
    // The team, visible and managed by the actor (org_admin over its org). Errors: kNotFound, kPermissionDenied.
    Result<domain::SupervisionTeam> ManagedTeam(const Actor& actor, domain::TeamId id, const std::string& doing);
    // A team change: `change` runs inside one write with the team's event; returns the team afterwards.
    Result<domain::SupervisionTeam> ChangeTeam(const Actor& actor, domain::TeamId id, const std::string& action,
                                               const nlohmann::json& detail,
                                               const std::function<Status(store::WriteTx&)>& change);
    // accounts.cpp: the user's own grants and those of the teams the user is assigned through.
    std::vector<domain::Grant> EffectiveGrants(const domain::User& user);
    SupervisionPolicy supervision_;
    // ---- notifications and webhooks (issue 8) ----
    // The acting user (its org is the inbox's org). Errors: kFailedPrecondition without a user.
    Result<domain::User> InboxUser(const Actor& actor);
    // The webhook, in scope (else kNotFound) and administered by the actor (else kPermissionDenied).
    Result<domain::Webhook> ManagedWebhook(const Actor& actor, domain::WebhookId id, const std::string& doing);
    WebhookPolicy webhooks_;
    // ---- public intake (issue 9) ----
    // The public view of the public request `id` (one joined query). Errors: kNotFound.
    Result<PublicView> ViewOf(domain::OpinionId id);
    // Stores `content` in the blob store and runs `write(sha256)` (the transaction that refers to it);
    // when `write` fails and this call created the file, deletes it again, so a refused filing or upload
    // leaves no file behind. blob_mutex_ is held throughout, so that a concurrent Put of the same content
    // in this process cannot lose its file to that deletion (one process per blob directory; docs/PUBLIC.md).
    // Errors: those of the blob store, else those of `write`.
    Status WithNewBlob(std::string_view content, const std::function<Status(const std::string& sha256)>& write);
    std::mutex blob_mutex_;
    // ---- hot issues cache (docs/TEXT.md#hot-issue-cache) ----
    // Answers of FindHotIssues by scope paths, org, window and limit; an entry is used while
    // hot_generation_ equals the one it was computed at (OnCommit bumps it for every opinion or org event)
    // and for at most kHotIssueCacheSeconds. Guarded by hot_mutex_; at most kHotIssueCacheEntries (then
    // cleared).
    // FindHotIssues without the cache: `out` has org_id, from and to set.
    Result<HotIssues> ComputeHotIssues(const std::vector<std::string>& paths, const HotIssueQuery& query,
                                       HotIssues out);
    struct HotIssueCacheEntry {
        HotIssues value;
        std::int64_t generation = 0;
        std::int64_t stored_at_ms = 0;
    };
    std::mutex hot_mutex_;
    std::unordered_map<std::string, HotIssueCacheEntry> hot_cache_;
    std::atomic<std::int64_t> hot_generation_{0};
    PublicPolicy public_;
    // ---- campaigns (issue 5) ----
    bool CampaignVisible(const Actor& actor, const domain::Campaign& campaign) const;
    // The campaign and special item filters of lists and figures: each, when given, must be visible.
    // Errors: kNotFound "campaign_id: ..." / "special_item_id: ...".
    Status CheckCampaignFilter(const Actor& actor, std::optional<domain::CampaignId> campaign_id,
                               std::optional<domain::SpecialItemId> special_item_id);
    // The campaign when visible (else kNotFound "<field>: campaign N does not exist").
    Result<domain::Campaign> VisibleCampaign(const Actor& actor, domain::CampaignId id, const std::string& field);
    // Checks the tags of a problem owned by `owner` and fills p.campaign_id / p.special_item_ids (sorted).
    // Errors: kNotFound (campaign or item not visible), kInvalidArgument (owner outside the campaign's
    // subtree, domain::ValidateProblemTags).
    Status ApplyProblemTags(const Actor& actor, domain::Problem& p, std::optional<domain::CampaignId> campaign_id,
                            const std::vector<domain::SpecialItemId>& item_ids);
    // ---- issue 12 ----
    std::vector<std::string> leading_cadre_ranks_{"division", "bureau", "province", "state"};
    // ---- workflow (issue 3) ----
    EvidenceOptions evidence_{"", domain::EvidencePolicy{20 * 1024 * 1024, domain::DefaultEvidenceTypes()}};
    // The follower thread (StartFollowing). Last member: destroyed (stopped and joined) first.
    std::jthread follower_;
};

// Builds an event row for `entity`/`id` with optional before/after JSON, at now, by `actor`.
store::Event MakeEvent(const Actor& actor, std::string entity, std::int64_t id, std::string action,
                       const std::optional<nlohmann::json>& before, const std::optional<nlohmann::json>& after);

// Cursor encoding: opaque to clients ("c" followed by the last id, base-36). Errors: kInvalidArgument.
std::string EncodeCursor(std::int64_t last_id);
Result<std::int64_t> DecodeCursor(const std::string& cursor);

}  // namespace rectify::service
