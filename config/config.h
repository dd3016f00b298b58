#pragma once

// feedbridge's configuration: a tree of plain structs (each component is given only its own
// sub-struct) and the loader that fills it from any POCO configuration, checking every key.
// app/ builds the layers (defaults < INI file < FEEDBRIDGE_* environment < CLI flags).

#include <chrono>
#include <cstddef>
#include <map>
#include <string>

#include "common/log.h"
#include "common/result.h"

namespace Poco::Util {
class AbstractConfiguration;
}

namespace feedbridge::config {

// [server] The HTTP side: profile pages, OMB endpoints, feeds.
struct ServerOptions {
  std::string base_url = "http://localhost:8080/";  // Public URL; always ends with '/'.
  std::string listen = "127.0.0.1:8080";            // HOST:PORT the HTTP server binds.
  int workers = 16;                                 // Request-handling threads.
  int max_queued = 64;                              // Accepted connections waiting for a thread.
  size_t max_body_bytes = 1u << 20;                 // Largest request body accepted (413 above).
  size_t max_header_bytes = 16u << 10;              // Largest request header block accepted.
  // Whole time a client may take to send one request (line, headers and body), from its first
  // byte (from the connection for the first request). Past it the connection is cut (408): a
  // client trickling bytes (slowloris) holds a worker this long at most.
  std::chrono::seconds request_timeout{20};
  size_t feed_cache_bytes = 64u << 20;  // Rendered mirror documents kept in memory; 0: none.
};

// [database]
struct DatabaseOptions {
  std::string url = "sqlite:data/feedbridge.db";  // sqlite:PATH or postgresql://...
};

// [redis]
struct RedisOptions {
  std::string url;  // redis://HOST:PORT[/DB] or unix:PATH; empty: a private redis-server.
  std::string prefix = "fb:";  // Prefix of every key feedbridge writes.
  bool autostart = true;       // Start a private redis-server when url is empty.
};

// [poller] Fetching and scheduling the bridged feeds.
struct PollerOptions {
  std::chrono::seconds interval_min{300};    // Shortest time between two polls of a feed.
  std::chrono::seconds interval_max{86400};  // Longest time between two polls of a feed.
  std::chrono::seconds fetch_timeout{20};    // Whole-request timeout for one feed fetch.
  size_t max_body_bytes = 15u << 20;         // Largest feed accepted (also after decompression).
  int max_redirects = 5;                     // Redirects followed per fetch.
  int per_host_concurrency = 2;              // Requests at once to one host.
  bool allow_private_networks = false;       // Fetch from loopback and private addresses.
  std::string user_agent;                    // Empty: "feedbridge/VERSION (+BASE_URL)".
  int workers = 4;                           // Poller threads per process.
  // Feed bodies one poller thread holds in memory at once, at most: the exchanges of its batch in
  // flight together (the HTTP client's max_exchanges_per_batch).
  static constexpr int kBodiesPerWorker = 16;
  // What the feed bodies in flight may take together, at most: workers x kBodiesPerWorker x
  // max_body_bytes must stay within it (checked when the configuration loads), so that every
  // worker busy on a gzip bomb still leaves a 2-core, 24 GiB machine room to decode and parse.
  static constexpr uint64_t kBodyMemoryBudget = uint64_t{8} << 30;
  // A PEM file of CA certificates trusted for https feeds besides the system store (a feed on an
  // internal CA). Empty: the system store only.
  std::string ca_file;
};

// [publisher] Delivering notices to remote subscribers.
struct PublisherOptions {
  int workers = 8;                      // Delivery threads per process.
  int per_host_concurrency = 4;         // Deliveries at once to one host.
  std::chrono::seconds timeout{30};     // Whole-request timeout of one delivery.
  size_t max_answer_bytes = 64u << 10;  // Largest answer read from a peer.
  bool allow_private_networks = false;  // Deliver to loopback and private addresses.
  std::string ca_file;                  // Extra CA certificates for https peers.
};

// [omb] OpenMicroBlogging.
struct OmbOptions {
  std::string notice_template = "{title} {url}";  // Notice text; fitted into 140 characters.
};

// The whole configuration. Plain value: copy it, change a field in a test; once loaded it is
// not changed, so threads may share it read-only (as every *Options struct above).
struct Config {
  ServerOptions server;
  DatabaseOptions database;
  RedisOptions redis;
  PollerOptions poller;
  PublisherOptions publisher;
  OmbOptions omb;
  LogOptions log;  // [log] level, format, file (common/log.h).
};

// Reads and checks every option of the table from `source` ("poller.fetch_timeout"); a missing
// key keeps its default. Also reports keys of known sections that are not options, sections that
// are not known (POCO's own "application" and "system" excepted) and inconsistent pairs
// (interval_min above interval_max). On any problem: InvalidArgument whose message has one line
// per problem, all of them, e.g. "config: poller.fetch_timeout: 'abc' is not a duration".
Result<Config> Load(const Poco::Util::AbstractConfiguration& source);

// The defaults of the table: "section.key" -> default text (the lowest configuration layer).
std::map<std::string, std::string> DefaultValues();

// The overrides found in an environment: FEEDBRIDGE_POLLER_FETCH_TIMEOUT=30 gives
// "poller.fetch_timeout" -> "30" (section and key lower-cased; the section is the text up to the
// first '_' after the prefix, since no section name has one). Variables without a key part are
// ignored; unknown names are passed on, so Load reports them. Pure.
std::map<std::string, std::string> EnvironmentOverrides(
    const std::map<std::string, std::string>& environment);

// The example configuration file (config/feedbridge.ini): every option with its help and its
// default, ready to edit.
std::string ExampleIni();

// The effective configuration in INI form.
std::string EffectiveIni(const Config& config);

}  // namespace feedbridge::config
