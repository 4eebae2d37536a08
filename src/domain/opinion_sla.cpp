#include "domain/opinion_sla.hpp"

#include <charconv>
#include <vector>

namespace rectify::domain {

namespace {

// Splits "a=1,b=2" into (name, value) pairs; empty items are errors.
Result<std::vector<std::pair<std::string, std::string>>> SplitPairs(std::string_view spec, std::string_view what) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t start = 0;
    while (start <= spec.size()) {
        const std::size_t comma = std::min(spec.find(',', start), spec.size());
        const std::string_view item = spec.substr(start, comma - start);
        const std::size_t eq = item.find('=');
        if (item.empty() || eq == std::string_view::npos || eq == 0 || eq + 1 == item.size()) {
            return InvalidArgument(std::string(what) + ": item " + std::to_string(out.size() + 1) + " '" +
                                   std::string(item) + "' is not NAME=VALUE");
        }
        out.emplace_back(std::string(item.substr(0, eq)), std::string(item.substr(eq + 1)));
        start = comma + 1;
    }
    return out;
}

std::optional<int> ParseInt(std::string_view text) {
    int v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

}  // namespace

Result<SlaLimit> ParseSlaLimit(std::string_view text) {
    SlaLimit limit;
    std::string_view number;
    int max = 0;
    if (text.size() > 2 && text.substr(text.size() - 2) == "wd") {
        limit.unit = SlaLimit::Unit::kWorkingDays;
        number = text.substr(0, text.size() - 2);
        max = 365;
    } else if (text.size() > 1 && text.back() == 'd') {
        limit.unit = SlaLimit::Unit::kDays;
        number = text.substr(0, text.size() - 1);
        max = 365;
    } else if (text.size() > 1 && text.back() == 'h') {
        limit.unit = SlaLimit::Unit::kHours;
        number = text.substr(0, text.size() - 1);
        max = 8760;
    } else {
        return InvalidArgument("'" + std::string(text) +
                               "' is not a time limit: give hours, days or working days, e.g. 2h, 7d, 15wd");
    }
    auto n = ParseInt(number);
    if (!n || *n < 1 || *n > max) {
        return InvalidArgument("'" + std::string(text) + "': the amount must be a whole number from 1 to " +
                               std::to_string(max));
    }
    limit.amount = *n;
    return limit;
}

std::string FormatSlaLimit(const SlaLimit& limit) {
    switch (limit.unit) {
        case SlaLimit::Unit::kHours: return std::to_string(limit.amount) + "h";
        case SlaLimit::Unit::kDays: return std::to_string(limit.amount) + "d";
        case SlaLimit::Unit::kWorkingDays: return std::to_string(limit.amount) + "wd";
    }
    return std::to_string(limit.amount) + "d";
}

Status SlaProfile::SetLimits(std::string_view spec) {
    ASSIGN_OR_RETURN(auto pairs, SplitPairs(spec, "opinion time limits"));
    auto next = limits;
    std::array<bool, 4> seen{};
    for (const auto& [name, value] : pairs) {
        auto cls = ParseEnum<SlaClass>(name);
        if (!cls.ok()) {
            return InvalidArgument("opinion time limits: '" + name +
                                   "' is no class (emergency, utility, general or complex)");
        }
        const auto i = static_cast<std::size_t>(*cls);
        if (seen[i]) return InvalidArgument("opinion time limits: " + name + " is given twice");
        seen[i] = true;
        auto limit = ParseSlaLimit(value);
        if (!limit.ok()) return InvalidArgument("opinion time limits: " + name + ": " + limit.status().message());
        next[i] = *limit;
    }
    limits = next;
    return Status::Ok();
}

Status SlaProfile::SetWeights(std::string_view spec) {
    static constexpr std::array<std::string_view, 3> kNames{"response", "resolution", "satisfaction"};
    ASSIGN_OR_RETURN(auto pairs, SplitPairs(spec, "opinion rate weights"));
    auto next = weights;
    std::array<bool, 3> seen{};
    for (const auto& [name, value] : pairs) {
        std::size_t i = 0;
        while (i < kNames.size() && kNames[i] != name) ++i;
        if (i == kNames.size()) {
            return InvalidArgument("opinion rate weights: '" + name +
                                   "' is no rate (response, resolution or satisfaction)");
        }
        if (seen[i]) return InvalidArgument("opinion rate weights: " + name + " is given twice");
        seen[i] = true;
        auto w = ParseInt(value);
        if (!w || *w < 0 || *w > 100) {
            return InvalidArgument("opinion rate weights: " + name + ": '" + value +
                                   "' is not a whole number from 0 to 100");
        }
        next[i] = *w;
    }
    if (next[0] + next[1] + next[2] == 0) return InvalidArgument("opinion rate weights: not all weights may be 0");
    weights = next;
    return Status::Ok();
}

std::string SlaProfile::LimitsText() const {
    std::string out;
    for (const auto& [cls, name] : EnumNames<SlaClass>::kNames) {
        if (!out.empty()) out += ',';
        out += std::string(name) + "=" + FormatSlaLimit(LimitOf(cls));
    }
    return out;
}

UnixSeconds SlaDueAt(UnixSeconds received_at, SlaClass sla_class, const SlaProfile& profile,
                     const WorkCalendar& calendar) {
    const SlaLimit& limit = profile.LimitOf(sla_class);
    switch (limit.unit) {
        case SlaLimit::Unit::kHours: return received_at + std::int64_t{limit.amount} * 3600;
        case SlaLimit::Unit::kDays: return received_at + std::int64_t{limit.amount} * 86400;
        case SlaLimit::Unit::kWorkingDays:
            return EndOfLocalDay(calendar.AddWorkingDays(LocalDayNumber(received_at), limit.amount));
    }
    return received_at;
}

SlaState SlaStateOf(UnixSeconds reply_due_at, std::optional<UnixSeconds> responded_at, UnixSeconds now) {
    if (responded_at) return *responded_at <= reply_due_at ? SlaState::kOnTime : SlaState::kLate;
    return now > reply_due_at ? SlaState::kOverdue : SlaState::kOpen;
}

OpinionSlaCounts& OpinionSlaCounts::operator+=(const OpinionSlaCounts& o) {
    received += o.received;
    due += o.due;
    responded_on_time += o.responded_on_time;
    overdue += o.overdue;
    resolvable += o.resolvable;
    resolved += o.resolved;
    rated += o.rated;
    satisfied += o.satisfied;
    basically_satisfied += o.basically_satisfied;
    dissatisfied += o.dissatisfied;
    transferred += o.transferred;
    transfers += o.transfers;
    return *this;
}

std::int64_t SatisfiedCount(const OpinionSlaCounts& counts, const SlaProfile& profile) {
    return counts.satisfied + (profile.basically_satisfied_counts ? counts.basically_satisfied : 0);
}

std::optional<double> SlaScore(const OpinionSlaCounts& counts, const SlaProfile& profile) {
    const std::array<std::pair<std::int64_t, std::int64_t>, 3> rates{{{counts.responded_on_time, counts.due},
                                                                     {counts.resolved, counts.resolvable},
                                                                     {SatisfiedCount(counts, profile), counts.rated}}};
    double sum = 0;
    double weight = 0;
    for (std::size_t i = 0; i < rates.size(); ++i) {
        if (rates[i].second == 0 || profile.weights[i] == 0) continue;
        sum += profile.weights[i] * static_cast<double>(rates[i].first) / static_cast<double>(rates[i].second);
        weight += profile.weights[i];
    }
    if (weight == 0) return std::nullopt;
    return sum / weight;
}

}  // namespace rectify::domain
