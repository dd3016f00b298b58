#pragma once

// OpenMicroBlogging 0.1 as a delivery protocol (omb-0.1.md §5, §6, §8, §9.1): one postNotice per
// distinct postNotice URL among a blog's subscribers, and one updateProfile per distinct
// updateProfile URL when the blog's profile changed, each signed (OAuth 1.0 HMAC-SHA1,
// parameters in the form body) with the token of the oldest subscriber at that URL; success only
// on the omb_version reply body; StatusNet's 500 "Duplicate notice." counts as delivered; a 403
// means that subscriber is gone (removed, and the next one's token is tried); a 400 is given up
// on; everything else retries. A profile job whose revision is no longer the account's newest is
// superseded: dropped unsent, since the newer revision's job sends every field anyway.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/random.h"
#include "omb/oauth.h"
#include "publisher/protocol_adapter.h"
#include "store/notice_store.h"
#include "store/profile_store.h"
#include "store/subscription_store.h"

namespace feedbridge::publisher {

struct OmbAdapterOptions {
  std::string base_url;  // The bridge's root URL, ending in '/': the consumer key (§7.1).
  // omb_notice_license, and omb_listenee_license in updateProfile.
  std::string license = "http://creativecommons.org/licenses/by/3.0/";
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};  // Per delivery (§9.1).
  size_t max_answer_bytes = 64u << 10;                          // A success is one short line.
};

// Thread-safe. The stores, clock and randomness must outlive it.
class OmbAdapter final : public ProtocolAdapter {
 public:
  static constexpr std::string_view kProtocol = "omb";

  OmbAdapter(store::SubscriptionStore& subscriptions, store::NoticeStore& notices,
             store::ProfileStore& profiles, Clock& clock, Random& random,
             OmbAdapterOptions options);

  std::string_view protocol() const override { return kProtocol; }
  const RetryPolicy& retry_policy() const override { return policy_; }
  Status ForEachEndpoint(const queue::DeliveryJob& job, size_t chunk,
                         const EndpointChunk& each) override;
  // A notice job: postNotice. A profile job: updateProfile with every field of the account's
  // newest revision (omb::BlogProfile); NotFound ("superseded") when the job's revision is not
  // the newest, or when the account has no revision any more.
  Result<PreparedDelivery> Prepare(const queue::DeliveryJob& job) override;
  AttemptResult Interpret(const PreparedDelivery& delivery,
                          const Result<http::HttpResponse>& answer) override;
  Status DropRecipient(const PreparedDelivery& delivery) override;

 private:
  Result<PreparedDelivery> PrepareNotice(const queue::DeliveryJob& job);
  // The notice, read from the store at most once per kNoticeCacheFor per notice being fanned
  // out (its thousands of jobs would otherwise read the same row each). A notice is never
  // changed once written; one deleted since (its feed removed) may still go out for that long.
  Result<store::Notice> CachedNotice(int64_t notice_id);
  Result<PreparedDelivery> PrepareProfile(const queue::DeliveryJob& job);
  // The POST of `params` to `endpoint`, signed with `sub`'s token, for `sub`.
  Result<PreparedDelivery> Signed(std::string_view endpoint, const omb::ParamList& params,
                                  const store::Subscription& sub);

  store::SubscriptionStore& subscriptions_;
  store::NoticeStore& notices_;
  store::ProfileStore& profiles_;
  Clock& clock_;
  Random& random_;
  const OmbAdapterOptions options_;
  const RetryPolicy policy_ = OmbRetryPolicy();

  static constexpr std::chrono::seconds kNoticeCacheFor{5};
  struct CachedEntry {
    store::Notice notice;
    TimePoint read_at;
  };
  std::mutex mu_;
  std::optional<CachedEntry> notice_;  // The last notice read. Guarded by mu_.
};

}  // namespace feedbridge::publisher
