// PocoHttpClient::SendEach beyond what one request shows (poco_http_client_test runs every
// plain-http case through it too): many requests at once, per-host limits, connection reuse,
// "not sent", stopping, mixed schemes, redirects, and raw peers with odd answers.
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "http/poco_http_client.h"
#include "tests/http/test_resolvers.h"
#include "tests/support/http_test_server.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_certificates.h"

namespace feedbridge::http {
namespace {

using feedbridge::testing::HttpTestServer;
using feedbridge::testing::StatusIs;
using feedbridge::testing::TestCertificates;
using std::chrono::milliseconds;
using ::testing::HasSubstr;
using Code = Status::Code;
using SteadyClock = std::chrono::steady_clock;

PocoHttpClientOptions Loopback(int per_host = 2) {
  PocoHttpClientOptions o;
  o.user_agent = "feedbridge-test/1.0";
  o.allow_private_networks = true;
  o.per_host_concurrency = per_host;
  return o;
}

// Every result of one SendEach, by index, and the order they came in.
struct Outcome {
  std::vector<std::optional<SendResult>> results;  // Of the requests sent.
  std::vector<std::optional<NotSent>> not_sent;    // Of the others.
  std::vector<size_t> order;
  int calls = 0;
};

Outcome RunEach(HttpClient& client, const std::vector<HttpRequest>& requests,
                SteadyClock::time_point start_by = SteadyClock::now() + std::chrono::hours(1),
                std::function<bool(size_t)> go_on = nullptr) {
  Outcome out;
  out.results.resize(requests.size());
  out.not_sent.resize(requests.size());
  client.SendEach(requests, start_by, [&](size_t i, EachResult r) {
    ++out.calls;
    EXPECT_LT(i, requests.size());
    EXPECT_FALSE(out.results[i].has_value() || out.not_sent[i].has_value())
        << "reported twice: " << i;
    if (auto* sent = std::get_if<SendResult>(&r)) {
      out.results[i] = std::move(*sent);
    } else {
      out.not_sent[i] = std::get<NotSent>(std::move(r));
    }
    out.order.push_back(i);
    return go_on ? go_on(i) : true;
  });
  return out;
}

std::vector<HttpRequest> Gets(const HttpTestServer& server, std::string_view path, int n) {
  std::vector<HttpRequest> requests;
  for (int i = 0; i < n; ++i) {
    HttpRequest r;
    r.url = server.Url(std::string(path) + "?n=" + std::to_string(i));
    r.timeout = std::chrono::seconds(10);
    requests.push_back(r);
  }
  return requests;
}

TEST(SendEachTest, EveryRequestIsAnsweredWithItsOwnResponse) {
  HttpTestServer server;
  server.Route("/echo", [](const auto& req, auto& resp) {
    resp.SetHeader("ETag", "\"" + req.query + "\"");
    if (req.query == "n=3") {
      resp.SetStatus(304);
      return;
    }
    resp.SetBody("body of " + req.query);
  });
  PocoHttpClient client(Loopback(4));
  std::vector<HttpRequest> requests = Gets(server, "/echo", 12);
  requests[5].headers.push_back({"If-None-Match", "\"n=5\""});
  const Outcome out = RunEach(client, requests);
  ASSERT_EQ(out.calls, 12);
  for (int i = 0; i < 12; ++i) {
    const auto& r = *out.results[static_cast<size_t>(i)];
    ASSERT_OK(r);
    const std::string q = "n=" + std::to_string(i);
    EXPECT_EQ(r->Find("ETag"), "\"" + q + "\"");
    EXPECT_EQ(r->final_url, requests[static_cast<size_t>(i)].url);
    if (i == 3) {
      EXPECT_EQ(r->status, 304);
      EXPECT_EQ(r->body, "");
    } else {
      EXPECT_EQ(r->status, 200);
      EXPECT_EQ(r->body, "body of " + q);
    }
  }
  const auto fifth = server.LastRequest("/echo");
  ASSERT_TRUE(fifth.has_value());
  EXPECT_EQ(fifth->Header("User-Agent"), "feedbridge-test/1.0");
  EXPECT_EQ(fifth->Header("Accept-Encoding"), "gzip, deflate");
}

TEST(SendEachTest, RequestsRunAtOnceUpToThePerHostLimit) {
  HttpTestServer server;
  server.Route("/slow", [](const auto&, auto& resp) {
    resp.Hang(milliseconds(150));
    resp.SetBody("ok");
  });
  PocoHttpClient client(Loopback(3));
  const Outcome out = RunEach(client, Gets(server, "/slow", 9));
  for (const auto& r : out.results) ASSERT_OK(*r);
  EXPECT_EQ(server.RequestCount("/slow"), 9);
  EXPECT_EQ(server.MaxConcurrentRequests(), 3);
  // Three connections, each carrying three exchanges one after another.
  EXPECT_EQ(server.ConnectionCount(), 3);
}

TEST(SendEachTest, EachHostHasItsOwnLimit) {
  HttpTestServer server;
  server.Route("/slow", [](const auto&, auto& resp) {
    resp.Hang(milliseconds(150));
    resp.SetBody("ok");
  });
  PocoHttpClientOptions o = Loopback(1);
  o.resolver = std::make_shared<TableResolver>(std::map<std::string, std::vector<std::string>>{
      {"a.test", {"127.0.0.1"}}, {"b.test", {"127.0.0.1"}}});
  PocoHttpClient client(o);
  std::vector<HttpRequest> requests;
  for (const char* host : {"a.test", "b.test", "a.test", "b.test"}) {
    HttpRequest r;
    r.url = "http://" + std::string(host) + ":" + std::to_string(server.port()) + "/slow";
    r.timeout = std::chrono::seconds(10);
    requests.push_back(r);
  }
  const Outcome out = RunEach(client, requests);
  for (const auto& r : out.results) ASSERT_OK(*r);
  EXPECT_EQ(server.MaxConcurrentRequests(), 2);  // One per host.
  const auto last = server.LastRequest("/slow");
  ASSERT_TRUE(last.has_value());
  EXPECT_THAT(last->Header("Host"), HasSubstr(".test:" + std::to_string(server.port())));
}

TEST(SendEachTest, ConnectionsAreKeptForTheNextCallAndShared) {
  HttpTestServer server;
  server.Route("/feed", [](const auto&, auto& resp) { resp.SetBody("x"); });
  PocoHttpClient client(Loopback(2));
  RunEach(client, Gets(server, "/feed", 6));
  RunEach(client, Gets(server, "/feed", 6));
  EXPECT_EQ(server.RequestCount("/feed"), 12);
  EXPECT_EQ(server.ConnectionCount(), 2);
}

TEST(SendEachTest, NothingIsSentPastStartBy) {
  HttpTestServer server;
  server.Route("/feed", [](const auto&, auto& resp) { resp.SetBody("x"); });
  PocoHttpClient client(Loopback(2));
  std::vector<HttpRequest> requests = Gets(server, "/feed", 3);
  HttpRequest tls;
  tls.url = "https://127.0.0.1:1/feed";
  requests.push_back(tls);
  const Outcome out = RunEach(client, requests, SteadyClock::now());
  ASSERT_EQ(out.calls, 4);
  for (const auto& n : out.not_sent) {
    ASSERT_TRUE(n.has_value());
    EXPECT_THAT(n->reason, HasSubstr("not sent"));
  }
  EXPECT_EQ(server.RequestCount("/feed"), 0);
}

TEST(SendEachTest, ReturningFalseStartsNoMore) {
  HttpTestServer server;
  server.Route("/feed", [](const auto&, auto& resp) { resp.SetBody("x"); });
  PocoHttpClient client(Loopback(1));
  const Outcome out =
      RunEach(client, Gets(server, "/feed", 5), SteadyClock::now() + std::chrono::hours(1),
              [](size_t) { return false; });
  ASSERT_EQ(out.calls, 5);
  int sent = 0;
  for (size_t i = 0; i < out.results.size(); ++i) {
    if (out.results[i].has_value()) {
      EXPECT_OK(*out.results[i]);
      ++sent;
    } else {
      ASSERT_TRUE(out.not_sent[i].has_value());
      EXPECT_THAT(out.not_sent[i]->reason, HasSubstr("stopped"));
    }
  }
  EXPECT_EQ(sent, 1);
  EXPECT_EQ(server.RequestCount("/feed"), 1);
}

TEST(SendEachTest, RedirectsAreFollowedFromTheFirstAnswer) {
  HttpTestServer server;
  server.Route("/old", [&](const auto&, auto& resp) {
    resp.SetStatus(301);
    resp.SetHeader("Location", "/new");
  });
  server.Route("/new", [](const auto&, auto& resp) { resp.SetBody("moved here"); });
  PocoHttpClient client(Loopback());
  HttpRequest r;
  r.url = server.Url("/old");
  const Outcome out = RunEach(client, {r});
  const auto& got = *out.results[0];
  ASSERT_OK(got);
  EXPECT_EQ(got->body, "moved here");
  EXPECT_EQ(got->final_url, server.Url("/new"));
  EXPECT_TRUE(got->MovedPermanently());
  EXPECT_EQ(server.RequestCount("/old"), 1);  // Asked once, not again by the blocking path.
}

TEST(SendEachTest, HttpsGoesThroughTheBlockingPathAfterThePlainRequests) {
  TestCertificates certs;
  HttpTestServer tls_server(
      HttpTestServer::TlsFiles{certs.server_cert_file(), certs.server_key_file()});
  tls_server.Route("/feed", [](const auto&, auto& resp) { resp.SetBody("secure"); });
  HttpTestServer server;
  server.Route("/feed", [](const auto& req, auto& resp) { resp.SetBody(req.method + req.body); });
  PocoHttpClientOptions o = Loopback();
  o.ca_file = certs.ca_file().string();
  PocoHttpClient client(o);
  std::vector<HttpRequest> requests(3);
  requests[0].url = tls_server.Url("/feed");
  requests[1].url = server.Url("/feed");
  requests[2].url = server.Url("/feed");
  requests[2].method = "POST";
  requests[2].body = "a=b";
  const Outcome out = RunEach(client, requests);
  ASSERT_OK(*out.results[0]);
  EXPECT_EQ((*out.results[0])->body, "secure");
  ASSERT_OK(*out.results[1]);
  EXPECT_EQ((*out.results[1])->body, "GET");
  ASSERT_OK(*out.results[2]);
  EXPECT_EQ((*out.results[2])->body, "POSTa=b");
  // The plain GET and POST ended first: the blocking one runs after the multiplexer's.
  EXPECT_EQ(out.order.back(), 0u);
}

TEST(SendEachTest, PostsRunAtOnceUpToThePerHostLimitEachWithItsBody) {
  HttpTestServer server;
  server.Route("/inbox", [](const auto& req, auto& resp) {
    resp.Hang(milliseconds(150));
    resp.SetBody(req.method + " " + req.Header("Content-Type") + " " +
                 req.Header("Content-Length") + " " + req.body);
  });
  PocoHttpClient client(Loopback(3));
  std::vector<HttpRequest> requests;
  for (int i = 0; i < 9; ++i) {
    HttpRequest r;
    r.method = "POST";
    r.url = server.Url("/inbox?n=" + std::to_string(i));
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    r.body = "notice=" + std::string(static_cast<size_t>(i) * 1000, 'x');  // Up to 8 KB.
    r.timeout = std::chrono::seconds(10);
    requests.push_back(r);
  }
  const Outcome out = RunEach(client, requests);
  for (size_t i = 0; i < requests.size(); ++i) {
    ASSERT_OK(*out.results[i]);
    EXPECT_EQ((*out.results[i])->body, "POST application/x-www-form-urlencoded " +
                                           std::to_string(requests[i].body.size()) + " " +
                                           requests[i].body);
  }
  // At once, on the multiplexer: three connections, each carrying three exchanges.
  EXPECT_EQ(server.MaxConcurrentRequests(), 3);
  EXPECT_EQ(server.ConnectionCount(), 3);
}

TEST(SendEachTest, APostBodyLargerThanTheSocketBuffersIsSentWhole) {
  HttpTestServer server;
  server.Route("/inbox", [](const auto& req, auto& resp) {
    resp.SetBody(std::to_string(req.body.size()) + " " + req.body.substr(req.body.size() - 4));
  });
  PocoHttpClient client(Loopback());
  HttpRequest r;
  r.method = "POST";
  r.url = server.Url("/inbox");
  r.body = std::string(8 << 20, 'x') + "tail";  // 8 MiB: many partial sends.
  r.timeout = std::chrono::seconds(30);
  const Outcome out = RunEach(client, {r, r});
  for (const auto& got : out.results) {
    ASSERT_OK(*got);
    EXPECT_EQ((*got)->body, std::to_string(r.body.size()) + " tail");
  }
}

TEST(SendEachTest, AnEmptyPostSaysContentLengthZero) {
  HttpTestServer server;
  server.Route("/inbox", [](const auto& req, auto& resp) {
    resp.SetBody(req.method + " [" + req.Header("Content-Length") + "]");
  });
  PocoHttpClient client(Loopback());
  HttpRequest r;
  r.method = "POST";
  r.url = server.Url("/inbox");
  const Outcome out = RunEach(client, {r});
  ASSERT_OK(*out.results[0]);
  EXPECT_EQ((*out.results[0])->body, "POST [0]");
}

TEST(SendEachTest, BlockingPathRunsFourAtOnceAndReportsOnTheCallingThread) {
  TestCertificates certs;
  HttpTestServer tls_server(
      HttpTestServer::TlsFiles{certs.server_cert_file(), certs.server_key_file()});
  tls_server.Route("/slow", [](const auto&, auto& resp) {
    resp.Hang(milliseconds(200));
    resp.SetBody("secure");
  });
  PocoHttpClientOptions o = Loopback(8);
  o.ca_file = certs.ca_file().string();
  PocoHttpClient client(o);
  std::vector<HttpRequest> requests = Gets(tls_server, "/slow", 8);
  const auto caller = std::this_thread::get_id();
  int calls = 0;
  client.SendEach(requests, SteadyClock::now() + std::chrono::hours(1), [&](size_t, EachResult r) {
    EXPECT_EQ(std::this_thread::get_id(), caller);
    const auto* sent = std::get_if<SendResult>(&r);
    EXPECT_TRUE(sent != nullptr && sent->ok());
    ++calls;
    return true;
  });
  EXPECT_EQ(calls, 8);
  EXPECT_EQ(tls_server.RequestCount("/slow"), 8);
  EXPECT_EQ(tls_server.MaxConcurrentRequests(), 4);
}

TEST(SendEachTest, BlockingPathStopsStartingWhenTold) {
  TestCertificates certs;
  HttpTestServer tls_server(
      HttpTestServer::TlsFiles{certs.server_cert_file(), certs.server_key_file()});
  tls_server.Route("/feed", [](const auto&, auto& resp) { resp.SetBody("secure"); });
  PocoHttpClientOptions o = Loopback(1);  // One at a time on this host.
  o.ca_file = certs.ca_file().string();
  PocoHttpClient client(o);
  const Outcome out =
      RunEach(client, Gets(tls_server, "/feed", 10), SteadyClock::now() + std::chrono::hours(1),
              [](size_t) { return false; });
  ASSERT_EQ(out.calls, 10);
  int sent = 0;
  for (const auto& r : out.results) {
    if (r.has_value() && r->ok()) ++sent;
  }
  // The helpers that had already started finish; nothing starts after the first answer.
  EXPECT_GE(sent, 1);
  EXPECT_LE(sent, 4);
  EXPECT_EQ(tls_server.RequestCount("/feed"), sent);
}

TEST(SendEachTest, FailuresAreReportedPerRequest) {
  HttpTestServer server;
  server.Route("/ok", [](const auto&, auto& resp) { resp.SetBody("fine"); });
  server.Route("/big", [](const auto&, auto& resp) { resp.SetBody(std::string(5000, 'x')); });
  server.Route("/slow", [](const auto&, auto& resp) {
    resp.Hang(milliseconds(3000));
    resp.SetBody("late");
  });
  PocoHttpClient client(Loopback(4));
  std::vector<HttpRequest> requests(5);
  requests[0].url = server.Url("/ok");
  requests[1].url = server.Url("/big");
  requests[1].max_body_bytes = 1000;
  requests[2].url = server.Url("/slow");
  requests[2].timeout = milliseconds(300);
  requests[3].url = "http://127.0.0.1:1/refused";
  requests[4].url = "ftp://127.0.0.1/x";
  const Outcome out = RunEach(client, requests);
  ASSERT_EQ(out.calls, 5);
  EXPECT_OK(*out.results[0]);
  EXPECT_THAT(*out.results[1], StatusIs(Code::kResourceExhausted, HasSubstr("/big")));
  EXPECT_THAT(*out.results[2],
              StatusIs(Code::kDeadlineExceeded,
                       HasSubstr("timed out waiting for the response headers (300 ms")));
  EXPECT_THAT(*out.results[3], StatusIs(Code::kUnavailable, HasSubstr("connection refused")));
  EXPECT_THAT(*out.results[4], StatusIs(Code::kInvalidArgument));
}

TEST(SendEachTest, AHangingResolverDoesNotHoldTheBatchPastStartBy) {
  auto dns = std::make_shared<HangingResolver>();
  PocoHttpClientOptions o = Loopback();
  o.resolver = dns;
  PocoHttpClient client(o);
  std::vector<HttpRequest> requests(5);
  for (size_t i = 0; i < requests.size(); ++i) {
    requests[i].url = "http://host" + std::to_string(i) + ".test/feed";
    requests[i].timeout = milliseconds(300);
  }
  const Outcome out = RunEach(client, requests, SteadyClock::now() + milliseconds(500));
  dns->Release();
  ASSERT_EQ(out.calls, 5);
  // Each lookup waits its request's timeout; past start_by the rest are not even looked up.
  EXPECT_THAT(*out.results[0], StatusIs(Code::kDeadlineExceeded, HasSubstr("DNS")));
  ASSERT_TRUE(out.not_sent[4].has_value());
  EXPECT_THAT(out.not_sent[4]->reason, HasSubstr("not sent"));
}

TEST(SendEachTest, PrivateAddressesAreRefusedBeforeAnythingIsSent) {
  HttpTestServer server;
  PocoHttpClientOptions o = Loopback();
  o.allow_private_networks = false;
  PocoHttpClient client(o);
  const Outcome out = RunEach(client, Gets(server, "/feed", 2));
  for (const auto& r : out.results) EXPECT_THAT(*r, StatusIs(Code::kPermissionDenied));
  EXPECT_EQ(server.ConnectionCount(), 0);
}

// A raw TCP peer on 127.0.0.1: runs `serve` for each connection (on its own thread), with the
// connection's number (0, 1, ...). For answers no HTTP server library would give.
class RawPeer {
 public:
  using Serve = std::function<void(Poco::Net::StreamSocket&, int)>;
  explicit RawPeer(Serve serve)
      : serve_(std::move(serve)), listener_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    thread_ = std::thread([this] { Accept(); });
  }
  ~RawPeer() {
    stopping_ = true;
    thread_.join();
    for (std::thread& t : connections_) t.join();
  }
  RawPeer(const RawPeer&) = delete;
  RawPeer& operator=(const RawPeer&) = delete;

