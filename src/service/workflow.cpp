// The rectification workflow (issue 3): tasks, progress, evidence, verification and close-out, reopen,
// opinions' decisions, replies and ratings, mechanisms, meetings, the timeline and idempotency keys.
// The state machines and guards are in domain/workflow.hpp; this file loads, checks scope, versions and
// roles, and stores each change with its events in one transaction.
#include <algorithm>

#include "common/text.hpp"
#include "domain/json.hpp"
#include "domain/workflow.hpp"
#include "service/detail/checks.hpp"
#include "service/detail/linkage_hooks.hpp"
#include "service/detail/workflow_steps.hpp"
#include "service/service.hpp"

namespace rectify::service {
namespace {

using detail::AuthorizeRoles;
using detail::CheckVersion;
using detail::TransitionEvent;

using domain::Evidence;
using domain::Mechanism;
using domain::Meeting;
using domain::MeetingFinding;
using domain::Opinion;
using domain::OpinionAction;
using domain::OpinionStatus;
using domain::OrgId;
using domain::OrgRelation;
using domain::Problem;
using domain::ProblemAction;
using domain::ProblemStatus;
using domain::ProgressReport;
using domain::Task;
using domain::TaskAction;
using domain::TaskStatus;
using nlohmann::json;

// Who may create and change mechanisms, meetings and findings: the workers of the org.
constexpr domain::RoleSet kOrgWorkers{domain::Role::kClerk, domain::Role::kReviewer};

std::string Id(std::int64_t id) { return std::to_string(id); }

// The org a transition row names for a record at `own` created by `creator`.
std::optional<OrgId> RelatedOrg(const index::OrgTree& tree, OrgRelation relation, OrgId own,
                                std::optional<OrgId> creator) {
    switch (relation) {
        case OrgRelation::kOwn: return own;
        case OrgRelation::kAbove: return tree.Parent(own);
        case OrgRelation::kCreator: return creator;
        case OrgRelation::kSystem: return std::nullopt;
    }
    return std::nullopt;
}

// kOk when one of `rules` (rows of a transition table for one (from, action)) lets the actor act;
// otherwise kPermissionDenied naming every role and org that would do.
template <typename Row>
Status Authorize(const Service& svc, const Actor& actor, const std::vector<Row>& rules, OrgId own,
                 std::optional<OrgId> creator, const std::string& doing) {
    auto tree = svc.Tree();
    std::string needs;
    for (const Row& r : rules) {
        if (r.relation == OrgRelation::kSystem) continue;
        const auto org = RelatedOrg(*tree, r.relation, own, creator);
        if (org) {
            for (domain::Role role : r.roles.roles()) {
                if (svc.HasRole(actor, role, *org)) return Status::Ok();
            }
        }
        std::string where;
        switch (r.relation) {
            case OrgRelation::kOwn: where = "org " + Id(own); break;
            case OrgRelation::kAbove:
                where = org ? "org " + Id(*org) + ", the level above org " + Id(own) +
                                  " (an org cannot verify its own work)"
                            : "the level above org " + Id(own) + ", which has none";
                break;
            case OrgRelation::kCreator: where = "org " + Id(creator.value_or(0)) + ", which created it"; break;
            case OrgRelation::kSystem: break;
        }
        needs += (needs.empty() ? "" : "; or ") + r.roles.ToText() + " over " + where;
    }
    return PermissionDenied(doing + " needs the role " + needs);
}

template <typename S>
std::optional<std::string> Name(S status) {
    return std::string(domain::ToString(status));
}

bool IsOpen(ProblemStatus s) {
    return s == ProblemStatus::kRegistered || s == ProblemStatus::kPlanned || s == ProblemStatus::kInProgress ||
           s == ProblemStatus::kPendingVerification;
}

// `text` cut to at most `max` code points (valid UTF-8 in, valid UTF-8 out), "…" marking a cut.
std::string CutCodePoints(const std::string& text, std::size_t max) {
    if (CodePointCount(text) <= max) return text;
    std::size_t count = 0, i = 0;
    while (i < text.size() && count + 1 < max) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        ++count;
    }
    return text.substr(0, i) + "…";
}

Status CheckOptionalText(std::string_view field, const std::optional<std::string>& text, std::size_t max) {
    if (!text) return Status::Ok();
    return domain::CheckRequiredText(field, *text, max);
}

// The problem's status follows its tasks (domain::DeriveProblemStatus) when it is open; a change is
// stored with a "derive" event whose reason names the task change that caused it.
Status FollowTasks(store::WriteTx& tx, const Actor& actor, domain::ProblemId id, const std::string& cause) {
    ASSIGN_OR_RETURN(Problem p, tx.GetProblem(id));
    if (domain::ProblemRules(p.status, ProblemAction::kDerive).empty()) return Status::Ok();
    ASSIGN_OR_RETURN(auto tasks, tx.ListTasksOfProblem(id));
    std::vector<TaskStatus> statuses;
    for (const auto& t : tasks) {
        if (t.round == p.round) statuses.push_back(t.status);
    }
    const ProblemStatus derived = domain::DeriveProblemStatus(statuses);
    if (derived == p.status) return Status::Ok();
    const Problem before = p;
    p.status = derived;
    p.updated_at = NowSeconds();
    RETURN_IF_ERROR(tx.UpdateProblem(p));
    auto e = TransitionEvent(actor, "problem", id, "derive", domain::ToJson(before), domain::ToJson(p),
                             Name(before.status), Name(p.status), cause);
    return tx.AppendEvent(e);
}

// Cancels (withdraws) the open tasks of the problem's current round: a consequence of invalid or merge.
Status CancelOpenTasks(store::WriteTx& tx, const Actor& actor, const Problem& p, const std::string& reason) {
    ASSIGN_OR_RETURN(auto tasks, tx.ListTasksOfProblem(p.id));
    for (Task t : tasks) {
        if (t.round != p.round) continue;
        auto to = domain::NextTaskStatus(t.status, TaskAction::kCancel);
        if (!to.ok()) continue;  // accepted or withdrawn already
        const Task before = t;
        t.status = *to;
        t.withdrawal_reason.reset();
        t.updated_at = NowSeconds();
        RETURN_IF_ERROR(tx.UpdateTask(t));
        auto e = TransitionEvent(actor, "task", t.id, "cancel", domain::ToJson(before), domain::ToJson(t),
                                 Name(before.status), Name(t.status), reason);
        RETURN_IF_ERROR(tx.AppendEvent(e));
    }
    return Status::Ok();
}

// A transition of one task inside a transaction: loaded, checked (scope, version, state, role, its
// problem open and in the same round); `after` starts as a copy with the new status.
struct TaskStep {
    Task before;
    Task after;
};

Result<TaskStep> BeginTaskStep(const Service& svc, store::WriteTx& tx, const Actor& actor, domain::TaskId id,
                               TaskAction action, std::optional<std::int64_t> version) {
    auto t = tx.GetTask(id);
    if (!t.ok()) return detail::MissingOr(t.status(), "task " + Id(id) + " does not exist");
    if (!svc.InScope(actor, t->org_id)) return NotFound("task " + Id(id) + " does not exist");
    RETURN_IF_ERROR(CheckVersion("task", id, version, t->version));
    ASSIGN_OR_RETURN(TaskStatus to, domain::NextTaskStatus(t->status, action));
    RETURN_IF_ERROR(Authorize(svc, actor, domain::TaskRules(t->status, action), t->org_id, t->created_by_org_id,
                              std::string(domain::ToString(action)) + " on task " + Id(id)));
    ASSIGN_OR_RETURN(Problem p, tx.GetProblem(t->problem_id));
    if (!IsOpen(p.status)) {
        return FailedPrecondition("task " + Id(id) + " belongs to problem " + Id(p.id) + ", which is " +
                                  std::string(domain::ToString(p.status)) + ": its tasks cannot change");
    }
    if (t->round != p.round) {
        return FailedPrecondition("task " + Id(id) + " belongs to round " + Id(t->round) + " of problem " + Id(p.id) +
                                  ", which is in round " + Id(p.round) + " now");
    }
    TaskStep step{*t, *t};
    step.after.status = to;
    step.after.updated_at = NowSeconds();
    return step;
}

// Stores the task and its event (after_json: the task, or `record` when given — a report or a file),
// then lets the problem follow.
Status FinishTaskStep(store::WriteTx& tx, const Actor& actor, TaskStep& step, TaskAction action,
                      std::optional<std::string> reason, std::optional<json> record = std::nullopt) {
    RETURN_IF_ERROR(tx.UpdateTask(step.after));
    const std::string name(domain::ToString(action));
    auto e = TransitionEvent(actor, "task", step.after.id, name,
                             record ? std::nullopt : std::optional<json>(domain::ToJson(step.before)),
                             record ? *record : domain::ToJson(step.after), Name(step.before.status),
                             Name(step.after.status), std::move(reason));
    RETURN_IF_ERROR(tx.AppendEvent(e));
    // A cascade child (issue 5): its parent's progress is the roll-up of the children.
    if (step.after.parent_task_id) RETURN_IF_ERROR(detail::RollupParent(tx, *step.after.parent_task_id));
    return FollowTasks(tx, actor, step.after.problem_id, "task " + Id(step.after.id) + ": " + name);
}

struct ProblemStep {
    Problem before;
    Problem after;
};

Result<ProblemStep> BeginProblemStep(const Service& svc, store::WriteTx& tx, const Actor& actor,
                                     domain::ProblemId id, ProblemAction action,
                                     std::optional<std::int64_t> version) {
    auto p = tx.GetProblem(id);
    if (!p.ok()) return detail::MissingOr(p.status(), "problem " + Id(id) + " does not exist");
    if (!svc.InScope(actor, p->owner_org_id)) return NotFound("problem " + Id(id) + " does not exist");
    RETURN_IF_ERROR(CheckVersion("problem", id, version, p->version));
    ASSIGN_OR_RETURN(auto to, domain::NextProblemStatus(p->status, action));
    RETURN_IF_ERROR(Authorize(svc, actor, domain::ProblemRules(p->status, action), p->owner_org_id, std::nullopt,
                              std::string(domain::ToString(action)) + " on problem " + Id(id)));
    ProblemStep step{*p, *p};
    if (to) step.after.status = *to;
    step.after.updated_at = NowSeconds();
    return step;
}

Status FinishProblemStep(store::WriteTx& tx, const Actor& actor, ProblemStep& step, ProblemAction action,
                         std::optional<std::string> reason) {
    RETURN_IF_ERROR(tx.UpdateProblem(step.after));
    auto e = TransitionEvent(actor, "problem", step.after.id, std::string(domain::ToString(action)),
                             domain::ToJson(step.before), domain::ToJson(step.after), Name(step.before.status),
                             Name(step.after.status), std::move(reason));
    return tx.AppendEvent(e);
}

struct OpinionStep {
    Opinion before;
    Opinion after;
};

Result<OpinionStep> BeginOpinionStep(const Service& svc, store::WriteTx& tx, const Actor& actor,
                                     domain::OpinionId id, OpinionAction action,
                                     std::optional<std::int64_t> version) {
    auto o = tx.GetOpinion(id);
    if (!o.ok()) return detail::MissingOr(o.status(), "opinion " + Id(id) + " does not exist");
    if (!svc.InScope(actor, o->org_id)) return NotFound("opinion " + Id(id) + " does not exist");
    RETURN_IF_ERROR(CheckVersion("opinion", id, version, o->version));
    ASSIGN_OR_RETURN(OpinionStatus to, domain::NextOpinionStatus(o->status, action));
    RETURN_IF_ERROR(Authorize(svc, actor, domain::OpinionRules(o->status, action), o->org_id, std::nullopt,
                              std::string(domain::ToString(action)) + " on opinion " + Id(id)));
    OpinionStep step{*o, *o};
    step.after.status = to;
    return step;
}

Status FinishOpinionStep(store::WriteTx& tx, const Actor& actor, OpinionStep& step, OpinionAction action,
                         std::optional<std::string> reason) {
    // The first response of any kind but a rating or a transfer stops the handling-time clock
    // (docs/SUPERVISION.md#opinion-time-limits): passing an opinion on is not answering it.
    const bool responds = action != OpinionAction::kRate && action != OpinionAction::kTransfer;
    if (responds && !step.after.responded_at) step.after.responded_at = NowSeconds();
    RETURN_IF_ERROR(tx.UpdateOpinion(step.after));
    auto e = TransitionEvent(actor, "opinion", step.after.id, std::string(domain::ToString(action)),
                             domain::ToJson(step.before), domain::ToJson(step.after), Name(step.before.status),
                             Name(step.after.status), std::move(reason));
    return tx.AppendEvent(e);
}

Status CheckCategory(store::Store& store, const std::optional<domain::CategoryId>& id) {
    if (!id) return Status::Ok();
    ASSIGN_OR_RETURN(auto categories, store.ListCategories());
    if (std::none_of(categories.begin(), categories.end(), [&](const auto& c) { return c.id == *id; })) {
        return InvalidArgument("category_id: no category " + Id(*id));
    }
    return Status::Ok();
}

template <typename T>
Page<T> PageOf(std::vector<T> items, int limit) {
    Page<T> page;
    if (static_cast<int>(items.size()) > limit) {
        items.resize(limit);
        page.next_cursor = EncodeCursor(items.back().id);
    }
    page.items = std::move(items);
    return page;
}

// ---- timeline ----

// Picks `keys` of an event's JSON snapshot for the timeline's detail.
json Pick(const std::optional<std::string>& snapshot, std::initializer_list<const char*> keys) {
    json out = json::object();
    if (!snapshot) return out;
    json j = json::parse(*snapshot, nullptr, false);
    if (!j.is_object()) return out;
    for (const char* k : keys) {
        if (j.contains(k)) out[k] = j[k];
    }
    return out;
}

json DetailOf(const store::Event& e) {
    if (e.entity == "problem") {
        if (e.action == "create" || e.action == "import") return Pick(e.after_json, {"title", "source", "owner_org_id"});
        if (e.action == "reopen") return Pick(e.after_json, {"round", "reopen_cause"});
        if (e.action == "merge") return Pick(e.after_json, {"merged_into_id"});
        if (e.action == "update") return Pick(e.after_json, {"title", "severity", "due_at", "category_id"});
        return Pick(e.after_json, {"round"});
    }
    if (e.entity == "task") {
        if (e.action == "create") {
            return Pick(e.after_json, {"title", "org_id", "type", "due_at", "responsible_person", "weight"});
        }
        if (e.action == "report") return Pick(e.after_json, {"id", "percent", "text", "evidence_ids"});
        if (e.action == "attach_evidence") {
            return Pick(e.after_json, {"id", "original_name", "content_type", "size_bytes", "sha256"});
        }
        return Pick(e.after_json, {"title", "progress"});
    }
    if (e.entity == "opinion") {
        if (e.action == "reply") return Pick(e.after_json, {"reply_text", "reply_org_id"});
        if (e.action == "rate") return Pick(e.after_json, {"satisfaction", "rating_comment"});
        if (e.action == "accept" || e.action == "link" || e.action == "relink") return Pick(e.after_json, {"problem_id"});
        if (e.action == "create" || e.action == "import") return Pick(e.after_json, {"title", "channel", "org_id"});
        if (e.action == "transfer") return Pick(e.after_json, {"org_id", "transfer_count"});
        return Pick(e.after_json, {"duplicate_of_opinion_id", "duplicate_of_problem_id"});
    }
    return json::object();
}

std::optional<UnixSeconds> TimeIn(const json& j, const char* key) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return std::nullopt;
    auto t = ParseIso(j[key].get<std::string>());
    if (!t.ok()) return std::nullopt;
    return *t;
}

