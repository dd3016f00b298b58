#pragma once

// The subcommands. Each writes its result to `out` and its one-line diagnostics, prefixed
// "feedbridge: ", to `err`, and returns an exit code from app/exit_codes.h.

#include <iosfwd>
#include <string>

#include "app/cli.h"
#include "common/result.h"
#include "config/config.h"

namespace feedbridge::app {

// The standard streams of one run. Borrowed; they must outlive the call they are passed to.
// Not thread-safe: one command at a time writes to them.
struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

// The output format of `parse`.
enum class FeedOutput { kJsonFeed, kAtom, kRss };

// `feedbridge parse FILE [--to FORMAT] [--base-url URL] [--content-type TYPE]`. Plain value.
struct ParseRequest {
  std::string file;  // A path, or "-" for standard input.
  FeedOutput to = FeedOutput::kJsonFeed;
  std::string base_url;
  std::string content_type;
};

// Checks the arguments of `parse`. InvalidArgument (a usage error, one line) for an unknown
// --to, a --base-url that is not http(s), or a URL as FILE (fetching comes in a later version).
Result<ParseRequest> MakeParseRequest(const CommandLine& line);

// Reads the feed (at most config.poller.max_body_bytes + 1 bytes, so the parser can refuse an
// oversized one), parses it and writes it in the requested format. Returns kExitOk,
// kExitNoInput (unreadable file), kExitDataError (not a feed, over a limit), kExitSoftware
// (any other parser failure) or kExitIoError (the output could not be written).
int RunParse(const ParseRequest& request, const config::Config& config, Io& io);

// `feedbridge config --example | --print`. Which one is asked. Plain value.
enum class ConfigOutput { kExample, kEffective };

// InvalidArgument unless exactly one of --example and --print is given.
Result<ConfigOutput> MakeConfigRequest(const CommandLine& line);

// Writes the example file (config::ExampleIni) or `config` in INI form.
int RunConfig(ConfigOutput what, const config::Config& config, Io& io);

// `feedbridge feeds ACTION [ARG] [--nickname NICK]`: add, list, show, remove, import, export.
// Exit codes: 64 usage (unknown action, bad nickname), 65 not a feed / bad OPML, 66 file
// missing, 69 database, Redis or the feed's host unreachable.
int RunFeeds(const CommandLine& line, const config::Config& config, Io& io);

// `feedbridge poll [FEED]`: polls one feed, or every due feed once, and prints the reports.
int RunPoll(const CommandLine& line, const config::Config& config, Io& io);

// `feedbridge status`: feeds and their health, schedule backlog, outbox, queues.
int RunStatus(const CommandLine& line, const config::Config& config, Io& io);

// `feedbridge deliveries dead [--retry ID | --drop ID]`: the dead letters of the deliveries
// queue, or one put back or deleted. Exit codes: 64 usage, 66 no such dead letter, 69 Redis
// unreachable.
int RunDeliveries(const CommandLine& line, const config::Config& config, Io& io);

// `feedbridge subscribers [FEED]`: who follows blog FEED (id, nickname or URL), or every blog
// that has followers: each subscriber's profile, endpoints and what the publisher saw of them
// (ok, failing since, never tried). Exit codes: 66 no such blog, 69 database unreachable.
int RunSubscribers(const CommandLine& line, const config::Config& config, Io& io);

// `feedbridge serve [--roles LIST]`: runs the roles until SIGINT or SIGTERM.
int RunServe(const CommandLine& line, const config::Config& config, Io& io);

}  // namespace feedbridge::app
