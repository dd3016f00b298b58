#!/usr/bin/python3
"""Runs the feedparser test corpus against feedbridge's parser and prints pass rates per folder.

Each corpus file states its expectation as a Python expression in an `Expect:` comment, written
against feedparser's result (bozo, feed, entries, encoding, version). feedparser_dump (C++) parses
every file with feeds::ParseFeed and prints feedparser-shaped JSON; this script evaluates each
expression against that, using feedparser's own FeedParserDict for its key aliases
('tagline' -> 'subtitle', 'guid' -> 'id', ...).

Usage: run_feedparser_corpus.py DUMP_TOOL CORPUS_DIR [--require FOLDER=PERCENT ...] [--verbose]
Exit status 1 when a required folder is under its percentage, or when a sanitize case lets
unsafe markup through.
"""

import argparse
import html.parser
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse

import feedparser
from feedparser.util import FeedParserDict

HEADER_RE = re.compile(r"^\s*(Description|Expect|Header|SkipUnless):\s*(.*?)\s*$", re.M)
UNSAFE_TAGS = {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
               "form", "input", "button", "textarea", "select", "meta", "link", "base", "svg",
               "math", "noscript", "template"}
URL_ATTRS = {"href", "src", "action", "formaction", "background", "cite", "longdesc", "poster",
             "xlink:href", "data", "srcset", "lowsrc", "dynsrc"}


class UnsafeFinder(html.parser.HTMLParser):
    """Finds what a browser could run in an HTML fragment: tags, handlers, styles, URL schemes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in UNSAFE_TAGS:
            self.found.append("<%s>" % tag)
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append("%s=" % name)
            elif name in URL_ATTRS and value:
                scheme = re.sub(r"[\x00-\x20]", "", value).split(":", 1)
                if len(scheme) == 2 and "/" not in scheme[0] and \
                        scheme[0].lower() not in ("http", "https", "mailto"):
                    self.found.append("%s=%s" % (name, value[:40]))


def html_values(obj):
    """Every HTML value feedparser would hand to a page: *_detail and content of HTML type."""
    if isinstance(obj, dict):
        if obj.get("type") in ("text/html", "application/xhtml+xml") and "value" in obj:
            yield obj["value"]
        for v in obj.values():
            yield from html_values(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from html_values(v)


def unsafe_markup(result):
    finder = UnsafeFinder()
    for value in html_values(result):
        finder.feed(value)
        finder.close()
    return finder.found


def read_comment(raw):
    """The test's header comment, whatever the file's encoding."""
    for codec in ("utf-8", "utf-16", "utf-32", "latin-1"):
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        if "Expect:" in text or "Description:" in text:
            return text
    return raw.decode("latin-1")


VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                 "param", "source", "track", "wbr"}
HTML_TYPES = ("text/html", "application/xhtml+xml")


class HtmlTokens(html.parser.HTMLParser):
    """An HTML fragment as a list of tokens: what a browser builds, not how it was spelled."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tokens = []

    def handle_starttag(self, tag, attrs):
        self.tokens.append(("start", tag, tuple(sorted((k, v or "") for k, v in attrs))))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.tokens.append(("end", tag))

    def handle_endtag(self, tag):
        if tag not in VOID_ELEMENTS:
            self.tokens.append(("end", tag))

    def handle_data(self, data):
        if self.tokens and self.tokens[-1][0] == "text":
            self.tokens[-1] = ("text", self.tokens[-1][1] + data)
        else:
            self.tokens.append(("text", data))


def html_tokens(text):
    parser = HtmlTokens()
    parser.feed(text)
    parser.close()
    return parser.tokens


class HtmlStr(str):
    """An HTML value from our parser. It equals a string that is the same HTML: the same elements,
    attributes (in any order) and text once character references are decoded ('&#38;' is '&amp;').
    feedparser's expectations spell its own sanitizer's output; another correct sanitizer may
    spell the same HTML differently."""

    def __eq__(self, other):
        if not isinstance(other, str):
            return NotImplemented
        return str.__eq__(self, other) or html_tokens(self) == html_tokens(other)

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = str.__hash__


def to_fpd(value):
    if isinstance(value, dict):
        out = FeedParserDict()
        for k, v in value.items():
            if k.endswith("_parsed") and isinstance(v, list):
                out[k] = time.struct_time(tuple(v))
            else:
                out[k] = to_fpd(v)
        if out.get("type") in HTML_TYPES and isinstance(out.get("value"), str):
            out["value"] = HtmlStr(out["value"])
        for k in list(out.keys()):
            detail = value.get(k + "_detail")
            if isinstance(detail, dict) and detail.get("type") in HTML_TYPES and \
                    isinstance(out[k], str):
                out[k] = HtmlStr(out[k])
        return out
    if isinstance(value, list):
        return [to_fpd(v) for v in value]
    return value


