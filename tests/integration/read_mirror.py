#!/usr/bin/env python3
"""Reads feeds over HTTP the way a feed reader does, for mirror_integration_test.cc.

Usage:
  read_mirror.py fetch URL...
      Prints a JSON array with, per URL: url, status, etag, modified, bozo, bozo_exception,
      version, title, next (the rel="next" link or next_url), and entries: [{id, link, title,
      title_type, links: [{rel, href}], enclosures: [{href, type, length}], tags, authors,
      content, summary}].
  read_mirror.py revalidate URL ETAG MODIFIED [URL ETAG MODIFIED]...
      Sends two conditional GETs per URL, one with only If-None-Match: ETAG, one with only
      If-Modified-Since: MODIFIED; prints [{url, etag_status, modified_status}].
  read_mirror.py walk URL BETWEEN_URL
      Reads URL, then follows its next link to the end, sending a GET to BETWEEN_URL between two
      pages (the test answers it once new entries have arrived); prints {pages: [{url, status,
      bozo, bozo_exception, ids, next}]}.

Atom and RSS are read with feedparser (Debian python3-feedparser), which fetches the URL itself
and sends the conditional headers. feedparser 6.0 reads no JSON Feed, so a .json URL is fetched
with urllib and checked against JSON Feed 1.1's required fields with a strict JSON reader (UTF-8
only, no duplicate keys, no NaN); "bozo" is then that check failing. Proxies from the
environment are ignored: the tests talk to loopback only.

Exit status: 0 when every request was answered (bozo or not), 1 when one failed, 2 on bad
usage, 3 when feedparser is missing.
"""

import json
import sys
import urllib.error
import urllib.request

try:
    import feedparser
except ImportError as error:
    sys.stderr.write("read_mirror: cannot import feedparser (%s); "
                     "install python3-feedparser\n" % error)
    sys.exit(3)

NO_PROXY = urllib.request.ProxyHandler({})
OPENER = urllib.request.build_opener(NO_PROXY)
TIMEOUT = 60
JSON_FEED_VERSIONS = ("https://jsonfeed.org/version/1", "https://jsonfeed.org/version/1.1")


class FetchError(Exception):
    pass


class JsonFeedError(ValueError):
    pass


def is_json(url):
    return url.split("?", 1)[0].endswith(".json")