// The entries synthesised from an import event's snapshot: the dates the imported record carries.
void AddHistorical(const store::Event& e, std::vector<TimelineEntry>& out) {
    if (e.action != "import" || !e.after_json) return;
    json j = json::parse(*e.after_json, nullptr, false);
    auto add = [&](UnixSeconds at, std::string action, std::optional<std::string> from, std::optional<std::string> to,
                   json detail) {
        TimelineEntry t;
        t.at = at;
        t.entity = e.entity;
        t.entity_id = e.entity_id;
        t.action = std::move(action);
        t.actor = e.actor;
        t.from = std::move(from);
        t.to = std::move(to);
        t.detail = std::move(detail);
        t.historical = true;
        out.push_back(std::move(t));
    };
    if (e.entity == "problem") {
        if (auto created = TimeIn(j, "created_at")) {
            add(*created, "registered", std::nullopt, "registered", Pick(e.after_json, {"title", "source"}));
        }
        if (j.value("status", "") == "closed") {
            if (auto closed = TimeIn(j, "closed_at")) add(*closed, "closed", std::nullopt, "closed", json::object());
        }
    } else if (e.entity == "opinion") {
        if (auto received = TimeIn(j, "received_at")) {
            add(*received, "received", std::nullopt, "received", Pick(e.after_json, {"title", "channel"}));
        }
        if (auto replied = TimeIn(j, "replied_at")) {
            add(*replied, "replied", std::nullopt, std::nullopt, Pick(e.after_json, {"reply_text", "reply_org_id"}));
        }
    }
}

