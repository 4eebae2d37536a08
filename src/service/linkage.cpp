// Upper–lower linkage (issue 5): escalation up (下题上答), cascade down (上题下答) and the visibility that
// follows the links. The rules are in domain/linkage.hpp; this file loads, checks scope, versions and
// roles, and stores each change with its events in one transaction. docs/LINKAGE.md explains it.
#include <algorithm>

#include "domain/json.hpp"
#include "domain/linkage.hpp"
#include "service/detail/checks.hpp"
#include "service/detail/linkage_hooks.hpp"
#include "service/service.hpp"

namespace rectify::service {
namespace {

using detail::AuthorizeRoles;
using detail::CheckVersion;

using domain::Escalation;
using domain::EscalationAction;
using domain::EscalationStatus;
using domain::OrgId;
using domain::OrgRelation;
using domain::Problem;
using domain::Task;
using domain::TaskStatus;
using nlohmann::json;

constexpr domain::RoleSet kWorkers{domain::Role::kClerk, domain::Role::kReviewer};

std::string Id(std::int64_t id) { return std::to_string(id); }

bool IsOpen(domain::ProblemStatus s) {
    return s == domain::ProblemStatus::kRegistered || s == domain::ProblemStatus::kPlanned ||
           s == domain::ProblemStatus::kInProgress || s == domain::ProblemStatus::kPendingVerification;
}

std::optional<std::string> Name(EscalationStatus s) { return std::string(domain::ToString(s)); }

// The escalation's event on its problem (so the problem's timeline and history show every step to every
// org that sees the problem): the escalation as after_json, statuses of the escalation.
store::Event EscalationEvent(const Actor& actor, const Escalation& before, const Escalation& after,
                             const std::string& action, const std::optional<std::string>& reason) {
    json j = domain::ToJson(after);
    j["escalation_id"] = after.id;
    j["owner_org_id"] = after.status == EscalationStatus::kAccepted ? after.to_org_id : after.from_org_id;
    return detail::TransitionEvent(actor, "problem", after.problem_id, action, std::nullopt, j,
                     action == "escalate" ? std::nullopt : Name(before.status), Name(after.status), reason);
}

}  // namespace

namespace detail {

bool IsEscalationEvent(const store::Event& event) {
    return event.entity == "problem" && (event.action == "escalate" || event.action.rfind("escalation_", 0) == 0);
}

Status RollupParent(store::WriteTx& tx, domain::TaskId parent) {
    ASSIGN_OR_RETURN(auto children, tx.ChildStates(parent));
    const domain::CascadeRollup r = domain::RollupChildren(children);
    return tx.SetDerivedProgress(parent, r.progress.value_or(0));
}

}  // namespace detail

// ---- visibility ----

ProblemAccess Service::AccessToProblem(const Actor& actor, const Problem& p) {
    if (InScope(actor, p.owner_org_id)) return ProblemAccess::kFull;
    if (auto readers = store_->EscalationReaders(p.id); readers.ok()) {
        for (OrgId org : *readers) {
            if (InScope(actor, org)) return ProblemAccess::kFull;
        }
    }
    if (auto co = store_->ListCoOwners(p.id); co.ok()) {
        for (const auto& c : *co) {
            if (InScope(actor, c.org_id)) return ProblemAccess::kFull;
        }
    }
    if (auto tasks = store_->ListTasksOfProblem(p.id); tasks.ok()) {
        for (const Task& t : *tasks) {
            if (InScope(actor, t.org_id)) return ProblemAccess::kPart;
        }
    }
    return ProblemAccess::kNone;
}

// ---- escalation up ----

Result<Escalation> Service::EscalateProblem(const Actor& actor, domain::ProblemId problem_id,
                                            const EscalationDraft& draft,
                                            std::optional<std::int64_t> problem_version) {
    RETURN_IF_ERROR(domain::CheckRequiredText("reason", draft.reason));
    Escalation e;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        auto p = tx.GetProblem(problem_id);
        if (!p.ok() || !InScope(actor, p->owner_org_id)) {
            return NotFound("problem " + Id(problem_id) + " does not exist");
        }
        RETURN_IF_ERROR(CheckVersion("problem", problem_id, problem_version, p->version));
        RETURN_IF_ERROR(AuthorizeRoles(*this, actor, kWorkers, p->owner_org_id,
                                       "escalating problem " + Id(problem_id)));
        if (!IsOpen(p->status)) {
            return FailedPrecondition("problem " + Id(problem_id) + " is " + std::string(domain::ToString(p->status)) +
                                      ": only an open problem can be escalated");
        }
        ASSIGN_OR_RETURN(auto existing, tx.ListEscalationsOfProblem(problem_id));
        for (const Escalation& x : existing) {
            if (x.status == EscalationStatus::kPending) {
                return FailedPrecondition("problem " + Id(problem_id) + " has escalation " + Id(x.id) +
                                          " pending at org " + Id(x.to_org_id) +
                                          ": wait for its decision or withdraw it first");
            }
        }
        ASSIGN_OR_RETURN(domain::Org owner, tx.GetOrg(p->owner_org_id));
        std::optional<domain::Org> target;
        if (auto t = tx.GetOrg(draft.to_org_id); t.ok()) target = *t;
        if (draft.kind == domain::EscalationKind::kBatchLink) {
            RETURN_IF_ERROR(domain::CheckBatchLinkTarget(owner, draft.to_org_id, target));
        } else {
            RETURN_IF_ERROR(domain::CheckEscalationTarget(owner, draft.to_org_id, target));
        }
        e.problem_id = problem_id;
        e.from_org_id = p->owner_org_id;
        e.to_org_id = draft.to_org_id;
        e.origin_org_id = domain::EscalationOrigin(p->owner_org_id, existing);
        e.kind = draft.kind;
        e.reason = draft.reason;
        e.status = EscalationStatus::kPending;
        e.requested_by = actor.name;
        e.requested_at = NowSeconds();
        RETURN_IF_ERROR(tx.InsertEscalation(e));
        auto ev = EscalationEvent(actor, e, e, "escalate", draft.reason);
        return tx.AppendEvent(ev);
    }));
    return e;
}

