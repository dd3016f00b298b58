// The publisher's tables: subscriptions, the record of deliveries and endpoint health, run
// against both SQLite and PostgreSQL.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/database.h"
#include "tests/store/store_fixture.h"

namespace feedbridge::store {
namespace {

using ::feedbridge::testing::StatusIs;
using std::chrono::seconds;
using Code = Status::Code;

Subscription Subscriber(int64_t account_id, const std::string& who, const std::string& site) {
  Subscription s;
  s.account_id = account_id;
  s.subscriber = RemoteProfile{.uri = "http://" + site + "/user/" + who,
                               .profile_url = "http://" + site + "/" + who,
                               .nickname = who,
                               .fullname = "Full " + who,
                               .homepage = "http://" + who + ".example/",
                               .bio = "Bio of " + who,
                               .location = "Somewhere",
                               .avatar_url = "",
                               .license = "http://creativecommons.org/licenses/by/3.0/"};
  s.post_notice_url = "http://" + site + "/index.php?action=postnotice";
  s.update_profile_url = "http://" + site + "/index.php?action=updateprofile";
  s.token = "token-" + who;
  s.token_secret = "secret-" + who;
  return s;
}

class SubscriptionStoreTest : public StoreFixture {};

TEST_P(SubscriptionStoreTest, SubscriptionIsStoredWithItsProfileEndpointsAndToken) {
  const FeedRecord blog = AddBlog("garden");
  const Subscription alice = Subscriber(blog.account_id, "alice", "identi.example");
  Result<SubscriptionStore::Subscribed> added = db_->subscriptions().Subscribe(alice);
  ASSERT_OK(added);
  EXPECT_TRUE(added->created);
  Result<std::optional<Subscription>> found =
      db_->subscriptions().Find(blog.account_id, alice.subscriber.uri);
  ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  const Subscription& got = **found;
  EXPECT_EQ(got.id, added->id);
  EXPECT_EQ(got.subscriber, alice.subscriber);
  EXPECT_EQ(got.post_notice_url, alice.post_notice_url);
  EXPECT_EQ(got.update_profile_url, alice.update_profile_url);
  EXPECT_EQ(got.token, "token-alice");
  EXPECT_EQ(got.token_secret, "secret-alice");
  EXPECT_EQ(got.created_at, clock_.Now());
  Result<std::optional<Subscription>> none =
      db_->subscriptions().Find(blog.account_id, "http://identi.example/user/bob");
  ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());
}

TEST_P(SubscriptionStoreTest, SubscribingAgainReplacesTokensAndKeepsOneRow) {
  const FeedRecord blog = AddBlog("garden");
  Subscription alice = Subscriber(blog.account_id, "alice", "identi.example");
  Result<SubscriptionStore::Subscribed> first = db_->subscriptions().Subscribe(alice);
  ASSERT_OK(first);
  alice.token = "fresh-token";
  alice.token_secret = "fresh-secret";
  alice.subscriber.fullname = "Alice A.";
  Result<SubscriptionStore::Subscribed> again = db_->subscriptions().Subscribe(alice);
  ASSERT_OK(again);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->id, first->id);
  Result<std::vector<Subscription>> all = db_->subscriptions().ListByAccount(blog.account_id);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].token, "fresh-token");
  EXPECT_EQ((*all)[0].subscriber.fullname, "Alice A.");
}