// Bytes safe for a stored key: 1-255 visible ASCII characters.
bool IsValidKey(const std::string& key) {
    if (key.empty() || key.size() > 255) return false;
    return std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

std::string ActorKey(const Actor& actor) {
    return actor.user_id ? "user:" + Id(*actor.user_id) : "actor:" + actor.name;
}

}  // namespace

namespace detail {

Status FollowProblemTasks(store::WriteTx& tx, const Actor& actor, domain::ProblemId id, const std::string& cause) {
    return FollowTasks(tx, actor, id, cause);
}

Status CreateTaskInTx(const Service& svc, store::WriteTx& tx, const Actor& actor, domain::ProblemId problem_id,
                      const TaskDraft& draft, std::optional<std::int64_t> problem_version, Task& t) {
    t = Task{};
    t.problem_id = problem_id;
    t.org_id = draft.org_id;
    t.title = draft.title;
    t.description = draft.description;
    t.responsible_person = draft.responsible_person;
    t.lead_official = draft.lead_official;
    t.type = draft.type;
    t.due_at = draft.due_at;
    t.review_dates = draft.review_dates;
    t.weight_bp = draft.weight_bp;
    t.status = TaskStatus::kPending;
    t.created_at = t.updated_at = NowSeconds();
    ASSIGN_OR_RETURN(ProblemStep step,
                     BeginProblemStep(svc, tx, actor, problem_id, ProblemAction::kAddTask, problem_version));
    const Problem& p = step.before;
    if (!svc.InScope(actor, draft.org_id)) return NotFound("org_id: org " + Id(draft.org_id) + " does not exist");
    if (!svc.Tree()->InSubtree(draft.org_id, p.owner_org_id)) {
        // Issue 5: a co-owner of a joint problem (同题共答) gets tasks too, e.g. its part in a new round.
        ASSIGN_OR_RETURN(auto co_owners, tx.ListCoOwners(problem_id));
        if (std::none_of(co_owners.begin(), co_owners.end(),
                         [&](const domain::CoOwner& c) { return c.org_id == draft.org_id; })) {
            return InvalidArgument("org_id: org " + Id(draft.org_id) + " is neither the problem's owner org " +
                                   Id(p.owner_org_id) + " nor below it; a task is a measure of the owner or one "
                                   "of its units");
        }
    }
    t.created_by_org_id = p.owner_org_id;
    t.round = p.round;
    RETURN_IF_ERROR(domain::ValidateTask(t));
    RETURN_IF_ERROR(tx.InsertTask(t));
    auto e = TransitionEvent(actor, "task", t.id, "create", std::nullopt, domain::ToJson(t), std::nullopt,
                             Name(t.status), std::nullopt);
    RETURN_IF_ERROR(tx.AppendEvent(e));
    return FollowTasks(tx, actor, problem_id, "task " + Id(t.id) + ": create");
}

Status StartTaskInTx(const Service& svc, store::WriteTx& tx, const Actor& actor, domain::TaskId id, Task& out) {
    ASSIGN_OR_RETURN(TaskStep step, BeginTaskStep(svc, tx, actor, id, TaskAction::kStart, std::nullopt));
    RETURN_IF_ERROR(FinishTaskStep(tx, actor, step, TaskAction::kStart, std::nullopt));
    out = step.after;
    return Status::Ok();
}

Status ReportProgressInTx(const Service& svc, store::WriteTx& tx, const Actor& actor, domain::TaskId id,
                          const ReportDraft& draft, std::optional<std::int64_t> version, ProgressReport& r) {
    RETURN_IF_ERROR(domain::CheckRequiredText("text", draft.text, domain::kMaxTextChars));
    if (draft.percent < 0 || draft.percent > 100) return InvalidArgument("percent: must be 0 to 100");
    r = ProgressReport{};
    ASSIGN_OR_RETURN(TaskStep step, BeginTaskStep(svc, tx, actor, id, TaskAction::kReport, version));
    r.task_id = id;
    r.reported_at = NowSeconds();
    r.text = draft.text;
    r.percent = draft.percent;
    r.actor = actor.name;
    RETURN_IF_ERROR(tx.InsertProgressReport(r));
    for (domain::EvidenceId e : draft.evidence_ids) {
        auto ev = tx.GetEvidence(e);
        if (!ev.ok() || ev->task_id != id) {
            return NotFound("evidence_ids: evidence " + Id(e) + " is not a file of task " + Id(id));
        }
        RETURN_IF_ERROR(tx.AttachEvidence(e, r.id));
        r.evidence_ids.push_back(e);
    }
    // A cascade parent's progress is the roll-up of its children (issue 5); the report keeps its percent.
    ASSIGN_OR_RETURN(auto children, tx.ChildStates(id));
    if (children.empty()) step.after.progress = draft.percent;
    return FinishTaskStep(tx, actor, step, TaskAction::kReport, std::nullopt, domain::ToJson(r));
}

Status SubmitTaskInTx(const Service& svc, store::WriteTx& tx, const Actor& actor, domain::TaskId id,
                      std::optional<std::int64_t> version, Task& out) {
    ASSIGN_OR_RETURN(TaskStep step, BeginTaskStep(svc, tx, actor, id, TaskAction::kSubmit, version));
    ASSIGN_OR_RETURN(auto new_reports, tx.CountReportsAfter(id, step.before.returned_after_report_id));
    ASSIGN_OR_RETURN(auto evidence, tx.CountEvidence(id));
    RETURN_IF_ERROR(domain::CheckCanSubmit(step.before, new_reports, evidence));
    ASSIGN_OR_RETURN(auto children, tx.ChildStates(id));  // issue 5: a cascade parent waits for its children
    RETURN_IF_ERROR(domain::CheckCanSubmitParent(id, children));
    step.after.submitted_at = step.after.updated_at;
    RETURN_IF_ERROR(FinishTaskStep(tx, actor, step, TaskAction::kSubmit, std::nullopt));
    out = step.after;
    return Status::Ok();
}

Status CloseProblemInTx(const Service& svc, store::WriteTx& tx, const Actor& actor, domain::ProblemId id,
                        std::optional<std::int64_t> version, Problem& out) {
    ASSIGN_OR_RETURN(ProblemStep step, BeginProblemStep(svc, tx, actor, id, ProblemAction::kClose, version));
    ASSIGN_OR_RETURN(auto tasks, tx.ListTasksOfProblem(id));
    ASSIGN_OR_RETURN(auto opinions, tx.ListOpinionsOfProblem(id));
    RETURN_IF_ERROR(domain::CheckCanClose(step.before, tasks, opinions));
    ASSIGN_OR_RETURN(auto co_owners, tx.ListCoOwners(id));  // issue 5: every part of a joint problem
    std::vector<OrgId> co_owner_ids;
    for (const auto& c : co_owners) co_owner_ids.push_back(c.org_id);
    RETURN_IF_ERROR(domain::CheckJointPartsAccepted(co_owner_ids, tasks, step.before.round));
    step.after.closed_at = step.after.updated_at;
    RETURN_IF_ERROR(FinishProblemStep(tx, actor, step, ProblemAction::kClose, std::nullopt));
    out = step.after;
    return Status::Ok();
}

}  // namespace detail

// ---- configuration ----

