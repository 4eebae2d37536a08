// The rectify binary: everything happens in src/cli.
#include "cli/cli.hpp"

int main(int argc, char** argv) { return rectify::cli::Main(argc, argv); }
