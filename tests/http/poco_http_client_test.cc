#include "http/poco_http_client.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <variant>
#include <vector>

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

// Generous: the tests run on loaded two-core CI machines. Only an upper bound is asserted.
constexpr auto kSlack = std::chrono::seconds(3);

PocoHttpClientOptions LoopbackOptions() {
  PocoHttpClientOptions o;
  o.user_agent = "feedbridge-test/1.0 (+http://example.invalid/)";
  o.allow_private_networks = true;
  return o;
}

// A TCP peer on 127.0.0.1 that answers each connection with `prefix` at once, then `trickle`
// one byte every `interval` (a slowloris server), until the client hangs up or the peer is
// destroyed. It never reads what the client sends. With `tls`, it speaks TLS (the handshake is
// done before the prefix goes out).
class TricklingPeer {
 public:
  TricklingPeer(std::string prefix, std::string trickle, milliseconds interval,
                Poco::Net::Context::Ptr tls = nullptr)
      : prefix_(std::move(prefix)),
        trickle_(std::move(trickle)),
        interval_(interval),
        listener_(tls.isNull() ? Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0))
                               : Poco::Net::SecureServerSocket(
                                     Poco::Net::SocketAddress("127.0.0.1", 0), 64, tls)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~TricklingPeer() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    stop_cv_.notify_all();
    thread_.join();
  }
  TricklingPeer(const TricklingPeer&) = delete;
  TricklingPeer& operator=(const TricklingPeer&) = delete;

  uint16_t port() const { return listener_.address().port(); }

 private:
  bool Stopping() {
    std::lock_guard lock(mu_);
    return stopping_;
  }
  // False once the peer stops.
  bool Pause() {
    std::unique_lock lock(mu_);
    return !stop_cv_.wait_for(lock, interval_, [&] { return stopping_; });
  }
  void Run() {
    while (!Stopping()) {
      try {
        if (!listener_.poll(Poco::Timespan(0, 100000), Poco::Net::Socket::SELECT_READ)) continue;
        Poco::Net::StreamSocket conn = listener_.acceptConnection();
        conn.sendBytes(prefix_.data(), static_cast<int>(prefix_.size()));
        for (char c : trickle_) {
          if (!Pause()) return;
          if (conn.sendBytes(&c, 1) != 1) break;
        }
      } catch (const Poco::Exception&) {
        // The client hung up: wait for the next one.
      }
    }
  }

  const std::string prefix_;
  const std::string trickle_;
  const milliseconds interval_;
  Poco::Net::ServerSocket listener_;
  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // Guarded by mu_.
  std::thread thread_;     // Started last.
};

// Which entry point a test goes through: every plain-http test runs on both, the blocking path
// (Send) and the event-driven one (SendEach, here with one request).
enum class Path { kSend, kSendEach };

std::string PathName(const ::testing::TestParamInfo<Path>& info) {
  return info.param == Path::kSend ? "Send" : "SendEach";
}

SendResult SendOne(PocoHttpClient& client, const HttpRequest& request) {
  std::optional<SendResult> got;
  int calls = 0;
  client.SendEach(std::span<const HttpRequest>(&request, 1),
                  std::chrono::steady_clock::now() + std::chrono::hours(1),
                  [&](size_t index, EachResult result) {
                    EXPECT_EQ(index, 0u);
                    ++calls;
                    EXPECT_TRUE(std::holds_alternative<SendResult>(result));
                    if (auto* sent = std::get_if<SendResult>(&result)) {
                      got = std::move(*sent);
                    }
                    return true;
                  });
  EXPECT_EQ(calls, 1);
  if (!got) return Status::Internal("SendEach reported nothing");
  return std::move(*got);
}

class PocoHttpClientTest : public ::testing::TestWithParam<Path> {
 protected:
  SendResult Fetch(PocoHttpClient& client, const HttpRequest& request) {
    return GetParam() == Path::kSend ? client.Send(request) : SendOne(client, request);
  }

  HttpRequest Get(std::string_view path) {
    HttpRequest r;
    r.url = server_.Url(path);
    r.timeout = std::chrono::seconds(5);
    return r;
  }

  HttpTestServer server_;
  PocoHttpClient client_{LoopbackOptions()};
};

