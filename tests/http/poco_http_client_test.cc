#include "http/poco_http_client.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_test_server.h"
#include "tests/support/status_matchers.h"

namespace feedbridge::http {
namespace {

using feedbridge::testing::HttpTestServer;
using feedbridge::testing::StatusIs;
using std::chrono::milliseconds;
using Code = Status::Code;

// Generous: the tests run on loaded two-core CI machines. Only an upper bound is asserted.
constexpr auto kSlack = std::chrono::seconds(3);

PocoHttpClientOptions LoopbackOptions() {
  PocoHttpClientOptions o;
  o.user_agent = "feedbridge-test/1.0 (+http://example.invalid/)";
  o.allow_private_networks = true;
  return o;
}

class PocoHttpClientTest : public ::testing::Test {
 protected:
  HttpRequest Get(std::string_view path) {
    HttpRequest r;
    r.url = server_.Url(path);
    r.timeout = std::chrono::seconds(5);
    return r;
  }

  HttpTestServer server_;
  PocoHttpClient client_{LoopbackOptions()};
};

TEST_F(PocoHttpClientTest, ReturnsBodyOf200) {
  server_.Route("/feed", [](const auto&, auto& resp) {
    resp.SetHeader("Content-Type", "application/rss+xml");
    resp.SetBody("<rss/>");
  });
  Result<HttpResponse> r = client_.Send(Get("/feed"));
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "<rss/>");
  EXPECT_EQ(r->Find("content-type"), "application/rss+xml");
  EXPECT_EQ(r->final_url, server_.Url("/feed"));
  EXPECT_TRUE(r->redirects.empty());
}

TEST_F(PocoHttpClientTest, NonSuccessStatusIsAResponseNotAnError) {
  Result<HttpResponse> r = client_.Send(Get("/nowhere"));
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 404);
}

TEST_F(PocoHttpClientTest, ConditionalGetGets304) {
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
  Result<HttpResponse> r = client_.Send(req);
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 304);
  EXPECT_EQ(r->body, "");
}

TEST_F(PocoHttpClientTest, SendsUserAgentAndAcceptEncoding) {
  server_.Route("/feed", [](const auto&, auto&) {});
  ASSERT_OK(client_.Send(Get("/feed")));
  const auto req = server_.LastRequest("/feed");
  ASSERT_TRUE(req.has_value());
  EXPECT_EQ(req->Header("User-Agent"), LoopbackOptions().user_agent);
  EXPECT_EQ(req->Header("Accept-Encoding"), "gzip, deflate");
  EXPECT_EQ(req->Header("Host"), "127.0.0.1:" + std::to_string(server_.port()));
}

TEST_F(PocoHttpClientTest, PostSendsBody) {
  server_.Route("/post", [](const HttpTestServer::Request& req, auto& resp) {
    resp.SetBody(req.method + ":" + req.body);
  });
  HttpRequest req = Get("/post");
  req.method = "POST";
  req.body = "a=1&b=2";
  req.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  Result<HttpResponse> r = client_.Send(req);
  ASSERT_OK(r);
  EXPECT_EQ(r->body, "POST:a=1&b=2");
}

TEST_F(PocoHttpClientTest, DecompressesGzip) {
  server_.Route("/gz", [](const auto&, auto& resp) { resp.SetGzipBody("<feed>hello</feed>"); });
  Result<HttpResponse> r = client_.Send(Get("/gz"));
  ASSERT_OK(r);
  EXPECT_EQ(r->body, "<feed>hello</feed>");
}

TEST_F(PocoHttpClientTest, DecompressesDeflate) {
  server_.Route("/df", [](const auto&, auto& resp) { resp.SetDeflateBody("<feed>hi</feed>"); });
  Result<HttpResponse> r = client_.Send(Get("/df"));
  ASSERT_OK(r);
  EXPECT_EQ(r->body, "<feed>hi</feed>");
}

TEST_F(PocoHttpClientTest, DecompressesChunkedGzip) {
  server_.Route("/gz", [](const auto&, auto& resp) {
    resp.SetGzipBody(std::string(100000, 'x'));
    resp.SetFraming(HttpTestServer::Response::Framing::kChunked);
  });
  Result<HttpResponse> r = client_.Send(Get("/gz"));
  ASSERT_OK(r);
  EXPECT_EQ(r->body, std::string(100000, 'x'));
}

TEST_F(PocoHttpClientTest, GzipBombIsResourceExhausted) {
  const std::string bomb = feedbridge::testing::GzipCompress(std::string(50u << 20, '\0'));
  ASSERT_LT(bomb.size(), 1u << 20);
  server_.Route("/bomb", [&bomb](const auto&, auto& resp) {
    resp.SetHeader("Content-Encoding", "gzip");
    resp.SetBody(bomb);
  });
  HttpRequest req = Get("/bomb");
  req.max_body_bytes = 1u << 20;
  EXPECT_THAT(client_.Send(req), StatusIs(Code::kResourceExhausted));
}