TEST_P(SubscriptionStoreTest, DistinctEndpointsComeInPagesInTheOrderOfTheirOldestSubscriber) {
  const FeedRecord blog = AddBlog("garden");
  const FeedRecord other = AddBlog("other");
  const auto add = [&](int64_t account, const std::string& who, const std::string& site) {
    Result<SubscriptionStore::Subscribed> s =
        db_->subscriptions().Subscribe(Subscriber(account, who, site));
    EXPECT_OK(s);
    return s.ok() ? s->id : 0;
  };
  const int64_t bob = add(blog.account_id, "bob", "b.example");
  add(other.account_id, "dave", "a.example");  // Another blog's: never listed here.
  const int64_t carol = add(blog.account_id, "carol", "c.example");
  add(blog.account_id, "alice", "b.example");  // Behind bob: b.example once, as bob's.
  const int64_t erin = add(blog.account_id, "erin", "e.example");
  const std::string post = "/index.php?action=postnotice";
  using Row = SubscriptionStore::EndpointRow;
  const auto list = [&](SubscriptionStore::Endpoint kind, int64_t after, size_t limit) {
    Result<std::vector<Row>> rows =
        db_->subscriptions().ListEndpoints(blog.account_id, kind, after, limit);
    EXPECT_OK(rows);
    std::vector<std::pair<int64_t, std::string>> out;
    if (rows.ok()) {
      for (const Row& r : *rows) out.emplace_back(r.first_id, r.url);
    }
    return out;
  };
  using P = std::pair<int64_t, std::string>;
  const auto kPost = SubscriptionStore::Endpoint::kPostNotice;
  EXPECT_EQ(list(kPost, 0, 10), (std::vector<P>{{bob, "http://b.example" + post},
                                                {carol, "http://c.example" + post},
                                                {erin, "http://e.example" + post}}));
  // Paged on by the last first_id.
  EXPECT_EQ(list(kPost, 0, 2),
            (std::vector<P>{{bob, "http://b.example" + post}, {carol, "http://c.example" + post}}));
  EXPECT_EQ(list(kPost, carol, 2), (std::vector<P>{{erin, "http://e.example" + post}}));
  EXPECT_EQ(list(kPost, erin, 2), (std::vector<P>{}));
  EXPECT_EQ(list(SubscriptionStore::Endpoint::kUpdateProfile, 0, 10),
            (std::vector<P>{{bob, "http://b.example/index.php?action=updateprofile"},
                            {carol, "http://c.example/index.php?action=updateprofile"},
                            {erin, "http://e.example/index.php?action=updateprofile"}}));
}

TEST_P(SubscriptionStoreTest, SubscribersAtOnePostNoticeUrlComeOldestFirst) {
  const FeedRecord blog = AddBlog("garden");
  const FeedRecord other = AddBlog("other");
  ASSERT_OK(db_->subscriptions().Subscribe(Subscriber(blog.account_id, "bob", "identi.example")));
  clock_.Advance(seconds(1));
  ASSERT_OK(db_->subscriptions().Subscribe(Subscriber(blog.account_id, "carol", "status.example")));
  ASSERT_OK(db_->subscriptions().Subscribe(Subscriber(blog.account_id, "alice", "identi.example")));
  ASSERT_OK(db_->subscriptions().Subscribe(Subscriber(other.account_id, "dave", "identi.example")));
  Result<std::vector<Subscription>> at = db_->subscriptions().ListByPostNoticeUrl(
      blog.account_id, "http://identi.example/index.php?action=postnotice");
  ASSERT_OK(at);
  ASSERT_EQ(at->size(), 2u);
  EXPECT_EQ((*at)[0].subscriber.nickname, "bob");
  EXPECT_EQ((*at)[1].subscriber.nickname, "alice");
  Result<int64_t> count = db_->subscriptions().CountByAccount(blog.account_id);
  ASSERT_OK(count);
  EXPECT_EQ(*count, 3);
}

TEST_P(SubscriptionStoreTest, RemovedSubscriptionIsGoneAndRemovingItAgainIsNotFound) {
  const FeedRecord blog = AddBlog("garden");
  Result<SubscriptionStore::Subscribed> added =
      db_->subscriptions().Subscribe(Subscriber(blog.account_id, "alice", "identi.example"));
  ASSERT_OK(added);
  ASSERT_OK(db_->subscriptions().Remove(added->id));
  Result<int64_t> count = db_->subscriptions().CountByAccount(blog.account_id);
  ASSERT_OK(count);
  EXPECT_EQ(*count, 0);
  EXPECT_THAT(db_->subscriptions().Remove(added->id), StatusIs(Code::kNotFound));
}

TEST_P(SubscriptionStoreTest, SubscriptionsGoWithTheirBlog) {
  const FeedRecord blog = AddBlog("garden");
  ASSERT_OK(db_->subscriptions().Subscribe(Subscriber(blog.account_id, "alice", "identi.example")));
  ASSERT_OK(db_->feeds().RemoveFeed(blog.id));
  Result<int64_t> count = db_->subscriptions().CountByAccount(blog.account_id);
  ASSERT_OK(count);
  EXPECT_EQ(*count, 0);
}