TEST_P(PocoHttpClientTest, ReturnsBodyOf200) {
  server_.Route("/feed", [](const auto&, auto& resp) {
    resp.SetHeader("Content-Type", "application/rss+xml");
    resp.SetBody("<rss/>");
  });
  Result<HttpResponse> r = Fetch(client_, Get("/feed"));
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "<rss/>");
  EXPECT_EQ(r->Find("content-type"), "application/rss+xml");
  EXPECT_EQ(r->final_url, server_.Url("/feed"));
  EXPECT_TRUE(r->redirects.empty());
}

TEST_P(PocoHttpClientTest, NonSuccessStatusIsAResponseNotAnError) {
  Result<HttpResponse> r = Fetch(client_, Get("/nowhere"));
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 404);
}

TEST_P(PocoHttpClientTest, ConditionalGetGets304) {
  server_.Route("/feed", [](const HttpTestServer::Request& req, auto& resp) {
    resp.SetHeader("ETag", "\"v1\"");
    if (req.Header("If-None-Match") == "\"v1\"") {
      resp.SetStatus(304);
    } else {
      resp.SetBody("<rss/>");
    }
  });
  HttpRequest req = Get("/feed");
  req.headers.push_back({"If-None-Match", "\"v1\""});
  Result<HttpResponse> r = Fetch(client_, req);
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 304);
  EXPECT_EQ(r->body, "");
}

TEST_P(PocoHttpClientTest, SendsUserAgentAndAcceptEncoding) {
  server_.Route("/feed", [](const auto&, auto&) {});
  ASSERT_OK(Fetch(client_, Get("/feed")));
  const auto req = server_.LastRequest("/feed");
  ASSERT_TRUE(req.has_value());
  EXPECT_EQ(req->Header("User-Agent"), LoopbackOptions().user_agent);
  EXPECT_EQ(req->Header("Accept-Encoding"), "gzip, deflate");
  EXPECT_EQ(req->Header("Host"), "127.0.0.1:" + std::to_string(server_.port()));
}

TEST_P(PocoHttpClientTest, PostSendsBody) {
  server_.Route("/post", [](const HttpTestServer::Request& req, auto& resp) {
    resp.SetBody(req.method + ":" + req.body);
  });
  HttpRequest req = Get("/post");
  req.method = "POST";
  req.body = "a=1&b=2";
  req.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  Result<HttpResponse> r = Fetch(client_, req);
  ASSERT_OK(r);
  EXPECT_EQ(r->body, "POST:a=1&b=2");
}

TEST_P(PocoHttpClientTest, DecompressesGzip) {
  server_.Route("/gz", [](const auto&, auto& resp) { resp.SetGzipBody("<feed>hello</feed>"); });
  Result<HttpResponse> r = Fetch(client_, Get("/gz"));
  ASSERT_OK(r);
  EXPECT_EQ(r->body, "<feed>hello</feed>");
}

TEST_P(PocoHttpClientTest, DecompressesDeflate) {
  server_.Route("/df", [](const auto&, auto& resp) { resp.SetDeflateBody("<feed>hi</feed>"); });
  Result<HttpResponse> r = Fetch(client_, Get("/df"));
  ASSERT_OK(r);
  EXPECT_EQ(r->body, "<feed>hi</feed>");
}

TEST_P(PocoHttpClientTest, DecompressesChunkedGzip) {
  server_.Route("/gz", [](const auto&, auto& resp) {
    resp.SetGzipBody(std::string(100000, 'x'));
    resp.SetFraming(HttpTestServer::Response::Framing::kChunked);
  });
  Result<HttpResponse> r = Fetch(client_, Get("/gz"));
  ASSERT_OK(r);
  EXPECT_EQ(r->body, std::string(100000, 'x'));
}

TEST_P(PocoHttpClientTest, GzipBombIsResourceExhausted) {
  const std::string bomb = feedbridge::testing::GzipCompress(std::string(50u << 20, '\0'));
  ASSERT_LT(bomb.size(), 1u << 20);
  server_.Route("/bomb", [&bomb](const auto&, auto& resp) {
    resp.SetHeader("Content-Encoding", "gzip");
    resp.SetBody(bomb);
  });
  HttpRequest req = Get("/bomb");
  req.max_body_bytes = 1u << 20;
  EXPECT_THAT(Fetch(client_, req), StatusIs(Code::kResourceExhausted));
}

