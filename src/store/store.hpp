// The persistent store: orgs, categories, problems, opinions, the append-only event log, import batches.
// One implementation over SOCI serves SQLite (the embedded default) and PostgreSQL 15; dialect
// differences live in dialect.cpp. Called by src/service (and src/cli to open it).
// Thread-safe: reads run on pooled connections; writes are serialised (one writer at a time, as SQLite
// requires) and each Write() is one transaction.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/account.hpp"
#include "domain/campaign.hpp"
#include "domain/cause.hpp"
#include "domain/linkage.hpp"
#include "domain/model.hpp"
#include "domain/routing.hpp"
#include "domain/study.hpp"
#include "domain/opinion_sla.hpp"
#include "domain/public_intake.hpp"
#include "domain/supervision.hpp"
#include "domain/workflow.hpp"

namespace rectify::store {

// One row of the event log: who did what to which record, with JSON snapshots before and after.
// The log is a hash chain (docs/SECURITY.md#audit-chain): AppendEvent fills org_id (when the caller
// left it empty), prev_hash and hash inside the writing transaction, so no caller can skip them.
struct Event {
    std::int64_t id = 0;
    UnixSeconds at = 0;
    std::string actor;
    std::string entity;  // "org", "problem", "opinion", "user", "api_token", ...
    std::int64_t entity_id = 0;
    std::string action;  // "create", "update", "move", "import", "grant", ...
    std::optional<std::string> before_json;
    std::optional<std::string> after_json;
    // ---- workflow (issue 3): transitions record the status before and after and the reason ----
    std::optional<std::string> from_state;
    std::optional<std::string> to_state;
    std::optional<std::string> reason;
    // The org the event belongs to (export by subtree). Left empty, AppendEvent derives it: the org
    // itself, a problem's owner, an opinion's org, a user's org, a token owner's org; otherwise an
    // "org_id" or "owner_org_id" member of the JSON after (or before). Null when none applies.
    std::optional<domain::OrgId> org_id;
    std::string prev_hash;  // hex SHA-256 of the previous event (kGenesisHash for the first)
    std::string hash;       // hex SHA-256 of prev_hash and this event's canonical content
};

// prev_hash of the first event: 64 zeros.
inline const std::string kGenesisHash(64, '0');

// The canonical content of an event that its hash covers: every stored field but the two hashes,
// in the order id, at, actor, entity, entity_id, action, before_json, after_json, from_state, to_state,
// reason, org_id, each
// written as a netstring "<byte length>:<bytes>," (integers in decimal) and a missing value as "~,".
// Unambiguous for any bytes, so no two different events share a content.
std::string CanonicalEventContent(const Event& event);
// Lower-case hex SHA-256 of prev_hash (64 hex characters) followed by CanonicalEventContent(event).
std::string ChainHash(const std::string& prev_hash, const Event& event);

// What `rectify audit verify` found. `first_broken_id` is the id of the first event whose stored
// prev_hash is not the hash of the event before it, or whose stored hash is not ChainHash of its
// content; `reason` says which.
struct ChainReport {
    std::int64_t events = 0;      // events checked
    std::string head_hash;        // hash of the last event (kGenesisHash when the log is empty)
    std::int64_t head_id = 0;
    std::optional<std::int64_t> first_broken_id;
    std::string reason;
    bool ok() const { return !first_broken_id; }
};

// Filter of the audit export: events of the orgs inside `subtree_paths` (empty: the whole log,
// including events that belong to no org), at in [from, to), ids after `after_id`, oldest first.
struct AuditFilter {
    std::vector<std::string> subtree_paths;
    std::optional<UnixSeconds> from;
    std::optional<UnixSeconds> to;
    std::optional<std::int64_t> after_id;
    int limit = 1000;
};

// A user as the login needs it: the record and the stored Argon2id PHC string.
struct UserCredentials {
    domain::User user;
    std::string password_hash;
};

// A session found by its secret, with its user (and the user's grants).
struct SessionRecord {
    domain::Session session;
    domain::User user;
};

// A token found by its secret, with its owner.
struct TokenRecord {
    domain::ApiToken token;
    domain::User user;
};

// What an import did with one file.
struct ImportBatch {
    std::int64_t id = 0;
    std::string kind;  // "divisions", "orgs", "opinions:wenzheng", "opinions:fz12345", "problems"
    std::string file_name;
    std::string file_sha256;
    std::string actor;
    UnixSeconds started_at = 0;
    std::int64_t rows_read = 0, rows_stored = 0, rows_existing = 0, rows_rejected = 0;
};

// Filters for lists. `subtree_paths` restricts to records whose org path starts with any of them
// (empty = no org restriction: callers always pass the actor's scope). Lists are newest first (id
// descending); `before_id` is the cursor: only ids below it.
// Orders of a problem list; each ends with id (newest first) to break ties. Missing dates sort last.
enum class ProblemOrder { kIdDesc, kCreatedAsc, kCreatedDesc, kDueAsc, kDueDesc, kClosedAsc, kClosedDesc };

struct ProblemFilter {
    std::vector<std::string> subtree_paths;
    std::vector<domain::ProblemStatus> statuses;
    std::optional<std::string> category_path;  // the category and everything below it
    std::optional<domain::ProblemSource> source;
    std::optional<UnixSeconds> created_from;  // inclusive
    std::optional<UnixSeconds> created_to;    // exclusive
    // Overdue (超期): a deadline, and closed after it, or not closed (nor invalid or merged) and the
    // deadline before `now`. false: everything else.
    std::optional<bool> overdue;
    UnixSeconds now = 0;
    std::optional<domain::CampaignId> campaign_id;        // only problems tagged with this campaign
    std::optional<domain::SpecialItemId> special_item_id;  // only problems tagged with this special item
    std::optional<int> batch;                 // only problems whose owner org has this batch (0..2)
    std::optional<domain::OrgKind> org_kind;  // only problems whose owner org has this kind
    std::optional<std::int64_t> cause_category_id;  // only problems whose cause analysis names it (issue 12)
    std::vector<domain::ProblemId> ids;  // only these (empty: no restriction; the service caps it at 1,000)
    std::optional<std::int64_t> before_id;  // goes with kIdDesc only
    ProblemOrder order = ProblemOrder::kIdDesc;
    // A plan hint, same answer: the subtrees hold a large share of all problems, so with kIdDesc the list
    // walks table `problem` newest first and probes each owner's path (stopping at `limit` matches) instead of
    // gathering and sorting every problem of the subtrees. Used on SQLite, whose planner has no statistics to
    // see it (PostgreSQL's has); docs/PERFORMANCE.md#list-walk.
    bool walk_by_id = false;
    std::int64_t offset = 0;
    int limit = 50;
};

struct OpinionFilter {
    std::vector<std::string> subtree_paths;
    std::vector<domain::OpinionStatus> statuses;
    std::optional<domain::OpinionChannel> channel;
    std::optional<std::string> category_path;
    std::optional<bool> replied;
    std::optional<UnixSeconds> received_from;  // inclusive
    std::optional<UnixSeconds> received_to;    // exclusive
    std::optional<std::int64_t> before_id;
    int limit = 50;
};

// Raw figures of one subtree, from which the service computes rates and medians.
struct SubtreeFigures {
    std::int64_t problems = 0;
    std::map<std::string, std::int64_t> by_status;           // status name -> count
    std::map<std::optional<domain::CategoryId>, std::int64_t> by_category;  // category at the asked depth
    std::int64_t closed_with_due = 0;                         // closed problems that had a due date
    std::int64_t closed_on_time = 0;                          // ... closed at or before it
    std::vector<std::int64_t> close_seconds;                  // closed_at - created_at of closed problems
    std::int64_t opinions = 0;
    std::int64_t opinions_replied = 0;
    // Satisfaction ratings (满意度测评) of the opinions: the last rating of each rated opinion.
    std::int64_t opinions_rated = 0;
    std::int64_t opinions_satisfied = 0;            // 满意
    std::int64_t opinions_basically_satisfied = 0;  // 基本满意
};

// A cut of figures by campaign tags (issue 5): problems tagged with the campaign and/or the special item.
struct ProblemTagCut {
    std::optional<domain::CampaignId> campaign_id;
    std::optional<domain::SpecialItemId> special_item_id;
    bool empty() const { return !campaign_id && !special_item_id; }
};

// How one subtree takes part in linkage (issue 5; figures of issue 6), each problem or task counted once.
// "Inside" = the org's path lies in the subtree's path range. Rules: docs/LINKAGE.md#link-figures.
struct SubtreeLinkFigures {
    // 同题共答: problems with a co-owner inside whose owner (the lead) lies outside.
    std::int64_t co_owned = 0;
    // 下题上答 sent up: problems whose accepted escalation came from an origin org inside and whose owner
    // (the org answering them) now lies outside.
    std::int64_t escalated_up = 0;
    // 上题下答 issued: child tasks created by cascades issued by orgs inside (waived ones included).
    std::int64_t cascaded_down = 0;
    // 上题下答 received: child tasks of orgs inside from cascades issued by an org outside (above).
    std::int64_t cascaded_in = 0;
};

// ---- the side-figures index (issue 6, src/index/side_index.hpp): the facts it is fed ----
// One opinion as OpinionFigures counts it: its org, whether replied_at is set, its satisfaction column.
struct OpinionFactsRow {
    domain::OpinionId id = 0;
    domain::OrgId org_id = 0;
    bool replied = false;
    std::optional<domain::Satisfaction> satisfaction;
};
// One problem's link facts as LinkFigures and EscalatedFrom count them: its owner, its co-owners' orgs and
// the distinct origin orgs of its accepted escalations (both ascending).
struct ProblemLinkRow {
    domain::ProblemId id = 0;
    domain::OrgId owner_org_id = 0;
    std::vector<domain::OrgId> co_owner_org_ids;
    std::vector<domain::OrgId> escalation_origin_org_ids;
};
// One cascade as LinkFigures counts it: the issuing org (task_cascade.org_id), `created`, and its child tasks
// (task.cascade_id = id and task.parent_task_id = the cascade's parent task) grouped by org, ascending.
struct CascadeRow {
    domain::CascadeId id = 0;
    domain::OrgId org_id = 0;
    std::int64_t created = 0;
    std::vector<std::pair<domain::OrgId, std::int64_t>> child_task_orgs;
};

// The facts of one problem that the roll-up index counts (src/index/rollup_index.hpp: ProblemFacts, but
// with the problem's own category, which the service maps to its top-level one). Instants: UTC seconds.
struct ProblemSummary {
    domain::ProblemId id = 0;
    domain::OrgId owner_org_id = 0;
    domain::ProblemStatus status = domain::ProblemStatus::kRegistered;
    std::optional<domain::CategoryId> category_id;
    domain::ProblemSource source = domain::ProblemSource::kOther;
    UnixSeconds created_at = 0;
    std::optional<UnixSeconds> due_at;
    std::optional<UnixSeconds> closed_at;
    std::optional<domain::CampaignId> campaign_id;        // issue 5
    std::vector<domain::SpecialItemId> special_item_ids;  // ascending
};

// ---- workflow (issue 3) ----

// The first response to a POST with an Idempotency-Key (status nullopt: the first request still runs).
struct IdempotencyRecord {
    std::string actor;
    std::string key;
    std::string method;
    std::string path;
    std::string request_sha256;
    std::optional<int> status;
    std::optional<std::string> content_type;
    std::optional<std::string> body;
    std::optional<std::string> headers_json;  // [["ETag","\"3\""],["Location","/api/..."]]
    UnixSeconds created_at = 0;
};

// Lists of mechanisms and meetings: orgs inside `subtree_paths` (empty = all), newest first, ids
// below `before_id`; mechanisms optionally only those linked to `problem_id`.
struct MechanismFilter {
    std::vector<std::string> subtree_paths;
    std::optional<domain::ProblemId> problem_id;
    std::optional<std::int64_t> before_id;
    int limit = 50;
};
struct MeetingFilter {
    std::vector<std::string> subtree_paths;
    std::optional<std::int64_t> before_id;
    int limit = 50;
};

// ---- study and research (issue 12, docs/STUDY.md); statements in study_sql.inc ----

// Lists of study sessions / research visits: orgs inside `subtree_paths` (empty = all), dates (held_on /
// visited_on, "YYYY-MM-DD") in [from, to] inclusive when given, newest first (date, then id, descending),
// keyed by `before` = (date, id) of the previous page's last row.
struct StudyListFilter {
    std::vector<std::string> subtree_paths;
    std::optional<std::string> from;
    std::optional<std::string> to;
    std::optional<domain::StudyForm> form;  // sessions only
    std::optional<std::pair<std::string, std::int64_t>> before;
    int limit = 50;
};

// The study and research counts of one org's own records (not its descendants') with dates in the range
// of Store::StudyFigures. hours_x100: hundredths of an hour.
struct StudyOrgCounts {
    domain::OrgId org_id = 0;
    std::string path;
    std::int64_t sessions = 0, hours_x100 = 0, expected = 0, present = 0;
    std::int64_t visits = 0, opinions = 0;
};
struct StudyFiguresRows {
    std::vector<StudyOrgCounts> by_org;  // only orgs with a session or a visit in the range, by path
    // Distinct (path of the visit's org, problem id) of the problems that opinions heard on the visits
    // became (opinion.problem_id), so callers count each problem once per subtree.
    std::vector<std::pair<std::string, domain::ProblemId>> visit_problems;
};

// The supervisor's queue of orgs without study or research (docs/STUDY.md#inactive): orgs inside the
// subtree `subtree_path` — of `level` when given, else the leaves (orgs without children) — and of `kind`
// when given, whose last study session or last research visit (own records) is missing or before
// `cutoff` ("YYYY-MM-DD"); by path, `offset` rows skipped.
struct InactiveStudyFilter {
    std::string subtree_path;
    std::optional<std::string> level;
    std::optional<domain::OrgKind> kind;
    std::string cutoff;
    std::int64_t offset = 0;
    int limit = 50;
};
struct InactiveStudyRow {
    domain::Org org;
    std::optional<std::string> last_study_on;
    std::optional<std::string> last_visit_on;
};

// ---- supervision (issue 8) ----

// The work queues of GET /api/v1/queues/{kind} that are lists of tasks (escalations have their own).
enum class QueueKind { kOverdue, kDueSoon, kStalled, kReturned, kToVerify };

// Which tasks a queue holds. Only tasks whose deadline runs (pending, in progress, returned) except
// kToVerify (submitted). Orders: overdue and due soon by deadline, then id; stalled by last activity;
// returned by the number of returns (most first), then id; to verify by submission time, then id.
struct QueueFilter {
    QueueKind kind = QueueKind::kOverdue;
    std::vector<std::string> subtree_paths;  // tasks of orgs inside these subtrees (the scope; required)
    std::vector<std::string> below_paths;    // kToVerify: only tasks of orgs strictly below one of these
    UnixSeconds now = 0;                     // kOverdue: due_at < now; kDueSoon: now <= due_at < due_before
    UnixSeconds due_before = 0;
    UnixSeconds stalled_before = 0;  // kStalled: created, returned and last report all before this
    int min_returns = 2;             // kReturned: returned at least this often (all rounds)
    std::int64_t offset = 0;
    int limit = 50;
    // kOverdue / kDueSoon, SQLite only (PostgreSQL plans from its statistics; rectify runs no ANALYZE, so
    // SQLite has none for the newer indexes): true walks the open tasks in deadline order (task_open_due)
    // and probes each one's org path, stopping at the page — right when the subtrees hold a large share of
    // the queue; false starts from the subtrees' orgs and reads only their open tasks (task_open_org), then
    // sorts — right for a small subtree; nullopt leaves the plan to SQLite. The answer is the same either way.
    std::optional<bool> walk_by_deadline;
};

// The task index's facts (issue 6, src/index/task_index.hpp). One open task (status pending, in progress or
// returned: the tasks QueueKind::kStalled considers) with its last activity = the latest of created_at,
// returned_at and its progress reports' reported_at (UTC seconds): the task is stalled before an instant T
// exactly when last_activity < T.
struct TaskActivity {
    domain::TaskId id = 0;
    domain::OrgId org_id = 0;  // task.org_id
    UnixSeconds last_activity = 0;
    std::optional<UnixSeconds> due_at;  // task.due_at: the deadline the overdue and due-soon queues count by
};

// Which tasks ListTaskActivity reads: every open task (`all`), or the open ones among `ids` and among the
// children (parent_task_id) of `parent_ids`.
struct TaskActivityFilter {
    bool all = false;
    std::vector<domain::TaskId> ids;
    std::vector<domain::TaskId> parent_ids;
};

// One supervision step as the task index counts it (CountSupervisionSteps: by kind, at, and org_id, the
// task's org when the step was taken). at: UTC seconds.
struct StepAt {
    std::int64_t id = 0;
    domain::TaskId task_id = 0;
    domain::OrgId org_id = 0;
    UnixSeconds at = 0;
};

struct QueueRow {
    domain::Task task;
    std::string problem_title;
    std::string org_name;
    std::optional<UnixSeconds> last_report_at;
    std::int64_t returns = 0;  // times the task was returned (events "return")
    // The highest ladder step taken on the task so far (urge < supervise < interview).
    std::optional<domain::SupervisionKind> ladder;
};

// An open task past its deadline, with the automatic steps already taken for that deadline. Of `task`
// only id, status, due_at and version are read (what the ladder's timing needs).
struct LadderCandidate {
    domain::Task task;
    std::optional<UnixSeconds> urged_at;  // the automatic urge for task.due_at
    bool supervised = false;              // an automatic supervise for task.due_at exists
};

// A pending escalation to an org inside `to_paths`, with its problem's title.
struct EscalationQueueRow {
    domain::Escalation escalation;
    std::string problem_title;
    std::string to_org_name;
};

// The inbox of one user: notifications to the user, or to org_id (the user's org), newest first.
struct NotificationFilter {
    domain::OrgId org_id = 0;
    std::int64_t user_id = 0;
    bool unread_only = false;
    std::optional<domain::NotificationId> before_id;
    int limit = 50;
};

// Which public intakes to list (Open311 GET requests): received in [from, to), with one of
// `service_codes` (empty: any) and, when `opinion_ids` is not empty, only those; at most `limit`, newest
// first.
struct PublicIntakeFilter {
    UnixSeconds from = 0;
    UnixSeconds to = 0;
    std::vector<std::string> service_codes;
    std::vector<domain::OpinionId> opinion_ids;  // non-empty: only these
    // The Open311 status (docs/PUBLIC.md#statuses): open = a received opinion without a reply, or an
    // accepted one whose problem is not closed, invalid or merged; closed = the others. nullopt: both.
    std::optional<bool> open;
    int limit = 1000;
};

// ---- campaigns (issue 5, docs/LINKAGE.md#campaigns) ----

// Counts over a set of problems (one special item's, or a whole campaign's), judged at `now`: closed =
// status closed; open = registered, planned, in progress or pending verification; overdue = open with
// due_at < now; closed_with_due / closed_on_time = closed problems with a due date / closed at or before it.
struct SpecialItemCounts {
    std::int64_t problems = 0;
    std::int64_t closed = 0;
    std::int64_t open = 0;
    std::int64_t overdue = 0;
    std::int64_t invalid_or_merged = 0;
    std::int64_t closed_with_due = 0;
    std::int64_t closed_on_time = 0;
};
struct SpecialItemRow {
    domain::SpecialItem item;
    SpecialItemCounts counts;
};
// A batch's problems against its end (issue 5: first-batch work goes on after the batch ends and is reported
// apart). `end` is the exclusive instant the batch ended (00:00 after its last day, display zone).
struct BatchPhaseCounts {
    std::int64_t created_after_end = 0;  // found after the batch ended
    std::int64_t closed_by_end = 0;      // closed before `end`
    std::int64_t closed_after_end = 0;   // closed at or after `end`
    std::int64_t open_after_end = 0;     // still open, and `now` is past `end` (持续整改)
};
struct OrgBatchCounts {
    int batch = 0;  // Org::batch: 0 none, 1 first, 2 second
    SpecialItemCounts counts;
    std::optional<UnixSeconds> end;    // the campaign's end of this batch, when it defines the batch
    BatchPhaseCounts phase;            // zeros without `end`
};
// The per-item figures of one campaign over one subtree (Store::SpecialItemFigures). A problem with
// several items counts once under each of them and once in `campaign`; within one item at most once
// (problem_special_item's primary key).
struct SpecialItemReport {
    std::vector<SpecialItemRow> items;  // every item of the campaign, by code
    SpecialItemCounts campaign;         // every problem of the campaign in the subtree, each once
    std::int64_t without_item = 0;      // of those, problems tagged with the campaign but no item
    std::vector<OrgBatchCounts> by_org_batch;  // campaign figures by the owner's Org::batch, ascending
};

// ---- root-cause analysis and leaders' own lists (issue 12, docs/CAUSES.md) ----

// What Store::CauseFigures counts: problems owned inside `subtree_path`, optionally only those in a
// category (path and below), of one source, or tagged with one campaign; judged at `now` (UTC seconds).
struct CauseFigureFilter {
    std::string subtree_path;
    std::optional<std::string> category_path;
    std::optional<domain::ProblemSource> source;
    std::optional<domain::CampaignId> campaign_id;
    // The cuts of GET /stats (issue 6): tagged with the item; owner org's batch and kind; created in [from, to).
    std::optional<domain::SpecialItemId> special_item_id;
    std::optional<int> batch;
    std::optional<domain::OrgKind> org_kind;
    std::optional<UnixSeconds> created_from;
    std::optional<UnixSeconds> created_to;
    UnixSeconds now = 0;
};
// Counts over problems that are not invalid or merged: closed; open (registered .. pending_verification);
// overdue = open with due_at before now.
struct CauseCounts {
    std::int64_t problems = 0, closed = 0, open = 0, overdue = 0;
};
// A problem with several cause categories counts once under each of them in by_category, once in
// `analysed`; problems without an analysis count in `without_analysis`.
struct CauseReport {
    std::map<domain::CauseCategoryId, CauseCounts> by_category;  // categories with no problem are absent
    CauseCounts analysed;
    CauseCounts without_analysis;
};
// Completion of the personal and the leadership-group lists of a subtree.
struct SelfInspectionFigures {
    domain::SelfInspectionCounts personal;
    domain::SelfInspectionCounts leadership_group;
};

// One public request with everything its public view needs (Open311 GET requests, tracking): the intake,
// its opinion, the name of the org it is routed to and of the org that replied, and the linked problem's
// status and times. ListPublicRequests reads a page of them in one joined query.
struct PublicRequestRow {
    domain::PublicIntake intake;
    domain::Opinion opinion;
    std::string org_name;
    std::optional<std::string> reply_org_name;
    std::optional<domain::ProblemStatus> problem_status;  // nullopt: no problem linked (or it is gone)
    std::optional<UnixSeconds> problem_closed_at;
    std::optional<UnixSeconds> problem_updated_at;
};

class Store;

// The handle of one write transaction; valid only inside Store::Write's callback. Reads made through
// it see the transaction's own uncommitted writes.
class WriteTx {
public:
    virtual ~WriteTx() = default;

