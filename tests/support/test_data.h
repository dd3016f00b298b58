#pragma once

#include <filesystem>
#include <string>

namespace feedbridge::testing {

// The repository's root (FB_SOURCE_DIR from the environment, else the build-time path).
std::filesystem::path SourceDir();

// tests/testdata/<name>.
std::filesystem::path TestDataPath(const std::string& name);

// The whole file as bytes; throws std::runtime_error if it cannot be read.
std::string ReadFileBytes(const std::filesystem::path& path);

}  // namespace feedbridge::testing
