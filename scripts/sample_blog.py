#!/usr/bin/python3
"""A small blog on loopback for trying feedbridge: its RSS feed gains a new post every
--every seconds, with ETag / Last-Modified / 304 like a real blog engine.

  scripts/sample_blog.py [--port 8081] [--every 30]

  http://127.0.0.1:PORT/          the blog's home page (advertises its feed: discovery works)
  http://127.0.0.1:PORT/feed.rss  the feed (the bundled tests/testdata/sample/blog.rss, plus new posts)
"""

import argparse
import email.utils
import hashlib
import html
import http.server
import os
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOPICS = ["Mulching the beds", "First snowdrops", "Seed catalogue season", "Pruning the apple",
          "A robin on the spade", "Leeks in the frost", "Chitting potatoes", "Compost report"]


class Blog:
    def __init__(self, port, every):
        self.port = port
        self.every = every
        self.start = time.time()
        with open(os.path.join(ROOT, "tests/testdata/sample/blog.rss"), encoding="utf-8") as f:
            self.base = f.read().replace("http://127.0.0.1:8081/", "http://127.0.0.1:%d/" % port)
        # No <ttl>: a reader would wait an hour between polls, too long for a demo.
        self.base = self.base.replace("  <ttl>60</ttl>\n", "")

    def posts(self):
        """The generated posts so far, newest first: one now, then one every `every` seconds."""
        n = int((time.time() - self.start) // self.every) + 1
        out = []
        for i in range(n):
            when = self.start + i * self.every
            title = "%s (%d)" % (TOPICS[i % len(TOPICS)], i + 1)
            slug = "live/%d" % (i + 1)
            out.append((when, title, slug))
        return list(reversed(out))

    def feed(self):
        items = []
        for when, title, slug in self.posts():
            url = "http://127.0.0.1:%d/%s" % (self.port, slug)
            items.append("""  <item>
    <title>%s</title>
    <link>%s</link>
    <guid isPermaLink="true">%s</guid>
    <pubDate>%s</pubDate>
    <description>A new note from the garden: %s.</description>
  </item>
""" % (html.escape(title), url, url, email.utils.formatdate(when, usegmt=True),
       html.escape(title.lower())))
        body = self.base.replace("  <item>", "".join(items) + "  <item>", 1)
        return body.encode("utf-8"), self.posts()[0][0]


def handler_for(blog):
    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "sample-blog/1.0"

        def do_GET(self):
            if self.path in ("/feed.rss", "/blog.rss"):
                body, newest = blog.feed()
                etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", email.utils.formatdate(newest, usegmt=True))
            elif self.path == "/":
                body = ("<!DOCTYPE html><html><head><title>The Sample Garden</title>"
                        '<link rel="alternate" type="application/rss+xml" title="The Sample Garden"'
                        ' href="/feed.rss"></head><body><h1>The Sample Garden</h1>'
                        '<p><a href="/feed.rss">Feed</a></p></body></html>').encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
            else:
                body = b"not found\n"
                self.send_response(404)
                self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *args):
            pass

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8081)
    ap.add_argument("--every", type=float, default=30)
    args = ap.parse_args()
    blog = Blog(args.port, args.every)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(blog))
    print("sample blog: http://127.0.0.1:%d/ (a new post every %gs)" % (args.port, args.every),
          flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
