#include "feeds/opml.h"

#include <gtest/gtest.h>

#include "tests/support/status_matchers.h"

namespace feedbridge::feeds {
namespace {

using ::feedbridge::testing::StatusIs;

TEST(OpmlTest, ReadsNestedOutlinesInDocumentOrder) {
  Result<std::vector<OpmlOutline>> r = ParseOpml(R"(<?xml version="1.0"?>
<opml version="2.0"><head><title>subs</title></head><body>
  <outline text="Garden" title="The Garden" type="rss" xmlUrl="http://127.0.0.1/a.rss"
           htmlUrl="http://127.0.0.1/a"/>
  <outline text="Folder">
    <outline text="B &amp; C" type="rss" xmlUrl="http://127.0.0.1/b.xml"/>
    <outline text="no feed here"/>
  </outline>
</body></opml>)");
  ASSERT_OK(r);
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].xml_url, "http://127.0.0.1/a.rss");
  EXPECT_EQ((*r)[0].title, "The Garden");
  EXPECT_EQ((*r)[0].html_url, "http://127.0.0.1/a");
  EXPECT_EQ((*r)[1].title, "B & C");
}

TEST(OpmlTest, WrittenOpmlReadsBack) {
  std::vector<OpmlOutline> in = {{"http://127.0.0.1/x?a=1&b=2", "http://127.0.0.1/", "X <&> \"y\""},
                                 {"http://127.0.0.1/z", "", ""}};
  const std::string doc = WriteOpml(in, "feedbridge feeds");
  Result<std::vector<OpmlOutline>> back = ParseOpml(doc);
  ASSERT_OK(back);
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].xml_url, in[0].xml_url);
  EXPECT_EQ((*back)[0].title, in[0].title);
  EXPECT_EQ((*back)[1].xml_url, in[1].xml_url);
}

TEST(OpmlTest, NotOpmlIsInvalidArgument) {
  EXPECT_THAT(ParseOpml("<rss version=\"2.0\"/>"), StatusIs(Status::Code::kInvalidArgument));
  EXPECT_THAT(ParseOpml(""), StatusIs(Status::Code::kInvalidArgument));
}

TEST(OpmlTest, ExternalEntitiesAreNotExpanded) {
  Result<std::vector<OpmlOutline>> r = ParseOpml(R"(<!DOCTYPE opml [
<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&xxe;" xmlUrl="http://127.0.0.1/a"/></body></opml>)");
  ASSERT_OK(r);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].title.find("root:"), std::string::npos);
}

TEST(OpmlTest, OversizedDocumentIsResourceExhausted) {
  EXPECT_THAT(ParseOpml(std::string(2000, ' '), 1000),
              StatusIs(Status::Code::kResourceExhausted));
}

}  // namespace
}  // namespace feedbridge::feeds