Result<Escalation> Service::GetEscalation(const Actor& actor, domain::EscalationId id) {
    auto e = store_->GetEscalation(id);
    if (!e.ok()) return detail::MissingOr(e.status(), "escalation " + Id(id) + " does not exist");
    auto p = store_->GetProblem(e->problem_id);
    if (!p.ok() || AccessToProblem(actor, *p) != ProblemAccess::kFull) {
        return NotFound("escalation " + Id(id) + " does not exist");
    }
    return e;
}

Result<std::vector<Escalation>> Service::ListEscalations(const Actor& actor, domain::ProblemId problem) {
    auto p = store_->GetProblem(problem);
    if (!p.ok() || AccessToProblem(actor, *p) != ProblemAccess::kFull) {
        return NotFound("problem " + Id(problem) + " does not exist");
    }
    return store_->ListEscalationsOfProblem(problem);
}

namespace {

// One decision on an escalation inside a transaction: loaded, scope (its problem must be visible with
// full access: the target org sees it because the owner lies below it), version, state machine, role.
struct EscalationStep {
    Escalation before;
    Escalation after;
    Problem problem;
};

// Shared by accept, decline and withdraw.
Result<EscalationStep> BeginEscalationStep(const Service& svc, store::WriteTx& tx, const Actor& actor,
                                                  domain::EscalationId id, EscalationAction action,
                                                  std::optional<std::int64_t> version) {
    // Only the orgs of the request act on it: the asking org and the target (for a batch link it may lie
    // in another branch), with the levels above them. An older origin that only reads the problem is
    // answered as for an unknown id.
    auto e = tx.GetEscalation(id);
    if (!e.ok() || (!svc.InScope(actor, e->from_org_id) && !svc.InScope(actor, e->to_org_id))) {
        return NotFound("escalation " + Id(id) + " does not exist");
    }
    ASSIGN_OR_RETURN(Problem p, tx.GetProblem(e->problem_id));
    RETURN_IF_ERROR(CheckVersion("escalation", id, version, e->version));
    ASSIGN_OR_RETURN(EscalationStatus to, domain::NextEscalationStatus(e->status, action));
    std::string needs;
    bool allowed = false;
    for (const auto& rule : domain::EscalationRules(e->status, action)) {
        const OrgId org = rule.relation == OrgRelation::kCreator ? e->from_org_id : e->to_org_id;
        for (domain::Role role : rule.roles.roles()) {
            if (svc.HasRole(actor, role, org)) allowed = true;
        }
        needs += (needs.empty() ? "" : "; or ") + rule.roles.ToText() + " over org " + Id(org) +
                 (rule.relation == OrgRelation::kCreator ? ", which asked" : ", the org asked");
    }
    if (!allowed) {
        return PermissionDenied(std::string(domain::ToString(action)) + " on escalation " + Id(id) +
                                " needs the role " + needs);
    }
    EscalationStep step{*e, *e, p};
    step.after.status = to;
    step.after.decided_by = actor.name;
    step.after.decided_at = NowSeconds();
    return step;
}

}  // namespace

