#include "cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/detail.hpp"
#include "cli_version.hpp"
#include "common/time.hpp"
#include "domain/json.hpp"
#include "http/server.hpp"
#include "service/json.hpp"
#include "service/service.hpp"

namespace rectify::cli {
namespace detail {

int Fail(const Status& s) {
    std::cerr << "rectify: error: " << s.message() << " [" << StatusCodeName(s.code()) << "]\n";
    return 1;
}

Result<service::AccountPolicy> Policy(const Globals& g) {
    service::AccountPolicy policy;
    if (!g.password_hash.empty()) {
        ASSIGN_OR_RETURN(policy.password_hash, ParsePasswordHashParams(g.password_hash));
    }
    return policy;
}

Result<std::unique_ptr<service::Service>> OpenService(const Globals& g, store::OpenMode mode) {
    ASSIGN_OR_RETURN(auto policy, Policy(g));
    ASSIGN_OR_RETURN(auto store, store::Store::OpenSqlite(g.db, mode));
    return service::Service::Create(std::move(store), std::move(policy));
}

Result<std::unique_ptr<service::Service>> OpenInitialized(const Globals& g) {
    ASSIGN_OR_RETURN(auto svc, OpenService(g, store::OpenMode::kMustExist));
    if (!svc->Initialized()) {
        return FailedPrecondition("database " + g.db + " has no org tree yet; run `rectify --db " + g.db + " init`");
    }
    return svc;
}

Result<domain::Org> ResolveOrg(service::Service& svc, const domain::Actor& actor, const std::string& ref) {
    if (!ref.empty() && ref.find_first_not_of("0123456789") == std::string::npos) {
        if (ref.size() > 18) return InvalidArgument("org id " + ref + " is out of range");
        return svc.GetOrg(actor, std::stoll(ref));
    }
    if (ref.rfind("code:", 0) == 0) return svc.FindOrgByDivisionCode(actor, ref.substr(5));
    return svc.FindOrgByPath(actor, ref);
}

}  // namespace detail

namespace {

using detail::Fail;
using detail::Globals;
using detail::OpenInitialized;
using detail::OpenService;
using detail::ResolveOrg;

// Writes `msg` of a log record JSON-escaped (for the JSON log pattern's "msg" member).
class JsonEscapedMessage : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        const std::string quoted = nlohmann::json(std::string(msg.payload.data(), msg.payload.size()))
                                       .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        dest.append(quoted.data() + 1, quoted.data() + quoted.size() - 1);  // without the quotes
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonEscapedMessage>(); }
};

// Two loggers on stderr: the default one ("rectify"), as text or one JSON object per line, and
// "access" for the request log, whose messages are JSON members already (server.cpp). Each has its own
// sink (a pattern belongs to the sink); stdio's per-call FILE lock keeps their lines whole.
void SetUpLogging(bool json, spdlog::level::level_enum level) {
    std::shared_ptr<spdlog::sinks::sink> main_sink;
    if (json) {
        main_sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    } else {
        main_sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    }
    auto main_logger = std::make_shared<spdlog::logger>("rectify", main_sink);
    auto access = std::make_shared<spdlog::logger>("access", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    if (json) {
        auto f = std::make_unique<spdlog::pattern_formatter>();
        f->add_flag<JsonEscapedMessage>('*').set_pattern(
            R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","msg":"%*"})");
        main_logger->set_formatter(std::move(f));
    }
    access->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l",%v)");
    main_logger->set_level(level);
    access->set_level(level);
    spdlog::drop("rectify");
    spdlog::drop("access");
    spdlog::register_logger(access);
    spdlog::set_default_logger(main_logger);
}

int PrintReport(const Result<service::ImportReport>& report) {
    if (!report.ok()) return Fail(report.status());
    std::cout << service::ToJson(*report).dump(2) << "\n";
    if (!report->rejected.empty()) {
        const auto& first = report->rejected.front();
        std::cerr << "rectify: error: " << report->rejected.size() << " of " << report->rows_read
                  << " rows rejected, nothing stored; first: row " << first.row
                  << (first.column.empty() ? "" : ", column " + first.column) << ": " << first.reason << "\n";
        return 1;
    }
    return 0;
}

}  // namespace