    // Inserts `org` (id and path are assigned and written back). Errors: kAlreadyExists (division code
    // or sibling name taken), kNotFound (parent), kInvalidArgument (unknown level).
    virtual Status InsertOrg(domain::Org& org) = 0;
    // Re-parents an org and rewrites the paths of its subtree. Errors: kNotFound, kFailedPrecondition
    // (new parent inside the moved subtree).
    virtual Status MoveOrg(domain::OrgId id, domain::OrgId new_parent) = 0;
    virtual Status UpsertLevel(const domain::OrgLevel& level) = 0;
    // Inserts a category (id written back). Errors: kAlreadyExists (path taken).
    virtual Status InsertCategory(domain::Category& category) = 0;
    // Inserts a problem (id, version 1 written back) with the links to its special_item_ids (issue 5).
    virtual Status InsertProblem(domain::Problem& problem) = 0;
    // Writes every field of `problem` if the stored version equals problem.version, then stores
    // version+1 (written back); the special-item links are made to equal special_item_ids (so callers pass a
    // problem read with GetProblem, which fills them). Errors: kNotFound, kAborted (stale version: someone
    // changed it first).
    virtual Status UpdateProblem(domain::Problem& problem) = 0;
    virtual Status InsertOpinion(domain::Opinion& opinion) = 0;
    // Links an opinion to the problem made from it and marks it accepted, if its stored version equals
    // `version` (then stores version+1). Errors: kNotFound, kAborted (stale version).
    virtual Status LinkOpinion(domain::OpinionId id, domain::ProblemId problem_id, std::int64_t version) = 0;
    virtual Status AppendEvent(Event& event) = 0;