Result<Escalation> Service::AcceptEscalation(const Actor& actor, domain::EscalationId id,
                                             const std::optional<std::string>& comment,
                                             std::optional<std::int64_t> version) {
    if (comment) RETURN_IF_ERROR(domain::CheckRequiredText("comment", *comment));
    Escalation out;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(EscalationStep step,
                         BeginEscalationStep(*this, tx, actor, id, EscalationAction::kAccept, version));
        Problem p = step.problem;
        if (!IsOpen(p.status)) {
            return FailedPrecondition("problem " + Id(p.id) + " is " + std::string(domain::ToString(p.status)) +
                                      ": the escalation can only be declined or withdrawn");
        }
        if (p.owner_org_id != step.before.from_org_id) {
            return FailedPrecondition("problem " + Id(p.id) + " is owned by org " + Id(p.owner_org_id) +
                                      " now, not by org " + Id(step.before.from_org_id) + ", which asked");
        }
        step.after.decision_reason = comment;
        RETURN_IF_ERROR(tx.UpdateEscalation(step.after));
        const Problem before = p;
        p.owner_org_id = step.after.to_org_id;
        p.updated_at = NowSeconds();
        RETURN_IF_ERROR(tx.UpdateProblem(p));
        auto owner_event = detail::TransitionEvent(actor, "problem", p.id, "owner_change", domain::ToJson(before), domain::ToJson(p),
                                     std::string(domain::ToString(p.status)), std::string(domain::ToString(p.status)),
                                     "escalation " + Id(id) + " accepted by org " + Id(p.owner_org_id));
        RETURN_IF_ERROR(tx.AppendEvent(owner_event));
        auto ev = EscalationEvent(actor, step.before, step.after, "escalation_accept", comment);
        RETURN_IF_ERROR(tx.AppendEvent(ev));
        out = step.after;
        return Status::Ok();
    }));
    return out;
}

Result<Escalation> Service::DeclineEscalation(const Actor& actor, domain::EscalationId id, const std::string& reason,
                                              std::optional<std::int64_t> version) {
    RETURN_IF_ERROR(domain::CheckRequiredText("reason", reason));
    Escalation out;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(EscalationStep step,
                         BeginEscalationStep(*this, tx, actor, id, EscalationAction::kDecline, version));
        step.after.decision_reason = reason;
        RETURN_IF_ERROR(tx.UpdateEscalation(step.after));
        auto ev = EscalationEvent(actor, step.before, step.after, "escalation_decline", reason);
        RETURN_IF_ERROR(tx.AppendEvent(ev));
        out = step.after;
        return Status::Ok();
    }));
    return out;
}

Result<Escalation> Service::WithdrawEscalation(const Actor& actor, domain::EscalationId id, const std::string& reason,
                                               std::optional<std::int64_t> version) {
    RETURN_IF_ERROR(domain::CheckRequiredText("reason", reason));
    Escalation out;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(EscalationStep step,
                         BeginEscalationStep(*this, tx, actor, id, EscalationAction::kWithdraw, version));
        step.after.decision_reason = reason;
        RETURN_IF_ERROR(tx.UpdateEscalation(step.after));
        auto ev = EscalationEvent(actor, step.before, step.after, "escalation_withdraw", reason);
        RETURN_IF_ERROR(tx.AppendEvent(ev));
        out = step.after;
        return Status::Ok();
    }));
    return out;
}

// ---- joint ownership (同题共答) ----

