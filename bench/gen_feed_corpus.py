#!/usr/bin/python3
"""Writes a corpus of realistic feeds for bench/parse: blogs with long HTML posts, in RSS 2.0,
Atom 1.0, RSS 1.0 and JSON Feed, in UTF-8, windows-1252, ISO-8859-1 and UTF-16, with the
extensions real feeds carry (content:encoded, dc:, media:, itunes:). Deterministic (seeded).

Usage: gen_feed_corpus.py OUT_DIR [--feeds N] [--big-mib M]
Also writes OUT_DIR/big.xml: one RSS feed of about M MiB (for the peak-memory measurement).
"""

import argparse
import os
import random
from xml.sax.saxutils import escape

WORDS = ("garden kale frost tomato seed compost spring harvest soil water sun rain leaf root "
         "bloom winter bed raised net pigeon weed mulch trellis bean pea squash onion garlic "
         "caf\u00e9 na\u00efve \u201cquoted\u201d \u2014 \u00fcber se\u00f1or").split()


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def html_post(rng, paragraphs):
    parts = []
    for i in range(paragraphs):
        s = " ".join(sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(3, 7)))
        words = s.split(" ")
        k = rng.randrange(len(words))
        words[k] = '<a href="/%s/%d">%s</a>' % (rng.choice(WORDS[:20]), i, words[k])
        words[(k + 3) % len(words)] = "<em>%s</em>" % words[(k + 3) % len(words)]
        parts.append("<p>%s</p>" % " ".join(words))
        if i % 3 == 1:
            parts.append('<p><img src="/img/%d.jpg" alt="photo %d" width="640" height="480"></p>'
                         % (rng.randint(1, 999), i))
        if i % 4 == 2:
            parts.append("<blockquote>%s</blockquote><ul><li>%s</li><li>%s</li></ul>"
                         % (sentence(rng, 12), sentence(rng, 5), sentence(rng, 6)))
    return "\n".join(parts)


def rfc822(rng):
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return "%s, %02d %s %d %02d:%02d:%02d %s" % (
        rng.choice(days), rng.randint(1, 28), rng.choice(months), rng.randint(2005, 2026),
        rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59),
        rng.choice(["+0000", "GMT", "-0500", "+0200", "PST"]))


def iso(rng):
    return "%d-%02d-%02dT%02d:%02d:%02d%s" % (
        rng.randint(2005, 2026), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23),
        rng.randint(0, 59), rng.randint(0, 59), rng.choice(["Z", "+01:00", "-08:00"]))


def rss(rng, n, i, encoding):
    items = []
    for k in range(n):
        url = "http://blog%d.example.org/%d/%d" % (i, 2020 + k % 6, k)
        items.append("""  <item>
    <title>%s</title>
    <link>%s</link>
    <guid isPermaLink="true">%s</guid>
    <pubDate>%s</pubDate>
    <dc:creator>%s</dc:creator>
    <category>%s</category><category>%s</category>
    <description>%s</description>
    <content:encoded><![CDATA[%s]]></content:encoded>
    <media:thumbnail url="http://blog%d.example.org/t/%d.jpg" width="120" height="90"/>
  </item>""" % (escape(sentence(rng, 6)), url, url, rfc822(rng), rng.choice(WORDS).title(),
                rng.choice(WORDS), rng.choice(WORDS), escape(sentence(rng, 30)),
                html_post(rng, rng.randint(2, 8)), i, k))
    return """<?xml version="1.0" encoding="%s"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/"
     xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>Blog %d &amp; friends</title>
  <link>http://blog%d.example.org/</link>
  <description>%s</description>
  <atom:link rel="self" href="http://blog%d.example.org/feed"/>
  <lastBuildDate>%s</lastBuildDate>
%s
</channel>
</rss>
""" % (encoding, i, i, escape(sentence(rng, 10)), i, rfc822(rng), "\n".join(items))


def atom(rng, n, i):
    entries = []
    for k in range(n):
        entries.append("""  <entry>
    <title type="html">%s</title>
    <link rel="alternate" type="text/html" href="/%d/%d"/>
    <id>tag:blog%d.example.org,2020:%d</id>
    <published>%s</published><updated>%s</updated>
    <author><name>%s</name><email>a@example.org</email></author>
    <category term="%s"/>
    <summary type="html">%s</summary>
    <content type="html">%s</content>
  </entry>""" % (escape(escape(sentence(rng, 6))), 2020 + k % 6, k, i, k, iso(rng), iso(rng),
                rng.choice(WORDS).title(), rng.choice(WORDS), escape(sentence(rng, 25)),
                escape(html_post(rng, rng.randint(2, 8)))))
    return """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://blog%d.example.org/" xml:lang="en">
  <title>Atom blog %d</title><id>tag:blog%d.example.org,2020:feed</id><updated>%s</updated>
  <link rel="self" href="/feed.atom"/><link rel="alternate" href="/"/>
%s
</feed>
""" % (i, i, i, iso(rng), "\n".join(entries))


def rdf(rng, n, i):
    items = []
    for k in range(n):
        items.append("""<item rdf:about="http://blog%d.example.org/%d">
  <title>%s</title><link>http://blog%d.example.org/%d</link>
  <description>%s</description><dc:date>%s</dc:date><dc:subject>%s</dc:subject>
</item>""" % (i, k, escape(sentence(rng, 6)), i, k, escape(html_post(rng, rng.randint(2, 6))),
              iso(rng), rng.choice(WORDS)))
    return """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://blog%d.example.org/"><title>RDF blog %d</title>
<link>http://blog%d.example.org/</link><description>x</description></channel>
%s
</rdf:RDF>
""" % (i, i, i, "\n".join(items))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--feeds", type=int, default=2000)
    ap.add_argument("--big-mib", type=int, default=15)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(20261123)
    for i in range(args.feeds):
        n = rng.randint(5, 20)
        kind = i % 10
        if kind < 4:
            data = rss(rng, n, i, "utf-8").encode("utf-8")
        elif kind < 5:
            data = rss(rng, n, i, "windows-1252").encode("cp1252", "xmlcharrefreplace")
        elif kind < 6:
            data = rss(rng, n, i, "iso-8859-1").encode("latin-1", "xmlcharrefreplace")
        elif kind < 7:
            data = rss(rng, n, i, "utf-16").encode("utf-16")
        elif kind < 9:
            data = atom(rng, n, i).encode("utf-8")
        else:
            data = rdf(rng, n, i).encode("utf-8")
        with open(os.path.join(args.out, "feed%05d.xml" % i), "wb") as f:
            f.write(data)
    # One big feed for the memory measurement.
    parts = []
    size = 0
    k = 0
    big_rng = random.Random(15)
    while size < args.big_mib * 1024 * 1024 * 0.96:  # Just under the 15 MiB body cap.
        chunk = rss(big_rng, 50, k, "utf-8")
        body = chunk[chunk.index("  <item>"):chunk.rindex("</item>") + len("</item>")]
        parts.append(body)
        size += len(body.encode("utf-8"))
        k += 1
    big = rss(big_rng, 0, 0, "utf-8").replace("\n\n</channel>", "\n" + "\n".join(parts) + "\n</channel>")
    with open(os.path.join(args.out, "big.xml.big"), "wb") as f:
        f.write(big.encode("utf-8"))


if __name__ == "__main__":
    main()