    // ---- bulk paths (imports): a few multi-row statements instead of one round trip per row ----
    // Inserts every problem / opinion (ids, version 1 written back, consecutive and in order), 500 rows per
    // statement on PostgreSQL (16 on SQLite, which has no round trips to save). Errors as InsertProblem /
    // InsertOpinion; on error nothing of the call is kept once the transaction rolls back.
    virtual Status InsertProblems(std::vector<domain::Problem>& problems) = 0;
    virtual Status InsertOpinions(std::vector<domain::Opinion>& opinions) = 0;
    // AppendEvent for each event, in order, in multi-row statements. An event whose org_id is empty has it
    // looked up as AppendEvent does (one query each for problems, opinions, users, tokens): fill org_id
    // for bulk speed.
    virtual Status AppendEvents(std::vector<Event>& events) = 0;
    // Which of `refs` are the source_ref of a stored problem / opinion (500 per query on PostgreSQL).
    enum class SourceRefTable { kProblem, kOpinion };
    virtual Result<std::set<std::string>> StoredSourceRefs(SourceRefTable table, const std::vector<std::string>& refs) = 0;
    virtual Status InsertImportBatch(ImportBatch& batch) = 0;

    virtual Result<domain::Org> GetOrg(domain::OrgId id) = 0;
    virtual Result<std::optional<domain::Org>> FindOrgByDivisionCode(const std::string& code) = 0;
    virtual Result<std::optional<domain::Org>> FindChildByName(std::optional<domain::OrgId> parent,
                                                               const std::string& name) = 0;
    virtual Result<std::optional<domain::Category>> FindCategoryByPath(const std::string& path) = 0;
    virtual Result<std::optional<std::int64_t>> FindProblemBySourceRef(const std::string& ref) = 0;
    virtual Result<std::optional<std::int64_t>> FindOpinionBySourceRef(const std::string& ref) = 0;

