// Hot issues (热点问题, issue 9, docs/TEXT.md#hot-issues): clusters of opinions that are alike in text,
// place and time. Pure function over caller-supplied items; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rectify::text {

struct ClusterItem {
    std::int64_t id = 0;
    std::vector<std::uint64_t> shingles;  // text::Shingles(title + text, 3)
    // Where, as a materialised org path such as "/1/4/9/": two items are in compatible places when one
    // path is a prefix of the other (the same org, or one of them only names an ancestor, such as a
    // message to the city that names no district).
    std::string place;
    std::int64_t at = 0;     // UTC seconds
    std::int64_t likes = 0;  // 点赞数 where the source has them, else 0
    std::string submitter;   // who filed it (a pseudonym); empty: unknown, counted as a person of its own
};

struct ClusterOptions {
    double min_similarity = 0.05;                     // Jaccard of the shingle sets to link two items
    std::int64_t max_gap_seconds = 30 * 86400;        // link only items at most this far apart in time
    std::size_t min_size = 2;                         // smaller clusters are not hot issues
    std::size_t min_submitters = 2;                   // nor are clusters filed by fewer people (one
                                                      // person's serial messages are not a hot issue)
    // The rank (HotCluster::heat): the time the ages are counted to (UTC seconds; 0: the latest `at` of the
    // items) and the age at which a cluster's heat halves.
    std::int64_t now = 0;
    double half_life_days = 30;
};

struct HotCluster {
    std::vector<std::size_t> members;  // indices into the items, oldest first
    std::size_t representative = 0;    // index of the member with the highest mean similarity to the others
    std::int64_t first_at = 0;
    std::int64_t last_at = 0;
    std::int64_t likes = 0;  // sum over members
    std::size_t submitters = 0;  // distinct submitters (unknown ones each count)
    // The rank, docs/TEXT.md#hot-issues: (submitters + log2(1 + likes)) · 2^(−age / half_life_days), where
    // age = max(0, now − last_at) in days — how many people raise it, with likes counting
    // logarithmically (2,097 likes weigh as 11 people), halving every half_life_days without a new opinion.
    double heat = 0;
};

// Single-link clusters: items i and j are linked when their places are compatible, |at_i - at_j| <=
// max_gap_seconds and Jaccard(shingles) >= min_similarity; clusters are the connected components
// (union-find) of at least min_size items from at least min_submitters people. Ranked by heat (HotCluster),
// then size, then last_at (newest first), then the smallest member id. Pairs are compared in a sweep over the items sorted by time, so the
// cost is O(n · w) Jaccard computations for w items per time window. The representative is chosen
// among the first 200 members.
std::vector<HotCluster> ClusterHotIssues(const std::vector<ClusterItem>& items, const ClusterOptions& options);

}  // namespace rectify::text
