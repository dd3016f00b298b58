#include "http/response_parser.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/status_matchers.h"

namespace feedbridge::http {
namespace {

using feedbridge::testing::StatusIs;
using ::testing::HasSubstr;
using Code = Status::Code;

constexpr size_t kCap = 1 << 20;

// What a parser made of a response, to compare runs fed in different pieces.
struct Parsed {
  bool done = false;
  Status status;
  int code = 0;
  std::string headers;  // "name=value;" each.
  std::string body;
  bool keep_alive = false;
  size_t used = 0;

  bool operator==(const Parsed& o) const {
    return done == o.done && status.ok() == o.status.ok() && code == o.code &&
           headers == o.headers && body == o.body && keep_alive == o.keep_alive && used == o.used;
  }
};

Parsed Snapshot(ResponseParser& p, size_t used) {
  Parsed r;
  r.done = p.done();
  r.status = p.status();
  r.code = p.status_code();
  for (const Header& h : p.headers()) r.headers += h.name + "=" + h.value + ";";
  r.body = p.body();
  r.keep_alive = p.keep_alive();
  r.used = used;
  return r;
}

// Feeds `bytes` in one piece; with `close`, the peer closes afterwards.
Parsed ParseWhole(std::string_view bytes, bool close = false, bool head = false,
                  size_t cap = kCap) {
  ResponseParser p(head, cap);
  const size_t used = p.Feed(bytes);
  if (close) p.End();
  return Snapshot(p, used);
}

// Feeds `bytes` in pieces of `size` (stopping where the parser stops taking bytes).
Parsed ParsePieces(std::string_view bytes, size_t size, bool close = false) {
  ResponseParser p(false, kCap);
  size_t used = 0;
  for (size_t at = 0; at < bytes.size(); at += size) {
    const std::string_view piece = bytes.substr(at, size);
    const size_t n = p.Feed(piece);
    used += n;
    if (n < piece.size()) break;
  }
  if (close) p.End();
  return Snapshot(p, used);
}

TEST(ResponseParserTest, ContentLengthBody) {
  const std::string r =
      "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 5\r\n\r\nhello";
  const Parsed p = ParseWhole(r);
  EXPECT_TRUE(p.done);
  ASSERT_OK(p.status);
  EXPECT_EQ(p.code, 200);
  EXPECT_EQ(p.headers, "Content-Type=text/xml;Content-Length=5;");
  EXPECT_EQ(p.body, "hello");
  EXPECT_TRUE(p.keep_alive);
  EXPECT_EQ(p.used, r.size());
}

TEST(ResponseParserTest, AnyPiecesGiveTheSameResult) {
  const std::string responses[] = {
      "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world",
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nExpires: never\r\n\r\n",
      "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 900\r\n\r\n",
      "HTTP/1.0 200 OK\nServer: old\n\nuntil the close",
  };
  for (const std::string& r : responses) {
    const bool close = r.starts_with("HTTP/1.0");
    const Parsed whole = ParseWhole(r, close);
    ASSERT_TRUE(whole.done) << r;
    ASSERT_OK(whole.status);
    for (size_t size = 1; size <= r.size(); ++size) {
      EXPECT_EQ(ParsePieces(r, size, close), whole) << "pieces of " << size << ": " << r;
    }
  }
}

TEST(ResponseParserTest, ChunkedBodyWithExtensionsAndTrailers) {
  const Parsed p = ParseWhole(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: yes\r\n\r\n");
  EXPECT_TRUE(p.done);
  EXPECT_EQ(p.body, "abc0123456789");
  EXPECT_TRUE(p.keep_alive);
}

TEST(ResponseParserTest, TransferEncodingWinsOverContentLength) {
  const Parsed p = ParseWhole(
      "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\nok\r\n0\r\n\r\n");
  EXPECT_TRUE(p.done);
  EXPECT_EQ(p.body, "ok");
}

TEST(ResponseParserTest, NonChunkedTransferEncodingIsReadToTheClose) {
  ResponseParser p(false, kCap);
  p.Feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc");
  EXPECT_FALSE(p.done());
  p.End();
  EXPECT_TRUE(p.done());
  EXPECT_EQ(p.body(), "abc");
  EXPECT_FALSE(p.keep_alive());
}

TEST(ResponseParserTest, NotModifiedAndNoContentHaveNoBody) {
  for (const char* r : {"HTTP/1.1 304 Not Modified\r\nContent-Length: 3000\r\n\r\n",
                        "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n"}) {
    const Parsed p = ParseWhole(r);
    EXPECT_TRUE(p.done) << r;
    EXPECT_EQ(p.body, "") << r;
    EXPECT_TRUE(p.keep_alive) << r;
  }
}

TEST(ResponseParserTest, AnswerToHeadHasNoBody) {
  const std::string r = "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n";
  const Parsed p = ParseWhole(r, false, /*head=*/true);
  EXPECT_TRUE(p.done);
  EXPECT_EQ(p.used, r.size());
}

TEST(ResponseParserTest, BodyWithoutLengthEndsAtTheClose) {
  ResponseParser p(false, kCap);
  p.Feed("HTTP/1.1 200 OK\r\n\r\npart one, ");
  p.Feed("part two");
  EXPECT_FALSE(p.done());
  p.End();
  EXPECT_TRUE(p.done());
  ASSERT_OK(p.status());
  EXPECT_EQ(p.body(), "part one, part two");
  EXPECT_FALSE(p.keep_alive());
}

TEST(ResponseParserTest, KeepAliveFollowsVersionAndConnectionField) {
  EXPECT_FALSE(
      ParseWhole("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").keep_alive);
  EXPECT_FALSE(ParseWhole("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keep_alive);
  EXPECT_TRUE(ParseWhole("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n")
                  .keep_alive);
  EXPECT_TRUE(ParseWhole("HTTP/1.1 200 OK\r\nConnection: upgrade, x\r\nContent-Length: 0\r\n\r\n")
                  .keep_alive);
}

TEST(ResponseParserTest, InterimAnswersAreSkipped) {
  const Parsed p = ParseWhole(
      "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
      "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n");
  EXPECT_TRUE(p.done);
  EXPECT_EQ(p.code, 304);
  EXPECT_EQ(p.headers, "ETag=\"x\";");
}

TEST(ResponseParserTest, SwitchingProtocolsIsAnError) {
  EXPECT_THAT(ParseWhole("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n").status,
              StatusIs(Code::kUnavailable, HasSubstr("101")));
}

TEST(ResponseParserTest, LeadingBlankLinesAndBareLineFeedsAreTolerated) {
  const Parsed p = ParseWhole("\r\n\nHTTP/1.1 200 OK\nContent-Length: 2\n\nok");
  EXPECT_TRUE(p.done);
  EXPECT_EQ(p.body, "ok");
}

TEST(ResponseParserTest, FoldedFieldIsJoinedWithASpace) {
  const Parsed p = ParseWhole("HTTP/1.1 304 NM\r\nX-Long: one\r\n  two\r\n\r\n");
  EXPECT_EQ(p.headers, "X-Long=one two;");
}

TEST(ResponseParserTest, MalformedStatusLinesAreUnavailable) {
  for (const char* r :
       {"HTTP/2 200 OK\r\n\r\n", "ICY 200 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 099 Low\r\n\r\n", "<html>hello</html>\r\n\r\n"}) {
    EXPECT_THAT(ParseWhole(r).status,
                StatusIs(Code::kUnavailable, HasSubstr("malformed status line")))
        << r;
  }
}

TEST(ResponseParserTest, MalformedFieldLinesAreUnavailable) {
  for (const char* r :
       {"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
        "HTTP/1.1 200 OK\r\nbad name: x\r\n\r\n", "HTTP/1.1 200 OK\r\n folded first\r\n\r\n"}) {
    EXPECT_THAT(ParseWhole(r).status,
                StatusIs(Code::kUnavailable, HasSubstr("malformed header line")))
        << r;
  }
}

TEST(ResponseParserTest, HugeHeaderBlockIsUnavailable) {
  ResponseParser p(false, kCap);
  p.Feed("HTTP/1.1 200 OK\r\n");
  const std::string field = "X-Junk: " + std::string(1000, 'a') + "\r\n";
  size_t fed = 0;
  while (p.status().ok() && fed < 200) {
    p.Feed(field);
    ++fed;
  }
  EXPECT_THAT(p.status(), StatusIs(Code::kUnavailable, HasSubstr("header block over 65536")));
  EXPECT_LT(fed, 70u);  // Stopped near the cap, not at the end of the input.
}

TEST(ResponseParserTest, TooManyFieldsIsUnavailable) {
  std::string r = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 101; ++i) r += "X-" + std::to_string(i) + ": 1\r\n";
  r += "\r\n";
  EXPECT_THAT(ParseWhole(r).status, StatusIs(Code::kUnavailable, HasSubstr("over 100")));
}

TEST(ResponseParserTest, ContentLengthsMustAgreeAndBeNumbers) {
  EXPECT_TRUE(
      ParseWhole("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok").done);
  EXPECT_TRUE(ParseWhole("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok").done);
  for (const char* r : {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
                        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                        "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n",
                        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n"}) {
    EXPECT_THAT(ParseWhole(r).status, StatusIs(Code::kUnavailable, HasSubstr("Content-Length")))
        << r;
  }
}

TEST(ResponseParserTest, BodiesOverTheCapAreResourceExhausted) {
  EXPECT_THAT(ParseWhole("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", false, false, 10).status,
              StatusIs(Code::kResourceExhausted, HasSubstr("Content-Length 11 over 10 bytes")));
  EXPECT_THAT(ParseWhole("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "6\r\nabcdef\r\n6\r\n",
                         false, false, 10)
                  .status,
              StatusIs(Code::kResourceExhausted, HasSubstr("body over 10 bytes")));
  EXPECT_THAT(ParseWhole("HTTP/1.1 200 OK\r\n\r\n" + std::string(11, 'x'), false, false, 10).status,
              StatusIs(Code::kResourceExhausted, HasSubstr("body over 10 bytes")));
  // At the cap is fine.
  EXPECT_TRUE(ParseWhole("HTTP/1.1 200 OK\r\n\r\n" + std::string(10, 'x'), true, false, 10).done);
}

TEST(ResponseParserTest, BrokenChunkingIsUnavailable) {
  EXPECT_THAT(ParseWhole("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").status,
              StatusIs(Code::kUnavailable, HasSubstr("chunk size")));
  EXPECT_THAT(
      ParseWhole("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n").status,
      StatusIs(Code::kUnavailable, HasSubstr("chunk longer than its size")));
  EXPECT_THAT(
      ParseWhole("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(5000, '1'))
          .status,
      StatusIs(Code::kUnavailable, HasSubstr("over 4096 bytes")));
}

TEST(ResponseParserTest, CloseBeforeTheEndIsUnavailable) {
  EXPECT_THAT(ParseWhole("", true).status,
              StatusIs(Code::kUnavailable, HasSubstr("before any response")));
  EXPECT_THAT(ParseWhole("HTTP/1.1 200 OK\r\nContent-", true).status,
              StatusIs(Code::kUnavailable, HasSubstr("middle of the response headers")));
  EXPECT_THAT(ParseWhole("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", true).status,
              StatusIs(Code::kUnavailable, HasSubstr("closed after 2 of 5 body bytes")));
  EXPECT_THAT(
      ParseWhole("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", true).status,
      StatusIs(Code::kUnavailable, HasSubstr("chunked body")));
}

TEST(ResponseParserTest, BytesAfterTheResponseAreLeftUnused) {
  const std::string first = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  ResponseParser p(false, kCap);
  EXPECT_EQ(p.Feed(first + "HTTP/1.1 200 OK\r\n"), first.size());
  EXPECT_TRUE(p.done());
}

TEST(ResponseParserTest, StartedAndPhase) {
  ResponseParser p(false, kCap);
  EXPECT_FALSE(p.started());
  EXPECT_EQ(p.phase(), "waiting for the response headers");
  p.Feed("H");
  EXPECT_TRUE(p.started());
  p.Feed("TTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\na");
  EXPECT_EQ(p.phase(), "reading the body");
}

}  // namespace
}  // namespace feedbridge::http
