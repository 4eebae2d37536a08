// Upper–lower linkage rules (issue 5); see linkage.hpp and docs/LINKAGE.md.
#include "domain/linkage.hpp"

#include <algorithm>
#include <unordered_set>

#include "domain/json.hpp"

namespace rectify::domain {
namespace {

constexpr RoleSet kWorkers{Role::kClerk, Role::kReviewer};
constexpr RoleSet kReviewer{Role::kReviewer};

constexpr std::array<EscalationTransition, 3> kEscalationTable{{
    {EscalationStatus::kPending, EscalationAction::kAccept, EscalationStatus::kAccepted, kReviewer, OrgRelation::kOwn},
    {EscalationStatus::kPending, EscalationAction::kDecline, EscalationStatus::kDeclined, kReviewer,
     OrgRelation::kOwn},
    {EscalationStatus::kPending, EscalationAction::kWithdraw, EscalationStatus::kWithdrawn, kWorkers,
     OrgRelation::kCreator},
}};

std::string Id(std::int64_t id) { return std::to_string(id); }

bool StrictlyBelow(const Org& candidate, const Org& above) {
    return candidate.path.size() > above.path.size() && candidate.path.compare(0, above.path.size(), above.path) == 0;
}

}  // namespace

// ---- escalation ----

std::span<const EscalationTransition> EscalationTransitions() { return kEscalationTable; }

std::vector<EscalationTransition> EscalationRules(EscalationStatus from, EscalationAction action) {
    std::vector<EscalationTransition> out;
    for (const auto& t : kEscalationTable) {
        if (t.from == from && t.action == action) out.push_back(t);
    }
    return out;
}

std::vector<EscalationAction> AllowedEscalationActions(EscalationStatus from) {
    std::vector<EscalationAction> out;
    for (const auto& [action, name] : EnumNames<EscalationAction>::kNames) {
        if (!EscalationRules(from, action).empty()) out.push_back(action);
    }
    return out;
}

Result<EscalationStatus> NextEscalationStatus(EscalationStatus from, EscalationAction action) {
    auto rules = EscalationRules(from, action);
    if (rules.empty()) {
        std::string list;
        for (EscalationAction a : AllowedEscalationActions(from)) list += (list.empty() ? "" : ", ") + std::string(ToString(a));
        return FailedPrecondition("cannot " + std::string(ToString(action)) + " an escalation that is " +
                                  std::string(ToString(from)) + "; allowed next actions: " +
                                  (list.empty() ? "none (" + std::string(ToString(from)) + " is final)" : list));
    }
    return *rules.front().to;
}

Status CheckEscalationTarget(const Org& owner, OrgId target_id, const std::optional<Org>& target) {
    if (!target || !StrictlyBelow(owner, *target)) {
        return InvalidArgument("to_org_id: org " + Id(target_id) + " is not above org " + Id(owner.id) +
                               ", the problem's owner; a problem is escalated to one of its owner's ancestors");
    }
    return Status::Ok();
}

Status CheckBatchLinkTarget(const Org& owner, OrgId target_id, const std::optional<Org>& target) {
    if (owner.batch != 2) {
        return InvalidArgument("kind: a batch link starts at a second-batch unit (batch 2); org " + Id(owner.id) +
                               ", the problem's owner, is batch " + Id(owner.batch));
    }
    if (!target || target->batch != 1 || target->id == owner.id) {
        return InvalidArgument("to_org_id: org " + Id(target_id) + " is not a first-batch unit (batch 1)");
    }
    return Status::Ok();
}

OrgId EscalationOrigin(OrgId owner_org_id, std::span<const Escalation> accepted_so_far) {
    const Escalation* newest = nullptr;
    for (const Escalation& e : accepted_so_far) {
        if (e.status != EscalationStatus::kAccepted) continue;
        if (!newest || e.id > newest->id) newest = &e;
    }
    return newest ? newest->origin_org_id : owner_org_id;
}

// ---- cascade ----

Status ValidateCascadeTargets(const CascadeTargets& t) {
    if (t.scope == CascadeScope::kLevel) {
        if (!t.level || t.level->empty()) return InvalidArgument("/targets/level: required when scope is level");
    } else if (t.level) {
        return InvalidArgument("/targets/level: only for scope level");
    }
    if (t.scope == CascadeScope::kOrgs) {
        if (t.org_ids.empty()) return InvalidArgument("/targets/org_ids: at least one org when scope is orgs");
        if (t.org_ids.size() > kMaxCascadeOrgIds) {
            return InvalidArgument("/targets/org_ids: at most " + Id(static_cast<std::int64_t>(kMaxCascadeOrgIds)) +
                                   " orgs; use scope descendants or level for more");
        }
        std::unordered_set<OrgId> seen;
        for (std::size_t i = 0; i < t.org_ids.size(); ++i) {
            if (!seen.insert(t.org_ids[i]).second) {
                return InvalidArgument("/targets/org_ids/" + Id(static_cast<std::int64_t>(i)) + ": org " +
                                       Id(t.org_ids[i]) + " is listed twice");
            }
        }
    } else if (!t.org_ids.empty()) {
        return InvalidArgument("/targets/org_ids: only for scope orgs");
    }
    if (t.batch && (*t.batch < 0 || *t.batch > 2)) return InvalidArgument("/targets/batch: must be 0, 1 or 2");
    return Status::Ok();
}

bool MatchesCascadeTargets(const CascadeTargets& t, const Org& issuing, const Org& candidate) {
    if (!StrictlyBelow(candidate, issuing)) return false;
    switch (t.scope) {
        case CascadeScope::kDescendants: break;
        case CascadeScope::kLevel:
            if (!t.level || candidate.level != *t.level) return false;
            break;
        case CascadeScope::kOrgs:
            if (std::find(t.org_ids.begin(), t.org_ids.end(), candidate.id) == t.org_ids.end()) return false;
            break;
    }
    if (t.kind && candidate.kind != *t.kind) return false;
    if (t.batch && candidate.batch != *t.batch) return false;
    return true;
}

Result<std::optional<UnixSeconds>> CascadeDeadline(const Task& parent, std::optional<UnixSeconds> requested) {
    if (parent.type == TaskType::kOngoing) {
        if (requested) {
            return InvalidArgument("due_at: the parent task " + Id(parent.id) +
                                   " is ongoing (长期坚持) and has no deadline; its child tasks take its review dates");
        }
        return std::optional<UnixSeconds>();
    }
    if (!parent.due_at) return requested;  // cannot happen for a valid task; no bound to enforce
    if (!requested) return parent.due_at;
    if (*requested > *parent.due_at) {
        return InvalidArgument("due_at: " + FormatIso(*requested) + " is later than the parent task " +
                               Id(parent.id) + "'s deadline " + FormatIso(*parent.due_at) +
                               "; a child task's deadline is the parent's or earlier");
    }
    return requested;
}

Task CascadeChild(const Task& parent, OrgId org_id, OrgId creator_org_id, CascadeId cascade_id,
                  std::optional<UnixSeconds> due_at, const std::string& responsible_person,
                  const std::optional<std::string>& title, const std::optional<std::string>& description,
                  UnixSeconds now) {
    Task t;
    t.problem_id = parent.problem_id;
    t.org_id = org_id;
    t.created_by_org_id = creator_org_id;
    t.round = parent.round;
    t.title = title.value_or(parent.title);
    t.description = description.value_or(parent.description);
    t.responsible_person = responsible_person;
    t.lead_official = parent.lead_official;
    t.type = parent.type;
    t.due_at = due_at;
    t.review_dates = parent.type == TaskType::kOngoing ? parent.review_dates : std::vector<UnixSeconds>{};
    t.status = TaskStatus::kPending;
    t.progress = 0;
    t.created_at = t.updated_at = now;
    t.parent_task_id = parent.id;
    t.cascade_id = cascade_id;
    return t;
}

CascadeRollup RollupChildren(std::span<const ChildState> children) {
    CascadeRollup r;
    std::int64_t sum = 0, counted = 0;
    for (const ChildState& c : children) {
        ++r.children;
        if (c.status == TaskStatus::kWithdrawn) {
            ++r.waived;
            continue;
        }
        if (c.status == TaskStatus::kAccepted) {
            ++r.accepted;
            sum += 100;
        } else {
            ++r.open;
            sum += c.progress;
        }
        ++counted;
    }
    if (counted > 0) r.progress = static_cast<int>((2 * sum + counted) / (2 * counted));  // half up
    return r;
}

Status CheckCanSubmitParent(TaskId parent, std::span<const ChildState> children) {
    const CascadeRollup r = RollupChildren(children);
    if (r.open == 0) return Status::Ok();
    return FailedPrecondition("task " + Id(parent) + " has " + Id(r.open) + " of " + Id(r.children) +
                              " child tasks neither accepted nor waived: each child must be accepted by the level "
                              "above it, or waived (withdrawn with a reason) by the creating org, before the "
                              "parent is submitted");
}

Status CheckChildDeadline(const Task& child, const Task& parent) {
    if (!child.due_at || !parent.due_at) return Status::Ok();
    if (*child.due_at > *parent.due_at) {
        return InvalidArgument("due_at: " + FormatIso(*child.due_at) + " is later than the parent task " +
                               Id(parent.id) + "'s deadline " + FormatIso(*parent.due_at));
    }
    return Status::Ok();
}

// ---- joint ownership ----

Status CheckNewCoOwner(ProblemId problem, OrgId lead, std::span<const OrgId> co_owners, OrgId org) {
    if (org == lead) {
        return InvalidArgument("org_id: org " + Id(org) + " leads problem " + Id(problem) +
                               "; a co-owner is another org");
    }
    if (std::find(co_owners.begin(), co_owners.end(), org) != co_owners.end()) {
        return AlreadyExists("org_id: org " + Id(org) + " is a co-owner of problem " + Id(problem) + " already");
    }
    return Status::Ok();
}

Status CheckJointPartsAccepted(std::span<const OrgId> co_owners, std::span<const Task> tasks, int round) {
    for (OrgId org : co_owners) {
        std::int64_t parts = 0, open = 0;
        for (const Task& t : tasks) {
            if (t.org_id != org || t.round != round || t.status == TaskStatus::kWithdrawn) continue;
            ++parts;
            if (t.status != TaskStatus::kAccepted) ++open;
        }
        if (parts == 0) {
            return FailedPrecondition("co-owner org " + Id(org) + " has no task in round " + Id(round) +
                                      ": every co-owner answers its part before the problem closes");
        }
        if (open > 0) {
            return FailedPrecondition("co-owner org " + Id(org) + " has " + Id(open) +
                                      " task(s) not accepted yet: the problem closes only when every part is "
                                      "accepted");
        }
    }
    return Status::Ok();
}

// ---- JSON ----

nlohmann::json ToJson(const CoOwner& c) {
    return {{"problem_id", c.problem_id},
            {"org_id", c.org_id},
            {"task_id", OrNull(c.task_id)},
            {"added_by", c.added_by},
            {"added_at", FormatIso(c.added_at)}};
}

nlohmann::json ToJson(const Escalation& e) {
    return {{"id", e.id},
            {"problem_id", e.problem_id},
            {"from_org_id", e.from_org_id},
            {"to_org_id", e.to_org_id},
            {"origin_org_id", e.origin_org_id},
            {"kind", ToString(e.kind)},
            {"reason", e.reason},
            {"status", ToString(e.status)},
            {"decision_reason", OrNull(e.decision_reason)},
            {"requested_by", e.requested_by},
            {"requested_at", FormatIso(e.requested_at)},
            {"decided_by", OrNull(e.decided_by)},
            {"decided_at", TimeOrNull(e.decided_at)},
            {"version", e.version},
            {"next_actions", NamesJson(AllowedEscalationActions(e.status))}};
}

nlohmann::json ToJson(const CascadeTargets& t) {
    nlohmann::json j = {{"scope", ToString(t.scope)}};
    if (t.level) j["level"] = *t.level;
    if (t.scope == CascadeScope::kOrgs) j["org_ids"] = t.org_ids;
    if (t.kind) j["kind"] = ToString(*t.kind);
    if (t.batch) j["batch"] = *t.batch;
    return j;
}

nlohmann::json ToJson(const Cascade& c) {
    return {{"id", c.id},
            {"problem_id", c.problem_id},
            {"parent_task_id", c.parent_task_id},
            {"org_id", c.org_id},
            {"targets", c.targets},
            {"due_at", TimeOrNull(c.due_at)},
            {"created", c.created},
            {"skipped_existing", c.skipped_existing},
            {"created_by", c.created_by},
            {"created_at", FormatIso(c.created_at)}};
}

nlohmann::json ToJson(const CascadeRollup& r) {
    return {{"children", r.children},
            {"accepted", r.accepted},
            {"waived", r.waived},
            {"open", r.open},
            {"progress", OrNull(r.progress)}};
}

}  // namespace rectify::domain
