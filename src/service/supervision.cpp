// Supervision (督促指导, issue 8): warnings, the ladder urge → supervise → interview (by hand and by the
// scheduler), the work queues and bulletins. The rules are in domain/supervision.hpp; this file checks
// scope and roles and stores each step with its event, notification and webhook outbox rows in one
// transaction. docs/SUPERVISION.md explains it.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/text.hpp"
#include "domain/json.hpp"
#include "domain/supervision.hpp"
#include "service/detail/checks.hpp"
#include "service/service.hpp"

namespace rectify::service {
namespace {

using domain::SupervisionKind;
using domain::SupervisionStep;
using domain::Task;
using nlohmann::json;

// Who climbs the ladder by hand: supervisors and leaders (admin always) over the level above.
constexpr domain::RoleSet kLadderRoles{domain::Role::kSupervisor, domain::Role::kLeader};
constexpr domain::RoleSet kVerifyRoles{domain::Role::kVerifier};
constexpr domain::RoleSet kEscalationDeciders{domain::Role::kReviewer};
constexpr std::size_t kMaxReason = 2000;

std::string Id(std::int64_t id) { return std::to_string(id); }

std::string LocalDate(UnixSeconds t) {
    const auto c = domain::CivilOf(LocalDayNumber(t));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", c.year, c.month, c.day);
    return buf;
}

json RateJson(std::int64_t num, std::int64_t den) {
    json j{{"numerator", num}, {"denominator", den}};
    j["rate"] = den > 0 ? json(static_cast<double>(num) / static_cast<double>(den)) : json(nullptr);
    return j;
}

std::string Percent(std::int64_t num, std::int64_t den) {
    if (den <= 0) return "—";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * static_cast<double>(num) / static_cast<double>(den));
    return buf;
}

// The notice a step sends to the task's org (Chinese: the users are Chinese offices).
std::pair<std::string, std::string> NoticeOf(const SupervisionStep& s, const Task& t, const std::string& org_name) {
    switch (s.kind) {
        case SupervisionKind::kUrge:
            return {"催办：" + t.title, "请" + org_name + "（责任人：" + t.responsible_person + "）抓紧办理任务「" + t.title +
                                           "」。" + s.reason};
        case SupervisionKind::kSupervise:
            return {"督办（" + s.number.value_or("") + "）：" + t.title,
                    "任务「" + t.title + "」列入督办。" + s.reason + " 请于 " +
                        (s.feedback_due_at ? LocalDate(*s.feedback_due_at) : std::string("—")) + " 前反馈办理情况，此后每 " +
                        std::to_string(s.feedback_every_days.value_or(7)) + " 天反馈一次。"};
        case SupervisionKind::kInterview:
            return {"约谈：" + t.title, "就任务「" + t.title + "」约谈 " + s.official.value_or("") + "，时间 " +
                                           (s.held_at ? FormatIso(*s.held_at) : std::string("—")) + "。" + s.reason};
    }
    return {};
}

}  // namespace

nlohmann::json StepToJson(const SupervisionStep& s) {
    json j{{"id", s.id},
           {"task_id", s.task_id},
           {"problem_id", s.problem_id},
           {"org_id", s.org_id},
           {"kind", domain::ToString(s.kind)},
           {"automatic", s.automatic},
           {"reason", s.reason},
           {"actor", s.actor},
           {"at", FormatIso(s.at)}};
    j["trigger_due_at"] = s.trigger_due_at ? json(FormatIso(*s.trigger_due_at)) : json(nullptr);
    j["number"] = s.number ? json(*s.number) : json(nullptr);
    j["feedback_due_at"] = s.feedback_due_at ? json(FormatIso(*s.feedback_due_at)) : json(nullptr);
    j["feedback_every_days"] = s.feedback_every_days ? json(*s.feedback_every_days) : json(nullptr);
    j["official"] = s.official ? json(*s.official) : json(nullptr);
    j["held_at"] = s.held_at ? json(FormatIso(*s.held_at)) : json(nullptr);
    j["notes"] = s.notes ? json(*s.notes) : json(nullptr);
    return j;
}

Result<WorkQueue> ParseWorkQueue(std::string_view name) {
    std::string names;
    for (const auto& [q, n] : kWorkQueueNames) {
        if (n == name) return q;
        names += (names.empty() ? "" : ", ") + std::string(n);
    }
    return InvalidArgument("kind: no work queue \"" + std::string(name) + "\"; the queues are " + names);
}

void Service::ConfigureSupervision(SupervisionPolicy policy) { supervision_ = std::move(policy); }

const domain::WorkCalendar& Service::calendar() const {
    return supervision_.calendar ? *supervision_.calendar : domain::WorkCalendar::BuiltIn();
}

