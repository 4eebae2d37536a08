// Public intake (issue 9): opinions from the public through the portal and Open311 GeoReport v2, their
// tracking, the public rating of the reply, and the public notice board (整改公示). The rules are in
// docs/PUBLIC.md; masking is domain::MaskPersonalDetails, the only masking code.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "common/crypto.hpp"
#include "common/text.hpp"
#include "domain/masking.hpp"
#include "domain/public_intake.hpp"
#include "service/detail/checks.hpp"
#include "service/service.hpp"

namespace rectify::service {
namespace {

using domain::Opinion;
using domain::OpinionStatus;
using domain::ProblemStatus;
using nlohmann::json;

Status CheckChars(const char* field, const std::string& value, std::size_t min, std::size_t max) {
    if (!IsValidUtf8(value)) return InvalidArgument(std::string(field) + ": not valid UTF-8");
    const std::size_t n = CodePointCount(value);
    if (n < min || n > max) {
        return InvalidArgument(std::string(field) + ": must be " + std::to_string(min) + "-" + std::to_string(max) +
                               " characters, got " + std::to_string(n));
    }
    return Status::Ok();
}

// A decimal number in [-bound, bound], as text: digits, one optional '.', optional sign.
Status CheckDegrees(const char* field, const std::string& value, double bound) {
    if (value.empty() || value.size() > 32) return InvalidArgument(std::string(field) + ": expected decimal degrees");
    bool dot = false;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if ((c == '-' || c == '+') && i == 0) continue;
        if (c == '.' && !dot) {
            dot = true;
            continue;
        }
        if (c < '0' || c > '9') {
            return InvalidArgument(std::string(field) + ": \"" + value + "\" is not a decimal number of degrees");
        }
    }
    const double v = std::strtod(value.c_str(), nullptr);
    if (!std::isfinite(v) || std::fabs(v) > bound) {
        return InvalidArgument(std::string(field) + ": must lie between -" + std::to_string(static_cast<int>(bound)) +
                               " and " + std::to_string(static_cast<int>(bound)) + " degrees");
    }
    return Status::Ok();
}

Status CheckPhone(const std::string& phone) {
    std::size_t digits = 0;
    for (char c : phone) {
        if (c >= '0' && c <= '9') {
            ++digits;
        } else if (c != ' ' && c != '-' && c != '+' && c != '(' && c != ')') {
            return InvalidArgument("contact_phone: only digits, spaces and + - ( ) are allowed");
        }
    }
    if (digits < 5 || phone.size() > 20) return InvalidArgument("contact_phone: expected 5-20 characters with digits");
    return Status::Ok();
}

Status CheckEmail(const std::string& email) {
    const auto at = email.find('@');
    if (email.size() > 254 || at == std::string::npos || at == 0 || email.find('@', at + 1) != std::string::npos ||
        email.find('.', at) == std::string::npos || email.back() == '.' ||
        std::any_of(email.begin(), email.end(), [](char c) { return c <= ' ' || static_cast<unsigned char>(c) >= 0x7F; })) {
        return InvalidArgument("contact_email: expected an address such as name@example.org (at most 254 characters)");
    }
    return Status::Ok();
}

// An Open311 media_url: an absolute http or https URL (RFC 3986 §3; other schemes such as javascript:
// or data: would run or embed content in the clients that show it), at most kPublicMediaUrlMaxBytes, no
// spaces or control characters.
Status CheckMediaUrl(const std::string& url) {
    if (url.size() > kPublicMediaUrlMaxBytes) {
        return InvalidArgument("media_url: longer than " + std::to_string(kPublicMediaUrlMaxBytes) + " bytes");
    }
    std::string lower;
    for (char c : url.substr(0, 8)) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    const bool http = lower.rfind("http://", 0) == 0 || lower.rfind("https://", 0) == 0;
    const std::size_t host = url.find("//") + 2;
    if (!http || host >= url.size() || url[host] == '/') {
        return InvalidArgument("media_url: expected an http:// or https:// URL of the picture, got \"" +
                               url.substr(0, 80) + "\"");
    }
    if (std::any_of(url.begin(), url.end(), [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7F; })) {
        return InvalidArgument("media_url: spaces and control characters must be percent-encoded");
    }
    return Status::Ok();
}

// The phone or e-mail a duplicate is recognised by: digits only, or the lower-cased address.
std::optional<std::string> ContactKey(const PublicSubmission& s) {
    if (s.contact_phone) {
        std::string digits;
        for (char c : *s.contact_phone) {
            if (c >= '0' && c <= '9') digits.push_back(c);
        }
        return "phone:" + digits;
    }
    if (s.contact_email) {
        std::string lower = *s.contact_email;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return "email:" + lower;
    }
    return std::nullopt;
}

bool IsImageType(std::string_view type) {
    return type == "image/jpeg" || type == "image/png" || type == "image/gif" || type == "image/webp";
}

std::optional<std::string> Masked(const std::optional<std::string>& s) {
    if (!s) return std::nullopt;
    return domain::MaskPersonalDetails(*s);
}

json Opt(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }
json OptTime(const std::optional<UnixSeconds>& t) { return t ? json(FormatIso(*t)) : json(nullptr); }

// The public view of a joined row (docs/PUBLIC.md#what-the-public-sees): masked text, no contact.
PublicView PublicViewOf(const store::PublicRequestRow& row,
                        const std::unordered_map<domain::CategoryId, std::string>& category_paths) {
    const Opinion& o = row.opinion;
    const domain::PublicIntake& intake = row.intake;
    PublicView v;
    v.tracking_code = domain::FormatTrackingCode(intake.tracking_code);
    v.opinion_id = o.id;
    v.title = domain::MaskPersonalDetails(o.title);
    v.text = domain::MaskPersonalDetails(o.text);
    v.category_id = o.category_id;
    if (o.category_id) {
        if (auto it = category_paths.find(*o.category_id); it != category_paths.end()) v.category_name = it->second;
    }
    v.service_code = intake.service_code;
    v.division_code = o.division_code;
    v.address = Masked(intake.address);
    if (v.address) v.zipcode = domain::TrailingUsZipCode(*v.address);  // after masking: never more than shown
    v.latitude = intake.latitude;
    v.longitude = intake.longitude;
    v.org_id = o.org_id;
    v.org_name = row.org_name;
    v.received_at = o.received_at;
    v.reply_due_at = o.reply_due_at;
    v.reply_text = Masked(o.reply_text);
    v.replied_at = o.replied_at;
    v.reply_org_name = row.reply_org_name;
    v.satisfaction = o.satisfaction;
    v.rated_at = o.rated_at;
    v.can_rate = o.replied_at.has_value() && !o.satisfaction.has_value();
    v.has_photo = intake.photo_sha256.has_value();
    v.media_url = intake.media_url;
    // The public status (docs/PUBLIC.md#statuses); store::PublicSql::Requests filters by the same rule.
    switch (o.status) {
        case OpinionStatus::kDeclined: v.status = "declined"; break;
        case OpinionStatus::kDuplicate: v.status = "duplicate"; break;
        case OpinionStatus::kAccepted:
            if (row.problem_status && (*row.problem_status == ProblemStatus::kClosed ||
                                       *row.problem_status == ProblemStatus::kInvalid ||
                                       *row.problem_status == ProblemStatus::kMerged)) {
                v.status = "closed";
                v.closed_at = row.problem_closed_at ? row.problem_closed_at : row.problem_updated_at;
            } else {
                v.status = "in_progress";
            }
            break;
        case OpinionStatus::kReceived: v.status = o.replied_at ? "answered" : "received"; break;
    }
    v.open = v.status == "received" || v.status == "in_progress";
    v.updated_at = std::max({o.received_at, o.replied_at.value_or(0), o.rated_at.value_or(0), v.closed_at.value_or(0)});
    return v;
}

}  // namespace