TEST_P(SubscriptionStoreTest, BadSubscriptionsAreRefused) {
  const FeedRecord blog = AddBlog("garden");
  Subscription no_uri = Subscriber(blog.account_id, "alice", "identi.example");
  no_uri.subscriber.uri.clear();
  EXPECT_THAT(db_->subscriptions().Subscribe(no_uri).status(), StatusIs(Code::kInvalidArgument));
  Subscription no_endpoint = Subscriber(blog.account_id, "alice", "identi.example");
  no_endpoint.post_notice_url.clear();
  EXPECT_THAT(db_->subscriptions().Subscribe(no_endpoint).status(),
              StatusIs(Code::kInvalidArgument));
  EXPECT_THAT(db_->subscriptions().Subscribe(Subscriber(999, "alice", "identi.example")).status(),
              StatusIs(Code::kNotFound));
}

TEST_P(SubscriptionStoreTest, DeliveryIsRecordedOncePerNoticeAndEndpoint) {
  const DeliveryRef ref{"omb", "notice", 7, "http://identi.example/index.php?action=postnotice"};
  Result<bool> before = db_->deliveries().WasDelivered(ref);
  ASSERT_OK(before);
  EXPECT_FALSE(*before);
  ASSERT_OK(db_->deliveries().RecordDelivered(ref, clock_.Now()));
  ASSERT_OK(db_->deliveries().RecordDelivered(ref, clock_.Now()));  // A reclaimed job: harmless.
  Result<bool> after = db_->deliveries().WasDelivered(ref);
  ASSERT_OK(after);
  EXPECT_TRUE(*after);
  for (const DeliveryRef other :
       {DeliveryRef{"omb", "notice", 8, ref.endpoint},
        DeliveryRef{"omb", "profile", 7, ref.endpoint},
        DeliveryRef{"activitypub", "notice", 7, ref.endpoint},
        DeliveryRef{"omb", "notice", 7, "http://status.example/postnotice"}}) {
    SCOPED_TRACE(std::string(other.protocol) + " " + std::string(other.kind) + " " +
                 std::to_string(other.subject) + " " + std::string(other.endpoint));
    Result<bool> was = db_->deliveries().WasDelivered(other);
    ASSERT_OK(was);
    EXPECT_FALSE(*was);
  }
}

TEST_P(SubscriptionStoreTest, ABatchOfDeliveriesIsRecordedAtOnceWithTheirEndpointsHealth) {
  const std::string a = "http://a.example/postnotice";
  const std::string b = "http://b.example/postnotice";
  ASSERT_OK(db_->deliveries().RecordFailure(a, "HTTP 502", clock_.Now()));
  const std::vector<DeliveryRef> batch = {DeliveryRef{"omb", "notice", 7, a},
                                          DeliveryRef{"omb", "notice", 7, b},
                                          DeliveryRef{"omb", "profile", 3, a}};
  ASSERT_OK(db_->deliveries().RecordDeliveredAll(std::vector<DeliveryRef>{}, clock_.Now()));
  ASSERT_OK(db_->deliveries().RecordDeliveredAll(batch, clock_.Now() + seconds(1)));
  // One of them recorded before (a reclaimed job), with another one: harmless.
  ASSERT_OK(db_->deliveries().RecordDeliveredAll(
      std::vector<DeliveryRef>{batch[1], DeliveryRef{"omb", "notice", 8, b}},
      clock_.Now() + seconds(2)));
  for (const DeliveryRef& ref :
       {batch[0], batch[1], batch[2], DeliveryRef{"omb", "notice", 8, b}}) {
    SCOPED_TRACE(std::string(ref.kind) + " " + std::to_string(ref.subject) + " " +
                 std::string(ref.endpoint));
    Result<bool> was = db_->deliveries().WasDelivered(ref);
    ASSERT_OK(was);
    EXPECT_TRUE(*was);
  }
  Result<bool> other = db_->deliveries().WasDelivered(DeliveryRef{"omb", "notice", 8, a});
  ASSERT_OK(other);
  EXPECT_FALSE(*other);
  // The same asked for a batch at once, in its order.
  Result<std::vector<bool>> all = db_->deliveries().WasDeliveredAll(std::vector<DeliveryRef>{
      DeliveryRef{"omb", "notice", 8, a}, batch[2], DeliveryRef{"omb", "notice", 8, b},
      DeliveryRef{"omb", "notice", 9, b}, batch[0]});
  ASSERT_OK(all);
  EXPECT_EQ(*all, (std::vector<bool>{false, true, true, false, true}));
  Result<std::vector<bool>> none = db_->deliveries().WasDeliveredAll(std::vector<DeliveryRef>{});
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
  Result<std::vector<EndpointHealth>> failing = db_->deliveries().Failing(10);
  ASSERT_OK(failing);
  EXPECT_THAT(*failing, ::testing::IsEmpty());  // a's failure cleared by its success.
  Result<std::vector<EndpointHealth>> health = db_->deliveries().Health({a, b});
  ASSERT_OK(health);
  ASSERT_EQ(health->size(), 2u);
  EXPECT_EQ((*health)[0].last_success_at, clock_.Now() + seconds(1));
  EXPECT_EQ((*health)[1].last_success_at, clock_.Now() + seconds(2));
}