// ---- opinions against their handling-time limits ----

void Service::StampOpinionSla(domain::Opinion& o) const {
    if (o.reply_due_at == 0) {
        o.reply_due_at = domain::SlaDueAt(o.received_at, o.sla_class, supervision_.opinion_sla, calendar());
    }
    if (!o.responded_at && o.replied_at) o.responded_at = o.replied_at;
}

Result<OpinionRates> Service::GetOpinionRates(const Actor& actor, domain::OrgId org_id, UnixSeconds from,
                                              UnixSeconds to, UnixSeconds now) {
    if (from >= to) return InvalidArgument("to: the period ends after it starts (from < to)");
    ASSIGN_OR_RETURN(domain::Org org, GetOrgInScope(actor, org_id));
    const domain::SlaProfile& profile = supervision_.opinion_sla;
    auto row = [&](domain::Org o, const domain::OpinionSlaCounts& c) {
        OpinionRatesRow r;
        r.org = std::move(o);
        r.counts = c;
        r.response = MakeRate(c.responded_on_time, c.due);
        r.resolution = MakeRate(c.resolved, c.resolvable);
        r.satisfaction = MakeRate(domain::SatisfiedCount(c, profile), c.rated);
        r.score = domain::SlaScore(c, profile);
        return r;
    };
    OpinionRates out;
    out.from = from;
    out.to = to;
    out.at = now;
    out.limits = profile.LimitsText();
    out.weights = profile.weights;
    out.basically_satisfied_counts = profile.basically_satisfied_counts;
    ASSIGN_OR_RETURN(auto total, store_->OpinionSlaFigures(org.path, from, to, now));
    ASSIGN_OR_RETURN(auto children, store_->ListChildren(org.id));
    for (auto& c : children) {
        ASSIGN_OR_RETURN(auto counts, store_->OpinionSlaFigures(c.path, from, to, now));
        out.children.push_back(row(std::move(c), counts));
    }
    out.total = row(std::move(org), total);
    return out;
}

Result<TaskSupervision> Service::GetTaskSupervision(const Actor& actor, domain::TaskId id, UnixSeconds now) {
    ASSIGN_OR_RETURN(Task t, GetTask(actor, id));
    ASSIGN_OR_RETURN(auto reports, store_->ListProgressReports(id));
    std::optional<UnixSeconds> last;
    for (const auto& r : reports) last = std::max(last.value_or(r.reported_at), r.reported_at);
    TaskSupervision out;
    out.warning = domain::WarningOf(t, last, now, calendar(), supervision_.warnings);
    ASSIGN_OR_RETURN(out.steps, store_->ListSupervisionSteps(id));
    out.task = std::move(t);
    return out;
}

Status Service::RecordStep(store::WriteTx& tx, const Actor& actor, const Task& task, SupervisionStep& step) {
    step.task_id = task.id;
    step.problem_id = task.problem_id;
    step.org_id = task.org_id;
    step.actor = actor.name;
    if (step.kind == SupervisionKind::kSupervise && !step.number) {
        const int year = domain::CivilOf(LocalDayNumber(step.at)).year;
        ASSIGN_OR_RETURN(std::int64_t n,
                         tx.CountSupervisionNumbers(FromLocal(year, 1, 1, 0, 0, 0), FromLocal(year + 1, 1, 1, 0, 0, 0)));
        step.number = domain::SupervisionNumber(year, n + 1);
    }
    RETURN_IF_ERROR(tx.InsertSupervisionStep(step));
    const std::string kind(domain::ToString(step.kind));
    const std::string status(domain::ToString(task.status));
    store::Event ev = detail::TransitionEvent(actor, "task", task.id, kind, std::nullopt, StepToJson(step), status,
                                              status, step.reason);
    ev.at = step.at;
    RETURN_IF_ERROR(tx.AppendEvent(ev));

    ASSIGN_OR_RETURN(domain::Org org, tx.GetOrg(task.org_id));
    domain::Notification n;
    n.org_id = task.org_id;
    n.kind = kind;
    n.task_id = task.id;
    n.problem_id = task.problem_id;
    std::tie(n.title, n.body) = NoticeOf(step, task, org.name);
    n.created_at = step.at;
    RETURN_IF_ERROR(tx.InsertNotification(n));
    // The webhook body: the notification and the step, so a gateway can text the responsible person.
    json payload{{"notification_id", n.id},
                 {"kind", kind},
                 {"org_id", org.id},
                 {"org_name", org.name},
                 {"task_id", task.id},
                 {"problem_id", task.problem_id},
                 {"responsible_person", task.responsible_person},
                 {"title", n.title},
                 {"body", n.body},
                 {"created_at", FormatIso(n.created_at)},
                 {"step", StepToJson(step)}};
    return tx.EnqueueDeliveries(n.id, org.path, kind, payload.dump(), step.at).status();
}

