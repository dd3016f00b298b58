#include "omb/blog_profile.h"

#include "common/utf8.h"
#include "omb/notice_text.h"

namespace feedbridge::omb {
namespace {

// `text` (white space collapsed) in at most `max_bytes` bytes, cut on a word boundary with "…".
// FitNoticeText counts characters; a character is at least one byte, so fewer characters are
// asked for until the bytes fit too (text in scripts of 3-byte characters takes a third).
std::string FitBytes(std::string_view text, size_t max_bytes) {
  for (size_t chars = max_bytes; chars > 0; --chars) {
    std::string fitted = FitNoticeText("{summary}", {.summary = std::string(text)}, chars);
    if (fitted.size() <= max_bytes) return fitted;
  }
  return "";
}

}  // namespace

ListeneeProfile BlogProfile(const BlogAccount& blog, std::string_view base_url,
                            std::string_view license) {
  ListeneeProfile p;
  const std::string base(base_url);
  p.uri = base + "user/" + std::to_string(blog.account_id);
  p.profile = base + blog.nickname;
  p.nickname = blog.nickname;
  p.license = std::string(license);
  // A feed's title or description may hold anything: ill-formed UTF-8 would make every peer
  // refuse the whole profile.
  p.fullname = FitBytes(ToWellFormedUtf8(blog.title), kMaxUriBytes);
  p.bio = FitBytes(ToWellFormedUtf8(blog.description), kMaxBioLength);
  if (!blog.site_url.empty()) {
    if (Result<std::string> home = EncodeForStrictUri(blog.site_url);
        home.ok() && home->size() <= kMaxUriBytes) {
      p.homepage = std::move(home).value();
    }
  }
  return p;
}

}  // namespace feedbridge::omb
