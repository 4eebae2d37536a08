// The linkage rules (issue 5, docs/LINKAGE.md): the escalation state machine against a grid written out
// by hand, the escalation target and origin rules, the cascade target filter, deadline rule, roll-up and
// the parent's submit guard. Expected values are worked out by hand in the comments.
#include <map>
#include <random>

#include "domain/linkage.hpp"
#include "test_util.hpp"

namespace rectify::domain {
namespace {

Org MakeOrg(OrgId id, std::string path, std::string level, OrgKind kind = OrgKind::kPartyGovAgency, int batch = 0) {
    Org o;
    o.id = id;
    o.path = std::move(path);
    o.level = std::move(level);
    o.kind = kind;
    o.batch = batch;
    return o;
}

// The sample tree of docs/LINKAGE.md: 福建省 35 > 福州市 16 > 鼓楼区 160, 台江区 161, 仓山区 2180.
const Org kFujian = MakeOrg(35, "/1/35/", "province");
const Org kFuzhou = MakeOrg(16, "/1/35/16/", "city");
const Org kGulou = MakeOrg(160, "/1/35/16/160/", "county");
const Org kTaijiang = MakeOrg(161, "/1/35/16/161/", "county", OrgKind::kPartyGovAgency, 2);
const Org kCangshan = MakeOrg(2180, "/1/35/16/2180/", "county", OrgKind::kPublicInstitution, 2);
const Org kStreet = MakeOrg(1601, "/1/35/16/160/1601/", "township");
const Org kXiamen = MakeOrg(17, "/1/35/17/", "city");

TEST(EscalationMachine, AllowsExactlyTheHandWrittenGrid) {
    // From pending every decision is allowed; accepted, declined and withdrawn are final.
    const std::map<std::pair<EscalationStatus, EscalationAction>, EscalationStatus> allowed = {
        {{EscalationStatus::kPending, EscalationAction::kAccept}, EscalationStatus::kAccepted},
        {{EscalationStatus::kPending, EscalationAction::kDecline}, EscalationStatus::kDeclined},
        {{EscalationStatus::kPending, EscalationAction::kWithdraw}, EscalationStatus::kWithdrawn},
    };
    int refused = 0;
    for (const auto& [from, from_name] : EnumNames<EscalationStatus>::kNames) {
        for (const auto& [action, action_name] : EnumNames<EscalationAction>::kNames) {
            auto next = NextEscalationStatus(from, action);
            auto it = allowed.find({from, action});
            if (it == allowed.end()) {
                EXPECT_EQ(next.status().code(), StatusCode::kFailedPrecondition) << from_name << " " << action_name;
                ++refused;
            } else {
                ASSERT_OK(next);
                EXPECT_EQ(*next, it->second) << from_name << " " << action_name;
            }
        }
    }
    EXPECT_EQ(refused, 4 * 3 - 3);
}

TEST(EscalationMachine, TargetDecidesAndTheAskingOrgWithdraws) {
    auto accept = EscalationRules(EscalationStatus::kPending, EscalationAction::kAccept);
    ASSERT_EQ(accept.size(), 1u);
    EXPECT_EQ(accept[0].relation, OrgRelation::kOwn);
    EXPECT_TRUE(accept[0].roles.Has(Role::kReviewer));
    EXPECT_FALSE(accept[0].roles.Has(Role::kClerk));
    auto withdraw = EscalationRules(EscalationStatus::kPending, EscalationAction::kWithdraw);
    ASSERT_EQ(withdraw.size(), 1u);
    EXPECT_EQ(withdraw[0].relation, OrgRelation::kCreator);
    EXPECT_TRUE(withdraw[0].roles.Has(Role::kClerk));
    EXPECT_TRUE(withdraw[0].roles.Has(Role::kReviewer));
}

TEST(EscalationMachine, FinalStatusSaysSo) {
    auto next = NextEscalationStatus(EscalationStatus::kDeclined, EscalationAction::kAccept);
    EXPECT_EQ(next.status().message(),
              "cannot accept an escalation that is declined; allowed next actions: none (declined is final)");
}

TEST(EscalationTarget, MustBeAStrictAncestorOfTheOwner) {
    EXPECT_OK(CheckEscalationTarget(kGulou, 16, kFuzhou));
    EXPECT_OK(CheckEscalationTarget(kGulou, 35, kFujian));  // two levels at once
    EXPECT_OK(CheckEscalationTarget(kStreet, 16, kFuzhou));
    // itself, a child, a sibling, an unrelated city, and an unknown id all fail with one message shape
    for (const auto& [id, org] : std::vector<std::pair<OrgId, std::optional<Org>>>{
             {160, kGulou}, {1601, kStreet}, {161, kTaijiang}, {17, kXiamen}, {99999, std::nullopt}}) {
        Status s = CheckEscalationTarget(kGulou, id, org);
        EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << id;
        EXPECT_EQ(s.message(), "to_org_id: org " + std::to_string(id) +
                                   " is not above org 160, the problem's owner; a problem is escalated to one of "
                                   "its owner's ancestors");
    }
}

TEST(EscalationTarget, PathPrefixOfAnotherNumberIsNotAnAncestor) {
    // "/1/35/1/" is a string prefix of "/1/35/16/..."? No: the trailing slash keeps 1 and 16 apart.
    const Org org1 = MakeOrg(1, "/1/35/1/", "city");
    EXPECT_FALSE(CheckEscalationTarget(kGulou, 1, org1).ok());
}

TEST(EscalationOrigin, KeepsTheFirstOwnerThroughEveryLevel) {
    // 1601 escalated to 160 (accepted, origin 1601); 160 to 16 declined; 160 to 16 again: origin 1601.
    Escalation first;
    first.id = 1;
    first.from_org_id = 1601;
    first.to_org_id = 160;
    first.origin_org_id = 1601;
    first.status = EscalationStatus::kAccepted;
    Escalation declined = first;
    declined.id = 2;
    declined.from_org_id = 160;
    declined.to_org_id = 16;
    declined.status = EscalationStatus::kDeclined;
    std::vector<Escalation> history{declined, first};
    EXPECT_EQ(EscalationOrigin(160, history), 1601);
    EXPECT_EQ(EscalationOrigin(160, {}), 160);  // a first escalation starts at the owner
    std::vector<Escalation> only_declined{declined};
    EXPECT_EQ(EscalationOrigin(160, only_declined), 160);
}

TEST(CascadeTargets, ValidationNamesTheJsonPath) {
    CascadeTargets t;
    t.scope = CascadeScope::kLevel;
    EXPECT_EQ(ValidateCascadeTargets(t).message(), "/targets/level: required when scope is level");
    t.scope = CascadeScope::kOrgs;
    EXPECT_EQ(ValidateCascadeTargets(t).message(), "/targets/org_ids: at least one org when scope is orgs");
    t.org_ids = {160, 161, 2180, 161};
    EXPECT_EQ(ValidateCascadeTargets(t).message(), "/targets/org_ids/3: org 161 is listed twice");
    t.org_ids = {160};
    t.batch = 3;
    EXPECT_EQ(ValidateCascadeTargets(t).message(), "/targets/batch: must be 0, 1 or 2");
    t.batch = 2;
    EXPECT_OK(ValidateCascadeTargets(t));
    t.scope = CascadeScope::kDescendants;
    EXPECT_EQ(ValidateCascadeTargets(t).message(), "/targets/org_ids: only for scope orgs");
    t.org_ids.clear();
    t.level = "county";
    EXPECT_EQ(ValidateCascadeTargets(t).message(), "/targets/level: only for scope level");
}

TEST(CascadeTargets, SelectStrictDescendantsThroughEachFilter) {
    CascadeTargets all;
    EXPECT_TRUE(MatchesCascadeTargets(all, kFuzhou, kGulou));
    EXPECT_TRUE(MatchesCascadeTargets(all, kFuzhou, kStreet));
    EXPECT_FALSE(MatchesCascadeTargets(all, kFuzhou, kFuzhou));   // never the issuing org itself
    EXPECT_FALSE(MatchesCascadeTargets(all, kFuzhou, kXiamen));   // a sibling city
    EXPECT_FALSE(MatchesCascadeTargets(all, kFuzhou, kFujian));   // above

    CascadeTargets counties;
    counties.scope = CascadeScope::kLevel;
    counties.level = "county";
    EXPECT_TRUE(MatchesCascadeTargets(counties, kFuzhou, kGulou));
    EXPECT_FALSE(MatchesCascadeTargets(counties, kFuzhou, kStreet));

    CascadeTargets second_batch_agencies = counties;
    second_batch_agencies.batch = 2;
    second_batch_agencies.kind = OrgKind::kPartyGovAgency;
    EXPECT_FALSE(MatchesCascadeTargets(second_batch_agencies, kFuzhou, kGulou));     // batch 0
    EXPECT_TRUE(MatchesCascadeTargets(second_batch_agencies, kFuzhou, kTaijiang));   // batch 2, agency
    EXPECT_FALSE(MatchesCascadeTargets(second_batch_agencies, kFuzhou, kCangshan));  // batch 2, institution

    CascadeTargets list;
    list.scope = CascadeScope::kOrgs;
    list.org_ids = {161, 17};
    EXPECT_TRUE(MatchesCascadeTargets(list, kFuzhou, kTaijiang));
    EXPECT_FALSE(MatchesCascadeTargets(list, kFuzhou, kXiamen));  // listed but not below 福州市
    EXPECT_FALSE(MatchesCascadeTargets(list, kFuzhou, kGulou));   // below but not listed
}

Task Parent(TaskType type, std::optional<UnixSeconds> due) {
    Task t;
    t.id = 7;
    t.problem_id = 3;
    t.org_id = 16;
    t.round = 2;
    t.title = "整治群众身边腐败和作风问题";
    t.description = "全市统一部署";
    t.responsible_person = "张三";
    t.lead_official = "李四";
    t.type = type;
    t.due_at = due;
    if (type == TaskType::kOngoing) t.review_dates = {1767225600, 1775001600};
    return t;
}

TEST(CascadeDeadline, InheritsOrShortensButNeverExtends) {
    // Parent due 2026-12-31T16:00:00Z (2027-01-01 00:00 +08:00) = 1798732800.
    const Task parent = Parent(TaskType::kTimeBound, 1798732800);
    auto inherited = CascadeDeadline(parent, std::nullopt);
    ASSERT_OK(inherited);
    EXPECT_EQ(*inherited, std::optional<UnixSeconds>(1798732800));
    auto shorter = CascadeDeadline(parent, 1798732800 - 86400);
    ASSERT_OK(shorter);
    EXPECT_EQ(*shorter, std::optional<UnixSeconds>(1798732800 - 86400));
    auto same = CascadeDeadline(parent, 1798732800);
    ASSERT_OK(same);
    auto later = CascadeDeadline(parent, 1798732801);
    EXPECT_EQ(later.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(later.status().message().rfind("due_at: ", 0), 0u) << later.status().message();
    EXPECT_NE(later.status().message().find("later than the parent task 7's deadline"), std::string::npos);
}

TEST(CascadeDeadline, OngoingParentGivesNoDeadline) {
    const Task parent = Parent(TaskType::kOngoing, std::nullopt);
    auto none = CascadeDeadline(parent, std::nullopt);
    ASSERT_OK(none);
    EXPECT_FALSE(none->has_value());
    EXPECT_EQ(CascadeDeadline(parent, 1798732800).status().code(), StatusCode::kInvalidArgument);
}

TEST(CascadeChild, CopiesTheParentAndLinksBack) {
    const Task parent = Parent(TaskType::kOngoing, std::nullopt);
    Task c = CascadeChild(parent, 160, 16, 4, std::nullopt, "王五", std::nullopt, std::string("鼓楼区落实"), 1000);
    EXPECT_EQ(c.problem_id, 3);
    EXPECT_EQ(c.org_id, 160);
    EXPECT_EQ(c.created_by_org_id, 16);
    EXPECT_EQ(c.round, 2);
    EXPECT_EQ(c.title, "整治群众身边腐败和作风问题");
    EXPECT_EQ(c.description, "鼓楼区落实");
    EXPECT_EQ(c.responsible_person, "王五");
    EXPECT_EQ(c.lead_official, std::optional<std::string>("李四"));
    EXPECT_EQ(c.type, TaskType::kOngoing);
    EXPECT_EQ(c.review_dates, (std::vector<UnixSeconds>{1767225600, 1775001600}));
    EXPECT_EQ(c.status, TaskStatus::kPending);
    EXPECT_EQ(c.progress, 0);
    EXPECT_EQ(c.parent_task_id, std::optional<TaskId>(7));
    EXPECT_EQ(c.cascade_id, std::optional<std::int64_t>(4));
    EXPECT_OK(ValidateTask(c));
}

TEST(CascadeRollup, MeanOfChildrenNotWaivedWithAcceptedAtHundred) {
    // docs/LINKAGE.md: accepted (100), 40, 0 and one waived -> (100 + 40 + 0) / 3 = 46.67 -> 47.
    std::vector<ChildState> children{{TaskStatus::kAccepted, 80},
                                     {TaskStatus::kInProgress, 40},
                                     {TaskStatus::kPending, 0},
                                     {TaskStatus::kWithdrawn, 90}};
    CascadeRollup r = RollupChildren(children);
    EXPECT_EQ(r.children, 4);
    EXPECT_EQ(r.accepted, 1);
    EXPECT_EQ(r.waived, 1);
    EXPECT_EQ(r.open, 2);
    EXPECT_EQ(r.progress, std::optional<int>(47));
    // Half rounds up: 50 and 45 -> 47.5 -> 48; 50 and 44 -> 47.
    std::vector<ChildState> half{{TaskStatus::kInProgress, 50}, {TaskStatus::kSubmitted, 45}};
    EXPECT_EQ(RollupChildren(half).progress, std::optional<int>(48));
    std::vector<ChildState> below{{TaskStatus::kInProgress, 50}, {TaskStatus::kSubmitted, 44}};
    EXPECT_EQ(RollupChildren(below).progress, std::optional<int>(47));
    std::vector<ChildState> all_waived{{TaskStatus::kWithdrawn, 0}};
    EXPECT_EQ(RollupChildren(all_waived).progress, std::nullopt);
    EXPECT_EQ(RollupChildren({}).children, 0);
}

TEST(CascadeRollup, AgreesWithABruteForceMeanOnRandomChildren) {
    std::mt19937 rng(20260501);
    for (int round = 0; round < 200; ++round) {
        std::vector<ChildState> children(rng() % 30);
        double sum = 0;
        int counted = 0;
        for (auto& c : children) {
            c.status = static_cast<TaskStatus>(rng() % 6);
            c.progress = static_cast<int>(rng() % 101);
            if (c.status == TaskStatus::kWithdrawn) continue;
            sum += c.status == TaskStatus::kAccepted ? 100 : c.progress;
            ++counted;
        }
        auto r = RollupChildren(children);
        if (counted == 0) {
            EXPECT_EQ(r.progress, std::nullopt);
        } else {
            ASSERT_TRUE(r.progress.has_value());
            const double mean = sum / counted;
            EXPECT_LE(std::abs(*r.progress - mean), 0.5) << mean;
        }
    }
}

TEST(CascadeSubmit, ParentWaitsForEveryChildAcceptedOrWaived) {
    std::vector<ChildState> done{{TaskStatus::kAccepted, 100}, {TaskStatus::kWithdrawn, 0}};
    EXPECT_OK(CheckCanSubmitParent(7, done));
    EXPECT_OK(CheckCanSubmitParent(7, {}));  // no children: the ordinary submit rules alone
    std::vector<ChildState> open{{TaskStatus::kAccepted, 100}, {TaskStatus::kSubmitted, 100},
                                 {TaskStatus::kReturned, 60}, {TaskStatus::kWithdrawn, 0}};
    Status s = CheckCanSubmitParent(7, open);
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(s.message().rfind("task 7 has 2 of 4 child tasks neither accepted nor waived", 0), 0u) << s.message();
}

TEST(CascadeChildDeadline, MayShortenButNotPassTheParent) {
    const Task parent = Parent(TaskType::kTimeBound, 1798732800);
    Task child = CascadeChild(parent, 160, 16, 1, 1798732800, "王五", std::nullopt, std::nullopt, 0);
    EXPECT_OK(CheckChildDeadline(child, parent));
    child.due_at = 1798732800 - 3600;
    EXPECT_OK(CheckChildDeadline(child, parent));
    child.due_at = 1798732800 + 1;
    EXPECT_EQ(CheckChildDeadline(child, parent).code(), StatusCode::kInvalidArgument);
}


TEST(BatchLink, ASecondBatchUnitLinksToAFirstBatchUnitInAnyBranch) {
    // 台江区 (batch 2) to a provincial department of batch 1 that is not its ancestor.
    const Org dept = MakeOrg(3501, "/1/35/3501/", "unit", OrgKind::kPartyGovAgency, 1);
    EXPECT_OK(CheckBatchLinkTarget(kTaijiang, 3501, dept));
    const Org first_batch_ancestor = MakeOrg(16, "/1/35/16/", "city", OrgKind::kPartyGovAgency, 1);
    EXPECT_OK(CheckBatchLinkTarget(kTaijiang, 16, first_batch_ancestor));  // an ancestor of batch 1 is fine too
    // Not a first-batch unit, unknown, or itself: one message.
    for (const auto& [id, org] : std::vector<std::pair<OrgId, std::optional<Org>>>{
             {2180, kCangshan}, {17, kXiamen}, {424242, std::nullopt}}) {
        EXPECT_EQ(CheckBatchLinkTarget(kTaijiang, id, org).message(),
                  "to_org_id: org " + std::to_string(id) + " is not a first-batch unit (batch 1)");
    }
    // Only a second-batch owner links: 鼓楼区 is batch 0.
    EXPECT_EQ(CheckBatchLinkTarget(kGulou, 3501, dept).message(),
              "kind: a batch link starts at a second-batch unit (batch 2); org 160, the problem's owner, is batch 0");
}

TEST(JointOwnership, ACoOwnerIsNeitherTheLeadNorTwice) {
    std::vector<OrgId> co{161, 2180};
    EXPECT_OK(CheckNewCoOwner(9, 160, co, 2181));
    Status lead = CheckNewCoOwner(9, 160, co, 160);
    EXPECT_EQ(lead.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(lead.message(), "org_id: org 160 leads problem 9; a co-owner is another org");
    Status twice = CheckNewCoOwner(9, 160, co, 2180);
    EXPECT_EQ(twice.code(), StatusCode::kAlreadyExists);
    EXPECT_EQ(twice.message(), "org_id: org 2180 is a co-owner of problem 9 already");
}

TEST(JointOwnership, CloseNeedsEveryCoOwnersPartAcceptedInTheCurrentRound) {
    auto task = [](OrgId org, int round, TaskStatus status) {
        Task t;
        t.org_id = org;
        t.round = round;
        t.status = status;
        return t;
    };
    const std::vector<OrgId> co{161, 2180};
    // 台江区 accepted; 仓山区 accepted plus a withdrawn one: complete.
    std::vector<Task> done{task(160, 1, TaskStatus::kAccepted), task(161, 1, TaskStatus::kAccepted),
                           task(2180, 1, TaskStatus::kAccepted), task(2180, 1, TaskStatus::kWithdrawn)};
    EXPECT_OK(CheckJointPartsAccepted(co, done, 1));
    // 仓山区's only part is still submitted.
    std::vector<Task> open{task(161, 1, TaskStatus::kAccepted), task(2180, 1, TaskStatus::kSubmitted)};
    EXPECT_EQ(CheckJointPartsAccepted(co, open, 1).message(),
              "co-owner org 2180 has 1 task(s) not accepted yet: the problem closes only when every part is accepted");
    // 仓山区's part was withdrawn, or belongs to an earlier round: no part at all.
    std::vector<Task> missing{task(161, 2, TaskStatus::kAccepted), task(2180, 1, TaskStatus::kAccepted),
                              task(2180, 2, TaskStatus::kWithdrawn)};
    EXPECT_EQ(CheckJointPartsAccepted(co, missing, 2).message(),
              "co-owner org 2180 has no task in round 2: every co-owner answers its part before the problem closes");
    EXPECT_OK(CheckJointPartsAccepted({}, missing, 2));  // not a joint problem
}

}  // namespace
}  // namespace rectify::domain
