// bench/parse: feed parsing throughput and peak memory of feeds::ParseFeed.
//
//   parse_bench throughput FILE...   parses every file (in memory, 3 rounds), prints MB/s and
//                                    entries/s of the best round as "ours_mb_s=... entries_s=..."
//   parse_bench memory FILE          parses one file once, prints its size and the process's
//                                    peak resident memory before and after, as "key=value" lines
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "feeds/parser.h"

namespace {

std::string ReadAll(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Peak resident set size of this process so far, in KiB (VmHWM).
long PeakRssKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

long CurrentRssKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

int Throughput(int argc, char** argv) {
  std::vector<std::string> docs;
  size_t bytes = 0;
  for (int i = 2; i < argc; ++i) {
    docs.push_back(ReadAll(argv[i]));
    bytes += docs.back().size();
  }
  double best = 1e30;
  size_t entries = 0, failures = 0;
  for (int round = 0; round < 3; ++round) {
    entries = failures = 0;
    const auto start = std::chrono::steady_clock::now();
    for (const std::string& doc : docs) {
      auto feed = feedbridge::feeds::ParseFeed(doc, "http://127.0.0.1/feed");
      if (feed.ok()) entries += feed->entries.size();
      else ++failures;
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, s);
  }
  std::printf("files=%zu bytes=%zu entries=%zu failures=%zu seconds=%.3f ours_mb_s=%.1f "
              "entries_s=%.0f\n",
              docs.size(), bytes, entries, failures, best, static_cast<double>(bytes) / best / 1e6,
              static_cast<double>(entries) / best);
  return failures == 0 ? 0 : 1;
}

int Memory(const char* path) {
  const long before_load = PeakRssKib();
  std::string doc = ReadAll(path);
  const long loaded = CurrentRssKib();
  auto feed = feedbridge::feeds::ParseFeed(doc, "http://127.0.0.1/feed");
  const long peak = PeakRssKib();
  if (!feed.ok()) {
    std::fprintf(stderr, "parse failed: %s\n", feed.status().ToString().c_str());
    return 1;
  }
  std::printf("file_bytes=%zu entries=%zu rss_before_load_kib=%ld rss_loaded_kib=%ld "
              "peak_kib=%ld\n",
              doc.size(), feed->entries.size(), before_load, loaded, peak);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[1], "throughput") == 0) return Throughput(argc, argv);
  if (argc == 3 && std::strcmp(argv[1], "memory") == 0) return Memory(argv[2]);
  std::fprintf(stderr, "usage: parse_bench throughput FILE... | parse_bench memory FILE\n");
  return 64;
}