TEST_P(PocoHttpClientTest, GzipBombErrorNamesTheUrlOnceAndTheCapInMiB) {
  const std::string bomb = feedbridge::testing::GzipCompress(std::string(3u << 20, '\0'));
  server_.Route("/bomb", [&bomb](const auto&, auto& resp) {
    resp.SetHeader("Content-Encoding", "gzip");
    resp.SetBody(bomb);
  });
  HttpRequest req = Get("/bomb");
  req.max_body_bytes = 2u << 20;
  const Result<HttpResponse> r = Fetch(client_, req);
  ASSERT_THAT(r, StatusIs(Code::kResourceExhausted));
  EXPECT_EQ(r.status().message(), "http: " + req.url + ": decompressed body over 2 MiB");
}

TEST_P(PocoHttpClientTest, BodyOverCapWithContentLengthIsResourceExhausted) {
  server_.Route("/big", [](const auto&, auto& resp) { resp.SetBody(std::string(2000, 'a')); });
  HttpRequest req = Get("/big");
  req.max_body_bytes = 1000;
  EXPECT_THAT(Fetch(client_, req), StatusIs(Code::kResourceExhausted));
}

// The server did answer: a caller records what it said beside the error.
TEST_P(PocoHttpClientTest, BodyFailuresCarryTheStatusTheServerAnswered) {
  const std::string bomb = feedbridge::testing::GzipCompress(std::string(3u << 20, '\0'));
  server_.Route("/bomb", [&bomb](const auto&, auto& resp) {
    resp.SetHeader("Content-Encoding", "gzip");
    resp.SetBody(bomb);
  });
  server_.Route("/big", [](const auto&, auto& resp) {
    resp.SetStatus(203);
    resp.SetBody(std::string(2000, 'a'));
    resp.SetFraming(HttpTestServer::Response::Framing::kChunked);
  });
  HttpRequest bombed = Get("/bomb");
  bombed.max_body_bytes = 2u << 20;
  const SendResult r = Fetch(client_, bombed);
  ASSERT_THAT(r, StatusIs(Code::kResourceExhausted));
  EXPECT_EQ(r.answered_status(), 200);
  HttpRequest big = Get("/big");
  big.max_body_bytes = 1000;
  const SendResult chunked = Fetch(client_, big);
  ASSERT_THAT(chunked, StatusIs(Code::kResourceExhausted));
  EXPECT_EQ(chunked.answered_status(), 203);
  // No answer at all: no status.
  HttpRequest refused = Get("/x");
  refused.url = "http://127.0.0.1:1/x";
  const SendResult none = Fetch(client_, refused);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.answered_status(), 0);
}

TEST_P(PocoHttpClientTest, ChunkedBodyOverCapIsResourceExhausted) {
  server_.Route("/big", [](const auto&, auto& resp) {
    resp.SetBody(std::string(2000, 'a'));
    resp.SetFraming(HttpTestServer::Response::Framing::kChunked);
  });
  HttpRequest req = Get("/big");
  req.max_body_bytes = 1000;
  EXPECT_THAT(Fetch(client_, req), StatusIs(Code::kResourceExhausted));
}

TEST_P(PocoHttpClientTest, CloseDelimitedBodyOverCapIsResourceExhausted) {
  server_.Route("/big", [](const auto&, auto& resp) {
    resp.SetBody(std::string(2000, 'a'));
    resp.SetFraming(HttpTestServer::Response::Framing::kUntilClose);
  });
  HttpRequest req = Get("/big");
  req.max_body_bytes = 1000;
  EXPECT_THAT(Fetch(client_, req), StatusIs(Code::kResourceExhausted));
}

TEST_P(PocoHttpClientTest, BodyAtCapIsAccepted) {
  server_.Route("/exact", [](const auto&, auto& resp) { resp.SetBody(std::string(1000, 'a')); });
  HttpRequest req = Get("/exact");
  req.max_body_bytes = 1000;
  EXPECT_OK(Fetch(client_, req));
}

TEST_P(PocoHttpClientTest, TruncatedBodyIsUnavailable) {
  server_.Route("/cut", [](const auto&, auto& resp) {
    resp.SetBody(std::string(1000, 'a'));
    resp.CloseEarly();
  });
  EXPECT_THAT(Fetch(client_, Get("/cut")), StatusIs(Code::kUnavailable));
}