TEST_F(PocoHttpClientTest, BodyOverCapWithContentLengthIsResourceExhausted) {
  server_.Route("/big", [](const auto&, auto& resp) { resp.SetBody(std::string(2000, 'a')); });
  HttpRequest req = Get("/big");
  req.max_body_bytes = 1000;
  EXPECT_THAT(client_.Send(req), StatusIs(Code::kResourceExhausted));
}

TEST_F(PocoHttpClientTest, ChunkedBodyOverCapIsResourceExhausted) {
  server_.Route("/big", [](const auto&, auto& resp) {
    resp.SetBody(std::string(2000, 'a'));
    resp.SetFraming(HttpTestServer::Response::Framing::kChunked);
  });
  HttpRequest req = Get("/big");
  req.max_body_bytes = 1000;
  EXPECT_THAT(client_.Send(req), StatusIs(Code::kResourceExhausted));
}

TEST_F(PocoHttpClientTest, CloseDelimitedBodyOverCapIsResourceExhausted) {
  server_.Route("/big", [](const auto&, auto& resp) {
    resp.SetBody(std::string(2000, 'a'));
    resp.SetFraming(HttpTestServer::Response::Framing::kUntilClose);
  });
  HttpRequest req = Get("/big");
  req.max_body_bytes = 1000;
  EXPECT_THAT(client_.Send(req), StatusIs(Code::kResourceExhausted));
}

TEST_F(PocoHttpClientTest, BodyAtCapIsAccepted) {
  server_.Route("/exact", [](const auto&, auto& resp) { resp.SetBody(std::string(1000, 'a')); });
  HttpRequest req = Get("/exact");
  req.max_body_bytes = 1000;
  EXPECT_OK(client_.Send(req));
}

TEST_F(PocoHttpClientTest, TruncatedBodyIsUnavailable) {
  server_.Route("/cut", [](const auto&, auto& resp) {
    resp.SetBody(std::string(1000, 'a'));
    resp.CloseEarly();
  });
  EXPECT_THAT(client_.Send(Get("/cut")), StatusIs(Code::kUnavailable));
}

TEST_F(PocoHttpClientTest, PermanentRedirectIsFollowedAndRecorded) {
  server_.Route("/old", [this](const auto&, auto& resp) {
    resp.SetStatus(301);
    resp.SetHeader("Location", server_.Url("/new"));
  });
  server_.Route("/new", [](const auto&, auto& resp) { resp.SetBody("moved"); });
  Result<HttpResponse> r = client_.Send(Get("/old"));
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "moved");
  EXPECT_EQ(r->final_url, server_.Url("/new"));
  ASSERT_EQ(r->redirects.size(), 1u);
  EXPECT_EQ(r->redirects[0].status, 301);
  EXPECT_TRUE(r->MovedPermanently());
}

TEST_F(PocoHttpClientTest, RelativeTemporaryRedirectIsNotPermanent) {
  server_.Route("/a", [](const auto&, auto& resp) {
    resp.SetStatus(302);
    resp.SetHeader("Location", "/b?x=1");
  });
  server_.Route("/b", [](const auto&, auto& resp) { resp.SetBody("b"); });
  Result<HttpResponse> r = client_.Send(Get("/a"));
  ASSERT_OK(r);
  EXPECT_EQ(r->body, "b");
  ASSERT_EQ(r->redirects.size(), 1u);
  EXPECT_EQ(r->redirects[0].url, server_.Url("/b?x=1"));
  EXPECT_FALSE(r->MovedPermanently());
}

TEST_F(PocoHttpClientTest, RedirectLoopIsInvalidArgument) {
  server_.Route("/a", [](const auto&, auto& resp) {
    resp.SetStatus(301);
    resp.SetHeader("Location", "/b");
  });
  server_.Route("/b", [](const auto&, auto& resp) {
    resp.SetStatus(302);
    resp.SetHeader("Location", "/a");
  });
  Result<HttpResponse> r = client_.Send(Get("/a"));
  EXPECT_THAT(r, StatusIs(Code::kInvalidArgument));
  EXPECT_NE(r.status().message().find("redirect loop"), std::string::npos);
}

TEST_F(PocoHttpClientTest, TooManyRedirectsIsInvalidArgument) {
  for (int i = 0; i < 10; ++i) {
    server_.Route("/r" + std::to_string(i), [i](const auto&, auto& resp) {
      resp.SetStatus(307);
      resp.SetHeader("Location", "/r" + std::to_string(i + 1));
    });
  }
  HttpRequest req = Get("/r0");
  req.max_redirects = 5;
  EXPECT_THAT(client_.Send(req), StatusIs(Code::kInvalidArgument));
  EXPECT_EQ(server_.RequestCount("/r6"), 0);
}

TEST_F(PocoHttpClientTest, ZeroMaxRedirectsReturnsTheRedirect) {
  server_.Route("/a", [](const auto&, auto& resp) {
    resp.SetStatus(301);
    resp.SetHeader("Location", "/b");
  });
  HttpRequest req = Get("/a");
  req.max_redirects = 0;
  Result<HttpResponse> r = client_.Send(req);
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 301);
  EXPECT_EQ(r->Find("Location"), "/b");
}

