// Hooks between the workflow (workflow.cpp) and the linkage (linkage.cpp) inside src/service: the
// workflow's task steps keep a cascade parent's roll-up current, and the linkage's steps let a problem's
// status follow its tasks. Called inside a store write transaction only.
#pragma once

#include <string>

#include "common/status.hpp"
#include "domain/model.hpp"
#include "domain/workflow.hpp"
#include "store/store.hpp"

namespace rectify::service::detail {

// The problem's derived status follows its tasks (docs/WORKFLOW.md); a change writes a "derive" event
// whose reason is `cause`. Defined in workflow.cpp.
Status FollowProblemTasks(store::WriteTx& tx, const domain::Actor& actor, domain::ProblemId id,
                          const std::string& cause);

// True for the events of a problem's escalations ("escalate", "escalation_accept", ...): an actor with
// partial access to the problem (docs/LINKAGE.md#visibility) does not see them. Defined in linkage.cpp.
bool IsEscalationEvent(const store::Event& event);

// Stores domain::RollupChildren of `parent`'s children as its progress (no version change; 0 when every
// child is waived). Defined in linkage.cpp.
Status RollupParent(store::WriteTx& tx, domain::TaskId parent);

}  // namespace rectify::service::detail
