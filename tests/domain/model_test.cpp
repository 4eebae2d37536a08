#include "domain/model.hpp"

#include <nlohmann/json.hpp>

#include "domain/json.hpp"
#include "domain/json_text.hpp"

#include "test_util.hpp"

namespace rectify::domain {
namespace {

Org ValidOrg() {
    Org o;
    o.name = "福州市";
    o.level = "city";
    o.division_code = "3501";
    return o;
}

// ProblemJsonText (the bulk import's event JSON) must give the bytes of ToJson(p).dump(), both for a problem
// with every optional empty and one with every field set, text that needs escaping included.
TEST(ProblemJsonText, IsTheTextOfTheJsonTree) {
    Problem empty;
    EXPECT_EQ(ProblemJsonText(empty), ToJson(empty).dump());

    Problem p;
    p.id = 42;
    p.title = "路灯不亮 \"东街\"\\ 第3段\n\t\x01";
    p.description = "居民反映：夜间无照明。<script>&'";
    p.source = ProblemSource::kInspectionTour;
    p.category_id = 7;
    p.severity = Severity::kSerious;
    p.owner_org_id = 9;
    p.status = ProblemStatus::kClosed;
    p.created_at = 1'600'000'000;
    p.due_at = 1'600'086'400;
    p.closed_at = 1'600'050'000;
    p.source_ref = "csv:ab\"cd";
    p.updated_at = 1'600'090'000;
    p.version = 3;
    p.round = 2;
    p.status_reason = "整改完成";
    p.reopen_cause = ReopenCause::kRecurrence;
    p.reopened_at = 1'600'040'000;
    p.merged_into_id = 5;
    p.campaign_id = 11;
    p.special_item_ids = {3, 4};
    const std::string text = ProblemJsonText(p);
    EXPECT_EQ(text, ToJson(p).dump());
    const auto back = nlohmann::json::parse(text);  // and it reads back to the same values
    EXPECT_EQ(back["title"], p.title);
    EXPECT_EQ(back["special_item_ids"], nlohmann::json::array({3, 4}));
    EXPECT_EQ(back["reopen_cause"], "recurrence");
    EXPECT_EQ(back.size(), 21u);
}

TEST(EnumNames, RoundTripEveryValue) {
    for (std::string_view name : AllNames<ProblemStatus>()) {
        auto parsed = ParseEnum<ProblemStatus>(name);
        ASSERT_OK(parsed);
        EXPECT_EQ(ToString(*parsed), name);
    }
    EXPECT_EQ(AllNames<OrgKind>().size(), 8u);
    EXPECT_EQ(ToString(OpinionChannel::kMobileApp), "mobile_app");
}

TEST(EnumNames, UnknownValueListsTheAllowedOnes) {
    auto parsed = ParseEnum<Severity>("urgent");
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(parsed.status().message(), "unknown severity \"urgent\" (allowed: normal, serious, critical)");
}

TEST(ValidateOrg, AcceptsDivisionCodesOfEveryGbT2260AndStatisticsLength) {
    for (const char* code : {"35", "3501", "350102", "350102001", "130102001001"}) {
        Org o = ValidOrg();
        o.division_code = code;
        EXPECT_OK(ValidateOrg(o));
    }
}

TEST(ValidateOrg, RejectsMalformedDivisionCodeBatchAndName) {
    Org o = ValidOrg();
    o.division_code = "35010";  // 5 digits: no such level
    EXPECT_EQ(ValidateOrg(o).code(), StatusCode::kInvalidArgument);
    o.division_code = "35A1";
    EXPECT_EQ(ValidateOrg(o).code(), StatusCode::kInvalidArgument);
    o = ValidOrg();
    o.batch = 3;
    EXPECT_EQ(ValidateOrg(o).message(), "batch: must be 0 (none), 1 or 2");
    o = ValidOrg();
    o.name = "  ";
    EXPECT_EQ(ValidateOrg(o).message(), "name: must not be empty");
    o.name = std::string(kMaxNameChars + 1, 'x');
    EXPECT_EQ(ValidateOrg(o).message(), "name: longer than 200 characters");
    // 200 Chinese characters are 600 bytes but within the limit: limits count characters.
    o.name.clear();
    for (std::size_t i = 0; i < kMaxNameChars; ++i) o.name += "河";
    EXPECT_OK(ValidateOrg(o));
}

TEST(ValidateProblem, ClosedNeedsClosedAtAndTimesAreOrdered) {
    Problem p;
    p.title = "梅峰河黑臭";
    p.owner_org_id = 3;
    p.created_at = 1000;
    EXPECT_OK(ValidateProblem(p));
    p.status = ProblemStatus::kClosed;
    EXPECT_EQ(ValidateProblem(p).message(), "closed_at: required when closed");
    p.closed_at = 999;
    EXPECT_EQ(ValidateProblem(p).message(), "closed_at: before created_at");
    p.closed_at = 2000;
    EXPECT_OK(ValidateProblem(p));
    p.due_at = 10;
    EXPECT_EQ(ValidateProblem(p).message(), "due_at: before created_at");
}

TEST(ValidateOpinion, RejectsInvalidUtf8WithItsByteOffset) {
    Opinion o;
    o.title = "ok";
    o.org_id = 1;
    o.text = std::string("ab\xC3(", 4);
    EXPECT_EQ(ValidateOpinion(o).message(), "text: invalid UTF-8 at byte 2");
}

}  // namespace
}  // namespace rectify::domain
