#include "feeds/encoding_convert.h"

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "common/utf8.h"
#include "feeds/encoding.h"

namespace feedbridge::feeds {
namespace encoding_internal {
namespace {

constexpr uint32_t kReplacement = 0xFFFD;

// ---------------------------------------------------------------------------------------------
// UTF-8 validation (common/utf8.h: Unicode 15 §3.9, Table 3-7).

// Length of the well-formed sequence starting at p[0], or 0 if it is ill-formed. When ill-formed,
// *skip is the length of its maximal subpart, at least 1, so that each maximal subpart becomes
// exactly one U+FFFD.
size_t Utf8SequenceAt(const unsigned char* p, size_t n, size_t* skip) {
  const Utf8Char c = DecodeUtf8(std::string_view(reinterpret_cast<const char*>(p), n), 0);
  if (c.valid) return c.length;
  *skip = c.length;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Decoders that never fail. windows-1252 as the WHATWG Encoding Standard defines it: the five
// bytes Microsoft left undefined map to the C1 controls, so every byte string decodes.

constexpr std::array<uint16_t, 32> kWindows1252High = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

// Appends `u`, or U+FFFD (and sets *replaced) when it is not a Unicode scalar value.
void AppendScalarOrReplacement(uint32_t u, bool* replaced, std::string& out) {
  if (u > 0x10FFFF || (u >= 0xD800 && u <= 0xDFFF)) {
    *replaced = true;
    AppendUtf8(kReplacement, out);
  } else {
    AppendUtf8(u, out);
  }
}

}  // namespace

// 8 bytes at a time: a run of ASCII is the common case in feed markup.
bool IsAllAscii(std::string_view bytes) {
  const char* p = bytes.data();
  size_t n = bytes.size();
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    if ((word & 0x8080808080808080ULL) != 0) return false;
    p += 8;
    n -= 8;
  }
  for (; n > 0; ++p, --n) {
    if ((static_cast<unsigned char>(*p) & 0x80) != 0) return false;
  }
  return true;
}

Utf8Stats CountUtf8(std::string_view bytes) {
  Utf8Stats stats;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  while (n > 0) {
    if (*p < 0x80) {
      ++p;
      --n;
      continue;
    }
    size_t skip = 0;
    const size_t len = Utf8SequenceAt(p, n, &skip);
    if (len > 0) {
      ++stats.valid_multibyte;
    } else {
      ++stats.invalid;
    }
    const size_t step = len > 0 ? len : skip;
    p += step;
    n -= step;
  }
  return stats;
}

std::string DecodeWindows1252(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 4);
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x80) {
      out.push_back(c);
    } else if (b < 0xA0) {
      AppendUtf8(kWindows1252High[b - 0x80], out);
    } else {
      AppendUtf8(b, out);
    }
  }
  return out;
}

std::string DecodeUtf16(std::string_view bytes, bool big_endian, bool* replaced) {
  std::string out;
  out.reserve(bytes.size());
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t units = bytes.size() / 2;
  auto unit = [&](size_t i) -> uint32_t {
    const uint32_t a = p[2 * i];
    const uint32_t b = p[2 * i + 1];
    return big_endian ? (a << 8 | b) : (b << 8 | a);
  };
  for (size_t i = 0; i < units; ++i) {
    const uint32_t u = unit(i);
    if (u >= 0xD800 && u <= 0xDBFF && i + 1 < units) {
      const uint32_t v = unit(i + 1);
      if (v >= 0xDC00 && v <= 0xDFFF) {
        AppendUtf8(0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00), out);
        ++i;
        continue;
      }
    }
    AppendScalarOrReplacement(u, replaced, out);
  }
  if (bytes.size() % 2 != 0) AppendScalarOrReplacement(0xD800, replaced, out);  // Cut short.
  return out;
}

std::string DecodeUtf32(std::string_view bytes, bool big_endian, bool* replaced) {
  std::string out;
  out.reserve(bytes.size() / 2);
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t units = bytes.size() / 4;
  for (size_t i = 0; i < units; ++i) {
    const unsigned char* q = p + 4 * i;
    const uint32_t u =
        big_endian ? (uint32_t{q[0]} << 24 | uint32_t{q[1]} << 16 | uint32_t{q[2]} << 8 | q[3])
                   : (uint32_t{q[3]} << 24 | uint32_t{q[2]} << 16 | uint32_t{q[1]} << 8 | q[0]);
    AppendScalarOrReplacement(u, replaced, out);
  }
  if (bytes.size() % 4 != 0) AppendScalarOrReplacement(0xD800, replaced, out);  // Cut short.
  return out;
}

Iconv::Iconv(const std::string& from) : cd_(iconv_open("UTF-8", from.c_str())) {}

Iconv::~Iconv() {
  if (ok()) iconv_close(cd_);
}

bool Iconv::ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }

std::optional<std::string> Iconv::Convert(std::string_view bytes) {
  std::string out;
  out.resize(bytes.size() * 2 + 16);
  // iconv's C interface takes char** but never writes through the input pointer.
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  size_t used = 0;
  while (true) {
    char* dst = out.data() + used;
    size_t dst_left = out.size() - used;
    const size_t rc = in_left > 0 ? iconv(cd_, &in, &in_left, &dst, &dst_left)
                                  : iconv(cd_, nullptr, nullptr, &dst, &dst_left);
    used = out.size() - dst_left;
    if (rc != static_cast<size_t>(-1)) {
      if (in_left == 0) {
        // Flush any shift state (ISO-2022-JP and friends) after the last input byte.
        dst = out.data() + used;
        dst_left = out.size() - used;
        if (iconv(cd_, nullptr, nullptr, &dst, &dst_left) == static_cast<size_t>(-1)) {
          return std::nullopt;
        }
        used = out.size() - dst_left;
        break;
      }
      continue;
    }
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    return std::nullopt;  // EILSEQ (invalid byte) or EINVAL (truncated at the end).
  }
  out.resize(used);
  return out;
}

}  // namespace encoding_internal

using encoding_internal::IsAllAscii;
using encoding_internal::kReplacement;
using encoding_internal::Utf8SequenceAt;

bool IsValidUtf8(std::string_view bytes) { return IsWellFormedUtf8(bytes); }

std::string RepairUtf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + 8);
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  while (n > 0) {
    size_t skip = 0;
    const size_t len = Utf8SequenceAt(p, n, &skip);
    if (len > 0) {
      out.append(reinterpret_cast<const char*>(p), len);
      p += len;
      n -= len;
    } else {
      AppendUtf8(kReplacement, out);
      p += skip;
      n -= skip;
    }
  }
  return out;
}

}  // namespace feedbridge::feeds
