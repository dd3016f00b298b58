// Runs the built feedbridge binary as a user would and checks exit codes, messages and output.

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "app/exit_codes.h"
#include "app/version.h"
#include "tests/support/http_test_server.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certificates.h"
#include "tests/support/test_data.h"

namespace feedbridge::app {
namespace {

using ::feedbridge::testing::ProcessResult;
using ::feedbridge::testing::TempDir;
using ::feedbridge::testing::TestDataPath;
using ::testing::HasSubstr;
using ::testing::StartsWith;

ProcessResult Feedbridge(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env = {},
                         const std::string& input = "") {
  return ::feedbridge::testing::RunProcess(FB_FEEDBRIDGE_BINARY, args, env, input);
}

size_t Lines(const std::string& s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

TEST(FeedbridgeBinaryTest, HelpListsTheCommandsAndTheComingOnes) {
  const ProcessResult r = Feedbridge({"--help"});
  EXPECT_EQ(r.exit_code, kExitOk);
  EXPECT_THAT(r.out, HasSubstr("feedbridge parse FILE"));
  EXPECT_THAT(r.out, HasSubstr("feedbridge config"));
  EXPECT_THAT(r.out, HasSubstr("feedbridge serve"));
  EXPECT_THAT(r.out, HasSubstr("feedbridge feeds"));
  EXPECT_THAT(r.out, HasSubstr("coming: readers"));
  EXPECT_EQ(r.err, "");
}

TEST(FeedbridgeBinaryTest, VersionPrintsTheProjectVersion) {
  const ProcessResult r = Feedbridge({"--version"});
  EXPECT_EQ(r.exit_code, kExitOk);
  EXPECT_EQ(r.out, "feedbridge " + std::string(kVersion) + "\n");
  EXPECT_EQ(r.out, "feedbridge 0.1.0\n");
}

TEST(FeedbridgeBinaryTest, UnknownCommandExits64WithOneLine) {
  const ProcessResult r = Feedbridge({"frob"});
  EXPECT_EQ(r.exit_code, kExitUsage);
  EXPECT_EQ(r.err, "feedbridge: unknown command 'frob' (see feedbridge --help)\n");
  EXPECT_EQ(r.out, "");
}

TEST(FeedbridgeBinaryTest, UnknownFlagExits64WithOneLine) {
  const ProcessResult r = Feedbridge({"parse", "feed.xml", "--frob"});
  EXPECT_EQ(r.exit_code, kExitUsage);
  EXPECT_EQ(r.err, "feedbridge: parse: unknown flag '--frob' (see feedbridge --help)\n");
}

TEST(FeedbridgeBinaryTest, MissingArgumentOrFlagValueExits64) {
  const ProcessResult no_file = Feedbridge({"parse"});
  EXPECT_EQ(no_file.exit_code, kExitUsage);
  EXPECT_EQ(no_file.err, "feedbridge: parse: missing FILE (see feedbridge --help)\n");
  const ProcessResult no_value = Feedbridge({"config", "--print", "--config"});
  EXPECT_EQ(no_value.exit_code, kExitUsage);
  EXPECT_EQ(Lines(no_value.err), 1u) << no_value.err;
  const ProcessResult no_command = Feedbridge({});
  EXPECT_EQ(no_command.exit_code, kExitUsage);
  EXPECT_EQ(no_command.err, "feedbridge: no command given (see feedbridge --help)\n");
}

TEST(FeedbridgeBinaryTest, ComingCommandExits64WithOneLine) {
  const ProcessResult r = Feedbridge({"readers", "list"});
  EXPECT_EQ(r.exit_code, kExitUsage);
  EXPECT_EQ(r.err, "feedbridge: 'readers' is not available yet in this version\n");
}

TEST(FeedbridgeBinaryTest, ServeWithAnUnknownRoleExits64NamingTheRoles) {
  const ProcessResult r = Feedbridge({"serve", "--roles", "web,listener"});
  EXPECT_EQ(r.exit_code, kExitUsage);
  EXPECT_EQ(r.err,
            "feedbridge: serve: unknown role 'listener' (roles: poller, publisher, web)\n");
}

TEST(FeedbridgeBinaryTest, DeliveriesDeadWithAnUnknownIdExits66) {
  TempDir dir;
  const std::string db = "database.url=sqlite:" + (dir.path() / "fb.db").string();
  const ProcessResult r = Feedbridge({"--set", db, "deliveries", "dead", "--drop", "1-0"});
  EXPECT_EQ(r.exit_code, kExitNoInput);
  EXPECT_EQ(r.err, "feedbridge: deliveries: queue: no dead delivery with id 1-0\n");
  const ProcessResult both =
      Feedbridge({"--set", db, "deliveries", "dead", "--drop", "1-0", "--retry", "1-0"});
  EXPECT_EQ(both.exit_code, kExitUsage);
  EXPECT_EQ(both.err, "feedbridge: deliveries: give --retry or --drop, not both\n");
}

TEST(FeedbridgeBinaryTest, BadConfigInTheEnvironmentExits78NamingTheKey) {
  const ProcessResult r =
      Feedbridge({"config", "--print"}, {{"FEEDBRIDGE_POLLER_FETCH_TIMEOUT", "abc"}});
  EXPECT_EQ(r.exit_code, kExitConfig);
  EXPECT_EQ(r.err, "feedbridge: config: poller.fetch_timeout: 'abc' is not a duration\n");
  EXPECT_EQ(r.out, "");
}

TEST(FeedbridgeBinaryTest, BadConfigReportsEveryBadKeyOneLineEach) {
  TempDir dir;
  const auto ini =
      dir.WriteFile("bad.ini", "[server]\nworkers = lots\n[poller]\nfetch_timout = 3\n");
  const ProcessResult r = Feedbridge({"--config", ini.string(), "parse", "whatever.xml"},
                                     {{"FEEDBRIDGE_LOG_LEVEL", "loud"}});
  EXPECT_EQ(r.exit_code, kExitConfig);
  EXPECT_EQ(r.err,
            "feedbridge: config: server.workers: 'lots' is not an integer\n"
            "feedbridge: config: log.level: 'loud' is not one of fatal, critical, error, "
            "warning, notice, information, debug, trace\n"
            "feedbridge: config: poller.fetch_timout: unknown key (did you mean fetch_timeout?)\n");
}

TEST(FeedbridgeBinaryTest, MissingConfigFileExits78) {
  const ProcessResult r =
      Feedbridge({"--config", "/nonexistent/feedbridge.ini", "config", "--print"});
  EXPECT_EQ(r.exit_code, kExitConfig);
  EXPECT_EQ(r.err,
            "feedbridge: config: /nonexistent/feedbridge.ini: cannot read (file not found)\n");
}

TEST(FeedbridgeBinaryTest, ConfigExampleIsTheCheckedInFile) {
  const ProcessResult r = Feedbridge({"config", "--example"});
  EXPECT_EQ(r.exit_code, kExitOk);
  EXPECT_EQ(r.out, ::feedbridge::testing::ReadFileBytes(::feedbridge::testing::SourceDir() /
                                                        "config" / "feedbridge.ini"));
}

TEST(FeedbridgeBinaryTest, ConfigPrintShowsTheEffectiveValueOfEveryLayer) {
  TempDir dir;
  const auto ini = dir.WriteFile("f.ini", "[poller]\nfetch_timeout = 45\nmax_redirects = 3\n");
  const ProcessResult r =
      Feedbridge({"--config", ini.string(), "config", "--print", "--set", "poller.workers=9"},
                 {{"FEEDBRIDGE_POLLER_FETCH_TIMEOUT", "30"}});
  EXPECT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("fetch_timeout = 30s\n"));
  EXPECT_THAT(r.out, HasSubstr("max_redirects = 3\n"));
  EXPECT_THAT(r.out, HasSubstr("workers = 9\n"));
}

TEST(FeedbridgeBinaryTest, ConfigWithoutAChoiceExits64) {
  const ProcessResult r = Feedbridge({"config"});
  EXPECT_EQ(r.exit_code, kExitUsage);
  EXPECT_EQ(r.err,
            "feedbridge: config: give either --example or --print (see feedbridge --help)\n");
}

TEST(FeedbridgeBinaryTest, ParseOfAMissingFileExits66) {
  TempDir dir;
  const std::string missing = (dir.path() / "missing.rss").string();
  const ProcessResult r = Feedbridge({"parse", missing});
  EXPECT_EQ(r.exit_code, kExitNoInput);
  EXPECT_EQ(r.err, "feedbridge: parse: " + missing + ": cannot read (No such file or directory)\n");
}

TEST(FeedbridgeBinaryTest, ParseOfADirectoryExits66) {
  TempDir dir;
  const ProcessResult r = Feedbridge({"parse", dir.path().string()});
  EXPECT_EQ(r.exit_code, kExitNoInput);
  EXPECT_EQ(Lines(r.err), 1u) << r.err;
}

TEST(FeedbridgeBinaryTest, ParseOfGarbageExits65WithOneLine) {
  TempDir dir;
  const auto garbage = dir.WriteFile("garbage.txt", "this is not a feed, just words\n");
  const ProcessResult r = Feedbridge({"parse", garbage.string()});
  EXPECT_EQ(r.exit_code, kExitDataError) << r.err;
  EXPECT_THAT(r.err, StartsWith("feedbridge: parse: " + garbage.string() + ": "));
  EXPECT_EQ(Lines(r.err), 1u) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(FeedbridgeBinaryTest, ParseOfAnOversizedFileExits65) {
  TempDir dir;
  const auto big = dir.WriteFile("big.rss", std::string(2048, ' '));
  const ProcessResult r =
      Feedbridge({"parse", big.string(), "--set", "poller.max_body_bytes=1KiB"});
  EXPECT_EQ(r.exit_code, kExitDataError);
  EXPECT_EQ(r.err, "feedbridge: parse: " + big.string() +
                       ": larger than poller.max_body_bytes (1024 bytes)\n");
}

TEST(FeedbridgeBinaryTest, ParseOfALoopbackUrlIsRefusedByThePrivateNetworkPolicy) {
  // The default policy refuses loopback and private addresses before any connection is made.
  const ProcessResult r = Feedbridge({"parse", "http://127.0.0.1:9/feed.xml"});
  EXPECT_EQ(r.exit_code, kExitUnavailable);
  EXPECT_EQ(Lines(r.err), 1u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("http://127.0.0.1:9/feed.xml"));
}

TEST(FeedbridgeBinaryTest, ParseOverHttpsTrustsTheConfiguredCaFile) {
  const ::feedbridge::testing::TestCertificates certs;
  ::feedbridge::testing::HttpTestServer server(::feedbridge::testing::HttpTestServer::TlsFiles{
      certs.server_cert_file(), certs.server_key_file()});
  const std::string sample = ::feedbridge::testing::ReadFileBytes(TestDataPath("sample/blog.rss"));
  server.Route("/feed.rss", [&](const auto&, auto& resp) {
    resp.SetHeader("Content-Type", "application/rss+xml");
    resp.SetBody(sample);
  });
  const std::string url = server.Url("/feed.rss");
  // The test CA is in no system store: refused, with a reason.
  const ProcessResult untrusted =
      Feedbridge({"parse", url, "--set", "poller.allow_private_networks=true"});
  EXPECT_EQ(untrusted.exit_code, kExitUnavailable);
  EXPECT_EQ(Lines(untrusted.err), 1u) << untrusted.err;
  EXPECT_THAT(untrusted.err, HasSubstr("TLS"));
  // poller.ca_file adds it.
  const ProcessResult trusted =
      Feedbridge({"parse", url, "--set", "poller.allow_private_networks=true", "--set",
                  "poller.ca_file=" + certs.ca_file().string()});
  EXPECT_EQ(trusted.exit_code, kExitOk) << trusted.err;
  EXPECT_THAT(trusted.out, HasSubstr("The Sample Garden"));
}

TEST(FeedbridgeBinaryTest, ParseWithAnUnknownFormatExits64) {
  const ProcessResult r = Feedbridge({"parse", "x.rss", "--to", "csv"});
  EXPECT_EQ(r.exit_code, kExitUsage);
  EXPECT_EQ(r.err, "feedbridge: parse: --to must be jsonfeed, atom or rss, not 'csv'\n");
  const ProcessResult base = Feedbridge({"parse", "x.rss", "--base-url", "ftp://x/"});
  EXPECT_EQ(base.exit_code, kExitUsage);
  EXPECT_EQ(Lines(base.err), 1u) << base.err;
}

TEST(FeedbridgeBinaryTest, ParsesTheSampleBlogToJsonFeed) {
  const ProcessResult r = Feedbridge({"parse", TestDataPath("sample/blog.rss").string()});
  EXPECT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("https://jsonfeed.org/version/1.1"));
  EXPECT_THAT(r.out, HasSubstr("The Sample Garden"));
  EXPECT_THAT(r.out, HasSubstr("Frost on the kale"));
  EXPECT_EQ(r.err, "");
  // The output is JSON a JSON Feed reader can load, not just text containing the right words.
  try {
    const Poco::Dynamic::Var json = Poco::JSON::Parser().parse(r.out);
    const auto feed = json.extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(feed->getValue<std::string>("title"), "The Sample Garden");
    EXPECT_EQ(feed->getArray("items")->size(), 3u);
  } catch (const Poco::Exception& e) {
    ADD_FAILURE() << "not valid JSON Feed: " << e.displayText() << "\n" << r.out.substr(0, 300);
  }
}

TEST(FeedbridgeBinaryTest, ParsesTheSampleBlogToAtomAndRss) {
  const std::string sample = TestDataPath("sample/blog.rss").string();
  const ProcessResult atom = Feedbridge({"parse", sample, "--to", "atom"});
  EXPECT_EQ(atom.exit_code, kExitOk) << atom.err;
  EXPECT_THAT(atom.out, HasSubstr("http://www.w3.org/2005/Atom"));
  EXPECT_THAT(atom.out, HasSubstr("The Sample Garden"));
  const ProcessResult rss = Feedbridge({"parse", sample, "--to=rss"});
  EXPECT_EQ(rss.exit_code, kExitOk) << rss.err;
  EXPECT_THAT(rss.out, HasSubstr("<rss"));
  EXPECT_THAT(rss.out, HasSubstr("The Sample Garden"));
}

TEST(FeedbridgeBinaryTest, ParsesStandardInput) {
  const std::string sample = ::feedbridge::testing::ReadFileBytes(TestDataPath("sample/blog.rss"));
  const ProcessResult r = Feedbridge({"parse", "-"}, {}, sample);
  EXPECT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("The Sample Garden"));
}

}  // namespace
}  // namespace feedbridge::app