Result<SupervisionStep> Service::TakeSupervisionStep(const Actor& actor, domain::TaskId id,
                                                     const SupervisionDraft& draft, UnixSeconds now) {
    RETURN_IF_ERROR(domain::CheckRequiredText("reason", draft.reason, kMaxReason));
    if (draft.kind == SupervisionKind::kInterview) {
        if (!draft.official || std::string(TrimAscii(*draft.official)).empty()) {
            return InvalidArgument("official: an interview (约谈) names the official met");
        }
        if (CodePointCount(*draft.official) > domain::kMaxNameChars) {
            return InvalidArgument("official: at most " + std::to_string(domain::kMaxNameChars) + " characters");
        }
        if (!draft.held_at) return InvalidArgument("held_at: an interview (约谈) has the time it was held");
        if (draft.notes && CodePointCount(*draft.notes) > domain::kMaxTextChars) {
            return InvalidArgument("notes: at most " + std::to_string(domain::kMaxTextChars) + " characters");
        }
    }
    if (draft.feedback_every_days && (*draft.feedback_every_days < 1 || *draft.feedback_every_days > 365)) {
        return InvalidArgument("feedback_every_days: between 1 and 365");
    }
    ASSIGN_OR_RETURN(Task visible, GetTask(actor, id));
    SupervisionStep step;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(Task t, tx.GetTask(visible.id));
        const std::string doing = std::string(domain::ToString(draft.kind)) + " on task " + Id(t.id);
        // The level above the task's org, or the org that created the task.
        Status allowed = PermissionDenied(doing + " needs the role supervisor or leader over the level above org " +
                                          Id(t.org_id) + " or over org " + Id(t.created_by_org_id) +
                                          ", which created the task");
        if (auto parent = Tree()->Parent(t.org_id)) {
            if (detail::AuthorizeRoles(*this, actor, kLadderRoles, *parent, doing).ok()) allowed = Status::Ok();
        }
        // The creating org counts only when it is not the task's own org: nobody supervises itself.
        if (!allowed.ok() && t.created_by_org_id != t.org_id &&
            detail::AuthorizeRoles(*this, actor, kLadderRoles, t.created_by_org_id, doing).ok()) {
            allowed = Status::Ok();
        }
        RETURN_IF_ERROR(allowed);
        const bool deadline_runs = domain::DeadlineRuns(t.status);
        if (draft.kind != SupervisionKind::kInterview && !deadline_runs) {
            return FailedPrecondition(doing + ": the task is " + std::string(domain::ToString(t.status)) +
                                      "; only a pending, in-progress or returned task is urged or supervised");
        }
        if (t.status == domain::TaskStatus::kWithdrawn) {
            return FailedPrecondition(doing + ": the task was withdrawn");
        }
        step.kind = draft.kind;
        step.reason = draft.reason;
        step.at = now;
        if (draft.kind == SupervisionKind::kSupervise) {
            step.feedback_due_at = draft.feedback_due_at.value_or(
                domain::EndOfLocalDay(calendar().AddWorkingDays(LocalDayNumber(now),
                                                                supervision_.ladder.feedback_working_days)) -
                1);
            step.feedback_every_days = draft.feedback_every_days.value_or(supervision_.ladder.feedback_every_days);
        }
        if (draft.kind == SupervisionKind::kInterview) {
            step.official = std::string(TrimAscii(*draft.official));
            step.held_at = draft.held_at;
            step.notes = draft.notes;
        }
        return RecordStep(tx, actor, t, step);
    }));
    return step;
}

