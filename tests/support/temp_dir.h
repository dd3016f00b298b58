#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace feedbridge::testing {

// A fresh directory under $TMPDIR, removed with everything in it when this object dies.
// Not thread-safe.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `contents` to path()/name and returns the full path.
  std::filesystem::path WriteFile(std::string_view name, std::string_view contents) const;

 private:
  std::filesystem::path path_;
};

}  // namespace feedbridge::testing
