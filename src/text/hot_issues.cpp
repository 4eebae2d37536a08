#include "text/hot_issues.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "text/similarity.hpp"

namespace rectify::text {
namespace {

bool CompatiblePlaces(const std::string& a, const std::string& b) {
    const std::string& shorter = a.size() <= b.size() ? a : b;
    const std::string& longer = a.size() <= b.size() ? b : a;
    return longer.compare(0, shorter.size(), shorter) == 0;
}

struct UnionFind {
    std::vector<std::size_t> parent;
    explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
    std::size_t Find(std::size_t x) {
        while (parent[x] != x) {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        return x;
    }
    void Join(std::size_t a, std::size_t b) { parent[Find(a)] = Find(b); }
};

}  // namespace

std::vector<HotCluster> ClusterHotIssues(const std::vector<ClusterItem>& items, const ClusterOptions& options) {
    std::vector<std::size_t> order(items.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return items[a].at < items[b].at; });
    UnionFind uf(items.size());
    for (std::size_t x = 0; x < order.size(); ++x) {
        const ClusterItem& a = items[order[x]];
        for (std::size_t y = x + 1; y < order.size(); ++y) {
            const ClusterItem& b = items[order[y]];
            if (b.at - a.at > options.max_gap_seconds) break;
            if (uf.Find(order[x]) == uf.Find(order[y])) continue;
            if (!CompatiblePlaces(a.place, b.place)) continue;
            if (Jaccard(a.shingles, b.shingles) >= options.min_similarity) uf.Join(order[x], order[y]);
        }
    }
    std::int64_t now = options.now;
    if (now == 0) {
        for (const auto& it : items) now = std::max(now, it.at);
    }
    std::map<std::size_t, std::vector<std::size_t>> groups;
    for (std::size_t i : order) groups[uf.Find(i)].push_back(i);  // oldest first within a group
    std::vector<HotCluster> out;
    for (auto& [root, members] : groups) {
        if (members.size() < std::max<std::size_t>(1, options.min_size)) continue;
        std::set<std::string> people;
        std::size_t unknown = 0;
        for (std::size_t m : members) {
            if (items[m].submitter.empty()) {
                ++unknown;
            } else {
                people.insert(items[m].submitter);
            }
        }
        const std::size_t submitters = people.size() + unknown;
        if (submitters < options.min_submitters) continue;
        HotCluster c;
        c.submitters = submitters;
        c.members = members;
        c.first_at = items[members.front()].at;
        c.last_at = items[members.back()].at;
        for (std::size_t m : members) c.likes += items[m].likes;
        const double age_days = static_cast<double>(std::max<std::int64_t>(0, now - c.last_at)) / 86400.0;
        c.heat = (static_cast<double>(submitters) + std::log2(1.0 + static_cast<double>(c.likes))) *
                 std::exp2(-age_days / options.half_life_days);
        const std::size_t n = std::min<std::size_t>(members.size(), 200);
        double best = -1;
        for (std::size_t i = 0; i < n; ++i) {
            double sum = 0;
            for (std::size_t j = 0; j < n; ++j) {
                if (i != j) sum += Jaccard(items[members[i]].shingles, items[members[j]].shingles);
            }
            if (sum > best) {
                best = sum;
                c.representative = members[i];
            }
        }
        out.push_back(std::move(c));
    }
    auto min_id = [&](const HotCluster& c) {
        std::int64_t m = items[c.members.front()].id;
        for (std::size_t i : c.members) m = std::min(m, items[i].id);
        return m;
    };
    std::stable_sort(out.begin(), out.end(), [&](const HotCluster& a, const HotCluster& b) {
        if (a.heat != b.heat) return a.heat > b.heat;
        if (a.members.size() != b.members.size()) return a.members.size() > b.members.size();
        if (a.last_at != b.last_at) return a.last_at > b.last_at;
        return min_id(a) < min_id(b);
    });
    return out;
}

}  // namespace rectify::text
