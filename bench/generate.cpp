#include "bench/generate.hpp"

#include <algorithm>
#include <array>
#include <random>

namespace rectify::bench {
namespace {

using domain::ProblemSource;
using domain::ProblemStatus;

// Deterministic draws over std::mt19937_64, whose output sequence the standard fixes.
class Rng {
public:
    explicit Rng(std::uint64_t seed) : gen_(seed) {}
    // Uniform in [0, n), n > 0 (modulo bias below 2^-40 for the n used here).
    std::uint64_t Below(std::uint64_t n) { return gen_() % n; }
    std::int64_t Between(std::int64_t lo, std::int64_t hi) { return lo + static_cast<std::int64_t>(Below(static_cast<std::uint64_t>(hi - lo + 1))); }
    bool Percent(int p) { return Below(100) < static_cast<std::uint64_t>(p); }
    // Index drawn with the given integer weights.
    template <std::size_t N>
    std::size_t Weighted(const std::array<int, N>& w) {
        int total = 0;
        for (int x : w) total += x;
        auto r = static_cast<int>(Below(static_cast<std::uint64_t>(total)));
        for (std::size_t i = 0; i < N; ++i) {
            if (r < w[i]) return i;
            r -= w[i];
        }
        return N - 1;
    }

private:
    std::mt19937_64 gen_;
};

struct Level {
    const char* key;
    int min_children, max_children;  // children per org of the level above
};

// Fan-outs whose means give the province shape: 11, 15.5, 11.5, 10, 9 children per org.
constexpr Level kProvinceLevels[] = {{"province", 1, 1}, {"city", 11, 11},     {"county", 10, 21},
                                     {"township", 6, 17}, {"village", 5, 15}, {"branch", 4, 14}};

}  // namespace

const char* ScaleName(Scale scale) {
    switch (scale) {
        case Scale::kCounty: return "county";
        case Scale::kCity: return "city";
        case Scale::kProvince: return "province";
    }
    return "?";
}

bool ParseScale(const std::string& text, Scale& out) {
    for (Scale s : {Scale::kCounty, Scale::kCity, Scale::kProvince}) {
        if (text == ScaleName(s)) {
            out = s;
            return true;
        }
    }
    return false;
}

GeneratedData Generate(const GeneratorOptions& options) {
    Rng rng(options.seed);
    GeneratedData d;
    // 2020-09-01T00:00:00+08:00: a fixed "today", so the data does not depend on when it is generated.
    d.now = 1598889600;
    const std::size_t first_level = options.scale == Scale::kProvince ? 0 : options.scale == Scale::kCity ? 1 : 2;

    // ---- orgs, level by level ----
    std::vector<std::size_t> current;  // indexes into d.orgs of the level being expanded
    for (std::size_t li = first_level; li < std::size(kProvinceLevels); ++li) {
        const Level& level = kProvinceLevels[li];
        d.levels.push_back(level.key);
        std::vector<std::size_t> next;
        auto add = [&](std::optional<std::size_t> parent) {
            domain::Org o;
            o.id = static_cast<domain::OrgId>(d.orgs.size() + 1);
            o.level = level.key;
            o.kind = li == std::size(kProvinceLevels) - 1 ? domain::OrgKind::kRural : domain::OrgKind::kPartyGovAgency;
            o.created_at = d.now - 5 * 365 * kSecondsPerDay;
            if (parent) {
                const domain::Org& p = d.orgs[*parent];
                o.parent_id = p.id;
                o.path = p.path + std::to_string(o.id) + "/";
                o.name = p.name + "-" + std::to_string(o.id);
            } else {
                o.path = std::string("/") + std::to_string(o.id) + "/";
                o.name = std::string(level.key) + "-" + std::to_string(o.id);
            }
            next.push_back(d.orgs.size());
            d.orgs.push_back(std::move(o));
        };
        if (current.empty()) {
            add(std::nullopt);
        } else {
            for (std::size_t parent : current) {
                auto n = rng.Between(level.min_children, level.max_children);
                for (std::int64_t i = 0; i < n; ++i) add(parent);
            }
        }
        std::vector<domain::OrgId> ids;
        for (std::size_t i : next) ids.push_back(d.orgs[i].id);
        d.orgs_by_depth.push_back(std::move(ids));
        current = std::move(next);
    }

    // ---- problems ----
    for (domain::CategoryId c = 1; c <= 20; ++c) d.categories.push_back(c);
    // Where problems are owned: mostly at the bottom (branches, villages), a share at every level above.
    // Weights per depth from the bottom: branch 70, village 20, township 7, county 2.5, city and up 0.5 (x10).
    const std::array<int, 5> depth_weight{700, 200, 70, 25, 5};
    const std::size_t depths = d.orgs_by_depth.size();
    // Top-level categories: Zipf-like weights 60/k over 20 categories, ~8% uncategorised.
    std::array<int, 21> category_weight{};
    category_weight[0] = 100;
    for (std::size_t k = 1; k <= 20; ++k) category_weight[k] = static_cast<int>(600 / k);
    const std::array<int, 8> source_weight{45, 20, 10, 8, 6, 4, 4, 3};  // domain::ProblemSource order
    // Campaign deadlines: end of each quarter, 23:59:59 +08:00, from 2017-09-30 to 2021-03-31 (many problems
    // share one instant, as in real rectification lists).
    std::vector<UnixSeconds> campaign_deadlines;
    for (int y = 2017; y <= 2021; ++y) {
        for (int m : {3, 6, 9, 12}) {
            int day = m == 3 || m == 12 ? 31 : 30;
            // Days since 1970 of y-m-day (H. Hinnant's days_from_civil), then 23:59:59 at +08:00.
            int yy = m <= 2 ? y - 1 : y;
            int era = yy / 400;
            int yoe = yy - era * 400;
            int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + day - 1;
            int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
            std::int64_t days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
            campaign_deadlines.push_back(days * kSecondsPerDay + 86399 - 8 * 3600);
        }
    }
    const std::int64_t total = static_cast<std::int64_t>(d.orgs.size()) * options.problems_per_org;
    d.problems.reserve(static_cast<std::size_t>(total));
    const UnixSeconds span = 3 * 365 * kSecondsPerDay;
    for (std::int64_t i = 0; i < total; ++i) {
        index::ProblemFacts f;
        f.id = i + 1;
        // Owner: a depth from the bottom by weight, then an org of that depth, skewed to the low ids
        // (u^2 on [0,1): a quarter of the orgs get half of the problems).
        std::size_t from_bottom = std::min(rng.Weighted(depth_weight), depths - 1);
        const auto& level = d.orgs_by_depth[depths - 1 - from_bottom];
        std::uint64_t u = rng.Below(1u << 20);
        f.owner_org_id = level[static_cast<std::size_t>((u * u * level.size()) >> 40)];
        std::size_t c = rng.Weighted(category_weight);
        if (c > 0) f.top_category_id = d.categories[c - 1];
        f.source = static_cast<ProblemSource>(rng.Weighted(source_weight));
        f.created_at = d.now - 1 - static_cast<UnixSeconds>(rng.Below(static_cast<std::uint64_t>(span)));
        const std::int64_t age_days = (d.now - f.created_at) / kSecondsPerDay;
        // Due: 10% none; 25% a campaign deadline after creation; otherwise 7..180 days, often a round month.
        if (!rng.Percent(10)) {
            if (rng.Percent(25)) {
                auto it = std::upper_bound(campaign_deadlines.begin(), campaign_deadlines.end(), f.created_at);
                f.due_at = it == campaign_deadlines.end() ? campaign_deadlines.back() : *it;
            } else if (rng.Percent(50)) {
                f.due_at = f.created_at + rng.Between(1, 6) * 30 * kSecondsPerDay;
            } else {
                f.due_at = f.created_at + rng.Between(7 * kSecondsPerDay, 180 * kSecondsPerDay);
            }
        }
        // Status: the older, the likelier closed; a few invalid or merged; the rest spread over open states.
        int closed_percent = age_days > 180 ? 88 : age_days > 60 ? 60 : 25;
        if (rng.Percent(closed_percent)) {
            f.status = ProblemStatus::kClosed;
            if (!rng.Percent(5)) {  // 5% closed without a recorded closing time (old imports)
                // Days to close: mostly within the due period, with a long tail.
                std::int64_t days = rng.Percent(70) ? rng.Between(0, 45) : rng.Between(30, 400);
                f.closed_at = std::min(d.now - 1, f.created_at + days * kSecondsPerDay +
                                                      static_cast<UnixSeconds>(rng.Below(kSecondsPerDay)));
            }
        } else {
            static constexpr std::array<int, 6> kOpenWeights{20, 20, 45, 15, 3, 2};
            static constexpr std::array<ProblemStatus, 6> kOpen{ProblemStatus::kRegistered, ProblemStatus::kPlanned,
                                                                ProblemStatus::kInProgress,
                                                                ProblemStatus::kPendingVerification,
                                                                ProblemStatus::kInvalid, ProblemStatus::kMerged};
            f.status = kOpen[rng.Weighted(kOpenWeights)];
        }
        d.problems.push_back(f);
    }
    return d;
}

std::optional<domain::OrgId> ProvinceKey(const GeneratedData& data, domain::OrgId id) {
    if (id < 1 || static_cast<std::size_t>(id) > data.orgs.size()) return std::nullopt;
    const std::string& path = data.orgs[static_cast<std::size_t>(id - 1)].path;  // ids 1.. in order
    const std::size_t second = path.find('/', 1) + 1;                             // after "/<root>/"
    if (second >= path.size()) return id;                                         // the root: "/1/"
    return domain::OrgId{std::stoll(path.substr(second, path.find('/', second) - second))};
}

}  // namespace rectify::bench
