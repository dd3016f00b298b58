#include "publisher/omb_adapter.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "common/http_status.h"
#include "http/classify.h"
#include "omb/blog_profile.h"
#include "omb/messages.h"
#include "omb/oauth.h"

namespace feedbridge::publisher {

namespace {

constexpr size_t kNonceLength = 32;       // As Laconica's 16 random bytes in hex: 32 characters.
constexpr size_t kReasonBodyBytes = 200;  // Of a peer's answer kept in a failure reason.

// "HTTP 400 Bad Request: Invalid notice content" with the body cut and on one line.
std::string AnswerReason(const http::HttpResponse& r) {
  std::string reason = "HTTP " + std::to_string(r.status);
  if (const std::string_view phrase = ReasonPhrase(r.status); !phrase.empty()) {
    reason += " ";
    reason += phrase;
  }
  std::string body = r.body.substr(0, kReasonBodyBytes);
  for (char& c : body) {
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  }
  while (!body.empty() && body.back() == ' ') body.pop_back();
  if (!body.empty()) reason += ": " + body;
  return reason;
}

}  // namespace

OmbAdapter::OmbAdapter(store::SubscriptionStore& subscriptions, store::NoticeStore& notices,
                       store::ProfileStore& profiles, Clock& clock, Random& random,
                       OmbAdapterOptions options)
    : subscriptions_(subscriptions),
      notices_(notices),
      profiles_(profiles),
      clock_(clock),
      random_(random),
      options_(std::move(options)) {}

Status OmbAdapter::ForEachEndpoint(const queue::DeliveryJob& job, size_t chunk,
                                   const EndpointChunk& each) {
  // One delivery per distinct URL (§5.2, §8 item 8), in the order of the oldest subscriber.
  const auto kind = job.kind == queue::DeliveryJob::Kind::kProfile
                        ? store::SubscriptionStore::Endpoint::kUpdateProfile
                        : store::SubscriptionStore::Endpoint::kPostNotice;
  chunk = std::max<size_t>(chunk, 1);
  std::vector<std::string> urls;
  for (int64_t after = 0;;) {
    Result<std::vector<store::SubscriptionStore::EndpointRow>> page =
        subscriptions_.ListEndpoints(job.account_id, kind, after, chunk);
    if (!page.ok()) return page.status();
    if (page->empty()) return Status::Ok();
    after = page->back().first_id;
    urls.clear();
    for (store::SubscriptionStore::EndpointRow& row : *page) urls.push_back(std::move(row.url));
    if (Status s = each(urls); !s.ok()) return s;
    if (page->size() < chunk) return Status::Ok();
  }
}

Result<PreparedDelivery> OmbAdapter::Prepare(const queue::DeliveryJob& job) {
  return job.kind == queue::DeliveryJob::Kind::kProfile ? PrepareProfile(job) : PrepareNotice(job);
}

Result<PreparedDelivery> OmbAdapter::PrepareNotice(const queue::DeliveryJob& job) {
  Result<store::Notice> notice = CachedNotice(job.notice_id);
  if (!notice.ok()) return notice.status();
  Result<std::vector<store::Subscription>> at =
      subscriptions_.ListByPostNoticeUrl(job.account_id, job.endpoint);
  if (!at.ok()) return at.status();
  if (at->empty()) return Status::NotFound("omb: no subscriber left at " + job.endpoint);

  omb::PostNotice message;
  message.listenee = options_.base_url + "user/" + std::to_string(job.account_id);
  message.notice = options_.base_url + "notice/" + std::to_string(job.notice_id);
  message.content = notice->text;
  message.license = options_.license;
  // The permalink, encoded so that Validate::uri passes it (§8 item 2); else the notice URI,
  // which leads to it.
  message.url = message.notice;
  if (!notice->url.empty()) {
    if (Result<std::string> url = omb::EncodeForStrictUri(notice->url); url.ok()) {
      message.url = *url;
    }
  }
  Result<omb::ParamList> params = omb::PostNoticeParams(message);
  if (!params.ok()) {
    // A notice no peer would take (it names a URL the rule refuses): dead-lettered, not retried.
    return Status::FailedPrecondition(params.status().message());
  }
  return Signed(job.endpoint, *params, at->front());
}

Result<store::Notice> OmbAdapter::CachedNotice(int64_t notice_id) {
  const TimePoint now = clock_.Now();
  {
    std::lock_guard lock(mu_);
    if (notice_ && notice_->notice.id == notice_id && now - notice_->read_at < kNoticeCacheFor &&
        now >= notice_->read_at) {
      return notice_->notice;
    }
  }
  Result<store::Notice> notice = notices_.GetNotice(notice_id);
  if (notice.ok()) {
    std::lock_guard lock(mu_);
    notice_ = CachedEntry{*notice, now};
  }
  return notice;
}

Result<PreparedDelivery> OmbAdapter::PrepareProfile(const queue::DeliveryJob& job) {
  Result<store::ProfileRevision> latest = profiles_.LatestRevision(job.account_id);
  if (!latest.ok()) return latest.status();
  // Only the newest revision matters (every updateProfile carries every field): an older one
  // still queued, retrying say, must not reach the peer after a newer one.
  if (latest->id != job.revision) {
    return Status::NotFound("omb: profile revision " + std::to_string(job.revision) +
                            " superseded by revision " + std::to_string(latest->id));
  }
  Result<std::vector<store::Subscription>> at =
      subscriptions_.ListByUpdateProfileUrl(job.account_id, job.endpoint);
  if (!at.ok()) return at.status();
  if (at->empty()) return Status::NotFound("omb: no subscriber left at " + job.endpoint);
  const omb::ListeneeProfile profile = omb::BlogProfile({.account_id = latest->account_id,
                                                         .nickname = latest->nickname,
                                                         .title = latest->title,
                                                         .description = latest->description,
                                                         .site_url = latest->site_url},
                                                        options_.base_url, options_.license);
  Result<omb::ParamList> params = omb::UpdateProfileParams(profile);
  if (!params.ok()) return Status::FailedPrecondition(params.status().message());
  return Signed(job.endpoint, *params, at->front());
}

Result<PreparedDelivery> OmbAdapter::Signed(std::string_view endpoint, const omb::ParamList& params,
                                            const store::Subscription& sub) {
  const int64_t timestamp =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
  Result<omb::SignedRequest> signed_request = omb::SignRequest(
      omb::OAuthRequestParts{
          .method = "POST", .endpoint_url = std::string(endpoint), .params = params},
      omb::OAuthCredentials{.consumer_key = options_.base_url,
                            .consumer_secret = "",
                            .token = sub.token,
                            .token_secret = sub.token_secret},
      RandomToken(random_, kNonceLength), timestamp);
  if (!signed_request.ok()) return Status::FailedPrecondition(signed_request.status().message());

  PreparedDelivery d;
  d.request.method = "POST";
  d.request.url = signed_request->url;
  d.request.headers = {{"Content-Type", std::string(omb::kFormContentType)}};
  d.request.body = std::move(signed_request->body);
  d.request.timeout = options_.timeout;
  d.request.max_body_bytes = options_.max_answer_bytes;
  // A POST that redirects is refused: a redirected POST loses its body or its signature, and a
  // redirect could point the bridge at a private address.
  d.request.max_redirects = 0;
  d.recipient_id = sub.id;
  d.recipient = sub.subscriber.uri;
  return d;
}

AttemptResult OmbAdapter::Interpret(const PreparedDelivery&,
                                    const Result<http::HttpResponse>& answer) {
  using Kind = AttemptResult::Kind;
  if (!answer.ok()) {
    // Refused, reset, timed out, TLS failure, over the answer cap, a private address: the
    // host's trouble, retried (an answer over the cap may be a captive page; never delivered).
    return AttemptResult{Kind::kRetryLater, answer.status().message(), std::nullopt, true};
  }
  const http::HttpResponse& r = *answer;
  const std::string reason = AnswerReason(r);
  switch (omb::ClassifyOmbReply(r.status, r.body)) {
    case omb::OmbReply::kDelivered:
      return AttemptResult{Kind::kDelivered, r.status == 200 ? "" : reason};
    case omb::OmbReply::kSubscriptionGone:  // OMB 0.1's "unsubscribed" (§5.4, §8 item 9).
      return AttemptResult{Kind::kRecipientGone, reason};
    case omb::OmbReply::kRetryLater:
      break;
  }
  // 400 is the peer refusing these very parameters (content too long, a license it does not
  // accept, a URL its validator refuses): sending the same bytes again cannot succeed.
  if (r.status == 400) return AttemptResult{Kind::kGiveUp, reason};
  AttemptResult result{Kind::kRetryLater, reason};
  if (r.status == 429 || r.status == 503) {
    if (std::optional<TimePoint> after =
            http::ParseRetryAfter(r.Find("Retry-After"), clock_.Now())) {
      result.retry_after = std::chrono::duration_cast<std::chrono::seconds>(*after - clock_.Now());
    }
  }
  result.host_failing = r.status >= 500 || r.status == 429 || r.status == 408;
  // Laconica answers an OAuth failure with a 500 and other versions use 404/500 loosely
  // (§8 item 10): every other answer may pass, so it is retried within the deadline, and a 200
  // without the reply body (a captive portal, a wrong page) is no success either.
  return result;
}

Status OmbAdapter::DropRecipient(const PreparedDelivery& delivery) {
  return subscriptions_.Remove(delivery.recipient_id);
}

}  // namespace feedbridge::publisher
