#!/usr/bin/python3
"""Times python3-feedparser over files already read into memory; prints "feedparser_mb_s=..."."""
import sys
import time

import feedparser

docs = [open(p, "rb").read() for p in sys.argv[1:]]
total = sum(len(d) for d in docs)
entries = 0
start = time.perf_counter()
for d in docs:
    entries += len(feedparser.parse(d).entries)
seconds = time.perf_counter() - start
print("files=%d bytes=%d entries=%d seconds=%.3f feedparser_mb_s=%.2f entries_s=%.0f"
      % (len(docs), total, entries, seconds, total / seconds / 1e6, entries / seconds))