json ToJson(const PublicView& v) {
    return {{"tracking_code", v.tracking_code},
            {"status", v.status},
            {"open", v.open},
            {"title", v.title},
            {"text", v.text},
            {"category_id", v.category_id ? json(*v.category_id) : json(nullptr)},
            {"category", Opt(v.category_name)},
            {"division_code", Opt(v.division_code)},
            {"address", Opt(v.address)},
            {"latitude", Opt(v.latitude)},
            {"longitude", Opt(v.longitude)},
            {"org_id", v.org_id},
            {"org_name", v.org_name},
            {"received_at", FormatIso(v.received_at)},
            {"updated_at", FormatIso(v.updated_at)},
            {"reply_text", Opt(v.reply_text)},
            {"replied_at", OptTime(v.replied_at)},
            {"reply_org_name", Opt(v.reply_org_name)},
            {"closed_at", OptTime(v.closed_at)},
            {"satisfaction", v.satisfaction ? json(domain::ToString(*v.satisfaction)) : json(nullptr)},
            {"rated_at", OptTime(v.rated_at)},
            {"can_rate", v.can_rate},
            {"has_photo", v.has_photo}};
}

json ToJson(const NoticeBoard& b) {
    json problems = json::array();
    for (const auto& p : b.problems.items) {
        json opinions = json::array();
        for (const auto& o : p.opinions) {
            opinions.push_back({{"title", o.title},
                                {"text", o.text},
                                {"channel", domain::ToString(o.channel)},
                                {"received_at", FormatIso(o.received_at)}});
        }
        problems.push_back({{"id", p.id},
                            {"title", p.title},
                            {"description", p.description},
                            {"category", Opt(p.category_name)},
                            {"org_name", p.org_name},
                            {"created_at", FormatIso(p.created_at)},
                            {"closed_at", FormatIso(p.closed_at)},
                            {"opinions", opinions},
                            {"opinion_count", p.opinion_count}});
    }
    json mechanisms = json::array();
    for (const auto& m : b.mechanisms.items) {
        mechanisms.push_back({{"id", m.id},
                              {"title", m.title},
                              {"text", m.text},
                              {"org_name", m.org_name},
                              {"adopted_at", FormatIso(m.adopted_at)}});
    }
    return {{"org", {{"id", b.org.id}, {"name", b.org.name}, {"level", b.org.level}}},
            {"problems", {{"items", problems}, {"next_cursor", Opt(b.problems.next_cursor)}}},
            {"mechanisms", {{"items", mechanisms}, {"next_cursor", Opt(b.mechanisms.next_cursor)}}}};
}

