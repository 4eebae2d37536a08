// The text module (issue 9): values worked out by hand from the definitions in src/text/*.hpp.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "text/classifier.hpp"
#include "text/hot_issues.hpp"
#include "text/similarity.hpp"

namespace rectify::text {
namespace {

TEST(Normalize, FoldsFullWidthLowersAsciiAndDropsPunctuationSpacesAndMasks) {
    EXPECT_EQ(Normalize("Ａｂ，Ｃ　中文！ Pothole-on  Main St."), U"abc中文potholeonmainst");
    EXPECT_EQ(Normalize("电话[电话号码]，邮箱[邮箱]。"), U"电话邮箱");
    EXPECT_EQ(Normalize("“搅拌站”、噪音…"), U"搅拌站噪音");
    EXPECT_EQ(Normalize("１２３４５"), U"12345");
    EXPECT_EQ(Normalize(""), U"");
}

TEST(Shingles, AreTheDistinctKGramsOfTheNormalisedText) {
    EXPECT_EQ(Shingles("abcd", 2).size(), 3u);         // ab bc cd
    EXPECT_EQ(Shingles("abab", 2).size(), 2u);         // ab ba (ab twice)
    EXPECT_EQ(Shingles("ab", 3).size(), 1u);           // shorter than k: the whole text
    EXPECT_TRUE(Shingles("，。！", 3).empty());        // nothing left
    EXPECT_EQ(Shingles("A，b", 2), Shingles("ab", 2));  // after normalisation
    auto s = Shingles("丽发新城搅拌站", 3);
    EXPECT_TRUE(std::is_sorted(s.begin(), s.end()));
    EXPECT_EQ(s.size(), 5u);
}

TEST(Jaccard, OfTwoShortStringsIsSharedOverAllShingles) {
    // {ab, bc, cd} and {ab, bc, ce}: 2 shared, 4 in all.
    EXPECT_DOUBLE_EQ(Jaccard(Shingles("abcd", 2), Shingles("abce", 2)), 0.5);
    // 丽发新城搅拌站 / 丽发新城搅拌厂: 5 trigrams each, 4 shared, 6 in all.
    EXPECT_DOUBLE_EQ(Jaccard(Shingles("丽发新城搅拌站", 3), Shingles("丽发新城搅拌厂", 3)), 4.0 / 6.0);
    EXPECT_DOUBLE_EQ(Overlap(Shingles("丽发新城搅拌站", 3), Shingles("丽发新城搅拌厂", 3)), 4.0 / 5.0);
    EXPECT_DOUBLE_EQ(Jaccard(Shingles("same", 2), Shingles("SAME!", 2)), 1.0);
    EXPECT_DOUBLE_EQ(Jaccard(Shingles("abc", 2), Shingles("xyz", 2)), 0.0);
    EXPECT_DOUBLE_EQ(Jaccard({}, {}), 0.0);
    EXPECT_DOUBLE_EQ(Overlap({}, Shingles("abc", 2)), 0.0);
}

// Sets of integers with a chosen Jaccard: {0..149} and {50..199} share 100 of 200 (J = 0.5).
std::vector<std::uint64_t> Range(std::uint64_t from, std::uint64_t to) {
    std::vector<std::uint64_t> v;
    for (std::uint64_t i = from; i < to; ++i) v.push_back(Mix64(i));
    std::sort(v.begin(), v.end());
    return v;
}

TEST(MinHash, EstimatesJaccardWithinThreeStandardErrors) {
    MinHasher h(256);
    const auto a = Range(0, 150), b = Range(50, 200);
    ASSERT_DOUBLE_EQ(Jaccard(a, b), 0.5);
    const double se = std::sqrt(0.5 * 0.5 / 256);  // 0.03125
    EXPECT_NEAR(MinHasher::Estimate(h.Signature(a), h.Signature(b)), 0.5, 3 * se);
    EXPECT_DOUBLE_EQ(MinHasher::Estimate(h.Signature(a), h.Signature(a)), 1.0);
    EXPECT_DOUBLE_EQ(MinHasher::Estimate(h.Signature(a), MinHasher(128).Signature(a)), 0.0);  // lengths differ
    EXPECT_EQ(h.Signature({}), std::vector<std::uint64_t>(256, UINT64_MAX));
}

TEST(LshIndex, FindsIdenticalSignaturesAndItsThresholdIsTheBandFormula) {
    MinHasher h(128);
    LshIndex lsh(32, 4);
    lsh.Add(7, h.Signature(Range(0, 100)));
    lsh.Add(8, h.Signature(Range(1000, 1100)));  // disjoint
    EXPECT_EQ(lsh.Candidates(h.Signature(Range(0, 100))), std::vector<std::int64_t>({7}));
    // (1/32)^(1/4) = 2^(-5/4) = 0.4204...
    EXPECT_NEAR(lsh.ApproxThreshold(), std::pow(2.0, -1.25), 1e-12);
    // A pair with J = 0.9 is a candidate with probability 1 - (1 - 0.9^4)^32 > 0.99999.
    EXPECT_EQ(lsh.Candidates(h.Signature(Range(0, 90))).front(), 7);
}

TEST(NaiveBayes, PosteriorOfATwoLetterExampleIsWorkedOutByHand) {
    // Unigrams, alpha 1: |V| = 2 (a, b), one token per class.
    // P(a|X) = (1+1)/(1+2) = 2/3, P(a|Y) = (0+1)/(1+2) = 1/3, equal priors: P(X|"a") = 2/3.
    auto m = NaiveBayesClassifier::Train({{"a", "X"}, {"b", "Y"}}, ClassifierOptions{1, 1, 1.0});
    auto s = m.Classify("a");
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].label, "X");
    EXPECT_NEAR(s[0].probability, 2.0 / 3.0, 1e-12);
    EXPECT_NEAR(s[1].probability, 1.0 / 3.0, 1e-12);
    // "aab": (2/3)^2 (1/3) vs (1/3)^2 (2/3): 4/27 vs 2/27 -> 2/3 for X.
    EXPECT_NEAR(m.Classify("aab")[0].probability, 2.0 / 3.0, 1e-12);
    // Unknown n-grams are ignored: the priors decide (1/2 each; ties keep label order).
    auto u = m.Classify("zz");
    EXPECT_NEAR(u[0].probability, 0.5, 1e-12);
    EXPECT_EQ(m.Labels(), std::vector<std::string>({"X", "Y"}));
}