TEST_P(SubscriptionStoreTest, EndpointHealthCountsFailuresUntilASuccess) {
  const std::string url = "http://down.example/postnotice";
  const TimePoint t0 = clock_.Now();
  ASSERT_OK(db_->deliveries().RecordFailure(url, "connect: connection refused", t0));
  ASSERT_OK(db_->deliveries().RecordFailure(url, "HTTP 502", t0 + seconds(60)));
  ASSERT_OK(db_->deliveries().RecordFailure("http://other.example/p", "timeout", t0 + seconds(5)));
  Result<std::vector<EndpointHealth>> failing = db_->deliveries().Failing(10);
  ASSERT_OK(failing);
  ASSERT_EQ(failing->size(), 2u);
  EXPECT_EQ((*failing)[0].endpoint, url);  // Failing longest first.
  EXPECT_EQ((*failing)[0].consecutive_failures, 2);
  EXPECT_EQ((*failing)[0].failing_since, t0);
  EXPECT_EQ((*failing)[0].last_failure_at, t0 + seconds(60));
  EXPECT_EQ((*failing)[0].last_error, "HTTP 502");

  ASSERT_OK(db_->deliveries().RecordDelivered({"omb", "notice", 1, url}, t0 + seconds(120)));
  Result<std::vector<EndpointHealth>> health =
      db_->deliveries().Health({url, "http://never.example/"});
  ASSERT_OK(health);
  ASSERT_EQ(health->size(), 1u);
  EXPECT_EQ((*health)[0].consecutive_failures, 0);
  EXPECT_FALSE((*health)[0].failing_since.has_value());
  EXPECT_EQ((*health)[0].last_success_at, t0 + seconds(120));
  EXPECT_EQ((*health)[0].last_error, "");
  failing = db_->deliveries().Failing(10);
  ASSERT_OK(failing);
  ASSERT_EQ(failing->size(), 1u);
  EXPECT_EQ((*failing)[0].endpoint, "http://other.example/p");
}

