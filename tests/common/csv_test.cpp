// Tests of common/csv: RFC 4180 parsing (quoted commas, doubled quotes, newlines in cells), the BOM,
// UTF-8 checking with row and column, malformed input, and CsvLine quoting. Expected values by hand.
#include "common/csv.hpp"

#include <fstream>

#include "test_util.hpp"

namespace rectify {
namespace {

TEST(ParseCsv, KeepsCommasInsideQuotedCells) {
    auto t = ParseCsv("a,b\n\"x,y\",z\n");
    ASSERT_OK(t);
    ASSERT_EQ(t->rows.size(), 1u);
    EXPECT_EQ(t->rows[0], (std::vector<std::string>{"x,y", "z"}));
}

TEST(ParseCsv, TurnsDoubledQuotesIntoOneQuote) {
    auto t = ParseCsv("a\n\"say \"\"hi\"\"\"\n");
    ASSERT_OK(t);
    ASSERT_EQ(t->rows.size(), 1u);
    EXPECT_EQ(t->rows[0][0], "say \"hi\"");
}

TEST(ParseCsv, KeepsNewlinesInsideQuotedCellsAndCountsRowsByRecord) {
    auto t = ParseCsv("id,text\n1,\"line one\nline two\"\n2,plain\n");
    ASSERT_OK(t);
    ASSERT_EQ(t->rows.size(), 2u);
    EXPECT_EQ(t->rows[0][1], "line one\nline two");
    EXPECT_EQ(t->rows[1], (std::vector<std::string>{"2", "plain"}));
}

TEST(ParseCsv, SkipsALeadingByteOrderMark) {
    auto t = ParseCsv("\xEF\xBB\xBF名称,代码\n天津市,12\n");
    ASSERT_OK(t);
    EXPECT_EQ(t->header[0], "名称");
    EXPECT_EQ(t->Column("名称"), std::optional<std::size_t>(0));
    EXPECT_EQ(t->Column("代码"), std::optional<std::size_t>(1));
    EXPECT_EQ(t->Column("missing"), std::nullopt);
}

TEST(ParseCsv, AcceptsCrLfLineEndsAndALastRowWithoutNewline) {
    auto t = ParseCsv("a,b\r\n1,2\r\n3,4");
    ASSERT_OK(t);
    ASSERT_EQ(t->rows.size(), 2u);
    EXPECT_EQ(t->rows[0], (std::vector<std::string>{"1", "2"}));
    EXPECT_EQ(t->rows[1], (std::vector<std::string>{"3", "4"}));
}

TEST(ParseCsv, KeepsEmptyCellsAndSpacesExactly) {
    auto t = ParseCsv("a,b,c\n, x ,\n");
    ASSERT_OK(t);
    ASSERT_EQ(t->rows.size(), 1u);
    EXPECT_EQ(t->rows[0], (std::vector<std::string>{"", " x ", ""}));
}

TEST(ParseCsv, ReportsInvalidUtf8WithRowAndColumn) {
    // Row 2 (the second data row), column "b": 0xFF can never start a UTF-8 sequence.
    auto t = ParseCsv("a,b\n1,ok\n2,x\xFFy\n");
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(t.status().message().find("row 2, column \"b\""), std::string::npos) << t.status().message();
    EXPECT_NE(t.status().message().find("byte 1"), std::string::npos) << t.status().message();
}

// Found by fuzz_csv (tests/fuzz/regressions/csv/header-invalid-utf8): a header name with a stray
// continuation byte was accepted, and would have reached error messages and JSON reports.
TEST(ParseCsv, ReportsInvalidUtf8InAHeaderNameWithItsColumn) {
    auto t = ParseCsv("\xe4\xb8\x9d\x80,b\n1,2\n");
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(t.status().message(), "CSV header, column 1: invalid UTF-8 at byte 3 of the name");
}

TEST(ParseCsv, RejectsAnOverlongUtf8Encoding) {
    // C0 AF is an overlong '/', forbidden by RFC 3629.
    auto t = ParseCsv("a\n\xC0\xAF\n");
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.status().message().find("row 1, column \"a\""), std::string::npos) << t.status().message();
}

TEST(ParseCsv, RejectsAnUnterminatedQuotedCell) {
    auto t = ParseCsv("a,b\n1,\"never closed\n");
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
}

TEST(ParseCsv, RejectsAQuoteInsideAnUnquotedCell) {
    auto t = ParseCsv("a,b\n1,ab\"c\"d\n");
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
}

TEST(ParseCsv, RejectsAnEmptyFileAndDuplicateHeaderNames) {
    EXPECT_EQ(ParseCsv("").status().code(), StatusCode::kInvalidArgument);
    auto dup = ParseCsv("a,b,a\n1,2,3\n");
    ASSERT_FALSE(dup.ok());
    EXPECT_NE(dup.status().message().find("\"a\""), std::string::npos);
}

TEST(CsvLine, QuotesOnlyCellsThatNeedIt) {
    EXPECT_EQ(CsvLine({"a", "b,c", "d\"e", "f\ng", ""}), "a,\"b,c\",\"d\"\"e\",\"f\ng\",\n");
}

TEST(CsvLine, RoundTripsThroughParseCsv) {
    std::vector<std::string> cells = {"留言", "x,y", "\"q\"", "l1\nl2", ""};
    auto t = ParseCsv(CsvLine({"h1", "h2", "h3", "h4", "h5"}) + CsvLine(cells));
    ASSERT_OK(t);
    ASSERT_EQ(t->rows.size(), 1u);
    EXPECT_EQ(t->rows[0], cells);
}

TEST(ReadCsvFile, NamesTheFileInErrorsAndIsNotFoundForAMissingFile) {
    testing::TempDir tmp;
    EXPECT_EQ(ReadCsvFile(tmp.File("nope.csv")).status().code(), StatusCode::kNotFound);
    {
        std::ofstream out(tmp.File("bad.csv"), std::ios::binary);
        out << "a\n\"open\n";
    }
    auto t = ReadCsvFile(tmp.File("bad.csv"));
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.status().message().find("bad.csv"), std::string::npos) << t.status().message();
}

TEST(ReadCsvFile, RefusesAFileOverTheSizeLimit) {
    testing::TempDir tmp;
    {
        std::ofstream out(tmp.File("big.csv"), std::ios::binary);
        out << "a\n0123456789\n";  // 13 bytes
    }
    EXPECT_EQ(ReadCsvFile(tmp.File("big.csv"), 12).status().code(), StatusCode::kPayloadTooLarge);
    EXPECT_OK(ReadCsvFile(tmp.File("big.csv"), 13));
}

}  // namespace
}  // namespace rectify
