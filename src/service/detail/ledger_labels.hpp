// The Chinese labels a ledger (台账) shows for statuses, sources and task types, shared by the export
// (ledger.cpp) and the import (ledger_import.cpp), which reads them back. The terms are the UI's zh-CN
// ones (web/src/locales/zh-CN.js, from PRODUCT.md's term table). Pure functions.
#pragma once

#include "domain/model.hpp"
#include "domain/workflow.hpp"

namespace rectify::service::detail {

// Chinese labels of the statuses and sources as the ledger shows them (the UI's zh-CN terms,
// web/src/locales/zh-CN.js, from PRODUCT.md's term table).
inline const char* ProblemStatusLabel(domain::ProblemStatus s) {
    switch (s) {
        case domain::ProblemStatus::kRegistered: return "已登记";
        case domain::ProblemStatus::kPlanned: return "已制定措施";
        case domain::ProblemStatus::kInProgress: return "整改中";
        case domain::ProblemStatus::kPendingVerification: return "待验收";
        case domain::ProblemStatus::kClosed: return "已销号";
        case domain::ProblemStatus::kInvalid: return "不属实";
        case domain::ProblemStatus::kMerged: return "已合并";
    }
    return "";
}
inline const char* TaskStatusLabel(domain::TaskStatus s) {
    switch (s) {
        case domain::TaskStatus::kPending: return "待整改";
        case domain::TaskStatus::kInProgress: return "整改中";
        case domain::TaskStatus::kSubmitted: return "已申请销号";
        case domain::TaskStatus::kAccepted: return "已验收";
        case domain::TaskStatus::kReturned: return "已退回";
        case domain::TaskStatus::kWithdrawn: return "已撤销";
    }
    return "";
}
inline const char* SourceLabel(domain::ProblemSource s) {
    switch (s) {
        case domain::ProblemSource::kPublicOpinion: return "群众意见";
        case domain::ProblemSource::kSelfInspection: return "自查自纠";
        case domain::ProblemSource::kSupervisionFeedback: return "督导反馈";
        case domain::ProblemSource::kSuperiorAssignment: return "上级交办";
        case domain::ProblemSource::kInspectionTour: return "巡视巡察";
        case domain::ProblemSource::kAudit: return "审计";
        case domain::ProblemSource::kMeeting: return "民主生活会/组织生活会";
        case domain::ProblemSource::kOther: return "其他";
    }
    return "";
}

inline const char* TaskTypeLabel(domain::TaskType t) {
    switch (t) {
        case domain::TaskType::kImmediate: return "立行立改";
        case domain::TaskType::kTimeBound: return "限期整改";
        case domain::TaskType::kOngoing: return "长期坚持";
    }
    return "";
}

}  // namespace rectify::service::detail
