// Tests of the importers (src/service/import.cpp) on the real data in data/ (docs/DATA.md), each on a
// fresh SQLite database. Slices of the real files are cut by the tests themselves (the rule is next to
// each one). Every expected number was computed independently from the CSV files with the awk or
// python command written next to it (run from the repository's data/ directory); none was copied
// from the program's output.
#include <algorithm>
#include <fstream>
#include <functional>
#include <map>

#include "common/csv.hpp"
#include "common/text.hpp"
#include "service/service.hpp"
#include "test_util.hpp"

namespace rectify::service {
namespace {

using domain::Opinion;
using domain::Org;
using domain::Problem;

std::string DataFile(const std::string& rel) { return (testing::SourceDir() / "data" / rel).string(); }

// Writes the header and the data rows of `src` for which keep(0-based row index) holds, after
// edit(1-based row number in the slice, row) — through the tested CSV reader and CsvLine.
void WriteSlice(const std::string& src, const std::string& dst, const std::function<bool(std::size_t)>& keep,
                const std::function<void(std::size_t, const CsvTable&, std::vector<std::string>&)>& edit = {}) {
    auto table = ReadCsvFile(src);
    ASSERT_OK(table);
    std::ofstream out(dst, std::ios::binary);
    out << CsvLine(table->header);
    std::size_t n = 0;
    for (std::size_t i = 0; i < table->rows.size(); ++i) {
        if (!keep(i)) continue;
        auto row = table->rows[i];
        ++n;
        if (edit) edit(n, *table, row);
        out << CsvLine(row);
    }
}

void WriteText(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

class ImportTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_OK(SetDisplayZone("Asia/Shanghai"));
        auto store = store::Store::OpenSqlite(tmp_.File("r.db"), store::OpenMode::kCreateIfMissing);
        ASSERT_OK(store);
        auto svc = Service::Create(std::move(store).value());
        ASSERT_OK(svc);
        svc_ = std::move(svc).value();
        InitOptions init;
        init.categories_csv = DataFile("categories/wenzheng_taxonomy.csv");
        ASSERT_OK(svc_->Init(svc_->RootActor("test"), init));
        root_ = svc_->RootActor("test");
        ASSERT_EQ(root_.scope.size(), 1u);
    }

    // 福建省 / 福州市 with its counties of data/divisions, plus the three districts of the holdout.
    void LoadFuzhou() {
        DivisionImportOptions d;
        d.dir = DataFile("divisions");
        d.cities = {"3501"};
        d.depth = "county";
        auto r = svc_->ImportDivisions(root_, d);
        ASSERT_OK(r);
        ASSERT_TRUE(r->rejected.empty());
        auto o = svc_->ImportOrgs(root_, DataFile("orgs/fuzhou_holdout_districts.csv"));
        ASSERT_OK(o);
        ASSERT_TRUE(o->rejected.empty());
        auto fz = svc_->FindOrgByDivisionCode(root_, "3501");
        ASSERT_OK(fz);
        fuzhou_ = *fz;
    }

    void LoadWenzhengCity() {
        auto r = svc_->ImportOrgs(root_, DataFile("orgs/wenzheng_city.csv"));
        ASSERT_OK(r);
        ASSERT_TRUE(r->rejected.empty());
        a_city_ = Child(Child(root_.scope[0], "西地省").id, "A市");
    }

    Org Child(domain::OrgId parent, const std::string& name) {
        auto children = svc_->ListChildren(root_, parent);
        EXPECT_OK(children);
        if (children.ok()) {
            for (const auto& c : *children) {
                if (c.name == name) return c;
            }
        }
        ADD_FAILURE() << "no child " << name << " under org " << parent;
        return Org{};
    }

    std::vector<Problem> ProblemsIn(const Org& org) {
        store::ProblemFilter f;
        f.subtree_paths = {org.path};
        f.limit = 100000;
        auto p = svc_->store().ListProblems(f);
        EXPECT_OK(p);
        return p.ok() ? *p : std::vector<Problem>{};
    }
    std::vector<Opinion> OpinionsIn(const Org& org) {
        store::OpinionFilter f;
        f.subtree_paths = {org.path};
        f.limit = 100000;
        auto o = svc_->store().ListOpinions(f);
        EXPECT_OK(o);
        return o.ok() ? *o : std::vector<Opinion>{};
    }
    std::int64_t Events() { return svc_->store().CountEvents().value(); }
    std::size_t Batches() { return svc_->store().ListImportBatches().value().size(); }
    std::size_t Orgs() { return svc_->store().ListOrgs().value().size(); }

    static double Median(std::vector<std::int64_t> v) {
        std::sort(v.begin(), v.end());
        std::size_t n = v.size();
        return n % 2 ? static_cast<double>(v[n / 2]) : (v[n / 2 - 1] + v[n / 2]) / 2.0;
    }

    Result<ImportReport> ImportFz(const std::string& file, int due_days = 15) {
        OpinionImportOptions o;
        o.file = file;
        o.format = "fz12345";
        o.org_id = fuzhou_.id;
        o.due_days = due_days;
        return svc_->ImportOpinions(root_, o);
    }
    Result<ImportReport> ImportWenzheng(const std::string& file) {
        OpinionImportOptions o;
        o.file = file;
        o.format = "wenzheng";
        o.org_id = a_city_.id;
        return svc_->ImportOpinions(root_, o);
    }

