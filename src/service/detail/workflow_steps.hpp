// The workflow steps (workflow.cpp) that the ledger import (ledger_import.cpp) runs many of inside one store
// write transaction, so an imported ledger is all-or-nothing and every row passes the same scope, role,
// state-machine and guard checks as the single-step routes (docs/WORKFLOW.md). Called inside a store
// write transaction only; each returns the error the single-step route would (kNotFound out of scope,
// kPermissionDenied, kFailedPrecondition, kInvalidArgument) and then must not be followed by a commit.
#pragma once

#include "common/status.hpp"
#include "domain/model.hpp"
#include "domain/workflow.hpp"
#include "store/store.hpp"

namespace rectify::service {
class Service;
struct TaskDraft;
struct ReportDraft;
}  // namespace rectify::service

namespace rectify::service::detail {

// Service::CreateTask's checks and writes; `out` receives the stored task (id assigned).
Status CreateTaskInTx(const Service& svc, store::WriteTx& tx, const domain::Actor& actor, domain::ProblemId problem,
                      const TaskDraft& draft, std::optional<std::int64_t> problem_version, domain::Task& out);
// Service::StartTask (pending or returned -> in_progress).
Status StartTaskInTx(const Service& svc, store::WriteTx& tx, const domain::Actor& actor, domain::TaskId id,
                     domain::Task& out);
// Service::ReportProgress (text 1..kMaxTextChars code points, percent 0..100).
Status ReportProgressInTx(const Service& svc, store::WriteTx& tx, const domain::Actor& actor, domain::TaskId id,
                          const ReportDraft& draft, std::optional<std::int64_t> version, domain::ProgressReport& out);
// Service::SubmitTask (申请销号: needs a report and, unless immediate, evidence since the last return).
Status SubmitTaskInTx(const Service& svc, store::WriteTx& tx, const domain::Actor& actor, domain::TaskId id,
                      std::optional<std::int64_t> version, domain::Task& out);
// Service::CloseProblem (销号 by the level above; every task accepted, every joint part accepted).
Status CloseProblemInTx(const Service& svc, store::WriteTx& tx, const domain::Actor& actor, domain::ProblemId id,
                        std::optional<std::int64_t> version, domain::Problem& out);

}  // namespace rectify::service::detail
