// The domain records of the foundation: Org, Category, Problem, Opinion, Event, and the Actor who acts.
// Terms follow PRODUCT.md's table. No I/O here; stores persist these, services validate with them.
// Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/enum_names.hpp"

namespace rectify::domain {

using OrgId = std::int64_t;
using CategoryId = std::int64_t;
using ProblemId = std::int64_t;
using OpinionId = std::int64_t;
using CampaignId = std::int64_t;     // domain/campaign.hpp
using SpecialItemId = std::int64_t;

// Classification of units for guidance by category (分类指导), PRODUCT.md.
enum class OrgKind {
    kPartyGovAgency,     // 党政机关
    kPublicInstitution,  // 事业单位
    kStateEnterprise,    // 国有企业
    kSchool,             // 学校
    kRural,              // 农村 (村)
    kUrbanCommunity,     // 城市社区
    kNonPublic,          // 非公有制经济组织和社会组织
    kOther,
};
template <>
struct EnumNames<OrgKind> {
    static constexpr std::string_view kWhat = "org kind";
    static constexpr std::array<std::pair<OrgKind, std::string_view>, 8> kNames{{
        {OrgKind::kPartyGovAgency, "party_gov_agency"},
        {OrgKind::kPublicInstitution, "public_institution"},
        {OrgKind::kStateEnterprise, "state_enterprise"},
        {OrgKind::kSchool, "school"},
        {OrgKind::kRural, "rural"},
        {OrgKind::kUrbanCommunity, "urban_community"},
        {OrgKind::kNonPublic, "non_public"},
        {OrgKind::kOther, "other"},
    }};
};

// A node of the hierarchy. `level` names a row of the org_level table (levels are data: the default
// set is central, province, city, county, township, village, unit). `path` is the chain of ids from
// the root, "/1/5/23/", kept by the store; a subtree is every org whose path starts with its root's.
struct Org {
    OrgId id = 0;
    std::optional<OrgId> parent_id;  // nullopt only for the root
    std::string name;
    std::string level;
    OrgKind kind = OrgKind::kPartyGovAgency;
    int batch = 0;                             // campaign batch: 0 none, 1 first, 2 second
    std::optional<std::string> division_code;  // GB/T 2260 (2/4/6 digits) or statistics code (9/12), unique
    std::string path;
    UnixSeconds created_at = 0;
    std::int64_t version = 1;
};

// An org level: `key` as stored in Org::level, names in Chinese and English, rank 0 = top.
struct OrgLevel {
    std::string key;
    std::string name_zh;
    std::string name_en;
    int rank = 0;
};

// A node of the category catalogue (default: the 3-level 问政 taxonomy). depth 1..3; `path` joins
// the names from the top with '/', e.g. "环境保护/环境污染/水污染", and is unique.
struct Category {
    CategoryId id = 0;
    std::optional<CategoryId> parent_id;
    std::string name;
    int depth = 1;
    std::string path;
};

// Where a problem was found (PRODUCT.md: 问题来源).
enum class ProblemSource {
    kPublicOpinion,        // 群众意见
    kSelfInspection,       // 自查自纠
    kSupervisionFeedback,  // 督导反馈
    kSuperiorAssignment,   // 上级交办
    kInspectionTour,       // 巡视巡察
    kAudit,                // 审计
    kMeeting,              // 民主生活会 / 组织生活会
    kOther,
};
template <>
struct EnumNames<ProblemSource> {
    static constexpr std::string_view kWhat = "problem source";
    static constexpr std::array<std::pair<ProblemSource, std::string_view>, 8> kNames{{
        {ProblemSource::kPublicOpinion, "public_opinion"},
        {ProblemSource::kSelfInspection, "self_inspection"},
        {ProblemSource::kSupervisionFeedback, "supervision_feedback"},
        {ProblemSource::kSuperiorAssignment, "superior_assignment"},
        {ProblemSource::kInspectionTour, "inspection_tour"},
        {ProblemSource::kAudit, "audit"},
        {ProblemSource::kMeeting, "meeting"},
        {ProblemSource::kOther, "other"},
    }};
};

// Problem lifecycle states (issue 3 enforces the transitions; the foundation creates `registered`
// problems and imports historical ones as `closed`).
enum class ProblemStatus {
    kRegistered,
    kPlanned,
    kInProgress,
    kPendingVerification,
    kClosed,  // 销号
    kInvalid,  // 不属实
    kMerged,
};
template <>
struct EnumNames<ProblemStatus> {
    static constexpr std::string_view kWhat = "problem status";
    static constexpr std::array<std::pair<ProblemStatus, std::string_view>, 7> kNames{{
        {ProblemStatus::kRegistered, "registered"},
        {ProblemStatus::kPlanned, "planned"},
        {ProblemStatus::kInProgress, "in_progress"},
        {ProblemStatus::kPendingVerification, "pending_verification"},
        {ProblemStatus::kClosed, "closed"},
        {ProblemStatus::kInvalid, "invalid"},
        {ProblemStatus::kMerged, "merged"},
    }};
};

// Severity of a problem (一般 / 较重 / 严重).
enum class Severity { kNormal, kSerious, kCritical };
template <>
struct EnumNames<Severity> {
    static constexpr std::string_view kWhat = "severity";
    static constexpr std::array<std::pair<Severity, std::string_view>, 3> kNames{{
        {Severity::kNormal, "normal"},
        {Severity::kSerious, "serious"},
        {Severity::kCritical, "critical"},
    }};
};

// Why a closed problem was reopened (issue 3): a 不满意 rating of an opinion it answers, recurrence
// (反弹回潮), or a supervisor's decision.
enum class ReopenCause { kDissatisfiedRating, kRecurrence, kSupervisorDecision };
template <>
struct EnumNames<ReopenCause> {
    static constexpr std::string_view kWhat = "reopen cause";
    static constexpr std::array<std::pair<ReopenCause, std::string_view>, 3> kNames{{
        {ReopenCause::kDissatisfiedRating, "dissatisfied_rating"},
        {ReopenCause::kRecurrence, "recurrence"},
        {ReopenCause::kSupervisorDecision, "supervisor_decision"},
    }};
};

struct Problem {
    ProblemId id = 0;
    std::string title;
    std::string description;
    ProblemSource source = ProblemSource::kOther;
    std::optional<CategoryId> category_id;
    Severity severity = Severity::kNormal;
    OrgId owner_org_id = 0;
    ProblemStatus status = ProblemStatus::kRegistered;
    UnixSeconds created_at = 0;
    std::optional<UnixSeconds> due_at;
    std::optional<UnixSeconds> closed_at;
    std::optional<std::string> source_ref;  // natural key of an imported row, e.g. "fz12345:<sha256>"
    UnixSeconds updated_at = 0;
    std::int64_t version = 1;
    // ---- workflow (issue 3) ----
    int round = 1;                               // 1, then +1 at every reopen; tasks belong to one round
    std::optional<std::string> status_reason;    // why it became invalid, merged or was last reopened
    std::optional<ReopenCause> reopen_cause;     // of the last reopen
    std::optional<UnixSeconds> reopened_at;      // start of the current round when round > 1
    std::optional<ProblemId> merged_into_id;     // status merged: the problem it was merged into
    // ---- campaigns (issue 5, domain/campaign.hpp) ----
    std::optional<CampaignId> campaign_id;        // the campaign it is tagged with, if any
    std::vector<SpecialItemId> special_item_ids;  // items of that campaign (专项整治), ascending; empty without one
};

// How an opinion reached rectify.
enum class OpinionChannel {
    kWeb, kPhone, kMobileApp, kWechat, kQq, kSms, kWeibo, kEmail, kMessageBoard,
    kLetter, kVisit, kMeeting, kSurvey, kResearchVisit, kOther,
};
template <>
struct EnumNames<OpinionChannel> {
    static constexpr std::string_view kWhat = "opinion channel";
    static constexpr std::array<std::pair<OpinionChannel, std::string_view>, 15> kNames{{
        {OpinionChannel::kWeb, "web"},
        {OpinionChannel::kPhone, "phone"},
        {OpinionChannel::kMobileApp, "mobile_app"},
        {OpinionChannel::kWechat, "wechat"},
        {OpinionChannel::kQq, "qq"},
        {OpinionChannel::kSms, "sms"},
        {OpinionChannel::kWeibo, "weibo"},
        {OpinionChannel::kEmail, "email"},
        {OpinionChannel::kMessageBoard, "message_board"},
        {OpinionChannel::kLetter, "letter"},
        {OpinionChannel::kVisit, "visit"},
        {OpinionChannel::kMeeting, "meeting"},
        {OpinionChannel::kSurvey, "survey"},
        {OpinionChannel::kResearchVisit, "research_visit"},
        {OpinionChannel::kOther, "other"},
    }};
};

// What the submitter asks for (性质): 投诉 / 咨询 / 建议 / 举报 / 求助.
enum class OpinionKind { kComplaint, kInquiry, kSuggestion, kReport, kRequestForHelp, kOther };
template <>
struct EnumNames<OpinionKind> {
    static constexpr std::string_view kWhat = "opinion kind";
    static constexpr std::array<std::pair<OpinionKind, std::string_view>, 6> kNames{{
        {OpinionKind::kComplaint, "complaint"},
        {OpinionKind::kInquiry, "inquiry"},
        {OpinionKind::kSuggestion, "suggestion"},
        {OpinionKind::kReport, "report"},
        {OpinionKind::kRequestForHelp, "request_for_help"},
        {OpinionKind::kOther, "other"},
    }};
};

enum class OpinionStatus { kReceived, kAccepted, kDeclined, kDuplicate };
template <>
struct EnumNames<OpinionStatus> {
    static constexpr std::string_view kWhat = "opinion status";
    static constexpr std::array<std::pair<OpinionStatus, std::string_view>, 4> kNames{{
        {OpinionStatus::kReceived, "received"},
        {OpinionStatus::kAccepted, "accepted"},
        {OpinionStatus::kDeclined, "declined"},
        {OpinionStatus::kDuplicate, "duplicate"},
    }};
};

// A satisfaction rating (满意度测评) of the answer to an opinion; "not rated" is the absence of one.
enum class Satisfaction { kSatisfied, kBasicallySatisfied, kDissatisfied };
template <>
struct EnumNames<Satisfaction> {
    static constexpr std::string_view kWhat = "satisfaction";
    static constexpr std::array<std::pair<Satisfaction, std::string_view>, 3> kNames{{
        {Satisfaction::kSatisfied, "satisfied"},                     // 满意
        {Satisfaction::kBasicallySatisfied, "basically_satisfied"},  // 基本满意
        {Satisfaction::kDissatisfied, "dissatisfied"},               // 不满意
    }};
};

// The handling-time class of an opinion (办理时限), set when it is registered (default general);
// the limit of each class is in domain/opinion_sla.hpp.
enum class SlaClass {
    kEmergency,  // 紧急: may cause loss of life or property
    kUtility,    // 及时性: water, power, gas, heating and similar time-critical matters
    kGeneral,    // 一般
    kComplex,    // 复杂疑难
};
template <>
struct EnumNames<SlaClass> {
    static constexpr std::string_view kWhat = "sla class";
    static constexpr std::array<std::pair<SlaClass, std::string_view>, 4> kNames{{
        {SlaClass::kEmergency, "emergency"},
        {SlaClass::kUtility, "utility"},
        {SlaClass::kGeneral, "general"},
        {SlaClass::kComplex, "complex"},
    }};
};

struct Opinion {
    OpinionId id = 0;
    OpinionChannel channel = OpinionChannel::kOther;
    OpinionKind kind = OpinionKind::kOther;
    OpinionStatus status = OpinionStatus::kReceived;
    UnixSeconds received_at = 0;
    std::string title;
    std::string text;
    std::optional<std::string> division_code;  // where, when given as a division
    OrgId org_id = 0;                          // the org it is routed to
    std::optional<std::string> submitter;      // a pseudonym, never contact details
    std::optional<CategoryId> category_id;
    std::optional<std::string> reply_text;
    std::optional<UnixSeconds> replied_at;
    std::optional<OrgId> reply_org_id;
    std::optional<ProblemId> problem_id;
    int transfer_count = 0;  // how often it was passed between units (转处理次数)
    std::optional<std::string> source_ref;
    std::int64_t version = 1;
    // ---- workflow (issue 3) ----
    std::optional<std::string> status_reason;          // why it was declined or marked duplicate
    std::optional<OpinionId> duplicate_of_opinion_id;  // status duplicate: of this opinion ...
    std::optional<ProblemId> duplicate_of_problem_id;  // ... or of this problem
    std::optional<Satisfaction> satisfaction;          // the last rating of the last reply
    std::optional<UnixSeconds> rated_at;
    std::optional<std::string> rating_comment;
    // ---- handling-time limits (issue 8, domain/opinion_sla.hpp) ----
    SlaClass sla_class = SlaClass::kGeneral;
    UnixSeconds reply_due_at = 0;              // when it must have been answered (fixed at registration)
    std::optional<UnixSeconds> responded_at;  // first response: accept, link, decline, duplicate or reply
    // ---- public participation (issue 9) ----
    std::int64_t likes = 0;  // 点赞数 where it was first posted (the 问政 board); 0 when the source counts none
};

// What a user may do, each over an org subtree (issue 4 assigns them to accounts):
// admin everything; org_admin manages users of its subtree; clerk (填报) registers and reports;
// reviewer (审核) submits for close-out; verifier (the level above) accepts or returns; supervisor
// (督导) urges and supervises; leader reads dashboards; auditor reads everything including the log.
enum class Role { kAdmin, kOrgAdmin, kClerk, kReviewer, kVerifier, kSupervisor, kLeader, kAuditor };
template <>
struct EnumNames<Role> {
    static constexpr std::string_view kWhat = "role";
    static constexpr std::array<std::pair<Role, std::string_view>, 8> kNames{{
        {Role::kAdmin, "admin"},
        {Role::kOrgAdmin, "org_admin"},
        {Role::kClerk, "clerk"},
        {Role::kReviewer, "reviewer"},
        {Role::kVerifier, "verifier"},
        {Role::kSupervisor, "supervisor"},
        {Role::kLeader, "leader"},
        {Role::kAuditor, "auditor"},
    }};
};

// One role held over the subtree rooted at org_id.
struct Grant {
    Role role = Role::kLeader;
    OrgId org_id = 0;
};

// How an actor proved who it is: the process itself (CLI, server start-up), a browser session
// (cookie), or an API token (Authorization: Bearer).
enum class AuthMethod { kInternal, kSession, kToken };

// Who acts, and the org subtrees they may see and change. Every service call takes one.
// `scope` holds the roots of the subtrees the actor may see (for a user: the orgs of all grants);
// `grants` say what the actor may do where (Service::HasRole). An empty scope sees nothing. Scope
// checks answer kNotFound (never reveal what exists outside).
struct Actor {
    std::string name;              // recorded in events, e.g. "cli", "alice" or "alice[token:3]"
    std::vector<OrgId> scope;      // roots of the subtrees in scope
    std::vector<Grant> grants;     // roles over subtrees
    std::optional<std::int64_t> user_id;  // the account acting, when one is
    AuthMethod auth = AuthMethod::kInternal;
    std::optional<std::int64_t> token_id;    // kToken: the API token used
    std::optional<std::int64_t> session_id;  // kSession: the session used
};

// Field limits (in code points) shared by validation in services and HTTP decoders.
inline constexpr std::size_t kMaxNameChars = 200;
inline constexpr std::size_t kMaxTitleChars = 500;
inline constexpr std::size_t kMaxTextChars = 20000;

// Checks one text field: valid UTF-8, not blank (ASCII whitespace only) when `required`, at most `max_chars`
// code points. Errors: kInvalidArgument "<field>: invalid UTF-8 at byte N" / "<field>: must not be empty" /
// "<field>: longer than N characters".
Status CheckTextField(std::string_view field, const std::string& value, std::size_t max_chars, bool required);

// Checks a record before it is stored: required fields, lengths (code points), batch 0-2,
// division code of 2, 4, 6, 9 or 12 digits. Errors: kInvalidArgument naming the field.
Status ValidateOrg(const Org& org);
Status ValidateProblem(const Problem& problem);
Status ValidateOpinion(const Opinion& opinion);

}  // namespace rectify::domain
