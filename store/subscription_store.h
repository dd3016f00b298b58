#pragma once

// The remote OMB subscribers of local blog accounts (the blog is the listenee).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "store/records.h"

namespace feedbridge::store {

// Thread-safe. Errors: Unavailable when the database is down or locked past its timeout.
class SubscriptionStore {
 public:
  struct Subscribed {
    int64_t id = 0;
    bool created = false;  // False: the person was subscribed already; tokens and endpoints
                           // were replaced by the new ones (they went through the flow again).
  };
  // Which URL of a subscription a delivery goes to.
  enum class Endpoint { kPostNotice, kUpdateProfile };
  // One distinct endpoint URL of an account and the id of its oldest subscriber there.
  struct EndpointRow {
    int64_t first_id = 0;
    std::string url;
  };

  virtual ~SubscriptionStore() = default;
  // Stores `s` (id and created_at are the store's), one per (account, subscriber.uri).
  // NotFound when the account does not exist.
  virtual Result<Subscribed> Subscribe(const Subscription& s) = 0;
  // The subscription of `subscriber_uri` to `account_id`, if any.
  virtual Result<std::optional<Subscription>> Find(int64_t account_id,
                                                   std::string_view subscriber_uri) = 0;
  // Every subscriber of the account, oldest first.
  virtual Result<std::vector<Subscription>> ListByAccount(int64_t account_id) = 0;
  // The account's distinct non-empty `kind` URLs, in the order of their oldest subscribers:
  // those whose oldest subscriber's id is over `after_id`, at most `limit`. Page on with the
  // last row's first_id (a fan-out reads them a page at a time, in memory flat in their number).
  virtual Result<std::vector<EndpointRow>> ListEndpoints(int64_t account_id, Endpoint kind,
                                                         int64_t after_id, size_t limit) = 0;
  // The account's subscribers whose notices go to `post_notice_url`, oldest first: the first
  // one's token is used for the one delivery to that URL, the next one's when it is refused.
  virtual Result<std::vector<Subscription>> ListByPostNoticeUrl(
      int64_t account_id, std::string_view post_notice_url) = 0;
  // The same for the account's subscribers whose profile updates go to `update_profile_url`.
  virtual Result<std::vector<Subscription>> ListByUpdateProfileUrl(
      int64_t account_id, std::string_view update_profile_url) = 0;
  // Removes it (the subscriber's service refused its token: it unsubscribed). NotFound.
  virtual Status Remove(int64_t subscription_id) = 0;
  virtual Result<int64_t> CountByAccount(int64_t account_id) = 0;
};

}  // namespace feedbridge::store
