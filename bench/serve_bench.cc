// bench/serve: fills a SQLite store with a realistic blog for `feedbridge serve --roles web` to
// serve, through the store API only (no network), the way the poller would have: a first poll
// with the backlog (no notices), then a run of later polls with one to three new posts each
// (each with its notice). Deterministic for a given --entries.
//
//   serve_bench seed --db PATH [--nick NICK] [--entries N]   a new blog of N posts (default 300)
//   serve_bench post --db PATH [--nick NICK]                 one more post (a later poll), while
//                                                            the server runs
//   serve_bench queries --db PATH [--nick NICK]              time per call of the store queries
//                                                            behind one mirror request (one thread)
//
// Prints "key=value ..." on stdout. Exit status 1 on any store error.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "feeds/entry_document.h"
#include "feeds/model.h"
#include "store/database.h"

namespace fb = feedbridge;

namespace {

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "serve_bench: %s\n", message.c_str());
  std::exit(1);
}

template <class T>
T Check(fb::Result<T> r, std::string_view what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.status().ToString());
  return std::move(r).value();
}

constexpr std::string_view kWords[] = {
    "feeds",   "caching", "garden",   "compost", "tomatoes", "rain",    "readers", "notes",
    "weekend", "seeds",   "protocol", "bridge",  "servers",  "kitchen", "bread",   "walk",
    "autumn",  "library", "patches",  "review",  "coffee",   "trains",  "river",   "ideas"};

std::string Words(uint64_t seed, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    if (i > 0) out += ' ';
    out += kWords[(seed >> 33) % std::size(kWords)];
  }
  return out;
}

// Post n: a title, a permalink, 4 to 9 paragraphs of HTML (links, emphasis, an image, now and
// then a code block), two categories, the author: 1.5 to 4 KB of content, like a personal blog.
fb::feeds::Entry Post(int n, std::chrono::sys_seconds published) {
  fb::feeds::Entry e;
  const std::string slug = std::to_string(n);
  e.id = "https://blog.example/posts/" + slug;
  e.id_is_permalink = true;
  e.title.value = "Post " + slug + ": " + Words(static_cast<uint64_t>(n), 5);
  e.links.push_back({.href = e.id, .rel = "alternate", .type = "text/html"});
  std::string html;
  const int paragraphs = 4 + n % 6;
  for (int p = 0; p < paragraphs; ++p) {
    html += "<p>" + Words(static_cast<uint64_t>(n * 31 + p), 40) +
            " <a href=\"https://example.org/" + slug + "/" + std::to_string(p) + "\">more on " +
            Words(static_cast<uint64_t>(p), 2) + "</a>, <em>" +
            Words(static_cast<uint64_t>(n + p), 3) + "</em>.</p>\n";
    if (p == 1) {
      html += "<p><img src=\"https://blog.example/img/" + slug + ".jpg\" alt=\"photo " + slug +
              "\" width=\"640\" height=\"480\"></p>\n";
    }
  }
  if (n % 4 == 0) html += "<pre><code>for (auto&amp; f : feeds) f.Poll();</code></pre>\n";
  e.contents.push_back({.value = html, .type = std::string(fb::feeds::kTextHtml)});
  e.summary.value = Words(static_cast<uint64_t>(n * 7), 25);
  e.published.utc = published;
  e.updated.utc = published;
  e.authors.push_back({.name = "A. Gardener", .uri = "https://blog.example/about"});
  e.categories.push_back({.term = std::string(kWords[n % std::size(kWords)])});
  e.categories.push_back({.term = "blog"});
  return e;
}

// What the poller stores for one parsed entry (feeds/entry_document.h, as poller/ writes it).
fb::store::NewEntry Stored(const fb::feeds::Entry& e, bool with_notice) {
  fb::feeds::Feed one;
  one.title.value = "A Garden Blog";
  one.home_page_url = "https://blog.example/";
  one.feed_url = "https://blog.example/feed.xml";
  one.language = "en";
  fb::store::NewEntry row;
  row.identity = e.id;
  row.url = e.Url();
  row.title = e.title.value;
  row.published = fb::TimePoint(*e.published.utc);
  row.updated = fb::TimePoint(*e.updated.utc);
  row.document = fb::feeds::EncodeEntryDocument(one, e);
  if (with_notice) {
    row.notice_text = e.title.value.substr(0, 100) + " " + row.url;
    row.notice_url = row.url;
  }
  return row;
}

fb::store::FetchState State(const fb::store::FeedRecord& feed, fb::TimePoint now) {
  fb::store::FetchState s;
  s.url = feed.url;
  s.title = "A Garden Blog";
  s.description = "Notes from a garden, a kitchen and a few servers";
  s.site_url = "https://blog.example/";
  s.icon_url = "https://blog.example/favicon.png";
  s.last_http_status = 200;
  s.last_polled_at = now;
  s.last_success_at = now;
  return s;
}

