// libFuzzer target: any bytes as an HTTP response to http/response_parser, whole and in pieces.
// Besides crashes, hangs, leaks and undefined behaviour it checks that the answer does not depend
// on how the bytes arrived: the same outcome, status, fields, body and keep-alive whether the
// server's bytes come in one read or in reads of 1 to 64 bytes. Build with scripts/fuzz.
//
// The first two bytes choose the case: bit 0 of the first is a HEAD request, bit 1 a 64-byte body
// cap (else 1 MiB); the second is the piece size (0: one byte).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/response_parser.h"

namespace {

using feedbridge::http::ResponseParser;

struct Outcome {
  bool ok = false;
  int code = 0;  // Status code of an error.
  bool done = false;
  int status = 0;
  std::string fields;
  std::string body;
  bool keep_alive = false;
  size_t used = 0;

  bool operator==(const Outcome& o) const {
    if (ok != o.ok) return false;
    if (!ok) return code == o.code;
    return done == o.done && status == o.status && fields == o.fields && body == o.body &&
           keep_alive == o.keep_alive && used == o.used;
  }
};

Outcome Read(std::string_view bytes, bool head, size_t cap, size_t piece) {
  ResponseParser p(head, cap);
  size_t used = 0;
  while (used < bytes.size() && !p.done() && p.status().ok()) {
    const std::string_view next = bytes.substr(used, piece);
    const size_t n = p.Feed(next);
    if (n > next.size()) __builtin_trap();
    used += n;
    if (n < next.size()) break;
  }
  p.End();
  Outcome o;
  o.ok = p.status().ok();
  o.code = static_cast<int>(p.status().code());
  o.done = p.done();
  o.status = p.status_code();
  for (const auto& h : p.headers()) o.fields += h.name + ": " + h.value + "\n";
  o.body = p.body();
  o.keep_alive = p.keep_alive();
  o.used = used;
  if (o.ok && !o.done) __builtin_trap();  // After End() a response is whole or an error.
  if (o.body.size() > cap) __builtin_trap();
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const bool head = (data[0] & 1) != 0;
  const size_t cap = (data[0] & 2) != 0 ? 64 : size_t{1} << 20;
  const size_t piece = data[1] % 64 + 1;
  const std::string_view bytes(reinterpret_cast<const char*>(data + 2), size - 2);
  const Outcome whole = Read(bytes, head, cap, bytes.size() + 1);
  const Outcome pieces = Read(bytes, head, cap, piece);
  if (!(whole == pieces)) __builtin_trap();
  return 0;
}
