#pragma once

// The page templates (web/templates/*: Mustache pages and the stylesheet), compiled into the
// binary by web/embed_templates.cmake, so the server needs no files at run time.

#include <optional>
#include <string_view>

namespace feedbridge::web {

// The text of web/templates/<name> ("layout.mustache", "style.css") as it was at build time,
// or nullopt when there is no such template. The view points at static storage. Thread-safe.
std::optional<std::string_view> TemplateText(std::string_view name);

}  // namespace feedbridge::web