struct Args {
  std::string command;
  std::string db;
  std::string nick = "blog";
  int entries = 300;
};

Args ParseArgs(int argc, char** argv) {
  Args a;
  if (argc < 2) Die("usage: serve_bench seed|post --db PATH [--nick NICK] [--entries N]");
  a.command = argv[1];
  for (int i = 2; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) Die("missing value after " + std::string(flag));
    const std::string value = argv[++i];
    if (flag == "--db") {
      a.db = value;
    } else if (flag == "--nick") {
      a.nick = value;
    } else if (flag == "--entries") {
      a.entries = std::stoi(value);
    } else {
      Die("unknown flag " + std::string(flag));
    }
  }
  if (a.db.empty()) Die("--db is required");
  if (a.command != "seed" && a.command != "post" && a.command != "queries") {
    Die("unknown command " + a.command);
  }
  if (a.entries < 1) Die("--entries must be positive");
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = ParseArgs(argc, argv);
  fb::SystemClock clock;
  auto db = Check(fb::store::OpenDatabase("sqlite:" + args.db, clock), "open " + args.db);
  const auto start =
      std::chrono::floor<std::chrono::seconds>(clock.Now()) - std::chrono::hours(24) * args.entries;

  if (args.command == "queries") {
    // CPU time of this thread, not wall time: the figures hold on a busy machine.
    const auto cpu_us = [] {
      timespec t{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
      return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
    };
    const auto time = [&](std::string_view name, int n, auto&& fn) {
      fn();
      const double t0 = cpu_us();
      for (int i = 0; i < n; ++i) fn();
      std::printf("query %.*s cpu_us_per_call=%.1f\n", static_cast<int>(name.size()), name.data(),
                  (cpu_us() - t0) / n);
    };
    const fb::store::FeedRecord feed = Check(db->feeds().FindFeed(args.nick), "find feed");
    time("StampMirror", 5000, [&] { Check(db->entries().StampMirror(args.nick), "stamp"); });
    time("FindFeed", 5000, [&] { Check(db->feeds().FindFeed(args.nick), "find"); });
    time("CountEntries", 5000, [&] { Check(db->entries().CountEntries(feed.id), "count"); });
    time("ListEntries(51)", 500, [&] { Check(db->entries().ListEntries(feed.id, 0, 51), "list"); });
    return 0;
  }
  if (args.command == "post") {
    const fb::store::FeedRecord feed = Check(db->feeds().FindFeed(args.nick), "find feed");
    const int64_t count = Check(db->entries().CountEntries(feed.id), "count entries");
    const int n = static_cast<int>(count) + 1;
    const auto published = std::chrono::floor<std::chrono::seconds>(clock.Now());
    const std::vector<fb::store::NewEntry> rows = {Stored(Post(n, published), true)};
    Check(db->entries().RecordPoll(feed.id, State(feed, clock.Now()), rows), "record poll");
    std::printf("post entry=%d\n", n);
    return 0;
  }

  const fb::store::FeedRecord feed = Check(
      db->feeds().AddFeed({.url = "https://blog.example/feed.xml",
                           .nickname = args.nick,
                           .title = "A Garden Blog",
                           .site_url = "https://blog.example/",
                           .description = "Notes from a garden, a kitchen and a few servers"}),
      "add feed");
  // The backlog (two thirds) in the first poll, without notices; then later polls of 1-3 posts.
  const int backlog = args.entries * 2 / 3;
  std::vector<fb::store::NewEntry> rows;
  for (int n = 1; n <= backlog; ++n) {
    rows.push_back(Stored(Post(n, start + std::chrono::hours(24) * n), false));
  }
  Check(db->entries().RecordPoll(feed.id, State(feed, clock.Now()), rows), "record backlog");
  size_t bytes = 0;
  for (const auto& r : rows) bytes += r.document.size();
  int polls = 1;
  for (int n = backlog + 1; n <= args.entries;) {
    rows.clear();
    for (int k = 0; k < 1 + polls % 3 && n <= args.entries; ++k, ++n) {
      rows.push_back(Stored(Post(n, start + std::chrono::hours(24) * n), true));
      bytes += rows.back().document.size();
    }
    Check(db->entries().RecordPoll(feed.id, State(feed, clock.Now()), rows), "record poll");
    ++polls;
  }
  std::printf("seed nick=%s entries=%d polls=%d document_bytes_avg=%zu\n", args.nick.c_str(),
              args.entries, polls, bytes / static_cast<size_t>(args.entries));
  return 0;
}