TEST_P(SubscriptionStoreTest, HugePeerErrorsAreCutForTheHealthRecord) {
  ASSERT_OK(db_->deliveries().RecordFailure("http://x.example/", std::string(100'000, 'e'),
                                            clock_.Now()));
  Result<std::vector<EndpointHealth>> failing = db_->deliveries().Failing(1);
  ASSERT_OK(failing);
  ASSERT_EQ(failing->size(), 1u);
  EXPECT_EQ((*failing)[0].last_error.size(), 500u);
}

TEST_P(SubscriptionStoreTest, SubscribersAtOneUpdateProfileUrlComeOldestFirst) {
  const FeedRecord blog = AddBlog("garden");
  ASSERT_OK(db_->subscriptions().Subscribe(Subscriber(blog.account_id, "bob", "identi.example")));
  ASSERT_OK(db_->subscriptions().Subscribe(Subscriber(blog.account_id, "carol", "status.example")));
  ASSERT_OK(db_->subscriptions().Subscribe(Subscriber(blog.account_id, "alice", "identi.example")));
  Result<std::vector<Subscription>> at = db_->subscriptions().ListByUpdateProfileUrl(
      blog.account_id, "http://identi.example/index.php?action=updateprofile");
  ASSERT_OK(at);
  ASSERT_EQ(at->size(), 2u);
  EXPECT_EQ((*at)[0].subscriber.nickname, "bob");
  EXPECT_EQ((*at)[1].subscriber.nickname, "alice");
  // The postNotice URL is another column.
  Result<std::vector<Subscription>> none = db_->subscriptions().ListByUpdateProfileUrl(
      blog.account_id, "http://identi.example/index.php?action=postnotice");
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
}

TEST_P(SubscriptionStoreTest, PruningForgetsOnlyDeliveriesRecordedBeforeTheCutoff) {
  const std::string url = "http://identi.example/index.php?action=postnotice";
  const TimePoint t0 = clock_.Now();
  ASSERT_OK(db_->deliveries().RecordDelivered({"omb", "notice", 1, url}, t0));
  ASSERT_OK(db_->deliveries().RecordDelivered({"omb", "notice", 2, url}, t0 + seconds(10)));
  ASSERT_OK(db_->deliveries().RecordDelivered({"omb", "profile", 3, url}, t0 + seconds(20)));
  Result<int64_t> pruned = db_->deliveries().PruneDelivered(t0 + seconds(10));
  ASSERT_OK(pruned);
  EXPECT_EQ(*pruned, 1);
  for (const auto& [ref, kept] : {std::pair<DeliveryRef, bool>{{"omb", "notice", 1, url}, false},
                                  {{"omb", "notice", 2, url}, true},
                                  {{"omb", "profile", 3, url}, true}}) {
    SCOPED_TRACE(std::to_string(ref.subject));
    Result<bool> was = db_->deliveries().WasDelivered(ref);
    ASSERT_OK(was);
    EXPECT_EQ(*was, kept);
  }
  pruned = db_->deliveries().PruneDelivered(t0 + seconds(10));
  ASSERT_OK(pruned);
  EXPECT_EQ(*pruned, 0);
  // The endpoint's health is no delivery record: it stays.
  Result<std::vector<EndpointHealth>> health = db_->deliveries().Health({url});
  ASSERT_OK(health);
  EXPECT_EQ(health->size(), 1u);
}

TEST_P(SubscriptionStoreTest, AProfileChangeIsRecordedWithThePollAndWaitsInTheOutbox) {
  const FeedRecord blog = AddBlog("garden");
  Result<ProfileRevision> none = db_->profiles().LatestRevision(blog.account_id);
  EXPECT_THAT(none.status(), StatusIs(Code::kNotFound));
  FetchState state;
  state.url = blog.url;
  state.title = "Garden notes";
  state.description = "Plants";
  state.site_url = "https://garden.example.org/";
  state.icon_url = "https://garden.example.org/icon.png";
  ASSERT_OK(db_->entries().RecordPoll(blog.id, state, {}));  // Unchanged: no revision.
  EXPECT_THAT(db_->profiles().LatestRevision(blog.account_id).status(), StatusIs(Code::kNotFound));
  state.profile_changed = true;
  ASSERT_OK(db_->entries().RecordPoll(blog.id, state, {}));
  state.title = "Garden diary";
  ASSERT_OK(db_->entries().RecordPoll(blog.id, state, {}));

  Result<ProfileRevision> latest = db_->profiles().LatestRevision(blog.account_id);
  ASSERT_OK(latest);
  EXPECT_EQ(latest->account_id, blog.account_id);
  EXPECT_EQ(latest->nickname, "garden");
  EXPECT_EQ(latest->title, "Garden diary");
  EXPECT_EQ(latest->description, "Plants");
  EXPECT_EQ(latest->site_url, "https://garden.example.org/");
  EXPECT_EQ(latest->icon_url, "https://garden.example.org/icon.png");
  EXPECT_EQ(latest->created_at, clock_.Now());
  Result<std::vector<ProfileRevision>> pending = db_->profiles().PendingRevisions(10);
  ASSERT_OK(pending);
  ASSERT_EQ(pending->size(), 2u);  // Oldest first.
  EXPECT_EQ((*pending)[0].title, "Garden notes");
  EXPECT_EQ((*pending)[1].id, latest->id);
  EXPECT_LT((*pending)[0].id, (*pending)[1].id);
  ASSERT_OK(db_->profiles().MarkRevisionEnqueued((*pending)[0].id));
  pending = db_->profiles().PendingRevisions(10);
  ASSERT_OK(pending);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].id, latest->id);
  EXPECT_THAT(db_->profiles().MarkRevisionEnqueued(latest->id + 100), StatusIs(Code::kNotFound));
  // The revisions go with their blog.
  ASSERT_OK(db_->feeds().RemoveFeed(blog.id));
  EXPECT_THAT(db_->profiles().LatestRevision(blog.account_id).status(), StatusIs(Code::kNotFound));
}

INSTANTIATE_TEST_SUITE_P(Backends, SubscriptionStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace feedbridge::store
