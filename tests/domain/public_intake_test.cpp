// Tracking codes, the division catalogue, the routing candidates and the duplicate text key of public
// intake (domain/public_intake.hpp). Expected values are worked out by hand from the rules.
#include <map>

#include <gtest/gtest.h>

#include "domain/public_intake.hpp"
#include "test_util.hpp"

namespace rectify::domain {
namespace {

// A byte source that returns the bytes of `script` in order, then repeats it.
struct Scripted {
    std::vector<unsigned char> script;
    std::size_t at = 0;
    std::string operator()(std::size_t n) {
        std::string out;
        for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<char>(script[at++ % script.size()]));
        return out;
    }
};

TEST(TrackingCode, AlphabetHasNoLookAlikes) {
    EXPECT_EQ(kTrackingAlphabet.size(), 31u);
    for (char c : std::string("01OIL")) EXPECT_EQ(kTrackingAlphabet.find(c), std::string_view::npos) << c;
}

TEST(TrackingCode, RejectsBytesFrom248Up) {
    // 248..255 are dropped; the others map to alphabet[b % 31]: 0 -> '2', 30 -> 'Z', 31 -> '2',
    // 247 (= 7 * 31 + 30) -> 'Z', 100 (= 3 * 31 + 7) -> '9', 200 (= 6 * 31 + 14) -> 'G'.
    Scripted bytes{{248, 0, 255, 30, 31, 250, 247, 100, 200, 1, 2, 3, 4, 5, 6}};
    EXPECT_EQ(NewTrackingCode(std::ref(bytes)), "2Z2Z9G345678");
}

TEST(TrackingCode, EverySymbolIsEquallyLikelyOverAllByteValues) {
    // Bytes 0, 1, ..., 255 over and over: 248 accepted per cycle, 8 of each symbol. 62 codes take
    // 62 * 12 = 744 = 3 * 248 symbols, so each symbol appears exactly 24 times.
    std::vector<unsigned char> all;
    for (int b = 0; b < 256; ++b) all.push_back(static_cast<unsigned char>(b));
    Scripted bytes{all};
    std::map<char, int> counts;
    for (int i = 0; i < 62; ++i) {
        for (char c : NewTrackingCode(std::ref(bytes))) ++counts[c];
    }
    EXPECT_EQ(counts.size(), 31u);
    for (const auto& [symbol, n] : counts) EXPECT_EQ(n, 24) << symbol;
}

TEST(TrackingCode, IsShownInGroupsOfFourAndReadBackAnyWayTyped) {
    EXPECT_EQ(FormatTrackingCode("ABCDEFGHJKMN"), "ABCD-EFGH-JKMN");
    for (const char* typed : {"ABCD-EFGH-JKMN", "abcd-efgh-jkmn", "abcdefghjkmn", " AbCd EfGh JkMn ",
                              "ABCD\xE3\x80\x80" "EFGH-JKMN"}) {
        auto code = ParseTrackingCode(typed);
        ASSERT_OK(code);
        EXPECT_EQ(*code, "ABCDEFGHJKMN") << typed;
    }
    auto look_alike = ParseTrackingCode("ABCD-EFGH-JKM0");
    ASSERT_FALSE(look_alike.ok());
    EXPECT_NE(look_alike.status().message().find("\"0\" is never used"), std::string::npos);
    EXPECT_FALSE(ParseTrackingCode("ABCD-EFGH-JKM").ok());
    EXPECT_FALSE(ParseTrackingCode("ABCD-EFGH-JKMN2").ok());
    EXPECT_FALSE(ParseTrackingCode("ABCD-EFGH-JKM#").ok());
}

TEST(Divisions, AreTheChinaDivisionFilesAsATree) {
    // data/divisions: 31 provinces; 福建省 35 > 福州市 3501 > 鼓楼区 350102 > 鼓东街道 350102001.
    EXPECT_EQ(ChildDivisions("").size(), 31u);
    auto chain = DivisionChain("350102001");
    ASSERT_EQ(chain.size(), 4u);
    EXPECT_EQ(chain[0].name, "福建省");
    EXPECT_EQ(chain[1].name, "福州市");
    EXPECT_EQ(chain[2].name, "鼓楼区");
    EXPECT_EQ(chain[3].name, "鼓东街道");
    EXPECT_EQ(chain[3].level, 4);
    EXPECT_FALSE(FindDivision("99"));
    EXPECT_TRUE(DivisionChain("99").empty());
    bool gulou = false;
    for (const auto& d : ChildDivisions("3501")) gulou = gulou || (d.code == "350102" && d.name == "鼓楼区");
    EXPECT_TRUE(gulou);
}

TEST(Routing, CandidatesAreTheCodeAndItsAncestorsDeepestFirst) {
    auto c = RoutingCandidates("350102001");
    ASSERT_OK(c);
    EXPECT_EQ(*c, (std::vector<std::string>{"350102001", "350102", "3501", "35"}));
    auto village = RoutingCandidates("350102001002");
    ASSERT_OK(village);
    EXPECT_EQ(*village, (std::vector<std::string>{"350102001002", "350102001", "350102", "3501", "35"}));
    EXPECT_EQ(*RoutingCandidates("35"), (std::vector<std::string>{"35"}));
    EXPECT_FALSE(RoutingCandidates("3501020").ok());
    EXPECT_FALSE(RoutingCandidates("35a1").ok());
}

TEST(DuplicateKey, IgnoresPunctuationSpacesAndLetterCase) {
    EXPECT_EQ(NormalisedTextHash("路灯不亮", "路灯不亮！ 请修 Street light"),
              NormalisedTextHash("路灯不亮。", "路灯不亮，请修。streetlight"));
    EXPECT_NE(NormalisedTextHash("路灯不亮", "请修"), NormalisedTextHash("路灯不亮", "请修理"));
    // Title and text are kept apart: moving words between them is another submission.
    EXPECT_NE(NormalisedTextHash("路灯", "不亮"), NormalisedTextHash("路灯不亮", ""));
}

// USPS Publication 28 §2: the last line of a US address ends with the ZIP Code (5 digits, or ZIP+4).
TEST(ZipCode, IsTheTrailingFiveDigitsOrZipPlus4OfAUsAddress) {
    // The Baltimore 311 sample's address form (data/baltimore311/311_sample.csv).
    EXPECT_EQ(TrailingUsZipCode("3400 GARRISON BLVD, BALTIMORE, MD, 21215"), "21215");
    EXPECT_EQ(TrailingUsZipCode("1600 Pennsylvania Ave NW, Washington, DC 20500-0003 "), "20500-0003");
    EXPECT_EQ(TrailingUsZipCode("1234 5th street"), std::nullopt);           // the spec's example: no ZIP
    EXPECT_EQ(TrailingUsZipCode("A市A3区学院路12345"), std::nullopt);        // no separator before the digits
    EXPECT_EQ(TrailingUsZipCode("12 34567"), std::nullopt);                  // nothing but numbers
    EXPECT_EQ(TrailingUsZipCode("21215"), std::nullopt);                     // a bare number is no address
    EXPECT_EQ(TrailingUsZipCode("Main St, Baltimore, MD 2121"), std::nullopt);   // four digits
    EXPECT_EQ(TrailingUsZipCode("Main St, Baltimore, MD 212150"), std::nullopt); // six: a Chinese postcode's length
}

}  // namespace
}  // namespace rectify::domain