Result<LadderRunReport> Service::RunLadder(UnixSeconds now) {
    LadderRunReport report;
    report.at = now;
    const Actor scheduler = RootActor("scheduler");
    const auto& policy = supervision_.ladder;
    std::optional<std::pair<UnixSeconds, domain::TaskId>> after;
    for (;;) {
        ASSIGN_OR_RETURN(auto batch, store_->LadderCandidates(now, after, 500));
        if (batch.empty()) break;
        for (const auto& c : batch) {
            after = std::make_pair(*c.task.due_at, c.task.id);
            ++report.candidates;
            const auto kind = domain::DueLadderStep(c.task, c.urged_at, c.supervised, now, calendar(), policy);
            if (!kind) continue;
            const Status st = store_->Write([&](store::WriteTx& tx) -> Status {
                ASSIGN_OR_RETURN(Task t, tx.GetTask(c.task.id));
                // Changed since the scan read it (accepted, deadline moved): the next pass decides again.
                if (t.version != c.task.version || t.status != c.task.status || t.due_at != c.task.due_at) {
                    return Aborted("task " + Id(t.id) + " changed during the pass");
                }
                SupervisionStep step;
                step.kind = *kind;
                step.automatic = true;
                step.trigger_due_at = t.due_at;
                step.at = now;
                if (*kind == SupervisionKind::kUrge) {
                    step.reason = "已超过办理期限（" + FormatIso(*t.due_at) + "），系统自动催办。";
                } else {
                    step.reason = "催办后 " + std::to_string(policy.supervise_after_working_days) +
                                  " 个工作日仍未办结，系统自动督办。";
                    step.feedback_due_at =
                        domain::EndOfLocalDay(calendar().AddWorkingDays(LocalDayNumber(now), policy.feedback_working_days)) -
                        1;
                    step.feedback_every_days = policy.feedback_every_days;
                }
                return RecordStep(tx, scheduler, t, step);
            });
            if (st.ok()) {
                ++(*kind == SupervisionKind::kUrge ? report.urged : report.supervised);
            } else if (st.code() == StatusCode::kAlreadyExists || st.code() == StatusCode::kAborted) {
                ++report.skipped;
            } else {
                report.errors.push_back("task " + Id(c.task.id) + ": " + st.message());
            }
        }
    }
    return report;
}