def collect(corpus):
    cases = []
    for root, _, files in os.walk(corpus):
        for name in sorted(files):
            if not name.endswith(".xml"):
                continue
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                raw = f.read()
            fields = dict((k, v) for k, v in HEADER_RE.findall(read_comment(raw)))
            if "Expect" not in fields:
                continue
            content_type = ""
            rel = os.path.relpath(path, corpus)
            base_url = "http://127.0.0.1:8097/tests/" + rel.replace(os.sep, "/")
            header = fields.get("Header", "")
            name, _, value = header.partition(":")
            if name.strip().lower() == "content-type":
                content_type = value.strip()
            elif name.strip().lower() == "content-location":
                # The URL the document says it came from: what a fetcher passes as base_url.
                base_url = urllib.parse.urljoin(base_url, value.strip())
            cases.append({
                "path": path,
                "folder": os.path.dirname(rel),
                "expect": fields["Expect"],
                "skip_unless": fields.get("SkipUnless"),
                "content_type": content_type,
                "base_url": base_url,
            })
    return sorted(cases, key=lambda c: c["path"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dump_tool")
    ap.add_argument("corpus")
    ap.add_argument("--require", action="append", default=[],
                    help="FOLDER[,FOLDER...]=PERCENT: fail if those folders (and their "
                         "subfolders), taken together, pass less")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    if not os.path.isdir(args.corpus):
        # CI and developer checkouts have ../shared beside the repository; a clone elsewhere
        # does not. Say so loudly and let CTest count the test as skipped (exit 77).
        print("feedparser corpus not found at %s: conformance NOT run" % args.corpus)
        return 77
    cases = collect(args.corpus)
    runnable = []
    skipped = []
    for c in cases:
        if c["skip_unless"]:
            try:
                eval(c["skip_unless"], {})
            except Exception:
                skipped.append(c)
                continue
        runnable.append(c)

    stdin = "".join("%s\t%s\t%s\n" % (c["path"], c["content_type"], c["base_url"])
                    for c in runnable)
    proc = subprocess.run([args.dump_tool], input=stdin.encode(), stdout=subprocess.PIPE,
                          check=True)
    lines = proc.stdout.decode("utf-8").splitlines()
    if len(lines) != len(runnable):
        print("dump tool printed %d results for %d files" % (len(lines), len(runnable)))
        return 1

    per_folder = {}
    failures = []
    unsafe = []
    for case, line in zip(runnable, lines):
        result = json.loads(line)
        env = {
            "bozo": result.get("bozo", True),
            "bozo_exception": result.get("error"),
            "feed": to_fpd(result.get("feed", {})),
            "entries": to_fpd(result.get("entries", [])),
            "encoding": result.get("encoding", ""),
            "version": result.get("version", ""),
            "namespaces": {},
            "headers": {},
            "feedparser": feedparser,
        }
        try:
            ok = bool(eval(case["expect"], {}, env))
            why = "" if ok else "false"
        except Exception as e:  # A missing key is a failed expectation.
            ok = False
            why = "%s: %s" % (type(e).__name__, e)
        stats = per_folder.setdefault(case["folder"], [0, 0])
        stats[1] += 1
        if ok:
            stats[0] += 1
        else:
            failures.append((case, why, result))
        if case["folder"].endswith("sanitize"):
            found = unsafe_markup(result)
            if found:
                unsafe.append("%s: %s" % (case["path"], ", ".join(found[:5])))

    total_pass = sum(p for p, _ in per_folder.values())
    total = sum(t for _, t in per_folder.values())
    print("feedparser corpus: %d of %d cases pass (%.1f%%), %d skipped (SkipUnless)"
          % (total_pass, total, 100.0 * total_pass / max(total, 1), len(skipped)))
    for folder in sorted(per_folder):
        p, t = per_folder[folder]
        print("  %-32s %4d / %4d  %5.1f%%" % (folder, p, t, 100.0 * p / t))
    if args.verbose:
        for case, why, result in failures:
            print("FAIL %s\n  expect: %s\n  why: %s\n  got: %s" % (
                case["path"], case["expect"], why, json.dumps(result)[:600]))

    status = 0
    for req in args.require:
        folders, pct = req.rsplit("=", 1)
        prefixes = folders.split(",")

        def selected(folder):
            return any(folder == p or folder.startswith(p + "/") for p in prefixes)
        p = sum(v[0] for k, v in per_folder.items() if selected(k))
        t = sum(v[1] for k, v in per_folder.items() if selected(k))
        rate = 100.0 * p / max(t, 1)
        verdict = "ok" if rate >= float(pct) else "UNDER THE REQUIRED"
        print("required %s%% of %s: %.1f%% (%d/%d) %s" % (pct, folders, rate, p, t, verdict))
        if rate < float(pct):
            status = 1
    # Whatever feedparser expected exactly, sanitized output must never carry unsafe markup.
    for path in unsafe:
        print("UNSAFE markup let through: %s" % path)
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
