// The masking rules of the public notice board (domain/masking.hpp), on real messages: the quoted
// inputs are excerpts of rows of the 2020 泰迪杯 问政 files (../shared/data/teddycup2020_c_gov_messages:
// messages_classified.csv, messages_with_replies.csv, messages_with_votes.csv) and the Fuzhou 12345
// river cases (fuzhou_citizen_complaints/fz12345_river_complaints.csv), found with
//   grep -o '.\{0,6\}\(我叫\|本人\|我是\|名叫\|联系人\).\{0,30\}'
// The expected outputs were written by hand from the rules in docs/PUBLIC.md#masking-rules.
#include <gtest/gtest.h>

#include "domain/masking.hpp"

namespace rectify::domain {
namespace {

TEST(Masking, KeepsTheSurnameOfANameAfter我叫InRealMessages) {
    // messages_classified.csv / messages_with_votes.csv, message 50:49
    EXPECT_EQ(MaskPersonalDetails("我叫涂愈，是一名普通的建筑业从业者，在这里求助！"),
              "我叫涂某，是一名普通的建筑业从业者，在这里求助！");
    // messages_classified.csv, message 28:10: the name runs into 出生 with no punctuation.
    EXPECT_EQ(MaskPersonalDetails("我叫黄娇国出生于1966年10月是D12市水泵总厂职工，1991年5月"),
              "我叫黄某某出生于1966年10月是D12市水泵总厂职工，1991年5月");
    // messages_with_votes.csv: the ID number was starred by the publisher already.
    EXPECT_EQ(MaskPersonalDetails("A市领导：我叫王桂三（身份证号为：*****************），是一位7"),
              "A市领导：我叫王某某（身份证号为：*****************），是一位7");
}

TEST(Masking, Masks本人And我是OnlyBeforeANameThatEndsTheClause) {
    // messages_with_votes.csv 27:10 and messages_with_replies.csv
    EXPECT_EQ(MaskPersonalDetails("本人黄友秀，女，现龄56岁，M5市，白马镇村民"), "本人黄某某，女，现龄56岁，M5市，白马镇村民");
    EXPECT_EQ(MaskPersonalDetails("发贫困证明。本人陈良前，男，汉族，曾经把青春献给了绿色军营。"),
              "发贫困证明。本人陈某某，男，汉族，曾经把青春献给了绿色军营。");
    EXPECT_EQ(MaskPersonalDetails("、出生与家庭我是张坤树，男，汉族，身份证号*****************，是A"),
              "、出生与家庭我是张某某，男，汉族，身份证号*****************，是A");
    // Not names: 本人认为 (fz12345_river_complaints.csv), 我是外地人 (messages_with_votes.csv).
    const std::string opinion = "4. 本人认为，单纯施工扰民问题不大，毕竟市民支持内河整治反过来对市民有利";
    EXPECT_EQ(MaskPersonalDetails(opinion), opinion);
    const std::string outsider = "书记：您好！我是外地人，2017年7月本科毕业后，一直在北京工作。";
    EXPECT_EQ(MaskPersonalDetails(outsider), outsider);
    const std::string long_clause = "本人认为政策不是用来效仿跟风的，除非是政府隐瞒了真实事实。";
    EXPECT_EQ(MaskPersonalDetails(long_clause), long_clause);
}

TEST(Masking, MasksNamesAfter联系人And名叫) {
    // messages_with_replies.csv (full-width colon and spaces) and messages_with_votes.csv (ASCII colon).
    EXPECT_EQ(MaskPersonalDetails("谢！  　　联系人：邹民为　　联系电话：[电话号码]　　2016年4月29日"),
              "谢！  　　联系人：邹某某　　联系电话：[电话号码]　　2016年4月29日");
    EXPECT_EQ(MaskPersonalDetails("410011联系人:谈君(东成大厦业委会主任)*****************特此"),
              "410011联系人:谈某(东成大厦业委会主任)*****************特此");
    // messages_with_replies.csv
    EXPECT_EQ(MaskPersonalDetails("的一位学子，名叫陈云秋，目前在外地大学任职。"), "的一位学子，名叫陈某某，目前在外地大学任职。");
    // 联系人 without a colon needs a surname: "联系人进行告知" is left alone.
    EXPECT_EQ(MaskPersonalDetails("请联系人进行告知。"), "请联系人进行告知。");
}

TEST(Masking, ReplacesPhoneNumbersIdNumbersAndEmailAddresses) {
    // The real messages were published with these already starred; these are made up in their shapes.
    EXPECT_EQ(MaskPersonalDetails("我的电话13812345678，请回电"), "我的电话[电话]，请回电");
    EXPECT_EQ(MaskPersonalDetails("电话：138-1234-5678。"), "电话：[电话]。");
    EXPECT_EQ(MaskPersonalDetails("call +86 138 1234 5678 now"), "call [电话] now");
    EXPECT_EQ(MaskPersonalDetails("座机0591-87654321或(010)12345678"), "座机[电话]或[电话]");
    EXPECT_EQ(MaskPersonalDetails("身份证号350102199001011234，"), "身份证号[身份证号]，");
    EXPECT_EQ(MaskPersonalDetails("身份证11010519491231002X号"), "身份证[身份证号]号");
    EXPECT_EQ(MaskPersonalDetails("旧证号350102900101123。"), "旧证号[身份证号]。");
    EXPECT_EQ(MaskPersonalDetails("邮箱zhang.san@example.com.cn。"), "邮箱[邮箱]。");
    EXPECT_EQ(MaskPersonalDetails("qq邮箱123456789@qq.com"), "qq邮箱[邮箱]");
}

TEST(Masking, LeavesServiceNumbersDatesAmountsAndOtherDigitsAlone) {
    const std::string text =
        "2019年4月25日拨打12345和110，400-123-4567也打了，交了3000元，编号20190425001，门牌138号，"
        "订单1381234567890123";
    EXPECT_EQ(MaskPersonalDetails(text), text);
    // Invalid UTF-8 bytes pass through unchanged.
    const std::string broken = std::string("ab\xFF") + "我叫李四，";
    EXPECT_EQ(MaskPersonalDetails(broken), std::string("ab\xFF") + "我叫李某，");
}

}  // namespace
}  // namespace rectify::domain