Result<Page<QueueItem>> Service::ListQueue(const Actor& actor, WorkQueue queue, const QueueQuery& query,
                                          UnixSeconds now) {
    if (query.offset < 0 || query.offset > kMaxOffset) {
        return InvalidArgument("offset: between 0 and " + std::to_string(kMaxOffset));
    }
    if (query.limit < 1 || query.limit > kMaxPageSize) {
        return InvalidArgument("limit: between 1 and " + std::to_string(kMaxPageSize));
    }
    ASSIGN_OR_RETURN(auto paths, ScopePaths(actor, query.org_id));
    // The orgs where the actor holds one of `roles`, narrowed to the listed subtrees.
    auto role_paths = [&](domain::RoleSet roles) -> Result<std::vector<std::string>> {
        std::vector<std::string> out;
        for (const auto& g : actor.grants) {
            if (g.role != domain::Role::kAdmin && !roles.Has(g.role)) continue;
            ASSIGN_OR_RETURN(domain::Org org, store_->GetOrg(g.org_id));
            for (const auto& p : paths) {
                if (org.path.rfind(p, 0) == 0) out.push_back(org.path);       // the grant lies inside
                else if (p.rfind(org.path, 0) == 0) out.push_back(p);         // the subtree lies inside the grant
            }
        }
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    };
    Page<QueueItem> page;
    if (queue == WorkQueue::kEscalations) {
        ASSIGN_OR_RETURN(auto to_paths, role_paths(kEscalationDeciders));
        ASSIGN_OR_RETURN(auto rows, store_->ListPendingEscalations(to_paths, query.offset, query.limit));
        ASSIGN_OR_RETURN(page.total, store_->CountPendingEscalations(to_paths));
        for (auto& r : rows) {
            QueueItem item;
            item.why = "escalated";
            item.why_text = "下级申请上交（下题上答）：" + r.escalation.reason;
            item.escalation = std::move(r);
            page.items.push_back(std::move(item));
        }
        return page;
    }
    if (queue == WorkQueue::kOpinionsOverdue) {
        ASSIGN_OR_RETURN(auto rows, store_->ListOverdueOpinions(paths, now, query.offset, query.limit));
        ASSIGN_OR_RETURN(page.total, store_->CountOverdueOpinions(paths, now));
        for (auto& o : rows) {
            QueueItem item;
            item.why = "opinion_overdue";
            const std::int64_t hours = (now - o.reply_due_at) / 3600;
            static constexpr std::array<std::string_view, 4> kClassText{"紧急", "及时性", "一般", "复杂疑难"};
            item.why_text = "超过" + std::string(kClassText[static_cast<std::size_t>(o.sla_class)]) + "意见办理时限 " +
                            (hours < 48 ? std::to_string(hours) + " 小时" : std::to_string(hours / 24) + " 天") +
                            "，尚未响应";
            item.opinion = std::move(o);
            page.items.push_back(std::move(item));
        }
        return page;
    }
    store::QueueFilter f;
    f.subtree_paths = paths;
    f.now = now;
    f.due_before = domain::DueSoonLimit(now, calendar(), supervision_.warnings.due_soon_working_days);
    f.stalled_before = now - static_cast<std::int64_t>(supervision_.warnings.stalled_days) * kSecondsPerDay;
    f.offset = query.offset;
    f.limit = query.limit;
    switch (queue) {
        case WorkQueue::kOverdue: f.kind = store::QueueKind::kOverdue; break;
        case WorkQueue::kDueSoon: f.kind = store::QueueKind::kDueSoon; break;
        case WorkQueue::kStalled: f.kind = store::QueueKind::kStalled; break;
        case WorkQueue::kReturned: f.kind = store::QueueKind::kReturned; break;
        case WorkQueue::kToVerify: {
            f.kind = store::QueueKind::kToVerify;
            ASSIGN_OR_RETURN(f.below_paths, role_paths(kVerifyRoles));
            break;
        }
        case WorkQueue::kEscalations:
        case WorkQueue::kOpinionsOverdue: break;
    }
    // The overdue and due-soon totals from the task index when it is current (issue 11 item 2: at province
    // scale the count was the slow half), and with them the page's plan; the subtrees are the asked org's or
    // the scope roots (disjoint).
    const std::vector<domain::OrgId> roots = query.org_id ? std::vector<domain::OrgId>{*query.org_id} : actor.scope;
    const auto totals = DeadlineTotalsFromIndex(queue, roots, now, f.due_before);
    if (totals) {
        // Rows each plan reads, roughly: the walk in deadline order probes (offset + limit) * all / subtrees
        // open tasks before it has the page; starting from the orgs reads the subtrees' `subtrees` and sorts
        // them. Walk when that is fewer: (offset + limit) * all <= subtrees^2 (at most ~10^14: no overflow).
        const std::int64_t page_rows = f.offset + f.limit;
        f.walk_by_deadline = page_rows * totals->all <= totals->subtrees * totals->subtrees;
    }
    ASSIGN_OR_RETURN(auto rows, store_->ListQueue(f));
    if (totals) {
        page.total = totals->subtrees;
    } else {
        ASSIGN_OR_RETURN(page.total, store_->CountQueue(f));
    }
    for (auto& r : rows) {
        QueueItem item;
        item.warning = domain::WarningOf(r.task, r.last_report_at, now, calendar(), supervision_.warnings);
        const std::int64_t wd = item.warning->working_days.value_or(0);
        switch (queue) {
            case WorkQueue::kOverdue:
                item.why = "overdue";
                item.why_text = wd == 0 ? "今日逾期" : "逾期 " + std::to_string(wd) + " 个工作日";
                break;
            case WorkQueue::kDueSoon:
                item.why = "due_soon";
                item.why_text = wd == 0 ? "今日到期" : std::to_string(wd) + " 个工作日后到期";
                break;
            case WorkQueue::kStalled:
                item.why = "stalled";
                item.why_text = "已 " + std::to_string((now - item.warning->last_activity_at) / kSecondsPerDay) +
                                " 天无进展报告";
                break;
            case WorkQueue::kReturned:
                item.why = "returned";
                item.why_text = "已被退回 " + std::to_string(r.returns) + " 次";
                break;
            case WorkQueue::kToVerify:
                item.why = "submitted";
                item.why_text = "已申请销号，待验收" +
                                (r.task.submitted_at ? "（" + LocalDate(*r.task.submitted_at) + " 提交）" : std::string());
                break;
            case WorkQueue::kEscalations:
            case WorkQueue::kOpinionsOverdue: break;
        }
        item.task = std::move(r);
        page.items.push_back(std::move(item));
    }
    return page;
}

// ---- bulletins ----

