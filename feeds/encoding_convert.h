#pragma once

// Internal to feeds/ (encoding.h): the decoders DecodeXmlDocument chooses between, once it knows
// what the bytes are (encoding.cc): UTF-8 checks, windows-1252, UTF-16/32 and glibc iconv. Pure.

#include <iconv.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace feedbridge::feeds::encoding_internal {

inline constexpr std::string_view kUtf8BomBytes = "\xEF\xBB\xBF";

// True when every byte is below 0x80.
bool IsAllAscii(std::string_view bytes);

struct Utf8Stats {
  size_t valid_multibyte = 0;
  size_t invalid = 0;
};

// How many well-formed multibyte sequences and ill-formed maximal subparts `bytes` holds.
Utf8Stats CountUtf8(std::string_view bytes);

// windows-1252 as the WHATWG Encoding Standard defines it: the five bytes Microsoft left
// undefined map to the C1 controls, so every byte string decodes.
std::string DecodeWindows1252(std::string_view bytes);

// UTF-16 (RFC 2781) with unpaired surrogates and a trailing odd byte replaced by U+FFFD;
// *replaced says whether any was.
std::string DecodeUtf16(std::string_view bytes, bool big_endian, bool* replaced);

// UTF-32 with surrogates, values above U+10FFFF and a trailing partial unit replaced; *replaced
// says whether any was.
std::string DecodeUtf32(std::string_view bytes, bool big_endian, bool* replaced);

// glibc iconv behind an RAII handle. Not thread-safe; one per conversion.
class Iconv {
 public:
  // Empty (ok() false) when iconv does not know `from`.
  explicit Iconv(const std::string& from);
  ~Iconv();
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;

  bool ok() const;

  // The whole input as UTF-8; nullopt on an invalid or truncated multibyte sequence.
  std::optional<std::string> Convert(std::string_view bytes);

 private:
  iconv_t cd_;
};

}  // namespace feedbridge::feeds::encoding_internal
