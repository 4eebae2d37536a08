// main() for the replay builds of the fuzz targets (any compiler, no libFuzzer): runs
// LLVMFuzzerTestOneInput once over every file in the directories given as arguments — the seed corpus
// and the regression inputs (crashes found earlier) — so ctest re-checks them on every build.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
    int files = 0;
    for (int i = 1; i < argc; ++i) {
        std::error_code ec;
        if (!std::filesystem::is_directory(argv[i], ec)) continue;
        std::vector<std::filesystem::path> paths;
        for (const auto& e : std::filesystem::directory_iterator(argv[i])) {
            if (e.is_regular_file() && e.path().filename() != ".gitkeep") paths.push_back(e.path());
        }
        std::sort(paths.begin(), paths.end());
        for (const auto& p : paths) {
            std::ifstream in(p, std::ios::binary);
            std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
            ++files;
        }
    }
    std::printf("replayed %d inputs\n", files);
    return files > 0 ? 0 : 1;
}
