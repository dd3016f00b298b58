#include "common/log.h"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/FileChannel.h>
#include <Poco/Formatter.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/PatternFormatter.h>
#include <Poco/StreamChannel.h>

#include <array>
#include <iostream>

namespace feedbridge {
namespace {

// One JSON object per line, for log shippers.
class JsonFormatter final : public Poco::Formatter {
 public:
  void format(const Poco::Message& msg, std::string& text) override {
    static constexpr std::array<const char*, 9> kLevels = {
        "", "fatal", "critical", "error", "warning", "notice", "info", "debug", "trace"};
    const auto prio = static_cast<size_t>(msg.getPriority());
    text = "{\"time\":\"";
    text += Poco::DateTimeFormatter::format(msg.getTime(), "%Y-%m-%dT%H:%M:%S.%iZ");
    text += "\",\"level\":\"";
    text += prio < kLevels.size() ? kLevels[prio] : "?";
    text += "\",\"logger\":";
    AppendQuoted(msg.getSource(), text);
    text += ",\"msg\":";
    AppendQuoted(msg.getText(), text);
    text += '}';
  }

 private:
  static void AppendQuoted(const std::string& s, std::string& out) {
    out += '"';
    for (const char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (c < 0x20) {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 15];
          } else {
            out += static_cast<char>(c);
          }
      }
    }
    out += '"';
  }
};

}  // namespace

Status SetUpLogging(const LogOptions& options) {
  int level = 0;
  try {
    level = Poco::Logger::parseLevel(options.level);
  } catch (const Poco::InvalidArgumentException&) {
    return Status::InvalidArgument("log: unknown level '" + options.level + "'");
  }
  Poco::AutoPtr<Poco::Formatter> formatter;
  if (options.format == "text") {
    formatter = new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%SZ %q %s: %t");
  } else if (options.format == "json") {
    formatter = new JsonFormatter();
  } else {
    return Status::InvalidArgument("log: unknown format '" + options.format +
                                   "' (expected text or json)");
  }
  Poco::AutoPtr<Poco::Channel> sink;
  if (options.file.empty()) {
    sink = new Poco::StreamChannel(std::cerr);
  } else {
    auto* file = new Poco::FileChannel(options.file);
    file->setProperty("rotation", "50 M");
    file->setProperty("archive", "timestamp");
    file->setProperty("purgeCount", "5");
    sink = file;
  }
  Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(formatter, sink));
  Poco::Logger::root().setChannel(channel);
  Poco::Logger::root().setLevel(level);
  // Loggers created before this call keep their own channel; point them at the new one too.
  Poco::Logger::setChannel("", channel);
  Poco::Logger::setLevel("", level);
  return Status::Ok();
}

Poco::Logger& ModuleLogger(std::string_view module) {
  return Poco::Logger::get("feedbridge." + std::string(module));
}

}  // namespace feedbridge