void Service::ConfigureEvidence(EvidenceOptions options) {
    if (options.policy.allowed_types.empty()) options.policy.allowed_types = domain::DefaultEvidenceTypes();
    evidence_ = std::move(options);
}

// ---- tasks ----

Result<Task> Service::CreateTask(const Actor& actor, domain::ProblemId problem_id, const TaskDraft& draft,
                                 std::optional<std::int64_t> problem_version) {
    Task t;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        return detail::CreateTaskInTx(*this, tx, actor, problem_id, draft, problem_version, t);
    }));
    return t;
}

Result<Task> Service::GetTask(const Actor& actor, domain::TaskId id) {
    auto t = store_->GetTask(id);
    if (!t.ok()) return detail::MissingOr(t.status(), "task " + Id(id) + " does not exist");
    if (InScope(actor, t->org_id)) return t;
    // Issue 5: an org with full access to the problem (an escalation's origin) reads all its tasks.
    auto p = store_->GetProblem(t->problem_id);
    if (!p.ok() || AccessToProblem(actor, *p) != ProblemAccess::kFull) {
        return NotFound("task " + Id(id) + " does not exist");
    }
    return t;
}

Result<std::vector<Task>> Service::ListTasks(const Actor& actor, domain::ProblemId problem, std::optional<int> round) {
    ASSIGN_OR_RETURN(ProblemDetail detail, GetProblem(actor, problem));
    ASSIGN_OR_RETURN(auto tasks, store_->ListTasksOfProblem(problem));
    std::vector<Task> out;
    for (auto& t : tasks) {
        if (round && t.round != *round) continue;
        // Issue 5: full access shows every part; partial access (a cascade child) its own tasks only.
        if (detail.access == ProblemAccess::kFull || InScope(actor, t.org_id)) out.push_back(std::move(t));
    }
    return out;
}

Result<Task> Service::UpdateTask(const Actor& actor, domain::TaskId id, const TaskPatch& patch) {
    Task out;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(TaskStep step, BeginTaskStep(*this, tx, actor, id, TaskAction::kEdit, patch.version));
        Task& t = step.after;
        if (patch.title) t.title = *patch.title;
        if (patch.description) t.description = *patch.description;
        if (patch.responsible_person) t.responsible_person = *patch.responsible_person;
        if (patch.lead_official) t.lead_official = *patch.lead_official;
        if (patch.type) t.type = *patch.type;
        if (patch.due_at) t.due_at = *patch.due_at;
        if (patch.review_dates) t.review_dates = *patch.review_dates;
        if (patch.weight_bp) t.weight_bp = *patch.weight_bp;
        RETURN_IF_ERROR(domain::ValidateTask(t));
        if (t.parent_task_id) {  // issue 5: a cascade child's deadline never passes its parent's
            ASSIGN_OR_RETURN(Task parent, tx.GetTask(*t.parent_task_id));
            RETURN_IF_ERROR(domain::CheckChildDeadline(t, parent));
        }
        RETURN_IF_ERROR(FinishTaskStep(tx, actor, step, TaskAction::kEdit, std::nullopt));
        out = step.after;
        return Status::Ok();
    }));
    return out;
}

Result<Task> Service::StartTask(const Actor& actor, domain::TaskId id, std::optional<std::int64_t> version) {
    Task out;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(TaskStep step, BeginTaskStep(*this, tx, actor, id, TaskAction::kStart, version));
        RETURN_IF_ERROR(FinishTaskStep(tx, actor, step, TaskAction::kStart, std::nullopt));
        out = step.after;
        return Status::Ok();
    }));
    return out;
}

Result<ProgressReport> Service::ReportProgress(const Actor& actor, domain::TaskId id, const ReportDraft& draft,
                                               std::optional<std::int64_t> version) {
    ProgressReport r;
    RETURN_IF_ERROR(store_->Write(
        [&](store::WriteTx& tx) -> Status { return detail::ReportProgressInTx(*this, tx, actor, id, draft, version, r); }));
    return r;
}

Result<std::vector<ProgressReport>> Service::ListReports(const Actor& actor, domain::TaskId id) {
    RETURN_IF_ERROR(GetTask(actor, id));
    return store_->ListProgressReports(id);
}

Result<Evidence> Service::UploadEvidence(const Actor& actor, domain::TaskId id, const std::string& original_name,
                                         const std::string& content_type, std::string_view content) {
    // Cheap checks first, so nothing is written for a request that will fail.
    ASSIGN_OR_RETURN(Task task, GetTask(actor, id));
    RETURN_IF_ERROR(domain::CheckEvidence(evidence_.policy, original_name, content_type, content));
    RETURN_IF_ERROR(domain::NextTaskStatus(task.status, TaskAction::kAttachEvidence));
    RETURN_IF_ERROR(Authorize(*this, actor, domain::TaskRules(task.status, TaskAction::kAttachEvidence), task.org_id,
                              task.created_by_org_id, "attach_evidence on task " + Id(id)));
    if (evidence_.blob_dir.empty()) {
        return FailedPrecondition("this server has no evidence directory (rectify --blob-dir)");
    }
    Evidence e;
    RETURN_IF_ERROR(WithNewBlob(content, [&](const std::string& sha256) { return store_->Write([&](store::WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(TaskStep step, BeginTaskStep(*this, tx, actor, id, TaskAction::kAttachEvidence, std::nullopt));
        e.task_id = id;
        e.sha256 = sha256;
        e.size_bytes = static_cast<std::int64_t>(content.size());
        e.content_type = domain::NormaliseContentType(content_type);
        e.original_name = original_name;
        e.uploaded_by = actor.name;
        e.uploaded_at = NowSeconds();
        RETURN_IF_ERROR(tx.InsertEvidence(e));
        // The task row does not change (a file is a child record): only the event.
        auto ev = TransitionEvent(actor, "task", id, "attach_evidence", std::nullopt, domain::ToJson(e),
                                  Name(step.before.status), Name(step.before.status), std::nullopt);
        return tx.AppendEvent(ev);
    }); }));
    return e;
}

Result<std::vector<Evidence>> Service::ListEvidence(const Actor& actor, domain::TaskId id) {
    RETURN_IF_ERROR(GetTask(actor, id));
    return store_->ListEvidence(id);
}

Result<Evidence> Service::GetEvidence(const Actor& actor, domain::EvidenceId id) {
    auto e = store_->GetEvidence(id);
    if (!e.ok()) return detail::MissingOr(e.status(), "evidence " + Id(id) + " does not exist");
    if (auto task = GetTask(actor, e->task_id); !task.ok()) {
        return detail::MissingOr(task.status(), "evidence " + Id(id) + " does not exist");
    }
    return e;
}

Result<std::pair<Evidence, std::string>> Service::DownloadEvidence(const Actor& actor, domain::EvidenceId id) {
    ASSIGN_OR_RETURN(Evidence e, GetEvidence(actor, id));
    if (evidence_.blob_dir.empty()) {
        return FailedPrecondition("this server has no evidence directory (rectify --blob-dir)");
    }
    ASSIGN_OR_RETURN(std::string content, store::BlobStore(evidence_.blob_dir).Get(e.sha256));
    if (Sha256Hex(content) != e.sha256) return Internal("evidence file of evidence " + Id(id) + " is damaged");
    return std::make_pair(std::move(e), std::move(content));
}

Result<Task> Service::SubmitTask(const Actor& actor, domain::TaskId id, std::optional<std::int64_t> version) {
    Task out;
    RETURN_IF_ERROR(store_->Write(
        [&](store::WriteTx& tx) -> Status { return detail::SubmitTaskInTx(*this, tx, actor, id, version, out); }));
    return out;
}

Result<Task> Service::AcceptTask(const Actor& actor, domain::TaskId id, const std::optional<std::string>& comment,
                                 std::optional<std::int64_t> version) {
    RETURN_IF_ERROR(CheckOptionalText("comment", comment, domain::kMaxReasonChars));
    Task out;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(TaskStep step, BeginTaskStep(*this, tx, actor, id, TaskAction::kAccept, version));
        step.after.accepted_at = step.after.updated_at;
        step.after.withdrawal_reason.reset();
        RETURN_IF_ERROR(FinishTaskStep(tx, actor, step, TaskAction::kAccept, comment));
        out = step.after;
        return Status::Ok();
    }));
    return out;
}