TEST_F(PocoHttpClientTest, TricklingServerEndsInDeadlineExceeded) {
  server_.Route("/slow", [](const auto&, auto& resp) {
    resp.SetBody(std::string(100, 'a'));
    resp.Trickle(milliseconds(200));
  });
  HttpRequest req = Get("/slow");
  req.timeout = milliseconds(1000);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(client_.Send(req), StatusIs(Code::kDeadlineExceeded));
  EXPECT_LT(std::chrono::steady_clock::now() - start, req.timeout + kSlack);
}

TEST_F(PocoHttpClientTest, HangingServerEndsInDeadlineExceeded) {
  server_.Route("/hang", [](const auto&, auto& resp) { resp.Hang(milliseconds(30000)); });
  HttpRequest req = Get("/hang");
  req.timeout = milliseconds(500);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(client_.Send(req), StatusIs(Code::kDeadlineExceeded));
  EXPECT_LT(std::chrono::steady_clock::now() - start, req.timeout + kSlack);
}

TEST_F(PocoHttpClientTest, ConnectionRefusedIsUnavailable) {
  uint16_t port = 0;
  {
    Poco::Net::ServerSocket closed(Poco::Net::SocketAddress("127.0.0.1", 0));
    port = closed.address().port();
  }
  HttpRequest req = Get("/");
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  Result<HttpResponse> r = client_.Send(req);
  EXPECT_THAT(r, StatusIs(Code::kUnavailable));
  EXPECT_EQ(r.status().message().rfind("http: " + req.url, 0), 0u) << r.status().message();
}

TEST_F(PocoHttpClientTest, DnsFailureIsUnavailable) {
  HttpRequest req = Get("/");
  req.url = "http://feedbridge-test.invalid/feed";
  Result<HttpResponse> r = client_.Send(req);
  EXPECT_THAT(r, StatusIs(Code::kUnavailable));
  EXPECT_NE(r.status().message().find("DNS"), std::string::npos);
}

TEST_F(PocoHttpClientTest, TlsHandshakeWithPlainServerIsUnavailable) {
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
  Result<HttpResponse> r = client_.Send(req);
  peer.join();
  EXPECT_THAT(r, StatusIs(Code::kUnavailable));
  EXPECT_NE(r.status().message().find("TLS"), std::string::npos) << r.status().message();
}

TEST_F(PocoHttpClientTest, NonHttpSchemeIsInvalidArgument) {
  HttpRequest req = Get("/");
  req.url = "ftp://127.0.0.1/feed";
  EXPECT_THAT(client_.Send(req), StatusIs(Code::kInvalidArgument));
}

TEST_F(PocoHttpClientTest, MalformedUrlIsInvalidArgument) {
  HttpRequest req = Get("/");
  req.url = "http://[::1/feed";
  EXPECT_THAT(client_.Send(req), StatusIs(Code::kInvalidArgument));
}

TEST_F(PocoHttpClientTest, RelativeUrlIsInvalidArgument) {
  HttpRequest req = Get("/");
  req.url = "/feed";
  EXPECT_THAT(client_.Send(req), StatusIs(Code::kInvalidArgument));
}

TEST_F(PocoHttpClientTest, LoopbackRefusedWithoutPrivateNetworks) {
  server_.Route("/feed", [](const auto&, auto&) {});
  PocoHttpClientOptions options = LoopbackOptions();
  options.allow_private_networks = false;
  PocoHttpClient strict(options);
  EXPECT_THAT(strict.Send(Get("/feed")), StatusIs(Code::kPermissionDenied));
  EXPECT_EQ(server_.RequestCount("/feed"), 0);
}

TEST_F(PocoHttpClientTest, Ipv6LoopbackRefusedWithoutPrivateNetworks) {
  PocoHttpClientOptions options = LoopbackOptions();
  options.allow_private_networks = false;
  PocoHttpClient strict(options);
  HttpRequest req = Get("/");
  req.url = "http://[::1]:" + std::to_string(server_.port()) + "/";
  EXPECT_THAT(strict.Send(req), StatusIs(Code::kPermissionDenied));
}

TEST_F(PocoHttpClientTest, KeepAliveReusesOneConnection) {
  server_.Route("/feed", [](const auto&, auto& resp) { resp.SetBody("x"); });
  ASSERT_OK(client_.Send(Get("/feed")));
  ASSERT_OK(client_.Send(Get("/feed")));
  ASSERT_OK(client_.Send(Get("/feed")));
  EXPECT_EQ(server_.RequestCount("/feed"), 3);
  EXPECT_EQ(server_.ConnectionCount(), 1);
}

TEST_F(PocoHttpClientTest, PerHostConcurrencyIsRespected) {
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
      if (client_.Send(req).ok()) ++ok;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 6);
  EXPECT_EQ(server_.RequestCount("/slow"), 6);
  EXPECT_LE(server_.MaxConcurrentRequests(), 2);
}

}  // namespace
}  // namespace feedbridge::http
