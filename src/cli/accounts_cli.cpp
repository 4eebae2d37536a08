// `rectify user ...`, `rectify token ...`, `rectify audit ...`, `rectify backup` and `rectify restore`.
// The CLI acts as the root admin ("cli"): whoever can open the database file controls it anyway.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/detail.hpp"
#include "common/time.hpp"
#include "domain/account.hpp"
#include "domain/json.hpp"
#include "service/json.hpp"

namespace rectify::cli::detail {
namespace {

using nlohmann::json;

// Reads the password from the first line of standard input (for scripts; never on the command line,
// where other users of the machine could read it in the process list).
Result<std::string> PasswordFromStdin() {
    std::string line;
    if (!std::getline(std::cin, line)) return InvalidArgument("--password-stdin: nothing on standard input");
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
    if (line.empty()) return InvalidArgument("--password-stdin: the first line is empty");
    return line;
}

// "clerk@code:1301", "leader@河北省", "admin@1".
Result<domain::Grant> ParseGrant(service::Service& svc, const domain::Actor& actor, const std::string& text) {
    auto at = text.find('@');
    if (at == std::string::npos) return InvalidArgument("grant \"" + text + "\": expected ROLE@ORG, e.g. clerk@code:1301");
    ASSIGN_OR_RETURN(auto role, domain::ParseEnum<domain::Role>(text.substr(0, at)));
    ASSIGN_OR_RETURN(auto org, ResolveOrg(svc, actor, text.substr(at + 1)));
    return domain::Grant{role, org.id};
}

Result<domain::User> UserByName(service::Service& svc, const domain::Actor& actor, const std::string& name) {
    return svc.FindUser(actor, name);
}

int PrintJson(const json& j) {
    std::cout << j.dump(2) << "\n";
    return 0;
}

}  // namespace

Result<std::unique_ptr<DbLock>> DbLock::Acquire(const std::string& db, const std::string& what) {
    const std::string path = db + ".lock";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return Unavailable("cannot open " + path);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        return FailedPrecondition("another rectify process (serve or restore) holds " + path + "; stop it before `" +
                                  what + "`");
    }
    return std::unique_ptr<DbLock>(new DbLock(fd));
}

DbLock::~DbLock() {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
}