    testing::TempDir tmp_;
    std::unique_ptr<Service> svc_;
    Actor root_;
    Org fuzhou_, a_city_;
};

// ---- divisions ----

TEST_F(ImportTest, DivisionsOfTianjinHebeiAndFuzhouGiveTheOrgCountsOfTheCsvFiles) {
    DivisionImportOptions d;
    d.dir = DataFile("divisions");
    d.provinces = {"12", "13"};
    d.cities = {"3501"};
    std::int64_t events_before = Events();
    auto r = svc_->ImportDivisions(root_, d);
    ASSERT_OK(r);
    EXPECT_TRUE(r->rejected.empty());
    // provinces 12, 13, 35: 3
    // cities:    awk -F, 'NR>1 && ($3=="12"||$3=="13"||$1=="3501") && $2!="市辖区" && $2!="县"' divisions/cities.csv |
    // wc -l  -> 12 counties:  awk -F, 'NR>1 && ($4=="12"||$4=="13"||$3=="3501")' divisions/areas.csv | wc -l -> 152
    // townships: awk -F, 'NR>1 && ($4=="12"||$4=="13"||$5=="3501")' divisions/streets.csv | wc -l -> 2011
    const std::int64_t total = 3 + 12 + 152 + 2011;
    EXPECT_EQ(r->rows_read, total);
    EXPECT_EQ(r->rows_stored, total);
    EXPECT_EQ(r->rows_existing, 0);
    EXPECT_EQ(svc_->Tree()->size(), static_cast<std::size_t>(total + 1));  // and the root
    EXPECT_EQ(Events() - events_before, total);

    std::map<std::string, int> by_level;
    const auto orgs = svc_->store().ListOrgs().value();
    for (const auto& o : orgs) ++by_level[o.level];
    EXPECT_EQ(by_level["province"], 3);
    EXPECT_EQ(by_level["city"], 12);
    EXPECT_EQ(by_level["county"], 152);
    EXPECT_EQ(by_level["township"], 2011);

    // 天津's pseudo-city 1201 市辖区 is skipped: its counties hang under the province.
    // awk -F, 'NR>1 && $4=="12"' divisions/areas.csv | wc -l -> 10
    Org tianjin = svc_->FindOrgByDivisionCode(root_, "12").value();
    EXPECT_EQ(tianjin.name, "天津市");
    EXPECT_EQ(tianjin.level, "province");
    EXPECT_EQ(tianjin.parent_id, std::optional<domain::OrgId>(root_.scope[0]));
    EXPECT_EQ(svc_->Tree()->Children(tianjin.id).size(), 10u);
    EXPECT_FALSE(svc_->FindOrgByDivisionCode(root_, "1201").ok());
    Org heping = svc_->FindOrgByDivisionCode(root_, "120101").value();
    EXPECT_EQ(heping.name, "和平区");
    EXPECT_EQ(heping.parent_id, std::optional<domain::OrgId>(tianjin.id));
    // awk -F, 'NR>1 && $3=="120101"' divisions/streets.csv | wc -l -> 6
    EXPECT_EQ(svc_->Tree()->Children(heping.id).size(), 6u);
    // awk -F, 'NR>1 && $4=="12"' divisions/streets.csv | wc -l -> 186; plus 10 counties and the province
    EXPECT_EQ(svc_->Tree()->SubtreeSize(tianjin.id), 1 + 10 + 186);

    // 河北: 11 cities; 石家庄 1301: awk -F, 'NR>1 && $3=="1301"' divisions/areas.csv | wc -l -> 18
    Org hebei = svc_->FindOrgByDivisionCode(root_, "13").value();
    EXPECT_EQ(svc_->Tree()->Children(hebei.id).size(), 11u);
    Org sjz = svc_->FindOrgByDivisionCode(root_, "1301").value();
    EXPECT_EQ(sjz.name, "石家庄市");
    EXPECT_EQ(sjz.level, "city");
    EXPECT_EQ(svc_->Tree()->Children(sjz.id).size(), 18u);

    // 福建 holds only 福州市 (options.cities); 福州: awk -F, 'NR>1 && $3=="3501"' divisions/areas.csv | wc -l -> 9,
    // townships: awk -F, 'NR>1 && $5=="3501"' divisions/streets.csv | wc -l -> 133
    Org fujian = svc_->FindOrgByDivisionCode(root_, "35").value();
    ASSERT_EQ(svc_->Tree()->Children(fujian.id).size(), 1u);
    Org fuzhou = svc_->FindOrgByDivisionCode(root_, "3501").value();
    EXPECT_EQ(svc_->Tree()->Children(fujian.id)[0], fuzhou.id);
    EXPECT_EQ(svc_->Tree()->Children(fuzhou.id).size(), 9u);
    EXPECT_EQ(svc_->Tree()->SubtreeSize(fuzhou.id), 1 + 9 + 133);
    Org gulou = svc_->FindOrgByDivisionCode(root_, "350102").value();
    EXPECT_EQ(gulou.name, "鼓楼区");
    EXPECT_EQ(gulou.level, "county");
    EXPECT_EQ(gulou.kind, domain::OrgKind::kPartyGovAgency);

    // Every stored org has one import event with its JSON.
    auto events = svc_->store().ListEvents("org", gulou.id).value();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].action, "import");
    EXPECT_EQ(events[0].actor, "test");
    EXPECT_NE(events[0].after_json.value_or("").find("350102"), std::string::npos);

    // Re-import: the division codes are the natural key.
    auto again = svc_->ImportDivisions(root_, d);
    ASSERT_OK(again);
    EXPECT_EQ(again->rows_stored, 0);
    EXPECT_EQ(again->rows_existing, total);
    EXPECT_EQ(Orgs(), static_cast<std::size_t>(total + 1));
    EXPECT_EQ(Events() - events_before, total);
    auto batches = svc_->store().ListImportBatches().value();
    ASSERT_EQ(batches.size(), 2u);
    EXPECT_EQ(batches[0].kind, "divisions");
    EXPECT_EQ(batches[0].file_sha256, batches[1].file_sha256);
    EXPECT_EQ(batches[0].file_sha256.size(), 64u);
}

