// JSON forms of the workflow records (domain/workflow.hpp), in the conventions of domain/json.hpp.
#include "domain/json.hpp"
#include "domain/workflow.hpp"

namespace rectify::domain {

nlohmann::json ToJson(const Task& t) {
    nlohmann::json reviews = nlohmann::json::array();
    for (UnixSeconds r : t.review_dates) reviews.push_back(FormatIso(r));
    return {{"id", t.id},
            {"problem_id", t.problem_id},
            {"org_id", t.org_id},
            {"created_by_org_id", t.created_by_org_id},
            {"round", t.round},
            {"title", t.title},
            {"description", t.description},
            {"responsible_person", t.responsible_person},
            {"lead_official", OrNull(t.lead_official)},
            {"type", ToString(t.type)},
            {"due_at", TimeOrNull(t.due_at)},
            {"review_dates", std::move(reviews)},
            {"weight", t.weight_bp ? nlohmann::json(*t.weight_bp / 10000.0) : nlohmann::json(nullptr)},
            {"status", ToString(t.status)},
            {"progress", t.progress},
            {"withdrawal_requested", t.withdrawal_reason.has_value()},
            {"withdrawal_reason", OrNull(t.withdrawal_reason)},
            {"return_reason", OrNull(t.return_reason)},
            {"returned_at", TimeOrNull(t.returned_at)},
            {"submitted_at", TimeOrNull(t.submitted_at)},
            {"accepted_at", TimeOrNull(t.accepted_at)},
            {"created_at", FormatIso(t.created_at)},
            {"updated_at", FormatIso(t.updated_at)},
            {"version", t.version},
            {"parent_task_id", OrNull(t.parent_task_id)},
            {"cascade_id", OrNull(t.cascade_id)},
            {"next_actions", NamesJson(AllowedTaskActions(t.status))}};
}

nlohmann::json ToJson(const ProgressReport& r) {
    return {{"id", r.id},
            {"task_id", r.task_id},
            {"reported_at", FormatIso(r.reported_at)},
            {"text", r.text},
            {"percent", r.percent},
            {"actor", r.actor},
            {"evidence_ids", r.evidence_ids}};
}

nlohmann::json ToJson(const Evidence& e) {
    return {{"id", e.id},
            {"task_id", e.task_id},
            {"report_id", OrNull(e.report_id)},
            {"sha256", e.sha256},
            {"size_bytes", e.size_bytes},
            {"content_type", e.content_type},
            {"original_name", e.original_name},
            {"uploaded_by", e.uploaded_by},
            {"uploaded_at", FormatIso(e.uploaded_at)},
            {"content_url", "/api/v1/evidence/" + std::to_string(e.id) + "/content"}};
}

nlohmann::json ToJson(const Mechanism& m) {
    return {{"id", m.id},
            {"org_id", m.org_id},
            {"title", m.title},
            {"text", m.text},
            {"adopted_at", FormatIso(m.adopted_at)},
            {"created_at", FormatIso(m.created_at)},
            {"updated_at", FormatIso(m.updated_at)},
            {"version", m.version},
            {"problem_ids", m.problem_ids}};
}

nlohmann::json ToJson(const Meeting& m) {
    return {{"id", m.id},
            {"org_id", m.org_id},
            {"kind", ToString(m.kind)},
            {"title", m.title},
            {"held_at", FormatIso(m.held_at)},
            {"attendees", m.attendees},
            {"notes", m.notes},
            {"created_at", FormatIso(m.created_at)},
            {"version", m.version}};
}

nlohmann::json ToJson(const MeetingFinding& f) {
    return {{"id", f.id},
            {"meeting_id", f.meeting_id},
            {"text", f.text},
            {"problem_id", OrNull(f.problem_id)},
            {"created_at", FormatIso(f.created_at)}};
}

}  // namespace rectify::domain
