#include "config/options.h"

#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "tests/support/status_matchers.h"

namespace feedbridge::config {
namespace {

using ::feedbridge::testing::IsOk;
using ::feedbridge::testing::StatusIs;

const Option& Get(std::string_view section, std::string_view key) {
  const Option* o = FindOption(section, key);
  EXPECT_NE(o, nullptr) << section << "." << key;
  return *o;
}

TEST(OptionsTest, EveryDefaultParsesAndFormatsBackToItself) {
  for (const Option& o : AllOptions()) {
    SCOPED_TRACE(FullName(o));
    Result<OptionValue> v = ParseValue(o, o.default_value);
    ASSERT_OK(v);
    EXPECT_EQ(FormatValue(o, *v), o.default_value) << "write the default in canonical form";
  }
}

// The in-class defaults of the Config structs and the table must say the same thing.
TEST(OptionsTest, ConfigStructDefaultsMatchTheTable) {
  const Config defaults;
  for (const Option& o : AllOptions()) {
    SCOPED_TRACE(FullName(o));
    Result<OptionValue> v = ParseValue(o, o.default_value);
    ASSERT_OK(v);
    EXPECT_EQ(FormatValue(o, o.get(defaults)), FormatValue(o, *v));
  }
}

TEST(OptionsTest, SetThenGetRoundTripsEveryOption) {
  for (const Option& o : AllOptions()) {
    SCOPED_TRACE(FullName(o));
    Result<OptionValue> v = ParseValue(o, o.default_value);
    ASSERT_OK(v);
    Config c;
    o.set(c, *v);
    EXPECT_EQ(FormatValue(o, o.get(c)), FormatValue(o, *v));
  }
}

TEST(OptionsTest, NamesAreUniqueLowerCaseAndInKnownSections) {
  std::set<std::string> names;
  const std::set<std::string_view> sections(Sections().begin(), Sections().end());
  for (const Option& o : AllOptions()) {
    SCOPED_TRACE(FullName(o));
    EXPECT_TRUE(names.insert(FullName(o)).second) << "duplicate";
    EXPECT_EQ(sections.count(o.section), 1u);
    for (char c : o.key) EXPECT_TRUE(std::islower(static_cast<unsigned char>(c)) || c == '_');
    EXPECT_FALSE(o.help.empty());
    EXPECT_NE(o.set, nullptr);
    EXPECT_NE(o.get, nullptr);
  }
  // FEEDBRIDGE_SECTION_KEY splits at the first '_', so no section may contain one.
  for (std::string_view s : Sections()) EXPECT_EQ(s.find('_'), std::string_view::npos) << s;
}

TEST(OptionsTest, DefaultsFollowTheDesignPolicies) {
  const Config c;
  EXPECT_EQ(c.server.base_url, "http://localhost:8080/");
  EXPECT_EQ(c.server.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.database.url, "sqlite:data/feedbridge.db");
  EXPECT_EQ(c.redis.url, "");
  EXPECT_EQ(c.redis.prefix, "fb:");
  EXPECT_TRUE(c.redis.autostart);
  EXPECT_EQ(c.poller.interval_min.count(), 300);
  EXPECT_EQ(c.poller.interval_max.count(), 86400);
  EXPECT_EQ(c.poller.fetch_timeout.count(), 20);
  EXPECT_EQ(c.poller.max_body_bytes, 15u * 1024 * 1024);
  EXPECT_EQ(c.poller.max_redirects, 5);
  EXPECT_EQ(c.poller.per_host_concurrency, 2);
  EXPECT_FALSE(c.poller.allow_private_networks);
  EXPECT_EQ(c.omb.notice_template, "{title} {url}");
  EXPECT_EQ(c.log.level, "information");
  EXPECT_EQ(c.log.format, "text");
}

struct NumberCase {
  const char* name;
  const char* raw;
  int64_t expected;
};

TEST(OptionsTest, ParsesDurationsInEveryUnit) {
  const Option& o = Get("poller", "interval_max");
  const NumberCase cases[] = {
      {"bare seconds", "90", 90}, {"seconds", "90s", 90}, {"minutes", "5m", 300},
      {"hours", "6h", 21600},     {"days", "3d", 259200},
  };
  for (const NumberCase& c : cases) {
    SCOPED_TRACE(c.name);
    Result<OptionValue> v = ParseValue(o, c.raw);
    ASSERT_OK(v);
    EXPECT_EQ(v->number, c.expected);
  }
}

TEST(OptionsTest, ParsesSizesInBinaryUnits) {
  // server.max_body_bytes: its maximum (1GiB) leaves room for every unit.
  const Option& o = Get("server", "max_body_bytes");
  const NumberCase cases[] = {
      {"bytes", "4096", 4096},           {"B", "4096B", 4096},       {"KiB", "512KiB", 512 << 10},
      {"K", "512K", 512 << 10},          {"MiB", "15MiB", 15 << 20}, {"M", "15M", 15 << 20},
      {"GiB", "1GiB", int64_t{1} << 30},
  };
  for (const NumberCase& c : cases) {
    SCOPED_TRACE(c.name);
    Result<OptionValue> v = ParseValue(o, c.raw);
    ASSERT_OK(v);
    EXPECT_EQ(v->number, c.expected);
  }
}

struct BadCase {
  const char* name;
  const char* section;
  const char* key;
  const char* raw;
  const char* message;
};

TEST(OptionsTest, RejectsBadValuesWithAMessageNamingTheValue) {
  const BadCase cases[] = {
      {"word as duration", "poller", "fetch_timeout", "abc", "'abc' is not a duration"},
      {"negative duration", "poller", "fetch_timeout", "-5", "'-5' is not a duration"},
      {"fractional duration", "poller", "fetch_timeout", "1.5m", "'1.5m' is not a duration"},
      {"unknown unit", "poller", "fetch_timeout", "5w", "'5w' is not a duration"},
      {"empty duration", "poller", "fetch_timeout", "", "'' is not a duration"},
      {"overflowing duration", "poller", "fetch_timeout", "99999999999999999999d",
       "'99999999999999999999d' is not a duration"},
      {"duration too short", "poller", "fetch_timeout", "0", "0s is below the minimum 1s"},
      {"duration too long", "poller", "fetch_timeout", "1h", "1h is above the maximum 10m"},
      {"decimal size unit", "poller", "max_body_bytes", "15MB", "'15MB' is not a size"},
      {"size too large", "poller", "max_body_bytes", "2GiB", "2GiB is above the maximum 128MiB"},
      {"feed cap every busy worker cannot survive", "poller", "max_body_bytes", "1GiB",
       "1GiB is above the maximum 128MiB"},
      {"word as integer", "server", "workers", "many", "'many' is not an integer"},
      {"integer with sign", "server", "workers", "+3", "'+3' is not an integer"},
      {"integer too small", "server", "workers", "0", "0 is below the minimum 1"},
      {"bad boolean", "poller", "allow_private_networks", "maybe",
       "'maybe' is not a boolean (true or false)"},
      {"relative url", "server", "base_url", "/bridge/",
       "'/bridge/' is not an http:// or https:// URL"},
      {"ftp url", "server", "base_url", "ftp://example.org/",
       "'ftp://example.org/' is not an http:// or https:// URL"},
      {"listen without port", "server", "listen", "127.0.0.1", "'127.0.0.1' is not HOST:PORT"},
      {"listen port too big", "server", "listen", "0.0.0.0:70000",
       "'0.0.0.0:70000' is not HOST:PORT"},
      {"unbracketed ipv6", "server", "listen", "::1:8080", "'::1:8080' is not HOST:PORT"},
      {"unknown level", "log", "level", "verbose",
       "'verbose' is not one of fatal, critical, error, warning, notice, information, debug, "
       "trace"},
      {"upper-case enum", "log", "format", "JSON", "'JSON' is not one of text, json"},
      {"mysql database", "database", "url", "mysql://db/x",
       "'mysql://db/x' is not sqlite:PATH or postgresql://..."},
      {"http redis", "redis", "url", "http://localhost:6379",
       "'http://localhost:6379' is not redis://HOST:PORT[/DB] or unix:PATH"},
      {"empty prefix", "redis", "prefix", "", "must not be empty"},
      {"header injection in user agent", "poller", "user_agent", "x\r\nX-Evil: 1",
       "must not contain a line break"},
      {"unknown placeholder", "omb", "notice_template", "{titel} {url}",
       "unknown placeholder '{titel}' (known: {title}, {url}, {summary}, {author})"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name);
    Result<OptionValue> v = ParseValue(Get(c.section, c.key), c.raw);
    EXPECT_THAT(v, StatusIs(Status::Code::kInvalidArgument));
    EXPECT_EQ(v.status().message(), c.message);
  }
}

TEST(OptionsTest, AcceptsEveryBooleanSpelling) {
  const Option& o = Get("redis", "autostart");
  for (const char* yes : {"true", "TRUE", "yes", "on", "1"}) {
    Result<OptionValue> v = ParseValue(o, yes);
    ASSERT_OK(v);
    EXPECT_TRUE(v->flag) << yes;
  }
  for (const char* no : {"false", "No", "off", "0"}) {
    Result<OptionValue> v = ParseValue(o, no);
    ASSERT_OK(v);
    EXPECT_FALSE(v->flag) << no;
  }
}

TEST(OptionsTest, AcceptsListenAddresses) {
  const Option& o = Get("server", "listen");
  for (const char* ok : {"127.0.0.1:8080", "0.0.0.0:0", "[::1]:8080", "localhost:80"}) {
    EXPECT_OK(ParseValue(o, ok)) << ok;
  }
}

TEST(OptionsTest, AcceptsDatabaseAndRedisUrls) {
  EXPECT_OK(ParseValue(Get("database", "url"), "sqlite:/var/lib/feedbridge/db.sqlite"));
  EXPECT_OK(ParseValue(Get("database", "url"), "postgresql://fb@localhost/feedbridge"));
  EXPECT_OK(ParseValue(Get("redis", "url"), ""));
  EXPECT_OK(ParseValue(Get("redis", "url"), "redis://127.0.0.1:6379/2"));
  EXPECT_OK(ParseValue(Get("redis", "url"), "unix:/run/redis/redis.sock"));
}

TEST(OptionsTest, FormatsDurationsAndSizesInTheirLargestExactUnit) {
  const Option& d = Get("poller", "interval_max");
  EXPECT_EQ(FormatValue(d, OptionValue{.number = 90}), "90s");
  EXPECT_EQ(FormatValue(d, OptionValue{.number = 120}), "2m");
  EXPECT_EQ(FormatValue(d, OptionValue{.number = 7200}), "2h");
  EXPECT_EQ(FormatValue(d, OptionValue{.number = 172800}), "2d");
  const Option& s = Get("server", "max_body_bytes");
  EXPECT_EQ(FormatValue(s, OptionValue{.number = 1000}), "1000");
  EXPECT_EQ(FormatValue(s, OptionValue{.number = 2048}), "2KiB");
  EXPECT_EQ(FormatValue(s, OptionValue{.number = 3 << 20}), "3MiB");
}

TEST(OptionsTest, SuggestsTheNearestNameForATypo) {
  const std::vector<std::string_view> keys = {"fetch_timeout", "workers", "max_redirects"};
  EXPECT_EQ(Suggest("fetch_timout", keys), "fetch_timeout");
  EXPECT_EQ(Suggest("worker", keys), "workers");
  EXPECT_EQ(Suggest("colour", keys), "");
  EXPECT_EQ(Suggest("x", keys), "");
}

}  // namespace
}  // namespace feedbridge::config