Result<domain::Bulletin> Service::PublishBulletin(const Actor& actor, const BulletinDraft& draft, UnixSeconds now) {
    RETURN_IF_ERROR(domain::CheckRequiredText("title", draft.title, domain::kMaxTitleChars));
    if (draft.period_from >= draft.period_to) {
        return InvalidArgument("period_to: the period ends after it starts (period_from < period_to)");
    }
    if (draft.min_sample < 0 || draft.min_sample > 100000) {
        return InvalidArgument("min_sample: between 0 and 100000");
    }
    ASSIGN_OR_RETURN(domain::Org org, GetOrgInScope(actor, draft.org_id));
    // Issue 5: a bulletin cut by campaign and/or special item; an item names its campaign. Checked before
    // the roles: a campaign or item the actor cannot see is a 404 whatever the actor's roles.
    store::ProblemTagCut cut{draft.campaign_id, draft.special_item_id};
    json cut_json = nullptr;
    if (!cut.empty()) {
        std::optional<domain::SpecialItem> item;
        if (draft.special_item_id) {
            auto found = GetSpecialItem(actor, *draft.special_item_id);
            if (!found.ok()) return Status(found.status().code(), "special_item_id: " + found.status().message());
            if (draft.campaign_id && found->campaign_id != *draft.campaign_id) {
                return InvalidArgument("special_item_id: special item " + Id(found->id) + " belongs to campaign " +
                                       Id(found->campaign_id) + ", not to campaign " + Id(*draft.campaign_id));
            }
            item = *found;
        }
        const domain::CampaignId campaign_id = item ? item->campaign_id : *draft.campaign_id;
        ASSIGN_OR_RETURN(domain::Campaign campaign, VisibleCampaign(actor, campaign_id, "campaign_id: "));
        cut_json = {{"campaign", {{"id", campaign.id}, {"code", campaign.code}, {"name", campaign.name}}},
                    {"special_item", item ? json{{"id", item->id}, {"code", item->code}, {"title", item->title}}
                                          : json(nullptr)}};
    }
    RETURN_IF_ERROR(detail::AuthorizeRoles(*this, actor, kLadderRoles, org.id, "publishing a bulletin"));
    ASSIGN_OR_RETURN(auto children, store_->ListChildren(org.id));
    if (children.empty()) {
        return InvalidArgument("org_id: org " + Id(org.id) + " has no child orgs to rank in a bulletin");
    }
    std::vector<domain::BulletinRow> rows;
    // Issue 12: the leaders' own lists (个人检视 and 领导班子) count apart from unit problems: items created
    // before the period's end, judged at the bulletin's date (docs/CAUSES.md#bulletins).
    const std::string today = FormatIso(now).substr(0, 10);
    json self_rows = json::array();
    store::SelfInspectionFigures self_total;
    auto add_counts = [](domain::SelfInspectionCounts& to, const domain::SelfInspectionCounts& c) {
        to.items += c.items;
        to.done += c.done;
        to.done_on_time += c.done_on_time;
        to.overdue += c.overdue;
    };
    for (const auto& c : children) {
        ASSIGN_OR_RETURN(store::SelfInspectionFigures f, store_->SelfInspectionFiguresOf(c.path, today, draft.period_to));
        self_rows.push_back({{"org_id", c.id},
                             {"org_name", c.name},
                             {"personal", domain::ToJson(f.personal)},
                             {"leadership_group", domain::ToJson(f.leadership_group)}});
        add_counts(self_total.personal, f.personal);
        add_counts(self_total.leadership_group, f.leadership_group);
    }
    for (const auto& c : children) {
        ASSIGN_OR_RETURN(domain::BulletinRow row, store_->BulletinFigures(c.path, draft.period_from, draft.period_to, now, cut));
        row.org_id = c.id;
        row.org_name = c.name;
        rows.push_back(std::move(row));
    }
    domain::RankBulletin(rows, draft.min_sample);
    // The satisfaction rate's numerator follows the opinion SLA profile, as /stats and the opinion rates do.
    const bool basically_counts = supervision_.opinion_sla.basically_satisfied_counts;
    auto satisfied = [basically_counts](const domain::BulletinRow& r) {
        return r.satisfied + (basically_counts ? r.basically_satisfied : 0);
    };
    json items = json::array();
    domain::BulletinRow total;
    for (const auto& r : rows) {
        items.push_back({{"org_id", r.org_id},
                         {"org_name", r.org_name},
                         {"rank", r.rank ? json(*r.rank) : json(nullptr)},
                         {"problems", r.problems},
                         {"closed", r.closed},
                         {"completion", RateJson(r.closed, r.problems)},
                         {"closed_on_time", RateJson(r.closed_on_time, r.closed_with_deadline)},
                         {"overdue", r.overdue},
                         {"satisfaction", RateJson(satisfied(r), r.rated)},
                         {"supervised", r.supervised}});
        total.problems += r.problems;
        total.closed += r.closed;
        total.closed_on_time += r.closed_on_time;
        total.closed_with_deadline += r.closed_with_deadline;
        total.overdue += r.overdue;
        total.rated += r.rated;
        total.satisfied += r.satisfied;
        total.basically_satisfied += r.basically_satisfied;
        total.supervised += r.supervised;
    }
    json body{{"org", {{"id", org.id}, {"name", org.name}}},
              {"title", draft.title},
              {"period_from", FormatIso(draft.period_from)},
              {"period_to", FormatIso(draft.period_to)},
              {"at", FormatIso(now)},
              {"min_sample", draft.min_sample},
              {"cut", cut_json},
              {"rows", items},
              {"total",
               {{"problems", total.problems},
                {"closed", total.closed},
                {"completion", RateJson(total.closed, total.problems)},
                {"closed_on_time", RateJson(total.closed_on_time, total.closed_with_deadline)},
                {"overdue", total.overdue},
                {"satisfaction", RateJson(satisfied(total), total.rated)},
                {"supervised", total.supervised}}},
              {"self_inspection",
               {{"today", today},
                {"rows", std::move(self_rows)},
                {"total",
                 {{"personal", domain::ToJson(self_total.personal)},
                  {"leadership_group", domain::ToJson(self_total.leadership_group)}}}}}};
    domain::Bulletin b;
    b.org_id = org.id;
    b.title = draft.title;
    b.period_from = draft.period_from;
    b.period_to = draft.period_to;
    b.min_sample = draft.min_sample;
    b.body_json = body.dump();
    b.published_by = actor.name;
    b.published_at = now;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.InsertBulletin(b));
        store::Event ev = MakeEvent(actor, "bulletin", b.id, "publish", std::nullopt,
                                    json{{"org_id", b.org_id}, {"title", b.title}});
        return tx.AppendEvent(ev);
    }));
    return b;
}

