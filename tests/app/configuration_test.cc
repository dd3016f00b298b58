#include "app/configuration.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace feedbridge::app {
namespace {

using ::feedbridge::testing::IsOk;
using ::feedbridge::testing::StatusIs;

TEST(LoadConfigurationTest, NoSourcesGiveTheDefaults) {
  Result<config::Config> c = LoadConfiguration({});
  ASSERT_OK(c);
  EXPECT_EQ(config::EffectiveIni(*c), config::EffectiveIni(config::Config{}));
}

TEST(LoadConfigurationTest, FlagsBeatEnvironmentBeatsFileBeatsDefaults) {
  feedbridge::testing::TempDir dir;
  const auto ini = dir.WriteFile("f.ini",
                                 "[poller]\n"
                                 "fetch_timeout = 45\n"
                                 "workers = 7\n"
                                 "max_redirects = 3\n"
                                 "[log]\n"
                                 "format = json\n");
  Result<config::Config> c = LoadConfiguration({
      .file = ini.string(),
      .environment = {{"FEEDBRIDGE_POLLER_FETCH_TIMEOUT", "30"},
                      {"FEEDBRIDGE_POLLER_WORKERS", "8"},
                      {"PATH", "/usr/bin"}},
      .settings = {"poller.workers=9", "poller.workers=10"},
  });
  ASSERT_OK(c);
  EXPECT_EQ(c->poller.workers, 10) << "the last --set wins over the environment";
  EXPECT_EQ(c->poller.fetch_timeout, std::chrono::seconds(30)) << "environment over the file";
  EXPECT_EQ(c->poller.max_redirects, 3) << "file over the defaults";
  EXPECT_EQ(c->log.format, "json");
  EXPECT_EQ(c->poller.interval_min, std::chrono::minutes(5)) << "defaults";
}

TEST(LoadConfigurationTest, ReportsBadKeysFromEveryLayerTogether) {
  feedbridge::testing::TempDir dir;
  const auto ini = dir.WriteFile("f.ini", "[server]\nworkers = lots\n");
  Result<config::Config> c = LoadConfiguration({
      .file = ini.string(),
      .environment = {{"FEEDBRIDGE_POLLER_FETCH_TIMEOUT", "abc"}},
      .settings = {"log.level=loud"},
  });
  ASSERT_THAT(c, StatusIs(Status::Code::kInvalidArgument));
  EXPECT_EQ(c.status().message(),
            "config: server.workers: 'lots' is not an integer\n"
            "config: poller.fetch_timeout: 'abc' is not a duration\n"
            "config: log.level: 'loud' is not one of fatal, critical, error, warning, notice, "
            "information, debug, trace");
}

TEST(LoadConfigurationTest, MissingFileIsAConfigurationError) {
  feedbridge::testing::TempDir dir;
  const std::string missing = (dir.path() / "nope.ini").string();
  Result<config::Config> c = LoadConfiguration({.file = missing});
  ASSERT_THAT(c, StatusIs(Status::Code::kInvalidArgument));
  EXPECT_EQ(c.status().message(), "config: " + missing + ": cannot read (file not found)");
}

TEST(LoadConfigurationTest, DirectoryIsNotAConfigFile) {
  feedbridge::testing::TempDir dir;
  Result<config::Config> c = LoadConfiguration({.file = dir.path().string()});
  ASSERT_THAT(c, StatusIs(Status::Code::kInvalidArgument));
  EXPECT_EQ(c.status().message(), "config: " + dir.path().string() + ": is a directory");
}

}  // namespace
}  // namespace feedbridge::app
