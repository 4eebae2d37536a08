#include "domain/json.hpp"

namespace rectify::domain {

nlohmann::json TimeOrNull(const std::optional<UnixSeconds>& t) {
    return t ? nlohmann::json(FormatIso(*t)) : nlohmann::json(nullptr);
}

nlohmann::json ToJson(const Org& o) {
    return {{"id", o.id},
            {"parent_id", OrNull(o.parent_id)},
            {"name", o.name},
            {"level", o.level},
            {"kind", ToString(o.kind)},
            {"batch", o.batch},
            {"division_code", OrNull(o.division_code)},
            {"path", o.path},
            {"created_at", FormatIso(o.created_at)},
            {"version", o.version}};
}

nlohmann::json ToJson(const OrgLevel& l) {
    return {{"key", l.key}, {"name_zh", l.name_zh}, {"name_en", l.name_en}, {"rank", l.rank}};
}

nlohmann::json ToJson(const Category& c) {
    return {{"id", c.id}, {"parent_id", OrNull(c.parent_id)}, {"name", c.name}, {"depth", c.depth}, {"path", c.path}};
}

nlohmann::json ToJson(const Problem& p) {
    return {{"id", p.id},
            {"title", p.title},
            {"description", p.description},
            {"source", ToString(p.source)},
            {"category_id", OrNull(p.category_id)},
            {"severity", ToString(p.severity)},
            {"owner_org_id", p.owner_org_id},
            {"status", ToString(p.status)},
            {"created_at", FormatIso(p.created_at)},
            {"due_at", TimeOrNull(p.due_at)},
            {"closed_at", TimeOrNull(p.closed_at)},
            {"source_ref", OrNull(p.source_ref)},
            {"updated_at", FormatIso(p.updated_at)},
            {"version", p.version},
            {"round", p.round},
            {"status_reason", OrNull(p.status_reason)},
            {"reopen_cause", p.reopen_cause ? nlohmann::json(ToString(*p.reopen_cause)) : nlohmann::json(nullptr)},
            {"reopened_at", TimeOrNull(p.reopened_at)},
            {"merged_into_id", OrNull(p.merged_into_id)},
            {"campaign_id", OrNull(p.campaign_id)},
            {"special_item_ids", p.special_item_ids}};
}

nlohmann::json ToJson(const Opinion& o) {
    return {{"id", o.id},
            {"channel", ToString(o.channel)},
            {"kind", ToString(o.kind)},
            {"status", ToString(o.status)},
            {"received_at", FormatIso(o.received_at)},
            {"title", o.title},
            {"text", o.text},
            {"division_code", OrNull(o.division_code)},
            {"org_id", o.org_id},
            {"submitter", OrNull(o.submitter)},
            {"category_id", OrNull(o.category_id)},
            {"reply_text", OrNull(o.reply_text)},
            {"replied_at", TimeOrNull(o.replied_at)},
            {"reply_org_id", OrNull(o.reply_org_id)},
            {"problem_id", OrNull(o.problem_id)},
            {"transfer_count", o.transfer_count},
            {"source_ref", OrNull(o.source_ref)},
            {"version", o.version},
            {"status_reason", OrNull(o.status_reason)},
            {"duplicate_of_opinion_id", OrNull(o.duplicate_of_opinion_id)},
            {"duplicate_of_problem_id", OrNull(o.duplicate_of_problem_id)},
            {"satisfaction", o.satisfaction ? nlohmann::json(ToString(*o.satisfaction)) : nlohmann::json(nullptr)},
            {"rated_at", TimeOrNull(o.rated_at)},
            {"rating_comment", OrNull(o.rating_comment)},
            {"sla_class", ToString(o.sla_class)},
            {"reply_due_at", FormatIso(o.reply_due_at)},
            {"responded_at", TimeOrNull(o.responded_at)},
            {"likes", o.likes}};
}

}  // namespace rectify::domain
