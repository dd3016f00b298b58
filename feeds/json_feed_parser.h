#pragma once

// Internal to feeds/: JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) into the model.

#include <string_view>

#include "common/result.h"
#include "feeds/model.h"
#include "feeds/parse_options.h"

namespace feedbridge::feeds::internal {

// `utf8` must be valid UTF-8. InvalidArgument when it is not JSON, or not a JSON Feed object.
Result<Feed> ParseJsonFeed(std::string_view utf8, const ParseOptions& options);

}  // namespace feedbridge::feeds::internal