int Main(int argc, char** argv) {
    CLI::App app{"rectify: find problems, fix them, prove it — across a whole hierarchy of organisations."};
    app.require_subcommand(1);
    app.failure_message([](const CLI::App*, const CLI::Error& e) {
        return "rectify: error: " + std::string(e.what()) + " (see --help)\n";
    });
    Globals g;
    app.add_option("--db", g.db, "SQLite database file")->capture_default_str();
    app.add_option("--zone", g.zone, "display time zone (IANA name)")->capture_default_str();
    app.add_option("--log-level", g.log_level, "trace, debug, info, warn, error")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
        ->capture_default_str();
    app.add_option("--log-format", g.log_format, "auto (json for serve, text otherwise), text or json")
        ->check(CLI::IsMember({"auto", "text", "json"}))
        ->capture_default_str();
    app.add_option("--password-hash", g.password_hash,
                   "Argon2id parameters m=<KiB>,t=<passes>,p=<lanes> (default m=65536,t=3,p=4, RFC 9106's second "
                   "recommended option; floor m=19456,t=2,p=1); stored hashes are upgraded at the next login");

    std::function<int()> run;

    // ---- init ----
    service::InitOptions init_opts;
    std::string categories;
    auto* init = app.add_subcommand("init", "Create the database (if missing), the org levels, the root org and the "
                                            "category catalogue. Safe to run again.");
    init->add_option("--root-name", init_opts.root_name, "name of the root org above the provinces")
        ->capture_default_str();
    init->add_option("--root-level", init_opts.root_level, "level of the root org")->capture_default_str();
    init->add_option("--categories", categories, "category catalogue CSV (一级分类,二级分类,三级分类)")
        ->check(CLI::ExistingFile);
    init->callback([&] {
        run = [&] {
            if (!categories.empty()) init_opts.categories_csv = categories;
            auto svc = OpenService(g, store::OpenMode::kCreateIfMissing);
            if (!svc.ok()) return Fail(svc.status());
            auto actor = (*svc)->RootActor("cli");
            if (Status s = (*svc)->Init(actor, init_opts); !s.ok()) return Fail(s);
            auto root = (*svc)->Tree()->Root();
            auto cats = (*svc)->ListCategories();
            std::cout << nlohmann::json{{"database", g.db},
                                        {"root_org_id", root},
                                        {"categories", cats.ok() ? cats->size() : 0}}
                             .dump()
                      << "\n";
            return 0;
        };
    });

    // ---- serve ----
    http::ServerOptions serve_opts;
    std::string admin_name = "admin";
    std::size_t max_body = serve_opts.max_body_bytes;
    int timeout_s = static_cast<int>(serve_opts.request_timeout.count());
    auto* serve = app.add_subcommand("serve", "Serve the API and web UI until SIGTERM or SIGINT.");
    serve->add_option("--bind", serve_opts.bind, "address to listen on")->capture_default_str();
    serve->add_option("--port", serve_opts.port, "TCP port (0 = any free port)")->capture_default_str();
    serve->add_option("--threads", serve_opts.threads, "I/O threads")->check(CLI::Range(1, 64))->capture_default_str();
    serve->add_option("--max-body-bytes", max_body, "largest request body accepted (bytes)")
        ->check(CLI::Range(std::size_t{64}, std::size_t{1} << 30))
        ->capture_default_str();
    serve->add_option("--request-timeout", timeout_s, "seconds a read or write may take")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    serve->add_option("--static-dir", serve_opts.static_dir, "built web UI to serve (web/dist)");
    serve->add_flag("--secure-cookies", serve_opts.secure_cookies,
                    "behind a TLS proxy: session cookies are Secure and named __Host-rectify_session");
    serve->add_flag("--trust-x-real-ip", serve_opts.trust_x_real_ip,
                    "behind a proxy on this host that sets X-Real-IP: take the client address from it");
    serve->add_option("--admin-name", admin_name, "login name of the admin made on a database without users")
        ->capture_default_str();
    serve->callback([&] {
        run = [&] {
            auto lock = detail::DbLock::Acquire(g.db, "serve");
            if (!lock.ok()) return Fail(lock.status());
            auto svc = OpenInitialized(g);
            if (!svc.ok()) return Fail(svc.status());
            auto admin = (*svc)->EnsureFirstAdmin(admin_name);
            if (!admin.ok()) return Fail(admin.status());
            if (*admin) {
                // Printed once, stored nowhere (only its Argon2id hash); it must be changed at first login.
                std::cout << "rectify: no users yet: created \"" << admin_name
                          << "\" (admin over the whole tree) with the one-time password\n\n    " << **admin
                          << "\n\nrectify: log in with it and choose a new password; it is not shown again "
                             "(`rectify user passwd "
                          << admin_name << "` makes a new one)" << std::endl;
            }
            if (Status s = (*svc)->PruneLoginAttempts(); !s.ok()) return Fail(s);
            serve_opts.max_body_bytes = max_body;
            serve_opts.request_timeout = std::chrono::seconds(timeout_s);
            std::string host = serve_opts.bind.find(':') != std::string::npos ? "[" + serve_opts.bind + "]"
                                                                                : serve_opts.bind;
            serve_opts.on_listening = [host](std::uint16_t port) {
                std::cout << "rectify listening on http://" << host << ":" << port << std::endl;
            };
            if (Status s = http::Serve(**svc, serve_opts); !s.ok()) return Fail(s);
            return 0;
        };
    });

    // ---- import ----
    auto* import = app.add_subcommand("import", "Load data from files; each file is one transaction.");
    import->require_subcommand(1);

    service::DivisionImportOptions div_opts;
    auto* divisions = import->add_subcommand("divisions", "Load administrative divisions (china-division CSVs) as orgs.");
    divisions->add_option("--dir", div_opts.dir, "folder with provinces.csv, cities.csv, areas.csv, streets.csv")
        ->required()
        ->check(CLI::ExistingDirectory);
    divisions->add_option("--province", div_opts.provinces, "2-digit province code to load whole (repeatable)");
    divisions->add_option("--city", div_opts.cities, "4-digit city code to load (repeatable)");
    divisions->add_option("--depth", div_opts.depth, "deepest level: city, county or township")
        ->check(CLI::IsMember({"city", "county", "township"}))
        ->capture_default_str();
    divisions->callback([&] {
        run = [&] {
            auto svc = OpenInitialized(g);
            if (!svc.ok()) return Fail(svc.status());
            return PrintReport((*svc)->ImportDivisions((*svc)->RootActor("cli"), div_opts));
        };
    });

    std::string orgs_file;
    auto* orgs = import->add_subcommand("orgs", "Load orgs from a CSV: path,level,kind,batch,division_code.");
    orgs->add_option("file", orgs_file, "CSV file")->required()->check(CLI::ExistingFile);
    orgs->callback([&] {
        run = [&] {
            auto svc = OpenInitialized(g);
            if (!svc.ok()) return Fail(svc.status());
            return PrintReport((*svc)->ImportOrgs((*svc)->RootActor("cli"), orgs_file));
        };
    });

    service::OpinionImportOptions op_opts;
    std::string op_org;
    auto* opinions = import->add_subcommand("opinions", "Load opinions (and, for 12345 cases, their problems).");
    opinions->add_option("file", op_opts.file, "CSV file")->required()->check(CLI::ExistingFile);
    opinions->add_option("--format", op_opts.format, "wenzheng (问政 messages with replies) or fz12345 (Fuzhou 12345)")
        ->required()
        ->check(CLI::IsMember({"wenzheng", "fz12345"}));
    opinions->add_option("--org", op_org, "receiving org: id, code:<division code> or name path (西地省/A市)")
        ->required();
    opinions->add_option("--due-days", op_opts.due_days, "fz12345: days from receipt to the deadline")
        ->check(CLI::Range(1, 3650))
        ->capture_default_str();
    opinions->callback([&] {
        run = [&] {
            auto svc = OpenInitialized(g);
            if (!svc.ok()) return Fail(svc.status());
            auto actor = (*svc)->RootActor("cli");
            auto org = ResolveOrg(**svc, actor, op_org);
            if (!org.ok()) return Fail(org.status());
            op_opts.org_id = org->id;
            return PrintReport((*svc)->ImportOpinions(actor, op_opts));
        };
    });

    std::string problems_file;
    auto* problems = import->add_subcommand("problems", "Load a problem list CSV (docs/DATA.md#problems-csv).");
    problems->add_option("file", problems_file, "CSV file")->required()->check(CLI::ExistingFile);
    problems->callback([&] {
        run = [&] {
            auto svc = OpenInitialized(g);
            if (!svc.ok()) return Fail(svc.status());
            return PrintReport((*svc)->ImportProblems((*svc)->RootActor("cli"), problems_file));
        };
    });

    // ---- org move ----
    auto* org_cmd = app.add_subcommand("org", "Change the org tree.");
    org_cmd->require_subcommand(1);
    std::string move_org, move_parent;
    auto* move = org_cmd->add_subcommand("move", "Move an org (with its subtree) under a new parent; history is kept.");
    move->add_option("org", move_org, "org: id, code:<division code> or name path")->required();
    move->add_option("new_parent", move_parent, "new parent: id, code:<division code> or name path")->required();
    move->callback([&] {
        run = [&] {
            auto svc = OpenInitialized(g);
            if (!svc.ok()) return Fail(svc.status());
            auto actor = (*svc)->RootActor("cli");
            auto org = ResolveOrg(**svc, actor, move_org);
            if (!org.ok()) return Fail(org.status());
            auto parent = ResolveOrg(**svc, actor, move_parent);
            if (!parent.ok()) return Fail(parent.status());
            auto moved = (*svc)->MoveOrg(actor, org->id, parent->id);
            if (!moved.ok()) return Fail(moved.status());
            std::cout << domain::ToJson(*moved).dump(2) << "\n";
            return 0;
        };
    });

    // ---- stats ----
    std::string stats_org;
    int category_depth = 1;
    bool children = false;
    auto* stats = app.add_subcommand("stats", "Print the figures of an org's whole subtree as JSON.");
    stats->add_option("org", stats_org, "org: id, code:<division code> or name path")->required();
    stats->add_option("--category-depth", category_depth, "group categories at level 1, 2 or 3")
        ->check(CLI::Range(1, 3))
        ->capture_default_str();
    stats->add_flag("--children", children, "one row per child org instead");
    stats->callback([&] {
        run = [&] {
            auto svc = OpenInitialized(g);
            if (!svc.ok()) return Fail(svc.status());
            auto actor = (*svc)->RootActor("cli");
            auto org = ResolveOrg(**svc, actor, stats_org);
            if (!org.ok()) return Fail(org.status());
            if (children) {
                auto rows = (*svc)->ChildStats(actor, org->id, category_depth);
                if (!rows.ok()) return Fail(rows.status());
                nlohmann::json out = nlohmann::json::array();
                for (const auto& r : *rows) out.push_back(service::ToJson(r));
                std::cout << out.dump(2) << "\n";
            } else {
                auto s = (*svc)->Stats(actor, org->id, category_depth);
                if (!s.ok()) return Fail(s.status());
                std::cout << service::ToJson(*s).dump(2) << "\n";
            }
            return 0;
        };
    });

    // ---- version ----
    auto* version = app.add_subcommand("version", "Print the version and the schema version this binary knows.");
    version->callback([&] {
        run = [&] {
            std::cout << "rectify " << RECTIFY_VERSION << " (" << RECTIFY_GIT_DESCRIBE << "), schema "
                      << store::Store::KnownSchemaVersion() << "\n";
            return 0;
        };
    });

    detail::AddAccountCommands(app, g, run);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    if (Status s = SetDisplayZone(g.zone); !s.ok()) return Fail(s);
    if (auto p = detail::Policy(g); !p.ok()) return Fail(p.status());
    const bool json_logs = g.log_format == "json" || (g.log_format == "auto" && serve->parsed());
    SetUpLogging(json_logs, spdlog::level::from_str(g.log_level));
    return run ? run() : 0;
}

}  // namespace rectify::cli
