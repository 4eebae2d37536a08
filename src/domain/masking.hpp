// The one place where personal details are removed from text that the public may read: the public
// notice board (整改公示) and every public answer of the portal and Open311 (issue 9). Called by
// src/service (public intake); the rules are listed in docs/PUBLIC.md#masking-rules and tested on
// real 问政 and Fuzhou 12345 messages in tests/domain/masking_test.cpp. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace rectify::domain {

// `text` (UTF-8) with personal details replaced, in this order:
//  1. ID numbers: 18-character resident identity numbers (GB 11643-1999: 17 digits and a digit or X)
//     and 15-digit first-generation numbers, not inside a longer run of digits → "[身份证号]".
//  2. E-mail addresses (local@domain.tld, the dot-atom form of RFC 5322 §3.4.1) → "[邮箱]".
//  3. Phone numbers, not inside a longer run of digits: mainland mobiles (1[3-9] and 9 more digits,
//     optionally after +86 / 86, with optional spaces or dashes as 3-4-4) and landlines with an area
//     code (0 and 2-3 digits, an optional dash, space or parentheses, 7-8 digits) → "[电话]".
//     Service numbers (12345, 110, 400/800 numbers) stay: they are not personal.
//  4. Names typed after a self-introduction. The name is the next 2-3 Han characters; it ends early at
//     a character that starts the rest of the sentence (是 今 现 男 女 家 住 来 出 身 系 在 的 于 从 和 因 年
//     电 手 目 原 退 一 已). Triggers:
//       - 我叫, 姓名：/姓名:, 联系人：/联系人: — always;
//       - 名叫, 联系人 (no colon) — when the name starts with a common surname (kCommonSurnames);
//       - 本人, 我是 — when the name starts with a common surname, is 2-3 characters and ends its
//         clause (punctuation, a space or the end follows): "本人陈良前，" is masked, "本人认为，" is not.
//     The surname stays and every further character becomes 某 (陈某某), the form Chinese public
//     notices use.
// Invalid UTF-8 bytes are passed through unchanged (stored text was checked on the way in).
std::string MaskPersonalDetails(std::string_view text);

// The surnames the name rules recognise: the 100 most common surnames of the 2020 census
// (公安部户政管理研究中心《二〇二〇年全国姓名报告》 ranks the first 100) plus a few more found in the
// real 问政 messages (涂, 喻, 易, 柳, 詹, 葛, 文, 洪, 牛, 欧, 庞, 樊, 兰, 殷, 谈, 邹, 祝).
extern const std::u32string_view kCommonSurnames;

}  // namespace rectify::domain