TEST_P(PocoHttpClientTest, PermanentRedirectIsFollowedAndRecorded) {
  server_.Route("/old", [this](const auto&, auto& resp) {
    resp.SetStatus(301);
    resp.SetHeader("Location", server_.Url("/new"));
  });
  server_.Route("/new", [](const auto&, auto& resp) { resp.SetBody("moved"); });
  Result<HttpResponse> r = Fetch(client_, Get("/old"));
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "moved");
  EXPECT_EQ(r->final_url, server_.Url("/new"));
  ASSERT_EQ(r->redirects.size(), 1u);
  EXPECT_EQ(r->redirects[0].status, 301);
  EXPECT_TRUE(r->MovedPermanently());
}

TEST_P(PocoHttpClientTest, RelativeTemporaryRedirectIsNotPermanent) {
  server_.Route("/a", [](const auto&, auto& resp) {
    resp.SetStatus(302);
    resp.SetHeader("Location", "/b?x=1");
  });
  server_.Route("/b", [](const auto&, auto& resp) { resp.SetBody("b"); });
  Result<HttpResponse> r = Fetch(client_, Get("/a"));
  ASSERT_OK(r);
  EXPECT_EQ(r->body, "b");
  ASSERT_EQ(r->redirects.size(), 1u);
  EXPECT_EQ(r->redirects[0].url, server_.Url("/b?x=1"));
  EXPECT_FALSE(r->MovedPermanently());
}

TEST_P(PocoHttpClientTest, RedirectLoopIsInvalidArgument) {
  server_.Route("/a", [](const auto&, auto& resp) {
    resp.SetStatus(301);
    resp.SetHeader("Location", "/b");
  });
  server_.Route("/b", [](const auto&, auto& resp) {
    resp.SetStatus(302);
    resp.SetHeader("Location", "/a");
  });
  Result<HttpResponse> r = Fetch(client_, Get("/a"));
  EXPECT_THAT(r, StatusIs(Code::kInvalidArgument));
  EXPECT_NE(r.status().message().find("redirect loop"), std::string::npos);
}

TEST_P(PocoHttpClientTest, TooManyRedirectsIsInvalidArgument) {
  for (int i = 0; i < 10; ++i) {
    server_.Route("/r" + std::to_string(i), [i](const auto&, auto& resp) {
      resp.SetStatus(307);
      resp.SetHeader("Location", "/r" + std::to_string(i + 1));
    });
  }
  HttpRequest req = Get("/r0");
  req.max_redirects = 5;
  EXPECT_THAT(Fetch(client_, req), StatusIs(Code::kInvalidArgument));
  EXPECT_EQ(server_.RequestCount("/r6"), 0);
}

TEST_P(PocoHttpClientTest, ZeroMaxRedirectsReturnsTheRedirect) {
  server_.Route("/a", [](const auto&, auto& resp) {
    resp.SetStatus(301);
    resp.SetHeader("Location", "/b");
  });
  HttpRequest req = Get("/a");
  req.max_redirects = 0;
  Result<HttpResponse> r = Fetch(client_, req);
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 301);
  EXPECT_EQ(r->Find("Location"), "/b");
}

TEST_P(PocoHttpClientTest, TricklingServerEndsInDeadlineExceeded) {
  server_.Route("/slow", [](const auto&, auto& resp) {
    resp.SetBody(std::string(100, 'a'));
    resp.Trickle(milliseconds(200));
  });
  HttpRequest req = Get("/slow");
  req.timeout = milliseconds(1000);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(Fetch(client_, req), StatusIs(Code::kDeadlineExceeded));
  EXPECT_LT(std::chrono::steady_clock::now() - start, req.timeout + kSlack);
}

TEST_P(PocoHttpClientTest, HeaderTrickleIsCutAtTheDeadline) {
  // The status line and headers, one byte every 0.5 s: each read returns within any per-read
  // timeout, so only the whole-request deadline can stop it.
  TricklingPeer peer(
      "", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Slow: " + std::string(10000, 'a'),
      milliseconds(500));
  HttpRequest req = Get("/");
  req.url = "http://127.0.0.1:" + std::to_string(peer.port()) + "/feed";
  req.timeout = milliseconds(1500);
  const auto start = std::chrono::steady_clock::now();
  Result<HttpResponse> r = Fetch(client_, req);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_THAT(r, StatusIs(Code::kDeadlineExceeded));
  EXPECT_THAT(r.status().message(), HasSubstr("timed out waiting for the response headers"));
  EXPECT_THAT(r.status().message(), HasSubstr("1500 ms"));
  EXPECT_LT(took, req.timeout + kSlack);
}