Result<domain::Bulletin> Service::GetBulletin(const Actor& actor, domain::BulletinId id) {
    auto b = store_->GetBulletin(id);
    if (!b.ok()) return detail::MissingOr(b.status(), "bulletin " + Id(id) + " does not exist");
    if (!InScope(actor, b->org_id)) return NotFound("bulletin " + Id(id) + " does not exist");
    return b;
}

Result<std::vector<domain::Bulletin>> Service::ListBulletins(const Actor& actor, std::optional<domain::OrgId> org_id) {
    ASSIGN_OR_RETURN(auto paths, ScopePaths(actor, org_id));
    return store_->ListBulletins(paths, 100);
}

std::string BulletinCutText(const json& body) {
    if (!body.contains("cut") || !body["cut"].is_object()) return "";
    const json& cut = body["cut"];
    std::string text = "　专项整治：" + cut["campaign"]["name"].get<std::string>();
    if (cut["special_item"].is_object()) {
        text += "　整治事项：" + cut["special_item"]["code"].get<std::string>() + " " +
                cut["special_item"]["title"].get<std::string>();
    }
    return text;
}

Status Service::ExportBulletin(const Actor& actor, domain::BulletinId id, LedgerSink& sink) {
    ASSIGN_OR_RETURN(domain::Bulletin b, GetBulletin(actor, id));
    const json body = json::parse(b.body_json);
    RETURN_IF_ERROR(sink.Begin(b.title + "　" + body["org"]["name"].get<std::string>() + "　" + LocalDate(b.period_from) +
                                   " 至 " + LocalDate(b.period_to - 1) + BulletinCutText(body),
                               {"排名", "单位", "问题数", "已办结", "办结率", "按期办结率", "逾期", "满意率", "督办数"}));
    auto rate_text = [](const json& r) {
        return Percent(r["numerator"].get<std::int64_t>(), r["denominator"].get<std::int64_t>());
    };
    for (const auto& r : body["rows"]) {
        std::vector<LedgerCell> cells;
        cells.push_back(r["rank"].is_null() ? LedgerCell(std::string("样本不足")) : LedgerCell(r["rank"].get<std::int64_t>()));
        cells.push_back(r["org_name"].get<std::string>());
        cells.push_back(r["problems"].get<std::int64_t>());
        cells.push_back(r["closed"].get<std::int64_t>());
        cells.push_back(rate_text(r["completion"]));
        cells.push_back(rate_text(r["closed_on_time"]));
        cells.push_back(r["overdue"].get<std::int64_t>());
        cells.push_back(rate_text(r["satisfaction"]));
        cells.push_back(r["supervised"].get<std::int64_t>());
        RETURN_IF_ERROR(sink.Row(cells));
    }
    return sink.Finish();
}

// ---- supervision teams ----

namespace {
constexpr domain::RoleSet kTeamManagers{domain::Role::kOrgAdmin};

nlohmann::json TeamEventJson(const domain::SupervisionTeam& t) {
    return {{"org_id", t.org_id}, {"name", t.name}, {"kind", domain::ToString(t.kind)}};
}
}  // namespace

