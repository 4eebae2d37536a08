#include "text/classifier.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "common/csv.hpp"
#include "common/text.hpp"
#include "text/similarity.hpp"

namespace rectify::text {

Result<std::vector<LabelledText>> ParseClassifiedMessages(std::string_view csv) {
    ASSIGN_OR_RETURN(CsvTable table, ParseCsv(csv));
    auto title = table.Column("留言主题");
    auto detail = table.Column("留言详情");
    auto label = table.Column("一级分类");
    if (!title || !detail || !label) {
        return InvalidArgument("labelled messages: the header needs the columns 留言主题, 留言详情 and 一级分类");
    }
    std::vector<LabelledText> out;
    for (const auto& row : table.rows) {
        auto cell = [&](std::size_t i) { return i < row.size() ? row[i] : std::string(); };
        std::string l(TrimAscii(cell(*label)));
        if (l.empty()) continue;
        out.push_back({cell(*title) + "\n" + cell(*detail), std::move(l)});
    }
    return out;
}

Result<std::vector<LabelledText>> LabelsFromReplies(std::string_view csv) {
    // Unit names as they appear in the replies of the 问政 board, by the top-level class of the catalogue
    // (data/categories/wenzheng_taxonomy.csv) whose matters they handle.
    static const std::vector<std::pair<std::string, std::vector<std::string>>> kUnits = {
        {"教育文体", {"教育局", "教育厅", "教育体育局"}},
        {"劳动和社会保障", {"人力资源和社会保障", "人社局", "社保局", "社会保险"}},
        {"卫生计生", {"卫生健康委", "卫健委", "卫生局", "卫计委", "卫生计生"}},
        {"环境保护", {"生态环境局", "环保局", "环境保护局", "生态环境厅"}},
        {"交通运输", {"交通运输局", "交通局", "交警", "交通警察"}},
        {"商贸旅游", {"商务局", "旅游局", "文化旅游", "文旅局"}},
        {"城乡建设", {"住房和城乡建设", "住建局", "自然资源和规划", "国土资源局", "城市管理", "城管局", "规划局"}},
    };
    ASSIGN_OR_RETURN(CsvTable table, ParseCsv(csv));
    auto title = table.Column("留言主题");
    auto detail = table.Column("留言详情");
    auto reply = table.Column("答复意见");
    if (!title || !detail || !reply) {
        return InvalidArgument("replies: the header needs the columns 留言主题, 留言详情 and 答复意见");
    }
    std::vector<LabelledText> out;
    for (const auto& row : table.rows) {
        auto cell = [&](std::size_t i) { return i < row.size() ? row[i] : std::string(); };
        const std::string r = cell(*reply);
        const std::string* found = nullptr;
        bool several = false;
        for (const auto& [label, units] : kUnits) {
            for (const auto& u : units) {
                if (r.find(u) == std::string::npos) continue;
                if (found && *found != label) several = true;
                found = &label;
                break;
            }
        }
        if (found && !several) out.push_back({cell(*title) + "\n" + cell(*detail), *found});
    }
    return out;
}

std::vector<std::uint64_t> CharNgrams(std::string_view text, int min_n, int max_n) {
    const std::u32string t = Normalize(text);
    std::vector<std::uint64_t> out;
    for (int n = std::max(1, min_n); n <= max_n; ++n) {
        const auto nn = static_cast<std::size_t>(n);
        for (std::size_t i = 0; i + nn <= t.size(); ++i) {
            std::uint64_t h = Mix64(static_cast<std::uint64_t>(n));
            for (std::size_t j = i; j < i + nn; ++j) h = Mix64(h ^ static_cast<std::uint64_t>(t[j]));
            out.push_back(h);
        }
    }
    return out;
}

NaiveBayesClassifier NaiveBayesClassifier::Train(const std::vector<LabelledText>& examples,
                                                 const ClassifierOptions& options) {
    NaiveBayesClassifier m;
    m.options_ = options;
    std::map<std::string, std::size_t> index;
    for (const auto& e : examples) index.emplace(e.label, 0);
    for (const auto& [label, i] : index) m.labels_.push_back(label);
    std::size_t k = 0;
    for (auto& [label, i] : index) i = k++;
    const std::size_t classes = m.labels_.size();
    std::vector<double> docs(classes, 0.0);
    m.total_.assign(classes, 0.0);
    for (const auto& e : examples) {
        const std::size_t c = index[e.label];
        docs[c] += 1;
        for (std::uint64_t g : CharNgrams(e.text, options.min_n, options.max_n)) {
            auto& v = m.counts_[g];
            if (v.empty()) v.assign(classes, 0);
            ++v[c];
            m.total_[c] += 1;
        }
    }
    m.log_prior_.resize(classes);
    for (std::size_t c = 0; c < classes; ++c) {
        m.log_prior_[c] = std::log(docs[c] / static_cast<double>(examples.size()));
    }
    return m;
}

std::vector<ClassScore> NaiveBayesClassifier::Classify(std::string_view text) const {
    const std::size_t classes = labels_.size();
    if (classes == 0) return {};
    std::vector<double> score = log_prior_;
    const double v = static_cast<double>(counts_.size());
    std::vector<double> log_denominator(classes);
    for (std::size_t c = 0; c < classes; ++c) log_denominator[c] = std::log(total_[c] + options_.alpha * v);
    for (std::uint64_t g : CharNgrams(text, options_.min_n, options_.max_n)) {
        auto it = counts_.find(g);
        if (it == counts_.end()) continue;
        for (std::size_t c = 0; c < classes; ++c) {
            score[c] += std::log(it->second[c] + options_.alpha) - log_denominator[c];
        }
    }
    const double top = *std::max_element(score.begin(), score.end());
    double sum = 0;
    for (double& s : score) {
        s = std::exp(s - top);
        sum += s;
    }
    std::vector<ClassScore> out;
    for (std::size_t c = 0; c < classes; ++c) out.push_back({labels_[c], score[c] / sum});
    std::stable_sort(out.begin(), out.end(),
                     [](const ClassScore& a, const ClassScore& b) { return a.probability > b.probability; });
    return out;
}

CrossValidationReport CrossValidate(const std::vector<LabelledText>& examples, int folds,
                                    const ClassifierOptions& options, std::uint64_t seed,
                                    const std::vector<LabelledText>& extra_training) {
    CrossValidationReport r;
    folds = std::clamp(folds, 2, 20);
    r.folds = folds;
    r.examples = static_cast<int>(examples.size());
    // Stratified assignment.
    std::map<std::string, std::vector<std::size_t>> by_label;
    for (std::size_t i = 0; i < examples.size(); ++i) by_label[examples[i].label].push_back(i);
    std::vector<int> fold_of(examples.size(), 0);
    std::uint64_t state = seed;
    for (auto& [label, idx] : by_label) {
        for (std::size_t i = idx.size(); i > 1; --i) {  // Fisher-Yates
            state = Mix64(state);
            std::swap(idx[i - 1], idx[state % i]);
        }
        for (std::size_t i = 0; i < idx.size(); ++i) fold_of[idx[i]] = static_cast<int>(i % static_cast<std::size_t>(folds));
    }
    std::map<std::string, int> tp, fp, fn, support;
    int correct = 0;
    for (int f = 0; f < folds; ++f) {
        std::vector<LabelledText> train = extra_training;
        for (std::size_t i = 0; i < examples.size(); ++i) {
            if (fold_of[i] != f) train.push_back(examples[i]);
        }
        auto model = NaiveBayesClassifier::Train(train, options);
        for (std::size_t i = 0; i < examples.size(); ++i) {
            if (fold_of[i] != f) continue;
            const std::string& truth = examples[i].label;
            const std::string predicted = model.Classify(examples[i].text).front().label;
            ++support[truth];
            if (predicted == truth) {
                ++tp[truth];
                ++correct;
            } else {
                ++fp[predicted];
                ++fn[truth];
            }
        }
    }
    double f1_sum = 0;
    for (const auto& [label, idx] : by_label) {
        ClassReport c;
        c.label = label;
        c.support = support[label];
        const double t = tp[label];
        c.precision = t + fp[label] > 0 ? t / (t + fp[label]) : 0.0;
        c.recall = t + fn[label] > 0 ? t / (t + fn[label]) : 0.0;
        c.f1 = c.precision + c.recall > 0 ? 2 * c.precision * c.recall / (c.precision + c.recall) : 0.0;
        f1_sum += c.f1;
        r.classes.push_back(c);
    }
    r.macro_f1 = by_label.empty() ? 0.0 : f1_sum / static_cast<double>(by_label.size());
    r.accuracy = examples.empty() ? 0.0 : static_cast<double>(correct) / static_cast<double>(examples.size());
    return r;
}

}  // namespace rectify::text