  std::string Url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(listener_.address().port()) + std::string(path);
  }
  int connections() const { return accepted_.load(); }

  // Reads one request head (up to the empty line); false if the client closed first.
  static bool ReadRequest(Poco::Net::StreamSocket& s) {
    std::string head;
    char c;
    while (head.find("\r\n\r\n") == std::string::npos) {
      if (s.receiveBytes(&c, 1) != 1) return false;
      head += c;
    }
    return true;
  }
  static void Write(Poco::Net::StreamSocket& s, std::string_view bytes) {
    s.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
  }

 private:
  void Accept() {
    while (!stopping_) {
      if (!listener_.poll(Poco::Timespan(0, 50000), Poco::Net::Socket::SELECT_READ)) continue;
      Poco::Net::StreamSocket conn = listener_.acceptConnection();
      const int number = accepted_++;
      connections_.emplace_back([this, conn, number]() mutable {
        try {
          conn.setReceiveTimeout(Poco::Timespan(5, 0));
          serve_(conn, number);
          conn.close();
        } catch (const Poco::Exception&) {
          // The client went away.
        }
      });
    }
  }

  Serve serve_;
  Poco::Net::ServerSocket listener_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::vector<std::thread> connections_;  // Joined in the destructor.
  std::thread thread_;
};

