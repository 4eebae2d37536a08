// `rectify supervise run` and the scheduler options of `rectify serve` (issue 8, docs/SUPERVISION.md):
// one supervision pass — automatic ladder steps, then webhook deliveries — at an injected instant, and
// the scheduler thread that runs the same pass every --scan-seconds inside the server.
#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>
#include <memory>

#include "cli/detail.hpp"
#include "common/csv.hpp"
#include "common/time.hpp"
#include "domain/supervision.hpp"
#include "http/scheduler.hpp"
#include "http/server.hpp"
#include "http/webhook_client.hpp"
#include "service/service.hpp"

namespace rectify::cli::detail {

namespace {

http::WebhookClientOptions ClientOptions(const SupervisionFlags& f) {
    http::WebhookClientOptions o;
    o.connect_timeout = std::chrono::seconds(f.webhook_timeout_seconds);
    o.io_timeout = std::chrono::seconds(f.webhook_timeout_seconds);
    o.ca_file = f.webhook_ca_file;
    return o;
}

}  // namespace

void AddSupervisionOptions(CLI::App* cmd, SupervisionFlags& f, bool scan) {
    if (scan) {
        cmd->add_option("--scan-seconds", f.scan_seconds,
                        "seconds between supervision passes (automatic urge/supervise, webhook deliveries); 0 = off")
            ->check(CLI::Range(0, 86400))
            ->capture_default_str();
    }
    cmd->add_option("--webhook-max-attempts", f.max_attempts, "attempts before a delivery is dead (dead letter)")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    cmd->add_option("--webhook-retry-base-seconds", f.retry_base_seconds,
                    "delay after the first failed attempt; doubles after each further one")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{86400}))
        ->capture_default_str();
    cmd->add_option("--webhook-retry-cap-seconds", f.retry_cap_seconds, "longest delay between attempts")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{7 * 86400}))
        ->capture_default_str();
    cmd->add_option("--webhook-timeout-seconds", f.webhook_timeout_seconds,
                    "connect timeout, and read/write timeout, of one delivery")
        ->check(CLI::Range(1, 300))
        ->capture_default_str();
    cmd->add_option("--webhook-ca-file", f.webhook_ca_file, "extra CA certificates (PEM) trusted for https webhooks");
    cmd->add_option("--due-soon-working-days", f.due_soon_working_days,
                    "yellow warning (临期): due by the end of the Nth working day from today")
        ->check(CLI::Range(0, 60))
        ->capture_default_str();
    cmd->add_option("--stalled-days", f.stalled_days, "stalled (停滞): no progress report for this many days")
        ->check(CLI::Range(1, 365))
        ->capture_default_str();
    cmd->add_flag("--no-auto-urge", f.no_auto_urge, "the scheduler does not urge (催办) overdue tasks by itself");
    cmd->add_flag("--no-auto-supervise", f.no_auto_supervise, "the scheduler does not supervise (督办) by itself");
    cmd->add_option("--urge-after-working-days", f.urge_after_working_days,
                    "automatic urge: 0 = when the deadline passes, N = at the end of the Nth working day after it")
        ->check(CLI::Range(0, 60))
        ->capture_default_str();
    cmd->add_option("--supervise-after-working-days", f.supervise_after_working_days,
                    "automatic supervise: this many full working days after the automatic urge")
        ->check(CLI::Range(0, 60))
        ->capture_default_str();
    cmd->add_option("--opinion-sla", f.opinion_sla,
                    "handling-time limits of opinions per class, e.g. emergency=2h,utility=24h,general=7d,complex=15wd "
                    "(h hours, d days, wd working days; default: 北京市接诉即办工作条例 2h, 24h, 7d, 15d)");
    cmd->add_option("--opinion-rate-weights", f.opinion_rate_weights,
                    "weights of the response, resolution and satisfaction rates in the score, e.g. "
                    "response=1,resolution=1,satisfaction=1 (the default)");
    cmd->add_flag("--only-satisfied-counts", f.only_satisfied_counts,
                  "the satisfaction rate counts only 满意, not 基本满意");
    cmd->add_option("--calendar", f.calendar_file,
                    "holiday calendar CSV (date,kind,name,notice) replacing the built-in 2024-2026 official one");
}