    // ---- campaigns (issue 5); statements in campaign_sql.inc ----
    // Insert: id, version 1 written back, with the batches. Update: every field but owner_org_id and
    // created_at, the batches replaced, if the stored version equals campaign.version (then version+1,
    // written back). Errors: kAlreadyExists (code taken; checked before writing), kNotFound, kAborted (stale).
    virtual Status InsertCampaign(domain::Campaign& campaign) = 0;
    virtual Status UpdateCampaign(domain::Campaign& campaign) = 0;
    virtual Result<domain::Campaign> GetCampaign(domain::CampaignId id) = 0;  // Errors: kNotFound
    // Same for items (code unique within the campaign; campaign_id and created_at never change).
    virtual Status InsertSpecialItem(domain::SpecialItem& item) = 0;
    virtual Status UpdateSpecialItem(domain::SpecialItem& item) = 0;
    virtual Result<domain::SpecialItem> GetSpecialItem(domain::SpecialItemId id) = 0;  // Errors: kNotFound

    // ---- root-cause analysis and leaders' own lists (issue 12); statements in cause_sql.inc ----
    // Categories: insert (id, version 1 written back); update every field if the stored version equals
    // category.version (then +1). Errors: kAlreadyExists (code taken), kNotFound, kAborted (stale).
    virtual Status InsertCauseCategory(domain::CauseCategory& category) = 0;
    virtual Status UpdateCauseCategory(domain::CauseCategory& category) = 0;
    // Writes a problem's analysis: version 0 inserts (Errors: kAborted when one exists), else updates if the
    // stored version equals analysis.version; version written back; the categories replaced.
    virtual Status PutCauseAnalysis(domain::CauseAnalysis& analysis) = 0;
    // Items: insert (id, version 1 written back); update every field but org_id, kind, owner and created_*
    // if the stored version equals item.version (then +1). Errors: kNotFound, kAborted (stale).
    virtual Status InsertSelfInspectionItem(domain::SelfInspectionItem& item) = 0;
    virtual Status UpdateSelfInspectionItem(domain::SelfInspectionItem& item) = 0;

    // ---- accounts (issue 4) ----
    // Inserts a user without grants (id, version written back). Errors: kAlreadyExists (name taken),
    // kFailedPrecondition (no such org).
    virtual Status InsertUser(domain::User& user, const std::string& password_hash) = 0;
    // Writes display_name, org_id, disabled and must_change_password if the stored version equals
    // user.version, then stores version+1 (written back). Errors: kNotFound, kAborted (stale version).
    virtual Status UpdateUser(domain::User& user) = 0;
    // Replaces the password hash, sets password_changed_at and must_change_password, version+1.
    // Errors: kNotFound.
    virtual Status SetPasswordHash(domain::UserId id, const std::string& password_hash, UnixSeconds changed_at,
                                   bool must_change_password) = 0;
    // Errors: kAlreadyExists (the user holds that role over that org already).
    virtual Status InsertGrant(domain::UserId user_id, domain::UserGrant& grant, UnixSeconds at) = 0;
    // Errors: kNotFound (no such grant of that user).
    virtual Status DeleteGrant(domain::UserId user_id, domain::GrantId grant_id) = 0;
    virtual Result<domain::User> GetUser(domain::UserId id) = 0;
    virtual Result<std::int64_t> CountUsers() = 0;
    virtual Status InsertSession(domain::Session& session, const std::string& secret_hash) = 0;
    // Marks sessions revoked at `at`: one session, or every live session of a user except `keep`.
    virtual Status RevokeSession(domain::SessionId id, UnixSeconds at) = 0;
    virtual Status RevokeUserSessions(domain::UserId user_id, std::optional<domain::SessionId> keep,
                                      UnixSeconds at) = 0;
    virtual Status TouchSession(domain::SessionId id, UnixSeconds at) = 0;
    // Inserts a token with its grants (id written back). Errors: kAlreadyExists (secret collision).
    virtual Status InsertToken(domain::ApiToken& token, const std::string& secret_hash) = 0;
    virtual Status RevokeToken(domain::TokenId id, UnixSeconds at) = 0;
    virtual Status TouchToken(domain::TokenId id, UnixSeconds at) = 0;
    virtual Status InsertLoginAttempt(domain::LoginAttempt& attempt) = 0;
    // Deletes login attempts older than `before` (retention).
    virtual Status PruneLoginAttempts(UnixSeconds before) = 0;

    // ---- workflow (issue 3) ----
    // Reads inside the transaction (they see its own writes). Errors: kNotFound.
    virtual Result<domain::Problem> GetProblem(domain::ProblemId id) = 0;
    virtual Result<domain::Opinion> GetOpinion(domain::OpinionId id) = 0;
    virtual Result<std::vector<domain::Opinion>> ListOpinionsOfProblem(domain::ProblemId id) = 0;
    virtual Result<domain::Task> GetTask(domain::TaskId id) = 0;
    virtual Result<std::vector<domain::Task>> ListTasksOfProblem(domain::ProblemId id) = 0;
    virtual Result<domain::Evidence> GetEvidence(domain::EvidenceId id) = 0;
    // Progress reports of a task with id > after_id; evidence files of a task.
    virtual Result<std::int64_t> CountReportsAfter(domain::TaskId task, domain::ReportId after_id) = 0;
    virtual Result<std::int64_t> CountEvidence(domain::TaskId task) = 0;
    virtual Result<domain::ReportId> LastReportId(domain::TaskId task) = 0;  // 0 when none

    // Writes every field of `opinion` if the stored version equals opinion.version, then stores
    // version+1 (written back). Errors: kNotFound, kAborted (stale version, with the current one).
    virtual Status UpdateOpinion(domain::Opinion& opinion) = 0;
    // Inserts (id, version 1 written back) / updates with the version check of UpdateProblem.
    virtual Status InsertTask(domain::Task& task) = 0;
    virtual Status UpdateTask(domain::Task& task) = 0;
    virtual Status InsertProgressReport(domain::ProgressReport& report) = 0;
    virtual Status InsertEvidence(domain::Evidence& evidence) = 0;
    // Attaches evidence to a report of the same task. Errors: kFailedPrecondition when it is attached
    // already or belongs to another task.
    virtual Status AttachEvidence(domain::EvidenceId evidence, domain::ReportId report) = 0;

    virtual Status InsertMechanism(domain::Mechanism& mechanism) = 0;
    virtual Status UpdateMechanism(domain::Mechanism& mechanism) = 0;
    virtual Result<domain::Mechanism> GetMechanism(domain::MechanismId id) = 0;
    // Errors: kAlreadyExists when linked already; Unlink: kNotFound when not linked.
    virtual Status LinkMechanismProblem(domain::MechanismId mechanism, domain::ProblemId problem, UnixSeconds at) = 0;
    virtual Status UnlinkMechanismProblem(domain::MechanismId mechanism, domain::ProblemId problem) = 0;

    virtual Status InsertMeeting(domain::Meeting& meeting) = 0;
    // Bumps the meeting's version if it equals `version` (a finding was added). Errors: kAborted.
    virtual Status TouchMeeting(domain::MeetingId id, std::int64_t version) = 0;
    virtual Result<domain::Meeting> GetMeeting(domain::MeetingId id) = 0;
    virtual Status InsertFinding(domain::MeetingFinding& finding) = 0;
    virtual Result<domain::MeetingFinding> GetFinding(domain::FindingId id) = 0;
    virtual Status SetFindingProblem(domain::FindingId id, domain::ProblemId problem) = 0;

    // ---- study and research (issue 12) ----
    // Insert: id, version 1 written back. Update: every field but org_id and created_at if the stored version
    // equals session.version (then version+1, written back). Delete: if the stored version equals `version`.
    // Errors: kNotFound, kAborted (stale version).
    virtual Status InsertStudySession(domain::StudySession& session) = 0;
    virtual Status UpdateStudySession(domain::StudySession& session) = 0;
    virtual Status DeleteStudySession(domain::StudySessionId id, std::int64_t version) = 0;
    virtual Status InsertResearchVisit(domain::ResearchVisit& visit) = 0;
    // Links an opinion heard on a visit. Errors: kAlreadyExists (the opinion belongs to a visit already).
    virtual Status LinkVisitOpinion(domain::ResearchVisitId visit, domain::OpinionId opinion) = 0;

    // Idempotency keys (a response cache, not domain records: no events).
    virtual Result<std::optional<IdempotencyRecord>> FindIdempotencyKey(const std::string& actor,
                                                                        const std::string& key) = 0;
    virtual Status InsertIdempotencyKey(const IdempotencyRecord& record) = 0;
    virtual Status CompleteIdempotencyKey(const IdempotencyRecord& record) = 0;
    virtual Status DeleteIdempotencyKey(const std::string& actor, const std::string& key) = 0;
    // Deletes the keys created before `before` (they expire).
    virtual Status PurgeIdempotencyKeys(UnixSeconds before) = 0;