TEST_P(PocoHttpClientTest, HangingServerEndsInDeadlineExceeded) {
  server_.Route("/hang", [](const auto&, auto& resp) { resp.Hang(milliseconds(30000)); });
  HttpRequest req = Get("/hang");
  req.timeout = milliseconds(500);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(Fetch(client_, req), StatusIs(Code::kDeadlineExceeded));
  EXPECT_LT(std::chrono::steady_clock::now() - start, req.timeout + kSlack);
}

TEST_P(PocoHttpClientTest, ConnectionRefusedIsUnavailable) {
  uint16_t port = 0;
  {
    Poco::Net::ServerSocket closed(Poco::Net::SocketAddress("127.0.0.1", 0));
    port = closed.address().port();
  }
  HttpRequest req = Get("/");
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  Result<HttpResponse> r = Fetch(client_, req);
  EXPECT_THAT(r, StatusIs(Code::kUnavailable));
  EXPECT_EQ(r.status().message().rfind("http: " + req.url, 0), 0u) << r.status().message();
}

TEST_P(PocoHttpClientTest, ResolvedAddressIsWhereTheRequestGoes) {
  server_.Route("/feed", [](const auto&, auto& resp) { resp.SetBody("named"); });
  auto resolver = std::make_shared<TableResolver>(
      std::map<std::string, std::vector<std::string>>{{"feeds.test", {"127.0.0.1"}}});
  PocoHttpClientOptions options = LoopbackOptions();
  options.resolver = resolver;
  PocoHttpClient client(options);
  HttpRequest req = Get("/");
  req.url = "http://feeds.test:" + std::to_string(server_.port()) + "/feed";
  Result<HttpResponse> r = Fetch(client, req);
  ASSERT_OK(r);
  EXPECT_EQ(r->body, "named");
  EXPECT_EQ(resolver->lookups(), 1);
  const auto seen = server_.LastRequest("/feed");
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->Header("Host"), "feeds.test:" + std::to_string(server_.port()));
}

TEST_P(PocoHttpClientTest, NameResolvingToLoopbackIsRefusedWithoutPrivateNetworks) {
  server_.Route("/feed", [](const auto&, auto&) {});
  PocoHttpClientOptions options = LoopbackOptions();
  options.allow_private_networks = false;
  options.resolver = std::make_shared<TableResolver>(
      std::map<std::string, std::vector<std::string>>{{"sneaky.test", {"127.0.0.1"}}});
  PocoHttpClient strict(options);
  HttpRequest req = Get("/");
  req.url = "http://sneaky.test:" + std::to_string(server_.port()) + "/feed";
  EXPECT_THAT(Fetch(strict, req), StatusIs(Code::kPermissionDenied));
  EXPECT_EQ(server_.RequestCount("/feed"), 0);
}

TEST_P(PocoHttpClientTest, ReservedInvalidNamesNeverReachTheResolver) {
  auto resolver =
      std::make_shared<TableResolver>(std::map<std::string, std::vector<std::string>>{});
  PocoHttpClientOptions options = LoopbackOptions();
  options.resolver = resolver;
  PocoHttpClient client(options);
  HttpRequest req = Get("/");
  req.url = "http://feedbridge-test.invalid/feed";
  EXPECT_THAT(Fetch(client, req), StatusIs(Code::kUnavailable));
  EXPECT_EQ(resolver->lookups(), 0);
}

TEST_P(PocoHttpClientTest, HangingDnsLookupIsCutAtTheDeadline) {
  auto resolver = std::make_shared<HangingResolver>();
  PocoHttpClientOptions options = LoopbackOptions();
  options.resolver = resolver;
  PocoHttpClient client(options);
  HttpRequest req = Get("/");
  req.url = "http://slow-dns.test/feed";
  req.timeout = milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  Result<HttpResponse> r = Fetch(client, req);
  const auto took = std::chrono::steady_clock::now() - start;
  resolver->Release();  // The abandoned lookup ends on its own thread.
  EXPECT_THAT(r, StatusIs(Code::kDeadlineExceeded));
  EXPECT_THAT(r.status().message(), HasSubstr("DNS: timed out resolving slow-dns.test"));
  EXPECT_LT(took, req.timeout + kSlack);
}

