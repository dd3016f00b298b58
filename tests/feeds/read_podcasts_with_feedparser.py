#!/usr/bin/env python3
"""Reads podcast and media feeds as a podcast app built on feedparser would, for
tests/feeds/podcast_roundtrip_test.cc.

Usage: read_podcasts_with_feedparser.py FILE...

Prints one JSON array on stdout, an object per FILE: file, reader, bozo, version, image (the
feed's image URL: image.href, else logo/icon), entries: [{id, title, link, date (published, else updated, as UTC
YYYY-MM-DDTHH:MM:SSZ), enclosures: [{url, type,
length}], duration (itunes_duration as written, or JSON Feed's duration_in_seconds), image
(itunes:image href, else the first media:thumbnail), tags: [{term, scheme}], authors: [{name,
email}]}].

Debian 12's feedparser 6.0 has no JSON Feed support: it takes a JSON Feed for XML and calls it
bozo. A file that starts with '{' is therefore read with Python's json module instead, and the
reader says so. Exit status: 0 when every file was read, 2 on bad usage, 3 without feedparser.
"""

import datetime
import json
import sys
import time

try:
    import feedparser
except ImportError as error:
    sys.stderr.write("cannot import feedparser (%s); install python3-feedparser\n" % error)
    sys.exit(3)


def as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def iso(parsed):
    """A feedparser time tuple (UTC) as YYYY-MM-DDTHH:MM:SSZ, or None."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed) if parsed else None


def iso_text(text):
    """An RFC 3339 date (JSON Feed) in the form iso() gives, or None."""
    if not text:
        return None
    when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_xml(data):
    result = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    feed = result.get("feed", {})
    image = (feed.get("image") or {}).get("href") or feed.get("logo") or feed.get("icon")
    entries = []
    for entry in result.get("entries", []):
        thumbnails = entry.get("media_thumbnail") or []
        entry_image = (entry.get("image") or {}).get("href")
        if not entry_image and thumbnails:
            entry_image = thumbnails[0].get("url")
        entries.append({
            "id": entry.get("id"),
            "title": entry.get("title"),
            "enclosures": [{"url": e.get("href"), "type": e.get("type"),
                            "length": as_int(e.get("length"))}
                           for e in entry.get("enclosures", [])],
            "link": entry.get("link"),
            "date": iso(entry.get("published_parsed") or entry.get("updated_parsed")),
            "duration": entry.get("itunes_duration"),
            "image": entry_image,
            "tags": [{"term": t.get("term"), "scheme": t.get("scheme")}
                     for t in entry.get("tags", [])],
            "authors": [{"name": a.get("name"), "email": a.get("email")}
                        for a in entry.get("authors", [])],
        })
    exception = result.get("bozo_exception")
    return {"reader": "feedparser " + feedparser.__version__,
            "bozo": bool(result.get("bozo")),
            "bozo_exception": str(exception) if exception else None,
            "version": result.get("version", ""), "image": image, "entries": entries}


def read_json_feed(data):
    doc = json.loads(data.decode("utf-8"))
    entries = []
    for item in doc.get("items", []):
        attachments = item.get("attachments", [])
        durations = [a["duration_in_seconds"] for a in attachments
                     if "duration_in_seconds" in a]
        entries.append({
            "id": item.get("id"),
            "title": item.get("title"),
            "enclosures": [{"url": a.get("url"), "type": a.get("mime_type"),
                            "length": a.get("size_in_bytes")} for a in attachments],
            "link": item.get("url"),
            "date": iso_text(item.get("date_published") or item.get("date_modified")),
            "duration": str(durations[0]) if durations else None,
            "image": item.get("image"),
            "tags": [{"term": t, "scheme": None} for t in item.get("tags", [])],
            "authors": [{"name": a.get("name"), "email": None}
                        for a in item.get("authors", [])],
        })
    return {"reader": "json (feedparser %s reads no JSON Feed)" % feedparser.__version__,
            "bozo": False, "bozo_exception": None, "version": "json11",
            "image": doc.get("icon") or doc.get("favicon"), "entries": entries}


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("usage: read_podcasts_with_feedparser.py FILE...\n")
        return 2
    out = []
    for path in argv[1:]:
        with open(path, "rb") as f:
            data = f.read()
        summary = read_json_feed(data) if data.lstrip()[:1] == b"{" else read_xml(data)
        summary["file"] = path
        out.append(summary)
    json.dump(out, sys.stdout, ensure_ascii=True, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