Result<domain::SupervisionTeam> Service::CreateTeam(const Actor& actor, const TeamDraft& draft) {
    RETURN_IF_ERROR(domain::CheckRequiredText("name", draft.name, domain::kMaxNameChars));
    if (draft.campaign) RETURN_IF_ERROR(domain::CheckRequiredText("campaign", *draft.campaign, domain::kMaxTitleChars));
    ASSIGN_OR_RETURN(domain::Org org, GetOrgInScope(actor, draft.org_id));
    RETURN_IF_ERROR(detail::AuthorizeRoles(*this, actor, kTeamManagers, org.id, "forming a supervision team"));
    domain::SupervisionTeam t;
    t.org_id = org.id;
    t.name = draft.name;
    t.kind = draft.kind;
    t.campaign = draft.campaign;
    t.created_by = actor.name;
    t.created_at = NowSeconds();
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.InsertTeam(t));
        store::Event ev = MakeEvent(actor, "supervision_team", t.id, "create", std::nullopt, TeamEventJson(t));
        return tx.AppendEvent(ev);
    }));
    return t;
}

Result<domain::SupervisionTeam> Service::GetTeam(const Actor& actor, domain::TeamId id) {
    auto t = store_->GetTeam(id);
    if (!t.ok()) return detail::MissingOr(t.status(), "team " + Id(id) + " does not exist");
    if (!InScope(actor, t->org_id)) return NotFound("team " + Id(id) + " does not exist");
    return t;
}

Result<std::vector<domain::SupervisionTeam>> Service::ListTeams(const Actor& actor, std::optional<domain::OrgId> org_id) {
    ASSIGN_OR_RETURN(auto paths, ScopePaths(actor, org_id));
    return store_->ListTeams(paths);
}

Result<domain::SupervisionTeam> Service::ManagedTeam(const Actor& actor, domain::TeamId id, const std::string& doing) {
    ASSIGN_OR_RETURN(domain::SupervisionTeam t, GetTeam(actor, id));
    RETURN_IF_ERROR(detail::AuthorizeRoles(*this, actor, kTeamManagers, t.org_id, doing));
    return t;
}

Result<domain::SupervisionTeam> Service::ChangeTeam(const Actor& actor, domain::TeamId id, const std::string& action,
                                                   const nlohmann::json& detail,
                                                   const std::function<Status(store::WriteTx&)>& change) {
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(change(tx));
        store::Event ev = MakeEvent(actor, "supervision_team", id, action, std::nullopt, detail);
        return tx.AppendEvent(ev);
    }));
    return store_->GetTeam(id);
}

Result<domain::SupervisionTeam> Service::AddTeamMember(const Actor& actor, domain::TeamId id, domain::UserId user_id) {
    ASSIGN_OR_RETURN(auto team, ManagedTeam(actor, id, "adding a team member"));
    ASSIGN_OR_RETURN(domain::User user, GetUser(actor, user_id));
    domain::TeamMember m{user.id, actor.name, NowSeconds()};
    return ChangeTeam(actor, team.id, "member_add", json{{"user_id", user.id}, {"name", user.name}},
                      [&](store::WriteTx& tx) { return tx.AddTeamMember(team.id, m); });
}

Result<domain::SupervisionTeam> Service::RemoveTeamMember(const Actor& actor, domain::TeamId id,
                                                         domain::UserId user_id) {
    ASSIGN_OR_RETURN(auto team, ManagedTeam(actor, id, "removing a team member"));
    return ChangeTeam(actor, team.id, "member_remove", json{{"user_id", user_id}},
                      [&](store::WriteTx& tx) { return tx.RemoveTeamMember(team.id, user_id); });
}

Result<domain::SupervisionTeam> Service::AssignTeam(const Actor& actor, domain::TeamId id, domain::OrgId org_id) {
    ASSIGN_OR_RETURN(auto team, ManagedTeam(actor, id, "assigning a team"));
    ASSIGN_OR_RETURN(domain::Org org, GetOrgInScope(actor, org_id));
    if (!Tree()->InSubtree(org.id, team.org_id)) {
        return InvalidArgument("org_id: org " + Id(org.id) + " lies outside the subtree of org " + Id(team.org_id) +
                               ", which formed the team");
    }
    domain::TeamAssignment a;
    a.org_id = org.id;
    a.assigned_by = actor.name;
    a.assigned_at = NowSeconds();
    return ChangeTeam(actor, team.id, "assign", json{{"org_id", org.id}},
                      [&](store::WriteTx& tx) { return tx.InsertTeamAssignment(team.id, a); });
}

Result<domain::SupervisionTeam> Service::EndTeamAssignment(const Actor& actor, domain::TeamId id,
                                                          domain::TeamAssignmentId assignment_id) {
    ASSIGN_OR_RETURN(auto team, ManagedTeam(actor, id, "ending a team assignment"));
    return ChangeTeam(actor, team.id, "assignment_end", json{{"assignment_id", assignment_id}}, [&](store::WriteTx& tx) {
        return tx.EndTeamAssignment(team.id, assignment_id, actor.name, NowSeconds());
    });
}

}  // namespace rectify::service