TEST_P(PocoHttpClientTest, HangingDnsLookupsAreCappedNotPiledUp) {
  // While DNS hangs, abandoned lookups keep their threads; past a cap new ones fail at once.
  auto resolver = std::make_shared<HangingResolver>();
  PocoHttpClientOptions options = LoopbackOptions();
  options.resolver = resolver;
  PocoHttpClient client(options);
  HttpRequest req = Get("/");
  req.url = "http://slow-dns.test/feed";
  req.timeout = milliseconds(10);
  Status last;
  int timed_out = 0;
  for (int i = 0; i < 100; ++i) {
    last = Fetch(client, req).status();
    if (last.code() != Code::kDeadlineExceeded) break;
    ++timed_out;
  }
  resolver->Release();
  EXPECT_EQ(timed_out, 32);
  EXPECT_THAT(last, StatusIs(Code::kUnavailable));
  EXPECT_THAT(last.message(), HasSubstr("lookups already in flight"));
}

TEST_P(PocoHttpClientTest, DnsFailureIsUnavailable) {
  HttpRequest req = Get("/");
  req.url = "http://feedbridge-test.invalid/feed";
  Result<HttpResponse> r = Fetch(client_, req);
  EXPECT_THAT(r, StatusIs(Code::kUnavailable));
  EXPECT_NE(r.status().message().find("DNS"), std::string::npos);
}

TEST_P(PocoHttpClientTest, TlsHandshakeWithPlainServerIsUnavailable) {
  // A peer that answers the TLS ClientHello with plain HTTP, then closes.
  Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
  std::thread peer([&listener] {
    try {
      Poco::Net::StreamSocket conn = listener.acceptConnection();
      const std::string answer = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
      conn.sendBytes(answer.data(), static_cast<int>(answer.size()));
      conn.shutdown();
    } catch (const Poco::Exception&) {
    }
  });
  HttpRequest req = Get("/");
  req.url = "https://127.0.0.1:" + std::to_string(listener.address().port()) + "/";
  Result<HttpResponse> r = Fetch(client_, req);
  peer.join();
  EXPECT_THAT(r, StatusIs(Code::kUnavailable));
  EXPECT_NE(r.status().message().find("TLS"), std::string::npos) << r.status().message();
}

TEST_P(PocoHttpClientTest, NonHttpSchemeIsInvalidArgument) {
  HttpRequest req = Get("/");
  req.url = "ftp://127.0.0.1/feed";
  EXPECT_THAT(Fetch(client_, req), StatusIs(Code::kInvalidArgument));
}

TEST_P(PocoHttpClientTest, MalformedUrlIsInvalidArgument) {
  HttpRequest req = Get("/");
  req.url = "http://[::1/feed";
  EXPECT_THAT(Fetch(client_, req), StatusIs(Code::kInvalidArgument));
}

TEST_P(PocoHttpClientTest, RelativeUrlIsInvalidArgument) {
  HttpRequest req = Get("/");
  req.url = "/feed";
  EXPECT_THAT(Fetch(client_, req), StatusIs(Code::kInvalidArgument));
}

TEST_P(PocoHttpClientTest, LoopbackRefusedWithoutPrivateNetworks) {
  server_.Route("/feed", [](const auto&, auto&) {});
  PocoHttpClientOptions options = LoopbackOptions();
  options.allow_private_networks = false;
  PocoHttpClient strict(options);
  EXPECT_THAT(Fetch(strict, Get("/feed")), StatusIs(Code::kPermissionDenied));
  EXPECT_EQ(server_.RequestCount("/feed"), 0);
}

TEST_P(PocoHttpClientTest, Ipv6LoopbackRefusedWithoutPrivateNetworks) {
  PocoHttpClientOptions options = LoopbackOptions();
  options.allow_private_networks = false;
  PocoHttpClient strict(options);
  HttpRequest req = Get("/");
  req.url = "http://[::1]:" + std::to_string(server_.port()) + "/";
  EXPECT_THAT(Fetch(strict, req), StatusIs(Code::kPermissionDenied));
}

TEST_P(PocoHttpClientTest, KeepAliveReusesOneConnection) {
  server_.Route("/feed", [](const auto&, auto& resp) { resp.SetBody("x"); });
  ASSERT_OK(Fetch(client_, Get("/feed")));
  ASSERT_OK(Fetch(client_, Get("/feed")));
  ASSERT_OK(Fetch(client_, Get("/feed")));
  EXPECT_EQ(server_.RequestCount("/feed"), 3);
  EXPECT_EQ(server_.ConnectionCount(), 1);
}

