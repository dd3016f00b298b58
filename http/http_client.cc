#include "http/http_client.h"

#include <algorithm>
#include <cctype>

namespace feedbridge::http {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view HttpResponse::Find(std::string_view name) const {
  for (const Header& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return h.value;
  }
  return {};
}

bool HttpResponse::MovedPermanently() const {
  if (redirects.empty()) return false;
  return std::all_of(redirects.begin(), redirects.end(),
                     [](const Redirect& r) { return r.status == 301 || r.status == 308; });
}

}  // namespace feedbridge::http
