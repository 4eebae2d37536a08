// Category suggestion for opinions (issue 9, docs/TEXT.md#categories): a multinomial naive Bayes
// classifier over character n-grams of the normalised text (text::Normalize), with k-fold
// cross-validation for the evaluation. The service trains one at start-up from the labelled 问政
// messages built into the binary (data/wenzheng/messages_classified.csv) and the category catalogue.
// A trained classifier is immutable: Classify is thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.hpp"

namespace rectify::text {

// data/wenzheng/messages_classified.csv (附件2 of the 2020 泰迪杯 problem C), built into the binary.
extern const char* const kBuiltInClassifiedMessagesCsv;

struct LabelledText {
    std::string text;
    std::string label;
};

struct ClassScore {
    std::string label;
    double probability = 0;  // posterior P(label | text) under the model, 0..1; the scores sum to 1
};

struct ClassifierOptions {
    int min_n = 1;       // shortest character n-gram (code points)
    int max_n = 2;       // longest
    double alpha = 0.1;  // additive (Lidstone) smoothing of the n-gram counts
};

// Multinomial naive Bayes (Manning, Raghavan, Schütze, Introduction to Information Retrieval, §13.2):
// log P(c) + Σ_t count(t) log P(t | c) with P(t | c) = (n(t,c) + alpha) / (n(c) + alpha |V|), where t
// runs over the character n-grams of Normalize(text) and V is the training vocabulary (n-grams never
// seen in training are ignored). Priors are the class shares of the training set.
class NaiveBayesClassifier {
public:
    // Trains on `examples` (labels are any strings; at least one example). Texts may be empty.
    static NaiveBayesClassifier Train(const std::vector<LabelledText>& examples, const ClassifierOptions& options = {});
    // Every label with its posterior, highest first (ties by label). Empty before training.
    std::vector<ClassScore> Classify(std::string_view text) const;
    // The labels seen in training, sorted.
    const std::vector<std::string>& Labels() const { return labels_; }
    std::size_t VocabularySize() const { return counts_.size(); }

private:
    ClassifierOptions options_;
    std::vector<std::string> labels_;
    std::vector<double> log_prior_;
    std::vector<double> total_;  // n-gram tokens per class
    std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> counts_;  // n-gram -> count per class
};

// The labelled messages of a CSV with the columns 留言主题, 留言详情 and 一级分类 (as
// data/wenzheng/messages_classified.csv): text = title + "\n" + detail, label = 一级分类 (trimmed).
// Rows with an empty label are skipped. Errors: kInvalidArgument (bad CSV, missing column).
Result<std::vector<LabelledText>> ParseClassifiedMessages(std::string_view csv);

// Weak labels from official replies (docs/TEXT.md#categories): a message whose reply names handling units
// of exactly one top-level class (教育局 → 教育文体, 人社局 → 劳动和社会保障, 卫健委 → 卫生计生, 生态环境局 →
// 环境保护, 交通运输局 / 交警 → 交通运输, 商务局 / 文旅局 → 商贸旅游, 住建局 / 自然资源和规划局 / 城管局 → 城乡建设;
// the full table is in classifier.cpp) gets that class. Input: a CSV with 留言主题, 留言详情 and 答复意见
// (data/wenzheng/messages_with_replies.csv). Messages naming no unit, or units of several classes, are
// skipped. Errors: kInvalidArgument (bad CSV, missing column).
Result<std::vector<LabelledText>> LabelsFromReplies(std::string_view csv);

// The hashed n-grams (lengths min_n..max_n, with repeats) of Normalize(text).
std::vector<std::uint64_t> CharNgrams(std::string_view text, int min_n, int max_n);

struct ClassReport {
    std::string label;
    int support = 0;  // test examples with this label
    double precision = 0;
    double recall = 0;
    double f1 = 0;
};

struct CrossValidationReport {
    int folds = 0;
    int examples = 0;
    double accuracy = 0;
    double macro_f1 = 0;             // unweighted mean of the per-class F1 over the labels of `examples`
    std::vector<ClassReport> classes;  // sorted by label
};

// Stratified k-fold cross-validation: the examples of each label are shuffled with `seed` (SplitMix64)
// and dealt round-robin into `folds` folds (2..20); each fold is predicted by a model trained on the
// others plus `extra_training` (examples that are never tested, e.g. derived from the taxonomy).
// Precision, recall and F1 are pooled over all folds (one confusion matrix).
CrossValidationReport CrossValidate(const std::vector<LabelledText>& examples, int folds,
                                    const ClassifierOptions& options, std::uint64_t seed,
                                    const std::vector<LabelledText>& extra_training = {});

}  // namespace rectify::text