TEST(NaiveBayes, CrossValidationOfSeparableClassesHasMacroF1One) {
    std::vector<LabelledText> ex;
    for (int i = 0; i < 10; ++i) {
        ex.push_back({"道路路灯桥梁" + std::to_string(i), "城乡建设"});
        ex.push_back({"污染噪音排污" + std::to_string(i), "环境保护"});
    }
    auto r = CrossValidate(ex, 5, ClassifierOptions{}, 1);
    EXPECT_EQ(r.folds, 5);
    EXPECT_EQ(r.examples, 20);
    EXPECT_DOUBLE_EQ(r.accuracy, 1.0);
    EXPECT_DOUBLE_EQ(r.macro_f1, 1.0);
    ASSERT_EQ(r.classes.size(), 2u);
    EXPECT_EQ(r.classes[0].support, 10);
}

TEST(NaiveBayes, ParsesTheLabelledMessagesCsv) {
    auto ex = ParseClassifiedMessages("留言编号,留言主题,留言详情,一级分类\n1,标题,详情,环境保护\n2,无类,x,\n");
    ASSERT_TRUE(ex.ok()) << ex.status().message();
    ASSERT_EQ(ex->size(), 1u);
    EXPECT_EQ((*ex)[0].text, "标题\n详情");
    EXPECT_EQ((*ex)[0].label, "环境保护");
    EXPECT_FALSE(ParseClassifiedMessages("a,b\n1,2\n").ok());
    // The built-in file: 348 rows with the 7 classes (data/README.md).
    auto built_in = ParseClassifiedMessages(kBuiltInClassifiedMessagesCsv);
    ASSERT_TRUE(built_in.ok());
    EXPECT_EQ(built_in->size(), 348u);
}

TEST(NaiveBayes, RepliesNamingUnitsOfExactlyOneClassLabelTheirMessage) {
    auto ex = LabelsFromReplies(
        "留言主题,留言详情,答复意见\n"
        "学校收费,详情一,已转市教育局调查处理\n"          // 教育文体
        "道路拥堵,详情二,交警支队与市交通运输局已会商\n"  // both units are 交通运输
        "噪音扰民,详情三,生态环境局和城管局联合执法\n"    // two classes: skipped
        "咨询,详情四,您好，已收悉\n");                    // no unit: skipped
    ASSERT_TRUE(ex.ok()) << ex.status().message();
    ASSERT_EQ(ex->size(), 2u);
    EXPECT_EQ((*ex)[0].label, "教育文体");
    EXPECT_EQ((*ex)[0].text, "学校收费\n详情一");
    EXPECT_EQ((*ex)[1].label, "交通运输");
    EXPECT_FALSE(LabelsFromReplies("留言主题,留言详情\na,b\n").ok());
}

ClusterItem Item(std::int64_t id, const std::string& text, const std::string& place, std::int64_t day,
                 const std::string& who, std::int64_t likes = 0) {
    return ClusterItem{id, Shingles(text, 3), place, day * 86400, likes, who};
}

