// rectify_text_eval: the measured evaluation of the text module (docs/PERFORMANCE.md "Text mining").
//   1. near-duplicates: precision/recall of Jaccard(3-gram shingles) >= t against the hand-labelled
//      pairs in tests/data/text/duplicate_pairs.csv, and the share of positive pairs LSH banding keeps;
//   2. categories: stratified k-fold macro-F1 of the naive Bayes classifier on the labelled 问政
//      messages, without and with examples derived from the category taxonomy;
//   3. hot issues: the clusters of the 问政 messages with likes (附件3) against topics judged by
//      keyword rules written from reading the messages (not from the clusters).
// Usage: rectify_text_eval [--pairs F] [--classified F] [--taxonomy F] [--votes F] [--replies F] [--folds K] [--show N]
// (--show N lists the members of the N-th hot-issue cluster). Run from the repository root.
#include <algorithm>
#include <cstdio>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "common/csv.hpp"
#include "common/time.hpp"
#include "text/classifier.hpp"
#include "text/hot_issues.hpp"
#include "text/similarity.hpp"

using namespace rectify;
using namespace rectify::text;

namespace {

CsvTable MustRead(const std::string& path) {
    auto t = ReadCsvFile(path);
    if (!t.ok()) {
        std::fprintf(stderr, "%s: %s\n", path.c_str(), t.status().message().c_str());
        std::exit(1);
    }
    return *t;
}

std::string Cell(const CsvTable& t, const std::vector<std::string>& row, const char* name) {
    auto c = t.Column(name);
    if (!c) {
        std::fprintf(stderr, "missing column %s\n", name);
        std::exit(1);
    }
    return *c < row.size() ? row[*c] : std::string();
}

void Duplicates(const std::string& path) {
    CsvTable t = MustRead(path);
    struct Pair {
        double jaccard, estimate;
        bool same;
        bool lsh;
    };
    std::vector<Pair> pairs;
    MinHasher hasher(128);
    for (const auto& row : t.rows) {
        auto a = Shingles(Cell(t, row, "title_a") + "\n" + Cell(t, row, "text_a"), 3);
        auto b = Shingles(Cell(t, row, "title_b") + "\n" + Cell(t, row, "text_b"), 3);
        auto sa = hasher.Signature(a), sb = hasher.Signature(b);
        LshIndex lsh(32, 4);
        lsh.Add(1, sa);
        const bool cand = !lsh.Candidates(sb).empty();
        pairs.push_back({Jaccard(a, b), MinHasher::Estimate(sa, sb), Cell(t, row, "same_matter") == "1", cand});
    }
    int positives = 0;
    for (auto& p : pairs) positives += p.same ? 1 : 0;
    std::printf("== near-duplicates: %zu labelled pairs, %d same matter\n", pairs.size(), positives);
    std::printf("threshold  precision  recall  f1    (Jaccard of character 3-gram shingles of title+text)\n");
    for (double th : {0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}) {
        int tp = 0, fp = 0;
        for (auto& p : pairs) {
            if (p.jaccard >= th) (p.same ? tp : fp)++;
        }
        const double prec = tp + fp ? double(tp) / (tp + fp) : 1.0;
        const double rec = positives ? double(tp) / positives : 0.0;
        std::printf("%-9.2f  %-9.3f  %-6.3f  %.3f\n", th, prec, rec, prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0);
    }
    double err = 0;
    int kept = 0, above = 0;
    for (auto& p : pairs) {
        err += std::abs(p.estimate - p.jaccard);
        if (p.jaccard >= 0.5) {
            ++above;
            kept += p.lsh ? 1 : 0;
        }
    }
    std::printf("MinHash(128) mean |estimate - exact| = %.4f; LSH 32x4 keeps %d of %d pairs with Jaccard >= 0.5\n",
                err / pairs.size(), kept, above);
}

void Categories(const std::string& classified, const std::string& taxonomy, const std::string& replies, int folds) {
    auto text = ReadFile(classified);
    if (!text.ok()) {
        std::fprintf(stderr, "%s: %s\n", classified.c_str(), text.status().message().c_str());
        std::exit(1);
    }
    auto examples = ParseClassifiedMessages(*text);
    if (!examples.ok()) {
        std::fprintf(stderr, "%s\n", examples.status().message().c_str());
        std::exit(1);
    }
    // One example per top-level class: the names of its second- and third-level categories.
    CsvTable tax = MustRead(taxonomy);
    std::map<std::string, std::set<std::string>> names;
    for (const auto& row : tax.rows) {
        names[Cell(tax, row, "一级分类")].insert(Cell(tax, row, "二级分类"));
        names[Cell(tax, row, "一级分类")].insert(Cell(tax, row, "三级分类"));
    }
    std::vector<LabelledText> derived;
    for (const auto& [top, set] : names) {
        std::string joined = top;
        for (const auto& n : set) joined += " " + n;
        derived.push_back({joined, top});
    }
    auto reply_text = ReadFile(replies);
    if (!reply_text.ok()) {
        std::fprintf(stderr, "%s: %s\n", replies.c_str(), reply_text.status().message().c_str());
        std::exit(1);
    }
    auto weak = LabelsFromReplies(*reply_text);
    if (!weak.ok()) {
        std::fprintf(stderr, "%s\n", weak.status().message().c_str());
        std::exit(1);
    }
    std::vector<LabelledText> both = derived;
    both.insert(both.end(), weak->begin(), weak->end());
    std::printf("\n== categories: %zu labelled messages, %d-fold stratified cross-validation (seed 1)\n",
                examples->size(), folds);
    std::printf("weak labels from the replies: %zu messages\n", weak->size());
    std::printf("n-grams  alpha  extra training         accuracy  macro-F1\n");
    struct Variant {
        int min_n, max_n;
        double alpha;
        int extra;  // 0 none, 1 taxonomy, 2 taxonomy + replies
    };
    for (Variant v : std::vector<Variant>{{1, 1, 0.1, false}, {1, 2, 0.1, 0}, {1, 2, 0.5, 0},
                                          {1, 2, 1.0, 0}, {1, 3, 0.1, 0}, {2, 2, 0.1, 0},
                                          {1, 2, 0.1, 1}, {1, 2, 0.1, 2}}) {
        ClassifierOptions o{v.min_n, v.max_n, v.alpha};
        const auto& extra = v.extra == 0 ? std::vector<LabelledText>{} : v.extra == 1 ? derived : both;
        auto r = CrossValidate(*examples, folds, o, 1, extra);
        const char* name = v.extra == 0 ? "none" : v.extra == 1 ? "taxonomy" : "taxonomy + replies";
        std::printf("%d-%d      %-5.1f  %-21s  %-8.3f  %.3f\n", v.min_n, v.max_n, v.alpha, name, r.accuracy, r.macro_f1);
        if (v.min_n == 1 && v.max_n == 2 && v.alpha == 0.1 && v.extra != 1) {
            for (const auto& c : r.classes) {
                std::printf("    %-24s support %3d  P %.3f  R %.3f  F1 %.3f\n", c.label.c_str(), c.support,
                            c.precision, c.recall, c.f1);
            }
        }
    }
}

void HotIssues(const std::string& votes, int show) {
    CsvTable t = MustRead(votes);
    struct Topic {
        const char* name;
        bool (*match)(const std::string& title, const std::string& all);
    };
    auto has = [](const std::string& s, const char* w) { return s.find(w) != std::string::npos; };
    static auto has_s = has;
    // Judged topics: the hot issues the 泰迪杯 problem C's example names, written as keyword rules after
    // reading the matching messages (docs/PERFORMANCE.md lists them).
    std::vector<Topic> topics = {
        {"伊景园滨河苑捆绑销售车位",
         [](const std::string&, const std::string& a) {
             return (has_s(a, "伊景园") || has_s(a, "滨河苑")) && has_s(a, "车位");
         }},
        {"58车贷案", [](const std::string&, const std::string& a) { return has_s(a, "58车贷"); }},
        {"丽发新城附近搅拌站扰民",
         [](const std::string&, const std::string& a) { return has_s(a, "丽发新城") && has_s(a, "搅拌"); }},
        {"魅力之城小区临街门面油烟噪音扰民",
         [](const std::string& ti, const std::string&) {
             return has_s(ti, "魅力之城") && (has_s(ti, "油烟") || has_s(ti, "噪音") || has_s(ti, "门面") ||
                                             has_s(ti, "商铺") || has_s(ti, "餐馆") || has_s(ti, "烧烤"));
         }},
        {"经济学院组织学生外出实习打工",
         [](const std::string&, const std::string& a) {
             return has_s(a, "经济学院") && (has_s(a, "实习") || has_s(a, "工厂") || has_s(a, "寒假"));
         }},
    };
    std::vector<ClusterItem> items;
    std::vector<std::string> titles;
    std::vector<int> gold;
    std::regex district("A[0-9]+(区|县|市)");
    for (const auto& row : t.rows) {
        const std::string title = Cell(t, row, "留言主题"), body = Cell(t, row, "留言详情");
        auto at = ParseLocalDateTime(std::string(Cell(t, row, "留言时间")));
        if (!at.ok()) continue;
        ClusterItem it;
        it.id = std::stoll(Cell(t, row, "留言编号"));
        it.shingles = Shingles(title + "\n" + body, 3);
        // The import's routing (docs/DATA.md#wenzheng): the first district named in the title, else the text.
        std::smatch m;
        std::string place = "/A市/";
        if (std::regex_search(title, m, district) || std::regex_search(body, m, district)) place += m.str() + "/";
        it.place = place;
        it.at = *at;
        const std::string likes = Cell(t, row, "点赞数");
        it.likes = likes.empty() ? 0 : std::stoll(likes);
        it.submitter = Cell(t, row, "留言用户");
        int g = -1;
        for (std::size_t k = 0; k < topics.size(); ++k) {
            if (topics[k].match(title, title + body)) g = static_cast<int>(k);
        }
        gold.push_back(g);
        titles.push_back(title);
        items.push_back(std::move(it));
    }
    ClusterOptions options;
    auto clusters = ClusterHotIssues(items, options);
    std::printf("\n== hot issues: %zu messages (附件3), Jaccard >= %.2f, gap <= %lld days, compatible places: %zu clusters\n",
                items.size(), options.min_similarity, static_cast<long long>(options.max_gap_seconds / 86400),
                clusters.size());
    for (std::size_t k = 0; k < topics.size(); ++k) {
        std::size_t size = 0;
        for (int g : gold) size += g == static_cast<int>(k) ? 1 : 0;
        std::size_t best = 0, best_hits = 0;
        for (std::size_t c = 0; c < clusters.size(); ++c) {
            std::size_t hits = 0;
            for (std::size_t m : clusters[c].members) hits += gold[m] == static_cast<int>(k) ? 1 : 0;
            if (hits > best_hits) {
                best_hits = hits;
                best = c;
            }
        }
        if (best_hits == 0) {
            std::printf("topic %-36s %3zu messages: no cluster holds any\n", topics[k].name, size);
            continue;
        }
        std::printf("topic %-36s %3zu messages: best cluster #%zu of %zu members, precision %.2f recall %.2f\n",
                    topics[k].name, size, best + 1, clusters[best].members.size(),
                    double(best_hits) / clusters[best].members.size(), double(best_hits) / size);
    }
    std::printf("top 10 clusters (people, messages, likes, first..last, representative title):\n");
    for (std::size_t c = 0; c < clusters.size() && c < 10; ++c) {
        const auto& h = clusters[c];
        std::printf("%2zu. %3zu  %3zu  %5lld  %s..%s  %s\n", c + 1, h.submitters, h.members.size(), static_cast<long long>(h.likes),
                    FormatIso(h.first_at).substr(0, 10).c_str(), FormatIso(h.last_at).substr(0, 10).c_str(),
                    titles[h.representative].c_str());
    }
    if (show >= 1 && static_cast<std::size_t>(show) <= clusters.size()) {
        std::printf("members of cluster %d:\n", show);
        for (std::size_t m : clusters[show - 1].members) {
            std::printf("    %lld %s %s\n", static_cast<long long>(items[m].id), FormatIso(items[m].at).substr(0, 10).c_str(),
                        titles[m].c_str());
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::string pairs = "tests/data/text/duplicate_pairs.csv";
    std::string classified = "data/wenzheng/messages_classified.csv";
    std::string taxonomy = "data/categories/wenzheng_taxonomy.csv";
    std::string votes = "../shared/data/teddycup2020_c_gov_messages/messages_with_votes.csv";
    std::string replies = "data/wenzheng/messages_with_replies.csv";
    int folds = 5;
    int show = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--pairs") pairs = v;
        else if (k == "--classified") classified = v;
        else if (k == "--taxonomy") taxonomy = v;
        else if (k == "--votes") votes = v;
        else if (k == "--replies") replies = v;
        else if (k == "--folds") folds = std::stoi(v);
        else if (k == "--show") show = std::stoi(v);
        else {
            std::fprintf(stderr, "unknown option %s\n", k.c_str());
            return 2;
        }
    }
    Duplicates(pairs);
    Categories(classified, taxonomy, replies, folds);
    HotIssues(votes, show);
    return 0;
}
