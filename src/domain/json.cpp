#include "domain/json.hpp"
#include "domain/json_text.hpp"

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

namespace {

// `"key":` and the value, with a comma before every key but the first.
class ObjectText {
public:
    void Key(const char* key) {
        out_ += first_ ? "{\"" : ",\"";
        first_ = false;
        out_ += key;
        out_ += "\":";
    }
    void Int(const char* key, std::int64_t v) {
        Key(key);
        out_ += std::to_string(v);
    }
    template <typename T>
    void OptInt(const char* key, const std::optional<T>& v) {
        Key(key);
        out_ += v ? std::to_string(static_cast<std::int64_t>(*v)) : "null";
    }
    void Text(const char* key, const std::string& v) {  // any text: escaped by nlohmann::json
        Key(key);
        out_ += nlohmann::json(v).dump();
    }
    void OptText(const char* key, const std::optional<std::string>& v) {
        if (v) return Text(key, *v);
        Key(key);
        out_ += "null";
    }
    void Plain(const char* key, std::string_view v) {  // enum names and ISO times: nothing to escape
        Key(key);
        out_ += '"';
        out_ += v;
        out_ += '"';
    }
    void OptTime(const char* key, const std::optional<UnixSeconds>& t) {
        if (t) return Plain(key, FormatIso(*t));
        Key(key);
        out_ += "null";
    }
    std::string& Raw() { return out_; }
    std::string Done() { return out_ + "}"; }

private:
    std::string out_;
    bool first_ = true;
};

}  // namespace

std::string ProblemJsonText(const Problem& p) {
    ObjectText o;
    o.Raw().reserve(512 + p.title.size() + p.description.size());
    o.OptInt("campaign_id", p.campaign_id);
    o.OptInt("category_id", p.category_id);
    o.OptTime("closed_at", p.closed_at);
    o.Plain("created_at", FormatIso(p.created_at));
    o.Text("description", p.description);
    o.OptTime("due_at", p.due_at);
    o.Int("id", p.id);
    o.OptInt("merged_into_id", p.merged_into_id);
    o.Int("owner_org_id", p.owner_org_id);
    if (p.reopen_cause) {
        o.Plain("reopen_cause", ToString(*p.reopen_cause));
    } else {
        o.Key("reopen_cause");
        o.Raw() += "null";
    }
    o.OptTime("reopened_at", p.reopened_at);
    o.Int("round", p.round);
    o.Plain("severity", ToString(p.severity));
    o.Plain("source", ToString(p.source));
    o.OptText("source_ref", p.source_ref);
    o.Key("special_item_ids");
    o.Raw() += '[';
    for (std::size_t i = 0; i < p.special_item_ids.size(); ++i) {
        if (i) o.Raw() += ',';
        o.Raw() += std::to_string(p.special_item_ids[i]);
    }
    o.Raw() += ']';
    o.Plain("status", ToString(p.status));
    o.OptText("status_reason", p.status_reason);
    o.Text("title", p.title);
    o.Plain("updated_at", FormatIso(p.updated_at));
    o.Int("version", p.version);
    return o.Done();
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