Result<Task> Service::ReturnTask(const Actor& actor, domain::TaskId id, const std::string& reason,
                                 std::optional<std::int64_t> version) {
    RETURN_IF_ERROR(domain::CheckRequiredText("reason", reason));
    Task out;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(TaskStep step, BeginTaskStep(*this, tx, actor, id, TaskAction::kReturn, version));
        ASSIGN_OR_RETURN(step.after.returned_after_report_id, tx.LastReportId(id));
        step.after.return_reason = reason;
        step.after.returned_at = step.after.updated_at;
        RETURN_IF_ERROR(FinishTaskStep(tx, actor, step, TaskAction::kReturn, reason));
        out = step.after;
        return Status::Ok();
    }));
    return out;
}

Result<Task> Service::RequestWithdrawal(const Actor& actor, domain::TaskId id, const std::string& reason,
                                        std::optional<std::int64_t> version) {
    RETURN_IF_ERROR(domain::CheckRequiredText("reason", reason));
    Task out;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(TaskStep step,
                         BeginTaskStep(*this, tx, actor, id, TaskAction::kRequestWithdrawal, version));
        if (step.before.withdrawal_reason) {
            return FailedPrecondition("task " + Id(id) + " has an open withdrawal request already; org " +
                                      Id(step.before.created_by_org_id) + " decides on it");
        }
        step.after.withdrawal_reason = reason;
        RETURN_IF_ERROR(FinishTaskStep(tx, actor, step, TaskAction::kRequestWithdrawal, reason));
        out = step.after;
        return Status::Ok();
    }));
    return out;
}

Result<Task> Service::DeclineWithdrawal(const Actor& actor, domain::TaskId id, const std::string& reason,
                                        std::optional<std::int64_t> version) {
    RETURN_IF_ERROR(domain::CheckRequiredText("reason", reason));
    Task out;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(TaskStep step,
                         BeginTaskStep(*this, tx, actor, id, TaskAction::kDeclineWithdrawal, version));
        if (!step.before.withdrawal_reason) {
            return FailedPrecondition("task " + Id(id) + " has no open withdrawal request");
        }
        step.after.withdrawal_reason.reset();
        RETURN_IF_ERROR(FinishTaskStep(tx, actor, step, TaskAction::kDeclineWithdrawal, reason));
        out = step.after;
        return Status::Ok();
    }));
    return out;
}

Result<Task> Service::WithdrawTask(const Actor& actor, domain::TaskId id, const std::string& reason,
                                   std::optional<std::int64_t> version) {
    RETURN_IF_ERROR(domain::CheckRequiredText("reason", reason));
    Task out;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(TaskStep step, BeginTaskStep(*this, tx, actor, id, TaskAction::kWithdraw, version));
        step.after.withdrawal_reason.reset();
        RETURN_IF_ERROR(FinishTaskStep(tx, actor, step, TaskAction::kWithdraw, reason));
        out = step.after;
        return Status::Ok();
    }));
    return out;
}

// ---- problems ----

Result<Problem> Service::CloseProblem(const Actor& actor, domain::ProblemId id, std::optional<std::int64_t> version) {
    Problem out;
    RETURN_IF_ERROR(store_->Write(
        [&](store::WriteTx& tx) -> Status { return detail::CloseProblemInTx(*this, tx, actor, id, version, out); }));
    return out;
}

Result<Problem> Service::ReopenProblem(const Actor& actor, domain::ProblemId id, domain::ReopenCause cause,
                                       const std::string& reason, std::optional<std::int64_t> version) {
    RETURN_IF_ERROR(domain::CheckRequiredText("reason", reason));
    Problem out;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(ProblemStep step, BeginProblemStep(*this, tx, actor, id, ProblemAction::kReopen, version));
        step.after = domain::Reopened(step.before, cause, reason, NowSeconds());
        RETURN_IF_ERROR(FinishProblemStep(tx, actor, step, ProblemAction::kReopen, reason));
        out = step.after;
        return Status::Ok();
    }));
    return out;
}

Result<Problem> Service::MarkProblemInvalid(const Actor& actor, domain::ProblemId id, const std::string& reason,
                                            std::optional<std::int64_t> version) {
    RETURN_IF_ERROR(domain::CheckRequiredText("reason", reason));
    Problem out;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(ProblemStep step,
                         BeginProblemStep(*this, tx, actor, id, ProblemAction::kMarkInvalid, version));
        step.after.status_reason = reason;
        RETURN_IF_ERROR(FinishProblemStep(tx, actor, step, ProblemAction::kMarkInvalid, reason));
        RETURN_IF_ERROR(CancelOpenTasks(tx, actor, step.after, "problem " + Id(id) + " marked invalid: " + reason));
        out = step.after;
        return Status::Ok();
    }));
    return out;
}

Result<Problem> Service::MergeProblem(const Actor& actor, domain::ProblemId id, domain::ProblemId into,
                                      const std::string& reason, std::optional<std::int64_t> version) {
    RETURN_IF_ERROR(domain::CheckRequiredText("reason", reason));
    if (into == id) return InvalidArgument("into_problem_id: a problem cannot be merged into itself");
    Problem out;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(ProblemStep step, BeginProblemStep(*this, tx, actor, id, ProblemAction::kMerge, version));
        auto target = tx.GetProblem(into);
        if (!target.ok() || !InScope(actor, target->owner_org_id)) {
            return NotFound("into_problem_id: problem " + Id(into) + " does not exist");
        }
        if (!IsOpen(target->status)) {
            return FailedPrecondition("problem " + Id(into) + " is " + std::string(domain::ToString(target->status)) +
                                      ": merge into an open problem");
        }
        RETURN_IF_ERROR(Authorize(*this, actor, domain::ProblemRules(step.before.status, ProblemAction::kMerge),
                                  target->owner_org_id, std::nullopt, "merge into problem " + Id(into)));
        step.after.merged_into_id = into;
        step.after.status_reason = reason;
        RETURN_IF_ERROR(FinishProblemStep(tx, actor, step, ProblemAction::kMerge, reason));
        RETURN_IF_ERROR(
            CancelOpenTasks(tx, actor, step.after, "problem " + Id(id) + " merged into problem " + Id(into)));
        ASSIGN_OR_RETURN(auto opinions, tx.ListOpinionsOfProblem(id));
        for (Opinion o : opinions) {
            const Opinion before = o;
            o.problem_id = into;
            RETURN_IF_ERROR(tx.UpdateOpinion(o));
            auto e = TransitionEvent(actor, "opinion", o.id, "relink", domain::ToJson(before), domain::ToJson(o),
                                     Name(o.status), Name(o.status),
                                     "problem " + Id(id) + " merged into problem " + Id(into));
            RETURN_IF_ERROR(tx.AppendEvent(e));
        }
        out = step.after;
        return Status::Ok();
    }));
    return out;
}

Result<std::vector<TimelineEntry>> Service::Timeline(const Actor& actor, domain::ProblemId id) {
    ASSIGN_OR_RETURN(ProblemDetail detail, GetProblem(actor, id));
    std::vector<store::Event> events;
    auto add_events = [&](const std::string& entity, std::int64_t entity_id) -> Status {
        ASSIGN_OR_RETURN(auto list, store_->ListEvents(entity, entity_id));
        events.insert(events.end(), list.begin(), list.end());
        return Status::Ok();
    };
    RETURN_IF_ERROR(add_events("problem", id));
    ASSIGN_OR_RETURN(auto tasks, store_->ListTasksOfProblem(id));
    for (const auto& t : tasks) {
        // Issue 5: partial access (a cascade child) follows its own tasks only.
        if (detail.access == ProblemAccess::kFull || InScope(actor, t.org_id)) RETURN_IF_ERROR(add_events("task", t.id));
    }
    for (domain::OpinionId o : detail.opinion_ids) RETURN_IF_ERROR(add_events("opinion", o));

    std::vector<TimelineEntry> out;
    for (const auto& e : events) {
        if (detail.access != ProblemAccess::kFull && detail::IsEscalationEvent(e)) continue;  // issue 5
        AddHistorical(e, out);
        TimelineEntry t;
        t.at = e.at;
        t.entity = e.entity;
        t.entity_id = e.entity_id;
        t.action = e.action;
        t.actor = e.actor;
        t.from = e.from_state;
        t.to = e.to_state;
        t.reason = e.reason;
        t.detail = DetailOf(e);
        t.event_id = e.id;
        out.push_back(std::move(t));
    }
    // In time order; at the same second, historical dates first, then events in the order they were written.
    std::stable_sort(out.begin(), out.end(), [](const TimelineEntry& a, const TimelineEntry& b) {
        if (a.at != b.at) return a.at < b.at;
        return a.event_id.value_or(0) < b.event_id.value_or(0);
    });
    return out;
}

