#pragma once

// The composition root (STYLE.md §6.4): the only place that names concrete implementations. It
// owns every long-lived object, builds them in dependency order and destroys them in reverse.

#include <memory>
#include <optional>

#include "common/clock.h"
#include "common/random.h"
#include "common/result.h"
#include "config/config.h"
#include "http/http_client.h"
#include "poller/poller.h"
#include "publisher/delivery_engine.h"
#include "publisher/omb_adapter.h"
#include "publisher/publisher.h"
#include "queue/delivery_queue.h"
#include "queue/notice_queue.h"
#include "queue/poll_schedule.h"
#include "queue/queue_inspector.h"
#include "store/database.h"

namespace feedbridge::queue {
class RedisConnection;
class RedisNoticeQueue;
class RedisServerProcess;
template <class Stream>
class StreamDeliveryQueue;
class RedisStreamQueue;
}  // namespace feedbridge::queue

namespace feedbridge::http {
struct PocoHttpClientOptions;
}  // namespace feedbridge::http

namespace feedbridge::listener {
class SubscribeHandlers;
}  // namespace feedbridge::listener

namespace feedbridge::web {
class FeedHandlers;
class PageHandlers;
class Router;
class WebServer;
}  // namespace feedbridge::web

namespace feedbridge::app {

// What a command needs; the rest is not opened (no Redis for `feeds list`).
struct Needs {
  bool database = true;
  bool redis = false;
  bool http = false;
  bool poller = false;     // Implies all of the above.
  bool publisher = false;  // Implies the database and Redis.
  bool web = false;        // The HTTP server (pages, mirror feeds); implies the database.
};

// What the services run on. A null member means the real one: the system clock, the system's
// randomness, a PocoHttpClient per role configured from that role's section. Tests set what they
// fake and run the real wiring for the rest. Borrowed: what is set must outlive the Services.
struct Environment {
  Clock* clock = nullptr;
  Random* random = nullptr;
  http::HttpClient* poller_http = nullptr;     // Fetches feeds (the poller, feeds add, parse).
  http::HttpClient* publisher_http = nullptr;  // Delivers to remote subscribers.
  http::HttpClient* listener_http = nullptr;   // Discovers subscribers (the web role's flow).
};

// The poller role's HTTP client options, from [poller] (server.base_url names the bridge in the
// default User-Agent). Each role that sends requests gets its own client and options.
http::PocoHttpClientOptions PollerHttpClientOptions(const config::Config& config);
// The publisher role's, from [publisher].
http::PocoHttpClientOptions PublisherHttpClientOptions(const config::Config& config);
// The web role's remote-subscribe flow (the listener module): it reaches the same peers the
// publisher delivers to, so private networks are allowed exactly when [publisher] allows them.
http::PocoHttpClientOptions ListenerHttpClientOptions(const config::Config& config);

// Not thread-safe to build or destroy; the services it hands out are thread-safe.
class Services {
 public:
  // Opens what `needs` asks for. With no [redis] url and autostart on, uses the private
  // redis-server in DATA/redis (started here if it is not running: then it stops with this
  // object). Errors: Unavailable (database or Redis unreachable), InvalidArgument (bad URL).
  static Result<std::unique_ptr<Services>> Open(const config::Config& config, Needs needs,
                                                Environment env = {});
  ~Services();
  Services(const Services&) = delete;
  Services& operator=(const Services&) = delete;

  Clock& clock() { return *clock_; }
  store::Database& database() { return *database_; }
  queue::NoticeQueue& notice_queue();
  queue::PollSchedule& schedule() { return *schedule_; }
  // The poller role's client (Needs.http).
  http::HttpClient& poller_http() { return *poller_http_; }
  poller::Poller& poller() { return *poller_; }
  // The publisher role (Needs.publisher): Start/Stop its threads; the engine for one-off steps.
  publisher::Publisher& publisher() { return *publisher_; }
  publisher::DeliveryEngine& delivery_engine() { return *delivery_engine_; }
  // The deliveries queue and its figures and dead letters (Needs.redis).
  queue::DeliveryQueue& delivery_queue();
  queue::DeliveryInspector& delivery_inspector();
  // The port the web server listens on (Needs.web).
  uint16_t web_port() const;
  // Notice queue figures for `status`; nullptr when Redis is not open.
  queue::QueueInspector* notice_queue_inspector();
  // "private redis-server at unix:data/redis/redis.sock (started by this process)" etc.
  const std::string& redis_description() const { return redis_description_; }

 private:
  Services(const config::Config& config, const Environment& env);

  const config::Config config_;
  SystemClock system_clock_;
  SystemRandom system_random_;
  Clock* const clock_;    // env.clock or system_clock_.
  Random* const random_;  // env.random or system_random_.
  std::unique_ptr<store::Database> database_;
  std::unique_ptr<queue::RedisServerProcess> redis_process_;  // Only when we started it.
  std::unique_ptr<queue::RedisConnection> redis_;
  std::unique_ptr<queue::RedisNoticeQueue> notice_queue_;
  std::unique_ptr<queue::StreamDeliveryQueue<queue::RedisStreamQueue>> delivery_queue_;
  std::unique_ptr<queue::PollSchedule> schedule_;
  std::unique_ptr<http::HttpClient> owned_poller_http_;  // Unless env.poller_http is set.
  http::HttpClient* poller_http_ = nullptr;
  std::unique_ptr<poller::Poller> poller_;
  std::unique_ptr<http::HttpClient> owned_publisher_http_;  // Unless env.publisher_http is set.
  http::HttpClient* publisher_http_ = nullptr;
  std::unique_ptr<publisher::OmbAdapter> omb_adapter_;
  std::unique_ptr<publisher::DeliveryEngine> delivery_engine_;
  std::unique_ptr<publisher::Publisher> publisher_;
  std::unique_ptr<web::Router> router_;
  std::unique_ptr<web::FeedHandlers> feed_handlers_;
  std::unique_ptr<web::PageHandlers> page_handlers_;
  std::unique_ptr<http::HttpClient> owned_listener_http_;  // Unless env.listener_http is set.
  http::HttpClient* listener_http_ = nullptr;
  std::unique_ptr<listener::SubscribeHandlers> subscribe_handlers_;
  std::unique_ptr<web::WebServer> web_server_;  // Declared last: stops first.
  std::string redis_description_;
};

// The directory for embedded state (the SQLite file's directory, the private Redis): "data".
std::string DataDir(const config::Config& config);

}  // namespace feedbridge::app
