// Possible duplicates, category suggestions and hot issues (issue 9, docs/TEXT.md) over the text module.
#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <set>

#include <spdlog/spdlog.h>

#include "common/time.hpp"
#include "service/service.hpp"
#include "text/classifier.hpp"
#include "text/hot_issues.hpp"
#include "text/similarity.hpp"

namespace rectify::service {
namespace {

constexpr int kShingleLength = 3;

struct CategoryModel {
    text::NaiveBayesClassifier classifier;
    std::map<std::string, domain::CategoryId> top_level;  // name -> id of the catalogue's top level
    Status status = Status::Ok();
};

// Trained once per process on first use (docs/PERFORMANCE.md#text-mining gives the cost): the built-in
// labelled messages plus one example per top-level category made of the names of its descendants
// (docs/TEXT.md#categories).
const CategoryModel& Model(const std::vector<domain::Category>& catalogue) {
    static std::once_flag once;
    static CategoryModel model;
    std::call_once(once, [&] {
        const auto started = std::chrono::steady_clock::now();
        auto examples = text::ParseClassifiedMessages(text::kBuiltInClassifiedMessagesCsv);
        if (!examples.ok()) {
            model.status = examples.status();
            return;
        }
        std::map<domain::CategoryId, const domain::Category*> by_id;
        for (const auto& c : catalogue) by_id[c.id] = &c;
        std::map<domain::CategoryId, std::string> derived;
        for (const auto& c : catalogue) {
            const domain::Category* top = &c;
            while (top->parent_id && by_id.count(*top->parent_id)) top = by_id[*top->parent_id];
            if (top->depth != 1) continue;
            model.top_level[top->name] = top->id;
            derived[top->id] += (derived[top->id].empty() ? "" : " ") + c.name;
        }
        for (const auto& [id, text] : derived) examples->push_back({text, by_id[id]->name});
        model.classifier = text::NaiveBayesClassifier::Train(*examples, text::ClassifierOptions{});
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        spdlog::info("category model trained in {} ms: {} examples, {} classes, {} n-grams", ms.count(), examples->size(),
                     model.classifier.Labels().size(), model.classifier.VocabularySize());
    });
    return model;
}

bool IsOpenProblem(domain::ProblemStatus s) {
    return s == domain::ProblemStatus::kRegistered || s == domain::ProblemStatus::kPlanned ||
           s == domain::ProblemStatus::kInProgress || s == domain::ProblemStatus::kPendingVerification;
}

}  // namespace

Result<OpinionSuggestions> Service::SuggestForOpinion(const Actor& actor, domain::OpinionId id) {
    ASSIGN_OR_RETURN(domain::Opinion opinion, GetOpinion(actor, id));
    OpinionSuggestions out;
    out.opinion_id = id;
    out.threshold = kDuplicateThreshold;
    const std::string text = opinion.title + "\n" + opinion.text;

    ASSIGN_OR_RETURN(auto catalogue, store_->ListCategories());
    const CategoryModel& model = Model(catalogue);
    if (!model.status.ok()) return model.status;
    for (const auto& score : model.classifier.Classify(text)) {
        auto it = model.top_level.find(score.label);
        if (it == model.top_level.end()) continue;  // a class the catalogue does not have
        out.categories.push_back({it->second, score.label, score.probability});
        if (out.categories.size() == 3) break;
    }

    const auto shingles = text::Shingles(text, kShingleLength);
    ASSIGN_OR_RETURN(auto paths, ScopePaths(actor, std::nullopt));
    std::vector<DuplicateSuggestion> found;

    store::OpinionFilter of;
    of.subtree_paths = paths;
    of.statuses = {domain::OpinionStatus::kReceived, domain::OpinionStatus::kAccepted};
    of.received_from = opinion.received_at - kDuplicateWindowSeconds;
    of.received_to = opinion.received_at + kDuplicateWindowSeconds + 1;
    of.limit = kDuplicateCandidateLimit;
    ASSIGN_OR_RETURN(auto opinions, store_->ListOpinions(of));
    for (const auto& o : opinions) {
        if (o.id == id) continue;
        ++out.compared;
        const double j = text::Jaccard(shingles, text::Shingles(o.title + "\n" + o.text, kShingleLength));
        if (j >= kDuplicateThreshold) {
            found.push_back({"opinion", o.id, o.title, j, o.org_id, std::string(domain::ToString(o.status)), o.received_at});
        }
    }

    store::ProblemFilter pf;
    pf.subtree_paths = paths;
    pf.statuses = {domain::ProblemStatus::kRegistered, domain::ProblemStatus::kPlanned,
                   domain::ProblemStatus::kInProgress, domain::ProblemStatus::kPendingVerification};
    pf.now = NowSeconds();
    pf.limit = kDuplicateCandidateLimit;
    ASSIGN_OR_RETURN(auto problems, store_->ListProblems(pf));
    for (const auto& p : problems) {
        if (opinion.problem_id && *opinion.problem_id == p.id) continue;
        if (!IsOpenProblem(p.status)) continue;
        ++out.compared;
        const double j = text::Jaccard(shingles, text::Shingles(p.title + "\n" + p.description, kShingleLength));
        if (j >= kDuplicateThreshold) {
            found.push_back({"problem", p.id, p.title, j, p.owner_org_id, std::string(domain::ToString(p.status)), p.created_at});
        }
    }
    std::stable_sort(found.begin(), found.end(), [](const DuplicateSuggestion& a, const DuplicateSuggestion& b) {
        if (a.similarity != b.similarity) return a.similarity > b.similarity;
        if (a.kind != b.kind) return a.kind > b.kind;  // problems first: linking to a problem is the usual step
        return a.id > b.id;
    });
    if (found.size() > kMaxDuplicateSuggestions) found.resize(kMaxDuplicateSuggestions);
    out.duplicates = std::move(found);
    return out;
}

Result<HotIssues> Service::FindHotIssues(const Actor& actor, domain::OrgId org_id, const HotIssueQuery& query) {
    if (query.limit < 1 || query.limit > 100) return InvalidArgument("limit: expected 1 to 100");
    HotIssues out;
    out.org_id = org_id;
    out.to = query.to.value_or(NowSeconds());
    out.from = query.from.value_or(out.to - 90 * 86400);
    if (out.from >= out.to) return InvalidArgument("from: must be before to");
    ASSIGN_OR_RETURN(auto paths, ScopePaths(actor, org_id));

    // The cache: the same scope, org, window (as asked: a default `to` is "now" within the entry's age) and
    // limit, while no opinion or org changed and for at most kHotIssueCacheSeconds.
    std::string key = std::to_string(org_id) + "|" + (query.from ? std::to_string(*query.from) : "-") + "|" +
                      (query.to ? std::to_string(*query.to) : "-") + "|" + std::to_string(query.limit);
    for (const auto& p : paths) key += "|" + p;
    const std::int64_t generation = hot_generation_.load();
    const std::int64_t now_ms = NowMillis();
    {
        std::lock_guard lock(hot_mutex_);
        auto it = hot_cache_.find(key);
        if (it != hot_cache_.end() && it->second.generation == generation &&
            now_ms - it->second.stored_at_ms < kHotIssueCacheSeconds * 1000) {
            return it->second.value;
        }
    }
    ASSIGN_OR_RETURN(HotIssues computed, ComputeHotIssues(paths, query, out));
    std::lock_guard lock(hot_mutex_);
    if (hot_cache_.size() >= kHotIssueCacheEntries) hot_cache_.clear();
    hot_cache_[key] = HotIssueCacheEntry{computed, generation, now_ms};
    return computed;
}

Result<HotIssues> Service::ComputeHotIssues(const std::vector<std::string>& paths, const HotIssueQuery& query,
                                            HotIssues out) {
    store::OpinionFilter f;
    f.subtree_paths = paths;
    f.statuses = {domain::OpinionStatus::kReceived, domain::OpinionStatus::kAccepted};
    f.received_from = out.from;
    f.received_to = out.to;
    f.limit = kHotIssueOpinionLimit + 1;
    ASSIGN_OR_RETURN(auto opinions, store_->ListOpinions(f));
    if (opinions.size() > static_cast<std::size_t>(kHotIssueOpinionLimit)) {
        out.truncated = true;
        opinions.resize(kHotIssueOpinionLimit);
    }
    out.opinions = static_cast<std::int64_t>(opinions.size());

    auto tree = Tree();
    std::map<domain::OrgId, std::string> place_of;
    auto place = [&](domain::OrgId org) -> const std::string& {
        auto it = place_of.find(org);
        if (it != place_of.end()) return it->second;
        std::vector<domain::OrgId> chain;
        for (std::optional<domain::OrgId> o = org; o; o = tree->Parent(*o)) chain.push_back(*o);
        std::string p = "/";
        for (auto i = chain.rbegin(); i != chain.rend(); ++i) p += std::to_string(*i) + "/";
        return place_of.emplace(org, std::move(p)).first->second;
    };
    std::vector<text::ClusterItem> items;
    items.reserve(opinions.size());
    for (const auto& o : opinions) {
        text::ClusterItem it;
        it.id = o.id;
        it.shingles = text::Shingles(o.title + "\n" + o.text, kShingleLength);
        it.place = place(o.org_id);
        it.at = o.received_at;
        it.submitter = o.submitter.value_or("");
        it.likes = o.likes;
        items.push_back(std::move(it));
    }
    text::ClusterOptions options;
    options.now = out.to;  // ages count to the end of the window
    auto clusters = text::ClusterHotIssues(items, options);
    for (const auto& c : clusters) {
        if (out.items.size() == static_cast<std::size_t>(query.limit)) break;
        HotIssue h;
        h.size = static_cast<std::int64_t>(c.members.size());
        h.people = static_cast<std::int64_t>(c.submitters);
        h.likes = c.likes;
        h.heat = c.heat;
        h.first_at = c.first_at;
        h.last_at = c.last_at;
        h.representative_id = opinions[c.representative].id;
        h.title = opinions[c.representative].title;
        std::set<domain::OrgId> orgs;
        for (std::size_t m : c.members) {
            h.opinion_ids.push_back(opinions[m].id);
            orgs.insert(opinions[m].org_id);
        }
        h.org_ids.assign(orgs.begin(), orgs.end());
        out.items.push_back(std::move(h));
    }
    return out;
}

}  // namespace rectify::service
