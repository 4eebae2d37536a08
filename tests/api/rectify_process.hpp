// Runs the real `rectify` binary ($RECTIFY_BIN) for the API tests: one-shot commands (init, import)
// and a `serve` child process on a free loopback port, which is always killed when the object goes away.
// Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace rectify::testing {

// The path of the rectify binary: $RECTIFY_BIN, else the one of this build (RECTIFY_DEFAULT_BIN).
std::string RectifyBin();

struct CommandResult {
    int exit_code = -1;  // -1: could not start or killed by a signal
    std::string out;     // stdout
    std::string err;     // stderr
};

// Argon2id parameters the tests pass with --password-hash: the floor rectify accepts (OWASP's minimum),
// about 4x cheaper than the production default, so logins in tests stay fast.
inline constexpr const char* kTestPasswordHash = "m=19456,t=2,p=1";

// Runs `$RECTIFY_BIN args...` to completion (60 s at most), capturing stdout and stderr through files
// in `dir`; `stdin_text` is its standard input.
CommandResult RunRectify(const std::filesystem::path& dir, const std::vector<std::string>& args,
                         const std::string& stdin_text = "");

// Creates user `name` in org `org` (id, code:.. or path) with `roles` over it and `password` (no change
// required), through the CLI. Returns false (with the reason in `error`) when that fails.
bool AddUser(const std::filesystem::path& dir, const std::string& db, const std::string& name, const std::string& org,
             const std::vector<std::string>& roles, const std::string& password, std::string* error = nullptr);
// AddUser, then `rectify token create` for the user; returns the token's secret ("" on failure).
std::string MakeUserToken(const std::filesystem::path& dir, const std::string& db, const std::string& name,
                          const std::string& org, const std::vector<std::string>& roles);

// `$RECTIFY_BIN --db <db> --password-hash <kTestPasswordHash> serve --port 0 <extra...>` as a child process.
class ServerProcess {
  public:
    // Starts the child and waits (20 s at most) for "rectify listening on http://127.0.0.1:PORT" on its
    // stdout. started() tells whether that happened; log() has its stderr either way.
    ServerProcess(const std::filesystem::path& dir, const std::string& db, const std::vector<std::string>& extra);
    ~ServerProcess();  // SIGKILL and reap, if still running
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    bool started() const { return port_ != 0; }
    std::uint16_t port() const { return port_; }
    pid_t pid() const { return pid_; }
    // The child's stderr so far (its log).
    std::string log() const;

    // Sends `signal` to the child.
    void Signal(int signal) const;
    // Waits up to `timeout` for the child to exit; its exit code, or nullopt when it is still running
    // (or died from a signal: then -signal).
    std::optional<int> Wait(std::chrono::milliseconds timeout);

  private:
    pid_t pid_ = -1;
    bool reaped_ = false;
    int exit_code_ = -1;
    std::uint16_t port_ = 0;
    std::filesystem::path out_, err_;
};

}  // namespace rectify::testing