Status ConfigureWebhooks(service::Service& svc, const SupervisionFlags& f) {
    if (f.retry_cap_seconds < f.retry_base_seconds) {
        return InvalidArgument("--webhook-retry-cap-seconds (" + std::to_string(f.retry_cap_seconds) +
                               ") is below --webhook-retry-base-seconds (" + std::to_string(f.retry_base_seconds) + ")");
    }
    service::WebhookPolicy p;
    p.max_attempts = f.max_attempts;
    p.retry_base_seconds = f.retry_base_seconds;
    p.retry_cap_seconds = f.retry_cap_seconds;
    svc.ConfigureWebhooks(p);
    service::SupervisionPolicy sp;
    sp.warnings.due_soon_working_days = f.due_soon_working_days;
    sp.warnings.stalled_days = f.stalled_days;
    sp.ladder.auto_urge = !f.no_auto_urge;
    sp.ladder.auto_supervise = !f.no_auto_supervise;
    sp.ladder.urge_after_working_days = f.urge_after_working_days;
    sp.ladder.supervise_after_working_days = f.supervise_after_working_days;
    if (!f.opinion_sla.empty()) {
        if (Status st = sp.opinion_sla.SetLimits(f.opinion_sla); !st.ok()) {
            return InvalidArgument("--opinion-sla: " + st.message());
        }
    }
    if (!f.opinion_rate_weights.empty()) {
        if (Status st = sp.opinion_sla.SetWeights(f.opinion_rate_weights); !st.ok()) {
            return InvalidArgument("--opinion-rate-weights: " + st.message());
        }
    }
    sp.opinion_sla.basically_satisfied_counts = !f.only_satisfied_counts;
    if (!f.calendar_file.empty()) {
        ASSIGN_OR_RETURN(std::string text, ReadFile(f.calendar_file));
        auto calendar = domain::WorkCalendar::FromCsv(text);
        if (!calendar.ok()) return InvalidArgument("--calendar " + f.calendar_file + ": " + calendar.status().message());
        sp.calendar = std::make_shared<const domain::WorkCalendar>(std::move(calendar).value());
    }
    svc.ConfigureSupervision(std::move(sp));
    return Status::Ok();
}

Status ServeWithScheduler(service::Service& svc, const SupervisionFlags& f, http::ServerOptions options) {
    RETURN_IF_ERROR(ConfigureWebhooks(svc, f));
    http::WebhookClient client(ClientOptions(f));
    std::optional<http::Scheduler> scheduler;
    if (f.scan_seconds > 0) {
        scheduler.emplace(svc, client, std::chrono::seconds(f.scan_seconds));
        // Only once the socket listens: a server that cannot bind sends nothing.
        options.on_listening = [&scheduler, listening = options.on_listening](std::uint16_t port) {
            scheduler->Start();
            if (listening) listening(port);
        };
    }
    Status s = http::Serve(svc, options);
    if (scheduler) scheduler->Stop();  // before `client` goes away
    return s;
}

void AddSupervisionCommands(CLI::App& app, Globals& g, std::function<int()>& run) {
    auto* supervise = app.add_subcommand("supervise", "Supervision (督促指导): the scheduler's pass by hand.");
    supervise->require_subcommand(1);
    struct RunArgs {
        std::string at;
        SupervisionFlags flags;
    };
    auto ra = std::make_shared<RunArgs>();
    auto* pass = supervise->add_subcommand(
        "run", "One pass at an instant: automatic urge and supervise steps, then due webhook deliveries; prints the "
               "report as JSON. Refuses to run while `rectify serve` holds the database (its scheduler does this).");
    pass->add_option("--at", ra->at, "the instant of the pass, RFC 3339 (default: now)")
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {
                auto parsed = ParseIso(text);
                return parsed.ok() ? std::string() : parsed.status().message();
            },
            "RFC3339"));
    AddSupervisionOptions(pass, ra->flags, false);
    pass->callback([&run, &g, ra] {
        run = [&g, ra]() -> int {
            UnixSeconds at = NowSeconds();
            if (!ra->at.empty()) at = *ParseIso(ra->at);  // checked at parse time
            // SQLite: the lock file keeps this away from a serving process. PostgreSQL: several servers may
            // share the database, and the pass itself runs one at a time across them (Store::RunExclusive).
            std::unique_ptr<DbLock> lock;
            if (!store::Store::IsPostgresUrl(g.db)) {
                auto acquired = DbLock::Acquire(g.db, "supervise run");
                if (!acquired.ok()) return Fail(acquired.status());
                lock = std::move(*acquired);
            }
            auto svc = OpenInitialized(g);
            if (!svc.ok()) return Fail(svc.status());
            if (Status s = ConfigureWebhooks(**svc, ra->flags); !s.ok()) return Fail(s);
            http::WebhookClient client(ClientOptions(ra->flags));
            auto report = (*svc)->RunSupervisionPass(at, client);
            if (!report.ok()) return Fail(report.status());
            std::cout << service::ToJson(*report).dump(2) << "\n";
            const bool failed = !report->ladder.errors.empty() || !report->deliveries.errors.empty();
            return failed ? 1 : 0;
        };
    });
}

}  // namespace rectify::cli::detail