    // ---- linkage (issue 5) ----
    // Inserts an escalation (id, version 1 written back) / writes status, decision and version+1 if the
    // stored version equals escalation.version. Errors: kNotFound, kAborted (stale version).
    virtual Status InsertEscalation(domain::Escalation& escalation) = 0;
    virtual Status UpdateEscalation(domain::Escalation& escalation) = 0;
    virtual Result<domain::Escalation> GetEscalation(domain::EscalationId id) = 0;
    // Every escalation of the problem, oldest first.
    virtual Result<std::vector<domain::Escalation>> ListEscalationsOfProblem(domain::ProblemId id) = 0;
    // Inserts the cascade row (id written back) and later its counts.
    virtual Status InsertCascade(domain::Cascade& cascade) = 0;
    virtual Status SetCascadeCounts(domain::CascadeId id, std::int64_t created, std::int64_t skipped_existing) = 0;
    // Creates one copy of `child` (every field but id and org_id) for each org that
    // domain::MatchesCascadeTargets(targets, issuing, org) accepts, skipping orgs that have a child of
    // child.parent_task_id already that is not withdrawn. Multi-row: INSERT ... SELECT over the org
    // table (explicit lists in chunks of 500 ids), so tens of thousands of children are a few statements.
    // Returns {created, skipped_existing}.
    virtual Result<std::pair<std::int64_t, std::int64_t>> InsertCascadeChildren(const domain::Task& child,
                                                                              const domain::CascadeTargets& targets,
                                                                              const domain::Org& issuing) = 0;
    // The ids of the tasks a cascade created, ascending.
    virtual Result<std::vector<domain::TaskId>> TaskIdsOfCascade(domain::CascadeId id) = 0;
    // Status and progress of every child of `parent` (tasks whose parent_task_id is `parent`).
    virtual Result<std::vector<domain::ChildState>> ChildStates(domain::TaskId parent) = 0;
    // Sets a derived progress (a parent's roll-up) without changing the task's version. Errors: kNotFound.
    virtual Status SetDerivedProgress(domain::TaskId id, int progress) = 0;
    // Joint ownership: adds a co-owner (Errors: kAlreadyExists) / the co-owner orgs of a problem, by org id.
    virtual Status InsertCoOwner(const domain::CoOwner& co_owner) = 0;
    virtual Result<std::vector<domain::CoOwner>> ListCoOwners(domain::ProblemId id) = 0;

    // ---- supervision (issue 8); statements in supervision_sql.inc ----
    // Inserts a ladder step (id written back). Errors: kAlreadyExists when an automatic step of that kind
    // exists for the task and deadline already (the unique index; checked before inserting).
    virtual Status InsertSupervisionStep(domain::SupervisionStep& step) = 0;
    // Supervise steps with a number whose `at` lies in [from, to) — to number the next one.
    virtual Result<std::int64_t> CountSupervisionNumbers(UnixSeconds from, UnixSeconds to) = 0;
    // Inserts a notification (id written back).
    virtual Status InsertNotification(domain::Notification& notification) = 0;
    // The outbox: one pending delivery of `payload` per active webhook whose org's subtree holds the org
    // with path `org_path` and that takes `kind`; next_attempt_at = created_at = now. Returns how many.
    virtual Result<std::int64_t> EnqueueDeliveries(domain::NotificationId id, const std::string& org_path,
                                                   const std::string& kind, const std::string& payload,
                                                   UnixSeconds now) = 0;
    // Marks a notification read by a user (idempotent: a second call keeps the first read_at).
    virtual Status MarkNotificationRead(domain::NotificationId id, std::int64_t user_id, UnixSeconds at) = 0;
    virtual Status InsertWebhook(domain::Webhook& webhook) = 0;
    // Writes url, kinds and active when `webhook.version` is current. Errors: kAborted, kNotFound.
    virtual Status UpdateWebhook(domain::Webhook& webhook) = 0;
    // Writes the outcome of a delivery attempt (status, attempts, next_attempt_at, last_*, delivered_at).
    virtual Status UpdateDelivery(const domain::WebhookDelivery& delivery) = 0;
    virtual Status InsertBulletin(domain::Bulletin& bulletin) = 0;
    // Supervision teams. InsertTeam writes id and version back. AddTeamMember: kAlreadyExists when a
    // member already; RemoveTeamMember: kNotFound when not one. EndTeamAssignment: kNotFound when no such
    // active assignment of the team.
    virtual Status InsertTeam(domain::SupervisionTeam& team) = 0;
    virtual Status AddTeamMember(domain::TeamId team, const domain::TeamMember& member) = 0;
    virtual Status RemoveTeamMember(domain::TeamId team, std::int64_t user_id) = 0;
    virtual Status InsertTeamAssignment(domain::TeamId team, domain::TeamAssignment& assignment) = 0;
    virtual Status EndTeamAssignment(domain::TeamId team, domain::TeamAssignmentId id, const std::string& by,
                                     UnixSeconds at) = 0;

    // ---- routing rules and opinion routing (issue 5); statements in routing_sql.inc ----
    // Stores `set` (created_at, created_by, note, rules) as the next version: set.version and each rule's
    // id and version are written back. The caller checks the rules (domain::CheckRoutingRules) and that
    // their orgs and categories exist. Errors: kInternal.
    virtual Status InsertRoutingRuleSet(domain::RoutingRuleSet& set) = 0;
    // Appends one routing step of an opinion; its id is written back. Errors: kInternal.
    virtual Status InsertOpinionRouting(domain::OpinionRouting& step) = 0;

    // ---- public intake (issue 9); statements in public_sql.inc ----
    // Inserts the intake row of an opinion. Errors: kAlreadyExists when the tracking code is taken
    // (check with TrackingCodeTaken first: on PostgreSQL a failed insert ends the transaction).
    virtual Status InsertPublicIntake(const domain::PublicIntake& intake) = 0;
    virtual Result<bool> TrackingCodeTaken(const std::string& code) = 0;
    // True when an intake with `text_hash` was received at or after `since` from the same client
    // (`ip_hash`) or the same contact (`contact_hash`); an absent hash matches nothing.
    virtual Result<bool> RecentPublicDuplicate(const std::string& text_hash, const std::optional<std::string>& ip_hash,
                                               const std::optional<std::string>& contact_hash,
                                               UnixSeconds since) = 0;
    // The team with its members and assignments. Errors: kNotFound.
    virtual Result<domain::SupervisionTeam> GetTeam(domain::TeamId id) = 0;
};

enum class OpenMode { kCreateIfMissing, kMustExist };

class Store {
public:
    virtual ~Store() = default;

    // Opens (and with kCreateIfMissing creates) a SQLite database file, sets WAL, foreign keys and a
    // busy timeout, and applies pending migrations. Errors: kNotFound (kMustExist and no file),
    // kFailedPrecondition (schema newer than this binary), kUnavailable (cannot open).
    static Result<std::unique_ptr<Store>> OpenSqlite(const std::string& path, OpenMode mode, int pool_size = 4);

    // Connects `pool_size` pooled read sessions and one writer session to PostgreSQL 15+ (`conninfo`: a
    // libpq URL "postgresql://user[:password]@host:port/dbname" or a "key=value ..." string) and applies
    // pending migrations. The database itself must exist (CREATE DATABASE is the operator's). Writers of
    // every process are serialised by a transaction-scoped advisory lock; a connection that broke (server
    // restart) is re-opened on its next use. A URL may carry rectify's own parameter
    // "rectify_layout=partitioned" (taken out before libpq sees it): after the migrations, problem, task and
    // opinion are converted once to tables PARTITION BY HASH (province_id) (docs/SCALING.md
    // "Partitioning"); a database converted once stays so, whatever later URLs say ("plain", the default,
    // never converts back). Errors: kUnavailable (cannot connect), kNotFound (kMustExist and no rectify
    // schema in the database), kFailedPrecondition (schema newer than this binary), kInvalidArgument (not a
    // connection URL, or another rectify_layout value).
    static Result<std::unique_ptr<Store>> OpenPostgres(const std::string& conninfo, OpenMode mode, int pool_size = 4);

    // OpenPostgres when `db` is a postgresql:// (or postgres://) URL, else OpenSqlite on the file `db`.
    static Result<std::unique_ptr<Store>> Open(const std::string& db, OpenMode mode, int pool_size = 4);
    // Whether `db` names a PostgreSQL database (a postgresql:// or postgres:// URL).
    static bool IsPostgresUrl(const std::string& db);
    // The URL to give libpq for a postgresql:// URL: `url` without rectify's own parameter rectify_layout
    // (libpq refuses parameters it does not know), for code that connects with libpq itself (the bench
    // loader, tests). Other URLs are returned unchanged. Errors: kInvalidArgument (a rectify_layout value
    // other than partitioned or plain).
    static Result<std::string> LibpqUrl(const std::string& url);
    // `db` with the password of a PostgreSQL URL replaced by "***" (for messages and logs).
    static std::string RedactPassword(const std::string& db);

