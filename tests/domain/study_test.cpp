// Study session and research visit rules (issue 12, docs/STUDY.md): hours, counts against the attendance
// list, required fields, and the JSON forms. The expected messages and values are written out by hand.
#include "domain/study.hpp"

#include "test_util.hpp"

namespace rectify::domain {
namespace {

StudySession Session() {
    StudySession s;
    s.org_id = 6;
    s.held_on = "2026-03-01";
    s.topic = "学习党章";
    s.form = StudyForm::kCollectiveStudy;
    s.hours_x100 = 250;
    s.expected = 10;
    s.present = 8;
    return s;
}

ResearchVisit Visit() {
    ResearchVisit v;
    v.org_id = 3;
    v.visitors = {"张书记"};
    v.place = "建北街道某小区";
    v.visited_on = "2026-03-10";
    return v;
}

// The field a check names: the text before ": ".
std::string Field(const Status& s) { return s.message().substr(0, s.message().find(": ")); }

TEST(StudyHours, DecimalHoursBecomeHundredthsWithinOneDay) {
    EXPECT_EQ(HoursToHundredths(2.5).value(), 250);
    EXPECT_EQ(HoursToHundredths(0.25).value(), 25);
    EXPECT_EQ(HoursToHundredths(24).value(), 2400);
    EXPECT_EQ(HoursToHundredths(1.1).value(), 110);  // 1.1 is not exact in binary; still two decimals
    for (double bad : {0.0, -1.0, 24.01, 1.234, 0.001}) {
        auto h = HoursToHundredths(bad);
        EXPECT_FALSE(h.ok()) << bad;
        EXPECT_EQ(Field(h.status()), "hours") << bad;
    }
}

TEST(StudySessionValidation, AcceptsASessionWithCountsOnly) { EXPECT_OK(ValidateStudySession(Session())); }

TEST(StudySessionValidation, NamesTheFieldThatIsWrong) {
    auto with = [](auto change) {
        StudySession s = Session();
        change(s);
        return ValidateStudySession(s);
    };
    EXPECT_EQ(Field(with([](StudySession& s) { s.held_on = "2026-02-29"; })), "held_on");  // 2026 is no leap year
    EXPECT_EQ(Field(with([](StudySession& s) { s.topic = "  "; })), "topic");
    EXPECT_EQ(Field(with([](StudySession& s) { s.hours_x100 = 0; })), "hours");
    EXPECT_EQ(Field(with([](StudySession& s) { s.hours_x100 = 2401; })), "hours");
    EXPECT_EQ(Field(with([](StudySession& s) { s.present = 11; })), "present");
    EXPECT_EQ(with([](StudySession& s) { s.present = 11; }).message(), "present: 11 is more than expected 10");
    EXPECT_EQ(Field(with([](StudySession& s) { s.expected = -1; })), "expected");
    EXPECT_EQ(Field(with([](StudySession& s) { s.materials = std::string(1, '\xff'); })), "materials");
    EXPECT_EQ(Field(with([](StudySession& s) { s.org_id = 0; })), "org_id");
}

TEST(StudySessionValidation, CountsComeFromTheAttendanceListAndMustAgreeWithIt) {
    StudySession s = Session();
    s.attendance = {{"张三", true}, {"李四", false}, {"王五", true}};
    DeriveCounts(s);
    EXPECT_EQ(s.expected, 3);
    EXPECT_EQ(s.present, 2);
    EXPECT_OK(ValidateStudySession(s));

    StudySession wrong = s;
    wrong.expected = 4;
    EXPECT_EQ(ValidateStudySession(wrong).message(), "expected: 4 does not agree with the attendance list (3 names)");
    wrong = s;
    wrong.present = 3;
    EXPECT_EQ(ValidateStudySession(wrong).message(),
              "present: 3 does not agree with the attendance list (2 marked present)");
    wrong = s;
    wrong.attendance[2].name = "张三";
    EXPECT_EQ(ValidateStudySession(wrong).message(), "attendance[2].name: \"张三\" is listed twice");
    wrong = s;
    wrong.attendance[1].name = "";
    EXPECT_EQ(Field(ValidateStudySession(wrong)), "attendance[1].name");

    // An empty list leaves the counts as they are.
    StudySession counts = Session();
    DeriveCounts(counts);
    EXPECT_EQ(counts.expected, 10);
    EXPECT_EQ(counts.present, 8);
}

TEST(ResearchVisitValidation, NamesTheFieldThatIsWrong) {
    EXPECT_OK(ValidateResearchVisit(Visit()));
    auto with = [](auto change) {
        ResearchVisit v = Visit();
        change(v);
        return ValidateResearchVisit(v);
    };
    EXPECT_EQ(Field(with([](ResearchVisit& v) { v.visitors.clear(); })), "visitors");
    EXPECT_EQ(Field(with([](ResearchVisit& v) { v.visitors.push_back(" "); })), "visitors[1]");
    EXPECT_EQ(Field(with([](ResearchVisit& v) { v.place = ""; })), "place");  // and no visited_org_id
    EXPECT_OK(with([](ResearchVisit& v) {
        v.place = "";
        v.visited_org_id = 6;
    }));
    EXPECT_EQ(Field(with([](ResearchVisit& v) { v.visited_on = "2026-3-10"; })), "visited_on");
    EXPECT_EQ(Field(with([](ResearchVisit& v) { v.visitors.assign(51, "人"); })), "visitors");
}

TEST(StudyJson, SessionsShowDecimalHoursAndTheParticipationRate) {
    StudySession s = Session();
    s.id = 7;
    const auto j = ToJson(s);
    EXPECT_EQ(j["hours"], 2.5);
    EXPECT_EQ(j["form"], "collective_study");
    EXPECT_DOUBLE_EQ(j["participation"].get<double>(), 0.8);  // 8 of 10
    s.expected = s.present = 0;
    EXPECT_TRUE(ToJson(s)["participation"].is_null());
    EXPECT_EQ(ToJson(Visit())["visited_org_id"], nullptr);
}

}  // namespace
}  // namespace rectify::domain