TEST(HotIssues, LinkAlikeTextsOfCompatiblePlacesWithinTheGapAndRankByHeat) {
    std::vector<ClusterItem> items = {
        Item(1, "丽发新城搅拌站噪音扰民", "/1/4/", 0, "U1"),
        Item(2, "丽发新城搅拌站粉尘扰民", "/1/4/", 6, "U2"),   // J(1,2) = 5/13
        Item(3, "丽发新城搅拌站噪音扰民", "/1/", 10, "U3"),     // the city: compatible with /1/4/
        Item(4, "丽发新城搅拌站噪音扰民", "/2/5/", 2, "U4"),    // another place: never linked
        Item(5, "丽发新城搅拌站噪音扰民", "/1/4/", 60, "U5"),   // 50 days after item 3: too late
        Item(6, "伊景园滨河苑捆绑销售车位", "/1/5/", 1, "U6", 30),
        Item(7, "伊景园滨河苑捆绑销售车位", "/1/5/", 3, "U7", 12),
        Item(8, "请加快一圈二场三道建设", "/1/4/", 4, "U9"),
        Item(9, "请加快一圈二场三道建设", "/1/4/", 5, "U9"),   // one person twice: dropped
    };
    ClusterOptions at_day_10;
    at_day_10.now = 10 * 86400;
    auto c = ClusterHotIssues(items, at_day_10);
    ASSERT_EQ(c.size(), 2u);
    // Heat (docs/TEXT.md#hot-issues) at day 10: the 车位 cluster, 2 people with 42 likes, last on day 3:
    // (2 + log2 43) · 2^(-7/30) = 7.42626 · 0.85067 = 6.31728; the 搅拌站 cluster, 3 people, no likes,
    // last on day 10: 3 · 2^0 = 3.
    EXPECT_EQ(c[0].members, std::vector<std::size_t>({5, 6}));
    EXPECT_EQ(c[0].likes, 42);
    EXPECT_NEAR(c[0].heat, 6.31728, 1e-4);
    EXPECT_EQ(c[1].members, std::vector<std::size_t>({0, 1, 2}));
    EXPECT_EQ(c[1].submitters, 3u);
    EXPECT_EQ(c[1].first_at, 0);
    EXPECT_EQ(c[1].last_at, 10 * 86400);
    EXPECT_DOUBLE_EQ(c[1].heat, 3.0);
    // Mean similarity: item 0 and 2 are identical and 5/13 to item 1; item 1 scores 10/13: 0 first.
    EXPECT_EQ(c[1].representative, 0u);
    // Without `now`, ages count to the latest item (day 60): 搅拌站 3 · 2^(-50/30) = 0.94494, 车位
    // 7.42626 · 2^(-57/30) = 1.98982: the same order.
    auto d = ClusterHotIssues(items, ClusterOptions{});
    ASSERT_EQ(d.size(), 2u);
    EXPECT_NEAR(d[0].heat, 1.98982, 1e-4);
    EXPECT_NEAR(d[1].heat, 0.94494, 1e-4);

    // Recency: 4 people 60 days ago (4 · 2^-2 = 1) rank below 2 people today (2).
    std::vector<ClusterItem> aged = {
        Item(1, "甲乙丙丁戊", "/1/", 0, "A"), Item(2, "甲乙丙丁戊", "/1/", 0, "B"), Item(3, "甲乙丙丁戊", "/1/", 0, "C"),
        Item(4, "甲乙丙丁戊", "/1/", 0, "D"), Item(5, "子丑寅卯辰", "/1/", 60, "E"), Item(6, "子丑寅卯辰", "/1/", 60, "F"),
    };
    auto g = ClusterHotIssues(aged, ClusterOptions{});
    ASSERT_EQ(g.size(), 2u);
    EXPECT_EQ(g[0].members, std::vector<std::size_t>({4, 5}));
    EXPECT_DOUBLE_EQ(g[0].heat, 2.0);
    EXPECT_DOUBLE_EQ(g[1].heat, 1.0);

    // Equal people and size: more likes first.
    std::vector<ClusterItem> two = {
        Item(1, "甲乙丙丁戊", "/1/", 0, "A"), Item(2, "甲乙丙丁戊", "/1/", 1, "B"),
        Item(3, "子丑寅卯辰", "/1/", 0, "C", 5), Item(4, "子丑寅卯辰", "/1/", 1, "D"),
    };
    auto r = ClusterHotIssues(two, ClusterOptions{});
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].members, std::vector<std::size_t>({2, 3}));
    // Unknown submitters each count as a person.
    std::vector<ClusterItem> anon = {Item(1, "甲乙丙丁戊", "/1/", 0, ""), Item(2, "甲乙丙丁戊", "/1/", 1, "")};
    ASSERT_EQ(ClusterHotIssues(anon, ClusterOptions{}).size(), 1u);
}

}  // namespace
}  // namespace rectify::text