void AddAccountCommands(CLI::App& app, Globals& g, std::function<int()>& run) {
    // Option storage lives as long as the App (these statics are per process; Main runs once).
    static std::string name, org_ref, display_name, role_name, user_ref, token_name, out_file, file, anchor;
    static std::string from_text, to_text;
    static std::vector<std::string> roles, grants;
    static bool password_stdin = false, no_change_required = false, force = false;
    static int days = 90;
    static std::int64_t token_id = 0;

    // ---- user ----
    auto* user = app.add_subcommand("user", "Manage user accounts (the CLI acts as the root admin).");
    user->require_subcommand(1);

    auto* add = user->add_subcommand("add", "Create a user; prints the user and, unless --password-stdin, a "
                                            "generated one-time password (shown once).");
    add->add_option("name", name, "login name: lower-case letters, digits, '.', '_', '-'")->required();
    add->add_option("--org", org_ref, "the user's org: id, code:<division code> or name path")->required();
    add->add_option("--role", roles, "role over --org (repeatable): admin, org_admin, clerk, reviewer, verifier, "
                                     "supervisor, leader, auditor");
    add->add_option("--grant", grants, "ROLE@ORG over another org (repeatable), e.g. leader@code:13");
    add->add_option("--display-name", display_name, "name shown in the UI (default: the login name)");
    add->add_flag("--password-stdin", password_stdin, "read the password from the first line of standard input");
    add->add_flag("--no-change-required", no_change_required,
                  "do not make the user change the password at first login (service accounts, tests)");
    add->callback([&] {
        run = [&] {
            auto svc = OpenInitialized(g);
            if (!svc.ok()) return Fail(svc.status());
            auto actor = (*svc)->RootActor("cli");
            auto org = ResolveOrg(**svc, actor, org_ref);
            if (!org.ok()) return Fail(org.status());
            service::UserDraft d;
            d.name = name;
            d.display_name = display_name;
            d.org_id = org->id;
            d.must_change_password = !no_change_required;
            for (const auto& r : roles) {
                auto role = domain::ParseEnum<domain::Role>(r);
                if (!role.ok()) return Fail(role.status());
                d.grants.push_back({*role, org->id});
            }
            for (const auto& text : grants) {
                auto grant = ParseGrant(**svc, actor, text);
                if (!grant.ok()) return Fail(grant.status());
                d.grants.push_back(*grant);
            }
            if (password_stdin) {
                auto pw = PasswordFromStdin();
                if (!pw.ok()) return Fail(pw.status());
                d.password = *pw;
            }
            auto created = (*svc)->AddUser(actor, d);
            if (!created.ok()) return Fail(created.status());
            return PrintJson({{"user", domain::ToJson(created->user)},
                              {"password", created->generated_password ? json(*created->generated_password)
                                                                       : json(nullptr)}});
        };
    });

    auto* passwd = user->add_subcommand("passwd", "Set a new password (generated and printed once unless "
                                                  "--password-stdin); the user's sessions end.");
    passwd->add_option("name", name, "login name")->required();
    passwd->add_flag("--password-stdin", password_stdin, "read the password from the first line of standard input");
    passwd->add_flag("--no-change-required", no_change_required, "do not make the user change it at next login");
    passwd->callback([&] {
        run = [&] {
            auto svc = OpenInitialized(g);
            if (!svc.ok()) return Fail(svc.status());
            auto actor = (*svc)->RootActor("cli");
            auto u = UserByName(**svc, actor, name);
            if (!u.ok()) return Fail(u.status());
            std::string pw;
            if (password_stdin) {
                auto read = PasswordFromStdin();
                if (!read.ok()) return Fail(read.status());
                pw = *read;
            }
            auto generated = (*svc)->ResetPassword(actor, u->id, pw, !no_change_required);
            if (!generated.ok()) return Fail(generated.status());
            return PrintJson({{"user", u->name}, {"password", *generated ? json(**generated) : json(nullptr)}});
        };
    });

    auto* grant = user->add_subcommand("grant", "Give a user a role over an org's subtree.");
    grant->add_option("name", name, "login name")->required();
    grant->add_option("role", role_name, "role")->required();
    grant->add_option("org", org_ref, "org: id, code:<division code> or name path")->required();
    auto* revoke = user->add_subcommand("revoke", "Take a role over an org's subtree from a user.");
    revoke->add_option("name", name, "login name")->required();
    revoke->add_option("role", role_name, "role")->required();
    revoke->add_option("org", org_ref, "org: id, code:<division code> or name path")->required();
    auto grant_or_revoke = [&](bool give) {
        return [&, give] {
            auto svc = OpenInitialized(g);
            if (!svc.ok()) return Fail(svc.status());
            auto actor = (*svc)->RootActor("cli");
            auto u = UserByName(**svc, actor, name);
            if (!u.ok()) return Fail(u.status());
            auto role = domain::ParseEnum<domain::Role>(role_name);
            if (!role.ok()) return Fail(role.status());
            auto org = ResolveOrg(**svc, actor, org_ref);
            if (!org.ok()) return Fail(org.status());
            Result<domain::User> changed = u.status();
            if (give) {
                changed = (*svc)->GrantRole(actor, u->id, {*role, org->id});
            } else {
                auto it = std::find_if(u->grants.begin(), u->grants.end(),
                                       [&](const auto& gr) { return gr.role == *role && gr.org_id == org->id; });
                if (it == u->grants.end()) {
                    return Fail(NotFound(u->name + " does not hold " + role_name + " over org " + std::to_string(org->id)));
                }
                changed = (*svc)->RevokeGrant(actor, u->id, it->id);
            }
            if (!changed.ok()) return Fail(changed.status());
            return PrintJson(domain::ToJson(*changed));
        };
    };
    grant->callback([&, grant_or_revoke] { run = grant_or_revoke(true); });
    revoke->callback([&, grant_or_revoke] { run = grant_or_revoke(false); });

    auto* list = user->add_subcommand("list", "List users (of an org's subtree) as JSON.");
    list->add_option("--org", org_ref, "org: id, code:<division code> or name path (default: all)");
    list->callback([&] {
        run = [&] {
            auto svc = OpenInitialized(g);
            if (!svc.ok()) return Fail(svc.status());
            auto actor = (*svc)->RootActor("cli");
            std::optional<domain::OrgId> org_id;
            if (!org_ref.empty()) {
                auto org = ResolveOrg(**svc, actor, org_ref);
                if (!org.ok()) return Fail(org.status());
                org_id = org->id;
            }
            auto users = (*svc)->ListUsers(actor, org_id);
            if (!users.ok()) return Fail(users.status());
            json out = json::array();
            for (const auto& u : *users) out.push_back(domain::ToJson(u));
            return PrintJson(out);
        };
    });

    for (bool disable : {true, false}) {
        auto* cmd = user->add_subcommand(disable ? "disable" : "enable",
                                         disable ? "Disable a user: logins, sessions and tokens stop working."
                                                 : "Enable a disabled user again.");
        cmd->add_option("name", name, "login name")->required();
        cmd->callback([&, disable] {
            run = [&, disable] {
                auto svc = OpenInitialized(g);
                if (!svc.ok()) return Fail(svc.status());
                auto actor = (*svc)->RootActor("cli");
                auto u = UserByName(**svc, actor, name);
                if (!u.ok()) return Fail(u.status());
                auto changed = (*svc)->SetUserDisabled(actor, u->id, disable);
                if (!changed.ok()) return Fail(changed.status());
                return PrintJson(domain::ToJson(*changed));
            };
        });
    }

    // ---- token ----
    auto* token = app.add_subcommand("token", "Manage API tokens (for scripts and integrations).");
    token->require_subcommand(1);
    auto* tcreate = token->add_subcommand("create", "Create an API token for a user; prints its secret once.");
    tcreate->add_option("--user", user_ref, "the token's user (login name)")->required();
    tcreate->add_option("--name", token_name, "what the token is for")->required();
    tcreate->add_option("--grant", grants, "ROLE@ORG the token carries (repeatable; default: all of the user's)");
    tcreate->add_option("--days", days, "days until it expires")->check(CLI::Range(1, 366))->capture_default_str();
    tcreate->callback([&] {
        run = [&] {
            auto svc = OpenInitialized(g);
            if (!svc.ok()) return Fail(svc.status());
            auto root = (*svc)->RootActor("cli");
            auto u = UserByName(**svc, root, user_ref);
            if (!u.ok()) return Fail(u.status());
            auto actor = (*svc)->UserActor(u->id, "cli");
            if (!actor.ok()) return Fail(actor.status());
            service::TokenDraft d;
            d.name = token_name;
            d.expires_in_days = days;
            for (const auto& text : grants) {
                auto gr = ParseGrant(**svc, root, text);
                if (!gr.ok()) return Fail(gr.status());
                d.grants.push_back(*gr);
            }
            auto created = (*svc)->CreateToken(*actor, d);
            if (!created.ok()) return Fail(created.status());
            return PrintJson({{"token", domain::ToJson(created->token)}, {"secret", created->secret}});
        };
    });
    auto* tlist = token->add_subcommand("list", "List a user's API tokens (never their secrets).");
    tlist->add_option("--user", user_ref, "login name")->required();
    tlist->callback([&] {
        run = [&] {
            auto svc = OpenInitialized(g);
            if (!svc.ok()) return Fail(svc.status());
            auto root = (*svc)->RootActor("cli");
            auto u = UserByName(**svc, root, user_ref);
            if (!u.ok()) return Fail(u.status());
            auto tokens = (*svc)->ListTokens(root, u->id);
            if (!tokens.ok()) return Fail(tokens.status());
            json out = json::array();
            for (const auto& t : *tokens) out.push_back(domain::ToJson(t));
            return PrintJson(out);
        };
    });
    auto* trevoke = token->add_subcommand("revoke", "Revoke an API token by id.");
    trevoke->add_option("id", token_id, "token id")->required()->check(CLI::PositiveNumber);
    trevoke->callback([&] {
        run = [&] {
            auto svc = OpenInitialized(g);
            if (!svc.ok()) return Fail(svc.status());
            if (Status s = (*svc)->RevokeToken((*svc)->RootActor("cli"), token_id); !s.ok()) return Fail(s);
            return PrintJson({{"revoked", token_id}});
        };
    });

    // ---- audit ----
    auto* audit = app.add_subcommand("audit", "Check and export the hash-chained event log.");
    audit->require_subcommand(1);
    auto* verify = audit->add_subcommand("verify", "Check every link of the event log's hash chain; exit 1 and "
                                                   "name the first broken link when one is broken.");
    verify->add_option("--anchor", anchor, "ID:HASH recorded earlier (e.g. from a previous verify): also check "
                                           "that event ID still has that hash (detects a rewritten or cut tail)");
    verify->callback([&] {
        run = [&] {
            auto svc = OpenInitialized(g);
            if (!svc.ok()) return Fail(svc.status());
            auto report = (*svc)->VerifyAudit((*svc)->RootActor("cli"));
            if (!report.ok()) return Fail(report.status());
            json out = {{"ok", report->ok()},
                        {"events", report->events},
                        {"head_id", report->head_id},
                        {"head_hash", report->head_hash}};
            bool ok = report->ok();
            if (!ok) {
                out["first_broken_id"] = *report->first_broken_id;
                out["reason"] = report->reason;
            } else if (!anchor.empty()) {
                auto colon = anchor.find(':');
                std::int64_t id = 0;
                try {
                    id = colon == std::string::npos ? 0 : std::stoll(anchor.substr(0, colon));
                } catch (...) {
                    id = 0;
                }
                if (id < 1) return Fail(InvalidArgument("--anchor: expected ID:HASH"));
                service::AuditQuery q;
                q.cursor = service::EncodeCursor(id - 1);
                q.limit = 1;
                auto page = id > 1 ? (*svc)->AuditEvents((*svc)->RootActor("cli"), q)
                                   : (*svc)->AuditEvents((*svc)->RootActor("cli"), service::AuditQuery{{}, {}, {}, {}, 1});
                if (!page.ok()) return Fail(page.status());
                const std::string want = anchor.substr(colon + 1);
                if (page->items.empty() || page->items[0].id != id) {
                    ok = false;
                    out["first_broken_id"] = id;
                    out["reason"] = "the anchored event " + std::to_string(id) + " is gone (the log was cut)";
                } else if (page->items[0].hash != want) {
                    ok = false;
                    out["first_broken_id"] = id;
                    out["reason"] = "event " + std::to_string(id) + " no longer has the anchored hash (the chain was "
                                    "rewritten)";
                }
                out["ok"] = ok;
            }
            std::cout << out.dump(2) << "\n";
            if (!ok) {
                std::cerr << "rectify: error: the audit chain is broken at event " << out["first_broken_id"] << ": "
                          << out["reason"].get<std::string>() << " [failed_precondition]\n";
                return 1;
            }
            return 0;
        };
    });
    auto* exp = audit->add_subcommand("export", "Write the events of a subtree and period as JSON lines, oldest "
                                                "first, with their hashes.");
    exp->add_option("--org", org_ref, "org: id, code:<division code> or name path (default: the whole log)");
    exp->add_option("--from", from_text, "from this instant (RFC 3339 or a date), inclusive");
    exp->add_option("--to", to_text, "until this instant (RFC 3339 or a date), exclusive");
    exp->add_option("--out", out_file, "file to write (default: standard output)");
    exp->callback([&] {
        run = [&] {
            auto svc = OpenInitialized(g);
            if (!svc.ok()) return Fail(svc.status());
            auto actor = (*svc)->RootActor("cli");
            service::AuditQuery q;
            q.limit = service::kMaxAuditPage;
            if (!org_ref.empty()) {
                auto org = ResolveOrg(**svc, actor, org_ref);
                if (!org.ok()) return Fail(org.status());
                q.org_id = org->id;
            }
            if (!from_text.empty()) {
                auto t = ParseIso(from_text);
                if (!t.ok()) return Fail(InvalidArgument("--from: " + t.status().message()));
                q.from = *t;
            }
            if (!to_text.empty()) {
                auto t = ParseIso(to_text);
                if (!t.ok()) return Fail(InvalidArgument("--to: " + t.status().message()));
                q.to = *t;
            }
            std::ofstream file_out;
            if (!out_file.empty()) {
                file_out.open(out_file, std::ios::binary | std::ios::trunc);
                if (!file_out) return Fail(Unavailable("cannot write " + out_file));
            }
            std::ostream& out = out_file.empty() ? std::cout : file_out;
            std::int64_t n = 0;
            for (;;) {
                auto page = (*svc)->AuditEvents(actor, q);
                if (!page.ok()) return Fail(page.status());
                for (const auto& e : page->items) {
                    json j = service::ToJson(e);
                    j["org_id"] = e.org_id ? json(*e.org_id) : json(nullptr);
                    j["prev_hash"] = e.prev_hash;
                    j["hash"] = e.hash;
                    out << j.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
                    ++n;
                }
                if (!page->next_cursor) break;
                q.cursor = page->next_cursor;
            }
            out.flush();
            if (!out) return Fail(Unavailable("writing the export failed"));
            std::cerr << "rectify: exported " << n << " events\n";
            return 0;
        };
    });

    // ---- backup and restore ----
    auto* backup = app.add_subcommand("backup", "Copy the database into FILE (SQLite online backup: consistent "
                                                "while the server writes).");
    backup->add_option("file", file, "new backup file")->required();
    backup->callback([&] {
        run = [&] {
            if (store::Store::IsPostgresUrl(g.db)) return Fail(store::PostgresBackupUnsupported("backup"));
            if (Status s = store::BackupSqlite(g.db, file); !s.ok()) return Fail(s);
            auto check = store::IntegrityCheck(file);
            return PrintJson({{"backup", file}, {"integrity_check", check.ok() ? *check : check.status().message()}});
        };
    });
    auto* restore = app.add_subcommand("restore", "Replace the database with a backup after checking it "
                                                  "(integrity, schema, audit chain). Stop the server first.");
    restore->add_option("file", file, "backup file")->required()->check(CLI::ExistingFile);
    restore->add_flag("--force", force, "replace an existing database");
    restore->callback([&] {
        run = [&] {
            if (store::Store::IsPostgresUrl(g.db)) return Fail(store::PostgresBackupUnsupported("restore"));
            auto lock = DbLock::Acquire(g.db, "restore");
            if (!lock.ok()) return Fail(lock.status());
            std::error_code ec;
            if (std::filesystem::exists(g.db, ec) && !force) {
                return Fail(AlreadyExists(g.db + " exists; pass --force to replace it with the backup"));
            }
            if (Status s = store::RestoreSqlite(file, g.db); !s.ok()) return Fail(s);
            auto svc = OpenInitialized(g);
            if (!svc.ok()) return Fail(svc.status());
            auto report = (*svc)->VerifyAudit((*svc)->RootActor("cli"));
            if (!report.ok()) return Fail(report.status());
            return PrintJson({{"restored", g.db},
                              {"from", file},
                              {"events", report->events},
                              {"head_id", report->head_id},
                              {"head_hash", report->head_hash}});
        };
    });
}

}  // namespace rectify::cli::detail