Result<PublicView> Service::FilePublicOpinion(const PublicSubmission& s) {
    // ---- checks, before anything is written ----
    RETURN_IF_ERROR(CheckChars("title", s.title, kPublicTitleMinChars, kPublicTitleMaxChars));
    RETURN_IF_ERROR(CheckChars("text", s.text, kPublicTextMinChars, kPublicTextMaxChars));
    std::optional<domain::Category> category;
    if (s.category_id) {
        ASSIGN_OR_RETURN(category, GetCategory(*s.category_id));
    } else if (s.via == "portal") {
        return InvalidArgument("category_id: required (GET /api/v1/public/categories lists them)");
    }
    std::vector<std::string> candidates;
    if (s.division_code) {
        ASSIGN_OR_RETURN(candidates, domain::RoutingCandidates(*s.division_code));
    }
    if (s.address) RETURN_IF_ERROR(CheckChars("address", *s.address, 1, kPublicAddressMaxChars));
    if (s.latitude.has_value() != s.longitude.has_value()) {
        return InvalidArgument("lat and long: give both or neither");
    }
    if (s.latitude) {
        RETURN_IF_ERROR(CheckDegrees("lat", *s.latitude, 90));
        RETURN_IF_ERROR(CheckDegrees("long", *s.longitude, 180));
    }
    if (!s.division_code && !s.address && !s.latitude) {
        return InvalidArgument(s.via == "open311"
                                   ? "location: one of lat & long, address_string or address_id is required"
                                   : "location: give division_code (the pickers) or address");
    }
    if (s.contact_name) RETURN_IF_ERROR(CheckChars("contact_name", *s.contact_name, 1, kPublicContactNameMaxChars));
    if (s.contact_phone) RETURN_IF_ERROR(CheckPhone(*s.contact_phone));
    if (s.contact_email) RETURN_IF_ERROR(CheckEmail(*s.contact_email));
    if (s.media_url) RETURN_IF_ERROR(CheckMediaUrl(*s.media_url));
    if (s.photo) {
        // The evidence rules (size, signature, no executables), limited to the image types among them.
        domain::EvidencePolicy policy = evidence_.policy;
        std::erase_if(policy.allowed_types, [](const std::string& t) { return !IsImageType(t); });
        if (policy.allowed_types.empty()) {
            return InvalidArgument("photo: this server accepts no image type (rectify --evidence-types)");
        }
        Status checked = domain::CheckEvidence(policy, s.photo->name, s.photo->content_type, s.photo->bytes);
        if (!checked.ok()) {
            if (checked.code() == StatusCode::kPayloadTooLarge) {
                return PayloadTooLarge("photo: larger than the limit of " + std::to_string(policy.max_bytes) +
                                       " bytes");
            }
            return Status(checked.code(), "photo: " + checked.message());
        }
        if (evidence_.blob_dir.empty()) {
            return FailedPrecondition("this server stores no files (rectify --blob-dir): send the opinion without a photo");
        }
    }

    // ---- routing: the rules in force (docs/LINKAGE.md#routing-rules); when none matches, the deepest org
    // whose division code is the location's or an ancestor's, else the root (docs/PUBLIC.md#routing) ----
    auto tree = Tree();
    if (!tree || tree->size() == 0) return FailedPrecondition("the org tree is empty: run rectify init first");
    domain::OrgId org_id = tree->Root();
    ASSIGN_OR_RETURN(auto rule, RouteByRules(s.division_code, s.category_id));
    if (rule) {
        org_id = rule->org_id;
    } else {
        for (const auto& code : candidates) {
            ASSIGN_OR_RETURN(auto org, store_->FindOrgByDivisionCode(code));
            if (org) {
                org_id = org->id;
                break;
            }
        }
    }
    if (s.account && !HasRole(*s.account, domain::Role::kClerk, org_id)) {
        return PermissionDenied("the api_key's account needs the clerk role over org " + std::to_string(org_id) +
                                ", where this request is routed");
    }

    domain::PublicIntake intake;
    intake.via = s.via;
    intake.address = s.address;
    intake.latitude = s.latitude;
    intake.longitude = s.longitude;
    intake.contact_name = s.contact_name;
    intake.contact_phone = s.contact_phone;
    intake.contact_email = s.contact_email;
    intake.text_hash = domain::NormalisedTextHash(s.title, s.text);
    if (!s.client.empty()) intake.ip_hash = Sha256Hex("ip:" + s.client);
    if (auto key = ContactKey(s)) intake.contact_hash = Sha256Hex(*key);
    intake.service_code = s.service_code;
    intake.media_url = s.media_url;
    if (s.account && s.account->token_id) intake.api_token_id = s.account->token_id;
    if (s.photo) {
        intake.photo_type = domain::NormaliseContentType(s.photo->content_type);
        intake.photo_size = static_cast<std::int64_t>(s.photo->bytes.size());
    }

    Opinion o;
    o.channel = domain::OpinionChannel::kWeb;
    o.kind = s.kind;
    o.status = OpinionStatus::kReceived;
    o.received_at = intake.received_at = NowSeconds();
    o.title = s.title;
    o.text = s.text;
    o.org_id = org_id;
    o.division_code = s.division_code;
    o.category_id = s.category_id;
    StampOpinionSla(o);  // of the general class: the public does not choose how urgent it is
    RETURN_IF_ERROR(domain::ValidateOpinion(o));
    const domain::Actor actor = RootActor("public:" + s.via);
    auto write = [&](store::WriteTx& tx) -> Status {
        if (public_.duplicate_window_seconds > 0) {
            ASSIGN_OR_RETURN(bool repeated,
                             tx.RecentPublicDuplicate(intake.text_hash, intake.ip_hash, intake.contact_hash,
                                                      o.received_at - public_.duplicate_window_seconds));
            if (repeated) {
                return AlreadyExists("this opinion was already received a few minutes ago; keep the tracking code "
                                     "you were given then (the same text is accepted again after " +
                                     std::to_string(public_.duplicate_window_seconds / 60) + " minutes)");
            }
        }
        // A fresh code; a collision (about 1 in 2^59 per stored code) draws again.
        for (int attempt = 0;; ++attempt) {
            intake.tracking_code = domain::NewTrackingCode(RandomBytes);
            ASSIGN_OR_RETURN(bool taken, tx.TrackingCodeTaken(intake.tracking_code));
            if (!taken) break;
            if (attempt == 8) return Internal("could not draw an unused tracking code");
        }
        RETURN_IF_ERROR(tx.InsertOpinion(o));
        intake.opinion_id = o.id;
        RETURN_IF_ERROR(tx.InsertPublicIntake(intake));
        domain::OpinionRouting routing;
        routing.opinion_id = o.id;
        routing.at = o.received_at;
        routing.to_org_id = o.org_id;
        if (rule) routing.rule_id = rule->id;
        routing.actor = actor.name;
        RETURN_IF_ERROR(tx.InsertOpinionRouting(routing));
        // The event holds the opinion (no contact details: those stay in public_intake).
        json after = domain::ToJson(o);
        after["via"] = s.via;
        auto event = MakeEvent(actor, "opinion", o.id, "create", std::nullopt, after);
        return tx.AppendEvent(event);
    };
    if (s.photo) {
        // The photo is stored last, and deleted again when the filing is refused (a repeat, a race).
        RETURN_IF_ERROR(WithNewBlob(s.photo->bytes, [&](const std::string& sha256) {
            intake.photo_sha256 = sha256;
            return store_->Write(write);
        }));
    } else {
        RETURN_IF_ERROR(store_->Write(write));
    }
    return ViewOf(intake.opinion_id);
}

