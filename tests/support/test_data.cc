#include "tests/support/test_data.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace feedbridge::testing {

std::filesystem::path SourceDir() {
  if (const char* env = std::getenv("FB_SOURCE_DIR"); env != nullptr && *env != '\0') return env;
  return FB_SOURCE_DIR;
}

std::filesystem::path TestDataPath(const std::string& name) {
  return SourceDir() / "tests" / "testdata" / name;
}

std::string ReadFileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace feedbridge::testing
