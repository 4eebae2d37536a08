#include "http/text_api.hpp"

#include <cmath>

#include "common/time.hpp"
#include "http/detail/handler.hpp"
#include "http/detail/input.hpp"

namespace rectify::http {
namespace {

using detail::Json;
using detail::NoQuery;
using detail::PathId;
using detail::QueryReader;
using nlohmann::json;

// Scores and similarities to three decimals (what a person compares; avoids 0.30000000000000004).
double Round3(double v) { return std::round(v * 1000.0) / 1000.0; }

Result<Response> OpinionSuggestions(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "opinion id"));
    ASSIGN_OR_RETURN(auto s, c.service.SuggestForOpinion(c.actor, id));
    json categories = json::array();
    for (const auto& cat : s.categories) {
        categories.push_back({{"category_id", cat.category_id}, {"name", cat.name}, {"score", Round3(cat.score)}});
    }
    json duplicates = json::array();
    for (const auto& d : s.duplicates) {
        duplicates.push_back({{"kind", d.kind},
                              {"id", d.id},
                              {"title", d.title},
                              {"similarity", Round3(d.similarity)},
                              {"org_id", d.org_id},
                              {"status", d.status},
                              {"at", FormatIso(d.at)}});
    }
    return Json(200, {{"opinion_id", s.opinion_id},
                      {"categories", std::move(categories)},
                      {"duplicates", std::move(duplicates)},
                      {"duplicate_threshold", s.threshold},
                      {"compared", s.compared}});
}

Result<Response> HotIssues(const WorkflowContext& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"from", "to", "limit"}));
    service::HotIssueQuery query;
    ASSIGN_OR_RETURN(query.from, q.Time("from"));
    ASSIGN_OR_RETURN(query.to, q.Time("to"));
    ASSIGN_OR_RETURN(auto limit, q.IntInRange("limit", 1, 100));
    query.limit = limit.value_or(10);
    ASSIGN_OR_RETURN(auto id, PathId(a, "org id"));
    ASSIGN_OR_RETURN(auto h, c.service.FindHotIssues(c.actor, id, query));
    json items = json::array();
    for (const auto& i : h.items) {
        items.push_back({{"size", i.size},
                         {"people", i.people},
                         {"likes", i.likes},
                         {"heat", i.heat},
                         {"first_at", FormatIso(i.first_at)},
                         {"last_at", FormatIso(i.last_at)},
                         {"representative_id", i.representative_id},
                         {"title", i.title},
                         {"org_ids", i.org_ids},
                         {"opinion_ids", i.opinion_ids}});
    }
    return Json(200, {{"org_id", h.org_id},
                      {"from", FormatIso(h.from)},
                      {"to", FormatIso(h.to)},
                      {"opinions", h.opinions},
                      {"truncated", h.truncated},
                      {"items", std::move(items)}});
}

}  // namespace

void AddTextRoutes(const std::function<void(std::string, std::string_view, WorkflowHandler)>& add) {
    add("GET", "/api/v1/opinions/{id}/suggestions", OpinionSuggestions);
    add("GET", "/api/v1/orgs/{id}/hot-issues", HotIssues);
}

}  // namespace rectify::http
