// Upper–lower linkage (上下联动, issue 5): escalation up (下题上答) as a state machine with the roles that
// may make each step, and cascade down (上题下答): which orgs a cascade reaches, the deadline a child task
// may have, the parent's roll-up and its submit guard. src/service/linkage.cpp applies these rules and
// stores; docs/LINKAGE.md prints them with worked examples. No I/O; tables are immutable; every function
// is pure and thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/enum_names.hpp"
#include "domain/model.hpp"
#include "domain/workflow.hpp"

namespace rectify::domain {

using EscalationId = std::int64_t;
using CascadeId = std::int64_t;

// ---- escalation up (下题上答) ----

// pending: asked, the target has not decided; accepted: the target owns and answers the problem;
// declined: the target said no with a reason, ownership stays with the asking org; withdrawn: the
// asking org took the request back. Only one escalation of a problem is pending at a time.
enum class EscalationStatus { kPending, kAccepted, kDeclined, kWithdrawn };
template <>
struct EnumNames<EscalationStatus> {
    static constexpr std::string_view kWhat = "escalation status";
    static constexpr std::array<std::pair<EscalationStatus, std::string_view>, 4> kNames{{
        {EscalationStatus::kPending, "pending"},
        {EscalationStatus::kAccepted, "accepted"},
        {EscalationStatus::kDeclined, "declined"},
        {EscalationStatus::kWithdrawn, "withdrawn"},
    }};
};

// What the target of an escalation is: an ancestor of the owner (下题上答), or — a batch link (第一批 /
// 第二批联动) — a first-batch unit anywhere in the tree that a second-batch unit's problem is rooted in
// (e.g. a county office and a provincial department). Both follow the same accept/decline machine.
enum class EscalationKind { kAncestor, kBatchLink };
template <>
struct EnumNames<EscalationKind> {
    static constexpr std::string_view kWhat = "escalation kind";
    static constexpr std::array<std::pair<EscalationKind, std::string_view>, 2> kNames{{
        {EscalationKind::kAncestor, "ancestor"},
        {EscalationKind::kBatchLink, "batch_link"},
    }};
};

enum class EscalationAction { kAccept, kDecline, kWithdraw };
template <>
struct EnumNames<EscalationAction> {
    static constexpr std::string_view kWhat = "escalation action";
    static constexpr std::array<std::pair<EscalationAction, std::string_view>, 3> kNames{{
        {EscalationAction::kAccept, "accept"},
        {EscalationAction::kDecline, "decline"},
        {EscalationAction::kWithdraw, "withdraw"},
    }};
};

// One request to hand a problem up the tree. from_org_id is the problem's owner when it was asked
// (the asking org); to_org_id the chosen ancestor; origin_org_id the org the problem started at (the
// owner before its first accepted escalation; equal to from_org_id on a first escalation), so a problem
// escalated village -> township -> county keeps the village as its origin in every row.
struct Escalation {
    EscalationId id = 0;
    ProblemId problem_id = 0;
    OrgId from_org_id = 0;
    OrgId to_org_id = 0;
    OrgId origin_org_id = 0;
    EscalationKind kind = EscalationKind::kAncestor;
    std::string reason;                          // why the root lies above (required)
    EscalationStatus status = EscalationStatus::kPending;
    std::optional<std::string> decision_reason;  // decline / withdraw: required; accept: optional comment
    std::string requested_by;                    // the actor's name
    UnixSeconds requested_at = 0;
    std::optional<std::string> decided_by;
    std::optional<UnixSeconds> decided_at;
    std::int64_t version = 1;
};

using EscalationTransition = Transition<EscalationStatus, EscalationAction>;

// The table (docs/LINKAGE.md prints it). Relations are relative to the escalation: "own" is the target
// org (to_org_id) — a reviewer there accepts or declines; "creator" is the asking org (from_org_id) —
// its clerk or reviewer may withdraw while pending. accepted, declined and withdrawn are final.
std::span<const EscalationTransition> EscalationTransitions();
std::vector<EscalationTransition> EscalationRules(EscalationStatus from, EscalationAction action);
std::vector<EscalationAction> AllowedEscalationActions(EscalationStatus from);
// Errors: kFailedPrecondition "cannot accept an escalation that is declined; ... none: declined is final".
Result<EscalationStatus> NextEscalationStatus(EscalationStatus from, EscalationAction action);

// The target rule: `target` must be a strict ancestor of `owner` (its path a proper prefix of the
// owner's path, e.g. "/1/16/" above "/1/16/160/"). Escalating to the owner itself, a descendant, a
// sibling or an unrelated org is refused. The message is the same whether or not `target` exists, so it
// reveals nothing outside the caller's scope. Errors: kInvalidArgument "to_org_id: ...".
Status CheckEscalationTarget(const Org& owner, OrgId target_id, const std::optional<Org>& target);

// The batch-link target rule (issue 5, 第一批和第二批单位联动): the owner is a second-batch unit (batch 2)
// and the target a first-batch unit (batch 1) other than the owner, in any branch of the tree.
// Errors: kInvalidArgument "kind: ..." when the owner is not second-batch; "to_org_id: org N is not a
// first-batch unit (batch 1)" for any other target, whether or not it exists (one bit — "is a first-batch
// unit" — is all an answer reveals about an org outside the caller's scope).
Status CheckBatchLinkTarget(const Org& owner, OrgId target_id, const std::optional<Org>& target);

// The origin to record for a new escalation of a problem owned by `owner_org_id`: the origin of the
// newest accepted escalation of the problem when there is one (`accepted_so_far` in any order), else
// the owner itself.
OrgId EscalationOrigin(OrgId owner_org_id, std::span<const Escalation> accepted_so_far);

// ---- cascade down (上题下答) ----

// How the target orgs of a cascade are chosen, always among the strict descendants of the parent task's
// org: every one, the ones at one level (org_level key, e.g. "county"), or an explicit list. `kind` and
// `batch` narrow any of the three further.
enum class CascadeScope { kDescendants, kLevel, kOrgs };
template <>
struct EnumNames<CascadeScope> {
    static constexpr std::string_view kWhat = "cascade scope";
    static constexpr std::array<std::pair<CascadeScope, std::string_view>, 3> kNames{{
        {CascadeScope::kDescendants, "descendants"},
        {CascadeScope::kLevel, "level"},
        {CascadeScope::kOrgs, "orgs"},
    }};
};

inline constexpr std::size_t kMaxCascadeOrgIds = 50000;

struct CascadeTargets {
    CascadeScope scope = CascadeScope::kDescendants;
    std::optional<std::string> level;  // scope level: required; otherwise absent
    std::vector<OrgId> org_ids;        // scope orgs: 1..kMaxCascadeOrgIds distinct ids; otherwise empty
    std::optional<OrgKind> kind;
    std::optional<int> batch;          // 0, 1 or 2
};

// Shape checks. Errors: kInvalidArgument naming the JSON path ("/targets/level: required when scope is
// level", "/targets/org_ids/3: org 160 is listed twice", "/targets/batch: must be 0, 1 or 2").
Status ValidateCascadeTargets(const CascadeTargets& targets);

// Whether `candidate` is a target of a cascade issued from `issuing` (the parent task's org): a strict
// descendant (path prefix) that passes every filter. The store runs the same rule in SQL; this is the
// reference the tests compare it with.
bool MatchesCascadeTargets(const CascadeTargets& targets, const Org& issuing, const Org& candidate);

// A cascade, stored: the parent task, the issuing org, the filter as JSON and what it created.
struct Cascade {
    CascadeId id = 0;
    ProblemId problem_id = 0;
    TaskId parent_task_id = 0;
    OrgId org_id = 0;                  // the parent task's org (the issuing org)
    nlohmann::json targets;            // the filter as sent (ToJson(CascadeTargets))
    std::optional<UnixSeconds> due_at; // the children's deadline
    std::int64_t created = 0;          // child tasks created
    std::int64_t skipped_existing = 0; // targets that had an open child of the parent already
    std::string created_by;
    UnixSeconds created_at = 0;
};

// The children's deadline: the requested one, or the parent's when none is requested; never later than
// the parent's (上题下答: a lower unit cannot be given more time than the level that issued the work).
// A parent of type ongoing (长期坚持) has no deadline, and its children take none (they inherit the
// review dates). Errors: kInvalidArgument "due_at: ... is later than the parent task's deadline ...",
// "due_at: the parent task ... is ongoing ...".
Result<std::optional<UnixSeconds>> CascadeDeadline(const Task& parent, std::optional<UnixSeconds> requested);

// The child task a cascade creates for `org_id`: the parent's problem, round, type, title, description,
// lead official and review dates (title and description overridable), the given responsible person and
// deadline, status pending, progress 0, created by the problem's owner (`creator_org_id`, who alone may
// withdraw, i.e. waive, it), parent_task_id and cascade_id set.
Task CascadeChild(const Task& parent, OrgId org_id, OrgId creator_org_id, CascadeId cascade_id,
                  std::optional<UnixSeconds> due_at, const std::string& responsible_person,
                  const std::optional<std::string>& title, const std::optional<std::string>& description,
                  UnixSeconds now);

// The part of a child that the roll-up reads.
struct ChildState {
    TaskStatus status = TaskStatus::kPending;
    int progress = 0;  // percent 0..100
};

// Counts of a parent's children by status and the roll-up progress.
struct CascadeRollup {
    std::int64_t children = 0;  // every child, waived ones included
    std::int64_t waived = 0;    // withdrawn by the creating org (免于办理, with a reason)
    std::int64_t accepted = 0;
    std::int64_t open = 0;      // neither accepted nor waived
    std::optional<int> progress;  // percent; nullopt when every child is waived or there is none
};

// The parent's progress (Decidim Accountability's plain mean, as docs/WORKFLOW.md's ProblemProgress
// without weights): over the children that are not waived, an accepted child counts 100 and any other
// its reported progress; the mean is rounded half up to a whole percent.
// Example: children at 100 (accepted), 40, 0 and one waived -> (100 + 40 + 0) / 3 = 46.67 -> 47.
CascadeRollup RollupChildren(std::span<const ChildState> children);

// The parent's submit guard (issue 5): every child accepted or waived (withdrawn with a reason).
// Errors: kFailedPrecondition "task 7 has 3 of 5 child tasks neither accepted nor waived: ...".
Status CheckCanSubmitParent(TaskId parent, std::span<const ChildState> children);

// A child's deadline may be shortened but never moved past the parent's. Errors: kInvalidArgument
// "due_at: ...". No check when either has no deadline.
Status CheckChildDeadline(const Task& child, const Task& parent);

// ---- joint ownership (同题共答) ----

// A co-owner of a problem: an org (any level, any branch) that answers one part of a problem whose owner
// is the lead org. Its part is its own task, created with it; the lead keeps the ownership (statistics
// count the problem once, for the lead).
struct CoOwner {
    ProblemId problem_id = 0;
    OrgId org_id = 0;
    std::optional<TaskId> task_id;  // the part created with it (filled on add; not stored)
    std::string added_by;
    UnixSeconds added_at = 0;
};

// A new co-owner is neither the lead itself nor a co-owner already. Errors: kInvalidArgument "org_id: org
// N leads problem P ..."; kAlreadyExists "org_id: org N is a co-owner of problem P already".
Status CheckNewCoOwner(ProblemId problem, OrgId lead, std::span<const OrgId> co_owners, OrgId org);

// The close guard of a joint problem (issue 5: it closes only when every part is accepted): each
// co-owner has at least one task of `round` that is not withdrawn, and each of those is accepted.
// (The lead's tasks are covered by CheckCanClose.) Errors: kFailedPrecondition naming the first co-owner
// whose part is missing or open.
Status CheckJointPartsAccepted(std::span<const OrgId> co_owners, std::span<const Task> tasks, int round);

// ---- JSON forms ----
nlohmann::json ToJson(const CoOwner& co_owner);
nlohmann::json ToJson(const Escalation& escalation);
nlohmann::json ToJson(const CascadeTargets& targets);
nlohmann::json ToJson(const Cascade& cascade);
nlohmann::json ToJson(const CascadeRollup& rollup);

}  // namespace rectify::domain