TEST_F(ImportTest, DivisionsToCityDepthStopAboveTheCounties) {
    DivisionImportOptions d;
    d.dir = DataFile("divisions");
    d.provinces = {"12", "13"};
    d.depth = "city";
    auto r = svc_->ImportDivisions(root_, d);
    ASSERT_OK(r);
    // 2 provinces + the 11 cities of 河北 (天津 has only its pseudo-city)
    EXPECT_EQ(r->rows_stored, 2 + 11);
    Org tianjin = svc_->FindOrgByDivisionCode(root_, "12").value();
    EXPECT_TRUE(svc_->Tree()->Children(tianjin.id).empty());
}

TEST_F(ImportTest, DivisionsRejectUnknownCodesAndDepthsInTheOptions) {
    DivisionImportOptions d;
    d.dir = DataFile("divisions");
    d.provinces = {"99"};
    EXPECT_EQ(svc_->ImportDivisions(root_, d).status().code(), StatusCode::kInvalidArgument);
    d.provinces = {};
    d.cities = {"3599"};
    EXPECT_EQ(svc_->ImportDivisions(root_, d).status().code(), StatusCode::kInvalidArgument);
    d.cities = {"3501"};
    d.depth = "village";
    EXPECT_EQ(svc_->ImportDivisions(root_, d).status().code(), StatusCode::kInvalidArgument);
    d.depth = "township";
    d.dir = tmp_.File("no-such-dir");
    EXPECT_EQ(svc_->ImportDivisions(root_, d).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(Orgs(), 1u);
    EXPECT_EQ(Batches(), 0u);
}

// ---- orgs ----

TEST_F(ImportTest, OrgsOfTheWenzhengCityAreStoredOnceWithTheirParents) {
    std::int64_t events_before = Events();
    auto r = svc_->ImportOrgs(root_, DataFile("orgs/wenzheng_city.csv"));
    ASSERT_OK(r);
    EXPECT_TRUE(r->rejected.empty());
    // 西地省, A市 and grep -o 'A[0-9]\+[区县市]' wenzheng/messages_with_replies.csv | sort -u | wc -l -> 9
    EXPECT_EQ(r->rows_read, 11);
    EXPECT_EQ(r->rows_stored, 11);
    EXPECT_EQ(Events() - events_before, 11);
    Org province = Child(root_.scope[0], "西地省");
    EXPECT_EQ(province.level, "province");
    EXPECT_EQ(province.division_code, std::nullopt);
    Org city = Child(province.id, "A市");
    EXPECT_EQ(city.level, "city");
    auto children = svc_->ListChildren(root_, city.id).value();
    std::vector<std::string> names;
    for (const auto& c : children) {
        names.push_back(c.name);
        EXPECT_EQ(c.level, "county");
        EXPECT_EQ(c.batch, 0);
    }
    EXPECT_EQ(names,
              (std::vector<std::string>{"A1区", "A2区", "A3区", "A4区", "A5区", "A6区", "A7县", "A8县", "A9市"}));
    EXPECT_TRUE(svc_->Tree()->Contains(children.back().id));  // the tree was reloaded

    auto again = svc_->ImportOrgs(root_, DataFile("orgs/wenzheng_city.csv"));
    ASSERT_OK(again);
    EXPECT_EQ(again->rows_stored, 0);
    EXPECT_EQ(again->rows_existing, 11);
    EXPECT_EQ(Orgs(), 12u);
}

TEST_F(ImportTest, OrgsWithAnUnknownParentAreRejectedAndNothingIsStored) {
    WriteText(tmp_.File("orgs.csv"),
              "path,level,kind,batch,division_code\n"
              "西地省,province,,1,\n"          // 1 ok
              "西地省/B市/B1区,county,,,\n"    // 2 B市 does not exist
              "西地省/C市,city,school,2,\n"    // 3 ok
              "西地省/C市/C1区,county,,,\n"    // 4 ok: its parent is on row 3
              "西地省/D市/D1区,county,,,\n"    // 5 D市 comes later, on row 6
              "西地省/D市,city,,,\n"           // 6 ok
              "西地省/E市,citadel,,,\n"        // 7 unknown level
              "西地省/F市,city,,3,\n"          // 8 batch out of range
              "西地省/G市,city,,,12345\n"      // 9 not a division code
              "西地省//H区,county,,,\n"        // 10 empty name in the path
              "西地省/I市,city,factory,,\n");  // 11 unknown kind
    auto r = svc_->ImportOrgs(root_, tmp_.File("orgs.csv"));
    ASSERT_OK(r);
    std::vector<std::pair<std::int64_t, std::string>> got;
    for (const auto& e : r->rejected) got.emplace_back(e.row, e.column);
    EXPECT_EQ(
        got,
        (std::vector<std::pair<std::int64_t, std::string>>{
            {2, "path"}, {5, "path"}, {7, "level"}, {8, "batch"}, {9, "division_code"}, {10, "path"}, {11, "kind"}}));
    EXPECT_EQ(r->rows_stored, 0);
    EXPECT_EQ(Orgs(), 1u);
    EXPECT_EQ(Batches(), 0u);
}

TEST_F(ImportTest, OrgsNeedTheRootInScope) {
    LoadWenzhengCity();
    Actor clerk{"clerk", {a_city_.id}};
    EXPECT_EQ(svc_->ImportOrgs(clerk, DataFile("orgs/wenzheng_city.csv")).status().code(), StatusCode::kNotFound);
    DivisionImportOptions d;
    d.dir = DataFile("divisions");
    d.provinces = {"12"};
    EXPECT_EQ(svc_->ImportDivisions(clerk, d).status().code(), StatusCode::kNotFound);
}

// ---- opinions: 问政 messages ----

TEST_F(ImportTest, WenzhengMessagesAreRoutedToTheDistrictTheyNameFirst) {
    LoadWenzhengCity();
    auto r = ImportWenzheng(DataFile("wenzheng/messages_with_replies.csv"));
    ASSERT_OK(r);
    EXPECT_TRUE(r->rejected.empty());
    // python3 -c "import csv;print(len(list(csv.reader(open('wenzheng/messages_with_replies.csv'))))-1)" -> 1973
    EXPECT_EQ(r->rows_read, 1973);
    EXPECT_EQ(r->rows_stored, 1973);
    // The first A<digits>(区|县|市) in 留言主题, else in 留言详情, else A市 itself:
    // python3 -c "import csv,re,collections as C
    // def f(r):
    //   for s in (r['留言主题'],r['留言详情']):
    //     m=re.search(r'A[0-9]+[区县市]',s)
    //     if m: return m.group(0)
    //   return 'A市'
    // print(sorted(C.Counter(map(f,csv.DictReader(open('wenzheng/messages_with_replies.csv')))).items()))"
    // -> A1区 29, A2区 21, A3区 54, A4区 31, A5区 48, A6区 46, A7县 282, A8县 63, A9市 16, A市 1383
    const std::map<std::string, std::size_t> expected = {{"A1区", 29},  {"A2区", 21}, {"A3区", 54},
                                                         {"A4区", 31},  {"A5区", 48}, {"A6区", 46},
                                                         {"A7县", 282}, {"A8县", 63}, {"A9市", 16}};
    std::size_t in_children = 0;
    for (const auto& [name, count] : expected) {
        EXPECT_EQ(OpinionsIn(Child(a_city_.id, name)).size(), count) << name;
        in_children += count;
    }
    EXPECT_EQ(OpinionsIn(a_city_).size() - in_children, 1383u);

    auto again = ImportWenzheng(DataFile("wenzheng/messages_with_replies.csv"));
    ASSERT_OK(again);
    EXPECT_EQ(again->rows_stored, 0);
    EXPECT_EQ(again->rows_existing, 1973);
    EXPECT_EQ(OpinionsIn(a_city_).size(), 1973u);
}

TEST_F(ImportTest, WenzhengFirstFortyRowsKeepEveryField) {
    LoadWenzhengCity();
    // The first 40 data rows of the real file.
    WriteSlice(DataFile("wenzheng/messages_with_replies.csv"), tmp_.File("w40.csv"),
               [](std::size_t i) { return i < 40; });
    std::int64_t events_before = Events();
    auto r = ImportWenzheng(tmp_.File("w40.csv"));
    ASSERT_OK(r);
    EXPECT_TRUE(r->rejected.empty());
    EXPECT_EQ(r->rows_stored, 40);
    EXPECT_EQ(Events() - events_before, 40);
    // The routing rule above over rows[:40]: A1区 2, A2区 3, A3区 8, A4区 4, A5区 2, A6区 1, A9市 1, A市 19.
    EXPECT_EQ(OpinionsIn(Child(a_city_.id, "A3区")).size(), 8u);
    EXPECT_EQ(OpinionsIn(Child(a_city_.id, "A7县")).size(), 0u);
    EXPECT_EQ(OpinionsIn(Child(a_city_.id, "A9市")).size(), 1u);
    EXPECT_EQ(OpinionsIn(a_city_).size(), 40u);

    // Row 1: 2549,U02756,A2区景蓉华苑物业管理有问题,2019/4/25 9:32:09,...,2019/5/10 14:56:53
    Org a2 = Child(a_city_.id, "A2区");
    auto in_a2 = OpinionsIn(a2);
    EXPECT_EQ(in_a2.size(), 3u);
    auto it = std::find_if(in_a2.begin(), in_a2.end(), [](const Opinion& o) {
        return o.source_ref == std::optional<std::string>("wenzheng:2549");
    });
    ASSERT_NE(it, in_a2.end());
    EXPECT_EQ(it->title, "A2区景蓉华苑物业管理有问题");
    EXPECT_EQ(it->submitter, std::optional<std::string>("U02756"));
    EXPECT_EQ(it->channel, domain::OpinionChannel::kMessageBoard);
    EXPECT_EQ(it->kind, domain::OpinionKind::kOther);
    EXPECT_EQ(it->status, domain::OpinionStatus::kReceived);
    EXPECT_EQ(it->received_at, 1556155929);  // by hand: see tests/common/time_test.cpp
    // 2019-05-10 14:56:53 +08:00: day 17897 + 129 = 18026; 18026 * 86400 + 06:56:53 (25013 s) = 1557471413
    EXPECT_EQ(it->replied_at, std::optional<UnixSeconds>(1557471413));
    EXPECT_EQ(it->reply_org_id, std::optional<domain::OrgId>(a2.id));
    EXPECT_EQ(it->org_id, a2.id);
    EXPECT_EQ(it->problem_id, std::nullopt);
    ASSERT_TRUE(it->reply_text.has_value());
    EXPECT_EQ(it->reply_text->rfind("现将网友在平台《问政西地省》栏目", 0), 0u);
    EXPECT_EQ(it->text.rfind("2019年4月以来，位于A市A2区桂花坪街道", 0), 0u);
    auto events = svc_->store().ListEvents("opinion", it->id).value();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].action, "import");
}

