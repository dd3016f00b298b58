#include <Poco/Logger.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "app/wiring.h"
#include "common/c_ptr.h"
#include "common/log.h"
#include "feeds/parser.h"
#include "feeds/writers.h"

namespace feedbridge::app {
namespace {

void CloseFile(std::FILE* file) { std::fclose(file); }
using FilePtr = CPtr<std::FILE, CloseFile>;

constexpr size_t kChunk = size_t{64} * 1024;

bool LooksLikeUrl(std::string_view s) {
  return s.starts_with("http://") || s.starts_with("https://");
}

// Reads at most `limit` bytes: enough to tell that a document is over a limit of limit - 1
// without reading an endless input (/dev/zero, a pipe that never closes) into memory.
Result<std::string> ReadFileAtMost(const std::string& path, size_t limit) {
  FilePtr file(std::fopen(path.c_str(), "rb"));
  if (file == nullptr) return Status::NotFound(std::strerror(errno));
  std::string bytes;
  while (bytes.size() < limit) {
    const size_t old_size = bytes.size();
    const size_t want = std::min(kChunk, limit - old_size);
    bytes.resize(old_size + want);
    const size_t got = std::fread(bytes.data() + old_size, 1, want, file.get());
    bytes.resize(old_size + got);
    if (got < want) {
      // A directory opens but fails to read (EISDIR).
      if (std::ferror(file.get()) != 0) return Status::NotFound(std::strerror(errno));
      break;
    }
  }
  return bytes;
}

std::string ReadStreamAtMost(std::istream& in, size_t limit) {
  std::string bytes;
  while (bytes.size() < limit && in) {
    const size_t old_size = bytes.size();
    const size_t want = std::min(kChunk, limit - old_size);
    bytes.resize(old_size + want);
    in.read(bytes.data() + old_size, static_cast<std::streamsize>(want));
    bytes.resize(old_size + static_cast<size_t>(in.gcount()));
  }
  return bytes;
}

}  // namespace

Result<ParseRequest> MakeParseRequest(const CommandLine& line) {
  ParseRequest request;
  request.file = line.arguments.at(0);
  if (auto to = line.flags.find("--to"); to != line.flags.end()) {
    if (to->second == "jsonfeed") {
      request.to = FeedOutput::kJsonFeed;
    } else if (to->second == "atom") {
      request.to = FeedOutput::kAtom;
    } else if (to->second == "rss") {
      request.to = FeedOutput::kRss;
    } else {
      return Status::InvalidArgument("parse: --to must be jsonfeed, atom or rss, not '" +
                                     to->second + "'");
    }
  }
  if (auto base = line.flags.find("--base-url"); base != line.flags.end()) {
    if (!LooksLikeUrl(base->second)) {
      return Status::InvalidArgument("parse: --base-url must be an http:// or https:// URL, not '" +
                                     base->second + "'");
    }
    request.base_url = base->second;
  }
  if (auto type = line.flags.find("--content-type"); type != line.flags.end()) {
    request.content_type = type->second;
  }
  return request;
}

int RunParse(const ParseRequest& request, const config::Config& config, Io& io) {
  const bool from_stdin = request.file == "-";
  const std::string name = from_stdin ? "standard input" : request.file;
  const size_t limit = config.poller.max_body_bytes;
  std::string bytes;
  std::string base_url = request.base_url;
  std::string content_type = request.content_type;
  if (LooksLikeUrl(request.file)) {
    // Fetched exactly as the poller fetches: same client, limits and private-network policy.
    Result<std::unique_ptr<Services>> services =
        Services::Open(config, {.database = false, .http = true});
    if (!services.ok()) {
      io.err << "feedbridge: parse: " << services.status().message() << "\n";
      return kExitUnavailable;
    }
    http::HttpRequest get;
    get.url = request.file;
    get.timeout = config.poller.fetch_timeout;
    get.max_body_bytes = limit;
    get.max_redirects = config.poller.max_redirects;
    Result<http::HttpResponse> response = (*services)->poller_http().Send(get);
    if (!response.ok()) {
      io.err << "feedbridge: parse: " << response.status().message() << "\n";
      return response.status().code() == Status::Code::kResourceExhausted ? kExitDataError
                                                                          : kExitUnavailable;
    }
    if (response->status < 200 || response->status > 299) {
      io.err << "feedbridge: parse: " << name << ": HTTP " << response->status << "\n";
      return kExitUnavailable;
    }
    bytes = std::move(response->body);
    if (base_url.empty()) base_url = response->final_url.empty() ? name : response->final_url;
    if (content_type.empty()) content_type = std::string(response->Find("Content-Type"));
  } else if (from_stdin) {
    bytes = ReadStreamAtMost(io.in, limit + 1);
  } else {
    Result<std::string> read = ReadFileAtMost(request.file, limit + 1);
    if (!read.ok()) {
      io.err << "feedbridge: parse: " << name << ": cannot read (" << read.status().message()
             << ")\n";
      return kExitNoInput;
    }
    bytes = std::move(read).value();
  }
  if (bytes.size() > limit) {
    io.err << "feedbridge: parse: " << name << ": larger than poller.max_body_bytes (" << limit
           << " bytes)\n";
    return kExitDataError;
  }

  feeds::ParseOptions options;
  options.base_url = base_url;
  options.content_type = content_type;
  options.max_document_bytes = limit;
  Result<feeds::Feed> feed = feeds::ParseFeed(bytes, options);
  if (!feed.ok()) {
    io.err << "feedbridge: parse: " << name << ": " << feed.status().message() << "\n";
    const Status::Code code = feed.status().code();
    return code == Status::Code::kInvalidArgument || code == Status::Code::kResourceExhausted
               ? kExitDataError
               : kExitSoftware;
  }
  ModuleLogger("app").debug("parse: %s: %s, %z entries", name,
                            std::string(feeds::FormatName(feed->format)), feed->entries.size());

  std::string text;
  switch (request.to) {
    case FeedOutput::kJsonFeed:
      text = feeds::WriteJsonFeed(*feed);
      break;
    case FeedOutput::kAtom:
      text = feeds::WriteAtom(*feed);
      break;
    case FeedOutput::kRss:
      text = feeds::WriteRss(*feed);
      break;
  }
  io.out << text;
  if (!text.ends_with('\n')) io.out << '\n';
  io.out.flush();
  if (!io.out) {
    io.err << "feedbridge: parse: writing the output failed\n";
    return kExitIoError;
  }
  return kExitOk;
}

}  // namespace feedbridge::app