Status Service::WithNewBlob(std::string_view content, const std::function<Status(const std::string&)>& write) {
    std::lock_guard lock(blob_mutex_);
    const store::BlobStore blobs(evidence_.blob_dir);
    ASSIGN_OR_RETURN(store::BlobStore::Stored stored, blobs.PutReporting(content));
    Status written = write(stored.sha256);
    if (!written.ok() && stored.created) {
        if (Status removed = blobs.Remove(stored.sha256); !removed.ok()) {
            spdlog::warn("a refused write left the unreferenced file {}: {}", stored.sha256, removed.message());
        }
    }
    return written;
}

Result<PublicView> Service::ViewOf(domain::OpinionId id) {
    store::PublicIntakeFilter f;
    f.from = 0;
    f.to = std::numeric_limits<UnixSeconds>::max();
    f.opinion_ids = {id};
    f.limit = 1;
    ASSIGN_OR_RETURN(auto views, ListPublicOpinions(f));
    if (views.empty()) return NotFound("service request " + std::to_string(id) + " does not exist");
    return std::move(views.front());
}

Result<PublicView> Service::TrackPublicOpinion(const std::string& typed) {
    ASSIGN_OR_RETURN(std::string code, domain::ParseTrackingCode(typed));
    auto intake = store_->GetPublicIntakeByCode(code);
    if (!intake.ok()) {
        if (intake.status().code() == StatusCode::kNotFound) {
            return NotFound("no opinion has the tracking code " + domain::FormatTrackingCode(code));
        }
        return intake.status();
    }
    return ViewOf(intake->opinion_id);
}