    // The schema version stored (MAX(version) of schema_migration, a count of applied migrations from 1),
    // and the newest this binary knows. SchemaVersion is one read on a pooled reader connection: it does
    // not take the write mutex, so it answers while a Write is running (GET /healthz relies on this).
    // Errors: kUnavailable / kInternal when the database cannot be read.
    virtual Result<int> SchemaVersion() = 0;
    static int KnownSchemaVersion();

    // Runs `fn` in one transaction: commits if it returns OK, rolls back otherwise (nothing half
    // written). Library errors become kInternal/kUnavailable; constraint violations kAlreadyExists.
    virtual Status Write(const std::function<Status(WriteTx&)>& fn) = 0;

    // Called after every Write that committed, with the events that transaction appended, in id order.
    // Calls are made one at a time, in commit order, before Write returns, and while no other Write can
    // start — so an observer that applies them to an in-memory copy (the roll-up index) sees every commit
    // exactly once and in order, and a caller that gets OK from Write can read its own change there.
    // The observer must not call Write. Setting a new observer replaces the old one; an empty function
    // removes it.
    using CommitObserver = std::function<void(const std::vector<Event>& events)>;
    virtual void SetCommitObserver(CommitObserver observer) = 0;

    // ---- several servers on one database (issue 10; docs/ARCHITECTURE.md "Several servers on one
    // PostgreSQL") ----
    // Whether other processes may write to this database while this one runs: true on PostgreSQL (several
    // `rectify serve` on one database), false on SQLite (one serving process per file).
    virtual bool SharedByProcesses() const = 0;
    // The largest committed event id (0 when the log is empty). Errors: kUnavailable.
    virtual Result<std::int64_t> LastEventId() = 0;
    // The committed events with id > `after_id`, in id order, at most `limit` (1..10,000). Event ids are
    // taken and committed in one order by every writer of every process (the writer lock of Write: "last id
    // + 1" under BEGIN IMMEDIATE / pg_advisory_xact_lock), so asking again after the largest id returned
    // never misses an event. Errors: kInvalidArgument (limit), kUnavailable.
    virtual Result<std::vector<Event>> ListEventsAfter(std::int64_t after_id, int limit) = 0;
    // Waits at most `timeout` (milliseconds) for a commit that appended events, of any process. PostgreSQL:
    // every such Write sends NOTIFY rectify_events inside its transaction (delivered at commit) and this
    // LISTENs on a dedicated libpq connection (opened at the first call, re-opened after it broke). Returns
    // true when notified — and after (re)connecting, since notifications sent while not listening are lost
    // — false when the timeout passed. SQLite: sleeps `timeout`, returns false. One caller at a time (the
    // service's follower thread). Errors: kUnavailable (cannot connect or the connection broke; the next
    // call reconnects).
    virtual Result<bool> WaitForCommit(std::chrono::milliseconds timeout) = 0;
    // Jobs that must run in one place at a time across all servers of a database.
    enum class ExclusiveJob { kSupervisionPass };
    // Runs `fn` unless `job` is running already — in this process, or (PostgreSQL) in any process on the
    // database: a session-level pg_try_advisory_lock on the job's own key, taken on a dedicated connection
    // and held until `fn` returns (so it covers work between transactions, such as webhook POSTs). Returns
    // whether `fn` ran; never waits. Errors: kUnavailable (PostgreSQL unreachable; `fn` did not run).
    virtual Result<bool> RunExclusive(ExclusiveJob job, const std::function<void()>& fn) = 0;

    virtual Result<domain::Org> GetOrg(domain::OrgId id) = 0;
    virtual Result<std::vector<domain::Org>> ListChildren(domain::OrgId id) = 0;
    virtual Result<std::optional<domain::Org>> FindOrgByDivisionCode(const std::string& code) = 0;
    // Orgs inside any of `subtree_paths` whose name contains `text` or whose division code starts with
    // it; shallowest (shortest path) first, at most `limit`.
    virtual Result<std::vector<domain::Org>> SearchOrgs(const std::string& text,
                                                        const std::vector<std::string>& subtree_paths, int limit) = 0;
    // Every org, ordered by id (for building the in-memory tree at start).
    virtual Result<std::vector<domain::Org>> ListOrgs() = 0;
    virtual Result<std::vector<domain::OrgLevel>> ListLevels() = 0;
    virtual Result<std::vector<domain::Category>> ListCategories() = 0;

    virtual Result<domain::Problem> GetProblem(domain::ProblemId id) = 0;
    virtual Result<std::vector<domain::Problem>> ListProblems(const ProblemFilter& filter) = 0;
    // The counting facts of every problem (`ids` empty) or of the problems in `ids` (unknown ids are
    // left out), ordered by id: what the roll-up index is built and updated from. Two queries (problems,
    // then their special items), or two per 500 ids.
    virtual Result<std::vector<ProblemSummary>> ListProblemSummaries(const std::vector<domain::ProblemId>& ids) = 0;
    // How many problems match the filter (before_id, order, offset and limit ignored).
    virtual Result<std::int64_t> CountProblems(const ProblemFilter& filter) = 0;
    virtual Result<std::vector<domain::OpinionId>> OpinionsOfProblem(domain::ProblemId id) = 0;
    // The opinions whose problem_id is `id`, leaving out channel `except`: how many there are, and the first
    // `limit` of them by id (the public notice board, at most a few; two queries whatever their number).
    virtual Result<std::pair<std::int64_t, std::vector<domain::Opinion>>> OpinionsOfProblemExcept(
        domain::ProblemId id, domain::OpinionChannel except, int limit) = 0;
    virtual Result<domain::Opinion> GetOpinion(domain::OpinionId id) = 0;
    virtual Result<std::vector<domain::Opinion>> ListOpinions(const OpinionFilter& filter) = 0;

    // Figures over the subtree whose root has path `subtree_path`; by_category groups at
    // `category_depth` (1..3; problems with a deeper category count under its ancestor at that depth).
    // Computed by SQL on every call: the reference the roll-up index is tested against, and the source of
    // by_category below the top level. Service::Stats answers from the index instead.
    virtual Result<SubtreeFigures> Figures(const std::string& subtree_path, int category_depth) = 0;
    // Only the opinion part of Figures (opinions, opinions_replied); the other fields stay empty.
    virtual Result<SubtreeFigures> OpinionFigures(const std::string& subtree_path) = 0;

    // Events of one record, oldest first.
    virtual Result<std::vector<Event>> ListEvents(const std::string& entity, std::int64_t entity_id) = 0;
    virtual Result<std::int64_t> CountEvents() = 0;
    virtual Result<std::vector<ImportBatch>> ListImportBatches() = 0;

    // ---- accounts (issue 4) ----
    // Errors: kNotFound.
    virtual Result<domain::User> GetUser(domain::UserId id) = 0;
    virtual Result<std::optional<domain::User>> FindUserByName(const std::string& name) = 0;
    virtual Result<std::optional<UserCredentials>> FindCredentials(const std::string& name) = 0;
    // Users whose org lies inside any of `subtree_paths` (empty: every user), by id.
    virtual Result<std::vector<domain::User>> ListUsers(const std::vector<std::string>& subtree_paths) = 0;
    virtual Result<std::int64_t> CountUsers() = 0;
    // The session or token whose secret has SHA-256 `secret_hash`, whatever its state (the caller
    // checks expiry, revocation and the user's state).
    virtual Result<std::optional<SessionRecord>> FindSession(const std::string& secret_hash) = 0;
    virtual Result<std::optional<TokenRecord>> FindToken(const std::string& secret_hash) = 0;
    // Errors: kNotFound.
    virtual Result<domain::ApiToken> GetToken(domain::TokenId id) = 0;
    virtual Result<std::vector<domain::ApiToken>> ListTokens(domain::UserId user_id) = 0;
    // The newest login attempts first, at most `limit`.
    virtual Result<std::vector<domain::LoginAttempt>> ListLoginAttempts(int limit) = 0;

    // ---- audit (issue 4) ----
    virtual Result<std::vector<Event>> ListAuditEvents(const AuditFilter& filter) = 0;
    // Walks the whole log in id order and checks every link (reads in batches; O(events)).
    virtual Result<ChainReport> VerifyChain() = 0;

