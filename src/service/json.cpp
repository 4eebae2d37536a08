#include "service/json.hpp"

#include "domain/campaign.hpp"
#include "domain/json.hpp"

namespace rectify::service {

nlohmann::json ToJson(const Rate& r) {
    return {{"numerator", r.numerator},
            {"denominator", r.denominator},
            {"rate", r.rate ? nlohmann::json(*r.rate) : nlohmann::json(nullptr)}};
}

nlohmann::json ToJson(const OrgStats& s) {
    auto counts = [](const std::vector<std::pair<std::string, std::int64_t>>& v) {
        nlohmann::json o = nlohmann::json::object();
        for (const auto& [name, count] : v) o[name] = count;
        return o;
    };
    auto optional = [](const std::optional<std::int64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
    nlohmann::json by_category = nlohmann::json::array();
    for (const auto& c : s.by_category) {
        by_category.push_back({{"category_id", c.category_id ? nlohmann::json(*c.category_id) : nlohmann::json()},
                               {"path", c.path},
                               {"count", c.count}});
    }
    nlohmann::json weekly = nlohmann::json::array();
    for (const auto& w : s.weekly) {
        weekly.push_back({{"week_start", FormatIso(w.week_start)}, {"created", w.created}, {"closed", w.closed}});
    }
    nlohmann::json escalated_from = nlohmann::json::array();
    for (const auto& e : s.escalated_from) {
        escalated_from.push_back({{"org_id", e.org_id}, {"name", e.name}, {"problems", e.problems}});
    }
    return {{"org", domain::ToJson(s.org)},
            {"at", FormatIso(s.at)},
            {"problems", s.problems},
            {"by_status", counts(s.by_status)},
            {"by_source", counts(s.by_source)},
            {"by_category", by_category},
            {"closed", s.closed},
            {"open", s.open},
            {"completion", ToJson(s.completion)},
            {"overdue", s.overdue},
            {"due_soon", s.due_soon},
            {"overdue_rate", ToJson(s.overdue_rate)},
            {"closed_on_time", ToJson(s.closed_on_time)},
            {"median_days_to_close", optional(s.median_days_to_close)},
            {"p90_days_to_close", optional(s.p90_days_to_close)},
            {"weekly", weekly},
            {"opinions", s.opinions},
            {"opinions_replied", ToJson(s.opinions_replied)},
            {"satisfaction", ToJson(s.satisfaction)},
            {"stalled", s.stalled},
            {"stalled_days", s.stalled_days},
            {"escalated_from", escalated_from},
            {"escalated_up", s.escalated_up},
            {"cascaded_down", s.cascaded_down},
            {"cascaded_in", s.cascaded_in},
            {"co_owned", s.co_owned},
            {"supervised_this_month", s.supervised_this_month}};
}

nlohmann::json ToJson(const ProblemDetail& d) {
    nlohmann::json j = domain::ToJson(d.problem);
    j["owner"] = domain::ToJson(d.owner);
    j["category"] = d.category ? domain::ToJson(*d.category) : nlohmann::json(nullptr);
    j["opinion_ids"] = d.opinion_ids;
    // ---- workflow (issue 3) ----
    j["progress"] = d.progress ? nlohmann::json(*d.progress) : nlohmann::json(nullptr);
    j["task_count"] = d.task_count;
    j["next_actions"] = domain::NamesJson(domain::AllowedProblemActions(d.problem.status));
    // ---- linkage (issue 5) ----
    j["access"] = d.access == ProblemAccess::kFull ? "full" : "part";
    nlohmann::json escalations = nlohmann::json::array();
    for (const auto& e : d.escalations) escalations.push_back(domain::ToJson(e));
    j["escalations"] = std::move(escalations);
    j["co_owner_ids"] = d.co_owner_ids;
    // ---- campaigns (issue 5) ----
    j["campaign"] = d.campaign ? nlohmann::json{{"id", d.campaign->id}, {"code", d.campaign->code},
                                                {"name", d.campaign->name}}
                               : nlohmann::json(nullptr);
    nlohmann::json items = nlohmann::json::array();
    for (const auto& s : d.special_items) items.push_back({{"id", s.id}, {"code", s.code}, {"title", s.title}});
    j["special_items"] = std::move(items);
    // ---- root-cause analysis (issue 12) ----
    j["cause_analysis"] = d.cause_analysis ? domain::ToJson(*d.cause_analysis) : nlohmann::json(nullptr);
    nlohmann::json causes = nlohmann::json::array();
    for (const auto& c : d.causes) causes.push_back(domain::ToJson(c));
    j["causes"] = std::move(causes);
    return j;
}

// ---- campaigns (issue 5) ----

nlohmann::json ToJson(const CampaignDetail& d) {
    nlohmann::json j = domain::ToJson(d.campaign);
    j["owner"] = domain::ToJson(d.owner);
    nlohmann::json items = nlohmann::json::array();
    for (const auto& s : d.items) items.push_back(domain::ToJson(s));
    j["special_items"] = std::move(items);
    j["can_manage"] = d.can_manage;
    return j;
}

namespace {
nlohmann::json FiguresJson(const ItemFigures& f) {
    return {{"problems", f.counts.problems},       {"closed", f.counts.closed},
            {"open", f.counts.open},               {"overdue", f.counts.overdue},
            {"invalid_or_merged", f.counts.invalid_or_merged}, {"completion", ToJson(f.completion)},
            {"on_time", ToJson(f.on_time)}};
}
}  // namespace

nlohmann::json ToJson(const SpecialItemStats& s) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& [item, f] : s.items) {
        nlohmann::json row = FiguresJson(f);
        row["special_item"] = {{"id", item.id}, {"code", item.code}, {"title", item.title},
                               {"lead_org_id", item.lead_org_id ? nlohmann::json(*item.lead_org_id) : nlohmann::json()}};
        items.push_back(std::move(row));
    }
    nlohmann::json batches = nlohmann::json::array();
    for (const auto& b : s.by_org_batch) {
        nlohmann::json row = FiguresJson(b.figures);
        row["batch"] = b.batch;
        if (b.end) {
            row["batch_end"] = FormatIso(*b.end);
            row["after_batch_end"] = {{"created", b.phase.created_after_end},
                                      {"closed_by_end", b.phase.closed_by_end},
                                      {"closed_after_end", b.phase.closed_after_end},
                                      {"open_after_end", b.phase.open_after_end}};
        } else {
            row["batch_end"] = nullptr;
            row["after_batch_end"] = nullptr;
        }
        batches.push_back(std::move(row));
    }
    return {{"org", domain::ToJson(s.org)},
            {"campaign", {{"id", s.campaign.id}, {"code", s.campaign.code}, {"name", s.campaign.name}}},
            {"at", FormatIso(s.at)},
            {"items", std::move(items)},
            {"total", FiguresJson(s.total)},
            {"without_item", s.without_item},
            {"by_org_batch", std::move(batches)}};
}

