#pragma once

// One HTTP connection of the server, from accept to close: POCO parses each request (its
// HTTPServerSession and HTTPServerRequestImpl: keep-alive, timeouts, body streams), we route it,
// answer it and write the answer ourselves, head and body in one system call. Replaces POCO's
// HTTPServerConnection, which answers every parse failure 400 (we answer 408, 414 and 431 where
// they apply), has no whole-request deadline, and writes bodies through a 4 KiB stream buffer.
// Internal to web/.

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

#include <atomic>
#include <chrono>
#include <string_view>

#include "common/status.h"
#include "config/config.h"
#include "web/connection_registry.h"
#include "web/router.h"
#include "web/server.h"
#include "web/web_types.h"

namespace Poco {
class Logger;
}

namespace feedbridge::web {

// What every connection of one server shares. Thread-safe: immutable once the server runs,
// except `stopping` (atomic) and the registry (thread-safe). Outlives the connections.
struct ServerContext {
  ServerContext(const config::ServerOptions& options, const Router& router,
                Poco::Logger& access_log, ErrorPages* pages);

  const config::ServerOptions options;
  const Router& router;
  Poco::Logger& access_log;
  ErrorPages* pages;  // Optional; not owned.
  Poco::Logger& log;
  Poco::Net::HTTPServerParams::Ptr params;  // POCO's session and parser settings.
  std::atomic<bool> stopping{false};        // Set by Stop(): answers close their connection.
  ConnectionRegistry registry;

  // An error answer in the site's look (ErrorPages), or plain text without pages.
  WebResponse ErrorResponse(int status, const Status& cause) const;
};

// The HTTP status for a request POCO could not parse, from its MessageException text (POCO 1.11
// reports every parse failure as the same exception type): 414 for a request line over its 16 KiB
// URI limit, 431 for a header name over 256 bytes, a value over 8 KiB or more than 100 fields,
// 400 for anything else. Pure.
int StatusForParseFailure(std::string_view poco_message);

// Creates the connections; POCO's TCPServer owns (and deletes) the factory and each connection.
class ConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
 public:
  explicit ConnectionFactory(ServerContext& context) : context_(context) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override;

 private:
  ServerContext& context_;
};

}  // namespace feedbridge::web
