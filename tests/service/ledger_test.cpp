// The ledger (台账) export: the problem and task lists as CSV (checked cell by cell) and XLSX (unzipped here
// with zlib and checked for its cells, the real Excel date of a deadline and the frozen header row).
//
// Org tree: 1 全国 ─ 2 福建省 ─ 3 福州市 ─ 4 鼓楼区; a second branch 5 河北省.
#include <zlib.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "common/csv.hpp"
#include "ledger_fixture.hpp"
#include "service/service.hpp"
#include "test_util.hpp"

namespace rectify::service {
namespace {

using domain::Org;

std::uint32_t U32(const std::string& b, std::size_t at) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 16 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3])) << 24;
}
std::uint16_t U16(const std::string& b, std::size_t at) {
    return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) | static_cast<unsigned char>(b[at + 1]) << 8);
}

// One member of a ZIP archive, found through the central directory (APPNOTE.TXT 4.3.12-4.3.16), stored or
// deflated. nullopt when absent.
std::optional<std::string> ZipMember(const std::string& zip, const std::string& name) {
    std::size_t eocd = zip.rfind(std::string("PK\x05\x06", 4));
    if (eocd == std::string::npos) return std::nullopt;
    std::size_t at = U32(zip, eocd + 16);
    const std::uint16_t entries = U16(zip, eocd + 10);
    for (std::uint16_t i = 0; i < entries; ++i) {
        if (U32(zip, at) != 0x02014b50) return std::nullopt;
        const std::uint16_t method = U16(zip, at + 10);
        const std::uint32_t compressed = U32(zip, at + 20), size = U32(zip, at + 24);
        const std::uint16_t name_len = U16(zip, at + 28), extra = U16(zip, at + 30), comment = U16(zip, at + 32);
        const std::uint32_t local = U32(zip, at + 42);
        if (zip.compare(at + 46, name_len, name) == 0) {
            std::size_t data = local + 30 + U16(zip, local + 26) + U16(zip, local + 28);
            if (method == 0) return zip.substr(data, compressed);
            std::string out(size, '\0');
            z_stream z{};
            if (inflateInit2(&z, -MAX_WBITS) != Z_OK) return std::nullopt;
            z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zip.data() + data));
            z.avail_in = compressed;
            z.next_out = reinterpret_cast<Bytef*>(out.data());
            z.avail_out = size;
            int rc = inflate(&z, Z_FINISH);
            inflateEnd(&z);
            if (rc != Z_STREAM_END) return std::nullopt;
            return out;
        }
        at += 46 + name_len + extra + comment;
    }
    return std::nullopt;
}

class LedgerTest : public testing_ledger::LedgerFixture {
protected:
    // The CSV export, parsed; the title line is checked and dropped.
    CsvTable Csv(LedgerList list, const ProblemQuery& filter, const std::string& title_start) {
        std::ostringstream out;
        auto sink = MakeCsvLedgerSink(out);
        auto rows = svc_->ExportLedger(root_, list, filter, *sink);
        EXPECT_OK(rows);
        std::string text = out.str();
        EXPECT_EQ(text.substr(0, 3), "\xEF\xBB\xBF");  // the BOM Excel needs to read UTF-8
        EXPECT_EQ(text.substr(3, title_start.size()), title_start);
        auto table = ParseCsv(text.substr(text.find('\n') + 1));
        EXPECT_OK(table);
        if (table.ok() && rows.ok()) {
            EXPECT_EQ(static_cast<std::int64_t>(table->rows.size()), *rows);
        }
        return table.ok() ? *table : CsvTable{};
    }

};

TEST_F(LedgerTest, TheProblemListHasTheStandardColumnsNewestFirst) {
    ProblemQuery all;
    CsvTable t = Csv(LedgerList::kProblems, all, "问题清单　导出时间 ");
    EXPECT_EQ(t.header, (std::vector<std::string>{"序号", "问题编号", "问题来源", "问题类别", "专项整治", "问题描述",
                                                  "整改目标/标准", "整改措施", "责任单位", "责任人", "牵头领导",
                                                  "整改时限", "整改进展", "完成情况", "是否销号", "销号时间"}));
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0], (std::vector<std::string>{"1", "2", "其他", "", "", "路灯不亮", "", "更换路灯", "福州市", "张三",
                                                   "李四", "", "已验收 0/1 项措施", "已制定措施", "否", ""}));
    EXPECT_EQ(t.rows[1], (std::vector<std::string>{"2", "1", "群众意见", "环境保护/环境污染/水污染", "",
                                                   "河道黑臭：梅峰河水发黑", "", "", "鼓楼区", "", "", "2024-03-15 00:00",
                                                   "", "已销号", "是", "2024-03-10 17:30"}));
    // A subtree and a status filter.
    ProblemQuery gulou;
    gulou.org_id = 4;
    CsvTable g = Csv(LedgerList::kProblems, gulou, "问题清单　鼓楼区　导出时间 ");
    ASSERT_EQ(g.rows.size(), 1u);
    EXPECT_EQ(g.rows[0][1], "1");
    ProblemQuery open;
    open.org_id = 2;
    open.statuses = {domain::ProblemStatus::kPlanned};
    EXPECT_EQ(Csv(LedgerList::kProblems, open, "问题清单　福建省").rows.size(), 1u);
}