Result<CoOwnerAdded> Service::AddCoOwner(const Actor& actor, domain::ProblemId problem_id, const CoOwnerDraft& draft,
                                         std::optional<std::int64_t> problem_version) {
    CoOwnerAdded out;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        auto p = tx.GetProblem(problem_id);
        if (!p.ok() || !InScope(actor, p->owner_org_id)) {
            return NotFound("problem " + Id(problem_id) + " does not exist");
        }
        RETURN_IF_ERROR(CheckVersion("problem", problem_id, problem_version, p->version));
        if (domain::ProblemRules(p->status, domain::ProblemAction::kAddTask).empty()) {
            return FailedPrecondition("problem " + Id(problem_id) + " is " + std::string(domain::ToString(p->status)) +
                                      ": co-owners and their tasks cannot be added to it");
        }
        RETURN_IF_ERROR(AuthorizeRoles(*this, actor, kWorkers, p->owner_org_id,
                                       "adding a co-owner to problem " + Id(problem_id)));
        if (!InScope(actor, draft.org_id)) return NotFound("org_id: org " + Id(draft.org_id) + " does not exist");
        ASSIGN_OR_RETURN(auto existing, tx.ListCoOwners(problem_id));
        std::vector<OrgId> ids;
        for (const auto& c : existing) ids.push_back(c.org_id);
        RETURN_IF_ERROR(domain::CheckNewCoOwner(problem_id, p->owner_org_id, ids, draft.org_id));
        domain::CoOwner c;
        c.problem_id = problem_id;
        c.org_id = draft.org_id;
        c.added_by = actor.name;
        c.added_at = NowSeconds();
        RETURN_IF_ERROR(tx.InsertCoOwner(c));
        Task t;
        t.problem_id = problem_id;
        t.org_id = draft.org_id;
        t.created_by_org_id = p->owner_org_id;
        t.round = p->round;
        t.title = draft.task.title;
        t.description = draft.task.description;
        t.responsible_person = draft.task.responsible_person;
        t.lead_official = draft.task.lead_official;
        t.type = draft.task.type;
        t.due_at = draft.task.due_at;
        t.review_dates = draft.task.review_dates;
        t.weight_bp = draft.task.weight_bp;
        t.status = TaskStatus::kPending;
        t.created_at = t.updated_at = c.added_at;
        {
            Status valid = domain::ValidateTask(t);
            if (!valid.ok()) return InvalidArgument("/task/" + valid.message());
        }
        RETURN_IF_ERROR(tx.InsertTask(t));
        c.task_id = t.id;
        auto added = detail::TransitionEvent(actor, "problem", problem_id, "co_owner_add", std::nullopt, domain::ToJson(c),
                               std::string(domain::ToString(p->status)), std::string(domain::ToString(p->status)),
                               std::nullopt);
        RETURN_IF_ERROR(tx.AppendEvent(added));
        auto created = detail::TransitionEvent(actor, "task", t.id, "create", std::nullopt, domain::ToJson(t), std::nullopt,
                                 std::string(domain::ToString(t.status)), std::nullopt);
        RETURN_IF_ERROR(tx.AppendEvent(created));
        out = CoOwnerAdded{c, t};
        return detail::FollowProblemTasks(tx, actor, problem_id, "task " + Id(t.id) + ": create (co-owner)");
    }));
    return out;
}

Result<std::vector<domain::CoOwner>> Service::ListCoOwners(const Actor& actor, domain::ProblemId problem) {
    auto p = store_->GetProblem(problem);
    if (!p.ok() || AccessToProblem(actor, *p) != ProblemAccess::kFull) {
        return NotFound("problem " + Id(problem) + " does not exist");
    }
    return store_->ListCoOwners(problem);
}

// ---- cascade down ----

