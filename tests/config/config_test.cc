#include "config/config.h"

#include <Poco/AutoPtr.h>
#include <Poco/Util/IniFileConfiguration.h>
#include <Poco/Util/LayeredConfiguration.h>
#include <Poco/Util/MapConfiguration.h>
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

#include "config/options.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_data.h"

namespace feedbridge::config {
namespace {

using ::feedbridge::testing::IsOk;
using ::feedbridge::testing::StatusIs;
using ::testing::HasSubstr;

Poco::AutoPtr<Poco::Util::MapConfiguration> MapOf(
    const std::map<std::string, std::string>& values) {
  Poco::AutoPtr<Poco::Util::MapConfiguration> map(new Poco::Util::MapConfiguration);
  for (const auto& [k, v] : values) map->setString(k, v);
  return map;
}

Poco::AutoPtr<Poco::Util::IniFileConfiguration> IniOf(const std::string& text) {
  std::istringstream in(text);
  return Poco::AutoPtr<Poco::Util::IniFileConfiguration>(new Poco::Util::IniFileConfiguration(in));
}

TEST(LoadTest, EmptySourceGivesTheDefaults) {
  Result<Config> c = Load(*MapOf({}));
  ASSERT_OK(c);
  EXPECT_EQ(EffectiveIni(*c), EffectiveIni(Config{}));
}

TEST(LoadTest, TableDefaultsLoadToTheStructDefaults) {
  Result<Config> c = Load(*MapOf(DefaultValues()));
  ASSERT_OK(c);
  EXPECT_EQ(EffectiveIni(*c), EffectiveIni(Config{}));
}

TEST(LoadTest, ReadsEveryKindOfValue) {
  Result<Config> c = Load(*MapOf({
      {"server.base_url", "https://bridge.example.org/b/"},
      {"server.listen", "[::1]:0"},
      {"server.max_body_bytes", "2MiB"},
      {"database.url", "postgresql://fb@db/feedbridge"},
      {"redis.url", "redis://127.0.0.1:6390/1"},
      {"redis.autostart", "no"},
      {"poller.fetch_timeout", " 30s "},
      {"poller.interval_min", "600"},
      {"poller.allow_private_networks", "true"},
      {"poller.workers", "8"},
      {"omb.notice_template", "{title}: {summary} {url}"},
      {"log.level", "debug"},
      {"log.format", "json"},
  }));
  ASSERT_OK(c);
  EXPECT_EQ(c->server.base_url, "https://bridge.example.org/b/");
  EXPECT_EQ(c->server.listen, "[::1]:0");
  EXPECT_EQ(c->server.max_body_bytes, 2u << 20);
  EXPECT_EQ(c->database.url, "postgresql://fb@db/feedbridge");
  EXPECT_EQ(c->redis.url, "redis://127.0.0.1:6390/1");
  EXPECT_FALSE(c->redis.autostart);
  EXPECT_EQ(c->poller.fetch_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c->poller.interval_min, std::chrono::seconds(600));
  EXPECT_TRUE(c->poller.allow_private_networks);
  EXPECT_EQ(c->poller.workers, 8);
  EXPECT_EQ(c->omb.notice_template, "{title}: {summary} {url}");
  EXPECT_EQ(c->log.level, "debug");
  EXPECT_EQ(c->log.format, "json");
}

TEST(LoadTest, BaseUrlAlwaysEndsWithASlash) {
  Result<Config> c = Load(*MapOf({{"server.base_url", "https://bridge.example.org/b"}}));
  ASSERT_OK(c);
  EXPECT_EQ(c->server.base_url, "https://bridge.example.org/b/");
}

TEST(LoadTest, ReportsEveryBadKeyAtOnceOneLineEach) {
  Result<Config> c = Load(*MapOf({
      {"server.workers", "lots"},
      {"poller.fetch_timeout", "abc"},
      {"poller.fetch_timout", "30"},
      {"log.level", "loud"},
      {"redis.autostart", "maybe"},
  }));
  ASSERT_THAT(c, StatusIs(Status::Code::kInvalidArgument));
  EXPECT_EQ(c.status().message(),
            "config: server.workers: 'lots' is not an integer\n"
            "config: redis.autostart: 'maybe' is not a boolean (true or false)\n"
            "config: poller.fetch_timeout: 'abc' is not a duration\n"
            "config: log.level: 'loud' is not one of fatal, critical, error, warning, notice, "
            "information, debug, trace\n"
            "config: poller.fetch_timout: unknown key (did you mean fetch_timeout?)");
}

TEST(LoadTest, ReportsUnknownSectionWithASuggestion) {
  Result<Config> c = Load(*MapOf({{"pollr.workers", "3"}, {"frobnicator.x", "1"}}));
  ASSERT_THAT(c, StatusIs(Status::Code::kInvalidArgument));
  EXPECT_EQ(c.status().message(),
            "config: frobnicator: unknown section\n"
            "config: pollr: unknown section (did you mean poller?)");
}

TEST(LoadTest, ReportsAKeyOutsideAnySection) {
  Result<Config> c = Load(*IniOf("workers = 3\n[poller]\nworkers = 4\n"));
  ASSERT_THAT(c, StatusIs(Status::Code::kInvalidArgument));
  EXPECT_EQ(c.status().message(), "config: workers: not in any section (write [section] above it)");
}

TEST(LoadTest, IgnoresPocoApplicationSections) {
  Result<Config> c = Load(*MapOf({{"application.name", "feedbridge"}, {"system.osName", "Linux"}}));
  EXPECT_OK(c);
}

TEST(LoadTest, ReportsInconsistentPairs) {
  Result<Config> c = Load(*MapOf({
      {"poller.interval_min", "2h"},
      {"poller.interval_max", "1h"},
      {"redis.autostart", "false"},
  }));
  ASSERT_THAT(c, StatusIs(Status::Code::kInvalidArgument));
  EXPECT_EQ(c.status().message(),
            "config: poller.interval_min: 7200s is above poller.interval_max (3600s)\n"
            "config: redis.url: empty while redis.autostart is false: no Redis to connect to");
}

// Every worker busy on bodies at the cap must stay within the body memory budget (8 GiB).
TEST(LoadTest, RefusesWorkersTimesBodyCapOverTheMemoryBudget) {
  // 4 workers x 16 bodies x 128 MiB is the budget exactly: allowed.
  EXPECT_OK(Load(*MapOf({{"poller.max_body_bytes", "128MiB"}})));
  EXPECT_OK(Load(*MapOf({{"poller.workers", "256"}, {"poller.max_body_bytes", "2MiB"}})));
  Result<Config> c = Load(*MapOf({{"poller.workers", "256"}, {"poller.max_body_bytes", "128MiB"}}));
  ASSERT_THAT(c, StatusIs(Status::Code::kInvalidArgument));
  EXPECT_EQ(c.status().message(),
            "config: poller.max_body_bytes: 128 MiB with poller.workers = 256 lets feed bodies in "
            "flight take 512 GiB (poller.workers x 16 bodies each x poller.max_body_bytes), over "
            "the budget of 8 GiB: lower poller.workers, or poller.max_body_bytes to 2 MiB at most");
  Result<Config> five =
      Load(*MapOf({{"poller.workers", "5"}, {"poller.max_body_bytes", "128MiB"}}));
  ASSERT_THAT(five, StatusIs(Status::Code::kInvalidArgument));
  EXPECT_THAT(five.status().message(), HasSubstr("poller.max_body_bytes to 102 MiB at most"));
}

TEST(LoadTest, SkipsPairChecksWhenOneSideIsAlreadyBad) {
  Result<Config> c = Load(*MapOf({{"poller.interval_min", "2h"}, {"poller.interval_max", "x"}}));
  ASSERT_THAT(c, StatusIs(Status::Code::kInvalidArgument));
  EXPECT_EQ(c.status().message(), "config: poller.interval_max: 'x' is not a duration");
}

TEST(LoadTest, ReadsAnIniFileFromDisk) {
  feedbridge::testing::TempDir dir;
  const auto path = dir.WriteFile("feedbridge.ini",
                                  "; a comment\n"
                                  "[server]\n"
                                  "base_url = https://bridge.example.org/\n"
                                  "\n"
                                  "[Poller]\n"
                                  "Fetch_Timeout = 45s\n"
                                  "max_redirects=2\n"
                                  "[log]\n"
                                  "format = json\n");
  Poco::AutoPtr<Poco::Util::IniFileConfiguration> ini(
      new Poco::Util::IniFileConfiguration(path.string()));
  Result<Config> c = Load(*ini);
  ASSERT_OK(c);
  EXPECT_EQ(c->server.base_url, "https://bridge.example.org/");
  EXPECT_EQ(c->poller.fetch_timeout, std::chrono::seconds(45));
  EXPECT_EQ(c->poller.max_redirects, 2);
  EXPECT_EQ(c->log.format, "json");
  EXPECT_EQ(c->poller.workers, 4) << "untouched keys keep their defaults";
}

TEST(LoadTest, ReportsTyposInAnIniFile) {
  Result<Config> c = Load(*IniOf("[poller]\nfetch_timout = 30\n# not a comment in INI\n"));
  ASSERT_THAT(c, StatusIs(Status::Code::kInvalidArgument));
  EXPECT_EQ(c.status().message(),
            "config: poller.# not a comment in ini: unknown key\n"
            "config: poller.fetch_timout: unknown key (did you mean fetch_timeout?)");
}

TEST(EnvironmentOverridesTest, MapsFeedbridgeVariablesToKeys) {
  const std::map<std::string, std::string> env = {
      {"FEEDBRIDGE_POLLER_FETCH_TIMEOUT", "30"},
      {"FEEDBRIDGE_SERVER_BASE_URL", "https://b.example.org/"},
      {"FEEDBRIDGE_LOG_LEVEL", "debug"},
      {"HOME", "/root"},
      {"FEEDBRIDGE_", "x"},
      {"FEEDBRIDGE_POLLER", "x"},
      {"FEEDBRIDGE_POLLER_", "x"},
      {"FEEDBRIDGE_A.B_C", "x"},
      {"XFEEDBRIDGE_LOG_LEVEL", "x"},
  };
  EXPECT_EQ(EnvironmentOverrides(env), (std::map<std::string, std::string>{
                                           {"log.level", "debug"},
                                           {"poller.fetch_timeout", "30"},
                                           {"server.base_url", "https://b.example.org/"},
                                       }));
}

TEST(EnvironmentOverridesTest, OverridesWinOverTheFileAndTyposAreReported) {
  Poco::AutoPtr<Poco::Util::LayeredConfiguration> layers(new Poco::Util::LayeredConfiguration);
  layers->add(MapOf(EnvironmentOverrides({{"FEEDBRIDGE_POLLER_FETCH_TIMEOUT", "30"}})), 10);
  layers->add(IniOf("[poller]\nfetch_timeout = 45\nworkers = 7\n"), 20);
  layers->add(MapOf(DefaultValues()), 30);
  Result<Config> c = Load(*layers);
  ASSERT_OK(c);
  EXPECT_EQ(c->poller.fetch_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c->poller.workers, 7);

  Result<Config> typo = Load(*MapOf(EnvironmentOverrides({{"FEEDBRIDGE_POLLER_WORKER", "3"}})));
  ASSERT_THAT(typo, StatusIs(Status::Code::kInvalidArgument));
  EXPECT_EQ(typo.status().message(), "config: poller.worker: unknown key (did you mean workers?)");
}

TEST(ExampleIniTest, CheckedInFileMatchesTheOptionTable) {
  const auto path = feedbridge::testing::SourceDir() / "config" / "feedbridge.ini";
  std::string checked_in;
  ASSERT_NO_THROW(checked_in = feedbridge::testing::ReadFileBytes(path));
  EXPECT_EQ(checked_in, ExampleIni())
      << path << " is out of date; regenerate it with: feedbridge config --example > " << path;
}

TEST(ExampleIniTest, DocumentsEveryOptionAndLoadsToTheDefaults) {
  const std::string example = ExampleIni();
  for (const Option& o : AllOptions()) {
    EXPECT_THAT(example, HasSubstr(std::string(o.help))) << FullName(o);
  }
  Result<Config> c = Load(*IniOf(example));
  ASSERT_OK(c);
  EXPECT_EQ(EffectiveIni(*c), EffectiveIni(Config{}));
}

TEST(EffectiveIniTest, PrintsValues) {
  Config c;
  c.poller.fetch_timeout = std::chrono::seconds(90);
  const std::string printed = EffectiveIni(c);
  EXPECT_THAT(printed, HasSubstr("[poller]\ninterval_min = 5m\ninterval_max = 1d\n"
                                 "fetch_timeout = 90s\n"));
}

TEST(EffectiveIniTest, ReadsBackToTheSameConfig) {
  Config c;
  c.poller.fetch_timeout = std::chrono::seconds(90);
  c.server.max_body_bytes = 3u << 20;
  c.log.format = "json";
  Result<Config> back = Load(*IniOf(EffectiveIni(c)));
  ASSERT_OK(back);
  EXPECT_EQ(EffectiveIni(*back), EffectiveIni(c));
}

}  // namespace
}  // namespace feedbridge::config
