#include "domain/workflow.hpp"

#include <algorithm>
#include <cctype>

#include "common/text.hpp"

namespace rectify::domain {
namespace {

using R = Role;
using Rel = OrgRelation;
using TS = TaskStatus;
using TA = TaskAction;
using PS = ProblemStatus;
using PA = ProblemAction;
using OS = OpinionStatus;
using OA = OpinionAction;

constexpr RoleSet kWorkers{R::kClerk, R::kReviewer};
constexpr RoleSet kReviewers{R::kReviewer};
constexpr RoleSet kVerifiers{R::kVerifier};
constexpr RoleSet kOverseers{R::kVerifier, R::kSupervisor};
constexpr RoleSet kMergers{R::kReviewer, R::kSupervisor};
constexpr RoleSet kRaters{R::kClerk, R::kReviewer, R::kSupervisor};
constexpr RoleSet kNobody{};

// The task table. Work happens in the task's own org; the creating org (the problem's owner, which
// planned the measure) approves withdrawals; verification is strictly the level above.
constexpr TaskTransition kTaskTable[] = {
    // pending: planned, not started
    {TS::kPending, TA::kStart, TS::kInProgress, kWorkers, Rel::kOwn},
    {TS::kPending, TA::kAttachEvidence, TS::kPending, kWorkers, Rel::kOwn},
    {TS::kPending, TA::kEdit, TS::kPending, kWorkers, Rel::kOwn},
    {TS::kPending, TA::kEdit, TS::kPending, kReviewers, Rel::kCreator},
    {TS::kPending, TA::kRequestWithdrawal, TS::kPending, kWorkers, Rel::kOwn},
    {TS::kPending, TA::kDeclineWithdrawal, TS::kPending, kReviewers, Rel::kCreator},
    {TS::kPending, TA::kWithdraw, TS::kWithdrawn, kReviewers, Rel::kCreator},
    {TS::kPending, TA::kCancel, TS::kWithdrawn, kNobody, Rel::kSystem},
    // in_progress
    {TS::kInProgress, TA::kReport, TS::kInProgress, kWorkers, Rel::kOwn},
    {TS::kInProgress, TA::kAttachEvidence, TS::kInProgress, kWorkers, Rel::kOwn},
    {TS::kInProgress, TA::kEdit, TS::kInProgress, kWorkers, Rel::kOwn},
    {TS::kInProgress, TA::kEdit, TS::kInProgress, kReviewers, Rel::kCreator},
    {TS::kInProgress, TA::kRequestWithdrawal, TS::kInProgress, kWorkers, Rel::kOwn},
    {TS::kInProgress, TA::kDeclineWithdrawal, TS::kInProgress, kReviewers, Rel::kCreator},
    {TS::kInProgress, TA::kWithdraw, TS::kWithdrawn, kReviewers, Rel::kCreator},
    {TS::kInProgress, TA::kSubmit, TS::kSubmitted, kReviewers, Rel::kOwn},
    {TS::kInProgress, TA::kCancel, TS::kWithdrawn, kNobody, Rel::kSystem},
    // submitted: waiting for the level above
    {TS::kSubmitted, TA::kAccept, TS::kAccepted, kVerifiers, Rel::kAbove},
    {TS::kSubmitted, TA::kReturn, TS::kReturned, kVerifiers, Rel::kAbove},
    {TS::kSubmitted, TA::kCancel, TS::kWithdrawn, kNobody, Rel::kSystem},
    // returned: the work goes on
    {TS::kReturned, TA::kStart, TS::kInProgress, kWorkers, Rel::kOwn},
    {TS::kReturned, TA::kReport, TS::kInProgress, kWorkers, Rel::kOwn},
    {TS::kReturned, TA::kAttachEvidence, TS::kReturned, kWorkers, Rel::kOwn},
    {TS::kReturned, TA::kEdit, TS::kReturned, kWorkers, Rel::kOwn},
    {TS::kReturned, TA::kEdit, TS::kReturned, kReviewers, Rel::kCreator},
    {TS::kReturned, TA::kRequestWithdrawal, TS::kReturned, kWorkers, Rel::kOwn},
    {TS::kReturned, TA::kDeclineWithdrawal, TS::kReturned, kReviewers, Rel::kCreator},
    {TS::kReturned, TA::kWithdraw, TS::kWithdrawn, kReviewers, Rel::kCreator},
    {TS::kReturned, TA::kCancel, TS::kWithdrawn, kNobody, Rel::kSystem},
    // accepted and withdrawn are final
};

// The problem table. registered, planned, in_progress and pending_verification follow the tasks
// (derived); close, reopen, invalid and merge are decisions.
constexpr ProblemTransition kProblemTable[] = {
    {PS::kRegistered, PA::kAddTask, std::nullopt, kWorkers, Rel::kOwn},
    {PS::kRegistered, PA::kDerive, std::nullopt, kNobody, Rel::kSystem},
    {PS::kRegistered, PA::kMarkInvalid, PS::kInvalid, kVerifiers, Rel::kAbove},
    {PS::kRegistered, PA::kMerge, PS::kMerged, kMergers, Rel::kOwn},

    {PS::kPlanned, PA::kAddTask, std::nullopt, kWorkers, Rel::kOwn},
    {PS::kPlanned, PA::kDerive, std::nullopt, kNobody, Rel::kSystem},
    {PS::kPlanned, PA::kMarkInvalid, PS::kInvalid, kVerifiers, Rel::kAbove},
    {PS::kPlanned, PA::kMerge, PS::kMerged, kMergers, Rel::kOwn},

    {PS::kInProgress, PA::kAddTask, std::nullopt, kWorkers, Rel::kOwn},
    {PS::kInProgress, PA::kDerive, std::nullopt, kNobody, Rel::kSystem},
    {PS::kInProgress, PA::kMarkInvalid, PS::kInvalid, kVerifiers, Rel::kAbove},
    {PS::kInProgress, PA::kMerge, PS::kMerged, kMergers, Rel::kOwn},

    {PS::kPendingVerification, PA::kAddTask, std::nullopt, kWorkers, Rel::kOwn},
    {PS::kPendingVerification, PA::kDerive, std::nullopt, kNobody, Rel::kSystem},
    {PS::kPendingVerification, PA::kClose, PS::kClosed, kVerifiers, Rel::kAbove},
    {PS::kPendingVerification, PA::kMarkInvalid, PS::kInvalid, kVerifiers, Rel::kAbove},
    {PS::kPendingVerification, PA::kMerge, PS::kMerged, kMergers, Rel::kOwn},

    // A 不满意 rating of an opinion the problem answers reopens it as a consequence of the rating.
    {PS::kClosed, PA::kReopen, PS::kRegistered, kOverseers, Rel::kAbove},
    {PS::kClosed, PA::kReopen, PS::kRegistered, kNobody, Rel::kSystem},
    // invalid and merged are final
};

constexpr OpinionTransition kOpinionTable[] = {
    {OS::kReceived, OA::kAccept, OS::kAccepted, kWorkers, Rel::kOwn},
    {OS::kReceived, OA::kLink, OS::kAccepted, kWorkers, Rel::kOwn},
    {OS::kReceived, OA::kDecline, OS::kDeclined, kReviewers, Rel::kOwn},
    {OS::kReceived, OA::kMarkDuplicate, OS::kDuplicate, kWorkers, Rel::kOwn},
    // 转办: only before it is handled; the receiving org's workers pass it on (docs/LINKAGE.md#transfers).
    {OS::kReceived, OA::kTransfer, OS::kReceived, kWorkers, Rel::kOwn},
    // An answer can go out in any status (问政 boards answer messages directly); a rating follows it.
    {OS::kReceived, OA::kReply, OS::kReceived, kWorkers, Rel::kOwn},
    {OS::kReceived, OA::kRate, OS::kReceived, kRaters, Rel::kOwn},
    {OS::kAccepted, OA::kReply, OS::kAccepted, kWorkers, Rel::kOwn},
    {OS::kAccepted, OA::kRate, OS::kAccepted, kRaters, Rel::kOwn},
    {OS::kDeclined, OA::kReply, OS::kDeclined, kWorkers, Rel::kOwn},
    {OS::kDeclined, OA::kRate, OS::kDeclined, kRaters, Rel::kOwn},
    {OS::kDuplicate, OA::kReply, OS::kDuplicate, kWorkers, Rel::kOwn},
    {OS::kDuplicate, OA::kRate, OS::kDuplicate, kRaters, Rel::kOwn},
};

template <typename T, std::size_t N>
std::span<const T> AsSpan(const T (&table)[N]) {
    return std::span<const T>(table, N);
}

template <typename Row, typename S, typename A>
std::vector<Row> RulesOf(std::span<const Row> table, S from, A action) {
    std::vector<Row> out;
    for (const Row& row : table) {
        if (row.from == from && row.action == action) out.push_back(row);
    }
    return out;
}

// The actions with a non-system row from `from`, in the order of the action enum.
template <typename A, typename Row, typename S>
std::vector<A> AllowedOf(std::span<const Row> table, S from) {
    std::vector<A> out;
    for (const auto& [action, name] : EnumNames<A>::kNames) {
        for (const Row& row : table) {
            if (row.from == from && row.action == action && row.relation != OrgRelation::kSystem) {
                out.push_back(action);
                break;
            }
        }
    }
    return out;
}

template <typename A, typename S>
Status Illegal(std::string_view what, A action, S from, const std::vector<A>& allowed) {
    std::string list;
    for (A a : allowed) list += (list.empty() ? "" : ", ") + std::string(ToString(a));
    return FailedPrecondition("cannot " + std::string(ToString(action)) + " " + std::string(what) + " that is " +
                              std::string(ToString(from)) + "; allowed next actions: " +
                              (list.empty() ? "none (" + std::string(ToString(from)) + " is final)" : list));
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

// ---- RoleSet ----

std::vector<Role> RoleSet::roles() const {
    std::vector<Role> out;
    for (const auto& [role, name] : EnumNames<Role>::kNames) {
        if (Has(role)) out.push_back(role);
    }
    return out;
}

std::string RoleSet::ToText() const {
    auto all = roles();
    std::string out;
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (i) out += i + 1 == all.size() ? " or " : ", ";
        out += ToString(all[i]);
    }
    return out;
}

// ---- tables ----

std::span<const TaskTransition> TaskTransitions() { return AsSpan(kTaskTable); }
std::span<const ProblemTransition> ProblemTransitions() { return AsSpan(kProblemTable); }
std::span<const OpinionTransition> OpinionTransitions() { return AsSpan(kOpinionTable); }

std::vector<TaskTransition> TaskRules(TaskStatus from, TaskAction action) {
    return RulesOf(TaskTransitions(), from, action);
}
std::vector<ProblemTransition> ProblemRules(ProblemStatus from, ProblemAction action) {
    return RulesOf(ProblemTransitions(), from, action);
}
std::vector<OpinionTransition> OpinionRules(OpinionStatus from, OpinionAction action) {
    return RulesOf(OpinionTransitions(), from, action);
}

std::vector<TaskAction> AllowedTaskActions(TaskStatus from) { return AllowedOf<TaskAction>(TaskTransitions(), from); }
std::vector<ProblemAction> AllowedProblemActions(ProblemStatus from) {
    return AllowedOf<ProblemAction>(ProblemTransitions(), from);
}
std::vector<OpinionAction> AllowedOpinionActions(OpinionStatus from) {
    return AllowedOf<OpinionAction>(OpinionTransitions(), from);
}

Result<TaskStatus> NextTaskStatus(TaskStatus from, TaskAction action) {
    auto rules = TaskRules(from, action);
    if (rules.empty()) return Illegal("a task", action, from, AllowedTaskActions(from));
    return *rules.front().to;
}

Result<std::optional<ProblemStatus>> NextProblemStatus(ProblemStatus from, ProblemAction action) {
    auto rules = ProblemRules(from, action);
    if (rules.empty()) return Illegal("a problem", action, from, AllowedProblemActions(from));
    return rules.front().to;
}

Result<OpinionStatus> NextOpinionStatus(OpinionStatus from, OpinionAction action) {
    auto rules = OpinionRules(from, action);
    if (rules.empty()) return Illegal("an opinion", action, from, AllowedOpinionActions(from));
    return *rules.front().to;
}

// ---- validation ----

Status CheckRequiredText(std::string_view field, const std::string& text, std::size_t max_chars) {
    if (TrimAscii(text).empty()) return InvalidArgument(std::string(field) + ": required, and must not be empty");
    return CheckTextField(field, text, max_chars, true);
}

Status ValidateTask(const Task& t) {
    RETURN_IF_ERROR(CheckTextField("title", t.title, kMaxTitleChars, true));
    RETURN_IF_ERROR(CheckTextField("description", t.description, kMaxTextChars, false));
    RETURN_IF_ERROR(CheckTextField("responsible_person", t.responsible_person, kMaxNameChars, true));
    if (t.lead_official) RETURN_IF_ERROR(CheckTextField("lead_official", *t.lead_official, kMaxNameChars, true));
    if (t.problem_id <= 0) return InvalidArgument("problem_id: required");
    if (t.org_id <= 0) return InvalidArgument("org_id: required");
    if (t.type == TaskType::kOngoing) {
        if (t.due_at) return InvalidArgument("due_at: an ongoing task (长期坚持) has review dates, not a deadline");
        if (t.review_dates.empty()) {
            return InvalidArgument("review_dates: an ongoing task (长期坚持) needs at least one review date");
        }
    } else {
        if (!t.due_at) {
            return InvalidArgument(std::string("due_at: required for a task of type ") + std::string(ToString(t.type)));
        }
        if (!t.review_dates.empty()) return InvalidArgument("review_dates: only an ongoing task has review dates");
    }
    for (std::size_t i = 1; i < t.review_dates.size(); ++i) {
        if (t.review_dates[i] <= t.review_dates[i - 1]) {
            return InvalidArgument("review_dates: must be ascending and distinct");
        }
    }
    if (t.weight_bp && (*t.weight_bp < 1 || *t.weight_bp > 10000)) {
        return InvalidArgument("weight: must be more than 0 and at most 1");
    }
    if (t.progress < 0 || t.progress > 100) return InvalidArgument("progress: must be 0 to 100");
    if (t.round < 1) return InvalidArgument("round: must be 1 or more");
    return Status::Ok();
}

Status ValidateMechanism(const Mechanism& m) {
    RETURN_IF_ERROR(CheckTextField("title", m.title, kMaxTitleChars, true));
    RETURN_IF_ERROR(CheckTextField("text", m.text, kMaxTextChars, false));
    if (m.org_id <= 0) return InvalidArgument("org_id: required");
    return Status::Ok();
}

Status ValidateMeeting(const Meeting& m) {
    RETURN_IF_ERROR(CheckTextField("title", m.title, kMaxTitleChars, true));
    RETURN_IF_ERROR(CheckTextField("notes", m.notes, kMaxTextChars, false));
    if (m.org_id <= 0) return InvalidArgument("org_id: required");
    if (m.attendees < 0 || m.attendees > 1000000) return InvalidArgument("attendees: must be 0 to 1,000,000");
    return Status::Ok();
}

// ---- rules ----

bool EvidenceRequiredToSubmit(TaskType type) { return type != TaskType::kImmediate; }

Status CheckCanSubmit(const Task& task, std::int64_t new_reports, std::int64_t evidence) {
    if (new_reports < 1) {
        return FailedPrecondition(task.returned_after_report_id > 0
                                      ? "task " + std::to_string(task.id) +
                                            " was returned: report progress on what changed before submitting again"
                                      : "task " + std::to_string(task.id) +
                                            " has no progress report: report progress before submitting");
    }
    if (EvidenceRequiredToSubmit(task.type) && evidence < 1) {
        return FailedPrecondition("task " + std::to_string(task.id) + " is " + std::string(ToString(task.type)) +
                                  " and has no evidence: upload at least one file before submitting");
    }
    return Status::Ok();
}

ProblemStatus DeriveProblemStatus(std::span<const TaskStatus> tasks) {
    std::size_t active = 0, pending = 0, done = 0;
    for (TaskStatus s : tasks) {
        if (s == TaskStatus::kWithdrawn) continue;
        ++active;
        if (s == TaskStatus::kPending) ++pending;
        if (s == TaskStatus::kSubmitted || s == TaskStatus::kAccepted) ++done;
    }
    if (active == 0) return ProblemStatus::kRegistered;
    if (pending == active) return ProblemStatus::kPlanned;
    if (done == active) return ProblemStatus::kPendingVerification;
    return ProblemStatus::kInProgress;
}

std::optional<double> ProblemProgress(std::span<const Task> tasks, int round) {
    std::int64_t count = 0, weight_sum = 0, weighted = 0, plain = 0;
    bool all_weighted = true;
    for (const Task& t : tasks) {
        if (t.round != round || t.status == TaskStatus::kWithdrawn) continue;
        const int p = t.status == TaskStatus::kAccepted ? 100 : t.progress;
        ++count;
        plain += p;
        if (t.weight_bp) {
            weight_sum += *t.weight_bp;
            weighted += static_cast<std::int64_t>(*t.weight_bp) * p;
        } else {
            all_weighted = false;
        }
    }
    if (count == 0) return std::nullopt;
    if (all_weighted && weight_sum == 10000) return static_cast<double>(weighted) / 10000.0;
    return static_cast<double>(plain) / static_cast<double>(count);
}

Status CheckCanClose(const Problem& problem, std::span<const Task> tasks, std::span<const Opinion> opinions) {
    RETURN_IF_ERROR(NextProblemStatus(problem.status, ProblemAction::kClose));
    std::int64_t active = 0;
    std::string open;
    for (const Task& t : tasks) {
        if (t.round != problem.round || t.status == TaskStatus::kWithdrawn) continue;
        ++active;
        if (t.status != TaskStatus::kAccepted) {
            open += (open.empty() ? "" : ", ") + std::to_string(t.id) + " (" + std::string(ToString(t.status)) + ")";
        }
    }
    if (active == 0) return FailedPrecondition("problem " + std::to_string(problem.id) + " has no task to verify");
    if (!open.empty()) {
        return FailedPrecondition("problem " + std::to_string(problem.id) +
                                  " can be closed only when every task is accepted; not yet accepted: " + open);
    }
    std::string unanswered;
    for (const Opinion& o : opinions) {
        const bool answered = o.replied_at && (!problem.reopened_at || *o.replied_at >= *problem.reopened_at);
        if (!answered) unanswered += (unanswered.empty() ? "" : ", ") + std::to_string(o.id);
    }
    if (!unanswered.empty()) {
        return FailedPrecondition("problem " + std::to_string(problem.id) +
                                  " came from the public: reply to opinion " + unanswered +
                                  (problem.reopened_at ? " (a reply sent since the reopen)" : "") + " before closing it");
    }
    return Status::Ok();
}

Status CheckCanRate(const Opinion& o) {
    if (!o.replied_at) {
        return FailedPrecondition("opinion " + std::to_string(o.id) + " has no reply yet: a rating rates a reply");
    }
    if (o.satisfaction) {
        return FailedPrecondition("opinion " + std::to_string(o.id) + "'s reply was already rated " +
                                  std::string(ToString(*o.satisfaction)) + "; a new reply can be rated again");
    }
    return Status::Ok();
}

Problem Reopened(Problem p, ReopenCause cause, std::string reason, UnixSeconds now) {
    p.status = ProblemStatus::kRegistered;
    p.round += 1;
    p.closed_at.reset();
    p.reopen_cause = cause;
    p.status_reason = std::move(reason);
    p.reopened_at = now;
    p.updated_at = now;
    return p;
}

// ---- evidence ----

const std::vector<std::string>& DefaultEvidenceTypes() {
    static const std::vector<std::string> types = {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "application/pdf",
        "text/plain",
        "text/csv",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "video/mp4",
        "audio/mpeg",
    };
    return types;
}

std::string NormaliseContentType(std::string_view content_type) {
    std::string_view base = content_type.substr(0, content_type.find(';'));
    std::string out;
    for (char c : base) {
        if (c == ' ' || c == '\t') continue;
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::optional<std::string_view> ExecutableKind(std::string_view c) {
    if (StartsWith(c, "\x7f" "ELF")) return "an ELF executable";
    if (StartsWith(c, "MZ")) return "a Windows (PE/DOS) executable";
    if (StartsWith(c, "#!")) return "a script with a #! line";
    for (std::string_view magic : {std::string_view("\xfe\xed\xfa\xce", 4), std::string_view("\xce\xfa\xed\xfe", 4),
                                   std::string_view("\xfe\xed\xfa\xcf", 4), std::string_view("\xcf\xfa\xed\xfe", 4),
                                   std::string_view("\xca\xfe\xba\xbe", 4), std::string_view("\xbe\xba\xfe\xca", 4)}) {
        if (StartsWith(c, magic)) return "a Mach-O executable";
    }
    return std::nullopt;
}

Status CheckEvidence(const EvidencePolicy& policy, std::string_view name, std::string_view content_type,
                     std::string_view content) {
    if (name.empty()) return InvalidArgument("filename: required (the original name of the file)");
    if (name.size() > 255) return InvalidArgument("filename: longer than 255 bytes");
    if (!IsValidUtf8(name)) return InvalidArgument("filename: invalid UTF-8");
    for (unsigned char c : name) {
        if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') {
            return InvalidArgument("filename: must be a plain file name, without '/', '\\' or control characters");
        }
    }
    if (name == "." || name == "..") return InvalidArgument("filename: must be a plain file name");
    if (static_cast<std::int64_t>(content.size()) > policy.max_bytes) {
        return PayloadTooLarge("the evidence file is " + std::to_string(content.size()) +
                               " bytes, larger than the limit of " + std::to_string(policy.max_bytes) + " bytes");
    }
    if (content.empty()) return InvalidArgument("the evidence file is empty");
    const std::string type = NormaliseContentType(content_type);
    if (type.empty()) return InvalidArgument("Content-Type: required (the type of the file, e.g. image/jpeg)");
    if (auto kind = ExecutableKind(content)) {
        return InvalidArgument("the evidence file is " + std::string(*kind) +
                               " (judged by its first bytes); executables and scripts are not accepted");
    }
    if (std::find(policy.allowed_types.begin(), policy.allowed_types.end(), type) == policy.allowed_types.end()) {
        std::string allowed;
        for (const auto& t : policy.allowed_types) allowed += (allowed.empty() ? "" : ", ") + t;
        return InvalidArgument("Content-Type " + type + " is not accepted as evidence (allowed: " + allowed + ")");
    }
    struct Signature {
        std::string_view type;
        std::string_view magic;
        std::size_t offset;
    };
    static constexpr Signature kSignatures[] = {
        {"image/png", "\x89PNG\r\n\x1a\n", 0},
        {"image/jpeg", "\xff\xd8\xff", 0},
        {"image/gif", "GIF8", 0},
        {"image/webp", "WEBP", 8},
        {"application/pdf", "%PDF-", 0},
    };
    for (const auto& s : kSignatures) {
        if (s.type != type) continue;
        if (content.size() < s.offset + s.magic.size() || content.substr(s.offset, s.magic.size()) != s.magic) {
            return InvalidArgument("the evidence file is declared " + type + " but its content is not " + type);
        }
    }
    return Status::Ok();
}

}  // namespace rectify::domain
