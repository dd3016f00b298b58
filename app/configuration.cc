#include "app/configuration.h"

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/Util/IniFileConfiguration.h>
#include <Poco/Util/LayeredConfiguration.h>
#include <Poco/Util/MapConfiguration.h>

#include <filesystem>
#include <system_error>

namespace feedbridge::app {
namespace {

// LayeredConfiguration searches lower priorities first.
constexpr int kFlagsPriority = 0;
constexpr int kEnvironmentPriority = 10;
constexpr int kFilePriority = 20;
constexpr int kDefaultsPriority = 30;

Poco::AutoPtr<Poco::Util::MapConfiguration> MapOf(
    const std::map<std::string, std::string>& values) {
  Poco::AutoPtr<Poco::Util::MapConfiguration> map(new Poco::Util::MapConfiguration);
  for (const auto& [key, value] : values) map->setString(key, value);
  return map;
}

Result<Poco::AutoPtr<Poco::Util::IniFileConfiguration>> ReadIniFile(const std::string& path) {
  const std::string prefix = "config: " + path + ": ";
  std::error_code ec;
  // A directory opens as an empty stream; say so instead of silently using the defaults.
  if (std::filesystem::is_directory(path, ec)) {
    return Status::InvalidArgument(prefix + "is a directory");
  }
  try {
    return Poco::AutoPtr<Poco::Util::IniFileConfiguration>(
        new Poco::Util::IniFileConfiguration(path));
  } catch (const Poco::FileNotFoundException&) {
    return Status::InvalidArgument(prefix + "cannot read (file not found)");
  } catch (const Poco::FileAccessDeniedException&) {
    return Status::InvalidArgument(prefix + "cannot read (permission denied)");
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument(prefix + "cannot read (" + e.displayText() + ")");
  }
}

}  // namespace

Result<config::Config> LoadConfiguration(const ConfigSources& sources) {
  std::map<std::string, std::string> flags;
  for (const std::string& setting : sources.settings) {
    const size_t equals = setting.find('=');
    if (equals == std::string::npos) {
      return Status::InvalidArgument("config: --set " + setting + ": expected SECTION.KEY=VALUE");
    }
    flags[setting.substr(0, equals)] = setting.substr(equals + 1);
  }
  Poco::AutoPtr<Poco::Util::LayeredConfiguration> layers(new Poco::Util::LayeredConfiguration);
  layers->add(MapOf(flags), kFlagsPriority);
  layers->add(MapOf(config::EnvironmentOverrides(sources.environment)), kEnvironmentPriority);
  if (!sources.file.empty()) {
    auto ini = ReadIniFile(sources.file);
    if (!ini.ok()) return ini.status();
    layers->add(*ini, kFilePriority);
  }
  layers->add(MapOf(config::DefaultValues()), kDefaultsPriority);
  return config::Load(*layers);
}

}  // namespace feedbridge::app
