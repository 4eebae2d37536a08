// The rectify binary's command line: help, exit codes and one-line errors. Runs the real binary
// (RECTIFY_BIN) on a temporary database.
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_util.hpp"

namespace rectify {
namespace {

struct Outcome {
    int exit_code = -1;
    std::string out;
    std::string err;
};

std::string Slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

class CliTest : public ::testing::Test {
protected:
    Outcome Rectify(const std::string& args) {
        const char* bin = std::getenv("RECTIFY_BIN");
        EXPECT_NE(bin, nullptr) << "RECTIFY_BIN is not set (ctest sets it)";
        std::string cmd = std::string(bin ? bin : "rectify") + " --db " + dir_.File("r.db") + " " + args + " >" +
                          dir_.File("out") + " 2>" + dir_.File("err");
        int status = std::system(cmd.c_str());
        Outcome r;
        r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        r.out = Slurp(dir_.File("out"));
        r.err = Slurp(dir_.File("err"));
        return r;
    }

    static int Lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

    testing::TempDir dir_;
};

TEST_F(CliTest, HelpListsEverySubcommand) {
    Outcome r = Rectify("--help");
    EXPECT_EQ(r.exit_code, 0);
    for (const char* sub : {"init", "serve", "import", "org", "stats", "version", "user", "token", "audit", "backup",
                            "restore"}) {
        EXPECT_NE(r.out.find(sub), std::string::npos) << sub << " missing from:\n" << r.out;
    }
    Outcome import = Rectify("import --help");
    EXPECT_EQ(import.exit_code, 0);
    for (const char* sub : {"divisions", "orgs", "opinions", "problems"}) {
        EXPECT_NE(import.out.find(sub), std::string::npos) << sub;
    }
}

TEST_F(CliTest, EverySubcommandHasHelp) {
    for (const char* sub : {"init", "serve", "import divisions", "import orgs", "import opinions", "import problems",
                            "org move", "stats", "version", "user add", "user passwd", "user grant", "user revoke",
                            "user list", "user disable", "user enable", "token create", "token list", "token revoke",
                            "audit verify", "audit export", "backup", "restore"}) {
        Outcome r = Rectify(std::string(sub) + " --help");
        EXPECT_EQ(r.exit_code, 0) << sub;
        EXPECT_NE(r.out.find("Usage"), std::string::npos) << sub;
    }
}

TEST_F(CliTest, BadCommandLinesExitTwoWithOneLine) {
    for (const char* args : {"", "frobnicate", "serve --port 70000", "import opinions /nonexistent --format wenzheng --org 1",
                             "import opinions --format csv x --org 1", "stats 1 --category-depth 9"}) {
        Outcome r = Rectify(args);
        EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
        EXPECT_EQ(Lines(r.err), 1) << args << "\n" << r.err;
        EXPECT_EQ(r.err.rfind("rectify: error: ", 0), 0u) << r.err;
    }
}

TEST_F(CliTest, CommandsOnAMissingDatabaseFailWithOneLineAndCreateNothing) {
    Outcome r = Rectify("stats 1");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(Lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("does not exist; create it with `rectify init`"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir_.File("r.db")));
}

TEST_F(CliTest, InitTwiceKeepsOneRootAndStatsOfUnknownOrgIsOneLine) {
    ASSERT_EQ(Rectify("init").exit_code, 0);
    Outcome again = Rectify("init --root-name 全国");
    EXPECT_EQ(again.exit_code, 0);
    EXPECT_NE(again.out.find("\"root_org_id\":1"), std::string::npos) << again.out;
    Outcome stats = Rectify("stats 1");
    EXPECT_EQ(stats.exit_code, 0);
    EXPECT_NE(stats.out.find("\"problems\": 0"), std::string::npos) << stats.out;
    Outcome unknown = Rectify("stats 999");
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_EQ(unknown.err, "rectify: error: org 999 does not exist [not_found]\n");
    Outcome path = Rectify("stats 河北省/石家庄市");
    EXPECT_EQ(path.exit_code, 1);
    EXPECT_EQ(Lines(path.err), 1);
}

// ---- workflow (issue 3) ----

TEST_F(CliTest, WorkflowSubcommandsHaveHelp) {
    for (const char* sub : {"task", "task create", "task show", "task start", "task report", "task evidence",
                            "task submit", "task accept", "task return", "problem close", "problem reopen",
                            "problem timeline", "opinion reply", "opinion rate"}) {
        Outcome r = Rectify(std::string(sub) + " --help");
        EXPECT_EQ(r.exit_code, 0) << sub;
        EXPECT_NE(r.out.find("Usage"), std::string::npos) << sub;
    }
}

TEST_F(CliTest, ATaskIsPlannedWorkedAndSubmittedFromTheCommandLine) {
    ASSERT_EQ(Rectify("init").exit_code, 0);
    {
        std::ofstream(dir_.File("orgs.csv")) << "path,level\n福建省,province\n福建省/福州市,city\n福建省/福州市/鼓楼区,county\n";
        std::ofstream(dir_.File("p.csv")) << "title,owner_org_id,created_at\n梅峰河黑臭,4,2020-09-03\n";
        std::ofstream(dir_.File("photo.txt")) << "清淤后照片说明";
    }
    ASSERT_EQ(Rectify("import orgs " + dir_.File("orgs.csv")).exit_code, 0);
    ASSERT_EQ(Rectify("import problems " + dir_.File("p.csv")).exit_code, 0);
    Outcome created = Rectify("task create --problem 1 --org 福建省/福州市/鼓楼区 --title 清淤 --responsible 张三 "
                              "--due 2030-01-01 --weight 0.5");
    ASSERT_EQ(created.exit_code, 0) << created.err;
    EXPECT_NE(created.out.find("\"status\": \"pending\""), std::string::npos) << created.out;
    EXPECT_NE(created.out.find("\"weight\": 0.5"), std::string::npos) << created.out;
    EXPECT_EQ(Rectify("task start 1 --version 1").exit_code, 0);
    Outcome early = Rectify("task submit 1");
    EXPECT_EQ(early.exit_code, 1);
    EXPECT_EQ(early.err, "rectify: error: task 1 has no progress report: report progress before submitting "
                         "[failed_precondition]\n");
    EXPECT_EQ(Rectify("task report 1 --text 完成 --percent 100").exit_code, 0);
    Outcome file = Rectify("task evidence 1 " + dir_.File("photo.txt"));
    ASSERT_EQ(file.exit_code, 0) << file.err;
    EXPECT_NE(file.out.find("\"content_type\": \"text/plain\""), std::string::npos) << file.out;
    // Stored next to the database, content-addressed.
    EXPECT_TRUE(std::filesystem::exists(dir_.path() / "blobs"));
    Outcome submitted = Rectify("task submit 1");
    EXPECT_EQ(submitted.exit_code, 0) << submitted.err;
    EXPECT_NE(submitted.out.find("\"status\": \"submitted\""), std::string::npos);
    Outcome timeline = Rectify("problem timeline 1");
    EXPECT_EQ(timeline.exit_code, 0);
    EXPECT_NE(timeline.out.find("\"action\": \"submit\""), std::string::npos);
}

TEST_F(CliTest, WorkflowErrorsAreOneLine) {
    ASSERT_EQ(Rectify("init").exit_code, 0);
    Outcome missing = Rectify("task submit 999");
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_EQ(missing.err, "rectify: error: task 999 does not exist [not_found]\n");
    for (const char* args : {"task return 1", "task report 1 --text x --percent 101", "task create --problem 1",
                             "problem reopen 1 --reason x --cause whim", "opinion rate 1 --satisfaction meh"}) {
        Outcome r = Rectify(args);
        EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
        EXPECT_EQ(Lines(r.err), 1) << args << "\n" << r.err;
    }
}

// ---- the ledger (issue 6) ----

TEST_F(CliTest, TheLedgerIsExportedAndBadArgumentsAreOneLine) {
    ASSERT_EQ(Rectify("init").exit_code, 0);
    std::ofstream(dir_.File("orgs.csv")) << "path,level\n福建省,province\n福建省/福州市,city\n";
    std::ofstream(dir_.File("p.csv")) << "title,owner_org_id,created_at\n梅峰河黑臭,3,2020-09-03\n路灯不亮,2,2020-09-04\n";
    ASSERT_EQ(Rectify("import orgs " + dir_.File("orgs.csv")).exit_code, 0);
    ASSERT_EQ(Rectify("import problems " + dir_.File("p.csv")).exit_code, 0);

    // Upper-case .CSV is CSV: a BOM, the title line, the header and one row (福州市 holds one problem).
    Outcome csv = Rectify("ledger export --list problems --org 福建省/福州市 --out " + dir_.File("l.CSV"));
    ASSERT_EQ(csv.exit_code, 0) << csv.err;
    EXPECT_EQ(csv.out, "wrote 1 rows to " + dir_.File("l.CSV") + "\n");
    const std::string text = Slurp(dir_.File("l.CSV"));
    EXPECT_EQ(text.substr(0, 3), "\xEF\xBB\xBF");
    EXPECT_EQ(Lines(text), 3);
    EXPECT_NE(text.find("梅峰河黑臭"), std::string::npos);
    EXPECT_EQ(text.find("路灯不亮"), std::string::npos);  // 福建省's own problem is outside 福州市
    Outcome xlsx = Rectify("ledger export --list tasks --out " + dir_.File("t.xlsx"));
    ASSERT_EQ(xlsx.exit_code, 0) << xlsx.err;
    EXPECT_EQ(Slurp(dir_.File("t.xlsx")).substr(0, 2), "PK");
    EXPECT_FALSE(std::filesystem::exists(dir_.File("t.xlsx.part")));

    struct Bad {
        std::string args;
        int exit_code;
        std::string message;  // part of the one error line
    };
    for (const Bad& b : std::vector<Bad>{
             {"--list problems --out " + dir_.File("l.txt"), 1, "ends in neither .xlsx nor .csv"},
             {"--list problems --out " + dir_.File("missing/l.csv"), 1, "the folder " + dir_.File("missing") + " does not exist"},
             {"--list problems --format csv --out " + dir_.path().string(), 1, "is a folder"},
             {"--list problems --status bogus --out " + dir_.File("l.csv"), 2, "bogus"},
             {"--list nope --out " + dir_.File("l.csv"), 2, "nope"},
             {"--list problems --org '' --out " + dir_.File("l.csv"), 2, "must not be empty"},
             {"--list problems --org 福建省/厦门市 --out " + dir_.File("l.csv"), 1, "厦门市"}}) {
        Outcome r = Rectify("ledger export " + b.args);
        EXPECT_EQ(r.exit_code, b.exit_code) << b.args << "\n" << r.err;
        EXPECT_EQ(Lines(r.err), 1) << b.args << "\n" << r.err;
        EXPECT_NE(r.err.find(b.message), std::string::npos) << b.args << "\n" << r.err;
    }
}

TEST_F(CliTest, ALedgerIsImportedFromCsvAllOrNothing) {
    ASSERT_EQ(Rectify("init").exit_code, 0);
    std::ofstream(dir_.File("orgs.csv")) << "path,level\n福建省,province\n福建省/福州市,city\n";
    ASSERT_EQ(Rectify("import orgs " + dir_.File("orgs.csv")).exit_code, 0);
    // Row 3 is good; row 4 names an org that does not exist: nothing is stored.
    std::ofstream(dir_.File("l.csv")) << "\xEF\xBB\xBF问题清单\n"
                                         "问题表现,责任部门,完成时限\n"
                                         "河道黑臭,福州市,2031-01-31\n"
                                         "路灯不亮,厦门市,2031-01-31\n";
    Outcome dry = Rectify("ledger import --dry-run " + dir_.File("l.csv"));
    EXPECT_EQ(dry.exit_code, 1) << dry.err;
    EXPECT_NE(dry.out.find("rejected: row 4, 责任部门: no org in your scope is named \"厦门市\""), std::string::npos)
        << dry.out;
    EXPECT_EQ(Lines(dry.err), 1) << dry.err;
    Outcome bad = Rectify("ledger import " + dir_.File("l.csv"));
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.out.find("nothing stored: 2 rows read (header in row 2); problems to create 1"), std::string::npos)
        << bad.out;
    Outcome none = Rectify("ledger export --list problems --format csv --out " + dir_.File("e.csv"));
    EXPECT_EQ(none.out, "wrote 0 rows to " + dir_.File("e.csv") + "\n");

