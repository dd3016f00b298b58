#include "tests/poller/fakes.h"

#include <strings.h>

namespace feedbridge::testing {

// ---- FakeHttpClient

void FakeHttpClient::Script(const std::string& url, http::SendResult answer) {
  std::lock_guard lock(mu_);
  Answers& answers = script_[url];
  // The last answer repeats only until a new one is scripted.
  if (answers.last_used) answers.queue.clear();
  answers.last_used = false;
  answers.queue.push_back(std::move(answer));
}

void FakeHttpClient::OnSend(std::function<void()> hook) {
  std::lock_guard lock(mu_);
  on_send_ = std::move(hook);
}

http::SendResult FakeHttpClient::Send(const http::HttpRequest& request) {
  std::function<void()> hook;
  {
    std::lock_guard lock(mu_);
    hook = on_send_;
  }
  if (hook) hook();
  std::lock_guard lock(mu_);
  requests_.push_back(request);
  auto it = script_.find(request.url);
  if (it == script_.end() || it->second.queue.empty()) {
    return Status::Unavailable("fake http: " + request.url + ": no answer scripted");
  }
  Answers& answers = it->second;
  if (answers.queue.size() == 1) {
    answers.last_used = true;
    return answers.queue.front();
  }
  http::SendResult answer = std::move(answers.queue.front());
  answers.queue.pop_front();
  return answer;
}

std::vector<http::HttpRequest> FakeHttpClient::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

std::string FakeHttpClient::RequestHeader(size_t index, std::string_view name) const {
  std::lock_guard lock(mu_);
  if (index >= requests_.size()) return {};
  for (const http::Header& h : requests_[index].headers) {
    if (h.name.size() == name.size() &&
        strncasecmp(h.name.c_str(), name.data(), name.size()) == 0) {
      return h.value;
    }
  }
  return {};
}

http::HttpResponse FakeHttpClient::Ok(const std::string& url, std::string body,
                                      std::vector<http::Header> headers) {
  http::HttpResponse r = WithStatus(url, 200, std::move(headers));
  r.body = std::move(body);
  return r;
}

http::HttpResponse FakeHttpClient::WithStatus(const std::string& url, int status,
                                              std::vector<http::Header> headers) {
  http::HttpResponse r;
  r.status = status;
  r.headers = std::move(headers);
  r.final_url = url;
  return r;
}

}  // namespace feedbridge::testing
