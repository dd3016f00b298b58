#include "app/wiring.h"

#include <unistd.h>

#include <filesystem>

#include "app/version.h"
#include "common/log.h"
#include "http/poco_http_client.h"
#include "listener/subscribe_handlers.h"
#include "queue/redis_connection.h"
#include "queue/redis_delivery_queue.h"
#include "queue/redis_notice_queue.h"
#include "queue/redis_poll_schedule.h"
#include "queue/redis_server_process.h"
#include "web/feed_handlers.h"
#include "web/page_handlers.h"
#include "web/router.h"
#include "web/server.h"

namespace feedbridge::app {

std::string DataDir(const config::Config& config) {
  // The SQLite file lives in the data directory; with PostgreSQL, "data" next to the process.
  const std::string& url = config.database.url;
  if (url.starts_with("sqlite:")) {
    std::filesystem::path p(url.substr(7));
    if (p.has_parent_path()) return p.parent_path().string();
  }
  return "data";
}

http::PocoHttpClientOptions PollerHttpClientOptions(const config::Config& config) {
  std::string agent = config.poller.user_agent;
  if (agent.empty()) {
    agent = "feedbridge/" + std::string(kVersion) + " (+" + config.server.base_url + ")";
  }
  return http::PocoHttpClientOptions{
      .user_agent = agent,
      .allow_private_networks = config.poller.allow_private_networks,
      .per_host_concurrency = config.poller.per_host_concurrency,
      .ca_file = config.poller.ca_file,
  };
}

http::PocoHttpClientOptions PublisherHttpClientOptions(const config::Config& config) {
  return http::PocoHttpClientOptions{
      .user_agent = "feedbridge/" + std::string(kVersion) + " (+" + config.server.base_url + ")",
      .allow_private_networks = config.publisher.allow_private_networks,
      .per_host_concurrency = config.publisher.per_host_concurrency,
      .ca_file = config.publisher.ca_file,
  };
}

http::PocoHttpClientOptions ListenerHttpClientOptions(const config::Config& config) {
  return http::PocoHttpClientOptions{
      .user_agent = "feedbridge/" + std::string(kVersion) + " (+" + config.server.base_url + ")",
      .allow_private_networks = config.publisher.allow_private_networks,
      .per_host_concurrency = 2,
      .ca_file = config.publisher.ca_file,
  };
}

namespace {

// This process's consumer name on the streams: another process's must differ, or it could
// acknowledge what this one holds.
std::string ConsumerName(std::string_view role) {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(role) + "@" + (host[0] != '\0' ? host : "localhost") + ":" +
         std::to_string(getpid());
}

}  // namespace

Services::Services(const config::Config& config, const Environment& env)
    : config_(config),
      clock_(env.clock != nullptr ? env.clock : &system_clock_),
      random_(env.random != nullptr ? env.random : &system_random_),
      poller_http_(env.poller_http),
      publisher_http_(env.publisher_http),
      listener_http_(env.listener_http) {}

Services::~Services() {
  // Reverse order of construction: the web server and the poller stop before what they use
  // goes away (in-flight requests finish first).
  if (web_server_) web_server_->Stop();
  web_server_.reset();
  subscribe_handlers_.reset();
  listener_http_ = nullptr;
  owned_listener_http_.reset();
  page_handlers_.reset();
  feed_handlers_.reset();
  router_.reset();
  if (publisher_) publisher_->Stop();
  publisher_.reset();
  delivery_engine_.reset();
  omb_adapter_.reset();
  publisher_http_ = nullptr;
  owned_publisher_http_.reset();
  if (poller_) poller_->Stop();
  poller_.reset();
  poller_http_ = nullptr;
  owned_poller_http_.reset();
  schedule_.reset();
  delivery_queue_.reset();
  notice_queue_.reset();
  redis_.reset();
  if (redis_process_) redis_process_->Stop();
  redis_process_.reset();
  database_.reset();
}

queue::NoticeQueue& Services::notice_queue() { return *notice_queue_; }

queue::QueueInspector* Services::notice_queue_inspector() { return notice_queue_.get(); }

queue::DeliveryQueue& Services::delivery_queue() { return *delivery_queue_; }

queue::DeliveryInspector& Services::delivery_inspector() { return *delivery_queue_; }

uint16_t Services::web_port() const { return web_server_ ? web_server_->port() : 0; }

Result<std::unique_ptr<Services>> Services::Open(const config::Config& config, Needs needs,
                                                 Environment env) {
  if (needs.poller) needs.database = needs.redis = needs.http = true;
  if (needs.publisher) needs.database = needs.redis = true;
  if (needs.web) needs.database = true;
  std::unique_ptr<Services> s(new Services(config, env));  // new: the constructor is private.

  if (needs.database) {
    Result<std::unique_ptr<store::Database>> db =
        store::OpenDatabase(config.database.url, *s->clock_);
    if (!db.ok()) return db.status();
    s->database_ = std::move(db).value();
  }

  if (needs.redis) {
    std::string url = config.redis.url;
    if (url.empty()) {
      if (!config.redis.autostart) {
        return Status::InvalidArgument(
            "redis: no [redis] url configured and autostart is off: nothing to connect to");
      }
      // The embedded default: one private redis-server per data directory. Another feedbridge
      // process (serve) may already run it; then we use it.
      const std::filesystem::path dir = std::filesystem::path(DataDir(config)) / "redis";
      url = "unix:" + (dir / "redis.sock").string();
      Result<std::unique_ptr<queue::RedisConnection>> probe =
          queue::RedisConnection::Open({.url = url, .connect_timeout = std::chrono::seconds(1)});
      if (probe.ok() && (*probe)->Ping().ok()) {
        s->redis_description_ = "private redis-server at " + url + " (already running)";
      } else {
        Result<std::unique_ptr<queue::RedisServerProcess>> process =
            queue::RedisServerProcess::Start({.dir = dir});
        if (!process.ok()) return process.status().WithContext("redis: private redis-server");
        s->redis_process_ = std::move(process).value();
        url = s->redis_process_->url();
        s->redis_description_ = "private redis-server at " + url + " (started by this process)";
      }
    } else {
      s->redis_description_ = "redis at " + url;
    }
    Result<std::unique_ptr<queue::RedisConnection>> redis =
        queue::RedisConnection::Open({.url = url});
    if (!redis.ok()) return redis.status();
    s->redis_ = std::move(redis).value();
    if (Status ping = s->redis_->Ping(); !ping.ok()) return ping;
    s->notice_queue_ = std::make_unique<queue::RedisNoticeQueue>(*s->redis_, config.redis.prefix);
    s->schedule_ = std::make_unique<queue::RedisPollSchedule>(*s->redis_, config.redis.prefix);
    s->delivery_queue_ = queue::MakeRedisDeliveryQueue(*s->redis_, config.redis.prefix, *s->clock_);
  }

  if (needs.http && s->poller_http_ == nullptr) {
    s->owned_poller_http_ = std::make_unique<http::PocoHttpClient>(PollerHttpClientOptions(config));
    s->poller_http_ = s->owned_poller_http_.get();
  }

  if (needs.poller) {
    s->poller_ = std::make_unique<poller::Poller>(config.poller, config.omb, config.server.base_url,
                                                  poller::PollerDependencies{
                                                      .feeds = s->database_->feeds(),
                                                      .entries = s->database_->entries(),
                                                      .notices = s->database_->notices(),
                                                      .queue = *s->notice_queue_,
                                                      .schedule = *s->schedule_,
                                                      .http = *s->poller_http_,
                                                      .clock = *s->clock_,
                                                      .random = *s->random_,
                                                      .log = ModuleLogger("poller"),
                                                      .profiles = &s->database_->profiles(),
                                                  });
  }
  if (needs.publisher) {
    if (s->publisher_http_ == nullptr) {
      s->owned_publisher_http_ =
          std::make_unique<http::PocoHttpClient>(PublisherHttpClientOptions(config));
      s->publisher_http_ = s->owned_publisher_http_.get();
    }
    publisher::EngineOptions engine_options;
    engine_options.consumer = ConsumerName("publisher");
    engine_options.max_per_host = config.publisher.per_host_concurrency;
    // A claim outlives the slowest attempt before another publisher may take it over.
    engine_options.stale_after = std::chrono::duration_cast<std::chrono::milliseconds>(
        config.publisher.timeout * 2 + std::chrono::seconds(30));
    // One adapter per protocol (ActivityPub's comes next).
    s->omb_adapter_ = std::make_unique<publisher::OmbAdapter>(
        s->database_->subscriptions(), s->database_->notices(), s->database_->profiles(),
        *s->clock_, *s->random_,
        publisher::OmbAdapterOptions{
            .base_url = config.server.base_url,
            .timeout =
                std::chrono::duration_cast<std::chrono::milliseconds>(config.publisher.timeout),
            .max_answer_bytes = config.publisher.max_answer_bytes,
        });
    s->delivery_engine_ = std::make_unique<publisher::DeliveryEngine>(
        publisher::DeliveryEngine::Deps{
            .notices = *s->notice_queue_,
            .deliveries = *s->delivery_queue_,
            .log = s->database_->deliveries(),
            .http = *s->publisher_http_,
            .clock = *s->clock_,
            .random = *s->random_,
            .logger = ModuleLogger("publisher"),
        },
        engine_options, std::vector<publisher::ProtocolAdapter*>{s->omb_adapter_.get()});
    s->publisher_ = std::make_unique<publisher::Publisher>(
        *s->delivery_engine_, publisher::PublisherOptions{.workers = config.publisher.workers},
        ModuleLogger("publisher"));
  }
  if (needs.web) {
    store::Database& db = *s->database_;
    s->router_ = std::make_unique<web::Router>();
    s->feed_handlers_ = std::make_unique<web::FeedHandlers>(
        config.server.base_url, db.entries(), db.notices(), *s->clock_,
        web::FeedHandlersOptions{.cache_bytes = config.server.feed_cache_bytes});
    s->page_handlers_ =
        std::make_unique<web::PageHandlers>(config.server.base_url, db.feeds(), db.entries(),
                                            db.notices(), *s->clock_, &db.subscriptions());
    // The remote-subscribe flow's own client: short timeouts and a small answer cap (a peer is
    // wherever a visitor says it is), the SSRF guard on.
    if (s->listener_http_ == nullptr) {
      s->owned_listener_http_ =
          std::make_unique<http::PocoHttpClient>(ListenerHttpClientOptions(config));
      s->listener_http_ = s->owned_listener_http_.get();
    }
    s->subscribe_handlers_ = std::make_unique<listener::SubscribeHandlers>(
        listener::SubscribeOptions{.base_url = config.server.base_url},
        listener::SubscribeDeps{.feeds = db.feeds(),
                                .subscriptions = db.subscriptions(),
                                .pending = db.pending_subscriptions(),
                                .http = *s->listener_http_,
                                .clock = *s->clock_,
                                .random = *s->random_,
                                .pages = *s->page_handlers_,
                                .log = ModuleLogger("listener")});
    // The listener's literal routes ("/main/remotesubscribe") before the pages' "/{nick}"; the
    // feeds' "/{nick}/feed.atom" and the XRDS's "/{nick}/xrds" have fixed second segments.
    s->subscribe_handlers_->Register(*s->router_);
    s->feed_handlers_->Register(*s->router_);
    s->page_handlers_->Register(*s->router_);
    Result<std::unique_ptr<web::WebServer>> server = web::WebServer::Start(
        config.server, *s->router_, ModuleLogger("access"), s->page_handlers_.get());
    if (!server.ok()) return server.status().WithContext("web: " + config.server.listen);
    s->web_server_ = std::move(server).value();
  }
  return s;
}

}  // namespace feedbridge::app
