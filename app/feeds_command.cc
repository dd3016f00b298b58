// feedbridge feeds add | list | show | remove | import | export

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "app/feed_display.h"
#include "app/nickname.h"
#include "app/wiring.h"
#include "common/text.h"
#include "feeds/discovery.h"
#include "feeds/html.h"
#include "feeds/opml.h"
#include "feeds/parser.h"

namespace feedbridge::app {
namespace {

int ExitFor(const Status& s) {
  switch (s.code()) {
    case Status::Code::kInvalidArgument:
    case Status::Code::kResourceExhausted:
      return kExitDataError;
    case Status::Code::kNotFound:
      return kExitNoInput;
    case Status::Code::kAlreadyExists:
    case Status::Code::kFailedPrecondition:
      return kExitDataError;
    case Status::Code::kUnavailable:
    case Status::Code::kDeadlineExceeded:
    case Status::Code::kPermissionDenied:
      return kExitUnavailable;
    default:
      return kExitSoftware;
  }
}

int Fail(Io& io, std::string_view what, const Status& s) {
  io.err << "feedbridge: " << what << ": " << s.message() << "\n";
  return ExitFor(s);
}

std::string FormatTime(std::optional<TimePoint> t) {
  if (!t) return "-";
  const auto secs = std::chrono::floor<std::chrono::seconds>(*t);
  const auto days = std::chrono::floor<std::chrono::days>(secs);
  const std::chrono::year_month_day ymd(days);
  const std::chrono::hh_mm_ss hms(secs - days);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace

// One line of health: "ok", "failing since T (N failures): ERROR", "disabled: REASON".
std::string Health(const store::FeedRecord& f) {
  if (f.disabled()) return "disabled: " + f.disabled_reason;
  if (f.consecutive_failures > 0) {
    return "failing since " + FormatTime(f.failing_since) + " (" +
           std::to_string(f.consecutive_failures) + " failures): " + f.last_error;
  }
  if (!f.last_polled_at) return "new (not polled yet)";
  return "ok";
}

std::string TimeText(std::optional<TimePoint> t) { return FormatTime(t); }

// Resolves FEED given as an id, a nickname or a URL.
Result<store::FeedRecord> FindFeedArg(store::FeedStore& feeds, const std::string& arg) {
  if (!arg.empty() && arg.find_first_not_of("0123456789") == std::string::npos) {
    Result<store::FeedRecord> by_id = feeds.GetFeed(std::stoll(arg));
    if (by_id.ok() || by_id.status().code() != Status::Code::kNotFound) return by_id;
  }
  return feeds.FindFeed(arg);
}

namespace {

struct Fetched {
  std::string url;  // The feed URL (after discovery and redirects).
  feeds::Feed feed;
};

// Fetches `url`; an HTML page is searched for its feeds (<link rel="alternate">) and the first
// one is fetched instead.
Result<Fetched> FetchFeed(http::HttpClient& http, const config::Config& config, std::string url) {
  for (int hop = 0; hop < 2; ++hop) {
    http::HttpRequest request;
    request.url = url;
    request.timeout = config.poller.fetch_timeout;
    request.max_body_bytes = config.poller.max_body_bytes;
    request.max_redirects = config.poller.max_redirects;
    request.headers.push_back({"Accept",
                               "application/rss+xml, application/atom+xml, application/feed+json, "
                               "application/xml;q=0.9, text/html;q=0.8, */*;q=0.5"});
    Result<http::HttpResponse> response = http.Send(request);
    if (!response.ok()) return response.status();
    if (response->status < 200 || response->status > 299) {
      return Status::Unavailable(url + ": HTTP " + std::to_string(response->status));
    }
    const std::string final_url = response->final_url.empty() ? url : response->final_url;
    if (feeds::LooksLikeHtml(response->body)) {
      if (hop > 0) return Status::InvalidArgument(url + ": an HTML page, not a feed");
      std::vector<feeds::DiscoveredFeed> found = feeds::DiscoverFeeds(response->body, final_url);
      if (found.empty()) {
        return Status::InvalidArgument(
            final_url +
            ": an HTML page that advertises no feed "
            "(no <link rel=\"alternate\" type=\"application/rss+xml\">)");
      }
      url = found.front().url;
      continue;
    }
    feeds::ParseOptions options;
    options.base_url = final_url;
    options.content_type = std::string(response->Find("Content-Type"));
    options.max_document_bytes = config.poller.max_body_bytes;
    Result<feeds::Feed> feed = feeds::ParseFeed(response->body, options);
    if (!feed.ok()) return feed.status().WithContext(final_url);
    return Fetched{response->MovedPermanently() ? final_url : url, std::move(feed).value()};
  }
  return Status::InvalidArgument(url + ": discovery went in circles");
}

Result<std::string> FreeNickname(store::FeedStore& feeds, const std::string& base) {
  for (int n = 1; n < 1000; ++n) {
    const std::string candidate = n == 1 ? base : NumberedNickname(base, n);
    Result<store::FeedRecord> taken = feeds.FindFeed(candidate);
    if (!taken.ok() && taken.status().code() == Status::Code::kNotFound) return candidate;
    if (!taken.ok()) return taken.status();
  }
  return Status::AlreadyExists("no free nickname like '" + base + "'");
}

int Add(const CommandLine& line, const config::Config& config, Io& io) {
  if (line.arguments.size() != 2) {
    io.err << "feedbridge: feeds add: missing URL (see feedbridge feeds --help)\n";
    return kExitUsage;
  }
  const std::string& url = line.arguments[1];
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    io.err << "feedbridge: feeds add: '" << url << "' is not an http:// or https:// URL\n";
    return kExitUsage;
  }
  std::string nickname;
  if (auto it = line.flags.find("--nickname"); it != line.flags.end()) {
    nickname = it->second;
    if (!IsValidNickname(nickname)) {
      io.err << "feedbridge: feeds add: nickname '" << nickname
             << "' must be 1 to 64 characters of [0-9a-z]\n";
      return kExitUsage;
    }
  }
  Result<std::unique_ptr<Services>> services = Services::Open(config, {.poller = true});
  if (!services.ok()) return Fail(io, "feeds add", services.status());
  Services& s = **services;

  Result<Fetched> fetched = FetchFeed(s.poller_http(), config, url);
  if (!fetched.ok()) return Fail(io, "feeds add", fetched.status());
  if (nickname.empty()) {
    Result<std::string> free = FreeNickname(
        s.database().feeds(),
        DeriveNickname(
            feeds::HtmlToText(fetched->feed.title.value),
            fetched->feed.home_page_url.empty() ? fetched->url : fetched->feed.home_page_url));
    if (!free.ok()) return Fail(io, "feeds add", free.status());
    nickname = *free;
  }
  Result<store::FeedRecord> added = s.database().feeds().AddFeed(store::NewFeed{
      .url = fetched->url,
      .nickname = nickname,
      .title = feeds::HtmlToText(fetched->feed.title.value),
      .site_url = fetched->feed.home_page_url,
      .description = feeds::HtmlToText(fetched->feed.subtitle.value),
  });
  if (!added.ok()) return Fail(io, "feeds add", added.status());
  // The first poll records the entries it finds without broadcasting them (no backlog).
  Result<poller::PollReport> report = s.poller().PollFeed(added->id);
  io.out << "added feed " << added->id << ": " << added->nickname << " <" << added->url << ">";
  if (report.ok()) {
    io.out << ", " << Counted(report->entries_seen, "entry", "entries")
           << " (not broadcast), next poll " << FormatTime(report->next_poll_at);
  }
  io.out << "\nprofile: " << config.server.base_url << added->nickname << "\n";
  if (!report.ok()) return Fail(io, "feeds add: first poll", report.status());
  return kExitOk;
}

int List(const config::Config& config, Io& io) {
  Result<std::unique_ptr<Services>> services = Services::Open(config, {});
  if (!services.ok()) return Fail(io, "feeds list", services.status());
  store::FeedStore& feeds = (*services)->database().feeds();
  int64_t after = 0;
  size_t count = 0;
  for (;;) {
    Result<std::vector<store::FeedRecord>> page = feeds.ListFeeds(after, 500);
    if (!page.ok()) return Fail(io, "feeds list", page.status());
    if (page->empty()) break;
    for (const store::FeedRecord& f : *page) {
      io.out << f.id << "\t" << f.nickname << "\t" << f.url << "\tlast poll "
             << FormatTime(f.last_polled_at) << "\tnext " << FormatTime(f.next_poll_at) << "\t"
             << Health(f) << "\n";
      after = f.id;
      ++count;
    }
  }
  if (count == 0) io.err << "feedbridge: no feeds yet (feedbridge feeds add URL)\n";
  return kExitOk;
}

int Show(const CommandLine& line, const config::Config& config, Io& io) {
  if (line.arguments.size() != 2) {
    io.err << "feedbridge: feeds show: missing FEED (id, nickname or URL)\n";
    return kExitUsage;
  }
  Result<std::unique_ptr<Services>> services = Services::Open(config, {});
  if (!services.ok()) return Fail(io, "feeds show", services.status());
  store::Database& db = (*services)->database();
  Result<store::FeedRecord> f = FindFeedArg(db.feeds(), line.arguments[1]);
  if (!f.ok()) return Fail(io, "feeds show", f.status());
  Result<int64_t> entries = db.entries().CountEntries(f->id);
  io.out << "id:            " << f->id << "\n"
         << "nickname:      " << f->nickname << "\n"
         << "profile:       " << config.server.base_url << f->nickname << "\n"
         << "identifier:    " << config.server.base_url << "user/" << f->account_id << "\n"
         << "url:           " << f->url << "\n"
         << "title:         " << f->title << "\n"
         << "site:          " << f->site_url << "\n"
         << "health:        " << Health(*f) << "\n"
         << "last status:   "
         << (f->last_http_status == 0 ? std::string("-") : std::to_string(f->last_http_status))
         << "\n"
         << "last poll:     " << FormatTime(f->last_polled_at) << "\n"
         << "last success:  " << FormatTime(f->last_success_at) << "\n"
         << "next poll:     " << FormatTime(f->next_poll_at) << "\n"
         << "etag:          " << (f->etag.empty() ? "-" : f->etag) << "\n"
         << "entries:       " << (entries.ok() ? std::to_string(*entries) : "?") << "\n";
  Result<std::vector<store::Notice>> notices = db.notices().ListNotices(f->account_id, 0, 5);
  if (notices.ok() && !notices->empty()) {
    io.out << "latest notices:\n";
    for (const store::Notice& n : *notices) {
      io.out << "  " << config.server.base_url << "notice/" << n.id << "  " << n.text
             << (n.enqueued ? "" : "  (in the outbox)") << "\n";
    }
  }
  return kExitOk;
}

int Remove(const CommandLine& line, const config::Config& config, Io& io) {
  if (line.arguments.size() != 2) {
    io.err << "feedbridge: feeds remove: missing FEED (id, nickname or URL)\n";
    return kExitUsage;
  }
  Result<std::unique_ptr<Services>> services = Services::Open(config, {.redis = true});
  if (!services.ok()) return Fail(io, "feeds remove", services.status());
  Services& s = **services;
  Result<store::FeedRecord> f = FindFeedArg(s.database().feeds(), line.arguments[1]);
  if (!f.ok()) return Fail(io, "feeds remove", f.status());
  if (Status st = s.database().feeds().RemoveFeed(f->id); !st.ok()) {
    return Fail(io, "feeds remove", st);
  }
  if (Status st = s.schedule().Remove(f->id); !st.ok()) return Fail(io, "feeds remove", st);
  io.out << "removed feed " << f->id << ": " << f->nickname << " <" << f->url << ">\n";
  return kExitOk;
}

int Import(const CommandLine& line, const config::Config& config, Io& io) {
  if (line.arguments.size() != 2) {
    io.err << "feedbridge: feeds import: missing FILE.opml\n";
    return kExitUsage;
  }
  std::ifstream in(line.arguments[1], std::ios::binary);
  if (!in) {
    io.err << "feedbridge: feeds import: " << line.arguments[1] << ": cannot read\n";
    return kExitNoInput;
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  Result<std::vector<feeds::OpmlOutline>> outlines = feeds::ParseOpml(bytes.str());
  if (!outlines.ok()) return Fail(io, "feeds import: " + line.arguments[1], outlines.status());

  Result<std::unique_ptr<Services>> services = Services::Open(config, {.redis = true});
  if (!services.ok()) return Fail(io, "feeds import", services.status());
  Services& s = **services;
  // A progress bar only for a person at a terminal; logs and pipes get the summary line.
  const bool terminal = isatty(STDERR_FILENO) == 1;
  size_t added = 0, skipped = 0, failed = 0, unscheduled = 0;
  std::string schedule_error;
  const size_t total = outlines->size();
  const TimePoint now = s.clock().Now();
  // New feeds go on the poll schedule a page at a time (one Redis round trip each). A page that
  // cannot be scheduled is no loss: the feeds are in the database, and the poller puts every
  // enabled feed missing from the schedule back on it (at start and every 5 minutes).
  constexpr size_t kSchedulePage = 500;
  std::vector<queue::ScheduledFeed> to_schedule;
  auto schedule_pending = [&] {
    if (to_schedule.empty()) return;
    if (Status st = s.schedule().ScheduleMany(to_schedule); !st.ok()) {
      unscheduled += to_schedule.size();
      schedule_error = st.message();
    }
    to_schedule.clear();
  };
  for (size_t i = 0; i < total; ++i) {
    const feeds::OpmlOutline& o = (*outlines)[i];
    if (!o.xml_url.starts_with("http://") && !o.xml_url.starts_with("https://")) {
      ++failed;
      io.err << "feedbridge: feeds import: skipping '" << o.xml_url << "': not http(s)\n";
      continue;
    }
    Result<std::string> nick = FreeNickname(
        s.database().feeds(), DeriveNickname(o.title, o.html_url.empty() ? o.xml_url : o.html_url));
    if (!nick.ok()) return Fail(io, "feeds import", nick.status());
    Result<store::FeedRecord> r = s.database().feeds().AddFeed(
        {.url = o.xml_url, .nickname = *nick, .title = o.title, .site_url = o.html_url});
    if (r.ok()) {
      ++added;
      // Spread first polls over the first minutes instead of all at once.
      const auto offset = std::chrono::milliseconds(static_cast<int64_t>(i % 600) * 500);
      to_schedule.push_back({.feed_id = r->id, .when = now + offset});
      if (to_schedule.size() == kSchedulePage) schedule_pending();
    } else if (r.status().code() == Status::Code::kAlreadyExists) {
      ++skipped;
    } else {
      schedule_pending();
      if (terminal) io.err << "\n";
      io.err << "feedbridge: feeds import: stopped after "
             << Counted(added, "new feed", "new feeds") << ", at '" << o.xml_url << "'\n";
      return Fail(io, "feeds import", r.status());
    }
    if (terminal && (i % 50 == 0 || i + 1 == total)) {
      const size_t width = 40;
      const size_t done = total == 0 ? width : (i + 1) * width / total;
      io.err << "\r[" << std::string(done, '=') << std::string(width - done, ' ') << "] " << (i + 1)
             << "/" << total << std::flush;
    }
  }
  schedule_pending();
  if (terminal) io.err << "\n";
  io.out << "imported " << Counted(added, "feed", "feeds") << ", " << skipped
         << " already bridged, " << failed << " skipped\n";
  if (unscheduled > 0) {
    io.err << "feedbridge: feeds import: " << Counted(unscheduled, "new feed is", "new feeds are")
           << " not on the poll schedule yet (" << schedule_error
           << "); the poller schedules them when it starts, or within 5 minutes if it runs\n";
  }
  return kExitOk;
}

int Export(const config::Config& config, Io& io) {
  Result<std::unique_ptr<Services>> services = Services::Open(config, {});
  if (!services.ok()) return Fail(io, "feeds export", services.status());
  std::vector<feeds::OpmlOutline> outlines;
  int64_t after = 0;
  for (;;) {
    Result<std::vector<store::FeedRecord>> page =
        (*services)->database().feeds().ListFeeds(after, 500);
    if (!page.ok()) return Fail(io, "feeds export", page.status());
    if (page->empty()) break;
    for (const store::FeedRecord& f : *page) {
      outlines.push_back({f.url, f.site_url, f.title});
      after = f.id;
    }
  }
  io.out << feeds::WriteOpml(outlines, "feedbridge: bridged feeds");
  return kExitOk;
}

}  // namespace

int RunFeeds(const CommandLine& line, const config::Config& config, Io& io) {
  const std::string& action = line.arguments.at(0);
  if (action == "add") return Add(line, config, io);
  if (line.flags.count("--nickname") != 0) {
    io.err << "feedbridge: feeds " << action << ": --nickname goes with add\n";
    return kExitUsage;
  }
  if (action == "list" || action == "export" || action == "status") {
    if (line.arguments.size() != 1) {
      io.err << "feedbridge: feeds " << action << ": takes no argument\n";
      return kExitUsage;
    }
    return action == "export" ? Export(config, io) : List(config, io);
  }
  if (action == "show") return Show(line, config, io);
  if (action == "remove") return Remove(line, config, io);
  if (action == "import") return Import(line, config, io);
  io.err << "feedbridge: feeds: unknown action '" << action
         << "' (add, list, show, remove, import, export)\n";
  return kExitUsage;
}

}  // namespace feedbridge::app