TEST_F(ImportTest, OpinionsIntoAnOrgOutsideTheScopeAreNotFound) {
    LoadWenzhengCity();
    LoadFuzhou();
    Actor fuzhou_clerk{"clerk", {fuzhou_.id}};
    OpinionImportOptions o;
    o.file = DataFile("wenzheng/messages_with_replies.csv");
    o.format = "wenzheng";
    o.org_id = a_city_.id;
    EXPECT_EQ(svc_->ImportOpinions(fuzhou_clerk, o).status().code(), StatusCode::kNotFound);
    o.format = "weibo";
    EXPECT_EQ(svc_->ImportOpinions(root_, o).status().code(), StatusCode::kInvalidArgument);
    o.format = "wenzheng";
    o.org_id.reset();
    EXPECT_EQ(svc_->ImportOpinions(root_, o).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(OpinionsIn(a_city_).size(), 0u);
}

// ---- opinions: Fuzhou 12345 cases ----

TEST_F(ImportTest, Fz12345SliceGivesPerDistrictCountsDeadlinesAndMedians) {
    LoadFuzhou();
    // Every 20th data row of the real file (0-based index % 20 == 0): 43 rows from all five districts.
    WriteSlice(DataFile("fz12345/fz12345_river_complaints.csv"), tmp_.File("fz43.csv"),
               [](std::size_t i) { return i % 20 == 0; });
    std::int64_t events_before = Events();
    auto r = ImportFz(tmp_.File("fz43.csv"));
    ASSERT_OK(r);
    EXPECT_TRUE(r->rejected.empty());
    EXPECT_EQ(r->rows_read, 43);
    EXPECT_EQ(r->rows_stored, 43);
    EXPECT_EQ(Events() - events_before, 2 * 43);  // a problem and an opinion per case

    // python3 -c "import csv,collections as C,statistics as S
    // rs=list(csv.DictReader(open('fz12345/fz12345_river_complaints.csv')))[::20]
    // print(sorted(C.Counter(r['区域'] for r in rs).items()))
    // print(sum(int(r['最终回复-投诉事件'])<=15 for r in rs))
    // print({d:S.median(int(r['最终回复-投诉事件']) for r in rs if r['区域']==d) for d in {r['区域'] for r in rs}})
    // print(S.median(int(r['最终回复-投诉事件']) for r in rs))"
    // -> 仓山区 25, 台江区 7, 晋安区 7, 马尾区 1, 鼓楼区 3; on time 35; medians 鼓楼区 6, 仓山区 4, 晋安区 6,
    //    马尾区 11, 台江区 4; overall 4
    const std::map<std::string, std::pair<std::size_t, double>> expected = {
        {"仓山区", {25, 4}}, {"台江区", {7, 4}}, {"晋安区", {7, 6}}, {"马尾区", {1, 11}}, {"鼓楼区", {3, 6}}};
    for (const auto& [name, want] : expected) {
        Org district = Child(fuzhou_.id, name);
        auto problems = ProblemsIn(district);
        EXPECT_EQ(problems.size(), want.first) << name;
        EXPECT_EQ(OpinionsIn(district).size(), want.first) << name;
        std::vector<std::int64_t> days;
        for (const auto& p : problems) days.push_back((*p.closed_at - p.created_at) / kSecondsPerDay);
        EXPECT_EQ(Median(days), want.second) << name;
    }
    auto all = ProblemsIn(fuzhou_);
    ASSERT_EQ(all.size(), 43u);
    int on_time = 0;
    for (const auto& p : all) {
        EXPECT_EQ(p.status, domain::ProblemStatus::kClosed);
        EXPECT_EQ(p.source, domain::ProblemSource::kPublicOpinion);
        ASSERT_TRUE(p.due_at && p.closed_at);
        EXPECT_EQ(*p.due_at - p.created_at, 15 * kSecondsPerDay);
        if (*p.closed_at <= *p.due_at) ++on_time;
    }
    EXPECT_EQ(on_time, 35);

    // The same figures through the service's statistics.
    auto stats = svc_->Stats(root_, fuzhou_.id);
    ASSERT_OK(stats);
    EXPECT_EQ(stats->problems, 43);
    EXPECT_EQ(stats->closed, 43);
    EXPECT_EQ(stats->closed_on_time.numerator, 35);
    EXPECT_EQ(stats->closed_on_time.denominator, 43);
    EXPECT_EQ(stats->median_days_to_close, std::optional<std::int64_t>(4));  // 43 values: the nearest-rank median is the middle one
    EXPECT_EQ(stats->opinions, 43);

    // Channels and kinds: same slice, C.Counter(r['信息来源'] ...), C.Counter(r['性质'] ...), sum of 转处理次数
    // -> 网站 22, 电话 15, e福州app 2, 12345app 2, qq 1, 微信 1; 投诉 36, 建议 3, 咨询 3, 举报 1; transfers 20
    std::map<domain::OpinionChannel, int> channels;
    std::map<domain::OpinionKind, int> kinds;
    int transfers = 0;
    for (const auto& o : OpinionsIn(fuzhou_)) {
        ++channels[o.channel];
        ++kinds[o.kind];
        transfers += o.transfer_count;
        EXPECT_EQ(o.status, domain::OpinionStatus::kAccepted);
        ASSERT_TRUE(o.problem_id.has_value());
        auto p = svc_->store().GetProblem(*o.problem_id);
        ASSERT_OK(p);
        EXPECT_EQ(p->source_ref, o.source_ref);
        EXPECT_EQ(o.replied_at, p->closed_at);
        EXPECT_EQ(o.received_at, p->created_at);
        EXPECT_EQ(o.org_id, p->owner_org_id);
        EXPECT_EQ(o.reply_org_id, std::optional<domain::OrgId>(p->owner_org_id));
    }
    using C = domain::OpinionChannel;
    EXPECT_EQ(channels,
              (std::map<C, int>{{C::kWeb, 22}, {C::kPhone, 15}, {C::kMobileApp, 4}, {C::kQq, 1}, {C::kWechat, 1}}));
    using K = domain::OpinionKind;
    EXPECT_EQ(kinds, (std::map<K, int>{{K::kComplaint, 36}, {K::kSuggestion, 3}, {K::kInquiry, 3}, {K::kReport, 1}}));
    EXPECT_EQ(transfers, 20);
}

TEST_F(ImportTest, Fz12345FirstRowBecomesAClosedProblemAndItsOpinion) {
    LoadFuzhou();
    WriteSlice(DataFile("fz12345/fz12345_river_complaints.csv"), tmp_.File("fz1.csv"),
               [](std::size_t i) { return i == 0; });
    auto r = ImportFz(tmp_.File("fz1.csv"), 15);
    ASSERT_OK(r);
    ASSERT_EQ(r->rows_stored, 1);
    // Row 1: 鼓楼区,梅峰河,投诉,网站,关于梅峰河（左海西门到博物院段）内河治理情况投诉,...,2020-09-03 00:00:00,...,
    //        转处理次数 1, 最终回复-投诉事件 6
    Org gulou = Child(fuzhou_.id, "鼓楼区");
    auto problems = ProblemsIn(gulou);
    ASSERT_EQ(problems.size(), 1u);
    const Problem& p = problems[0];
    EXPECT_EQ(p.title, "关于梅峰河（左海西门到博物院段）内河治理情况投诉");
    EXPECT_EQ(p.description.rfind("本人每天路过的梅峰河", 0), 0u);
    EXPECT_EQ(p.created_at, 1599062400);  // 2020-09-03 00:00 +08:00 (time_test.cpp)
    EXPECT_EQ(p.closed_at, std::optional<UnixSeconds>(1599062400 + 6 * 86400));
    EXPECT_EQ(p.due_at, std::optional<UnixSeconds>(1599062400 + 15 * 86400));
    // python3 -c "import hashlib;print(hashlib.sha256('|'.join(['鼓楼区','2020-09-03 00:00:00',
    //   '关于梅峰河（左海西门到博物院段）内河治理情况投诉', <投诉件内容 of row 1>]).encode()).hexdigest()[:16])"
    EXPECT_EQ(p.source_ref, std::optional<std::string>("fz12345:d34c253e546d9ebc"));
    ASSERT_TRUE(p.category_id.has_value());
    bool found = false;
    const auto categories = svc_->ListCategories().value();
    for (const auto& c : categories) {
        if (c.id == *p.category_id) {
            EXPECT_EQ(c.path, "环境保护/环境污染/水污染");
            found = true;
        }
    }
    EXPECT_TRUE(found);
    auto opinions = OpinionsIn(gulou);
    ASSERT_EQ(opinions.size(), 1u);
    const Opinion& o = opinions[0];
    EXPECT_EQ(o.problem_id, std::optional<domain::ProblemId>(p.id));
    EXPECT_EQ(o.channel, domain::OpinionChannel::kWeb);
    EXPECT_EQ(o.kind, domain::OpinionKind::kComplaint);
    EXPECT_EQ(o.transfer_count, 1);
    EXPECT_EQ(o.title, p.title);
    EXPECT_EQ(o.text, p.description);
    ASSERT_TRUE(o.reply_text.has_value());
    EXPECT_EQ(o.reply_text->rfind("您好，您的诉求已收悉", 0), 0u);
    EXPECT_EQ(svc_->store().ListEvents("problem", p.id).value().size(), 1u);
    EXPECT_EQ(svc_->store().ListEvents("opinion", o.id).value().size(), 1u);
}

TEST_F(ImportTest, Fz12345WholeFileStoresEachCaseOnceAndReimportStoresNothing) {
    LoadFuzhou();
    std::int64_t events_before = Events();
    auto r = ImportFz(DataFile("fz12345/fz12345_river_complaints.csv"));
    ASSERT_OK(r);
    EXPECT_TRUE(r->rejected.empty());
    // 843 rows, by 区域: 仓山区 519, 晋安区 156, 台江区 122, 鼓楼区 41, 马尾区 5
    //   awk is unsafe here (cells hold newlines and commas), so:
    //   python3 -c "import csv,collections as C;print(C.Counter(r['区域'] for r in
    //               csv.DictReader(open('fz12345/fz12345_river_complaints.csv'))))"
    // but 8 cases appear twice with the same 区域|时间|标题|投诉件内容 (the natural key; the researcher tagged
    // them under two rivers), all in 仓山区:
    //   python3 -c "import csv,collections as C;rs=list(csv.DictReader(open('fz12345/fz12345_river_complaints.csv')))
    //   k=C.Counter((r['区域'],r['时间'],r['标题'],r['投诉件内容']) for r in rs);print(len(k),C.Counter(x[0] for x in
    //   k))"
    //   -> 835 distinct: 仓山区 511, 晋安区 156, 台江区 122, 鼓楼区 41, 马尾区 5
    EXPECT_EQ(r->rows_read, 843);
    EXPECT_EQ(r->rows_stored, 835);
    EXPECT_EQ(r->rows_existing, 8);
    EXPECT_EQ(Events() - events_before, 2 * 835);
    const std::map<std::string, std::size_t> expected = {
        {"仓山区", 511}, {"晋安区", 156}, {"台江区", 122}, {"鼓楼区", 41}, {"马尾区", 5}};
    for (const auto& [name, count] : expected) {
        Org district = Child(fuzhou_.id, name);
        EXPECT_EQ(ProblemsIn(district).size(), count) << name;
        EXPECT_EQ(OpinionsIn(district).size(), count) << name;
    }
    // First occurrences only: sum(int(r['最终回复-投诉事件'])<=15) over the distinct cases -> 771
    int on_time = 0;
    for (const auto& p : ProblemsIn(fuzhou_)) on_time += *p.closed_at <= *p.due_at;
    EXPECT_EQ(on_time, 771);

    auto again = ImportFz(DataFile("fz12345/fz12345_river_complaints.csv"));
    ASSERT_OK(again);
    EXPECT_EQ(again->rows_stored, 0);
    EXPECT_EQ(again->rows_existing, 843);
    EXPECT_EQ(ProblemsIn(fuzhou_).size(), 835u);
    EXPECT_EQ(OpinionsIn(fuzhou_).size(), 835u);
    EXPECT_EQ(Events() - events_before, 2 * 835);
    EXPECT_EQ(Batches(), 2u + 2u);  // LoadFuzhou's two and these two
}

TEST_F(ImportTest, FileWithBadRowsStoresNothingAndReportsEveryBadRow) {
    LoadFuzhou();
    // The first 6 data rows; row 3 gets a date that does not exist, row 5 a district Fuzhou does not have.
    WriteSlice(
        DataFile("fz12345/fz12345_river_complaints.csv"), tmp_.File("bad.csv"), [](std::size_t i) { return i < 6; },
        [](std::size_t n, const CsvTable& t, std::vector<std::string>& row) {
            if (n == 3) row[*t.Column("时间")] = "2019-02-29 00:00:00";
            if (n == 5) row[*t.Column("区域")] = "长沙区";
        });
    std::int64_t events_before = Events();
    std::size_t batches_before = Batches();
    auto r = ImportFz(tmp_.File("bad.csv"));
    ASSERT_OK(r);
    ASSERT_EQ(r->rejected.size(), 2u);
    EXPECT_EQ(r->rejected[0].row, 3);
    EXPECT_EQ(r->rejected[0].column, "时间");
    EXPECT_NE(r->rejected[0].reason.find("2019-02-29"), std::string::npos);
    EXPECT_EQ(r->rejected[1].row, 5);
    EXPECT_EQ(r->rejected[1].column, "区域");
    EXPECT_NE(r->rejected[1].reason.find("长沙区"), std::string::npos);
    EXPECT_EQ(r->rows_read, 6);
    EXPECT_EQ(r->rows_stored, 0);
    EXPECT_TRUE(ProblemsIn(fuzhou_).empty());
    EXPECT_TRUE(OpinionsIn(fuzhou_).empty());
    EXPECT_EQ(Events(), events_before);
    EXPECT_EQ(Batches(), batches_before);
}

TEST_F(ImportTest, Fz12345RejectsBadNumbersWithTheirColumns) {
    LoadFuzhou();
    WriteSlice(
        DataFile("fz12345/fz12345_river_complaints.csv"), tmp_.File("nums.csv"), [](std::size_t i) { return i < 4; },
        [](std::size_t n, const CsvTable& t, std::vector<std::string>& row) {
            if (n == 1) row[*t.Column("最终回复-投诉事件")] = "-2";
            if (n == 2) row[*t.Column("转处理次数")] = "";
            if (n == 4) row[*t.Column("最终回复-投诉事件")] = "6天";
        });
    auto r = ImportFz(tmp_.File("nums.csv"));
    ASSERT_OK(r);
    std::vector<std::pair<std::int64_t, std::string>> got;
    for (const auto& e : r->rejected) got.emplace_back(e.row, e.column);
    EXPECT_EQ(got, (std::vector<std::pair<std::int64_t, std::string>>{
                       {1, "最终回复-投诉事件"}, {2, "转处理次数"}, {4, "最终回复-投诉事件"}}));
    EXPECT_TRUE(ProblemsIn(fuzhou_).empty());
}

TEST_F(ImportTest, MalformedOrIncompleteCsvChangesNothing) {
    LoadFuzhou();
    std::int64_t events_before = Events();
    std::size_t batches_before = Batches();
    // The header and first row of the real file, then a row whose quoted cell never ends.
    WriteSlice(DataFile("fz12345/fz12345_river_complaints.csv"), tmp_.File("open.csv"),
               [](std::size_t i) { return i == 0; });
    { std::ofstream(tmp_.File("open.csv"), std::ios::app) << "鼓楼区,梅峰河,投诉,网站,\"never closed,1\n"; }
    auto r = ImportFz(tmp_.File("open.csv"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("open.csv"), std::string::npos) << r.status().message();

    // A header without 转处理次数 or 最终回复-投诉事件: every missing column is named.
    WriteText(tmp_.File("cols.csv"), "区域,河流,性质,信息来源,标题,时间,投诉件内容,回复1\n");
    auto c = ImportFz(tmp_.File("cols.csv"));
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(c.status().message().find("missing column 转处理次数, 最终回复-投诉事件"), std::string::npos)
        << c.status().message();

    EXPECT_EQ(ImportFz(tmp_.File("absent.csv")).status().code(), StatusCode::kNotFound);
    EXPECT_TRUE(ProblemsIn(fuzhou_).empty());
    EXPECT_EQ(Events(), events_before);
    EXPECT_EQ(Batches(), batches_before);
}

// ---- problems CSV ----

TEST_F(ImportTest, ProblemsCsvResolvesOwnersCategoriesAndTimes) {
    LoadFuzhou();
    Org taijiang = Child(fuzhou_.id, "台江区");
    const std::string row1 =
        "河道垃圾,梅峰河漂浮垃圾,public_opinion,环境保护/环境污染/水污染,350102,,2020-09-03T08:30:00+08:00,"
        "2020-09-18T08:30:00+08:00,,,";
    WriteText(tmp_.File("p.csv"),
              "title,description,source,category,owner_division_code,owner_org_id,created_at,due_at,status,"
              "closed_at,source_ref\n" +
                  row1 + "\n" + "排污口整治,,self_inspection,,," + std::to_string(taijiang.id) +
                  ",2020-09-03 00:00:00,,closed,2020-09-10 12:00:00,ledger:2\n");
    auto r = svc_->ImportProblems(root_, tmp_.File("p.csv"));
    ASSERT_OK(r);
    ASSERT_TRUE(r->rejected.empty()) << r->rejected[0].column << ": " << r->rejected[0].reason;
    EXPECT_EQ(r->rows_stored, 2);

    auto gulou = ProblemsIn(Child(fuzhou_.id, "鼓楼区"));
    ASSERT_EQ(gulou.size(), 1u);
    const Problem& a = gulou[0];
    EXPECT_EQ(a.title, "河道垃圾");
    EXPECT_EQ(a.status, domain::ProblemStatus::kRegistered);
    EXPECT_EQ(a.source, domain::ProblemSource::kPublicOpinion);
    EXPECT_EQ(a.created_at, 1599093000);  // 2020-09-03T00:30:00Z (time_test.cpp)
    EXPECT_EQ(a.due_at, std::optional<UnixSeconds>(1599093000 + 15 * 86400));
    EXPECT_EQ(a.closed_at, std::nullopt);
    EXPECT_TRUE(a.category_id.has_value());
    // printf '%s\n' "<row1>" | sha256sum | cut -c1-16, the row as written (no cell needs quoting)
    EXPECT_EQ(a.source_ref, std::optional<std::string>("csv:" + Sha256Hex(row1 + "\n").substr(0, 16)));

    auto tj = ProblemsIn(taijiang);
    ASSERT_EQ(tj.size(), 1u);
    EXPECT_EQ(tj[0].status, domain::ProblemStatus::kClosed);
    EXPECT_EQ(tj[0].source, domain::ProblemSource::kSelfInspection);
    EXPECT_EQ(tj[0].created_at, 1599062400);
    // 2020-09-10 12:00 +08:00 = 1599062400 + 7 days + 12 h
    EXPECT_EQ(tj[0].closed_at, std::optional<UnixSeconds>(1599062400 + 7 * 86400 + 12 * 3600));
    EXPECT_EQ(tj[0].source_ref, std::optional<std::string>("ledger:2"));
    EXPECT_EQ(tj[0].category_id, std::nullopt);

    auto again = svc_->ImportProblems(root_, tmp_.File("p.csv"));
    ASSERT_OK(again);
    EXPECT_EQ(again->rows_stored, 0);
    EXPECT_EQ(again->rows_existing, 2);
}

TEST_F(ImportTest, ProblemsCsvRejectsEveryBadRowWithItsColumn) {
    LoadFuzhou();
    Actor fuzhou_clerk{"clerk", {fuzhou_.id}};
    LoadWenzhengCity();
    WriteText(tmp_.File("p.csv"),
              "title,category,owner_division_code,owner_org_id,created_at,status,closed_at\n"
              "ok,,350102,,2020-09-03,,\n"                   // 1 ok
              "a,环境保护/没有/这个,350102,,2020-09-03,,\n"  // 2 unknown category
              "b,,350102,,2020-02-30,,\n"                    // 3 bad date
              "c,,350102,,2020-09-03,closed,\n"              // 4 closed without closed_at
              "d,,999999,,2020-09-03,,\n"                    // 5 unknown division code
              "e,,,,2020-09-03,,\n"                          // 6 no owner
              "f,,350102,,2020-09-03,done,\n"                // 7 unknown status
              ",,350102,,2020-09-03,,\n"                     // 8 empty title
              "g,,350102,,2020-09-03,closed,2020-09-01\n"    // 9 closed before created
              "h,,," +
                  std::to_string(a_city_.id) + ",2020-09-03,,\n");  // 10 owner outside the scope
    auto r = svc_->ImportProblems(fuzhou_clerk, tmp_.File("p.csv"));
    ASSERT_OK(r);
    std::vector<std::pair<std::int64_t, std::string>> got;
    for (const auto& e : r->rejected) got.emplace_back(e.row, e.column);
    EXPECT_EQ(got, (std::vector<std::pair<std::int64_t, std::string>>{{2, "category"},
                                                                      {3, "created_at"},
                                                                      {4, "closed_at"},
                                                                      {5, "owner_division_code"},
                                                                      {6, "owner_division_code"},
                                                                      {7, "status"},
                                                                      {8, "title"},
                                                                      {9, "closed_at"},
                                                                      {10, "owner_org_id"}}));
    EXPECT_TRUE(ProblemsIn(fuzhou_).empty());
}

}  // namespace
}  // namespace rectify::service
