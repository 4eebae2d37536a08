// The hash chain of the event log: the canonical content of an event and the link hash
// (docs/SECURITY.md#audit-chain).
#include "common/text.hpp"
#include "store/store.hpp"

namespace rectify::store {
namespace {

void Netstring(std::string& out, std::string_view bytes) {
    out += std::to_string(bytes.size());
    out += ':';
    out += bytes;
    out += ',';
}

void Netstring(std::string& out, std::int64_t v) { Netstring(out, std::to_string(v)); }

template <typename T>
void NetstringOpt(std::string& out, const std::optional<T>& v) {
    if (v) {
        Netstring(out, *v);
    } else {
        out += "~,";
    }
}

}  // namespace

std::string CanonicalEventContent(const Event& e) {
    std::string out;
    Netstring(out, e.id);
    Netstring(out, e.at);
    Netstring(out, e.actor);
    Netstring(out, e.entity);
    Netstring(out, e.entity_id);
    Netstring(out, e.action);
    NetstringOpt(out, e.before_json);
    NetstringOpt(out, e.after_json);
    NetstringOpt(out, e.from_state);
    NetstringOpt(out, e.to_state);
    NetstringOpt(out, e.reason);
    NetstringOpt(out, e.org_id);
    return out;
}

std::string ChainHash(const std::string& prev_hash, const Event& event) {
    return Sha256Hex(prev_hash + CanonicalEventContent(event));
}

}  // namespace rectify::store
