// feedbridge subscribers [NICK]

#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "app/feed_display.h"
#include "app/wiring.h"
#include "common/text.h"

namespace feedbridge::app {
namespace {

constexpr size_t kFeedPage = 500;

int Fail(Io& io, const Status& s) {
  io.err << "feedbridge: subscribers: " << s.message() << "\n";
  return s.code() == Status::Code::kNotFound ? kExitNoInput
         : s.IsRetryable()                   ? kExitUnavailable
                                             : kExitSoftware;
}

// What the publisher saw of one endpoint: "no delivery tried yet", "ok, last delivery T" or
// "failing since T (N failures in a row): ERROR".
std::string EndpointText(const std::map<std::string, store::EndpointHealth>& health,
                         const std::string& endpoint) {
  const auto it = health.find(endpoint);
  if (it == health.end()) return "no delivery tried yet";
  const store::EndpointHealth& h = it->second;
  if (h.consecutive_failures == 0) return "ok, last delivery " + TimeText(h.last_success_at);
  return "failing since " + TimeText(h.failing_since) + " (" +
         Counted(static_cast<uint64_t>(h.consecutive_failures), "failure", "failures") +
         " in a row): " + h.last_error;
}

// The blog's subscribers with their profiles and endpoints' health; how many there are.
Result<size_t> PrintBlog(store::Database& db, const config::Config& config,
                         const store::FeedRecord& feed, bool skip_empty, Io& io) {
  Result<std::vector<store::Subscription>> subs = db.subscriptions().ListByAccount(feed.account_id);
  if (!subs.ok()) return subs.status();
  if (subs->empty() && skip_empty) return size_t{0};
  std::set<std::string> endpoints;
  for (const store::Subscription& s : *subs) {
    endpoints.insert(s.post_notice_url);
    endpoints.insert(s.update_profile_url);
  }
  Result<std::vector<store::EndpointHealth>> health =
      db.deliveries().Health(std::vector<std::string>(endpoints.begin(), endpoints.end()));
  if (!health.ok()) return health.status();
  std::map<std::string, store::EndpointHealth> by_endpoint;
  for (store::EndpointHealth& h : *health) by_endpoint.emplace(h.endpoint, std::move(h));

  io.out << feed.nickname << " <" << config.server.base_url << feed.nickname
         << ">: " << Counted(subs->size(), "subscriber", "subscribers") << "\n";
  for (const store::Subscription& s : *subs) {
    const store::RemoteProfile& p = s.subscriber;
    io.out << "  " << (p.nickname.empty() ? "?" : p.nickname);
    if (!p.fullname.empty()) io.out << " (" << p.fullname << ")";
    io.out << " <" << (p.profile_url.empty() ? p.uri : p.profile_url) << ">, since "
           << TimeText(s.created_at) << "\n";
    io.out << "    identifier:    " << p.uri << "\n";
    if (!p.homepage.empty()) io.out << "    homepage:      " << p.homepage << "\n";
    if (!p.location.empty()) io.out << "    location:      " << p.location << "\n";
    io.out << "    postNotice:    " << s.post_notice_url << "\n"
           << "                   " << EndpointText(by_endpoint, s.post_notice_url) << "\n"
           << "    updateProfile: " << s.update_profile_url << "\n"
           << "                   " << EndpointText(by_endpoint, s.update_profile_url) << "\n";
  }
  return subs->size();
}

}  // namespace

int RunSubscribers(const CommandLine& line, const config::Config& config, Io& io) {
  Result<std::unique_ptr<Services>> services = Services::Open(config, {});
  if (!services.ok()) return Fail(io, services.status());
  store::Database& db = (*services)->database();
  if (!line.arguments.empty()) {
    Result<store::FeedRecord> feed = FindFeedArg(db.feeds(), line.arguments[0]);
    if (!feed.ok()) return Fail(io, feed.status());
    Result<size_t> listed = PrintBlog(db, config, *feed, false, io);
    if (!listed.ok()) return Fail(io, listed.status());
    return kExitOk;
  }
  // Every blog with subscribers, then the totals.
  size_t blogs = 0, followed = 0, subscribers = 0;
  int64_t after = 0;
  for (;;) {
    Result<std::vector<store::FeedRecord>> page = db.feeds().ListFeeds(after, kFeedPage);
    if (!page.ok()) return Fail(io, page.status());
    for (const store::FeedRecord& feed : *page) {
      after = feed.id;
      ++blogs;
      Result<size_t> listed = PrintBlog(db, config, feed, true, io);
      if (!listed.ok()) return Fail(io, listed.status());
      if (*listed > 0) ++followed;
      subscribers += *listed;
    }
    if (page->size() < kFeedPage) break;
  }
  io.out << Counted(subscribers, "subscriber", "subscribers") << " of " << followed << " of "
         << Counted(blogs, "blog", "blogs") << "\n";
  return kExitOk;
}

}  // namespace feedbridge::app
