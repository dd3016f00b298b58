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
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/status_matchers.h"
#include "web/connection.h"

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

// POCO 1.11 refuses these itself, inside its parser, before any handler; the server answers
// them by their cause, not with POCO's blanket 400.
TEST_F(WebServerTest, RequestsOverPocoParserLimitsGetTheirOwnStatus) {
  StartServer();
  struct Case {
    const char* name;
    std::string request;
    int status;
  };
  std::string many_fields = "GET /hello HTTP/1.1\r\nHost: t\r\n";
  for (int i = 0; i < 150; ++i) many_fields += "X-F" + std::to_string(i) + ": v\r\n";
  many_fields += "\r\n";
  const Case cases[] = {
      {"URI over POCO's 16 KiB", "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n",
       414},
      {"header value over 8 KiB",
       "GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(9000, 'v') + "\r\n\r\n", 431},
      {"header name over 256 bytes",
       "GET /hello HTTP/1.1\r\nHost: t\r\n" + std::string(300, 'n') + ": v\r\n\r\n", 431},
      {"more than 100 header fields", many_fields, 431},
      {"version too long", "GET /hello HTTP/1.1.1.1.1\r\nHost: t\r\n\r\n", 400},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string answer = Raw(port(), c.request);
    EXPECT_EQ(RawStatus(answer), c.status) << answer.substr(0, 200);
    EXPECT_NE(answer.find("Connection: Close\r\n"), std::string::npos) << answer.substr(0, 200);
  }
  // The server is still fine.
  EXPECT_EQ(Fetch(port(), "GET", "/hello").status, 200);
}

TEST(StatusForParseFailureTest, MapsPocoMessagesToStatuses) {
  const struct {
    const char* message;
    int status;
  } cases[] = {
      {"Malformed message: HTTP request URI invalid or too long", 414},
      {"Malformed message: Field name too long/no colon found", 431},
      {"Malformed message: Field value too long/no CRLF found", 431},
      {"Malformed message: Folded field value too long/no CRLF found", 431},
      {"Malformed message: Too many header fields", 431},
      {"Malformed message: HTTP request method invalid or too long", 400},
      {"Malformed message: Invalid HTTP version string", 400},
      {"", 400},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.message);
    EXPECT_EQ(StatusForParseFailure(c.message), c.status);
  }
}

// A client that sends its request one byte at a time, each byte well within the per-read
// timeout (slowloris): only the whole-request deadline ends it.
class Trickler {
 public:
  Trickler(uint16_t port, std::string request) : request_(std::move(request)) {
    socket_.connect(Poco::Net::SocketAddress("127.0.0.1", port), Poco::Timespan(5, 0));
    socket_.setReceiveTimeout(Poco::Timespan(0, 200000));
  }
  // Sends the next byte (if any is left) and collects what the server sent. False once the
  // server has closed the connection.
  bool Step() {
    if (closed_) return false;
    try {
      if (sent_ < request_.size()) socket_.sendBytes(&request_[sent_++], 1);
    } catch (const Poco::Exception&) {
      // The server shut its side: the answer, if any, is still to be read.
    }
    char buf[1024];
    try {
      const int n = socket_.receiveBytes(buf, sizeof buf);
      if (n <= 0) {
        closed_ = true;
      } else {
        answer_.append(buf, static_cast<size_t>(n));
      }
    } catch (const Poco::TimeoutException&) {
      // Nothing yet.
    } catch (const Poco::Exception&) {
      closed_ = true;
    }
    return !closed_;
  }
  const std::string& answer() const { return answer_; }

 private:
  Poco::Net::StreamSocket socket_;
  const std::string request_;
  size_t sent_ = 0;
  bool closed_ = false;
  std::string answer_;
};

int ThreadsOfThisProcess() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

TEST_F(WebServerTest, RequestTricklingPastTheDeadlineIsCut) {
  options_.request_timeout = std::chrono::seconds(1);
  StartServer();
  Trickler slow(port(),
                "GET /hello HTTP/1.1\r\nHost: t\r\nX-Pad: " + std::string(200, 'p') + "\r\n\r\n");
  const auto start = std::chrono::steady_clock::now();
  while (slow.Step() && std::chrono::steady_clock::now() - start < std::chrono::seconds(8)) {
  }
  // Cut at the 1 s deadline (common/deadline_watch.h), far from the 10 s per-read timeout
  // that the byte every 200 ms would never trip.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
  EXPECT_EQ(RawStatus(slow.answer()), 408) << slow.answer();
}

TEST_F(WebServerTest, RequestStalledPastTheReadTimeoutIs408) {
  StartServer();
  // Half a request line, then silence: the per-read timeout (5 s) ends it, well before the
  // 20 s request deadline, with 408 rather than a parse error.
  const auto start = std::chrono::steady_clock::now();
  const std::string answer = Raw(port(), "GET /hel");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(8));
  EXPECT_EQ(RawStatus(answer), 408) << answer;
}