TEST_F(LedgerTest, TheTaskListHasOneRowPerTask) {
    CsvTable t = Csv(LedgerList::kTasks, ProblemQuery{}, "任务清单　导出时间 ");
    EXPECT_EQ(t.header, (std::vector<std::string>{"序号", "问题编号", "任务编号", "问题描述", "整改措施", "责任单位", "责任人",
                                                  "牵头领导", "整改时限", "整改进展", "完成情况", "提交时间", "验收时间"}));
    ASSERT_EQ(t.rows.size(), 1u);
    EXPECT_EQ(t.rows[0], (std::vector<std::string>{"1", "2", "1", "路灯不亮", "更换路灯", "福州市", "张三", "李四",
                                                   "2030-12-31 00:00", "0%", "待整改", "", ""}));
}

TEST_F(LedgerTest, OutsideTheScopeIsNotFoundAndWritesNothing) {
    Actor hebei{"clerk-hebei", {5}, {{domain::Role::kClerk, 5}}, std::nullopt};
    ProblemQuery fuzhou;
    fuzhou.org_id = 3;
    std::ostringstream out;
    auto sink = MakeCsvLedgerSink(out);
    EXPECT_EQ(svc_->ExportLedger(hebei, LedgerList::kProblems, fuzhou, *sink).status().code(), StatusCode::kNotFound);
    EXPECT_TRUE(out.str().empty());
    // Its own subtree has no problems: the header and no rows.
    std::ostringstream own;
    auto own_sink = MakeCsvLedgerSink(own);
    auto none = svc_->ExportLedger(hebei, LedgerList::kProblems, ProblemQuery{}, *own_sink);
    ASSERT_OK(none);
    EXPECT_EQ(*none, 0);
}

TEST_F(LedgerTest, XlsxHasRealDatesAFrozenHeaderAndTheCells) {
    const std::string path = dir_.File("ledger.xlsx");
    auto sink = MakeXlsxLedgerSink(path);
    auto rows = svc_->ExportLedger(root_, LedgerList::kProblems, ProblemQuery{}, *sink);
    ASSERT_OK(rows);
    EXPECT_EQ(*rows, 2);
    sink.reset();
    auto bytes = ReadFile(path);
    ASSERT_OK(bytes);
    ASSERT_EQ(bytes->substr(0, 2), "PK");
    auto sheet = ZipMember(*bytes, "xl/worksheets/sheet1.xml");
    ASSERT_TRUE(sheet.has_value());
    for (const char* text : {"问题清单", "序号", "销号时间", "河道黑臭：梅峰河水发黑", "环境保护/环境污染/水污染", "已销号"}) {
        EXPECT_NE(sheet->find(text), std::string::npos) << text;
    }
    // 2024-03-15 00:00 in the display zone (Asia/Shanghai): 45,366 days after 1899-12-30
    // (python3 -c "import datetime as d; print((d.date(2024,3,15)-d.date(1899,12,30)).days)"), and 2024-03-10
    // 17:30 is 45,361 + 17.5/24 = 45361.729166…
    EXPECT_NE(sheet->find("<v>45366</v>"), std::string::npos);
    EXPECT_NE(sheet->find("<v>45361.72916666"), std::string::npos);
    EXPECT_NE(sheet->find("<pane ySplit=\"2\""), std::string::npos);  // title and header rows frozen
    EXPECT_NE(sheet->find("<mergeCell ref=\"A1:P1\""), std::string::npos);  // the title across the 16 columns
    auto styles = ZipMember(*bytes, "xl/styles.xml");
    ASSERT_TRUE(styles.has_value());
    EXPECT_NE(styles->find("yyyy-mm-dd hh:mm"), std::string::npos);
    EXPECT_DOUBLE_EQ(ExcelSerial(*ParseIso("2024-03-15T00:00:00+08:00")), 45366.0);
}

}  // namespace
}  // namespace rectify::service
