// A deterministic generator of benchmark data: an org tree shaped like a Chinese province
// (1 > 11 cities > ~170 counties > ~2,000 townships > ~20,000 villages > ~178,000 branches) or a part of one
// (a city, a county), and problems with skewed owners, categories, sources, statuses and clustered deadlines.
// Used by bench/ only. The same options always give the same data (std::mt19937_64 and integer arithmetic,
// no std:: distributions, whose results differ between standard libraries). Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/time.hpp"
#include "domain/model.hpp"
#include "index/rollup_index.hpp"

namespace rectify::bench {

enum class Scale { kCounty, kCity, kProvince };

// "county", "city", "province"; ParseScale returns false for anything else.
const char* ScaleName(Scale scale);
bool ParseScale(const std::string& text, Scale& out);

struct GeneratorOptions {
    Scale scale = Scale::kCounty;
    std::uint64_t seed = 1;
    int problems_per_org = 10;  // on average; the province gets ~2,000,000
};

struct GeneratedData {
    // Orgs level by level (ids 1.. in that order, as an import of divisions assigns them), each with
    // parent_id, name, level (the keys below), path ("/1/5/23/") and created_at.
    std::vector<domain::Org> orgs;
    std::vector<std::string> levels;  // level keys from the top, e.g. province, city, county, ...
    std::vector<std::vector<domain::OrgId>> orgs_by_depth;  // orgs_by_depth[d]: the orgs d levels below the root
    std::vector<domain::CategoryId> categories;  // top-level category ids (1..20)
    std::vector<index::ProblemFacts> problems;   // ids 1..n
    UnixSeconds now = 0;  // "today" of the data set: created_at and closed_at lie before it
};

GeneratedData Generate(const GeneratorOptions& options);

// The province key (migration 014, docs/SCALING.md) of org `id` of `data`: the top-level org under the root
// that it lies in, read from its path's second id ("/1/5/23/" -> 5); the root's is its own id. The loaders
// write it beside each org and problem, as the store does. nullopt for an id not in data.orgs (the loaders
// then write NULL and their foreign-key check names the unknown org).
std::optional<domain::OrgId> ProvinceKey(const GeneratedData& data, domain::OrgId id);

}  // namespace rectify::bench
