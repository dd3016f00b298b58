#include "http/http_client.h"

#include <algorithm>

#include "common/ascii.h"

namespace feedbridge::http {
std::string_view HttpResponse::Find(std::string_view name) const {
  for (const Header& h : headers) {
    if (EqualsIgnoreAsciiCase(h.name, name)) return h.value;
  }
  return {};
}

bool HttpResponse::MovedPermanently() const {
  if (redirects.empty()) return false;
  return std::all_of(redirects.begin(), redirects.end(),
                     [](const Redirect& r) { return r.status == 301 || r.status == 308; });
}

void HttpClient::SendEach(std::span<const HttpRequest> requests,
                          std::chrono::steady_clock::time_point start_by, const EachDone& done) {
  bool go_on = true;
  for (size_t i = 0; i < requests.size(); ++i) {
    if (!go_on || std::chrono::steady_clock::now() >= start_by) {
      go_on = done(i, NotSent{"http: " + requests[i].url + ": not sent: " +
                              (go_on ? "the batch ran out of time" : "the batch was stopped")}) &&
              go_on;
      continue;
    }
    go_on = done(i, Send(requests[i]));
  }
}

}  // namespace feedbridge::http