    // ---- workflow (issue 3) ----
    virtual Result<domain::Task> GetTask(domain::TaskId id) = 0;
    // All rounds, oldest first.
    virtual Result<std::vector<domain::Task>> ListTasksOfProblem(domain::ProblemId id) = 0;
    // The tasks of every problem in `ids` (all rounds), ordered by problem id then task id; one query per 500
    // ids (the ledger export reads a page of problems at a time).
    virtual Result<std::vector<domain::Task>> ListTasksOfProblems(const std::vector<domain::ProblemId>& ids) = 0;
    // Oldest first, each with the ids of its evidence.
    virtual Result<std::vector<domain::ProgressReport>> ListProgressReports(domain::TaskId task) = 0;
    virtual Result<std::vector<domain::Evidence>> ListEvidence(domain::TaskId task) = 0;
    virtual Result<domain::Evidence> GetEvidence(domain::EvidenceId id) = 0;
    virtual Result<domain::Mechanism> GetMechanism(domain::MechanismId id) = 0;  // with problem_ids
    virtual Result<std::vector<domain::Mechanism>> ListMechanisms(const MechanismFilter& filter) = 0;
    virtual Result<domain::Meeting> GetMeeting(domain::MeetingId id) = 0;
    virtual Result<std::vector<domain::Meeting>> ListMeetings(const MeetingFilter& filter) = 0;
    virtual Result<std::vector<domain::MeetingFinding>> ListFindings(domain::MeetingId meeting) = 0;

    // ---- linkage (issue 5) ----
    virtual Result<domain::Escalation> GetEscalation(domain::EscalationId id) = 0;  // Errors: kNotFound
    virtual Result<std::vector<domain::Escalation>> ListEscalationsOfProblem(domain::ProblemId id) = 0;
    // The orgs that read a problem through its escalations, distinct: the from_org_id of accepted ones and
    // the to_org_id of a pending one (the target reads what it decides on; for a batch link it may lie
    // outside the owner's branch).
    virtual Result<std::vector<domain::OrgId>> EscalationReaders(domain::ProblemId id) = 0;
    // For the problems owned inside the subtree with root path `subtree_path` that have an accepted
    // escalation: how many came from each origin org (origin_org_id), each problem counted once.
    virtual Result<std::vector<std::pair<domain::OrgId, std::int64_t>>> EscalatedFrom(
        const std::string& subtree_path) = 0;
    virtual Result<std::vector<domain::ChildState>> ChildStates(domain::TaskId parent) = 0;
    // The co-owners of a problem, by org id.
    virtual Result<std::vector<domain::CoOwner>> ListCoOwners(domain::ProblemId id) = 0;
    // The link figures of the subtree with root path `subtree_path` (one query; see SubtreeLinkFigures).
    virtual Result<SubtreeLinkFigures> LinkFigures(const std::string& subtree_path) = 0;
    // ---- the side-figures index (issue 6): facts by id, one query per 500 ids; empty `ids`: all rows ----
    // The opinions with these ids (those that exist), ascending by id.
    virtual Result<std::vector<OpinionFactsRow>> ListOpinionFacts(const std::vector<domain::OpinionId>& ids) = 0;
    // The names of the orgs with these ids, by id (unknown ids left out; an empty `ids` reads nothing): one query
    // per 500 ids, for lists that name many orgs at once (the origins of /stats' escalated_from).
    virtual Result<std::map<domain::OrgId, std::string>> OrgNames(const std::vector<domain::OrgId>& ids) = 0;
    // The problems with these ids that exist, ascending by id, with empty lists when a problem has no
    // co-owner and no accepted escalation; with no ids, only the problems that have one of them.
    virtual Result<std::vector<ProblemLinkRow>> ListProblemLinks(const std::vector<domain::ProblemId>& ids) = 0;
    // The cascades of the parent tasks `parent_task_ids` (empty: every cascade), ascending by id.
    virtual Result<std::vector<CascadeRow>> ListCascadeFacts(const std::vector<domain::TaskId>& parent_task_ids) = 0;
    // Children of `parent` with id > after_id, ascending, at most `limit`.
    virtual Result<std::vector<domain::Task>> ListChildTasks(domain::TaskId parent, domain::TaskId after_id,
                                                             int limit) = 0;

    // ---- supervision (issue 8) ----
    // The ladder steps of a task, oldest first.
    virtual Result<std::vector<domain::SupervisionStep>> ListSupervisionSteps(domain::TaskId task) = 0;
    // Open tasks (pending, in progress, returned) with due_at < now and no automatic supervise for
    // that deadline yet, after the key `after` = (due_at, id) of the previous page's last task (nullopt:
    // from the start), ascending by (due_at, id), at most `limit` — the scheduler's scan, which reads the
    // deadline index (task_due) and touches only the overdue tasks (docs/PERFORMANCE.md).
    virtual Result<std::vector<LadderCandidate>> LadderCandidates(
        UnixSeconds now, std::optional<std::pair<UnixSeconds, domain::TaskId>> after, int limit) = 0;
    virtual Result<std::vector<QueueRow>> ListQueue(const QueueFilter& filter) = 0;
    virtual Result<std::int64_t> CountQueue(const QueueFilter& filter) = 0;
    // The task index's facts (issue 6): open tasks with their last activity and deadline (see TaskActivity),
    // ordered by id; ids of tasks that are not open (or unknown) are left out. One query for `all` (migrations
    // 015 and 016: the partial index task_open holds only the open tasks with every column read, and
    // progress_report_task_at gives each one's latest report in one seek), else one per 500 ids.
    virtual Result<std::vector<TaskActivity>> ListTaskActivity(const TaskActivityFilter& filter) = 0;
    // Ladder steps of `kind`, ordered by id: every one (`task_ids` empty) or those of the tasks `task_ids`
    // (one query per 500 ids).
    virtual Result<std::vector<StepAt>> ListStepsAt(domain::SupervisionKind kind,
                                                    const std::vector<domain::TaskId>& task_ids) = 0;
    // Pending escalations whose target org lies in one of `to_paths`, oldest first.
    virtual Result<std::vector<EscalationQueueRow>> ListPendingEscalations(const std::vector<std::string>& to_paths,
                                                                           std::int64_t offset, int limit) = 0;
    virtual Result<std::int64_t> CountPendingEscalations(const std::vector<std::string>& to_paths) = 0;
    // Ladder steps of `kind` with `at` in [from, to) on tasks of orgs in the subtree `subtree_path`.
    virtual Result<std::int64_t> CountSupervisionSteps(const std::string& subtree_path, domain::SupervisionKind kind,
                                                       UnixSeconds from, UnixSeconds to) = 0;
    // A bulletin line's figures for the subtree `subtree_path` (org_id, org_name and rank are left to the
    // caller): problems created in [from, to) not invalid or merged, their closed and on-time counts,
    // overdue at `now`; opinions rated in [from, to) and how many satisfied and basically satisfied;
    // supervise steps in [from, to). With a cut (issue 5: every report can be cut by item), only problems
    // tagged with the campaign / the special item, opinions linked to such a problem, and supervise steps
    // on their tasks count.
    virtual Result<domain::BulletinRow> BulletinFigures(const std::string& subtree_path, UnixSeconds from,
                                                        UnixSeconds to, UnixSeconds now,
                                                        const ProblemTagCut& cut) = 0;
    // Opinions in the subtrees `subtree_paths` not answered (responded_at null) and past their limit
    // (reply_due_at < now, UTC seconds), by reply_due_at then id; and how many there are.
    virtual Result<std::vector<domain::Opinion>> ListOverdueOpinions(const std::vector<std::string>& subtree_paths,
                                                                     UnixSeconds now, std::int64_t offset,
                                                                     int limit) = 0;
    virtual Result<std::int64_t> CountOverdueOpinions(const std::vector<std::string>& subtree_paths,
                                                      UnixSeconds now) = 0;
    // domain::OpinionSlaCounts of the opinions received in [from, to) and routed into the subtree,
    // judged at `now`.
    virtual Result<domain::OpinionSlaCounts> OpinionSlaFigures(const std::string& subtree_path, UnixSeconds from,
                                                               UnixSeconds to, UnixSeconds now) = 0;
    virtual Result<domain::Bulletin> GetBulletin(domain::BulletinId id) = 0;  // Errors: kNotFound
    // Bulletins of orgs inside `subtree_paths`, newest first, without body_json.
    virtual Result<std::vector<domain::Bulletin>> ListBulletins(const std::vector<std::string>& subtree_paths,
                                                                int limit) = 0;
    // Notifications (statements in notification_sql.inc).
    virtual Result<std::vector<domain::Notification>> ListNotifications(const NotificationFilter& filter) = 0;
    virtual Result<std::int64_t> CountUnreadNotifications(domain::OrgId org_id, std::int64_t user_id) = 0;
    virtual Result<domain::Notification> GetNotification(domain::NotificationId id) = 0;  // Errors: kNotFound
    virtual Result<domain::Webhook> GetWebhook(domain::WebhookId id) = 0;  // Errors: kNotFound
    // Webhooks of orgs inside `subtree_paths`, by id.
    virtual Result<std::vector<domain::Webhook>> ListWebhooks(const std::vector<std::string>& subtree_paths) = 0;
    // Pending deliveries of active webhooks with next_attempt_at <= now, by next_attempt_at then id, at
    // most `limit`.
    virtual Result<std::vector<domain::WebhookDelivery>> DueDeliveries(UnixSeconds now, int limit) = 0;
    // Deliveries of a webhook, newest first, at most `limit`.
    virtual Result<std::vector<domain::WebhookDelivery>> ListDeliveries(domain::WebhookId id, int limit) = 0;
    // Supervision teams: one with members and assignments (Errors: kNotFound); the teams formed by orgs
    // inside `subtree_paths` (without members and assignments), by id; and the grants a user holds through
    // teams: domain::kTeamMemberRoles over the org of every active assignment of every team of the user.
    virtual Result<domain::SupervisionTeam> GetTeam(domain::TeamId id) = 0;
    virtual Result<std::vector<domain::SupervisionTeam>> ListTeams(const std::vector<std::string>& subtree_paths) = 0;
    virtual Result<std::vector<domain::Grant>> TeamGrantsOfUser(std::int64_t user_id) = 0;