def http_get(url, headers=None):
    """(status, headers, body) of a GET; 304 and other errors are answers, not exceptions."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with OPENER.open(request, timeout=TIMEOUT) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()
    except (urllib.error.URLError, OSError) as error:
        raise FetchError("%s: %s" % (url, error))


def reject_duplicates(pairs):
    keys = [key for key, _ in pairs]
    if len(keys) != len(set(keys)):
        raise JsonFeedError("duplicate key in object")
    return dict(pairs)


def reject_constant(name):
    raise JsonFeedError("not JSON: " + name)


def require_string(obj, key, where):
    if not isinstance(obj.get(key), str):
        raise JsonFeedError("%s: %s is required and must be a string" % (where, key))


def read_json_feed(url):
    status, headers, body = http_get(url)
    summary = {"url": url, "status": status, "etag": headers.get("ETag"),
               "modified": headers.get("Last-Modified"), "bozo": False,
               "bozo_exception": None, "version": "", "title": None, "next": None,
               "entries": []}
    if status != 200:
        return summary
    try:
        doc = json.loads(body.decode("utf-8", errors="strict"),
                         object_pairs_hook=reject_duplicates, parse_constant=reject_constant)
        if not isinstance(doc, dict):
            raise JsonFeedError("top level is not an object")
        if doc.get("version") not in JSON_FEED_VERSIONS:
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
            enclosures = []
            for attachment in item.get("attachments", []):
                require_string(attachment, "url", where + " attachment")
                require_string(attachment, "mime_type", where + " attachment")
                enclosures.append({"href": attachment["url"], "type": attachment["mime_type"],
                                   "length": str(attachment.get("size_in_bytes", ""))})
            links = [{"rel": "alternate", "href": item["url"]}] if "url" in item else []
            entries.append({
                "id": item["id"],
                "link": item.get("url"),
                "title": item.get("title"),
                "title_type": "text/plain",
                "links": links,
                "enclosures": enclosures,
                "tags": item.get("tags", []),
                "authors": [a.get("name") for a in item.get("authors", [])],
                "content": item.get("content_html", item.get("content_text")),
                "summary": item.get("summary"),
            })
        summary.update({"version": "json" + doc["version"].rsplit("/", 1)[1].replace(".", ""),
                        "title": doc["title"], "next": doc.get("next_url"),
                        "entries": entries})
    except (ValueError, TypeError, AttributeError) as error:
        summary.update({"bozo": True, "bozo_exception": str(error)})
    return summary


def next_link(feed):
    for link in feed.get("links", []):
        if link.get("rel") == "next":
            return link.get("href")
    return None


def read_xml_feed(url, etag=None, modified=None):
    result = feedparser.parse(url, etag=etag, modified=modified, handlers=[NO_PROXY])
    if "status" not in result:
        raise FetchError("%s: %s" % (url, result.get("bozo_exception")))
    exception = result.get("bozo_exception")
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
            "title_type": entry.get("title_detail", {}).get("type"),
            "links": [{"rel": l.get("rel"), "href": l.get("href")}
                      for l in entry.get("links", [])],
            "enclosures": [{"href": e.get("href"), "type": e.get("type"),
                            "length": e.get("length")} for e in entry.get("enclosures", [])],
            "tags": [t.get("term") for t in entry.get("tags", [])],
            "authors": [a.get("name") for a in entry.get("authors", []) if a.get("name")],
            "content": content,
            "summary": entry.get("summary"),
        })
    headers = result.get("headers", {})
    return {"url": url, "status": result.get("status"), "etag": headers.get("etag"),
            "modified": headers.get("last-modified"), "bozo": bool(result.get("bozo")),
            "bozo_exception": str(exception) if exception else None,
            "version": result.get("version", ""), "title": result.get("feed", {}).get("title"),
            "next": next_link(result.get("feed", {})), "entries": entries}


def read(url):
    return read_json_feed(url) if is_json(url) else read_xml_feed(url)


def revalidate(url, etag, modified):
    if is_json(url):
        etag_status = http_get(url, {"If-None-Match": etag})[0]
        modified_status = http_get(url, {"If-Modified-Since": modified})[0]
    else:
        etag_status = read_xml_feed(url, etag=etag)["status"]
        modified_status = read_xml_feed(url, modified=modified)["status"]
    return {"url": url, "etag_status": etag_status, "modified_status": modified_status}


def walk(url, between_url):
    pages = []
    seen_urls = set()
    while url:
        if url in seen_urls:
            raise FetchError("next links loop at " + url)
        seen_urls.add(url)
        page = read(url)
        pages.append({"url": url, "status": page["status"], "bozo": page["bozo"],
                      "bozo_exception": page["bozo_exception"],
                      "ids": [e["id"] for e in page["entries"]], "next": page["next"]})
        url = page["next"]
        if url:
            status = http_get(between_url)[0]
            if status != 200:
                raise FetchError("%s: HTTP %d" % (between_url, status))
    return {"pages": pages}


def main(argv):
    if len(argv) >= 3 and argv[1] == "fetch":
        out = [read(url) for url in argv[2:]]
    elif len(argv) >= 5 and argv[1] == "revalidate" and (len(argv) - 2) % 3 == 0:
        out = [revalidate(*argv[i:i + 3]) for i in range(2, len(argv), 3)]
    elif len(argv) == 4 and argv[1] == "walk":
        out = walk(argv[2], argv[3])
    else:
        sys.stderr.write(__doc__)
        return 2
    json.dump(out, sys.stdout, ensure_ascii=True, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except FetchError as error:
        sys.stderr.write("read_mirror: %s\n" % error)
        sys.exit(1)
