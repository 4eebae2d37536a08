// Internal to src/cli: the global options and helpers every subcommand shares, and the registration
// of the account, audit and backup subcommands (accounts_cli.cpp). Not thread-safe (one command).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>

#include "common/crypto.hpp"
#include "common/status.hpp"
#include "http/server.hpp"
#include "service/service.hpp"

namespace rectify::cli::detail {

struct Globals {
    std::string db = "var/rectify.db";
    std::string zone = "Asia/Shanghai";
    std::string log_level = "info";
    std::string log_format = "auto";  // auto: json for serve, text for the other commands
    std::string password_hash;        // "m=..,t=..,p=.."; empty: AccountPolicy's default (RFC 9106)
    std::int64_t token_cache_seconds = service::AccountPolicy{}.token_cache_seconds;  // serve --token-cache-seconds
    // ---- workflow (issue 3) ----
    std::string blob_dir;  // evidence files; "" = "blobs" next to the database (var/blobs)
    std::int64_t max_evidence_bytes = 20 * 1024 * 1024;
    std::vector<std::string> evidence_types;  // "" = domain::DefaultEvidenceTypes()
    // ---- issue 12: the cadre ranks that make an account a leading cadre (domain/cause.hpp) ----
    std::string leading_cadre_ranks = "division,bureau,province,state";
};

// A failure of the command (not of its command line): one line on stderr, exit 1.
int Fail(const Status& s);

// The account policy from the global options. Errors: kInvalidArgument (bad --password-hash).
Result<service::AccountPolicy> Policy(const Globals& g);
Result<std::unique_ptr<service::Service>> OpenService(const Globals& g, store::OpenMode mode);
// Opens an existing database that has an org tree. Errors: kNotFound, kFailedPrecondition.
Result<std::unique_ptr<service::Service>> OpenInitialized(const Globals& g);

// An org named on the command line: a numeric id, "code:<division code>" or a path of names
// from below the root, "西地省/A市".
Result<domain::Org> ResolveOrg(service::Service& svc, const domain::Actor& actor, const std::string& ref);

// Holds an exclusive advisory lock (flock) on "<db>.lock" while alive: `serve` and `restore` take it,
// so a restore never runs under a serving process. Errors: kFailedPrecondition (held elsewhere).
class DbLock {
public:
    static Result<std::unique_ptr<DbLock>> Acquire(const std::string& db, const std::string& what);
    ~DbLock();
    DbLock(const DbLock&) = delete;
    DbLock& operator=(const DbLock&) = delete;

private:
    explicit DbLock(int fd) : fd_(fd) {}
    int fd_;
};

// Registers `user`, `token`, `audit`, `backup` and `restore`; the chosen command sets `run`.
void AddAccountCommands(CLI::App& app, Globals& g, std::function<int()>& run);

// Registers `problem escalate`, `problem co-owner`, `escalation ...` and `task cascade` (linkage_cli.cpp,
// issue 5). Call after
// the workflow commands: it adds to their `problem` and `task` subcommands.
void AddLinkageCommands(CLI::App& app, Globals& g, std::function<int()>& run);

// Registers `campaign add|list|show|load` and `campaign item add` (campaign_cli.cpp, issue 5).
void AddCampaignCommands(CLI::App& app, Globals& g, std::function<int()>& run);

// ---- supervision scheduler and webhooks (issue 8): supervision_cli.cpp ----
// The options of the scheduler pass, shared by `serve` and `supervise run`.
struct SupervisionFlags {
    int scan_seconds = 60;  // serve only: seconds between passes; 0 disables the scheduler
    int max_attempts = 8;
    std::int64_t retry_base_seconds = 30;
    std::int64_t retry_cap_seconds = 6 * 3600;
    int webhook_timeout_seconds = 10;
    std::string webhook_ca_file;
    // Warnings and the ladder (domain::WarningPolicy, domain::LadderPolicy); the calendar file replaces
    // the built-in official one (data/calendar/cn_public_holidays.csv's format).
    int due_soon_working_days = 3;
    int stalled_days = 14;
    bool no_auto_urge = false;
    bool no_auto_supervise = false;
    int urge_after_working_days = 0;
    int supervise_after_working_days = 2;
    std::string calendar_file;
    // Handling-time limits of opinions and the rates' weights (domain::SlaProfile).
    std::string opinion_sla;
    std::string opinion_rate_weights;
    bool only_satisfied_counts = false;
};
// Adds --webhook-max-attempts, --webhook-retry-base-seconds, --webhook-retry-cap-seconds,
// --webhook-timeout-seconds, --webhook-ca-file, the warning and ladder options (--due-soon-working-days,
// --stalled-days, --no-auto-urge, --no-auto-supervise, --urge-after-working-days,
// --supervise-after-working-days, --calendar), the opinion limits (--opinion-sla,
// --opinion-rate-weights, --only-satisfied-counts) and with `scan` --scan-seconds to `cmd`.
void AddSupervisionOptions(CLI::App* cmd, SupervisionFlags& f, bool scan);
// The webhook and supervision policies of the flags, set on the service. Errors: kInvalidArgument (cap
// below base; a calendar file that does not parse, naming its row and column; a bad --opinion-sla or
// --opinion-rate-weights item), kNotFound (no such file).
Status ConfigureWebhooks(service::Service& svc, const SupervisionFlags& f);
// http::Serve with the supervision scheduler (when scan_seconds > 0): started once the socket listens,
// stopped after the server has stopped. Errors: Serve's; kInvalidArgument (webhook flags).
Status ServeWithScheduler(service::Service& svc, const SupervisionFlags& f, http::ServerOptions options);
// Registers `supervise run` (one pass at an injected instant, printing the JSON report).
void AddSupervisionCommands(CLI::App& app, Globals& g, std::function<int()>& run);

}  // namespace rectify::cli::detail
