#include "rectify_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace rectify::testing {
namespace {

std::string ReadFile(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Spawns `bin args...` with stdout and stderr redirected to the given files and stdin from `in`
// (/dev/null when empty). -1 on failure.
pid_t Spawn(const std::vector<std::string>& argv, const std::filesystem::path& out, const std::filesystem::path& err,
            const std::filesystem::path& in = {}) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, in.empty() ? "/dev/null" : in.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, argv[0].c_str(), &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 ? pid : -1;
}

// Decodes a waitpid status: the exit code, or -signal.
int ExitCode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status); }

}  // namespace

std::string RectifyBin() {
    const char* bin = std::getenv("RECTIFY_BIN");
    if (bin != nullptr) return bin;
#ifdef RECTIFY_DEFAULT_BIN
    return RECTIFY_DEFAULT_BIN;
#else
    return "";
#endif
}

// On PostgreSQL the evidence folder would default to rectify-blobs in the working directory (the source
// tree under ctest): give each test its own, in its folder. On SQLite the default (next to the file) is.
void AddBlobDir(std::vector<std::string>& argv, const std::filesystem::path& dir) {
    const char* backend = std::getenv("RECTIFY_TEST_BACKEND");
    if (backend != nullptr && std::string(backend) == "postgresql") {
        argv.insert(argv.end(), {"--blob-dir", (dir / "blobs").string()});
    }
}

CommandResult RunRectify(const std::filesystem::path& dir, const std::vector<std::string>& args,
                         const std::string& stdin_text) {
    CommandResult r;
    std::vector<std::string> argv{RectifyBin(), "--password-hash", kTestPasswordHash};
    AddBlobDir(argv, dir);
    argv.insert(argv.end(), args.begin(), args.end());
    const auto out = dir / "cmd.out";
    const auto err = dir / "cmd.err";
    const auto in = dir / "cmd.in";
    std::ofstream(in, std::ios::binary | std::ios::trunc) << stdin_text;
    pid_t pid = Spawn(argv, out, err, in);
    if (pid < 0) return r;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    int status = 0;
    while (true) {
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid) {
            r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            break;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    r.out = ReadFile(out);
    r.err = ReadFile(err);
    return r;
}

bool AddUser(const std::filesystem::path& dir, const std::string& db, const std::string& name, const std::string& org,
             const std::vector<std::string>& roles, const std::string& password, std::string* error) {
    std::vector<std::string> args{"--db", db, "user", "add", name, "--org", org, "--password-stdin",
                                  "--no-change-required"};
    for (const auto& role : roles) {
        args.push_back("--role");
        args.push_back(role);
    }
    auto r = RunRectify(dir, args, password + "\n");
    if (r.exit_code != 0 && error) *error = r.out + r.err;
    return r.exit_code == 0;
}

std::string MakeUserToken(const std::filesystem::path& dir, const std::string& db, const std::string& name,
                          const std::string& org, const std::vector<std::string>& roles) {
    if (!AddUser(dir, db, name, org, roles, "a password for " + name)) return "";
    auto r = RunRectify(dir, {"--db", db, "token", "create", "--user", name, "--name", "tests"});
    if (r.exit_code != 0) return "";
    auto at = r.out.find("\"secret\": \"");
    if (at == std::string::npos) return "";
    at += 11;
    return r.out.substr(at, r.out.find('"', at) - at);
}

ServerProcess::ServerProcess(const std::filesystem::path& dir, const std::string& db,
                             const std::vector<std::string>& extra)
    : out_(dir / "serve.out"), err_(dir / "serve.err") {
    std::vector<std::string> argv{RectifyBin(), "--db", db, "--password-hash", kTestPasswordHash};
    AddBlobDir(argv, dir);
    argv.insert(argv.end(), {"serve", "--port", "0"});
    argv.insert(argv.end(), extra.begin(), extra.end());
    pid_ = Spawn(argv, out_, err_);
    if (pid_ < 0) return;
    const std::string prefix = "rectify listening on http://127.0.0.1:";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        const std::string out = ReadFile(out_);
        if (auto at = out.find(prefix); at != std::string::npos) {
            auto end = out.find('\n', at);
            if (end != std::string::npos) {
                port_ = static_cast<std::uint16_t>(std::stoi(out.substr(at + prefix.size(), end - at - prefix.size())));
                return;
            }
        }
        if (Wait(std::chrono::milliseconds(0))) return;  // exited early: started() stays false
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

ServerProcess::~ServerProcess() {
    if (pid_ > 0 && !reaped_) {
        kill(pid_, SIGKILL);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
}

std::string ServerProcess::log() const { return ReadFile(err_); }

void ServerProcess::Signal(int signal) const {
    if (pid_ > 0 && !reaped_) kill(pid_, signal);
}

std::optional<int> ServerProcess::Wait(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return -1;
    if (reaped_) return exit_code_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        int status = 0;
        pid_t done = waitpid(pid_, &status, WNOHANG);
        if (done == pid_) {
            reaped_ = true;
            exit_code_ = ExitCode(status);
            return exit_code_;
        }
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

}  // namespace rectify::testing
