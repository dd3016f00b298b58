#include "web/server.h"

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/status_matchers.h"

namespace feedbridge::web {
namespace {

// Keeps the access log lines.
class CaptureChannel : public Poco::Channel {
 public:
  void log(const Poco::Message& msg) override {
    std::lock_guard<std::mutex> lock(mu_);
    lines_.push_back(msg.getText());
  }
  std::vector<std::string> Lines() {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

class CustomPages : public ErrorPages {
 public:
  WebResponse Render(int status, const Status& cause) override {
    WebResponse r;
    r.body = "custom " + std::to_string(status) + " " + std::string(CodeName(cause.code()));
    return r;
  }
};

struct Reply {
  int status = 0;
  std::string body;
  std::string allow;
  std::string retry_after;
  std::string content_length;
};

Reply Fetch(uint16_t port, const std::string& method, const std::string& path,
            const std::string& body = "") {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(10, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!body.empty()) request.setContentLength64(static_cast<Poco::Int64>(body.size()));
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  Reply reply;
  reply.status = response.getStatus();
  Poco::StreamCopier::copyToString(in, reply.body);
  reply.allow = response.get("Allow", "");
  reply.retry_after = response.get("Retry-After", "");
  reply.content_length = response.get("Content-Length", "");
  return reply;
}

// Sends `bytes` as they are and returns all the server answers until it closes (or 10 s).
std::string Raw(uint16_t port, const std::string& bytes) {
  Poco::Net::StreamSocket socket;
  socket.connect(Poco::Net::SocketAddress("127.0.0.1", port), Poco::Timespan(5, 0));
  socket.setReceiveTimeout(Poco::Timespan(10, 0));
  socket.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
  std::string out;
  char buf[4096];
  try {
    for (int n; (n = socket.receiveBytes(buf, sizeof buf)) > 0;)
      out.append(buf, static_cast<size_t>(n));
  } catch (const Poco::Exception&) {
    // Reset or timeout: return what arrived.
  }
  return out;
}

int RawStatus(const std::string& answer) {
  if (answer.size() < 12 || answer.compare(0, 5, "HTTP/") != 0) return 0;
  return std::stoi(answer.substr(9, 3));
}

Result<WebResponse> Text(std::string body) {
  WebResponse r;
  r.content_type = "text/plain";
  r.body = std::move(body);
  return r;
}

class WebServerTest : public ::testing::Test {
 protected:
  WebServerTest()
      : channel_(new CaptureChannel), access_log_(Poco::Logger::get("feedbridge.web.access.test")) {
    access_log_.setChannel(channel_);
    access_log_.setLevel(Poco::Message::PRIO_INFORMATION);
    options_.listen = "127.0.0.1:0";
    options_.workers = 4;
    options_.max_queued = 4;
    router_.Add("GET", "/hello",
                [](const WebRequest&, const PathParams&) { return Text("hello"); });
    router_.Add("GET", "/{nick}/feed.atom", [](const WebRequest&, const PathParams& p) {
      return Text("feed of " + p.at("nick"));
    });
    router_.Add("POST", "/upload", [](const WebRequest& r, const PathParams&) {
      return Text("got " + std::to_string(r.body.size()));
    });
    router_.Add("GET", "/fail/notfound", [](const WebRequest&, const PathParams&) {
      return Result<WebResponse>(Status::NotFound("test: no such thing"));
    });
    router_.Add("GET", "/fail/invalid", [](const WebRequest&, const PathParams&) {
      return Result<WebResponse>(Status::InvalidArgument("test: bad"));
    });
    router_.Add("GET", "/fail/unavailable", [](const WebRequest&, const PathParams&) {
      return Result<WebResponse>(Status::Unavailable("test: down"));
    });
    router_.Add("GET", "/throw", [](const WebRequest&, const PathParams&) -> Result<WebResponse> {
      throw std::runtime_error("boom");
    });
  }
  ~WebServerTest() override {
    server_.reset();
    access_log_.setChannel(nullptr);
  }

  void StartServer(ErrorPages* pages = nullptr) {
    auto server = WebServer::Start(options_, router_, access_log_, pages);
    ASSERT_OK(server);
    server_ = std::move(server).value();
    ASSERT_NE(server_->port(), 0);
  }
  uint16_t port() const { return server_->port(); }

  Poco::AutoPtr<CaptureChannel> channel_;
  Poco::Logger& access_log_;
  config::ServerOptions options_;
  Router router_;
  std::unique_ptr<WebServer> server_;
};

TEST_F(WebServerTest, RoutesWithCaptures) {
  StartServer();
  const Reply r = Fetch(port(), "GET", "/garden/feed.atom");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "feed of garden");
}

TEST_F(WebServerTest, PercentDecodesPathBeforeRouting) {
  StartServer();
  const Reply r = Fetch(port(), "GET", "/gar%64en/feed.atom");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "feed of garden");
}

TEST_F(WebServerTest, UnknownPathIsPlain404WithoutErrorPages) {
  StartServer();
  const Reply r = Fetch(port(), "GET", "/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "404 Not Found\n");
}

TEST_F(WebServerTest, UnknownPathIs404ThroughErrorPages) {
  CustomPages pages;
  StartServer(&pages);
  const Reply r = Fetch(port(), "GET", "/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "custom 404 NotFound");
}

TEST_F(WebServerTest, WrongMethodIs405WithAllow) {
  StartServer();
  const Reply r = Fetch(port(), "GET", "/upload");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.allow, "POST");
}

TEST_F(WebServerTest, HeadSendsContentLengthButNoBody) {
  StartServer();
  const std::string answer =
      Raw(port(), "HEAD /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(RawStatus(answer), 200);
  EXPECT_NE(answer.find("Content-Length: 5\r\n"), std::string::npos) << answer;
  EXPECT_NE(answer.find("Date: "), std::string::npos) << answer;
  EXPECT_EQ(answer.substr(answer.size() - 4), "\r\n\r\n") << answer;
}

TEST_F(WebServerTest, FailedResultsMapThroughTheTable) {
  StartServer();
  EXPECT_EQ(Fetch(port(), "GET", "/fail/notfound").status, 404);
  EXPECT_EQ(Fetch(port(), "GET", "/fail/invalid").status, 400);
  EXPECT_EQ(Fetch(port(), "GET", "/fail/unavailable").status, 503);
}

TEST_F(WebServerTest, ThrowingHandlerIs500AndServerKeepsServing) {
  StartServer();
  EXPECT_EQ(Fetch(port(), "GET", "/throw").status, 500);
  const Reply r = Fetch(port(), "GET", "/hello");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello");
}

TEST_F(WebServerTest, PathTraversalIs400AndNeverReachesAHandler) {
  std::atomic<int> calls{0};
  auto count = [&calls](const WebRequest&, const PathParams&) {
    ++calls;
    return Text("reached");
  };
  for (const char* p : {"/{a}", "/{a}/{b}", "/{a}/{b}/{c}"}) router_.Add("GET", p, count);
  StartServer();
  struct Case {
    const char* name;
    const char* path;
  };
  const Case cases[] = {
      {"dot-dot", "/../etc/passwd"},
      {"encoded dot-dot", "/%2e%2e/etc/passwd"},
      {"encoded dot-dot upper", "/x/%2E%2E/etc"},
      {"dot", "/./x"},
      {"encoded slash", "/a%2fb"},
      {"encoded NUL", "/a%00b"},
      {"backslash", "/a%5c..%5cb"},
      {"bad escape", "/a%zz"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string answer = Raw(
        port(), std::string("GET ") + c.path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(RawStatus(answer), 400) << answer;
  }
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(WebServerTest, OverLongUriIs414) {
  StartServer();
  const std::string answer = Raw(port(), "GET /" + std::string(9000, 'a') +
                                             " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(RawStatus(answer), 414) << answer.substr(0, 200);
}

TEST_F(WebServerTest, OversizedHeaderBlockIs431) {
  options_.max_header_bytes = 4096;
  StartServer();
  std::string request = "GET /hello HTTP/1.1\r\nHost: t\r\n";
  for (int i = 0; i < 10; ++i) {
    request += "X-Filler-" + std::to_string(i) + ": " + std::string(1000, 'f') + "\r\n";
  }
  request += "Connection: close\r\n\r\n";
  EXPECT_EQ(RawStatus(Raw(port(), request)), 431);
}

TEST_F(WebServerTest, ContentLengthOverCapIs413WithoutReadingBody) {
  options_.max_body_bytes = 1024;
  StartServer();
  const std::string answer =
      Raw(port(), "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100000000\r\n\r\n");
  EXPECT_EQ(RawStatus(answer), 413) << answer;
}

TEST_F(WebServerTest, BodyUnderCapReachesHandler) {
  options_.max_body_bytes = 1024;
  StartServer();
  const Reply r = Fetch(port(), "POST", "/upload", std::string(1000, 'b'));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "got 1000");
}

TEST_F(WebServerTest, ChunkedBodyOverCapIs413) {
  options_.max_body_bytes = 1024;
  StartServer();
  std::string request = "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) request += "200\r\n" + std::string(512, 'c') + "\r\n";
  request += "0\r\n\r\n";
  EXPECT_EQ(RawStatus(Raw(port(), request)), 413);
}

TEST_F(WebServerTest, FloodOfSlowClientsDoesNotHangOthers) {
  options_.workers = 2;
  options_.max_queued = 2;
  StartServer();
  std::vector<Poco::Net::StreamSocket> slow;
  for (int i = 0; i < options_.workers + options_.max_queued + 10; ++i) {
    Poco::Net::StreamSocket s;
    s.connect(Poco::Net::SocketAddress("127.0.0.1", port()), Poco::Timespan(5, 0));
    const std::string half = "GET /hel";
    s.sendBytes(half.data(), static_cast<int>(half.size()));
    slow.push_back(s);
  }
  // Workers and queue are full of stalled clients: a normal client is told to come back.
  const auto start = std::chrono::steady_clock::now();
  const Reply busy = Fetch(port(), "GET", "/hello");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(12));
  if (busy.status == 503) {
    EXPECT_EQ(busy.retry_after, "1");
  } else {
    EXPECT_EQ(busy.status, 200);
  }
  // Once the stalled clients go, the server serves again.
  for (auto& s : slow) s.close();
  int status = 0;
  for (int attempt = 0; attempt < 100 && status != 200; ++attempt) {
    status = Fetch(port(), "GET", "/hello").status;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(status, 200);
}

TEST_F(WebServerTest, StopLetsInFlightRequestFinish) {
  std::promise<void> entered;
  std::atomic<bool> finished{false};
  router_.Add("GET", "/slow", [&](const WebRequest&, const PathParams&) {
    entered.set_value();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    finished = true;
    return Text("done");
  });
  StartServer();
  auto client = std::async(std::launch::async, [p = port()] { return Fetch(p, "GET", "/slow"); });
  entered.get_future().wait();
  server_->Stop();
  EXPECT_TRUE(finished.load());
  const Reply r = client.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "done");
  server_->Stop();  // Idempotent.
}

TEST_F(WebServerTest, StopRefusesNewConnections) {
  StartServer();
  const uint16_t p = port();
  server_->Stop();
  EXPECT_THROW(Fetch(p, "GET", "/hello"), Poco::Exception);
}

TEST_F(WebServerTest, WritesOneAccessLogLinePerRequest) {
  StartServer();
  ASSERT_EQ(Fetch(port(), "GET", "/hello").status, 200);
  ASSERT_EQ(Fetch(port(), "GET", "/nope").status, 404);
  server_->Stop();
  const std::vector<std::string> lines = channel_->Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("127.0.0.1:"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(" GET /hello 200 5 "), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find(" GET /nope 404 "), std::string::npos) << lines[1];
}

TEST_F(WebServerTest, BadListenAddressIsInvalidArgument) {
  options_.listen = "not an address";
  EXPECT_THAT(WebServer::Start(options_, router_, access_log_),
              testing::StatusIs(Status::Code::kInvalidArgument));
}

}  // namespace
}  // namespace feedbridge::web