// ---- opinions ----

Result<OpinionAccepted> Service::AcceptOpinion(const Actor& actor, domain::OpinionId id, const OpinionAcceptance& how,
                                               std::optional<std::int64_t> version) {
    const bool link = how.problem_id.has_value();
    if (link && (how.title || how.description || how.owner_org_id || how.category_id || how.severity || how.due_at)) {
        return InvalidArgument("give either problem_id (link to an existing problem) or the fields of a new problem");
    }
    if (!link) RETURN_IF_ERROR(CheckCategory(*store_, how.category_id));
    OpinionAccepted out;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        const OpinionAction action = link ? OpinionAction::kLink : OpinionAction::kAccept;
        ASSIGN_OR_RETURN(OpinionStep step, BeginOpinionStep(*this, tx, actor, id, action, version));
        if (link) {
            auto p = tx.GetProblem(*how.problem_id);
            if (!p.ok() || !InScope(actor, p->owner_org_id)) {
                return NotFound("problem_id: problem " + Id(*how.problem_id) + " does not exist");
            }
            if (!IsOpen(p->status)) {
                return FailedPrecondition("problem " + Id(p->id) + " is " + std::string(domain::ToString(p->status)) +
                                          ": link opinions only to an open problem (reopen it, or accept the "
                                          "opinion as a new problem)");
            }
            out.problem = *p;
        } else {
            Problem p;
            const Opinion& o = step.before;
            p.title = how.title.value_or(CutCodePoints(o.title, domain::kMaxTitleChars));
            p.description = how.description.value_or(o.text);
            p.source = domain::ProblemSource::kPublicOpinion;
            p.category_id = how.category_id ? how.category_id : o.category_id;
            p.severity = how.severity.value_or(domain::Severity::kNormal);
            p.owner_org_id = how.owner_org_id.value_or(o.org_id);
            p.status = ProblemStatus::kRegistered;
            p.created_at = p.updated_at = NowSeconds();
            p.due_at = how.due_at;
            if (!InScope(actor, p.owner_org_id)) {
                return NotFound("owner_org_id: org " + Id(p.owner_org_id) + " does not exist");
            }
            RETURN_IF_ERROR(domain::ValidateProblem(p));
            RETURN_IF_ERROR(tx.InsertProblem(p));
            auto e = TransitionEvent(actor, "problem", p.id, "create", std::nullopt, domain::ToJson(p), std::nullopt,
                                     Name(p.status), "accepted from opinion " + Id(id));
            RETURN_IF_ERROR(tx.AppendEvent(e));
            out.problem = p;
            out.created_problem = true;
        }
        step.after.problem_id = out.problem.id;
        RETURN_IF_ERROR(FinishOpinionStep(tx, actor, step, action, std::nullopt));
        out.opinion = step.after;
        return Status::Ok();
    }));
    return out;
}

Result<Opinion> Service::DeclineOpinion(const Actor& actor, domain::OpinionId id, const std::string& reason,
                                        std::optional<std::int64_t> version) {
    RETURN_IF_ERROR(domain::CheckRequiredText("reason", reason));
    Opinion out;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(OpinionStep step, BeginOpinionStep(*this, tx, actor, id, OpinionAction::kDecline, version));
        step.after.status_reason = reason;
        RETURN_IF_ERROR(FinishOpinionStep(tx, actor, step, OpinionAction::kDecline, reason));
        out = step.after;
        return Status::Ok();
    }));
    return out;
}

Result<Opinion> Service::MarkOpinionDuplicate(const Actor& actor, domain::OpinionId id,
                                              std::optional<domain::OpinionId> of_opinion,
                                              std::optional<domain::ProblemId> of_problem,
                                              const std::optional<std::string>& reason,
                                              std::optional<std::int64_t> version) {
    if (of_opinion.has_value() == of_problem.has_value()) {
        return InvalidArgument("give exactly one of of_opinion_id and of_problem_id");
    }
    if (of_opinion == id) return InvalidArgument("of_opinion_id: an opinion cannot duplicate itself");
    RETURN_IF_ERROR(CheckOptionalText("reason", reason, domain::kMaxReasonChars));
    Opinion out;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(OpinionStep step,
                         BeginOpinionStep(*this, tx, actor, id, OpinionAction::kMarkDuplicate, version));
        if (of_opinion) {
            auto o = tx.GetOpinion(*of_opinion);
            if (!o.ok() || !InScope(actor, o->org_id)) {
                return NotFound("of_opinion_id: opinion " + Id(*of_opinion) + " does not exist");
            }
        } else {
            auto p = tx.GetProblem(*of_problem);
            if (!p.ok() || !InScope(actor, p->owner_org_id)) {
                return NotFound("of_problem_id: problem " + Id(*of_problem) + " does not exist");
            }
        }
        step.after.duplicate_of_opinion_id = of_opinion;
        step.after.duplicate_of_problem_id = of_problem;
        step.after.status_reason = reason;
        RETURN_IF_ERROR(FinishOpinionStep(tx, actor, step, OpinionAction::kMarkDuplicate, reason));
        out = step.after;
        return Status::Ok();
    }));
    return out;
}

Result<Opinion> Service::ReplyOpinion(const Actor& actor, domain::OpinionId id, const std::string& text,
                                      std::optional<OrgId> reply_org_id, std::optional<std::int64_t> version) {
    RETURN_IF_ERROR(domain::CheckRequiredText("text", text, domain::kMaxTextChars));
    Opinion out;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(OpinionStep step, BeginOpinionStep(*this, tx, actor, id, OpinionAction::kReply, version));
        const OrgId org = reply_org_id.value_or(step.before.org_id);
        if (!InScope(actor, org)) return NotFound("reply_org_id: org " + Id(org) + " does not exist");
        step.after.reply_text = text;
        step.after.replied_at = NowSeconds();
        step.after.reply_org_id = org;
        // The rating fields are the last reply's: a new reply is not rated yet.
        step.after.satisfaction.reset();
        step.after.rated_at.reset();
        step.after.rating_comment.reset();
        RETURN_IF_ERROR(FinishOpinionStep(tx, actor, step, OpinionAction::kReply, std::nullopt));
        out = step.after;
        return Status::Ok();
    }));
    return out;
}

Result<Opinion> Service::TransferOpinion(const Actor& actor, domain::OpinionId id, OrgId to,
                                        const std::string& reason, std::optional<std::int64_t> version) {
    RETURN_IF_ERROR(domain::CheckRequiredText("reason", reason, domain::kMaxReasonChars));
    Opinion out;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(OpinionStep step, BeginOpinionStep(*this, tx, actor, id, OpinionAction::kTransfer, version));
        const OrgId from = step.before.org_id;
        if (to == from) return InvalidArgument("to_org_id: the opinion is already at org " + Id(to));
        // The target: in the actor's scope, or an ancestor of the opinion's org (back up to dispatch).
        auto tree = Tree();
        const bool known = tree && tree->Contains(to);
        const bool ancestor = known && tree->InSubtree(from, to);
        if (!known || (!ancestor && !InScope(actor, to))) {
            return NotFound("to_org_id: org " + Id(to) + " does not exist");
        }
        step.after.org_id = to;
        step.after.transfer_count = step.before.transfer_count + 1;
        domain::OpinionRouting routing;
        routing.opinion_id = id;
        routing.at = NowSeconds();
        routing.from_org_id = from;
        routing.to_org_id = to;
        routing.actor = actor.name;
        routing.reason = reason;
        RETURN_IF_ERROR(tx.InsertOpinionRouting(routing));
        RETURN_IF_ERROR(FinishOpinionStep(tx, actor, step, OpinionAction::kTransfer, reason));
        out = step.after;
        return Status::Ok();
    }));
    return out;
}