    // The good row alone, with 完成时限 mapped by hand to a differently named column: stored.
    std::ofstream(dir_.File("g.csv")) << "问题表现,责任部门,时间节点\n河道黑臭,福建省/福州市,2031-01-31\n";
    Outcome good = Rectify("ledger import --mapping deadline=时间节点 " + dir_.File("g.csv"));
    ASSERT_EQ(good.exit_code, 0) << good.out << good.err;
    EXPECT_NE(good.out.find("stored: 1 rows read (header in row 1); problems created 1"), std::string::npos) << good.out;
    Outcome one = Rectify("ledger export --list problems --format csv --out " + dir_.File("e.csv"));
    EXPECT_EQ(one.out, "wrote 1 rows to " + dir_.File("e.csv") + "\n");
    EXPECT_NE(Slurp(dir_.File("e.csv")).find("河道黑臭,,,福州市,,,2031-01-31 00:00"), std::string::npos)
        << Slurp(dir_.File("e.csv"));

    Outcome xlsx = Rectify("ledger import " + dir_.File("t.xlsx") + " --dry-run");
    EXPECT_EQ(xlsx.exit_code, 2);  // no such file: CLI11's usage error
    std::ofstream(dir_.File("t.xlsx")) << "PK";
    xlsx = Rectify("ledger import " + dir_.File("t.xlsx"));
    EXPECT_EQ(xlsx.exit_code, 1);
    EXPECT_NE(xlsx.err.find("save the sheet as CSV"), std::string::npos) << xlsx.err;
}

// ---- linkage (issue 5) ----

TEST_F(CliTest, LinkageSubcommandsHaveHelp) {
    for (const char* sub : {"problem escalate", "problem co-owner", "escalation", "escalation show", "escalation accept",
                            "escalation decline", "escalation withdraw", "task cascade"}) {
        Outcome r = Rectify(std::string(sub) + " --help");
        EXPECT_EQ(r.exit_code, 0) << sub;
        EXPECT_NE(r.out.find("Usage"), std::string::npos) << sub;
    }
}

TEST_F(CliTest, AProblemIsEscalatedCoOwnedAndCascadedFromTheCommandLine) {
    ASSERT_EQ(Rectify("init").exit_code, 0);
    {
        std::ofstream(dir_.File("orgs.csv")) << "path,level\n福建省,province\n福建省/福州市,city\n"
                                                "福建省/福州市/鼓楼区,county\n福建省/福州市/台江区,county\n";
        std::ofstream(dir_.File("p.csv")) << "title,owner_org_id,created_at\n公交线路调整,4,2020-09-03\n";
    }
    ASSERT_EQ(Rectify("import orgs " + dir_.File("orgs.csv")).exit_code, 0);
    ASSERT_EQ(Rectify("import problems " + dir_.File("p.csv")).exit_code, 0);
    Outcome sibling = Rectify("problem escalate 1 --to 福建省/福州市/台江区 --reason 需市级统筹");
    EXPECT_EQ(sibling.exit_code, 1);
    EXPECT_EQ(Lines(sibling.err), 1) << sibling.err;
    Outcome escalated = Rectify("problem escalate 1 --to 福建省/福州市 --reason 需市级统筹");
    ASSERT_EQ(escalated.exit_code, 0) << escalated.err;
    EXPECT_NE(escalated.out.find("\"status\": \"pending\""), std::string::npos) << escalated.out;
    Outcome accepted = Rectify("escalation accept 1 --comment 市交通局答复");
    ASSERT_EQ(accepted.exit_code, 0) << accepted.err;
    EXPECT_NE(accepted.out.find("\"status\": \"accepted\""), std::string::npos) << accepted.out;
    Outcome twice = Rectify("escalation decline 1 --reason 晚了");
    EXPECT_EQ(twice.exit_code, 1);
    EXPECT_EQ(twice.err, "rectify: error: cannot decline an escalation that is accepted; allowed next actions: none "
                         "(accepted is final) [failed_precondition]\n");

    // Now owned by 福州市 (3): 台江区 co-owns it, and a task of 福州市 goes down to both districts.
    Outcome co = Rectify("problem co-owner 1 --org 福建省/福州市/台江区 --title 台江段 --responsible 李四 --due 2030-01-01");
    ASSERT_EQ(co.exit_code, 0) << co.err;
    EXPECT_NE(co.out.find("\"org_id\": 5"), std::string::npos) << co.out;
    ASSERT_EQ(Rectify("task create --problem 1 --org 3 --title 全市统筹 --responsible 张三 --due 2030-06-30").exit_code, 0);
    Outcome late = Rectify("task cascade 2 --scope level --level county --responsible 区长 --due 2030-07-01");
    EXPECT_EQ(late.exit_code, 1);
    EXPECT_NE(late.err.find("is later than the parent task 2's deadline"), std::string::npos) << late.err;
    Outcome cascaded = Rectify("task cascade 2 --scope level --level county --responsible 区长");
    ASSERT_EQ(cascaded.exit_code, 0) << cascaded.err;
    EXPECT_NE(cascaded.out.find("\"created\": 2"), std::string::npos) << cascaded.out;
}

// ---- supervision (issue 8) ----

// `supervise run --at`: one scheduler pass at an injected instant. A task of 鼓楼区 due Friday
// 2030-06-28 18:00 (+08:00) is urged by the pass on Monday 07-01; 2 working days after the urge's day is
// Wednesday 07-03, so the supervise step is due when that day ends, Thursday 07-04 00:00. Each run is a
// new process: a step is never taken twice across them.
TEST_F(CliTest, SuperviseFollowsTheCalendarAndLadderOptions) {
    ASSERT_EQ(Rectify("init").exit_code, 0);
    {
        std::ofstream(dir_.File("orgs.csv")) << "path,level\n福建省,province\n福建省/福州市,city\n"
                                                "福建省/福州市/鼓楼区,county\n";
        std::ofstream(dir_.File("p.csv")) << "title,owner_org_id,created_at\n河道黑臭水体整治,4,2026-01-05\n";
        // A made-up 2030 holiday on Tuesday 2 July: the two working days after Monday's urge become 3 and 4 July.
        std::ofstream(dir_.File("cal.csv")) << "date,kind,name,notice\n2030-07-02,holiday,测试假日,test\n";
        std::ofstream(dir_.File("bad.csv")) << "date,kind\n2030-07-03,workday\n";  // a Wednesday
    }
    ASSERT_EQ(Rectify("import orgs " + dir_.File("orgs.csv")).exit_code, 0);
    ASSERT_EQ(Rectify("import problems " + dir_.File("p.csv")).exit_code, 0);
    ASSERT_EQ(Rectify("task create --problem 1 --org 4 --title 清淤截污 --responsible 张三 --due "
                      "2030-06-28T18:00:00+08:00")
                  .exit_code,
              0);
    auto count = [](const std::string& out, const std::string& member) {
        const std::string key = "\"" + member + "\": ";
        const std::size_t at = out.find(key);
        return at == std::string::npos ? -1 : std::stoi(out.substr(at + key.size()));
    };
    Outcome bad = Rectify("supervise run --calendar " + dir_.File("bad.csv") + " --at 2030-07-01T09:00:00+08:00");
    EXPECT_NE(bad.exit_code, 0);
    EXPECT_NE(bad.err.find("calendar row 1 column kind"), std::string::npos) << bad.err;
    const std::string cal = " --calendar " + dir_.File("cal.csv");
    EXPECT_EQ(count(Rectify("supervise run --no-auto-urge --at 2030-07-01T09:00:00+08:00").out, "urged"), 0);
    EXPECT_EQ(count(Rectify("supervise run" + cal + " --at 2030-07-01T09:00:00+08:00").out, "urged"), 1);
    EXPECT_EQ(count(Rectify("supervise run" + cal + " --at 2030-07-04T12:00:00+08:00").out, "supervised"), 0);
    EXPECT_EQ(count(Rectify("supervise run" + cal + " --no-auto-supervise --at 2030-07-06T00:00:00+08:00").out,
                    "supervised"),
              0);
    EXPECT_EQ(count(Rectify("supervise run" + cal + " --at 2030-07-05T00:00:00+08:00").out, "supervised"), 1);
}

TEST_F(CliTest, SupervisePassesUrgeThenSuperviseOnceEach) {
    ASSERT_EQ(Rectify("init").exit_code, 0);
    {
        std::ofstream(dir_.File("orgs.csv")) << "path,level\n福建省,province\n福建省/福州市,city\n"
                                                "福建省/福州市/鼓楼区,county\n";
        std::ofstream(dir_.File("p.csv")) << "title,owner_org_id,created_at\n河道黑臭水体整治,4,2026-01-05\n";
    }
    ASSERT_EQ(Rectify("import orgs " + dir_.File("orgs.csv")).exit_code, 0);
    ASSERT_EQ(Rectify("import problems " + dir_.File("p.csv")).exit_code, 0);
    ASSERT_EQ(Rectify("task create --problem 1 --org 4 --title 清淤截污 --responsible 张三 --due "
                      "2030-06-28T18:00:00+08:00")
                  .exit_code,
              0);
    auto count = [](const std::string& out, const std::string& member) {
        const std::string key = "\"" + member + "\": ";
        const std::size_t at = out.find(key);
        return at == std::string::npos ? -1 : std::stoi(out.substr(at + key.size()));
    };
    Outcome before = Rectify("supervise run --at 2030-06-28T17:59:59+08:00");
    ASSERT_EQ(before.exit_code, 0) << before.err;
    EXPECT_EQ(count(before.out, "urged"), 0) << before.out;
    Outcome urge = Rectify("supervise run --at 2030-07-01T09:00:00+08:00");
    ASSERT_EQ(urge.exit_code, 0) << urge.err;
    EXPECT_EQ(count(urge.out, "candidates"), 1) << urge.out;
    EXPECT_EQ(count(urge.out, "urged"), 1) << urge.out;
    EXPECT_EQ(count(urge.out, "attempted"), 0) << urge.out;  // no webhook
    EXPECT_EQ(count(Rectify("supervise run --at 2030-07-01T10:00:00+08:00").out, "urged"), 0);
    EXPECT_EQ(count(Rectify("supervise run --at 2030-07-03T23:59:59+08:00").out, "supervised"), 0);
    Outcome supervise = Rectify("supervise run --at 2030-07-04T00:00:00+08:00");
    ASSERT_EQ(supervise.exit_code, 0) << supervise.err;
    EXPECT_EQ(count(supervise.out, "supervised"), 1) << supervise.out;
    EXPECT_EQ(count(Rectify("supervise run --at 2030-07-05T09:00:00+08:00").out, "supervised"), 0);

    Outcome bad = Rectify("supervise run --at tomorrow");
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_EQ(Lines(bad.err), 1) << bad.err;
    EXPECT_EQ(Rectify("supervise --help").exit_code, 0);
    EXPECT_EQ(Rectify("supervise run --help").exit_code, 0);
}

TEST_F(CliTest, VersionNamesTheSchema) {
    Outcome r = Rectify("version");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out.rfind("rectify 0.1.0", 0), 0u) << r.out;
    // The schema version is the number of migration files shipped in src/store/schema.
    int migrations = 0;
    for (const auto& e : std::filesystem::directory_iterator(testing::SourceDir() / "src/store/schema")) {
        migrations += e.path().extension() == ".sql";
    }
    EXPECT_NE(r.out.find("schema " + std::to_string(migrations) + "\n"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace rectify
