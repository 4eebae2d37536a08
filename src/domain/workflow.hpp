// The rectification workflow (issue 3): the records of tasks, progress reports, evidence, mechanisms and
// meetings, and the three state machines (Opinion, Problem, Task) as explicit tables of allowed
// transitions with the roles that may make each and on which org. Pure functions apply a transition or
// say which actions are allowed next. src/service checks permissions and stores; docs/WORKFLOW.md
// prints the tables. No I/O. Tables are immutable; every function is thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
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

namespace rectify::domain {

using TaskId = std::int64_t;
using ReportId = std::int64_t;
using EvidenceId = std::int64_t;
using MechanismId = std::int64_t;
using MeetingId = std::int64_t;
using FindingId = std::int64_t;

// ---- enums ----

// The kind of measure (PRODUCT.md): 立行立改 immediate, 限期整改 time-bound (has a deadline),
// 长期坚持 ongoing (has review dates and no end).
enum class TaskType { kImmediate, kTimeBound, kOngoing };
template <>
struct EnumNames<TaskType> {
    static constexpr std::string_view kWhat = "task type";
    static constexpr std::array<std::pair<TaskType, std::string_view>, 3> kNames{{
        {TaskType::kImmediate, "immediate"},
        {TaskType::kTimeBound, "time_bound"},
        {TaskType::kOngoing, "ongoing"},
    }};
};

enum class TaskStatus { kPending, kInProgress, kSubmitted, kAccepted, kReturned, kWithdrawn };
template <>
struct EnumNames<TaskStatus> {
    static constexpr std::string_view kWhat = "task status";
    static constexpr std::array<std::pair<TaskStatus, std::string_view>, 6> kNames{{
        {TaskStatus::kPending, "pending"},
        {TaskStatus::kInProgress, "in_progress"},
        {TaskStatus::kSubmitted, "submitted"},  // 申请销号
        {TaskStatus::kAccepted, "accepted"},    // 验收通过
        {TaskStatus::kReturned, "returned"},    // 退回
        {TaskStatus::kWithdrawn, "withdrawn"},
    }};
};

enum class TaskAction {
    kStart,              // begin (or resume after a return) the work
    kReport,             // a progress report
    kAttachEvidence,     // upload a file
    kEdit,               // change the descriptive fields (person, deadline, weight, ...)
    kRequestWithdrawal,  // the task's org asks the creating org to withdraw it
    kDeclineWithdrawal,  // the creating org says no
    kWithdraw,           // the creating org withdraws it (its approval)
    kSubmit,             // apply for close-out (申请销号)
    kAccept,             // the level above verifies it (验收通过)
    kReturn,             // the level above sends it back (退回)
    kCancel,             // system: its problem became invalid or was merged
};
template <>
struct EnumNames<TaskAction> {
    static constexpr std::string_view kWhat = "task action";
    static constexpr std::array<std::pair<TaskAction, std::string_view>, 11> kNames{{
        {TaskAction::kStart, "start"},
        {TaskAction::kReport, "report"},
        {TaskAction::kAttachEvidence, "attach_evidence"},
        {TaskAction::kEdit, "edit"},
        {TaskAction::kRequestWithdrawal, "request_withdrawal"},
        {TaskAction::kDeclineWithdrawal, "decline_withdrawal"},
        {TaskAction::kWithdraw, "withdraw"},
        {TaskAction::kSubmit, "submit"},
        {TaskAction::kAccept, "accept"},
        {TaskAction::kReturn, "return"},
        {TaskAction::kCancel, "cancel"},
    }};
};

enum class ProblemAction {
    kAddTask,     // a new task for the current round; the status is then derived
    kDerive,      // system: a task changed, the status follows the tasks (DeriveProblemStatus)
    kClose,       // close-out (销号) by the level above
    kReopen,      // a closed problem starts a new round
    kMarkInvalid, // 不属实
    kMerge,       // into another problem
};
template <>
struct EnumNames<ProblemAction> {
    static constexpr std::string_view kWhat = "problem action";
    static constexpr std::array<std::pair<ProblemAction, std::string_view>, 6> kNames{{
        {ProblemAction::kAddTask, "add_task"},
        {ProblemAction::kDerive, "derive"},
        {ProblemAction::kClose, "close"},
        {ProblemAction::kReopen, "reopen"},
        {ProblemAction::kMarkInvalid, "mark_invalid"},
        {ProblemAction::kMerge, "merge"},
    }};
};

enum class OpinionAction {
    kAccept,         // turned into a new problem
    kLink,           // linked to an existing problem
    kDecline,        // 不予受理
    kMarkDuplicate,  // of another opinion or a problem
    kReply,          // an answer to the submitter
    kRate,           // the submitter's satisfaction with the answer
    kTransfer,       // 转办: passed to another org before it is handled (docs/LINKAGE.md#transfers)
};
template <>
struct EnumNames<OpinionAction> {
    static constexpr std::string_view kWhat = "opinion action";
    static constexpr std::array<std::pair<OpinionAction, std::string_view>, 7> kNames{{
        {OpinionAction::kAccept, "accept"},
        {OpinionAction::kLink, "link"},
        {OpinionAction::kDecline, "decline"},
        {OpinionAction::kMarkDuplicate, "mark_duplicate"},
        {OpinionAction::kReply, "reply"},
        {OpinionAction::kRate, "rate"},
        {OpinionAction::kTransfer, "transfer"},
    }};
};

// Where a role must be held for a transition, relative to the record's org (the task's org, the
// problem's owner org, the opinion's org). Grants cover subtrees, so a role held above counts too.
//   own:     over the record's org;
//   above:   over the record's org's parent — strictly the level above, so the record's own org can
//            never verify itself (a grant on the org itself does not cover its parent);
//   creator: over the org that created the record (a task's created_by_org_id);
//   system:  nobody: the service makes it as a consequence of another transition.
enum class OrgRelation { kOwn, kAbove, kCreator, kSystem };
template <>
struct EnumNames<OrgRelation> {
    static constexpr std::string_view kWhat = "org relation";
    static constexpr std::array<std::pair<OrgRelation, std::string_view>, 4> kNames{{
        {OrgRelation::kOwn, "own"},
        {OrgRelation::kAbove, "above"},
        {OrgRelation::kCreator, "creator"},
        {OrgRelation::kSystem, "system"},
    }};
};

enum class MeetingKind { kDemocraticLife, kOrganizationalLife, kOther };
template <>
struct EnumNames<MeetingKind> {
    static constexpr std::string_view kWhat = "meeting kind";
    static constexpr std::array<std::pair<MeetingKind, std::string_view>, 3> kNames{{
        {MeetingKind::kDemocraticLife, "democratic_life"},            // 民主生活会
        {MeetingKind::kOrganizationalLife, "organizational_life"},    // 组织生活会
        {MeetingKind::kOther, "other"},
    }};
};

// ---- the transition tables ----

// A set of roles (admin always counts as holding every role: Service::HasRole).
class RoleSet {
public:
    constexpr RoleSet() = default;
    constexpr RoleSet(std::initializer_list<Role> roles) {
        for (Role r : roles) bits_ |= 1u << static_cast<unsigned>(r);
    }
    constexpr bool Has(Role r) const { return (bits_ >> static_cast<unsigned>(r)) & 1u; }
    constexpr bool empty() const { return bits_ == 0; }
    std::vector<Role> roles() const;
    // "clerk or reviewer"
    std::string ToText() const;

private:
    std::uint32_t bits_ = 0;
};

// One allowed transition: from `from`, `action` leads to `to` (nullopt: derived from the tasks, see
// DeriveProblemStatus), and may be made by a holder of one of `roles` over the org `relation` names.
// Several rows may share (from, action) with different roles/relations: any one of them permits it.
template <typename S, typename A>
struct Transition {
    S from;
    A action;
    std::optional<S> to;
    RoleSet roles;
    OrgRelation relation;
};
using TaskTransition = Transition<TaskStatus, TaskAction>;
using ProblemTransition = Transition<ProblemStatus, ProblemAction>;
using OpinionTransition = Transition<OpinionStatus, OpinionAction>;

// The tables (docs/WORKFLOW.md prints them). Every (from, action) pair not listed is forbidden.
std::span<const TaskTransition> TaskTransitions();
std::span<const ProblemTransition> ProblemTransitions();
std::span<const OpinionTransition> OpinionTransitions();

// The rows for (from, action); empty when the action is forbidden from `from`.
std::vector<TaskTransition> TaskRules(TaskStatus from, TaskAction action);
std::vector<ProblemTransition> ProblemRules(ProblemStatus from, ProblemAction action);
std::vector<OpinionTransition> OpinionRules(OpinionStatus from, OpinionAction action);

// The actions a person may take from `from` (system-only actions left out), in the order of the action
// enum, each once.
std::vector<TaskAction> AllowedTaskActions(TaskStatus from);
std::vector<ProblemAction> AllowedProblemActions(ProblemStatus from);
std::vector<OpinionAction> AllowedOpinionActions(OpinionStatus from);

// Applies a transition to a status. Errors: kFailedPrecondition "cannot submit a task that is pending;
// allowed next actions: start, attach_evidence, ..." (or "none: pending is final").
Result<TaskStatus> NextTaskStatus(TaskStatus from, TaskAction action);
// nullopt: the new status is derived from the tasks (add_task, derive).
Result<std::optional<ProblemStatus>> NextProblemStatus(ProblemStatus from, ProblemAction action);
Result<OpinionStatus> NextOpinionStatus(OpinionStatus from, OpinionAction action);

// ---- records ----

// One measure (整改措施) for one org. created_by_org_id is the org that planned it (the problem's
// owner); only that org can withdraw it. Tasks belong to one round of their problem.
struct Task {
    TaskId id = 0;
    ProblemId problem_id = 0;
    OrgId org_id = 0;
    OrgId created_by_org_id = 0;
    int round = 1;
    std::string title;
    std::string description;
    std::string responsible_person;            // 责任人
    std::optional<std::string> lead_official;  // 牵头领导
    TaskType type = TaskType::kTimeBound;
    std::optional<UnixSeconds> due_at;          // immediate, time_bound: the deadline; ongoing: none
    std::vector<UnixSeconds> review_dates;      // ongoing: when it is reviewed (ascending); others: none
    std::optional<int> weight_bp;               // share of the problem in basis points (1..10000 = 0.0001..1)
    TaskStatus status = TaskStatus::kPending;
    int progress = 0;                           // percent 0..100, from the last progress report
    std::optional<std::string> withdrawal_reason;  // an open request to withdraw (cleared when decided)
    std::optional<std::string> return_reason;      // why it was last returned
    std::optional<UnixSeconds> returned_at;
    ReportId returned_after_report_id = 0;  // the newest report id when it was last returned (0: never)
    std::optional<UnixSeconds> submitted_at;
    std::optional<UnixSeconds> accepted_at;
    UnixSeconds created_at = 0;
    UnixSeconds updated_at = 0;
    std::int64_t version = 1;
    // ---- linkage (issue 5) ----
    std::optional<TaskId> parent_task_id;  // a cascade child (上题下答): the parent task it rolls up into
    std::optional<std::int64_t> cascade_id;  // ... and the cascade that created it
};

// A dated progress note (整改进展) with the evidence attached to it.
struct ProgressReport {
    ReportId id = 0;
    TaskId task_id = 0;
    UnixSeconds reported_at = 0;
    std::string text;
    int percent = 0;  // 0..100
    std::string actor;
    std::vector<EvidenceId> evidence_ids;  // filled on read
};

// A file (佐证材料) stored content-addressed by SHA-256 outside the database.
struct Evidence {
    EvidenceId id = 0;
    TaskId task_id = 0;
    std::optional<ReportId> report_id;  // the report it is attached to, once it is
    std::string sha256;                 // lower-case hex of the content
    std::int64_t size_bytes = 0;
    std::string content_type;           // normalised: lower case, no parameters
    std::string original_name;
    std::string uploaded_by;
    UnixSeconds uploaded_at = 0;
};

// A standing rule or system adopted as a result (长效机制).
struct Mechanism {
    MechanismId id = 0;
    OrgId org_id = 0;  // the adopting org
    std::string title;
    std::string text;
    UnixSeconds adopted_at = 0;
    UnixSeconds created_at = 0;
    UnixSeconds updated_at = 0;
    std::int64_t version = 1;
    std::vector<ProblemId> problem_ids;  // linked problems, filled on read
};

// A 民主生活会 / 组织生活会 / other meeting; its findings can become problems.
struct Meeting {
    MeetingId id = 0;
    OrgId org_id = 0;
    MeetingKind kind = MeetingKind::kOther;
    std::string title;
    UnixSeconds held_at = 0;
    int attendees = 0;
    std::string notes;
    UnixSeconds created_at = 0;
    std::int64_t version = 1;
};

struct MeetingFinding {
    FindingId id = 0;
    MeetingId meeting_id = 0;
    std::string text;
    std::optional<ProblemId> problem_id;  // the problem made from it (source=meeting)
    UnixSeconds created_at = 0;
};

// ---- rules ----

inline constexpr std::size_t kMaxReasonChars = 2000;

// Required fields, lengths (code points), type rules (time_bound and immediate need due_at and no
// review dates; ongoing needs at least one review date and no due_at; review dates ascending and
// distinct), weight 1..10000 bp, progress 0..100. Errors: kInvalidArgument naming the field.
Status ValidateTask(const Task& task);
Status ValidateMechanism(const Mechanism& mechanism);
Status ValidateMeeting(const Meeting& meeting);
// A reason (or other required free text) named `field`: non-empty after trimming, valid UTF-8, at most
// `max_chars` code points. Errors: kInvalidArgument "<field>: required ...".
Status CheckRequiredText(std::string_view field, const std::string& text, std::size_t max_chars = kMaxReasonChars);

// Whether a task of `type` needs evidence before it is submitted. Immediate measures (立行立改) are
// fixed on the spot and a progress report describing the fix suffices; time-bound and ongoing measures
// need at least one evidence file.
bool EvidenceRequiredToSubmit(TaskType type);

// The submit guard (issue 3): at least one progress report — after a return, one newer than the
// return (`new_reports` counts the reports with id > returned_after_report_id) — and evidence unless
// EvidenceRequiredToSubmit(type) is false (`evidence` counts the task's files).
// Errors: kFailedPrecondition saying what is missing.
Status CheckCanSubmit(const Task& task, std::int64_t new_reports, std::int64_t evidence);

// The status a problem has because of its tasks: the tasks of its current round that are not
// withdrawn. None: registered; all pending: planned; all submitted or accepted: pending_verification;
// otherwise (some started, returned, or a mix): in_progress. Closing is an explicit action (CheckCanClose).
ProblemStatus DeriveProblemStatus(std::span<const TaskStatus> current_round_tasks);

// Progress of a problem in percent (0..100) over the tasks of `round` that are not withdrawn; an
// accepted task counts 100, any other its reported progress. When the weights of those tasks are all
// given and sum to exactly 1 (10,000 bp), the weighted sum; otherwise the plain mean. nullopt when
// there is no such task. Source: the statement of Decidim Accountability's rule (a parent
// result's progress is the weight-multiplied sum of its children's when weights are used, else their
// average: Decidim::Accountability::Result#update_progress!). Decidim's code decides "weights are used"
// by "one child, or no child weighted 1.0"; rectify uses the stricter "weights sum to 1", which agrees
// whenever weights are shares, and counts each task once.
std::optional<double> ProblemProgress(std::span<const Task> tasks, int round);

// The close-out guard (销号): the problem is pending_verification, every task of its current round
// that is not withdrawn (at least one) is accepted, and — for a problem from the public, i.e. one with
// linked opinions — every linked opinion has a reply sent in the current round (at or after
// reopened_at when the problem was reopened). Errors: kFailedPrecondition naming what is missing.
Status CheckCanClose(const Problem& problem, std::span<const Task> tasks, std::span<const Opinion> opinions);

// The rating guard: the opinion has a reply, and that reply has not been rated yet (one rating per
// reply: a new reply clears the rating fields, whose history stays in the event log).
// Errors: kFailedPrecondition.
Status CheckCanRate(const Opinion& opinion);

// The problem after a reopen: status registered, round + 1, closed_at cleared, cause, reason and
// reopened_at = now recorded. Precondition: status closed (NextProblemStatus checked it).
Problem Reopened(Problem problem, ReopenCause cause, std::string reason, UnixSeconds now);

// ---- evidence content ----

// What a server accepts as evidence: size limit in bytes and allowed content types (lower case, no
// parameters). DefaultEvidenceTypes(): images (jpeg, png, gif, webp), PDF, plain text, CSV, Word,
// Excel, OpenDocument text and sheet, MP4 video, MP3 audio.
struct EvidencePolicy {
    std::int64_t max_bytes = 20 * 1024 * 1024;
    std::vector<std::string> allowed_types;
};
const std::vector<std::string>& DefaultEvidenceTypes();

// "text/plain; charset=utf-8" -> "text/plain" (lower case, parameters and spaces dropped).
std::string NormaliseContentType(std::string_view content_type);

// The kind of executable `content` starts with, judged by magic bytes only: ELF ("\x7f" "ELF"),
// Windows PE / DOS ("MZ"), a script ("#!"), Mach-O (FEEDFACE/FEEDFACF/CAFEBABE in either byte order).
// nullopt when none matches.
std::optional<std::string_view> ExecutableKind(std::string_view content);

// Checks one upload: a non-empty name without path separators or control characters (at most 255
// bytes), a size of 1..max_bytes, an allowed content type, no executable, and for PNG, JPEG, GIF, WebP
// and PDF a content that starts with that format's signature. Errors: kPayloadTooLarge over the size
// limit; kInvalidArgument for the rest, with a message a person can act on.
Status CheckEvidence(const EvidencePolicy& policy, std::string_view original_name, std::string_view content_type,
                     std::string_view content);

// ---- JSON forms (same conventions as domain/json.hpp) ----

// Task fields; "weight" as a number (bp / 10,000) or null; "next_actions": AllowedTaskActions.
nlohmann::json ToJson(const Task& task);
nlohmann::json ToJson(const ProgressReport& report);
nlohmann::json ToJson(const Evidence& evidence);
nlohmann::json ToJson(const Mechanism& mechanism);
nlohmann::json ToJson(const Meeting& meeting);
nlohmann::json ToJson(const MeetingFinding& finding);

template <typename E>
nlohmann::json NamesJson(const std::vector<E>& values) {
    nlohmann::json out = nlohmann::json::array();
    for (E v : values) out.push_back(ToString(v));
    return out;
}

}  // namespace rectify::domain