    // ---- routing rules and opinion routing (issue 5) ----
    // A version of the rule table with its rules by id; version nullopt: the one in force, or an empty set
    // of version 0 when none was ever stored. Errors: kNotFound (no such version).
    virtual Result<domain::RoutingRuleSet> GetRoutingRuleSet(std::optional<int> version) = 0;
    // The rules in force for a location: those whose area is one of `areas` (division codes) or the whole
    // jurisdiction, by id. Reads only those rows, so a table of 20,000 rules costs one indexed lookup.
    virtual Result<std::vector<domain::RoutingRule>> RoutingRulesFor(const std::vector<std::string>& areas) = 0;
    // An opinion's routing steps, oldest first (empty for opinions routed before schema 8 or by staff).
    virtual Result<std::vector<domain::OpinionRouting>> ListOpinionRouting(domain::OpinionId id) = 0;

    // ---- campaigns (issue 5); statements in campaign_sql.inc ----
    virtual Result<domain::Campaign> GetCampaign(domain::CampaignId id) = 0;  // with batches. Errors: kNotFound
    virtual Result<std::optional<domain::Campaign>> FindCampaignByCode(const std::string& code) = 0;
    // Every campaign with its batches, by id (campaigns are few: the service filters them by visibility).
    virtual Result<std::vector<domain::Campaign>> ListCampaigns() = 0;
    virtual Result<domain::SpecialItem> GetSpecialItem(domain::SpecialItemId id) = 0;  // Errors: kNotFound
    // The items of a campaign, by code.
    virtual Result<std::vector<domain::SpecialItem>> ListSpecialItems(domain::CampaignId campaign) = 0;
    // The items with these ids (unknown ids left out), by id; 500 ids per query.
    virtual Result<std::vector<domain::SpecialItem>> GetSpecialItems(const std::vector<domain::SpecialItemId>& ids) = 0;
    // Per-item figures of `campaign` over the problems owned inside the subtree with root path
    // `subtree_path`, at `now` (UTC seconds): SQL over problem_special_item joined to problem and org (three
    // queries). docs/LINKAGE.md#figures-by-item says why not the roll-up index. `batch_ends`: batch number ->
    // exclusive end instant (UTC seconds) of the batches the campaign defines; by_org_batch rows of those
    // batches get `end` and the phase counts.
    virtual Result<SpecialItemReport> SpecialItemFigures(domain::CampaignId campaign, const std::string& subtree_path,
                                                         UnixSeconds now,
                                                         const std::map<int, UnixSeconds>& batch_ends = {}) = 0;

    // ---- study and research (issue 12); statements in study_sql.inc ----
    virtual Result<domain::StudySession> GetStudySession(domain::StudySessionId id) = 0;  // Errors: kNotFound
    virtual Result<std::vector<domain::StudySession>> ListStudySessions(const StudyListFilter& filter) = 0;
    virtual Result<domain::ResearchVisit> GetResearchVisit(domain::ResearchVisitId id) = 0;  // Errors: kNotFound
    virtual Result<std::vector<domain::ResearchVisit>> ListResearchVisits(const StudyListFilter& filter) = 0;
    // The opinions heard on a visit, by id.
    virtual Result<std::vector<domain::Opinion>> ListVisitOpinions(domain::ResearchVisitId visit) = 0;
    // The visit an opinion was heard on, if any.
    virtual Result<std::optional<domain::ResearchVisitId>> VisitOfOpinion(domain::OpinionId opinion) = 0;
    // Per-org counts of the sessions and visits of orgs inside the subtree `subtree_path` with dates in
    // [from, to] (inclusive, "YYYY-MM-DD"; nullopt: open): four grouped queries over the org path.
    virtual Result<StudyFiguresRows> StudyFigures(const std::string& subtree_path, const std::optional<std::string>& from,
                                                  const std::optional<std::string>& to) = 0;
    virtual Result<std::vector<InactiveStudyRow>> ListInactiveStudyOrgs(const InactiveStudyFilter& filter) = 0;
    virtual Result<std::int64_t> CountInactiveStudyOrgs(const InactiveStudyFilter& filter) = 0;

    // ---- root-cause analysis and leaders' own lists (issue 12); statements in cause_sql.inc ----
    // Every cause category, by sort_order then id.
    virtual Result<std::vector<domain::CauseCategory>> ListCauseCategories() = 0;
    virtual Result<domain::CauseCategory> GetCauseCategory(domain::CauseCategoryId id) = 0;  // Errors: kNotFound
    // A problem's analysis with its category ids ascending; nullopt when none was written.
    virtual Result<std::optional<domain::CauseAnalysis>> GetCauseAnalysis(domain::ProblemId problem) = 0;
    // Per-category figures (two queries; docs/CAUSES.md#figures).
    virtual Result<CauseReport> CauseFigures(const CauseFigureFilter& filter) = 0;
    virtual Result<domain::SelfInspectionItem> GetSelfInspectionItem(domain::SelfInspectionItemId id) = 0;  // kNotFound
    // Items of the orgs inside the subtree `subtree_path` (only_org: of that org only), of one kind or both,
    // by org, kind, deadline, id.
    virtual Result<std::vector<domain::SelfInspectionItem>> ListSelfInspectionItems(
        const std::string& subtree_path, std::optional<domain::OrgId> only_org,
        std::optional<domain::SelfInspectionKind> kind) = 0;
    // Completion per kind over the items of the subtree created before `created_before` (UTC seconds), judged
    // at calendar date `today` ("YYYY-MM-DD"): done, done_on <= deadline, open with deadline < today.
    virtual Result<SelfInspectionFigures> SelfInspectionFiguresOf(const std::string& subtree_path, const std::string& today,
                                                                  UnixSeconds created_before) = 0;

    // ---- public intake (issue 9) ----
    // The intake row by its stored tracking code, or of an opinion. Errors: kNotFound.
    virtual Result<domain::PublicIntake> GetPublicIntakeByCode(const std::string& code) = 0;
    virtual Result<domain::PublicIntake> GetPublicIntake(domain::OpinionId opinion_id) = 0;
    // Intakes with the given filter, newest first (Open311 GET requests).
    virtual Result<std::vector<domain::PublicIntake>> ListPublicIntakes(const PublicIntakeFilter& filter) = 0;
    // The same selection (newest first, at most filter.limit, also filtered by filter.open) with the
    // opinion, org names and problem status of each: one query per call, whatever the number of rows.
    virtual Result<std::vector<PublicRequestRow>> ListPublicRequests(const PublicIntakeFilter& filter) = 0;
};

// ---- backup and restore (issue 4), over SQLite's online backup API: SQLite only. Given a PostgreSQL URL
// they return PostgresBackupUnsupported. ----

// Copies the SQLite database at `db` into a new file `dest` (written to "<dest>.partial" and renamed
// when complete), consistent while other processes write to `db`: the copy is one read transaction,
// which WAL lets run beside the writer. Then checks the copy with PRAGMA integrity_check.
// Errors: kNotFound (no database), kAlreadyExists (dest exists), kUnavailable, kInternal.
Status BackupSqlite(const std::string& db, const std::string& dest);

// Checks `backup` (PRAGMA integrity_check, a schema this binary knows, an intact audit chain) and then
// copies it into the database at `db` through the backup API (which takes SQLite's write lock, so the
// WAL of `db` stays consistent). `db` is created when missing. Errors: kNotFound (no backup),
// kFailedPrecondition (the backup fails a check, with the reason), kUnavailable, kInternal.
Status RestoreSqlite(const std::string& backup, const std::string& db);

// The error of backup, restore and integrity check when `db` is a PostgreSQL URL: kFailedPrecondition
// naming pg_dump / pg_restore, which are PostgreSQL's tools for this (`command`: "backup", "restore").
Status PostgresBackupUnsupported(const std::string& command);

// PRAGMA integrity_check of the database at `db`: "ok", or the first problems it reports.
Result<std::string> IntegrityCheck(const std::string& db);

}  // namespace rectify::store
