// feedbridge deliveries dead [--retry ID | --drop ID]

#include <ostream>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "app/feed_display.h"
#include "app/wiring.h"
#include "common/text.h"

namespace feedbridge::app {
namespace {

constexpr size_t kListed = 100;  // Dead letters listed; the rest are counted.

int Fail(Io& io, const Status& s) {
  io.err << "feedbridge: deliveries: " << s.message() << "\n";
  return s.code() == Status::Code::kNotFound             ? kExitNoInput
         : s.code() == Status::Code::kFailedPrecondition ? kExitDataError
         : s.IsRetryable()                               ? kExitUnavailable
                                                         : kExitSoftware;
}

}  // namespace

int RunDeliveries(const CommandLine& line, const config::Config& config, Io& io) {
  if (line.arguments.empty() || line.arguments[0] != "dead") {
    io.err << "feedbridge: deliveries: unknown action '"
           << (line.arguments.empty() ? "" : line.arguments[0]) << "' (actions: dead)\n";
    return kExitUsage;
  }
  const auto retry = line.flags.find("--retry");
  const auto drop = line.flags.find("--drop");
  if (retry != line.flags.end() && drop != line.flags.end()) {
    io.err << "feedbridge: deliveries: give --retry or --drop, not both\n";
    return kExitUsage;
  }
  Result<std::unique_ptr<Services>> services = Services::Open(config, {.redis = true});
  if (!services.ok()) return Fail(io, services.status());
  queue::DeliveryInspector& dead = (*services)->delivery_inspector();
  if (retry != line.flags.end()) {
    if (Status s = dead.ReviveDead(retry->second); !s.ok()) return Fail(io, s);
    io.out << "dead letter " << retry->second << " is back on the queue as a new delivery\n";
    return kExitOk;
  }
  if (drop != line.flags.end()) {
    if (Status s = dead.DropDead(drop->second); !s.ok()) return Fail(io, s);
    io.out << "dead letter " << drop->second << " deleted\n";
    return kExitOk;
  }
  Result<queue::QueueStats> stats = dead.Stats();
  if (!stats.ok()) return Fail(io, stats.status());
  Result<std::vector<queue::DeadDelivery>> letters = dead.ListDead(kListed);
  if (!letters.ok()) return Fail(io, letters.status());
  io.out << Counted(static_cast<uint64_t>(stats->dead), "dead letter", "dead letters");
  if (stats->dead > static_cast<int64_t>(letters->size())) {
    io.out << " (the newest " << letters->size() << " below)";
  }
  io.out << "\n";
  for (const queue::DeadDelivery& d : *letters) {
    const queue::DeliveryJob& job = d.job;
    io.out << d.id << "  " << (job.protocol.empty() ? "?" : job.protocol) << " " << job.kind_name()
           << " " << job.subject() << " of account " << job.account_id << " to <" << job.endpoint
           << ">, " << Counted(static_cast<uint64_t>(job.attempts), "attempt", "attempts") << ": "
           << d.reason << "\n";
  }
  if (!letters->empty()) {
    io.out << "retry one with: feedbridge deliveries dead --retry ID; delete it with --drop ID\n";
  }
  return kExitOk;
}

}  // namespace feedbridge::app
