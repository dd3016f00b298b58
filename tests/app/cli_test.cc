#include "app/cli.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/status_matchers.h"

namespace feedbridge::app {
namespace {

using ::feedbridge::testing::IsOk;
using ::feedbridge::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Result<CommandLine> Parse(std::vector<std::string> args) { return ParseCommandLine(args); }

TEST(CommandLineTest, ReadsCommandArgumentsAndFlagsInAnyOrder) {
  Result<CommandLine> line =
      Parse({"--config", "a.ini", "parse", "--to=atom", "feed.xml", "--set", "poller.workers=3",
             "--base-url", "https://ex.org/feed", "--set=log.level=debug"});
  ASSERT_OK(line);
  EXPECT_EQ(line->command, "parse");
  EXPECT_THAT(line->arguments, ElementsAre("feed.xml"));
  EXPECT_EQ(line->config_file, "a.ini");
  EXPECT_THAT(line->settings, ElementsAre("poller.workers=3", "log.level=debug"));
  EXPECT_EQ(line->flags.at("--to"), "atom");
  EXPECT_EQ(line->flags.at("--base-url"), "https://ex.org/feed");
  EXPECT_FALSE(line->help);
  EXPECT_FALSE(line->version);
}

TEST(CommandLineTest, DashIsStandardInputAndDoubleDashEndsFlags) {
  Result<CommandLine> stdin_line = Parse({"parse", "-"});
  ASSERT_OK(stdin_line);
  EXPECT_THAT(stdin_line->arguments, ElementsAre("-"));
  Result<CommandLine> dashed = Parse({"parse", "--", "--odd-name.xml"});
  ASSERT_OK(dashed);
  EXPECT_THAT(dashed->arguments, ElementsAre("--odd-name.xml"));
}

TEST(CommandLineTest, ValuelessFlagsAndHelp) {
  Result<CommandLine> config = Parse({"config", "--print"});
  ASSERT_OK(config);
  EXPECT_EQ(config->flags.count("--print"), 1u);
  Result<CommandLine> help = Parse({"parse", "-h"});
  ASSERT_OK(help);
  EXPECT_TRUE(help->help) << "help needs no FILE";
  Result<CommandLine> help_command = Parse({"help"});
  ASSERT_OK(help_command);
  EXPECT_TRUE(help_command->help);
  Result<CommandLine> version = Parse({"--version"});
  ASSERT_OK(version);
  EXPECT_TRUE(version->version);
  Result<CommandLine> nothing = Parse({});
  ASSERT_OK(nothing);
  EXPECT_EQ(nothing->command, "");
}

struct UsageCase {
  const char* name;
  std::vector<std::string> args;
  const char* message;
};

TEST(CommandLineTest, UsageMistakesGiveOneLine) {
  const UsageCase cases[] = {
      {"unknown command", {"frob"}, "unknown command 'frob' (see feedbridge --help)"},
      {"unknown global flag", {"--frob"}, "unknown flag '--frob' (see feedbridge --help)"},
      {"unknown short flag", {"-x", "parse", "f"}, "unknown flag '-x' (see feedbridge --help)"},
      {"command flag before the command",
       {"--to", "atom", "parse", "f"},
       "unknown flag '--to' (see feedbridge --help)"},
      {"flag of another command",
       {"config", "--to", "atom"},
       "config: unknown flag '--to' (see feedbridge --help)"},
      {"missing file", {"parse"}, "parse: missing FILE (see feedbridge --help)"},
      {"extra argument",
       {"parse", "a", "b"},
       "parse: unexpected argument 'b' (see feedbridge --help)"},
      {"missing flag value",
       {"parse", "f", "--to"},
       "--to needs a value (FORMAT) (see feedbridge --help)"},
      {"missing config file",
       {"--config"},
       "--config needs a value (FILE) (see feedbridge --help)"},
      {"value for a valueless flag",
       {"config", "--print=yes"},
       "--print takes no value (see feedbridge --help)"},
      {"set without equals",
       {"--set", "poller.workers", "config", "--print"},
       "--set needs SECTION.KEY=VALUE, got 'poller.workers' (see feedbridge --help)"},
      {"set without section",
       {"--set", "workers=3", "config", "--print"},
       "--set needs SECTION.KEY=VALUE, got 'workers=3' (see feedbridge --help)"},
  };
  for (const UsageCase& c : cases) {
    SCOPED_TRACE(c.name);
    Result<CommandLine> line = Parse(c.args);
    EXPECT_THAT(line, StatusIs(Status::Code::kInvalidArgument));
    EXPECT_EQ(line.status().message(), c.message);
  }
}

TEST(CommandLineTest, ComingCommandsAreNotAvailableYet) {
  for (std::string_view name : ComingCommands()) {
    SCOPED_TRACE(name);
    Result<CommandLine> line = Parse({std::string(name), "list"});
    EXPECT_THAT(line, StatusIs(Status::Code::kFailedPrecondition));
    EXPECT_EQ(line.status().message(),
              "'" + std::string(name) + "' is not available yet in this version");
  }
}

TEST(HelpTextTest, ListsEveryCommandFlagAndTheComingOnes) {
  const std::string help = HelpText();
  for (const CommandSpec& c : Commands()) {
    EXPECT_THAT(help, HasSubstr("feedbridge " + std::string(c.name))) << c.name;
    for (const FlagSpec& f : c.flags) EXPECT_THAT(help, HasSubstr(std::string(f.name)));
  }
  EXPECT_THAT(help, HasSubstr("coming: readers\n"));
  EXPECT_THAT(help, HasSubstr("--config FILE"));
  EXPECT_THAT(help, HasSubstr("FEEDBRIDGE_POLLER_FETCH_TIMEOUT"));
}

TEST(HelpTextTest, CommandHelpShowsItsFlags) {
  const CommandSpec* parse = FindCommand("parse");
  ASSERT_NE(parse, nullptr);
  const std::string help = CommandHelp(*parse);
  EXPECT_THAT(help, HasSubstr("usage: feedbridge parse FILE [--to FORMAT] [--base-url URL] "
                              "[--content-type TYPE]\n"));
  EXPECT_THAT(help, HasSubstr("jsonfeed (default), atom or rss"));
}

}  // namespace
}  // namespace feedbridge::app
