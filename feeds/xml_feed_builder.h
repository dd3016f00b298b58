#pragma once

// Internal to feeds/: turns the SAX events of an RSS, RDF or Atom document into a Feed.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "feeds/model.h"
#include "feeds/parse_options.h"
#include "feeds/xml_sax.h"

namespace feedbridge::feeds::internal {

struct BuilderState;  // xml_builder_state.h

// Not thread-safe; one per document. `options` and `feed` must outlive the builder.
class FeedBuilder final : public XmlHandler {
 public:
  FeedBuilder(const ParseOptions& options, Feed& feed);
  ~FeedBuilder() override;
  FeedBuilder(const FeedBuilder&) = delete;
  FeedBuilder& operator=(const FeedBuilder&) = delete;

  void StartElement(std::string_view ns, std::string_view prefix, std::string_view local,
                    const std::vector<XmlAttribute>& attributes) override;
  void EndElement() override;
  void Characters(std::string_view utf8) override;

  // Completes the feed after the last event. InvalidArgument when the document had no feed
  // root element (an HTML page, an unknown XML vocabulary, nothing at all).
  Status Finish();

 private:
  std::unique_ptr<BuilderState> s_;
};

}  // namespace feedbridge::feeds::internal
