// JSON forms of the service results (stats, problem detail, import reports, pages), shared by the HTTP
// API and the CLI so both print the same shapes. Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include "service/service.hpp"

namespace rectify::service {

// {"numerator": n, "denominator": d, "rate": r|null}
nlohmann::json ToJson(const Rate& rate);
// {"org": Org, "problems": n, "by_status": {"registered": n, ...}, "by_category": [{"category_id",
//  "path", "count"}], "closed": n, "closed_on_time": Rate, "median_days_to_close": x|null,
//  "opinions": n, "opinions_replied": Rate}
nlohmann::json ToJson(const OrgStats& stats);
// Problem fields plus "owner": Org, "category": Category|null, "opinion_ids": [..]
nlohmann::json ToJson(const ProblemDetail& detail);
// {"kind", "file", "rows_read", "rows_stored", "rows_existing", "rows_rejected",
//  "rejected": [{"row", "column", "reason"}]}
nlohmann::json ToJson(const ImportReport& report);
// {"id", "at", "actor", "entity", "entity_id", "action", "before": json|null, "after": json|null,
//  "from", "to", "reason": string|null (transitions, issue 3)}
nlohmann::json ToJson(const store::Event& event);

// ---- campaigns (issue 5) ----
// Campaign fields plus "owner": Org, "special_items": [SpecialItem], "can_manage": bool
nlohmann::json ToJson(const CampaignDetail& detail);
// {"org": Org, "campaign": {"id", "code", "name"}, "at", "items": [{"special_item": SpecialItem,
//  "problems", "closed", "open", "overdue", "invalid_or_merged", "completion": Rate, "on_time": Rate}],
//  "total": {same without special_item}, "without_item": n, "by_org_batch": [{"batch": 0|1|2, ...,
//  "batch_end": RFC 3339 | null, "after_batch_end": {"created", "closed_by_end", "closed_after_end",
//  "open_after_end"} | null}]}
nlohmann::json ToJson(const SpecialItemStats& stats);

// ---- study and research (issue 12, docs/STUDY.md; defined in study.cpp) ----
// ResearchVisit fields plus "org": Org, "visited_org": Org|null, "opinions": [Opinion plus "problem":
//  {"id", "title", "status", "owner_org_id"}|null]
nlohmann::json ToJson(const ResearchVisitDetail& detail);
// {"sessions", "hours" (decimal), "participation": Rate (present / expected), "visits", "opinions",
//  "opinions_per_visit": x|null, "problems"}
nlohmann::json ToJson(const StudyFigures& figures);
// {"org": Org, "from", "to": date|null, "total": StudyFigures, "own": StudyFigures,
//  "children": [StudyFigures plus "org": Org]}
nlohmann::json ToJson(const StudyStats& stats);
// {"weeks", "cutoff", "total", "items": [{"org": Org, "last_study_on", "last_visit_on": date|null,
//  "missing": ["study"?, "research"?]}]}
nlohmann::json ToJson(const InactiveStudyPage& page);

// ---- workflow (issue 3) ----
// {"at", "entity", "entity_id", "action", "actor", "from", "to", "reason", "detail": {...},
//  "historical": bool, "event_id": n|null}
nlohmann::json ToJson(const TimelineEntry& entry);
// Meeting fields plus "findings": [MeetingFinding]
nlohmann::json ToJson(const MeetingDetail& detail);
// {"opinion": Opinion, "problem": Problem, "created_problem": bool}
nlohmann::json ToJson(const OpinionAccepted& accepted);

}  // namespace rectify::service