TEST(SendEachTest, KeptConnectionClosedBeforeAnAnswerIsRetriedOnANewOne) {
  // Each connection answers its first request and hangs up on the second without a word, as a
  // server does whose keep-alive ran out just as the request came.
  RawPeer peer([](Poco::Net::StreamSocket& s, int) {
    if (!RawPeer::ReadRequest(s)) return;
    RawPeer::Write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    RawPeer::ReadRequest(s);
  });
  PocoHttpClient client(Loopback(1));
  HttpRequest r;
  r.url = peer.Url("/feed");
  const Outcome out = RunEach(client, {r, r, r});
  for (const auto& got : out.results) {
    ASSERT_OK(*got);
    EXPECT_EQ((*got)->body, "ok");
  }
  EXPECT_EQ(peer.connections(), 3);
}

TEST(SendEachTest, APostOnAKeptConnectionThatFailsIsNotSentAgain) {
  // As above: the server read the second request and hung up. It may have acted on it, so a
  // POST is reported failed (its sender decides), not repeated.
  std::atomic<int> requests{0};
  RawPeer peer([&requests](Poco::Net::StreamSocket& s, int) {
    if (!RawPeer::ReadRequest(s)) return;
    ++requests;
    RawPeer::Write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    if (RawPeer::ReadRequest(s)) ++requests;
  });
  PocoHttpClient client(Loopback(1));
  HttpRequest r;
  r.method = "POST";
  r.url = peer.Url("/inbox");
  const Outcome out = RunEach(client, {r, r, r});
  ASSERT_OK(*out.results[0]);
  EXPECT_THAT(*out.results[1], StatusIs(Code::kUnavailable));
  ASSERT_OK(*out.results[2]);  // On a new connection.
  EXPECT_EQ(peer.connections(), 2);
  EXPECT_EQ(requests.load(), 3);
}

