#include "feeds/identity.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA1Engine.h>

namespace feedbridge::feeds {

std::string EntryIdentity(const Entry& entry) {
  if (!entry.id.empty()) return entry.id;
  if (std::string url = entry.Url(); !url.empty()) return url;
  // DESIGN.md "Entries": a hash of title and content when the entry names itself no other way.
  Poco::SHA1Engine sha1;
  sha1.update(entry.title.value);
  sha1.update('\0');
  sha1.update(entry.summary.value);
  for (const Text& content : entry.contents) {
    sha1.update('\0');
    sha1.update(content.value);
  }
  return "sha1:" + Poco::DigestEngine::digestToHex(sha1.digest());
}

}  // namespace feedbridge::feeds