TEST_P(PocoHttpClientTest, PerHostConcurrencyIsRespected) {
  server_.Route("/slow", [](const auto&, auto& resp) {
    resp.Hang(milliseconds(200));
    resp.SetBody("ok");
  });
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      HttpRequest req = Get("/slow");
      req.timeout = std::chrono::seconds(20);
      if (Fetch(client_, req).ok()) ++ok;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 6);
  EXPECT_EQ(server_.RequestCount("/slow"), 6);
  EXPECT_LE(server_.MaxConcurrentRequests(), 2);
}

INSTANTIATE_TEST_SUITE_P(BothPaths, PocoHttpClientTest,
                         ::testing::Values(Path::kSend, Path::kSendEach), PathName);

// https against a TLS server on loopback whose certificate comes from a CA made for the test.
class PocoHttpsClientTest : public ::testing::Test {
 protected:
  PocoHttpClientOptions Trusting() {
    PocoHttpClientOptions o = LoopbackOptions();
    o.ca_file = certs_.ca_file().string();
    return o;
  }
  HttpRequest Get(std::string_view path) {
    HttpRequest r;
    r.url = server_.Url(path);
    r.timeout = std::chrono::seconds(5);
    return r;
  }

  TestCertificates certs_;
  HttpTestServer server_{
      HttpTestServer::TlsFiles{certs_.server_cert_file(), certs_.server_key_file()}};
};

TEST_F(PocoHttpsClientTest, FetchesFromAServerWhoseCaIsTrusted) {
  server_.Route("/feed", [](const auto&, auto& resp) { resp.SetBody("<rss/>"); });
  PocoHttpClient client(Trusting());
  HttpRequest req = Get("/feed");
  ASSERT_EQ(req.url.rfind("https://127.0.0.1:", 0), 0u);
  Result<HttpResponse> r = client.Send(req);
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "<rss/>");
}

TEST_F(PocoHttpsClientTest, DecompressesGzipOverTls) {
  server_.Route("/gz", [](const auto&, auto& resp) {
    resp.SetGzipBody(std::string(50000, 'x'));
    resp.SetFraming(HttpTestServer::Response::Framing::kChunked);
  });
  PocoHttpClient client(Trusting());
  Result<HttpResponse> r = client.Send(Get("/gz"));
  ASSERT_OK(r);
  EXPECT_EQ(r->Find("Content-Encoding"), "gzip");
  EXPECT_EQ(r->body, std::string(50000, 'x'));
}

TEST_F(PocoHttpsClientTest, KeepAliveReusesOneTlsConnection) {
  server_.Route("/feed", [](const auto&, auto& resp) { resp.SetBody("x"); });
  PocoHttpClient client(Trusting());
  for (int i = 0; i < 3; ++i) ASSERT_OK(client.Send(Get("/feed")));
  EXPECT_EQ(server_.RequestCount("/feed"), 3);
  EXPECT_EQ(server_.ConnectionCount(), 1);
}

TEST_F(PocoHttpsClientTest, CertificateNamingTheResolvedHostIsAccepted) {
  server_.Route("/feed", [](const auto&, auto& resp) { resp.SetBody("ok"); });
  PocoHttpClientOptions options = Trusting();
  options.resolver = std::make_shared<TableResolver>(
      std::map<std::string, std::vector<std::string>>{{"localhost", {"127.0.0.1"}}});
  PocoHttpClient client(options);
  HttpRequest req = Get("/");
  req.url = "https://localhost:" + std::to_string(server_.port()) + "/feed";
  Result<HttpResponse> r = client.Send(req);
  ASSERT_OK(r);
  EXPECT_EQ(r->body, "ok");
}

TEST_F(PocoHttpsClientTest, TricklingBodyOverTlsEndsInDeadlineExceeded) {
  server_.Route("/slow", [](const auto&, auto& resp) {
    resp.SetBody(std::string(100, 'a'));
    resp.Trickle(milliseconds(200));
  });
  PocoHttpClient client(Trusting());
  HttpRequest req = Get("/slow");
  req.timeout = milliseconds(1000);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(client.Send(req), StatusIs(Code::kDeadlineExceeded));
  EXPECT_LT(std::chrono::steady_clock::now() - start, req.timeout + kSlack);
}