Result<PublicView> Service::PublicOpinionById(domain::OpinionId id) { return ViewOf(id); }

Result<PublicView> Service::RatePublicOpinion(const std::string& typed, domain::Satisfaction satisfaction,
                                              const std::optional<std::string>& comment) {
    ASSIGN_OR_RETURN(PublicView view, TrackPublicOpinion(typed));
    if (comment) RETURN_IF_ERROR(CheckChars("comment", *comment, 0, kPublicCommentMaxChars));
    if (!view.replied_at) return FailedPrecondition("there is no reply to rate yet");
    if (view.satisfaction) return FailedPrecondition("this reply was already rated");
    // The workflow's rating (docs/WORKFLOW.md): as the public, through the system's own actor.
    auto rated = RateOpinion(RootActor("public:portal"), view.opinion_id, satisfaction, comment, std::nullopt);
    if (!rated.ok()) {
        // A race with another rating or a new reply: say it without internal ids.
        if (rated.status().code() == StatusCode::kFailedPrecondition) {
            return FailedPrecondition("this reply cannot be rated now (it was rated already or replaced); reload");
        }
        return rated.status();
    }
    return TrackPublicOpinion(typed);
}

Result<NoticeBoard> Service::PublicNotices(domain::OrgId org_id, const std::optional<std::string>& problems_cursor,
                                          const std::optional<std::string>& mechanisms_cursor, int limit) {
    if (limit < 1 || limit > 100) return InvalidArgument("limit: must be between 1 and 100");
    auto org = store_->GetOrg(org_id);
    if (!org.ok()) return detail::MissingOr(org.status(), "org " + std::to_string(org_id) + " does not exist");
    const domain::Actor everyone = RootActor("public:notices");
    NoticeBoard board;
    board.org = *org;
    ProblemQuery q;
    q.org_id = org_id;
    q.statuses = {ProblemStatus::kClosed};
    q.cursor = problems_cursor;
    q.limit = limit;
    ASSIGN_OR_RETURN(auto problems, ListProblems(everyone, q));
    std::unordered_map<domain::OrgId, std::string> names;
    auto name_of = [&](domain::OrgId id) -> std::string {
        auto it = names.find(id);
        if (it != names.end()) return it->second;
        auto o = store_->GetOrg(id);
        return names[id] = o.ok() ? o->name : std::string();
    };
    for (const auto& p : problems.items) {
        NoticeProblem n;
        n.id = p.id;
        n.title = domain::MaskPersonalDetails(p.title);
        n.description = domain::MaskPersonalDetails(p.description);
        if (p.category_id) {
            if (auto c = GetCategory(*p.category_id); c.ok()) n.category_name = c->path;
        }
        n.org_name = name_of(p.owner_org_id);
        n.created_at = p.created_at;
        n.closed_at = p.closed_at.value_or(p.updated_at);
        // The opinions it answers (NoticeOpinion): a count and the first few, two queries.
        ASSIGN_OR_RETURN(auto answered, store_->OpinionsOfProblemExcept(p.id, domain::OpinionChannel::kMeeting,
                                                                         static_cast<int>(kNoticeOpinionsShown)));
        n.opinion_count = answered.first;
        for (const domain::Opinion& o : answered.second) {
            n.opinions.push_back({domain::MaskPersonalDetails(o.title), domain::MaskPersonalDetails(o.text), o.channel,
                                  o.received_at});
        }
        board.problems.items.push_back(std::move(n));
    }
    board.problems.next_cursor = problems.next_cursor;
    ASSIGN_OR_RETURN(auto mechanisms, ListMechanisms(everyone, org_id, std::nullopt, mechanisms_cursor, limit));
    for (const auto& m : mechanisms.items) {
        NoticeMechanism n;
        n.id = m.id;
        n.title = domain::MaskPersonalDetails(m.title);
        n.text = domain::MaskPersonalDetails(m.text);
        n.org_name = name_of(m.org_id);
        n.adopted_at = m.adopted_at;
        board.mechanisms.items.push_back(std::move(n));
    }
    board.mechanisms.next_cursor = mechanisms.next_cursor;
    return board;
}

