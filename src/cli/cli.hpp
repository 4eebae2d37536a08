// The `rectify` command line (CLI11): init, serve, import {divisions, orgs, opinions, problems}, org move,
// stats, version. Every subcommand has --help; bad input exits non-zero with a one-line reason on stderr.
// Called once from src/app/main.cpp.
#pragma once

namespace rectify::cli {

// Runs the command line; returns the process exit code: 0 success, 1 the command failed (reason on
// stderr), 2 the command line itself was wrong.
int Main(int argc, char** argv);

}  // namespace rectify::cli