TEST_F(PocoHttpsClientTest, UntrustedCertificateIsATlsError) {
  server_.Route("/feed", [](const auto&, auto& resp) { resp.SetBody("secret"); });
  PocoHttpClient client(LoopbackOptions());  // The system store only: the test CA is unknown.
  Result<HttpResponse> r = client.Send(Get("/feed"));
  EXPECT_THAT(r, StatusIs(Code::kUnavailable));
  EXPECT_THAT(r.status().message(), HasSubstr("TLS: "));
  EXPECT_THAT(r.status().message(), HasSubstr("certificate verify failed"));
  EXPECT_EQ(server_.RequestCount("/feed"), 0);
}

TEST_F(PocoHttpsClientTest, CertificateForAnotherNameIsATlsError) {
  server_.Route("/feed", [](const auto&, auto& resp) { resp.SetBody("secret"); });
  PocoHttpClientOptions options = Trusting();
  // The name resolves to the server, but its certificate names localhost and 127.0.0.1 only.
  options.resolver = std::make_shared<TableResolver>(
      std::map<std::string, std::vector<std::string>>{{"elsewhere.test", {"127.0.0.1"}}});
  PocoHttpClient client(options);
  HttpRequest req = Get("/");
  req.url = "https://elsewhere.test:" + std::to_string(server_.port()) + "/feed";
  Result<HttpResponse> r = client.Send(req);
  EXPECT_THAT(r, StatusIs(Code::kUnavailable));
  EXPECT_THAT(r.status().message(), HasSubstr("TLS: "));
  EXPECT_THAT(r.status().message(), HasSubstr("not valid for elsewhere.test"));
  EXPECT_EQ(server_.RequestCount("/feed"), 0);
}

TEST_F(PocoHttpsClientTest, UnreadableCaFileIsATlsError) {
  PocoHttpClientOptions options = Trusting();
  options.ca_file = (certs_.ca_file().parent_path() / "missing.pem").string();
  PocoHttpClient client(options);
  Result<HttpResponse> r = client.Send(Get("/feed"));
  EXPECT_THAT(r, StatusIs(Code::kUnavailable));
  EXPECT_THAT(r.status().message(), HasSubstr("TLS: "));
}

TEST_F(PocoHttpsClientTest, HeaderTrickleOverTlsIsCutAtTheDeadline) {
  // The handshake completes; then the status line and headers come one byte every 0.5 s (each
  // in its own TLS record).
  Poco::Net::Context::Ptr tls = new Poco::Net::Context(
      Poco::Net::Context::TLS_SERVER_USE, certs_.server_key_file().string(),
      certs_.server_cert_file().string(), "", Poco::Net::Context::VERIFY_NONE);
  TricklingPeer peer("HTTP/1.1 200 OK\r\n", "X-Slow: " + std::string(10000, 'a'), milliseconds(500),
                     tls);
  PocoHttpClient client(Trusting());
  HttpRequest req = Get("/");
  req.url = "https://127.0.0.1:" + std::to_string(peer.port()) + "/feed";
  req.timeout = milliseconds(1500);
  const auto start = std::chrono::steady_clock::now();
  Result<HttpResponse> r = client.Send(req);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_THAT(r, StatusIs(Code::kDeadlineExceeded));
  EXPECT_THAT(r.status().message(), HasSubstr("timed out waiting for the response headers"));
  EXPECT_LT(took, req.timeout + kSlack);
}

TEST(PocoHttpClientTlsTest, HandshakeTrickleIsCutAtTheDeadline) {
  // A TLS record header announcing 16 KiB of handshake, then its bytes one every 0.5 s: OpenSSL
  // keeps reading the record, each read well within any per-read timeout.
  TricklingPeer peer(std::string("\x16\x03\x03\x40\x00", 5), std::string(16384, '\x01'),
                     milliseconds(500));
  PocoHttpClient client(LoopbackOptions());
  HttpRequest req;
  req.url = "https://127.0.0.1:" + std::to_string(peer.port()) + "/feed";
  req.timeout = milliseconds(1500);
  const auto start = std::chrono::steady_clock::now();
  Result<HttpResponse> r = client.Send(req);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_THAT(r, StatusIs(Code::kDeadlineExceeded));
  EXPECT_THAT(r.status().message(), HasSubstr("timed out in the TLS handshake"));
  EXPECT_LT(took, req.timeout + kSlack);
}

}  // namespace
}  // namespace feedbridge::http