Result<domain::Cascade> Service::CascadeTask(const Actor& actor, domain::TaskId parent_id, const CascadeDraft& draft,
                                             std::optional<std::int64_t> parent_version) {
    RETURN_IF_ERROR(domain::ValidateCascadeTargets(draft.targets));
    if (draft.targets.level) {
        ASSIGN_OR_RETURN(auto levels, store_->ListLevels());
        if (std::none_of(levels.begin(), levels.end(), [&](const auto& l) { return l.key == *draft.targets.level; })) {
            return InvalidArgument("/targets/level: unknown level \"" + *draft.targets.level + "\"");
        }
    }
    auto tree = Tree();
    domain::Cascade c;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        auto parent = tx.GetTask(parent_id);
        if (!parent.ok() || !InScope(actor, parent->org_id)) {
            return NotFound("task " + Id(parent_id) + " does not exist");
        }
        RETURN_IF_ERROR(CheckVersion("task", parent_id, parent_version, parent->version));
        ASSIGN_OR_RETURN(Problem p, tx.GetProblem(parent->problem_id));
        if (domain::ProblemRules(p.status, domain::ProblemAction::kAddTask).empty()) {
            return FailedPrecondition("problem " + Id(p.id) + " is " + std::string(domain::ToString(p.status)) +
                                      ": tasks cannot be added to it");
        }
        if (parent->round != p.round) {
            return FailedPrecondition("task " + Id(parent_id) + " belongs to round " + Id(parent->round) +
                                      " of problem " + Id(p.id) + ", which is in round " + Id(p.round) + " now");
        }
        if (parent->status != TaskStatus::kPending && parent->status != TaskStatus::kInProgress &&
            parent->status != TaskStatus::kReturned) {
            return FailedPrecondition("task " + Id(parent_id) + " is " +
                                      std::string(domain::ToString(parent->status)) +
                                      ": only a pending, in-progress or returned task can be cascaded");
        }
        RETURN_IF_ERROR(AuthorizeRoles(*this, actor, kWorkers, parent->org_id, "cascading task " + Id(parent_id)));
        for (std::size_t i = 0; i < draft.targets.org_ids.size(); ++i) {
            const OrgId id = draft.targets.org_ids[i];
            if (id == parent->org_id || !tree->InSubtree(id, parent->org_id)) {
                return InvalidArgument("/targets/org_ids/" + Id(static_cast<std::int64_t>(i)) + ": org " + Id(id) +
                                       " is not below org " + Id(parent->org_id) + ", the parent task's org");
            }
        }
        ASSIGN_OR_RETURN(auto due, domain::CascadeDeadline(*parent, draft.due_at));
        ASSIGN_OR_RETURN(domain::Org issuing, tx.GetOrg(parent->org_id));
        const UnixSeconds now = NowSeconds();
        c.problem_id = p.id;
        c.parent_task_id = parent_id;
        c.org_id = parent->org_id;
        c.targets = domain::ToJson(draft.targets);
        c.due_at = due;
        c.created_by = actor.name;
        c.created_at = now;
        Task child = domain::CascadeChild(*parent, parent->org_id, parent->org_id, 0, due, draft.responsible_person,
                                          draft.title, draft.description, now);
        {
            Status valid = domain::ValidateTask(child);
            if (!valid.ok()) return InvalidArgument("/" + valid.message());
        }
        RETURN_IF_ERROR(tx.InsertCascade(c));
        child.cascade_id = c.id;
        ASSIGN_OR_RETURN(auto counts, tx.InsertCascadeChildren(child, draft.targets, issuing));
        c.created = counts.first;
        c.skipped_existing = counts.second;
        if (c.created == 0 && c.skipped_existing == 0) {
            return InvalidArgument("/targets: no org below org " + Id(parent->org_id) + " matches");
        }
        if (c.created == 0) {
            return FailedPrecondition("all " + Id(c.skipped_existing) + " orgs the targets select have an open "
                                      "child task of task " + Id(parent_id) + " already");
        }
        RETURN_IF_ERROR(tx.SetCascadeCounts(c.id, c.created, c.skipped_existing));
        ASSIGN_OR_RETURN(auto ids, tx.TaskIdsOfCascade(c.id));
        json after = domain::ToJson(c);
        after["task_ids"] = ids;
        auto ev = detail::TransitionEvent(actor, "task", parent_id, "cascade", std::nullopt, after,
                            std::string(domain::ToString(parent->status)), std::string(domain::ToString(parent->status)),
                            std::nullopt);
        ev.org_id = parent->org_id;
        RETURN_IF_ERROR(tx.AppendEvent(ev));
        RETURN_IF_ERROR(detail::RollupParent(tx, parent_id));
        return detail::FollowProblemTasks(tx, actor, p.id, "task " + Id(parent_id) + ": cascade");
    }));
    return c;
}

Result<ChildTasksPage> Service::ListChildTasks(const Actor& actor, domain::TaskId parent_id,
                                               const std::optional<std::string>& cursor, int limit) {
    if (limit < 1 || limit > 1000) return InvalidArgument("limit: must be 1 to 1000");
    ASSIGN_OR_RETURN(Task parent, GetTask(actor, parent_id));
    ChildTasksPage page;
    ASSIGN_OR_RETURN(auto states, store_->ChildStates(parent.id));
    page.rollup = domain::RollupChildren(states);
    domain::TaskId after = 0;
    if (cursor) {
        ASSIGN_OR_RETURN(after, DecodeCursor(*cursor));
    }
    // With full access to the problem every child shows; otherwise only the children in scope.
    ASSIGN_OR_RETURN(Problem problem, store_->GetProblem(parent.problem_id));
    const bool all = AccessToProblem(actor, problem) == ProblemAccess::kFull;
    while (static_cast<int>(page.items.size()) <= limit) {
        ASSIGN_OR_RETURN(auto batch, store_->ListChildTasks(parent.id, after, limit + 1));
        for (auto& t : batch) {
            after = t.id;
            if (all || InScope(actor, t.org_id)) page.items.push_back(std::move(t));
            if (static_cast<int>(page.items.size()) > limit) break;
        }
        if (static_cast<int>(batch.size()) < limit + 1) break;
    }
    if (static_cast<int>(page.items.size()) > limit) {
        page.items.resize(limit);
        page.next_cursor = EncodeCursor(page.items.back().id);
    }
    return page;
}

}  // namespace rectify::service
