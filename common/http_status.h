#pragma once

// HTTP status facts shared by the client (http/) and the server (web/).

#include <string_view>

namespace feedbridge {

// The standard reason phrase of a status (RFC 9110 §15: "Not Found"), or empty for a status
// outside the table. The view is of a NUL-terminated literal.
std::string_view ReasonPhrase(int status);

}  // namespace feedbridge