Result<std::vector<domain::Org>> Service::PublicOrgs(std::optional<domain::OrgId> parent) {
    auto tree = Tree();
    if (!tree || tree->size() == 0) return std::vector<domain::Org>{};
    if (!parent) {
        ASSIGN_OR_RETURN(auto root, store_->GetOrg(tree->Root()));
        return std::vector<domain::Org>{root};
    }
    if (auto p = store_->GetOrg(*parent); !p.ok()) {
        return detail::MissingOr(p.status(), "parent_id: org " + std::to_string(*parent) + " does not exist");
    }
    return store_->ListChildren(*parent);
}

Result<std::optional<domain::PublicIntake>> Service::PublicIntakeOf(const Actor& actor, domain::OpinionId id) {
    RETURN_IF_ERROR(GetOpinion(actor, id));
    auto intake = store_->GetPublicIntake(id);
    if (!intake.ok()) {
        if (intake.status().code() == StatusCode::kNotFound) return std::optional<domain::PublicIntake>();
        return intake.status();
    }
    return std::optional<domain::PublicIntake>(*intake);
}

Result<std::pair<domain::PublicIntake, std::string>> Service::PublicPhoto(const Actor& actor, domain::OpinionId id) {
    ASSIGN_OR_RETURN(auto intake, PublicIntakeOf(actor, id));
    if (!intake || !intake->photo_sha256) return NotFound("opinion " + std::to_string(id) + " has no photo");
    ASSIGN_OR_RETURN(std::string bytes, store::BlobStore(evidence_.blob_dir).Get(*intake->photo_sha256));
    return std::make_pair(*intake, std::move(bytes));
}

Result<std::vector<PublicView>> Service::ListPublicOpinions(const store::PublicIntakeFilter& filter) {
    // Two queries whatever the page size: the joined rows and the category catalogue.
    ASSIGN_OR_RETURN(auto rows, store_->ListPublicRequests(filter));
    std::unordered_map<domain::CategoryId, std::string> paths;
    if (!rows.empty()) {
        ASSIGN_OR_RETURN(auto categories, store_->ListCategories());
        for (const auto& c : categories) paths.emplace(c.id, c.path);
    }
    std::vector<PublicView> out;
    out.reserve(rows.size());
    for (const auto& row : rows) out.push_back(PublicViewOf(row, paths));
    return out;
}

}  // namespace rectify::service
