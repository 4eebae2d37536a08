#include "domain/model.hpp"

#include "common/text.hpp"

namespace rectify::domain {

Status CheckTextField(std::string_view field, const std::string& value, std::size_t max_chars, bool required) {
    if (auto bad = FirstInvalidUtf8(value)) {
        return InvalidArgument(std::string(field) + ": invalid UTF-8 at byte " + std::to_string(*bad));
    }
    if (required && TrimAscii(value).empty()) return InvalidArgument(std::string(field) + ": must not be empty");
    if (CodePointCount(value) > max_chars) {
        return InvalidArgument(std::string(field) + ": longer than " + std::to_string(max_chars) + " characters");
    }
    return Status::Ok();
}

Status ValidateOrg(const Org& org) {
    RETURN_IF_ERROR(CheckTextField("name", org.name, kMaxNameChars, true));
    if (org.level.empty()) return InvalidArgument("level: must not be empty");
    if (org.batch < 0 || org.batch > 2) return InvalidArgument("batch: must be 0 (none), 1 or 2");
    if (org.division_code) {
        const std::string& c = *org.division_code;
        bool digits = !c.empty() && c.find_first_not_of("0123456789") == std::string::npos;
        if (!digits || (c.size() != 2 && c.size() != 4 && c.size() != 6 && c.size() != 9 && c.size() != 12)) {
            return InvalidArgument("division_code: \"" + c +
                                   "\" is not a division code (2, 4 or 6 digits per GB/T 2260, or 9 or 12 digits)");
        }
    }
    return Status::Ok();
}

Status ValidateProblem(const Problem& p) {
    RETURN_IF_ERROR(CheckTextField("title", p.title, kMaxTitleChars, true));
    RETURN_IF_ERROR(CheckTextField("description", p.description, kMaxTextChars, false));
    if (p.owner_org_id <= 0) return InvalidArgument("owner_org_id: required");
    if (p.due_at && *p.due_at < p.created_at) return InvalidArgument("due_at: before created_at");
    if (p.closed_at && *p.closed_at < p.created_at) return InvalidArgument("closed_at: before created_at");
    if (p.status == ProblemStatus::kClosed && !p.closed_at) return InvalidArgument("closed_at: required when closed");
    if (p.status != ProblemStatus::kClosed && p.closed_at) {
        return InvalidArgument("closed_at: only a closed problem has one");
    }
    return Status::Ok();
}

Status ValidateOpinion(const Opinion& o) {
    RETURN_IF_ERROR(CheckTextField("title", o.title, kMaxTitleChars, true));
    RETURN_IF_ERROR(CheckTextField("text", o.text, kMaxTextChars, false));
    if (o.org_id <= 0) return InvalidArgument("org_id: required");
    if (o.reply_text) RETURN_IF_ERROR(CheckTextField("reply_text", *o.reply_text, kMaxTextChars, false));
    if (o.replied_at && *o.replied_at < o.received_at) return InvalidArgument("replied_at: before received_at");
    if (o.transfer_count < 0) return InvalidArgument("transfer_count: negative");
    if (o.likes < 0) return InvalidArgument("likes: negative");
    return Status::Ok();
}

}  // namespace rectify::domain
