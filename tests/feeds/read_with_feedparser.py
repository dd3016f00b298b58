#!/usr/bin/env python3
"""Reads feed files the way other tools do and prints what they saw, for
tests/feeds/feedparser_roundtrip_test.cc.

Usage: read_with_feedparser.py FILE...

Prints one JSON array on stdout with an object per FILE:
  file, reader ("feedparser X.Y.Z" or "json (feedparser X.Y.Z has no JSON Feed support)"),
  bozo, bozo_exception, version (feedparser's names: atom10, rss20, json11), title, link,
  entries: [{id, link, title, published (POSIX seconds or null), content, enclosures, tags}]

Feeds are read with sanitizing and relative-URI resolution off, so the values are what the
file holds. feedparser 6.0 (Debian 12) reads no JSON Feed: a JSON file it rejects is checked
here instead against JSON Feed 1.1's required fields, with a strict JSON reader (UTF-8 only,
no duplicate keys, no NaN). Exit status: 0 when every file was read (bozo or not), 2 on bad
usage or an unreadable file, 3 when feedparser is missing.
"""

import calendar
import datetime
import json
import sys

try:
    import feedparser
except ImportError as error:
    sys.stderr.write(
        "read_with_feedparser: cannot import feedparser (%s); "
        "install python3-feedparser\n" % error)
    sys.exit(3)

JSON_FEED_VERSIONS = {
    "https://jsonfeed.org/version/1": "json1",
    "https://jsonfeed.org/version/1.1": "json11",
}


def epoch(struct_time):
    return calendar.timegm(struct_time) if struct_time else None


def summarize_feedparser(result):
    feed = result.get("feed", {})
    entries = []
    for entry in result.get("entries", []):
        if entry.get("content"):
            content = entry["content"][0].get("value")
        else:
            content = entry.get("summary")
        entries.append({
            "id": entry.get("id"),
            "link": entry.get("link"),
            "title": entry.get("title"),
            "published": epoch(entry.get("published_parsed")),
            "content": content,
            "enclosures": [e.get("href") for e in entry.get("enclosures", [])],
            "tags": [t.get("term") for t in entry.get("tags", [])],
        })
    exception = result.get("bozo_exception")
    return {
        "reader": "feedparser " + feedparser.__version__,
        "bozo": bool(result.get("bozo")),
        "bozo_exception": str(exception) if exception else None,
        "version": result.get("version", ""),
        "title": feed.get("title"),
        "link": feed.get("link"),
        "entries": entries,
    }


class JsonFeedError(ValueError):
    pass


def reject_duplicates(pairs):
    keys = [key for key, _ in pairs]
    if len(keys) != len(set(keys)):
        raise JsonFeedError("duplicate key in object")
    return dict(pairs)


def reject_constant(name):
    raise JsonFeedError("not JSON: " + name)


def rfc3339_epoch(text):
    if text is None:
        return None
    # RFC 3339 §5.6; Python 3.11's fromisoformat takes the "Z" suffix.
    return int(datetime.datetime.fromisoformat(text).timestamp())


def require_string(obj, key, where):
    if not isinstance(obj.get(key), str):
        raise JsonFeedError("%s: %s is required and must be a string" % (where, key))


def summarize_json_feed(data):
    reader = "json (feedparser %s has no JSON Feed support)" % feedparser.__version__
    try:
        doc = json.loads(data.decode("utf-8", errors="strict"),
                         object_pairs_hook=reject_duplicates,
                         parse_constant=reject_constant)
        if not isinstance(doc, dict):
            raise JsonFeedError("top level is not an object")
        version = JSON_FEED_VERSIONS.get(doc.get("version"))
        if version is None:
            raise JsonFeedError("unknown version %r" % doc.get("version"))
        require_string(doc, "title", "feed")
        if not isinstance(doc.get("items"), list):
            raise JsonFeedError("feed: items is required and must be an array")
        entries = []
        for index, item in enumerate(doc["items"]):
            where = "items[%d]" % index
            require_string(item, "id", where)
            if "content_html" not in item and "content_text" not in item:
                raise JsonFeedError(where + ": content_html or content_text is required")
            for attachment in item.get("attachments", []):
                require_string(attachment, "url", where + " attachment")
                require_string(attachment, "mime_type", where + " attachment")
            entries.append({
                "id": item["id"],
                "link": item.get("url"),
                "title": item.get("title"),
                "published": rfc3339_epoch(item.get("date_published")),
                "content": item.get("content_html", item.get("content_text")),
                "enclosures": [a["url"] for a in item.get("attachments", [])],
                "tags": item.get("tags", []),
            })
    except (ValueError, TypeError, AttributeError) as error:
        return {"reader": reader, "bozo": True, "bozo_exception": str(error), "version": "",
                "title": None, "link": None, "entries": []}
    return {"reader": reader, "bozo": False, "bozo_exception": None, "version": version,
            "title": doc["title"], "link": doc.get("home_page_url"), "entries": entries}


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    result = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if not result.get("version") and data.lstrip()[:1] == b"{":
        summary = summarize_json_feed(data)
    else:
        summary = summarize_feedparser(result)
    summary["file"] = path
    return summary


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("usage: read_with_feedparser.py FILE...\n")
        return 2
    try:
        summaries = [read(path) for path in argv[1:]]
    except OSError as error:
        sys.stderr.write("read_with_feedparser: %s\n" % error)
        return 2
    json.dump(summaries, sys.stdout, ensure_ascii=True, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