Result<std::vector<domain::OpinionRouting>> Service::OpinionRoutingOf(const Actor& actor, domain::OpinionId id) {
    ASSIGN_OR_RETURN(auto opinion, GetOpinion(actor, id));  // kNotFound outside the scope
    return store_->ListOpinionRouting(opinion.id);
}

Result<Opinion> Service::RateOpinion(const Actor& actor, domain::OpinionId id, domain::Satisfaction satisfaction,
                                     const std::optional<std::string>& comment, std::optional<std::int64_t> version) {
    RETURN_IF_ERROR(CheckOptionalText("comment", comment, domain::kMaxReasonChars));
    Opinion out;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(OpinionStep step, BeginOpinionStep(*this, tx, actor, id, OpinionAction::kRate, version));
        RETURN_IF_ERROR(domain::CheckCanRate(step.before));
        step.after.satisfaction = satisfaction;
        step.after.rated_at = NowSeconds();
        step.after.rating_comment = comment;
        RETURN_IF_ERROR(FinishOpinionStep(tx, actor, step, OpinionAction::kRate,
                                          std::string(domain::ToString(satisfaction)) +
                                              (comment ? ": " + *comment : std::string())));
        out = step.after;
        if (satisfaction != domain::Satisfaction::kDissatisfied || !step.after.problem_id) return Status::Ok();
        // 不满意 on a closed problem reopens it: the system row of the problem table.
        ASSIGN_OR_RETURN(Problem p, tx.GetProblem(*step.after.problem_id));
        if (p.status != ProblemStatus::kClosed) return Status::Ok();
        RETURN_IF_ERROR(domain::NextProblemStatus(p.status, ProblemAction::kReopen));
        ProblemStep ps{p, domain::Reopened(p, domain::ReopenCause::kDissatisfiedRating,
                                           "opinion " + Id(id) + " rated dissatisfied" +
                                               (comment ? ": " + *comment : std::string()),
                                           step.after.rated_at.value_or(NowSeconds()))};
        return FinishProblemStep(tx, actor, ps, ProblemAction::kReopen, ps.after.status_reason);
    }));
    return out;
}

// ---- mechanisms ----

Result<Mechanism> Service::CreateMechanism(const Actor& actor, const MechanismDraft& draft) {
    if (!InScope(actor, draft.org_id)) return NotFound("org_id: org " + Id(draft.org_id) + " does not exist");
    RETURN_IF_ERROR(AuthorizeRoles(*this, actor, kOrgWorkers, draft.org_id, "adopting a mechanism"));
    Mechanism m;
    m.org_id = draft.org_id;
    m.title = draft.title;
    m.text = draft.text;
    m.created_at = m.updated_at = NowSeconds();
    m.adopted_at = draft.adopted_at.value_or(m.created_at);
    RETURN_IF_ERROR(domain::ValidateMechanism(m));
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.InsertMechanism(m));
        auto e = MakeEvent(actor, "mechanism", m.id, "create", std::nullopt, domain::ToJson(m));
        RETURN_IF_ERROR(tx.AppendEvent(e));
        for (domain::ProblemId p : draft.problem_ids) {
            auto problem = tx.GetProblem(p);
            if (!problem.ok() || !InScope(actor, problem->owner_org_id)) {
                return NotFound("problem_ids: problem " + Id(p) + " does not exist");
            }
            RETURN_IF_ERROR(tx.LinkMechanismProblem(m.id, p, m.created_at));
            auto link = MakeEvent(actor, "mechanism", m.id, "link_problem", std::nullopt, json{{"problem_id", p}});
            RETURN_IF_ERROR(tx.AppendEvent(link));
        }
        return Status::Ok();
    }));
    return store_->GetMechanism(m.id);
}

Result<Mechanism> Service::GetMechanism(const Actor& actor, domain::MechanismId id) {
    auto m = store_->GetMechanism(id);
    if (!m.ok()) return detail::MissingOr(m.status(), "mechanism " + Id(id) + " does not exist");
    if (!InScope(actor, m->org_id)) return NotFound("mechanism " + Id(id) + " does not exist");
    return m;
}

Result<Page<Mechanism>> Service::ListMechanisms(const Actor& actor, std::optional<OrgId> org_id,
                                                std::optional<domain::ProblemId> problem_id,
                                                const std::optional<std::string>& cursor, int limit) {
    if (limit < 1 || limit > kMaxPageSize) {
        return InvalidArgument("limit: must be between 1 and " + std::to_string(kMaxPageSize));
    }
    store::MechanismFilter f;
    ASSIGN_OR_RETURN(f.subtree_paths, ScopePaths(actor, org_id));
    if (problem_id) {
        RETURN_IF_ERROR(GetProblem(actor, *problem_id));
        f.problem_id = problem_id;
    }
    if (cursor) {
        ASSIGN_OR_RETURN(f.before_id, DecodeCursor(*cursor));
    }
    f.limit = limit + 1;
    ASSIGN_OR_RETURN(auto items, store_->ListMechanisms(f));
    return PageOf(std::move(items), limit);
}

Result<Mechanism> Service::UpdateMechanism(const Actor& actor, domain::MechanismId id, const MechanismPatch& patch) {
    ASSIGN_OR_RETURN(Mechanism before, GetMechanism(actor, id));
    RETURN_IF_ERROR(CheckVersion("mechanism", id, patch.version, before.version));
    RETURN_IF_ERROR(AuthorizeRoles(*this, actor, kOrgWorkers, before.org_id, "changing mechanism " + Id(id)));
    Mechanism m = before;
    if (patch.title) m.title = *patch.title;
    if (patch.text) m.text = *patch.text;
    if (patch.adopted_at) m.adopted_at = *patch.adopted_at;
    m.updated_at = NowSeconds();
    m.version = patch.version;
    RETURN_IF_ERROR(domain::ValidateMechanism(m));
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.UpdateMechanism(m));  // re-checks the version inside the transaction
        auto e = MakeEvent(actor, "mechanism", id, "update", domain::ToJson(before), domain::ToJson(m));
        return tx.AppendEvent(e);
    }));
    return m;
}

Result<Mechanism> Service::LinkMechanismProblem(const Actor& actor, domain::MechanismId id, domain::ProblemId problem) {
    ASSIGN_OR_RETURN(Mechanism m, GetMechanism(actor, id));
    RETURN_IF_ERROR(AuthorizeRoles(*this, actor, kOrgWorkers, m.org_id, "linking problems to mechanism " + Id(id)));
    auto p = GetProblem(actor, problem);
    if (!p.ok()) return detail::MissingOr(p.status(), "problem_id: problem " + Id(problem) + " does not exist");
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.LinkMechanismProblem(id, problem, NowSeconds()));
        auto e = MakeEvent(actor, "mechanism", id, "link_problem", std::nullopt, json{{"problem_id", problem}});
        return tx.AppendEvent(e);
    }));
    return store_->GetMechanism(id);
}

Result<Mechanism> Service::UnlinkMechanismProblem(const Actor& actor, domain::MechanismId id,
                                                  domain::ProblemId problem) {
    ASSIGN_OR_RETURN(Mechanism m, GetMechanism(actor, id));
    RETURN_IF_ERROR(AuthorizeRoles(*this, actor, kOrgWorkers, m.org_id, "unlinking problems of mechanism " + Id(id)));
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.UnlinkMechanismProblem(id, problem));
        auto e = MakeEvent(actor, "mechanism", id, "unlink_problem", json{{"problem_id", problem}}, std::nullopt);
        return tx.AppendEvent(e);
    }));
    return store_->GetMechanism(id);
}

// ---- meetings ----

