#include "cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/pattern_formatter.h>

#include <cmath>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/detail.hpp"
#include "domain/cause.hpp"
#include "cli_version.hpp"
#include "common/csv.hpp"
#include "common/time.hpp"
#include "domain/json.hpp"
#include "domain/workflow.hpp"
#include "http/server.hpp"
#include "service/json.hpp"
#include "service/service.hpp"

namespace rectify::cli {
namespace detail {

// The evidence directory: --blob-dir, or "blobs" in the database's directory; on PostgreSQL (no
// database file) "rectify-blobs" in the working directory.
std::string BlobDir(const Globals& g) {
    if (!g.blob_dir.empty()) return g.blob_dir;
    if (store::Store::IsPostgresUrl(g.db)) return "rectify-blobs";
    return (std::filesystem::path(g.db).parent_path() / "blobs").string();
}

int Fail(const Status& s) {
    std::cerr << "rectify: error: " << s.message() << " [" << StatusCodeName(s.code()) << "]\n";
    return 1;
}

Result<service::AccountPolicy> Policy(const Globals& g) {
    service::AccountPolicy policy;
    policy.token_cache_seconds = g.token_cache_seconds;
    if (!g.password_hash.empty()) {
        ASSIGN_OR_RETURN(policy.password_hash, ParsePasswordHashParams(g.password_hash));
    }
    return policy;
}

Result<std::unique_ptr<service::Service>> OpenService(const Globals& g, store::OpenMode mode) {
    ASSIGN_OR_RETURN(auto policy, Policy(g));
    ASSIGN_OR_RETURN(auto store, store::Store::Open(g.db, mode));
    ASSIGN_OR_RETURN(auto svc, service::Service::Create(std::move(store), std::move(policy)));
    service::EvidenceOptions evidence;
    evidence.blob_dir = BlobDir(g);
    evidence.policy.max_bytes = g.max_evidence_bytes;
    for (const auto& t : g.evidence_types) evidence.policy.allowed_types.push_back(domain::NormaliseContentType(t));
    svc->ConfigureEvidence(std::move(evidence));
    ASSIGN_OR_RETURN(auto ranks, domain::ParseCadreRanks(g.leading_cadre_ranks));
    svc->ConfigureLeadingCadreRanks(std::move(ranks));
    return svc;
}

Result<std::unique_ptr<service::Service>> OpenInitialized(const Globals& g) {
    ASSIGN_OR_RETURN(auto svc, OpenService(g, store::OpenMode::kMustExist));
    if (!svc->Initialized()) {
        const std::string db = store::Store::RedactPassword(g.db);
        return FailedPrecondition("database " + db + " has no org tree yet; run `rectify --db " + db + " init`");
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

// ---- workflow (issue 3) ----

// The evidence limits, on the commands that take evidence (serve, task evidence).
void AddEvidenceLimits(CLI::App* cmd, Globals& g) {
    cmd->add_option("--max-evidence-bytes", g.max_evidence_bytes,
                    "largest evidence file accepted (bytes); the upload route's body limit")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 32))
        ->capture_default_str();
    cmd->add_option("--evidence-types", g.evidence_types,
                    "content types accepted as evidence, comma-separated (default: images, PDF, text, CSV, office "
                    "documents, MP4, MP3)")
        ->delimiter(',');
}

// Prints `value` as JSON and returns 0, or prints the error line and returns 1.
template <typename T>
int PrintJson(const Result<T>& r) {
    if (!r.ok()) return Fail(r.status());
    std::cout << domain::ToJson(*r).dump(2) << "\n";
    return 0;
}

// The content type of an evidence file from its extension (for `task evidence` without --type).
std::optional<std::string> TypeOfExtension(const std::string& path) {
    std::string ext = std::filesystem::path(path).extension().string();
    for (auto& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    static const std::vector<std::pair<std::string, std::string>> kTypes = {
        {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".png", "image/png"}, {".gif", "image/gif"},
        {".webp", "image/webp"}, {".pdf", "application/pdf"}, {".txt", "text/plain"}, {".csv", "text/csv"},
        {".doc", "application/msword"},
        {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        {".xls", "application/vnd.ms-excel"},
        {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        {".odt", "application/vnd.oasis.opendocument.text"},
        {".ods", "application/vnd.oasis.opendocument.spreadsheet"}, {".mp4", "video/mp4"}, {".mp3", "audio/mpeg"},
    };
    for (const auto& [e, t] : kTypes) {
        if (e == ext) return t;
    }
    return std::nullopt;
}

Result<UnixSeconds> TimeArg(const std::string& what, const std::string& text) {
    auto t = ParseIso(text);
    if (!t.ok()) return InvalidArgument(what + ": " + t.status().message());
    return *t;
}

// `rectify task ...`, `rectify problem ...`, `rectify opinion ...`: each acts as the CLI's root actor
// and prints the resulting record as JSON.
void AddWorkflowCommands(CLI::App& app, Globals& g, std::function<int()>& run) {
    auto with_service = [&g](auto body) {
        return [&g, body]() -> int {
            auto svc = OpenInitialized(g);
            if (!svc.ok()) return Fail(svc.status());
            return body(**svc, (*svc)->RootActor("cli"));
        };
    };
    auto version_opt = [](CLI::App* cmd, std::optional<std::int64_t>& v) {
        cmd->add_option("--version", v, "the version you read (fails if someone changed it since)");
    };

    auto* task = app.add_subcommand("task", "Plan and work rectification tasks (整改措施).");
    task->require_subcommand(1);

    // create
    struct CreateArgs {
        std::int64_t problem = 0;
        std::string org, title, description, responsible, lead, type = "time_bound", due;
        std::vector<std::string> reviews;
        std::optional<double> weight;
    };
    auto ca = std::make_shared<CreateArgs>();
    auto* create = task->add_subcommand("create", "Plan a task for a problem (the problem's owner org creates it).");
    create->add_option("--problem", ca->problem, "problem id")->required();
    create->add_option("--org", ca->org, "org doing it: id, code:<division code> or name path")->required();
    create->add_option("--title", ca->title, "the measure")->required();
    create->add_option("--description", ca->description, "details");
    create->add_option("--responsible", ca->responsible, "responsible person (责任人)")->required();
    create->add_option("--lead", ca->lead, "lead official (牵头领导)");
    create->add_option("--type", ca->type, "immediate, time_bound or ongoing")
        ->check(CLI::IsMember({"immediate", "time_bound", "ongoing"}))
        ->capture_default_str();
    create->add_option("--due", ca->due, "deadline, RFC 3339 or a date (immediate, time_bound)");
    create->add_option("--review", ca->reviews, "review date of an ongoing task (repeatable)");
    create->add_option("--weight", ca->weight, "share of the problem, more than 0 and at most 1");
    create->callback([&run, with_service, ca] {
        run = with_service([ca](service::Service& svc, const domain::Actor& actor) -> int {
            service::TaskDraft d;
            auto org = ResolveOrg(svc, actor, ca->org);
            if (!org.ok()) return Fail(org.status());
            d.org_id = org->id;
            d.title = ca->title;
            d.description = ca->description;
            d.responsible_person = ca->responsible;
            if (!ca->lead.empty()) d.lead_official = ca->lead;
            d.type = *domain::ParseEnum<domain::TaskType>(ca->type);
            if (!ca->due.empty()) {
                auto due = TimeArg("--due", ca->due);
                if (!due.ok()) return Fail(due.status());
                d.due_at = *due;
            }
            for (const auto& r : ca->reviews) {
                auto t = TimeArg("--review", r);
                if (!t.ok()) return Fail(t.status());
                d.review_dates.push_back(*t);
            }
            if (ca->weight) {
                const double bp = *ca->weight * 10000.0;
                if (!(*ca->weight > 0.0) || *ca->weight > 1.0 || std::fabs(bp - std::round(bp)) > 1e-6) {
                    return Fail(InvalidArgument("--weight: more than 0, at most 1, at most four decimals"));
                }
                d.weight_bp = static_cast<int>(std::round(bp));
            }
            return PrintJson(svc.CreateTask(actor, ca->problem, d));
        });
    });

    // show
    auto show_id = std::make_shared<std::int64_t>(0);
    auto* show = task->add_subcommand("show", "Print a task as JSON.");
    show->add_option("task", *show_id, "task id")->required();
    show->callback([&run, with_service, show_id] {
        run = with_service([show_id](service::Service& svc, const domain::Actor& actor) {
            return PrintJson(svc.GetTask(actor, *show_id));
        });
    });

    // start, submit
    struct StepArgs {
        std::int64_t id = 0;
        std::optional<std::int64_t> version;
        std::string text;
    };
    auto add_step = [&](const std::string& name, const std::string& help, auto call) {
        auto args = std::make_shared<StepArgs>();
        auto* cmd = task->add_subcommand(name, help);
        cmd->add_option("task", args->id, "task id")->required();
        version_opt(cmd, args->version);
        cmd->callback([&run, with_service, args, call] {
            run = with_service([args, call](service::Service& svc, const domain::Actor& actor) {
                return PrintJson(call(svc, actor, *args));
            });
        });
        return std::make_pair(cmd, args);
    };
    add_step("start", "Start (or resume after a return) the work on a task.",
             [](service::Service& svc, const domain::Actor& a, const StepArgs& s) {
                 return svc.StartTask(a, s.id, s.version);
             });
    add_step("submit", "Apply for close-out (申请销号): needs a progress report and, unless immediate, evidence.",
             [](service::Service& svc, const domain::Actor& a, const StepArgs& s) {
                 return svc.SubmitTask(a, s.id, s.version);
             });
    auto [accept, accept_args] =
        add_step("accept", "Verify a submitted task (验收通过): the level above the task's org.",
                 [](service::Service& svc, const domain::Actor& a, const StepArgs& s) {
                     return svc.AcceptTask(a, s.id, s.text.empty() ? std::nullopt : std::optional<std::string>(s.text),
                                           s.version);
                 });
    accept->add_option("--comment", accept_args->text, "verification note");
    auto [ret, ret_args] = add_step("return", "Send a submitted task back (退回) with the reason.",
                                    [](service::Service& svc, const domain::Actor& a, const StepArgs& s) {
                                        return svc.ReturnTask(a, s.id, s.text, s.version);
                                    });
    ret->add_option("--reason", ret_args->text, "why it is returned")->required();

    // report
    struct ReportArgs {
        std::int64_t id = 0;
        std::optional<std::int64_t> version;
        std::string text;
        int percent = 0;
        std::vector<std::int64_t> evidence;
    };
    auto ra = std::make_shared<ReportArgs>();
    auto* report = task->add_subcommand("report", "Report progress on a task (整改进展).");
    report->add_option("task", ra->id, "task id")->required();
    report->add_option("--text", ra->text, "what was done")->required();
    report->add_option("--percent", ra->percent, "progress, 0-100")->required()->check(CLI::Range(0, 100));
    report->add_option("--evidence-id", ra->evidence, "an uploaded file of the task to attach (repeatable)");
    version_opt(report, ra->version);
    report->callback([&run, with_service, ra] {
        run = with_service([ra](service::Service& svc, const domain::Actor& actor) {
            return PrintJson(svc.ReportProgress(actor, ra->id, service::ReportDraft{ra->text, ra->percent, ra->evidence},
                                                ra->version));
        });
    });

    // evidence
    struct EvidenceArgs {
        std::int64_t id = 0;
        std::string file, type, name;
    };
    auto ea = std::make_shared<EvidenceArgs>();
    auto* evidence = task->add_subcommand("evidence", "Upload an evidence file (佐证材料) for a task.");
    evidence->add_option("task", ea->id, "task id")->required();
    evidence->add_option("file", ea->file, "the file")->required()->check(CLI::ExistingFile);
    evidence->add_option("--type", ea->type, "content type (default: from the extension)");
    evidence->add_option("--name", ea->name, "original name (default: the file's name)");
    AddEvidenceLimits(evidence, g);
    evidence->callback([&run, with_service, ea, &g] {
        run = with_service([ea, &g](service::Service& svc, const domain::Actor& actor) -> int {
            std::string type = ea->type;
            if (type.empty()) {
                auto guessed = TypeOfExtension(ea->file);
                if (!guessed) return Fail(InvalidArgument("cannot tell the type of " + ea->file + "; give --type"));
                type = *guessed;
            }
            std::error_code ec;
            const auto size = std::filesystem::file_size(ea->file, ec);
            if (ec) return Fail(Unavailable("cannot read " + ea->file + ": " + ec.message()));
            if (static_cast<std::int64_t>(size) > g.max_evidence_bytes) {
                return Fail(PayloadTooLarge("the evidence file is " + std::to_string(size) +
                                            " bytes, larger than the limit of " +
                                            std::to_string(g.max_evidence_bytes) + " bytes"));
            }
            std::ifstream in(ea->file, std::ios::binary);
            std::ostringstream content;
            content << in.rdbuf();
            const std::string name =
                ea->name.empty() ? std::filesystem::path(ea->file).filename().string() : ea->name;
            return PrintJson(svc.UploadEvidence(actor, ea->id, name, type, content.str()));
        });
    });

    // problem close / reopen / timeline
    auto* problem = app.add_subcommand("problem", "Close out, reopen and trace problems.");
    problem->require_subcommand(1);
    struct ProblemArgs {
        std::int64_t id = 0;
        std::optional<std::int64_t> version;
        std::string cause = "recurrence", reason;
    };
    auto pa = std::make_shared<ProblemArgs>();
    auto* close = problem->add_subcommand("close", "Close out (销号) a problem whose tasks are all accepted.");
    close->add_option("problem", pa->id, "problem id")->required();
    version_opt(close, pa->version);
    close->callback([&run, with_service, pa] {
        run = with_service([pa](service::Service& svc, const domain::Actor& actor) {
            return PrintJson(svc.CloseProblem(actor, pa->id, pa->version));
        });
    });
    auto pr = std::make_shared<ProblemArgs>();
    auto* reopen = problem->add_subcommand("reopen", "Reopen a closed problem in a new round.");
    reopen->add_option("problem", pr->id, "problem id")->required();
    reopen->add_option("--cause", pr->cause, "dissatisfied_rating, recurrence or supervisor_decision")
        ->check(CLI::IsMember({"dissatisfied_rating", "recurrence", "supervisor_decision"}))
        ->capture_default_str();
    reopen->add_option("--reason", pr->reason, "why")->required();
    version_opt(reopen, pr->version);
    reopen->callback([&run, with_service, pr] {
        run = with_service([pr](service::Service& svc, const domain::Actor& actor) {
            return PrintJson(svc.ReopenProblem(actor, pr->id, *domain::ParseEnum<domain::ReopenCause>(pr->cause),
                                               pr->reason, pr->version));
        });
    });
    auto timeline_id = std::make_shared<std::int64_t>(0);
    auto* timeline = problem->add_subcommand("timeline", "Print the full history of a problem as JSON.");
    timeline->add_option("problem", *timeline_id, "problem id")->required();
    timeline->callback([&run, with_service, timeline_id] {
        run = with_service([timeline_id](service::Service& svc, const domain::Actor& actor) -> int {
            auto entries = svc.Timeline(actor, *timeline_id);
            if (!entries.ok()) return Fail(entries.status());
            nlohmann::json out = nlohmann::json::array();
            for (const auto& e : *entries) out.push_back(service::ToJson(e));
            std::cout << out.dump(2) << "\n";
            return 0;
        });
    });

    // opinion reply / rate
    auto* opinion = app.add_subcommand("opinion", "Answer and rate opinions.");
    opinion->require_subcommand(1);
    struct OpinionArgs {
        std::int64_t id = 0;
        std::optional<std::int64_t> version;
        std::string text, satisfaction, org;
    };
    auto oa = std::make_shared<OpinionArgs>();
    auto* reply = opinion->add_subcommand("reply", "Send the reply to an opinion.");
    reply->add_option("opinion", oa->id, "opinion id")->required();
    reply->add_option("--text", oa->text, "the reply")->required();
    reply->add_option("--org", oa->org, "replying org (default: the opinion's org)");
    version_opt(reply, oa->version);
    reply->callback([&run, with_service, oa] {
        run = with_service([oa](service::Service& svc, const domain::Actor& actor) -> int {
            std::optional<domain::OrgId> org;
            if (!oa->org.empty()) {
                auto o = ResolveOrg(svc, actor, oa->org);
                if (!o.ok()) return Fail(o.status());
                org = o->id;
            }
            return PrintJson(svc.ReplyOpinion(actor, oa->id, oa->text, org, oa->version));
        });
    });
    auto rr = std::make_shared<OpinionArgs>();
    auto* rate = opinion->add_subcommand("rate", "Record the submitter's rating of the reply (不满意 reopens a closed problem).");
    rate->add_option("opinion", rr->id, "opinion id")->required();
    rate->add_option("--satisfaction", rr->satisfaction, "satisfied, basically_satisfied or dissatisfied")
        ->required()
        ->check(CLI::IsMember({"satisfied", "basically_satisfied", "dissatisfied"}));
    rate->add_option("--comment", rr->text, "the submitter's words");
    version_opt(rate, rr->version);
    rate->callback([&run, with_service, rr] {
        run = with_service([rr](service::Service& svc, const domain::Actor& actor) {
            return PrintJson(svc.RateOpinion(actor, rr->id, *domain::ParseEnum<domain::Satisfaction>(rr->satisfaction),
                                             rr->text.empty() ? std::nullopt : std::optional<std::string>(rr->text),
                                             rr->version));
        });
    });
}

}  // namespace

int Main(int argc, char** argv) {
    CLI::App app{"rectify: find problems, fix them, prove it — across a whole hierarchy of organisations."};
    app.require_subcommand(1);
    app.failure_message([](const CLI::App*, const CLI::Error& e) {
        return "rectify: error: " + std::string(e.what()) + " (see --help)\n";
    });
    Globals g;
    app.add_option("--db", g.db,
                   "SQLite file or postgresql:// URL (postgresql://user[:password]@host:port/dbname; the "
                   "PostgreSQL database must exist)")->capture_default_str();
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
    app.add_option("--blob-dir", g.blob_dir, "evidence files (default: blobs next to the SQLite database, var/blobs; with a postgresql:// "
                   "--db: rectify-blobs in the working directory)");

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
            std::cout << nlohmann::json{{"database", store::Store::RedactPassword(g.db)},
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
    serve->add_option("--token-cache-seconds", g.token_cache_seconds,
                      "seconds an API token, once checked, is reused from memory; a change through any rectify "
                      "server ends that at once, this bounds only a change another program makes in the "
                      "database (0: read the token on every request)")
        ->check(CLI::Range(0, 3600))
        ->capture_default_str();
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
    AddEvidenceLimits(serve, g);
    serve->add_option("--leading-cadre-ranks", g.leading_cadre_ranks,
                      "cadre ranks (section, division, bureau, province, state) whose accounts are leading cadres who "
                      "keep a personal self-inspection list (issue 12; default: division and above, 处级以上)")
        ->capture_default_str();
    // ---- public intake (issue 9): abuse limits of the portal and Open311 (docs/PUBLIC.md#abuse-limits) ----
    int public_duplicate_minutes = 10;
    serve->add_option("--public-rate-per-minute", serve_opts.public_rate_per_minute,
                      "public submissions (portal filing and rating, Open311 POST) per client address and minute; 0 = "
                      "no limit")
        ->check(CLI::Range(0.0, 100000.0))
        ->capture_default_str();
    serve->add_option("--public-burst", serve_opts.public_burst, "public submissions a client address may make at once")
        ->check(CLI::Range(1.0, 100000.0))
        ->capture_default_str();
    serve->add_option("--public-max-body-bytes", serve_opts.public_max_body_bytes,
                      "largest body of a public filing (JSON with a base64 photo)")
        ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 30))
        ->capture_default_str();
    serve->add_option("--public-duplicate-minutes", public_duplicate_minutes,
                      "refuse the same text from the same address or contact within this many minutes; 0 = off")
        ->check(CLI::Range(0, 7 * 24 * 60))
        ->capture_default_str();
    // ---- supervision (issue 8): the scheduler thread and webhook delivery options ----
    detail::SupervisionFlags supervision_flags;
    detail::AddSupervisionOptions(serve, supervision_flags, true);
    serve->callback([&] {
        run = [&] {
            // The lock file keeps `restore` away from a serving SQLite database; PostgreSQL has no restore
            // here, and several servers may share one database.
            std::unique_ptr<detail::DbLock> lock;
            if (!store::Store::IsPostgresUrl(g.db)) {
                auto acquired = detail::DbLock::Acquire(g.db, "serve");
                if (!acquired.ok()) return Fail(acquired.status());
                lock = std::move(*acquired);
            }
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
            (*svc)->ConfigurePublic(service::PublicPolicy{static_cast<std::int64_t>(public_duplicate_minutes) * 60});
            // Built before listening, so the first dashboard does not wait for it (seconds at province scale).
            if (Status s = (*svc)->BuildRollupIndex(); !s.ok()) return Fail(s);
            // On PostgreSQL other servers may write too: follow their commits (LISTEN/NOTIFY, a poll every
            // second as the fallback). Nothing on SQLite.
            (*svc)->StartFollowing(std::chrono::seconds(1));
            serve_opts.max_body_bytes = max_body;
            serve_opts.request_timeout = std::chrono::seconds(timeout_s);
            std::string host = serve_opts.bind.find(':') != std::string::npos ? "[" + serve_opts.bind + "]"
                                                                                : serve_opts.bind;
            serve_opts.on_listening = [host](std::uint16_t port) {
                std::cout << "rectify listening on http://" << host << ":" << port << std::endl;
            };
            Status served = detail::ServeWithScheduler(**svc, supervision_flags, serve_opts);
            if (!served.ok()) return Fail(served);
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
    service::StatsQuery stats_query;
    bool children = false;
    auto* stats = app.add_subcommand("stats", "Print the figures of an org's whole subtree as JSON.");
    stats->add_option("org", stats_org, "org: id, code:<division code> or name path")->required();
    stats->add_option("--category-depth", stats_query.category_depth, "group categories at level 1, 2 or 3")
        ->check(CLI::Range(1, 3))
        ->capture_default_str();
    stats->add_option("--due-soon-days", stats_query.due_soon_days, "due soon = open and due within this many days")
        ->check(CLI::Range(0, 365))
        ->capture_default_str();
    stats->add_option("--weeks", stats_query.weeks, "length of the weekly created/closed series")
        ->check(CLI::Range(0, 520))
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
                auto rows = (*svc)->ChildStats(actor, org->id, stats_query);
                if (!rows.ok()) return Fail(rows.status());
                nlohmann::json out = nlohmann::json::array();
                for (const auto& r : *rows) out.push_back(service::ToJson(r));
                std::cout << out.dump(2) << "\n";
            } else {
                auto s = (*svc)->Stats(actor, org->id, stats_query);
                if (!s.ok()) return Fail(s.status());
                std::cout << service::ToJson(*s).dump(2) << "\n";
            }
            return 0;
        };
    });

    // ---- the ledger (台账, issue 6) ----
    struct LedgerArgs {
        std::string list, format, org, out;
        std::vector<std::string> statuses;
    };
    auto ledger_args = std::make_shared<LedgerArgs>();
    auto* ledger = app.add_subcommand("ledger", "The ledger (台账): the problem or task list as a spreadsheet.");
    ledger->require_subcommand(1);
    auto* ledger_export = ledger->add_subcommand(
        "export", "Write the problem list (问题清单), task list (任务清单) or responsibility list (责任清单) of a "
                  "subtree as XLSX or CSV.");
    ledger_export->add_option("--list", ledger_args->list, "problems, tasks or responsibilities")
        ->required()
        ->check(CLI::IsMember({"problems", "tasks", "responsibilities"}));
    ledger_export->add_option("--out", ledger_args->out, "the file to write (replaced if it exists)")->required();
    ledger_export->add_option("--format", ledger_args->format, "xlsx or csv (default: from the --out extension)")
        ->check(CLI::IsMember({"xlsx", "csv"}));
    ledger_export->add_option("--org", ledger_args->org, "org: id, code:<division code> or name path (default: all)")
        ->check(CLI::Validator([](std::string& v) { return v.empty() ? std::string("must not be empty") : std::string(); },
                               "ORG"));
    std::vector<std::string> status_names;
    for (auto n : domain::AllNames<domain::ProblemStatus>()) status_names.emplace_back(n);
    ledger_export->add_option("--status", ledger_args->statuses, "only problems in these statuses (comma list)")
        ->delimiter(',')
        ->check(CLI::IsMember(status_names));
    ledger_export->callback([&, ledger_args] {
        run = [&, ledger_args] {
            auto svc = OpenInitialized(g);
            if (!svc.ok()) return Fail(svc.status());
            auto actor = (*svc)->RootActor("cli");
            service::ProblemQuery filter;
            if (!ledger_args->org.empty()) {
                auto org = ResolveOrg(**svc, actor, ledger_args->org);
                if (!org.ok()) return Fail(org.status());
                filter.org_id = org->id;
            }
            for (const auto& s : ledger_args->statuses) {
                auto status = domain::ParseEnum<domain::ProblemStatus>(s);
                if (!status.ok()) return Fail(InvalidArgument("--status: " + status.status().message()));
                filter.statuses.push_back(*status);
            }
            std::string format = ledger_args->format;
            const std::filesystem::path out_path(ledger_args->out);
            if (format.empty()) {
                std::string ext = out_path.extension().string();
                for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                if (ext != ".csv" && ext != ".xlsx") {
                    return Fail(InvalidArgument("--out: " + ledger_args->out +
                                                " ends in neither .xlsx nor .csv: give --format xlsx or --format csv"));
                }
                format = ext.substr(1);
            }
            const std::filesystem::path folder = out_path.has_parent_path() ? out_path.parent_path() : ".";
            if (std::error_code fe; !std::filesystem::is_directory(folder, fe)) {
                return Fail(InvalidArgument("--out: the folder " + folder.string() + " does not exist"));
            }
            if (std::error_code fe; std::filesystem::is_directory(out_path, fe)) {
                return Fail(InvalidArgument("--out: " + ledger_args->out + " is a folder; give a file name"));
            }
            auto list = *service::ParseLedgerList(ledger_args->list);
            Result<std::int64_t> rows = std::int64_t{0};
            // Written next to the target and renamed over it, so a failed export leaves no half-written file.
            const std::string tmp = ledger_args->out + ".part";
            if (format == "csv") {
                std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
                if (!out) {
                    return Fail(InvalidArgument("--out: cannot write " + tmp + ": " + std::strerror(errno)));
                }
                auto sink = service::MakeCsvLedgerSink(out);
                rows = (*svc)->ExportLedger(actor, list, filter, *sink);
            } else {
                auto sink = service::MakeXlsxLedgerSink(tmp);
                rows = (*svc)->ExportLedger(actor, list, filter, *sink);
            }
            std::error_code ec;
            if (!rows.ok()) {
                std::filesystem::remove(tmp, ec);
                return Fail(rows.status());
            }
            std::filesystem::rename(tmp, ledger_args->out, ec);
            if (ec) return Fail(Internal("--out: cannot write " + ledger_args->out + ": " + ec.message()));
            std::cout << "wrote " << *rows << " rows to " << ledger_args->out << "\n";
            return 0;
        };
    });

    // rectify ledger import FILE [--dry-run] [--mapping key=header ...]: a CSV ledger read back
    // (docs/API.md#ledger-import). Prints the report; exit 0 when stored (or a dry run with no rejected row),
    // 1 on an error or when rows were rejected (nothing stored; one error line as the other importers write).
    struct LedgerImportArgs {
        std::string file;
        bool dry_run = false;
        std::vector<std::string> mapping;
    };
    auto li = std::make_shared<LedgerImportArgs>();
    auto* ledger_import = ledger->add_subcommand(
        "import", "Read a CSV ledger back: update the problems it names by 问题编号, register the others.");
    ledger_import->add_option("file", li->file, "the CSV file (UTF-8, with or without a BOM and the title line)")
        ->required()
        ->check(CLI::ExistingFile);
    ledger_import->add_flag("--dry-run", li->dry_run, "check every row and report; store nothing");
    ledger_import->add_option("--mapping", li->mapping,
                              "field=column header, overriding the auto-match (e.g. deadline=完成时限; field= "
                              "skips the field); repeatable or comma-separated")
        ->delimiter(',');
    ledger_import->callback([&, li] {
        run = [&, li] {
            std::string lower = li->file;
            for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            if (lower.size() > 5 && lower.compare(lower.size() - 5, 5, ".xlsx") == 0) {
                return Fail(InvalidArgument(li->file + ": XLSX is read in the browser (台账导入 screen); save the "
                                            "sheet as CSV UTF-8 to import it here"));
            }
            service::LedgerImportInput input;
            for (const auto& m : li->mapping) {
                auto eq = m.find('=');
                if (eq == std::string::npos) {
                    return Fail(InvalidArgument("--mapping: \"" + m + "\" is not field=column header"));
                }
                input.mapping[m.substr(0, eq)] = m.substr(eq + 1);
            }
            auto text = ReadFile(li->file);
            if (!text.ok()) return Fail(text.status());
            auto rows = service::LedgerRowsFromCsv(*text);
            if (!rows.ok()) return Fail(Status(rows.status().code(), li->file + ": " + rows.status().message()));
            input.rows = std::move(rows).value();
            auto svc = OpenInitialized(g);
            if (!svc.ok()) return Fail(svc.status());
            auto actor = (*svc)->RootActor("cli");
            auto report = (*svc)->ImportLedger(
                actor, input, li->dry_run ? service::LedgerImportMode::kDryRun : service::LedgerImportMode::kCommit);
            if (!report.ok()) return Fail(report.status());
            const auto& r = *report;
            std::cout << (r.committed ? "stored" : li->dry_run ? "dry run" : "nothing stored") << ": " << r.rows_read
                      << " rows read (header in row " << r.header_row << "); problems "
                      << (r.committed ? "created " : "to create ") << r.problems_created << ", updated "
                      << r.problems_updated << "; tasks created " << r.tasks_created << ", updated " << r.tasks_updated
                      << "; progress reports " << r.reports_created << "; unchanged rows " << r.rows_unchanged
                      << "; rejected rows " << r.rejected.size() << "\n";
            for (const auto& e : r.rejected) {
                std::cout << "rejected: row " << e.row << ", " << e.column << ": " << e.reason << "\n";
            }
            for (const auto& e : r.ignored) {
                std::cout << "ignored: row " << e.row << ", " << e.column << ": " << e.reason << "\n";
            }
            if (!r.rejected.empty()) {
                const auto& first = r.rejected.front();
                std::cerr << "rectify: error: " << r.rejected.size() << " of " << r.rows_read
                          << " rows rejected, nothing stored; first: row " << first.row << ", column " << first.column
                          << ": " << first.reason << "\n";
                return 1;
            }
            return 0;
        };
    });

    // ---- workflow (issue 3): task, problem and opinion steps for scripting ----
    AddWorkflowCommands(app, g, run);
    // ---- linkage (issue 5): problem escalate, escalation ..., task cascade ----
    detail::AddLinkageCommands(app, g, run);
    detail::AddCampaignCommands(app, g, run);
    // ---- supervision (issue 8): supervise run ----
    detail::AddSupervisionCommands(app, g, run);

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
