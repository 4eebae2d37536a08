// The three state machines of issue 3, checked against grids written out by hand here from the issue's
// lifecycle text (not generated from the code): every (status, action) pair of each machine is listed,
// allowed or forbidden, with the roles and the org where they must be held. Then the rules around the
// tables: derived problem status, progress, submit/close/rate guards, reopen, evidence checks.
#include "domain/workflow.hpp"

#include <map>
#include <set>
#include <sstream>

#include "test_util.hpp"

namespace rectify::domain {
namespace {

// A cell of a grid: "-" forbidden; otherwise "<to> <who>[|<who>...]" where <to> is a status name or
// "*" (derived from the tasks) and <who> is "role+role@relation" or "system".
struct Cell {
    bool allowed = false;
    std::string to;                  // status name, or "*"
    std::set<std::string> who;       // "clerk+reviewer@own", "system", ...
};

Cell ParseCell(const std::string& text) {
    Cell c;
    if (text == "-") return c;
    c.allowed = true;
    std::istringstream in(text);
    std::string who;
    in >> c.to >> who;
    std::size_t start = 0;
    while (start <= who.size()) {
        std::size_t bar = who.find('|', start);
        if (bar == std::string::npos) bar = who.size();
        c.who.insert(who.substr(start, bar - start));
        start = bar + 1;
    }
    return c;
}

template <typename Row>
std::set<std::string> WhoOf(const std::vector<Row>& rows) {
    std::set<std::string> out;
    for (const Row& r : rows) {
        if (r.relation == OrgRelation::kSystem) {
            EXPECT_TRUE(r.roles.empty()) << "a system row names roles";
            out.insert("system");
            continue;
        }
        std::string roles;
        for (Role role : r.roles.roles()) roles += (roles.empty() ? "" : "+") + std::string(ToString(role));
        out.insert(roles + "@" + std::string(ToString(r.relation)));
    }
    return out;
}

// Checks one machine: every cell of `grid` (rows: statuses in enum order; columns: actions in enum
// order) against the rules, the Next* function and the allowed-actions list.
template <typename S, typename A, typename RulesFn, typename NextFn, typename AllowedFn>
void CheckMachine(const std::vector<std::vector<std::string>>& grid, RulesFn rules, NextFn next, AllowedFn allowed,
                  int* allowed_count, int* forbidden_count) {
    const auto statuses = EnumNames<S>::kNames;
    const auto actions = EnumNames<A>::kNames;
    ASSERT_EQ(grid.size(), statuses.size()) << "the grid must list every status";
    for (std::size_t i = 0; i < statuses.size(); ++i) {
        ASSERT_EQ(grid[i].size(), actions.size()) << "row " << statuses[i].second << " must list every action";
        const S from = statuses[i].first;
        std::vector<std::string> expected_allowed;
        for (std::size_t j = 0; j < actions.size(); ++j) {
            const A action = actions[j].first;
            const Cell cell = ParseCell(grid[i][j]);
            SCOPED_TRACE(std::string(statuses[i].second) + " --" + std::string(actions[j].second) + "-->");
            auto rows = rules(from, action);
            auto result = next(from, action);
            if (!cell.allowed) {
                ++*forbidden_count;
                EXPECT_TRUE(rows.empty());
                ASSERT_FALSE(result.ok());
                EXPECT_EQ(result.status().code(), StatusCode::kFailedPrecondition);
                continue;
            }
            ++*allowed_count;
            ASSERT_FALSE(rows.empty());
            ASSERT_OK(result);
            EXPECT_EQ(WhoOf(rows), cell.who);
            for (const auto& r : rows) {
                EXPECT_EQ(r.to ? std::string(ToString(*r.to)) : std::string("*"), cell.to);
            }
            if (cell.who != std::set<std::string>{"system"}) expected_allowed.emplace_back(actions[j].second);
        }
        std::vector<std::string> got;
        for (A a : allowed(from)) got.emplace_back(ToString(a));
        EXPECT_EQ(got, expected_allowed) << "allowed next actions from " << statuses[i].second;
    }
}

// ---- Task ----
// columns: start | report | attach_evidence | edit | request_withdrawal | decline_withdrawal | withdraw |
//          submit | accept | return | cancel
const std::string kW = "clerk+reviewer@own";
const std::string kRC = "reviewer@creator";
const std::vector<std::vector<std::string>> kTaskGrid = {
    /* pending */ {"in_progress " + kW, "-", "pending " + kW, "pending " + kW + "|" + kRC, "pending " + kW,
                   "pending " + kRC, "withdrawn " + kRC, "-", "-", "-", "withdrawn system"},
    /* in_progress */
    {"-", "in_progress " + kW, "in_progress " + kW, "in_progress " + kW + "|" + kRC, "in_progress " + kW,
     "in_progress " + kRC, "withdrawn " + kRC, "submitted reviewer@own", "-", "-", "withdrawn system"},
    /* submitted */
    {"-", "-", "-", "-", "-", "-", "-", "-", "accepted verifier@above", "returned verifier@above", "withdrawn system"},
    /* accepted */ {"-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"},
    /* returned */
    {"in_progress " + kW, "in_progress " + kW, "returned " + kW, "returned " + kW + "|" + kRC, "returned " + kW,
     "returned " + kRC, "withdrawn " + kRC, "-", "-", "-", "withdrawn system"},
    /* withdrawn */ {"-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"},
};

TEST(TaskMachine, EveryAllowedAndForbiddenTransitionMatchesTheGrid) {
    int allowed = 0, forbidden = 0;
    CheckMachine<TaskStatus, TaskAction>(kTaskGrid, TaskRules, NextTaskStatus, AllowedTaskActions, &allowed,
                                         &forbidden);
    // 6 statuses x 11 actions; allowed: pending 7, in_progress 8, submitted 3, returned 8.
    EXPECT_EQ(allowed, 26);
    EXPECT_EQ(forbidden, 66 - 26);
}

TEST(TaskMachine, AForbiddenTransitionListsTheAllowedNextActions) {
    auto r = NextTaskStatus(TaskStatus::kPending, TaskAction::kSubmit);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(),
              "cannot submit a task that is pending; allowed next actions: start, attach_evidence, edit, "
              "request_withdrawal, decline_withdrawal, withdraw");
    auto done = NextTaskStatus(TaskStatus::kAccepted, TaskAction::kReturn);
    ASSERT_FALSE(done.ok());
    EXPECT_EQ(done.status().message(),
              "cannot return a task that is accepted; allowed next actions: none (accepted is final)");
}

// ---- Problem ----
// columns: add_task | derive | close | reopen | mark_invalid | merge
const std::string kMerge = "merged reviewer+supervisor@own";
const std::vector<std::vector<std::string>> kProblemGrid = {
    /* registered */ {"* " + kW, "* system", "-", "-", "invalid verifier@above", kMerge},
    /* planned */ {"* " + kW, "* system", "-", "-", "invalid verifier@above", kMerge},
    /* in_progress */ {"* " + kW, "* system", "-", "-", "invalid verifier@above", kMerge},
    /* pending_verification */
    {"* " + kW, "* system", "closed verifier@above", "-", "invalid verifier@above", kMerge},
    /* closed */ {"-", "-", "-", "registered verifier+supervisor@above|system", "-", "-"},
    /* invalid */ {"-", "-", "-", "-", "-", "-"},
    /* merged */ {"-", "-", "-", "-", "-", "-"},
};

TEST(ProblemMachine, EveryAllowedAndForbiddenTransitionMatchesTheGrid) {
    int allowed = 0, forbidden = 0;
    CheckMachine<ProblemStatus, ProblemAction>(kProblemGrid, ProblemRules, NextProblemStatus, AllowedProblemActions,
                                               &allowed, &forbidden);
    EXPECT_EQ(allowed, 4 + 4 + 4 + 5 + 1);
    EXPECT_EQ(forbidden, 42 - 18);
}

TEST(ProblemMachine, DerivedTransitionsReturnNoFixedStatus) {
    auto r = NextProblemStatus(ProblemStatus::kPlanned, ProblemAction::kAddTask);
    ASSERT_OK(r);
    EXPECT_FALSE(r->has_value());
    auto closed = NextProblemStatus(ProblemStatus::kClosed, ProblemAction::kAddTask);
    ASSERT_FALSE(closed.ok());
    EXPECT_EQ(closed.status().message(),
              "cannot add_task a problem that is closed; allowed next actions: reopen");
}

// ---- Opinion ----
// columns: accept | link | decline | mark_duplicate | reply | rate | transfer
const std::string kRaters = "clerk+reviewer+supervisor@own";
const std::vector<std::vector<std::string>> kOpinionGrid = {
    /* received */
    {"accepted " + kW, "accepted " + kW, "declined reviewer@own", "duplicate " + kW, "received " + kW,
     "received " + kRaters, "received " + kW},
    /* accepted */ {"-", "-", "-", "-", "accepted " + kW, "accepted " + kRaters, "-"},
    /* declined */ {"-", "-", "-", "-", "declined " + kW, "declined " + kRaters, "-"},
    /* duplicate */ {"-", "-", "-", "-", "duplicate " + kW, "duplicate " + kRaters, "-"},
};

TEST(OpinionMachine, EveryAllowedAndForbiddenTransitionMatchesTheGrid) {
    int allowed = 0, forbidden = 0;
    CheckMachine<OpinionStatus, OpinionAction>(kOpinionGrid, OpinionRules, NextOpinionStatus, AllowedOpinionActions,
                                               &allowed, &forbidden);
    EXPECT_EQ(allowed, 7 + 2 + 2 + 2);
    EXPECT_EQ(forbidden, 28 - 13);
}

TEST(RoleSet, ListsRolesInEnumOrderAsText) {
    RoleSet s{Role::kVerifier, Role::kClerk, Role::kSupervisor};
    EXPECT_EQ(s.ToText(), "clerk, verifier or supervisor");
    EXPECT_TRUE(s.Has(Role::kClerk));
    EXPECT_FALSE(s.Has(Role::kAdmin));
    EXPECT_TRUE(RoleSet{}.empty());
}

// ---- derived problem status ----

TEST(DeriveProblemStatus, FollowsTheTasksOfTheRound) {
    using T = TaskStatus;
    struct Case {
        std::vector<TaskStatus> tasks;
        ProblemStatus want;
    };
    const std::vector<Case> cases = {
        {{}, ProblemStatus::kRegistered},
        {{T::kWithdrawn}, ProblemStatus::kRegistered},
        {{T::kPending}, ProblemStatus::kPlanned},
        {{T::kPending, T::kWithdrawn, T::kPending}, ProblemStatus::kPlanned},
        {{T::kPending, T::kInProgress}, ProblemStatus::kInProgress},
        {{T::kPending, T::kAccepted}, ProblemStatus::kInProgress},
        {{T::kReturned}, ProblemStatus::kInProgress},
        {{T::kSubmitted, T::kReturned}, ProblemStatus::kInProgress},
        {{T::kSubmitted}, ProblemStatus::kPendingVerification},
        {{T::kSubmitted, T::kAccepted, T::kWithdrawn}, ProblemStatus::kPendingVerification},
        {{T::kAccepted, T::kAccepted}, ProblemStatus::kPendingVerification},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(DeriveProblemStatus(c.tasks), c.want) << c.tasks.size() << " tasks";
    }
}

// ---- progress ----

Task MakeTask(int round, TaskStatus status, int progress, std::optional<int> weight_bp) {
    Task t;
    t.round = round;
    t.status = status;
    t.progress = progress;
    t.weight_bp = weight_bp;
    return t;
}

TEST(ProblemProgress, WeightedWhenTheWeightsSumToOne) {
    // 0.25 * 40 + 0.75 * 100 (accepted counts 100 whatever was reported) = 10 + 75 = 85.
    std::vector<Task> tasks = {MakeTask(1, TaskStatus::kInProgress, 40, 2500),
                               MakeTask(1, TaskStatus::kAccepted, 60, 7500)};
    EXPECT_EQ(ProblemProgress(tasks, 1), std::optional<double>(85.0));
}

TEST(ProblemProgress, PlainMeanWhenWeightsAreMissingOrDoNotSumToOne) {
    // Weights 0.5 + 0.25 = 0.75: mean of 40 and 100 = 70.
    std::vector<Task> partial = {MakeTask(1, TaskStatus::kInProgress, 40, 5000),
                                 MakeTask(1, TaskStatus::kAccepted, 0, 2500)};
    EXPECT_EQ(ProblemProgress(partial, 1), std::optional<double>(70.0));
    // One weight missing: mean of 10, 20, 60 = 30.
    std::vector<Task> missing = {MakeTask(1, TaskStatus::kInProgress, 10, 5000),
                                 MakeTask(1, TaskStatus::kInProgress, 20, 5000),
                                 MakeTask(1, TaskStatus::kInProgress, 60, std::nullopt)};
    EXPECT_EQ(ProblemProgress(missing, 1), std::optional<double>(30.0));
}

TEST(ProblemProgress, CountsOnlyTheRoundsActiveTasksOnce) {
    // Round 1's accepted task and round 2's withdrawn one are left out: only the 20% task counts.
    std::vector<Task> tasks = {MakeTask(1, TaskStatus::kAccepted, 100, 10000),
                               MakeTask(2, TaskStatus::kWithdrawn, 90, std::nullopt),
                               MakeTask(2, TaskStatus::kInProgress, 20, std::nullopt)};
    EXPECT_EQ(ProblemProgress(tasks, 2), std::optional<double>(20.0));
    EXPECT_EQ(ProblemProgress(tasks, 3), std::nullopt);
}

// ---- guards ----

TEST(CheckCanSubmit, NeedsAReportAndEvidenceUnlessImmediate) {
    Task t;
    t.id = 7;
    t.type = TaskType::kTimeBound;
    auto no_report = CheckCanSubmit(t, 0, 3);
    EXPECT_EQ(no_report.code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(no_report.message(), "task 7 has no progress report: report progress before submitting");
    auto no_evidence = CheckCanSubmit(t, 1, 0);
    EXPECT_EQ(no_evidence.message(),
              "task 7 is time_bound and has no evidence: upload at least one file before submitting");
    EXPECT_OK(CheckCanSubmit(t, 1, 1));
    t.type = TaskType::kOngoing;
    EXPECT_EQ(CheckCanSubmit(t, 1, 0).code(), StatusCode::kFailedPrecondition);
    t.type = TaskType::kImmediate;
    EXPECT_OK(CheckCanSubmit(t, 1, 0));
    t.returned_after_report_id = 12;
    EXPECT_EQ(CheckCanSubmit(t, 0, 0).message(),
              "task 7 was returned: report progress on what changed before submitting again");
}

Problem PendingProblem() {
    Problem p;
    p.id = 3;
    p.status = ProblemStatus::kPendingVerification;
    p.round = 1;
    return p;
}

TEST(CheckCanClose, NeedsEveryTaskOfTheRoundAccepted) {
    Problem p = PendingProblem();
    Task a = MakeTask(1, TaskStatus::kAccepted, 100, std::nullopt);
    a.id = 1;
    Task b = MakeTask(1, TaskStatus::kSubmitted, 100, std::nullopt);
    b.id = 2;
    Task gone = MakeTask(1, TaskStatus::kWithdrawn, 0, std::nullopt);
    gone.id = 4;
    std::vector<Task> tasks = {a, b, gone};
    auto s = CheckCanClose(p, tasks, {});
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(s.message(), "problem 3 can be closed only when every task is accepted; not yet accepted: 2 (submitted)");
    tasks[1].status = TaskStatus::kAccepted;
    EXPECT_OK(CheckCanClose(p, tasks, {}));
    EXPECT_EQ(CheckCanClose(p, {}, {}).message(), "problem 3 has no task to verify");
    p.status = ProblemStatus::kInProgress;
    EXPECT_EQ(CheckCanClose(p, tasks, {}).code(), StatusCode::kFailedPrecondition);
}

TEST(CheckCanClose, AProblemFromThePublicNeedsAReplySentInTheCurrentRound) {
    Problem p = PendingProblem();
    std::vector<Task> tasks = {MakeTask(1, TaskStatus::kAccepted, 100, std::nullopt)};
    Opinion o;
    o.id = 9;
    std::vector<Opinion> opinions = {o};
    EXPECT_EQ(CheckCanClose(p, tasks, opinions).message(),
              "problem 3 came from the public: reply to opinion 9 before closing it");
    opinions[0].replied_at = 1000;
    EXPECT_OK(CheckCanClose(p, tasks, opinions));
    // Reopened at 2000 in round 2: the reply of 1000 answered round 1.
    p.round = 2;
    p.reopened_at = 2000;
    tasks[0].round = 2;
    EXPECT_EQ(CheckCanClose(p, tasks, opinions).message(),
              "problem 3 came from the public: reply to opinion 9 (a reply sent since the reopen) before closing it");
    opinions[0].replied_at = 2000;
    EXPECT_OK(CheckCanClose(p, tasks, opinions));
}

TEST(CheckCanRate, OneRatingPerReply) {
    Opinion o;
    o.id = 5;
    EXPECT_EQ(CheckCanRate(o).message(), "opinion 5 has no reply yet: a rating rates a reply");
    o.replied_at = 100;
    EXPECT_OK(CheckCanRate(o));
    o.satisfaction = Satisfaction::kSatisfied;
    o.rated_at = 100;  // in the same second as the reply
    EXPECT_EQ(CheckCanRate(o).message(), "opinion 5's reply was already rated satisfied; a new reply can be rated again");
    o.satisfaction.reset();  // what a new reply does
    EXPECT_OK(CheckCanRate(o));
}

TEST(Reopened, StartsANewRoundAsRegistered) {
    Problem p = PendingProblem();
    p.title = "梅峰河黑臭";
    p.owner_org_id = 2;
    p.status = ProblemStatus::kClosed;
    p.closed_at = 500;
    Problem r = Reopened(p, ReopenCause::kRecurrence, "反弹回潮", 900);
    EXPECT_EQ(r.status, ProblemStatus::kRegistered);
    EXPECT_EQ(r.round, 2);
    EXPECT_EQ(r.closed_at, std::nullopt);
    EXPECT_EQ(r.reopened_at, std::optional<UnixSeconds>(900));
    EXPECT_EQ(r.reopen_cause, std::optional<ReopenCause>(ReopenCause::kRecurrence));
    EXPECT_EQ(r.status_reason, std::optional<std::string>("反弹回潮"));
    EXPECT_OK(ValidateProblem(r));
}

// ---- validation ----

Task ValidTask() {
    Task t;
    t.problem_id = 1;
    t.org_id = 2;
    t.title = "清理梅峰河漂浮物";
    t.responsible_person = "张三";
    t.type = TaskType::kTimeBound;
    t.due_at = 1000;
    return t;
}

TEST(ValidateTask, TypesDecideBetweenDeadlineAndReviewDates) {
    EXPECT_OK(ValidateTask(ValidTask()));
    Task no_due = ValidTask();
    no_due.due_at.reset();
    EXPECT_EQ(ValidateTask(no_due).message(), "due_at: required for a task of type time_bound");
    Task ongoing = ValidTask();
    ongoing.type = TaskType::kOngoing;
    EXPECT_EQ(ValidateTask(ongoing).message(), "due_at: an ongoing task (长期坚持) has review dates, not a deadline");
    ongoing.due_at.reset();
    EXPECT_EQ(ValidateTask(ongoing).message(), "review_dates: an ongoing task (长期坚持) needs at least one review date");
    ongoing.review_dates = {100, 50};
    EXPECT_EQ(ValidateTask(ongoing).message(), "review_dates: must be ascending and distinct");
    ongoing.review_dates = {50, 100};
    EXPECT_OK(ValidateTask(ongoing));
    Task weighted = ValidTask();
    weighted.weight_bp = 0;
    EXPECT_EQ(ValidateTask(weighted).message(), "weight: must be more than 0 and at most 1");
    weighted.weight_bp = 10001;
    EXPECT_FALSE(ValidateTask(weighted).ok());
    weighted.weight_bp = 10000;
    EXPECT_OK(ValidateTask(weighted));
    Task nobody = ValidTask();
    nobody.responsible_person = " ";
    EXPECT_EQ(ValidateTask(nobody).message(), "responsible_person: must not be empty");
}

TEST(CheckRequiredText, RejectsBlankAndOverlongReasons) {
    EXPECT_EQ(CheckRequiredText("reason", "  ").message(), "reason: required, and must not be empty");
    EXPECT_EQ(CheckRequiredText("reason", std::string(5, 'x'), 4).message(), "reason: longer than 4 characters");
    EXPECT_OK(CheckRequiredText("reason", "不属实"));
}

// ---- evidence ----

EvidencePolicy SmallPolicy() {
    EvidencePolicy p;
    p.max_bytes = 16;
    p.allowed_types = DefaultEvidenceTypes();
    return p;
}

TEST(CheckEvidence, RejectsExecutablesByTheirFirstBytes) {
    const EvidencePolicy p = SmallPolicy();
    struct Case {
        std::string content;
        std::string kind;
    };
    const std::vector<Case> cases = {
        {std::string("\x7f" "ELF\x02\x01\x01", 7), "an ELF executable"},
        {"MZ\x90\x00", "a Windows (PE/DOS) executable"},
        {"#!/bin/sh\nrm -rf /", "a script with a #! line"},
        {std::string("\xcf\xfa\xed\xfe\x07\x00", 6), "a Mach-O executable"},
    };
    for (const auto& c : cases) {
        auto s = CheckEvidence(p, "photo.txt", "text/plain", c.content.substr(0, 16));
        EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.kind;
        EXPECT_EQ(s.message(), "the evidence file is " + c.kind +
                                   " (judged by its first bytes); executables and scripts are not accepted");
    }
    EXPECT_EQ(ExecutableKind("plain text"), std::nullopt);
}

TEST(CheckEvidence, AnswersPayloadTooLargeOverTheLimit) {
    auto s = CheckEvidence(SmallPolicy(), "a.txt", "text/plain", std::string(17, 'a'));
    EXPECT_EQ(s.code(), StatusCode::kPayloadTooLarge);
    EXPECT_EQ(s.message(), "the evidence file is 17 bytes, larger than the limit of 16 bytes");
    EXPECT_OK(CheckEvidence(SmallPolicy(), "a.txt", "text/plain", std::string(16, 'a')));
}

TEST(CheckEvidence, ChecksNameTypeAndSignature) {
    const EvidencePolicy p = SmallPolicy();
    EXPECT_EQ(CheckEvidence(p, "", "text/plain", "x").message(), "filename: required (the original name of the file)");
    EXPECT_EQ(CheckEvidence(p, "../a.txt", "text/plain", "x").message(),
              "filename: must be a plain file name, without '/', '\\' or control characters");
    EXPECT_EQ(CheckEvidence(p, "a.txt", "text/plain", "").message(), "the evidence file is empty");
    EXPECT_EQ(CheckEvidence(p, "a.txt", "", "x").message(),
              "Content-Type: required (the type of the file, e.g. image/jpeg)");
    auto html = CheckEvidence(p, "a.html", "text/html", "<p>");
    EXPECT_EQ(html.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(html.message().rfind("Content-Type text/html is not accepted as evidence (allowed: image/jpeg, ", 0), 0u)
        << html.message();
    EXPECT_EQ(CheckEvidence(p, "a.png", "image/png", "not a png").message(),
              "the evidence file is declared image/png but its content is not image/png");
    EXPECT_OK(CheckEvidence(p, "现场照片.png", "IMAGE/PNG; x=1", std::string("\x89PNG\r\n\x1a\n", 8)));
    EXPECT_OK(CheckEvidence(p, "报告.pdf", "application/pdf", "%PDF-1.4"));
    EXPECT_EQ(NormaliseContentType("Text/Plain; charset=UTF-8"), "text/plain");
}

// ---- JSON ----

TEST(TaskJson, ShowsWeightAsAShareAndTheNextActions) {
    Task t = ValidTask();
    t.id = 4;
    t.weight_bp = 2500;
    t.status = TaskStatus::kSubmitted;
    auto j = ToJson(t);
    EXPECT_EQ(j["weight"], 0.25);
    EXPECT_EQ(j["status"], "submitted");
    EXPECT_EQ(j["next_actions"], (nlohmann::json{"accept", "return"}));
    EXPECT_EQ(j["review_dates"], nlohmann::json::array());
    EXPECT_EQ(j["withdrawal_requested"], false);
}

}  // namespace
}  // namespace rectify::domain
