// `rectify problem escalate`, `rectify escalation accept|decline|withdraw|show`, `rectify task cascade` and
// `rectify problem co-owner` (issue 5, docs/LINKAGE.md): the linkage steps for scripting. Each acts as the CLI's root actor and
// prints the resulting record as JSON; a failure is one line on stderr and exit 1.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "cli/detail.hpp"
#include "common/time.hpp"
#include "domain/json.hpp"
#include "domain/linkage.hpp"
#include "service/service.hpp"

namespace rectify::cli::detail {
namespace {

template <typename T>
int Print(const Result<T>& r) {
    if (!r.ok()) return Fail(r.status());
    std::cout << domain::ToJson(*r).dump(2) << "\n";
    return 0;
}

}  // namespace

void AddLinkageCommands(CLI::App& app, Globals& g, std::function<int()>& run) {
    auto with_service = [&g](auto body) {
        return [&g, body]() -> int {
            auto svc = OpenInitialized(g);
            if (!svc.ok()) return Fail(svc.status());
            return body(**svc, (*svc)->RootActor("cli"));
        };
    };

    // problem escalate
    struct EscalateArgs {
        std::int64_t problem = 0;
        std::string to, reason, kind = "ancestor";
        std::optional<std::int64_t> version;
    };
    auto ea = std::make_shared<EscalateArgs>();
    auto* problem = app.get_subcommand("problem");
    auto* escalate = problem->add_subcommand(
        "escalate", "下题上答: ask an ancestor of the problem's owner to own and answer it.");
    escalate->add_option("problem", ea->problem, "problem id")->required();
    escalate->add_option("--to", ea->to, "the ancestor: id, code:<division code> or name path")->required();
    escalate->add_option("--reason", ea->reason, "why the root of the problem lies above")->required();
    escalate->add_option("--kind", ea->kind, "ancestor, or batch_link (a second-batch unit to a first-batch unit)")
        ->check(CLI::IsMember({"ancestor", "batch_link"}))
        ->capture_default_str();
    escalate->add_option("--version", ea->version, "the problem version you read");
    escalate->callback([&run, with_service, ea] {
        run = with_service([ea](service::Service& svc, const domain::Actor& actor) -> int {
            auto to = ResolveOrg(svc, actor, ea->to);
            if (!to.ok()) return Fail(to.status());
            service::EscalationDraft d{to->id, ea->reason, *domain::ParseEnum<domain::EscalationKind>(ea->kind)};
            return Print(svc.EscalateProblem(actor, ea->problem, d, ea->version));
        });
    });

    // problem co-owner (同题共答)
    struct CoOwnerArgs {
        std::int64_t problem = 0;
        std::string org, title, description, responsible, lead, type = "time_bound", due;
        std::optional<std::int64_t> version;
    };
    auto co = std::make_shared<CoOwnerArgs>();
    auto* co_owner = problem->add_subcommand(
        "co-owner", "同题共答: add a co-owner org with its part (a task of that org) to a problem.");
    co_owner->add_option("problem", co->problem, "problem id")->required();
    co_owner->add_option("--org", co->org, "the co-owner: id, code:<division code> or name path")->required();
    co_owner->add_option("--title", co->title, "its part")->required();
    co_owner->add_option("--description", co->description, "details");
    co_owner->add_option("--responsible", co->responsible, "responsible person (责任人)")->required();
    co_owner->add_option("--lead", co->lead, "lead official (牵头领导)");
    co_owner->add_option("--type", co->type, "immediate or time_bound")
        ->check(CLI::IsMember({"immediate", "time_bound"}))
        ->capture_default_str();
    co_owner->add_option("--due", co->due, "deadline, RFC 3339 or a date")->required();
    co_owner->add_option("--version", co->version, "the problem version you read");
    co_owner->callback([&run, with_service, co] {
        run = with_service([co](service::Service& svc, const domain::Actor& actor) -> int {
            auto org = ResolveOrg(svc, actor, co->org);
            if (!org.ok()) return Fail(org.status());
            service::CoOwnerDraft d;
            d.org_id = org->id;
            d.task.title = co->title;
            d.task.description = co->description;
            d.task.responsible_person = co->responsible;
            if (!co->lead.empty()) d.task.lead_official = co->lead;
            d.task.type = *domain::ParseEnum<domain::TaskType>(co->type);
            auto due = ParseIso(co->due);
            if (!due.ok()) return Fail(InvalidArgument("--due: " + due.status().message()));
            d.task.due_at = *due;
            auto added = svc.AddCoOwner(actor, co->problem, d, co->version);
            if (!added.ok()) return Fail(added.status());
            std::cout << nlohmann::json{{"co_owner", domain::ToJson(added->co_owner)},
                                        {"task", domain::ToJson(added->task)}}
                             .dump(2)
                      << "\n";
            return 0;
        });
    });

    // escalation show / accept / decline / withdraw
    auto* escalation = app.add_subcommand("escalation", "Decide on escalations (下题上答).");
    escalation->require_subcommand(1);
    struct DecisionArgs {
        std::int64_t id = 0;
        std::string text;
        std::optional<std::int64_t> version;
    };
    auto add_decision = [&](const std::string& name, const std::string& help, const std::string& option,
                            bool required, auto call) {
        auto args = std::make_shared<DecisionArgs>();
        auto* cmd = escalation->add_subcommand(name, help);
        cmd->add_option("escalation", args->id, "escalation id")->required();
        if (!option.empty()) {
            auto* opt = cmd->add_option(option, args->text, option == "--comment" ? "a note" : "why");
            if (required) opt->required();
        }
        cmd->add_option("--version", args->version, "the version you read (fails if someone changed it since)");
        cmd->callback([&run, with_service, args, call] {
            run = with_service([args, call](service::Service& svc, const domain::Actor& actor) {
                return Print(call(svc, actor, *args));
            });
        });
    };
    add_decision("show", "Print an escalation as JSON.", "", false,
                 [](service::Service& svc, const domain::Actor& a, const DecisionArgs& d) {
                     return svc.GetEscalation(a, d.id);
                 });
    add_decision("accept", "The target org accepts: it becomes the problem's owner and answers it.", "--comment",
                 false, [](service::Service& svc, const domain::Actor& a, const DecisionArgs& d) {
                     return svc.AcceptEscalation(
                         a, d.id, d.text.empty() ? std::nullopt : std::optional<std::string>(d.text), d.version);
                 });
    add_decision("decline", "The target org declines with a reason; the owner stays.", "--reason", true,
                 [](service::Service& svc, const domain::Actor& a, const DecisionArgs& d) {
                     return svc.DeclineEscalation(a, d.id, d.text, d.version);
                 });
    add_decision("withdraw", "The asking org takes a pending request back.", "--reason", true,
                 [](service::Service& svc, const domain::Actor& a, const DecisionArgs& d) {
                     return svc.WithdrawEscalation(a, d.id, d.text, d.version);
                 });

    // task cascade
    struct CascadeArgs {
        std::int64_t task = 0;
        std::string scope = "descendants", level, kind, responsible, title, description, due;
        std::vector<std::string> orgs;
        std::optional<int> batch;
        std::optional<std::int64_t> version;
    };
    auto ca = std::make_shared<CascadeArgs>();
    auto* task = app.get_subcommand("task");
    auto* cascade = task->add_subcommand(
        "cascade", "上题下答: one child task per org below the task's org that the filter selects, in one step.");
    cascade->add_option("task", ca->task, "parent task id")->required();
    cascade->add_option("--scope", ca->scope, "descendants, level or orgs")
        ->check(CLI::IsMember({"descendants", "level", "orgs"}))
        ->capture_default_str();
    cascade->add_option("--level", ca->level, "scope level: the org level, e.g. county");
    cascade->add_option("--org", ca->orgs, "scope orgs: an org (id, code:<code> or name path); repeatable");
    cascade->add_option("--kind", ca->kind, "only orgs of this kind, e.g. school");
    cascade->add_option("--batch", ca->batch, "only orgs of this batch (0, 1, 2)")->check(CLI::Range(0, 2));
    cascade->add_option("--responsible", ca->responsible, "responsible person of every child (责任人)")->required();
    cascade->add_option("--title", ca->title, "the children's title (default: the parent's)");
    cascade->add_option("--description", ca->description, "the children's description (default: the parent's)");
    cascade->add_option("--due", ca->due, "the children's deadline (default: the parent's; never later)");
    cascade->add_option("--version", ca->version, "the parent's version you read");
    cascade->callback([&run, with_service, ca] {
        run = with_service([ca](service::Service& svc, const domain::Actor& actor) -> int {
            service::CascadeDraft d;
            d.targets.scope = *domain::ParseEnum<domain::CascadeScope>(ca->scope);
            if (!ca->level.empty()) d.targets.level = ca->level;
            for (const auto& ref : ca->orgs) {
                auto org = ResolveOrg(svc, actor, ref);
                if (!org.ok()) return Fail(org.status());
                d.targets.org_ids.push_back(org->id);
            }
            if (!ca->kind.empty()) {
                auto kind = domain::ParseEnum<domain::OrgKind>(ca->kind);
                if (!kind.ok()) return Fail(InvalidArgument("--kind: " + kind.status().message()));
                d.targets.kind = *kind;
            }
            d.targets.batch = ca->batch;
            d.responsible_person = ca->responsible;
            if (!ca->title.empty()) d.title = ca->title;
            if (!ca->description.empty()) d.description = ca->description;
            if (!ca->due.empty()) {
                auto due = ParseIso(ca->due);
                if (!due.ok()) return Fail(InvalidArgument("--due: " + due.status().message()));
                d.due_at = *due;
            }
            return Print(svc.CascadeTask(actor, ca->task, d, ca->version));
        });
    });
}

}  // namespace rectify::cli::detail