Result<MeetingDetail> Service::CreateMeeting(const Actor& actor, const MeetingDraft& draft) {
    if (!InScope(actor, draft.org_id)) return NotFound("org_id: org " + Id(draft.org_id) + " does not exist");
    RETURN_IF_ERROR(AuthorizeRoles(*this, actor, kOrgWorkers, draft.org_id, "recording a meeting"));
    Meeting m;
    m.org_id = draft.org_id;
    m.kind = draft.kind;
    m.title = draft.title;
    m.held_at = draft.held_at;
    m.attendees = draft.attendees;
    m.notes = draft.notes;
    m.created_at = NowSeconds();
    RETURN_IF_ERROR(domain::ValidateMeeting(m));
    for (std::size_t i = 0; i < draft.findings.size(); ++i) {
        RETURN_IF_ERROR(
            domain::CheckRequiredText("findings/" + std::to_string(i), draft.findings[i], domain::kMaxTextChars));
    }
    MeetingDetail out;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.InsertMeeting(m));
        auto e = MakeEvent(actor, "meeting", m.id, "create", std::nullopt, domain::ToJson(m));
        RETURN_IF_ERROR(tx.AppendEvent(e));
        for (const auto& text : draft.findings) {
            MeetingFinding f{0, m.id, text, std::nullopt, m.created_at};
            RETURN_IF_ERROR(tx.InsertFinding(f));
            auto fe = MakeEvent(actor, "meeting", m.id, "add_finding", std::nullopt, domain::ToJson(f));
            RETURN_IF_ERROR(tx.AppendEvent(fe));
            out.findings.push_back(f);
        }
        return Status::Ok();
    }));
    out.meeting = m;
    return out;
}

Result<MeetingDetail> Service::GetMeeting(const Actor& actor, domain::MeetingId id) {
    auto m = store_->GetMeeting(id);
    if (!m.ok()) return detail::MissingOr(m.status(), "meeting " + Id(id) + " does not exist");
    if (!InScope(actor, m->org_id)) return NotFound("meeting " + Id(id) + " does not exist");
    MeetingDetail d;
    d.meeting = std::move(m).value();
    ASSIGN_OR_RETURN(d.findings, store_->ListFindings(id));
    return d;
}

Result<Page<Meeting>> Service::ListMeetings(const Actor& actor, std::optional<OrgId> org_id,
                                            const std::optional<std::string>& cursor, int limit) {
    if (limit < 1 || limit > kMaxPageSize) {
        return InvalidArgument("limit: must be between 1 and " + std::to_string(kMaxPageSize));
    }
    store::MeetingFilter f;
    ASSIGN_OR_RETURN(f.subtree_paths, ScopePaths(actor, org_id));
    if (cursor) {
        ASSIGN_OR_RETURN(f.before_id, DecodeCursor(*cursor));
    }
    f.limit = limit + 1;
    ASSIGN_OR_RETURN(auto items, store_->ListMeetings(f));
    return PageOf(std::move(items), limit);
}

Result<MeetingFinding> Service::AddFinding(const Actor& actor, domain::MeetingId id, const std::string& text,
                                           std::optional<std::int64_t> version) {
    RETURN_IF_ERROR(domain::CheckRequiredText("text", text, domain::kMaxTextChars));
    MeetingFinding f{0, id, text, std::nullopt, NowSeconds()};
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        auto m = tx.GetMeeting(id);
        if (!m.ok()) return detail::MissingOr(m.status(), "meeting " + Id(id) + " does not exist");
        if (!InScope(actor, m->org_id)) return NotFound("meeting " + Id(id) + " does not exist");
        RETURN_IF_ERROR(CheckVersion("meeting", id, version, m->version));
        RETURN_IF_ERROR(AuthorizeRoles(*this, actor, kOrgWorkers, m->org_id, "adding findings to meeting " + Id(id)));
        RETURN_IF_ERROR(tx.TouchMeeting(id, m->version));
        RETURN_IF_ERROR(tx.InsertFinding(f));
        auto e = MakeEvent(actor, "meeting", id, "add_finding", std::nullopt, domain::ToJson(f));
        return tx.AppendEvent(e);
    }));
    return f;
}

Result<Problem> Service::FindingToProblem(const Actor& actor, domain::MeetingId meeting, domain::FindingId finding,
                                          const FindingProblemDraft& draft) {
    RETURN_IF_ERROR(CheckCategory(*store_, draft.category_id));
    Problem p;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        auto m = tx.GetMeeting(meeting);
        if (!m.ok()) return detail::MissingOr(m.status(), "meeting " + Id(meeting) + " does not exist");
        if (!InScope(actor, m->org_id)) return NotFound("meeting " + Id(meeting) + " does not exist");
        auto f = tx.GetFinding(finding);
        if (!f.ok() || f->meeting_id != meeting) {
            return NotFound("finding " + Id(finding) + " of meeting " + Id(meeting) + " does not exist");
        }
        if (f->problem_id) {
            return FailedPrecondition("finding " + Id(finding) + " became problem " + Id(*f->problem_id) + " already");
        }
        p.owner_org_id = draft.owner_org_id.value_or(m->org_id);
        if (!InScope(actor, p.owner_org_id)) {
            return NotFound("owner_org_id: org " + Id(p.owner_org_id) + " does not exist");
        }
        RETURN_IF_ERROR(AuthorizeRoles(*this, actor, kOrgWorkers, m->org_id,
                                       "turning findings of meeting " + Id(meeting) + " into problems"));
        p.title = draft.title.value_or(CutCodePoints(f->text, domain::kMaxTitleChars));
        p.description = f->text;
        p.source = domain::ProblemSource::kMeeting;
        p.category_id = draft.category_id;
        p.severity = draft.severity.value_or(domain::Severity::kNormal);
        p.status = ProblemStatus::kRegistered;
        p.created_at = p.updated_at = NowSeconds();
        p.due_at = draft.due_at;
        RETURN_IF_ERROR(domain::ValidateProblem(p));
        RETURN_IF_ERROR(tx.InsertProblem(p));
        auto e = TransitionEvent(actor, "problem", p.id, "create", std::nullopt, domain::ToJson(p), std::nullopt,
                                 Name(p.status), "finding " + Id(finding) + " of meeting " + Id(meeting));
        RETURN_IF_ERROR(tx.AppendEvent(e));
        RETURN_IF_ERROR(tx.SetFindingProblem(finding, p.id));
        MeetingFinding linked = *f;
        linked.problem_id = p.id;
        auto fe = MakeEvent(actor, "meeting", meeting, "finding_to_problem", domain::ToJson(*f), domain::ToJson(linked));
        return tx.AppendEvent(fe);
    }));
    return p;
}

// ---- idempotency keys ----

Result<std::optional<store::IdempotencyRecord>> Service::BeginIdempotent(const Actor& actor, const std::string& key,
                                                                         const std::string& method,
                                                                         const std::string& path,
                                                                         const std::string& request_sha256) {
    if (!IsValidKey(key)) {
        return InvalidArgument("Idempotency-Key must be 1 to 255 visible ASCII characters (e.g. a UUID)");
    }
    std::optional<store::IdempotencyRecord> replay;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        const UnixSeconds now = NowSeconds();
        RETURN_IF_ERROR(tx.PurgeIdempotencyKeys(now - kIdempotencyKeySeconds));
        ASSIGN_OR_RETURN(auto found, tx.FindIdempotencyKey(ActorKey(actor), key));
        if (found) {
            if (found->request_sha256 != request_sha256) {
                return AlreadyExists("Idempotency-Key \"" + key + "\" was used for a different request (" +
                                     found->method + " " + found->path + "); use a new key for a new request");
            }
            if (!found->status) {
                return Aborted("the first request with Idempotency-Key \"" + key +
                               "\" has not finished; check what it created before sending it again with a new key");
            }
            replay = std::move(found);
            return Status::Ok();
        }
        store::IdempotencyRecord r;
        r.actor = ActorKey(actor);
        r.key = key;
        r.method = method;
        r.path = path;
        r.request_sha256 = request_sha256;
        r.created_at = now;
        return tx.InsertIdempotencyKey(r);
    }));
    return replay;
}

Status Service::FinishIdempotent(const Actor& actor, store::IdempotencyRecord record) {
    record.actor = ActorKey(actor);
    return store_->Write([&](store::WriteTx& tx) { return tx.CompleteIdempotencyKey(record); });
}

Status Service::AbandonIdempotent(const Actor& actor, const std::string& key) {
    return store_->Write([&](store::WriteTx& tx) { return tx.DeleteIdempotencyKey(ActorKey(actor), key); });
}

}  // namespace rectify::service
