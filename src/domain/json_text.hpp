// JSON text of domain records written without building a nlohmann::json tree, for hot bulk paths.
#pragma once

#include <string>

#include "domain/model.hpp"

namespace rectify::domain {

// The same text as ToJson(problem).dump() (domain/json.hpp: keys in the same sorted order, strings escaped
// by nlohmann::json), written field by field without building the JSON tree: the bulk import's events
// (issue 11 item 5), where building the tree took about a quarter of the import's CPU
// (docs/PERFORMANCE.md#bulk-import). Throws nlohmann::json::type_error for text that is not UTF-8, as dump() does.
std::string ProblemJsonText(const Problem& problem);

}  // namespace rectify::domain