// The "flood of slow clients": every worker and every queue place taken by clients
// trickling their requests. The pool stays bounded, a normal client is answered at once (503
// with Retry-After) or served, never left hanging, and served once the deadline has cut the
// slow ones, while they are still trickling.
TEST_F(WebServerTest, FloodOfSlowClientsKeepsThePoolBoundedAndOthersServed) {
  options_.workers = 2;
  options_.max_queued = 2;
  options_.request_timeout = std::chrono::seconds(2);
  StartServer();
  const int threads_before = ThreadsOfThisProcess();
  std::vector<std::unique_ptr<Trickler>> slow;
  for (int i = 0; i < options_.workers + options_.max_queued + 10; ++i) {
    slow.push_back(std::make_unique<Trickler>(
        port(), "GET /hello HTTP/1.1\r\nHost: t\r\nX-Pad: " + std::string(500, 'p') + "\r\n\r\n"));
  }
  for (auto& s : slow) s->Step();
  EXPECT_LE(ThreadsOfThisProcess() - threads_before, options_.workers);

  const auto start = std::chrono::steady_clock::now();
  const Reply first = Fetch(port(), "GET", "/hello");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  if (first.status == 503) {
    EXPECT_EQ(first.retry_after, "1");
  } else {
    EXPECT_EQ(first.status, 200);
  }

  // The slow clients go on trickling; the deadline frees their workers, and a normal client is
  // served within a few seconds.
  int status = 0;
  while (status != 200 && std::chrono::steady_clock::now() - start < std::chrono::seconds(10)) {
    for (auto& s : slow) s->Step();
    status = Fetch(port(), "GET", "/hello").status;
  }
  EXPECT_EQ(status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(8));
  EXPECT_LE(ThreadsOfThisProcess() - threads_before, options_.workers);
}

TEST_F(WebServerTest, KeepAliveCarriesPipelinedRequests) {
  StartServer();
  const std::string answer =
      Raw(port(),
          "GET /hello HTTP/1.1\r\nHost: t\r\n\r\nGET /garden/feed.atom HTTP/1.1\r\nHost: t\r\n"
          "Connection: close\r\n\r\n");
  const size_t second = answer.find("HTTP/1.1 200", 1);
  ASSERT_NE(second, std::string::npos) << answer;
  EXPECT_EQ(RawStatus(answer), 200);
  EXPECT_NE(answer.find("Connection: Keep-Alive\r\n"), std::string::npos) << answer;
  EXPECT_NE(answer.find("hello"), std::string::npos) << answer;
  EXPECT_NE(answer.find("feed of garden", second), std::string::npos) << answer;
  EXPECT_NE(answer.find("Connection: Close\r\n", second), std::string::npos) << answer;
}

TEST_F(WebServerTest, NotModifiedHasNoBodyAndNoContentLength) {
  router_.Add("GET", "/cached", [](const WebRequest&, const PathParams&) {
    WebResponse r;
    r.status = 304;
    r.SetHeader("ETag", "\"x\"");
    return Result<WebResponse>(std::move(r));
  });
  StartServer();
  const std::string answer =
      Raw(port(),
          "GET /cached HTTP/1.1\r\nHost: t\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n"
          "Connection: close\r\n\r\n");
  EXPECT_EQ(RawStatus(answer), 304) << answer;
  const size_t end = answer.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos);
  EXPECT_EQ(answer.substr(0, end).find("Content-Length"), std::string::npos) << answer;
  EXPECT_NE(answer.find("ETag: \"x\"\r\n"), std::string::npos) << answer;
  // No body: the next answer starts right after the head.
  EXPECT_EQ(answer.compare(end + 4, 12, "HTTP/1.1 200"), 0) << answer;
}

TEST_F(WebServerTest, HeaderWithALineBreakIsDropped) {
  router_.Add("GET", "/split", [](const WebRequest&, const PathParams&) {
    WebResponse r;
    r.body = "ok";
    r.SetHeader("X-Evil", "a\r\nSet-Cookie: stolen=1");
    r.SetHeader("X-Fine", "yes");
    return Result<WebResponse>(std::move(r));
  });
  StartServer();
  const std::string answer =
      Raw(port(), "GET /split HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(RawStatus(answer), 200);
  EXPECT_EQ(answer.find("Set-Cookie"), std::string::npos) << answer;
  EXPECT_NE(answer.find("X-Fine: yes\r\n"), std::string::npos) << answer;
}

TEST_F(WebServerTest, StopDoesNotWaitForIdleKeepAliveConnections) {
  StartServer();
  Poco::Net::HTTPClientSession idle("127.0.0.1", port());
  Poco::Net::HTTPRequest request("GET", "/hello", Poco::Net::HTTPMessage::HTTP_1_1);
  idle.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::string body;
  Poco::StreamCopier::copyToString(idle.receiveResponse(response), body);
  ASSERT_EQ(response.getStatus(), 200);
  // The connection now waits for a next request (up to 5 s): Stop() wakes it.
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST_F(WebServerTest, ExpectContinueIsAnsweredBeforeTheBodyIsRead) {
  options_.max_body_bytes = 1024;
  StartServer();
  Poco::Net::StreamSocket socket;
  socket.connect(Poco::Net::SocketAddress("127.0.0.1", port()), Poco::Timespan(5, 0));
  socket.setReceiveTimeout(Poco::Timespan(5, 0));
  const std::string head =
      "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\nExpect: 100-continue\r\n"
      "Connection: close\r\n\r\n";
  socket.sendBytes(head.data(), static_cast<int>(head.size()));
  char buf[256];
  const int n = socket.receiveBytes(buf, sizeof buf);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), "HTTP/1.1 100 Continue\r\n\r\n");
  socket.sendBytes("0123456789", 10);
  std::string answer;
  for (int got; (got = socket.receiveBytes(buf, sizeof buf)) > 0;) {
    answer.append(buf, static_cast<size_t>(got));
  }
  EXPECT_EQ(RawStatus(answer), 200) << answer;
  EXPECT_NE(answer.find("got 10"), std::string::npos) << answer;

  // Over the cap: refused at once, no "100 Continue" (the client never sends its body).
  const std::string refused = Raw(
      port(),
      "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(RawStatus(refused), 413) << refused;
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