nlohmann::json ToJson(const ImportReport& r) {
    nlohmann::json rejected = nlohmann::json::array();
    for (const auto& e : r.rejected) rejected.push_back({{"row", e.row}, {"column", e.column}, {"reason", e.reason}});
    return {{"kind", r.kind},
            {"file", r.file},
            {"rows_read", r.rows_read},
            {"rows_stored", r.rows_stored},
            {"rows_existing", r.rows_existing},
            {"rows_rejected", static_cast<std::int64_t>(r.rejected.size())},
            {"rejected", rejected}};
}

nlohmann::json ToJson(const store::Event& e) {
    auto parse = [](const std::optional<std::string>& s) {
        return s ? nlohmann::json::parse(*s, nullptr, false) : nlohmann::json(nullptr);
    };
    return {{"id", e.id},
            {"at", FormatIso(e.at)},
            {"actor", e.actor},
            {"entity", e.entity},
            {"entity_id", e.entity_id},
            {"action", e.action},
            {"before", parse(e.before_json)},
            {"after", parse(e.after_json)},
            {"from", e.from_state ? nlohmann::json(*e.from_state) : nlohmann::json(nullptr)},
            {"to", e.to_state ? nlohmann::json(*e.to_state) : nlohmann::json(nullptr)},
            {"reason", e.reason ? nlohmann::json(*e.reason) : nlohmann::json(nullptr)}};
}

// ---- workflow (issue 3) ----

nlohmann::json ToJson(const TimelineEntry& t) {
    return {{"at", FormatIso(t.at)},
            {"entity", t.entity},
            {"entity_id", t.entity_id},
            {"action", t.action},
            {"actor", t.actor},
            {"from", t.from ? nlohmann::json(*t.from) : nlohmann::json(nullptr)},
            {"to", t.to ? nlohmann::json(*t.to) : nlohmann::json(nullptr)},
            {"reason", t.reason ? nlohmann::json(*t.reason) : nlohmann::json(nullptr)},
            {"detail", t.detail},
            {"historical", t.historical},
            {"event_id", t.event_id ? nlohmann::json(*t.event_id) : nlohmann::json(nullptr)}};
}

nlohmann::json ToJson(const MeetingDetail& d) {
    nlohmann::json j = domain::ToJson(d.meeting);
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& f : d.findings) findings.push_back(domain::ToJson(f));
    j["findings"] = std::move(findings);
    return j;
}

nlohmann::json ToJson(const OpinionAccepted& a) {
    return {{"opinion", domain::ToJson(a.opinion)},
            {"problem", domain::ToJson(a.problem)},
            {"created_problem", a.created_problem}};
}

}  // namespace rectify::service