TEST(SendEachTest, OddButValidAnswersAreRead) {
  RawPeer peer([](Poco::Net::StreamSocket& s, int) {
    while (RawPeer::ReadRequest(s)) {
      // An interim answer, a folded field, chunks with an extension and a trailer.
      RawPeer::Write(s,
                     "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n4;x=y\r\n<rss\r\n3\r\n/>\n\r\n0\r\n"
                     "X-Trailer: t\r\n\r\n");
    }
  });
  PocoHttpClient client(Loopback(1));
  HttpRequest r;
  r.url = peer.Url("/feed");
  const Outcome out = RunEach(client, {r, r});
  for (const auto& got : out.results) {
    ASSERT_OK(*got);
    EXPECT_EQ((*got)->body, "<rss/>\n");
    EXPECT_EQ((*got)->Find("X-Folded"), "a b");
  }
  EXPECT_EQ(peer.connections(), 1);
}

TEST(SendEachTest, GarbageAnswersAreUnavailableAndTheConnectionIsDropped) {
  RawPeer peer([](Poco::Net::StreamSocket& s, int n) {
    if (!RawPeer::ReadRequest(s)) return;
    if (n == 0) {
      RawPeer::Write(s, "SSH-2.0-OpenSSH_9.2\r\n\r\n");
    } else {
      RawPeer::Write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA");
      RawPeer::ReadRequest(s);
    }
  });
  PocoHttpClient client(Loopback(1));
  HttpRequest r;
  r.url = peer.Url("/feed");
  const Outcome first = RunEach(client, {r});
  EXPECT_THAT(*first.results[0], StatusIs(Code::kUnavailable, HasSubstr("malformed status line")));
  // Bytes past the answer: the answer stands, the connection is not used again.
  const Outcome second = RunEach(client, {r});
  ASSERT_OK(*second.results[0]);
  EXPECT_EQ((*second.results[0])->body, "ok");
  const Outcome third = RunEach(client, {r});
  ASSERT_OK(*third.results[0]);
  EXPECT_EQ(peer.connections(), 3);
}

}  // namespace
}  // namespace feedbridge::http
