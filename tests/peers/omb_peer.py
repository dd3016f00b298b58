#!/usr/bin/python3
"""A Laconica 0.8 / StatusNet 0.9 OMB 0.1 listener service, for interop and fault tests.

It plays the *listener's service* (the OAuth service provider, ../shared/omb-0.1.md §1): user
profile pages advertising an XRDS (Yadis: X-XRDS-Location header, <meta http-equiv>, and the
XRDS itself for Accept: application/xrds+xml), the request-token, authorize, access-token,
postNotice and updateProfile endpoints at Laconica's bare URLs (index.php?action=...), and it
verifies every OAuth signature with Debian's python3-oauthlib (oauthlib.oauth1.rfc5849.signature)
against the URL it advertised. Each variant answers as that software did (omb-0.1.md §0, §4.3,
§5.4, §6, §8); the differences are listed in VARIANTS below. Loopback only: it binds 127.0.0.1 (or --bind).

Usage:
  /usr/bin/python3 tests/peers/omb_peer.py --variant laconica-0.8|statusnet-0.9
      [--port-file FILE] [--users alice,bob] [--auto-approve] [--fault MODE] [--slow SECONDS]
      [--site-license URL] [--bind 127.0.0.N]

  --variant       laconica-0.8 (default) or statusnet-0.9.
  --port-file     write the port to FILE (atomically, once listening); the port is also printed
                  on stdout as "port N".
  --users         the local users (listeners), nicknames; user i (from 1) has the identifier URI
                  http://HOST:PORT/user/i and the profile page http://HOST:PORT/NICK.
  --auto-approve  the authorize page 303s straight to the callback (as if the user pressed
                  Approve); otherwise it shows an HTML form with Approve and Reject buttons.
  --fault, --slow the initial fault mode (see FAULTS), switchable at run time.
  --bind          the loopback address to listen on and advertise (default 127.0.0.1; another
                  127.0.0.N gives a peer its own host name, as the publisher counts per host).

HTTP endpoints (PORT = the port it listens on):
  GET  /NICK                    profile page (X-XRDS-Location + <meta>; the XRDS itself when the
                                Accept header asks for application/xrds+xml)
  GET  /NICK/xrds               the XRDS (omb-0.1.md §3.3, pointer XRD last)
  *    /index.php?action=requesttoken|userauthorization|accesstoken|postnotice|updateprofile
                                (the action may be in the query or, as Laconica clients send
                                it, in the form body)
  POST /index.php?action=userauthorization   the Approve/Reject form's target
  GET  /_received               JSON list, in arrival order, of every postNotice/updateProfile
                                request: {"action", "params" (all, decoded), "token", "user",
                                "signature_ok", "status", "answer", "time"}
  GET  /_state                  JSON: users, access tokens and their subscriptions, fault
  POST /_control                form fields, any of:
                                  fault=none|down|403|500-duplicate|slow|huge|endless|redirect
                                  seconds=N          (for slow: the delay before answering)
                                  unsubscribe=NICK   (that user stops listening: Laconica deletes
                                                      the subscription, StatusNet the token too)
                                  clear=1            (forget what /_received holds)
                                answers the new state as JSON.

FAULTS (apply to postNotice and updateProfile only; the rest keeps working):
  none           normal behaviour
  down           every connection is reset without an answer (a host that is down); the
                 request is recorded with status 0
  403            403 "Revoked accesstoken" to everything (request recorded, not stored)
  500-duplicate  500 "Duplicate notice." to everything (StatusNet's answer to a known notice)
  slow           waits `seconds` (default 30) before answering normally
  huge           200 with 16 MiB of text before the success line
  endless        200, chunked, an endless body
  redirect       307 to this peer's /_redirected/index.php?action=... (recorded in /_received
                 as action "followed-redirect" if a client follows it)
"""

import argparse
import html
import json
import os
import re
import secrets
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from oauthlib.common import Request as OAuthRequest
from oauthlib.oauth1.rfc5849 import signature as oauth_signature

OMB_VERSION = "http://openmicroblogging.org/protocol/0.1"
SUCCESS_BODY = "omb_version=" + OMB_VERSION
DEFAULT_LICENSE = "http://creativecommons.org/licenses/by/3.0/"
FORM = "application/x-www-form-urlencoded"

# What differs between the variants (omb-0.1.md §0, §4.3 table, §5.4, §6, §8).
VARIANTS = {
    "laconica-0.8": {
        "nickname": re.compile(r"^[0-9a-z]{1,64}$"),
        "tag_listenee_ok": True,           # common_valid_tag fallback
        "length": lambda s: len(s),        # mb_strlen
        "license_ok": lambda lic, site: lic == site,  # string equality
        "oauth_failure_status": 500,       # serverError with the OAuthException text
        "duplicate": "ignored",            # 200 + success body
        "avatar_96": True,                 # exactly 96x96 required
        "update_needs_license": False,
        "unknown_listenee_post": 403,      # "Profile unknown"
        "unknown_listenee_update": 404,
        "unsubscribe_deletes_token": False,
        "token_reply_version": True,       # the 0.8.x patch: &omb_version=... unencoded
    },
    "statusnet-0.9": {
        "nickname": re.compile(r"^[0-9a-zA-Z]{1,64}$"),
        "tag_listenee_ok": False,
        "length": lambda s: len(s.encode("utf-8")),  # strlen: bytes
        "license_ok": lambda lic, site: compatible_license_09(lic, site),
        "oauth_failure_status": 403,
        "duplicate": "500",                # 500 "Duplicate notice."
        "avatar_96": False,
        "update_needs_license": True,      # checked before OAuth: absent fails
        "unknown_listenee_post": 500,      # datastore throws
        "unknown_listenee_update": 403,
        "unsubscribe_deletes_token": True,
        "token_reply_version": False,      # libomb prints the token pair only
    },
}

_CC = re.compile(r"^https?://creativecommons\.org/(licenses|publicdomain)/([a-z-]+)(/[0-9.]+)?/?")


def compatible_license_09(lic, site):
    """StatusNet 0.9 common_compatible_license: CC by-* (any version) / public domain."""
    if lic is None:
        return False
    if lic == site:
        return True
    m = _CC.match(lic)
    if not m:
        return False
    if m.group(1) == "publicdomain":
        return True
    terms = set(m.group(2).split("-"))
    site_m = _CC.match(site)
    site_terms = set(site_m.group(2).split("-")) if site_m else {"by"}
    if "by" not in terms or "nd" in terms or "nc" in terms:
        return False
    if "sa" in terms:
        return terms <= site_terms | {"by", "sa"}
    return True


# PEAR Validate::uri with allowed schemes http/https and the strict ";/?:@$," rule (§8 item 2).
_HOST = r"(?:(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z][a-z0-9-]*[a-z0-9]|(?:\d{1,3}\.){3}\d{1,3})"
_URI = re.compile(
    r"^(https?)://" + _HOST + r"(?::\d+)?"
    r"(/[A-Za-z0-9\-._~!&'()*+=:@%]*)*"
    r"(\?[A-Za-z0-9\-._~!&'()*+=%]*)?"
    r"(#[A-Za-z0-9\-._~!&'()*+=%]*)?$", re.IGNORECASE)
_TAG = re.compile(r"^tag:[a-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?:[\x21-\x7e]+$", re.IGNORECASE)


def valid_url(u):
    return bool(u) and len(u.encode("utf-8")) <= 255 and bool(_URI.match(u)) and \
        u.split(":", 1)[0] in ("http", "https")


def image_size(data):
    """(format, width, height) of a PNG/GIF/JPEG, or None."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return "png", w, h
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        w, h = struct.unpack("<HH", data[6:10])
        return "gif", w, h
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                return None
            marker = data[i + 1]
            length = struct.unpack(">H", data[i + 2:i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                h, w = struct.unpack(">HH", data[i + 5:i + 9])
                return "jpeg", w, h
            i += 2 + length
    return None


class BadRequest(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class Peer:
    """The state of one listener service. Every method is called under self.lock."""

    def __init__(self, args):
        self.variant_name = args.variant
        self.v = VARIANTS[args.variant]
        self.site_license = args.site_license
        self.auto_approve = args.auto_approve
        self.users = [u for u in args.users.split(",") if u]
        self.host = args.bind
        self.port = 0
        self.lock = threading.Lock()
        self.fault = args.fault
        self.slow_seconds = args.slow
        self.request_tokens = {}   # token -> {secret, consumer, listener, state, callback, listenee}
        self.access_tokens = {}    # token -> {secret, consumer, user, listenee}
        self.subscriptions = {}    # (user, listenee uri) -> {token, profile fields}
        self.nonces = set()        # (consumer, ts, nonce)
        self.notices = {}          # notice uri -> params
        self.received = []

    def base(self):
        return "http://%s:%d/" % (self.host, self.port)

    def endpoint(self, action):
        return self.base() + "index.php?action=" + action

    def user_uri(self, nick):
        return self.base() + "user/%d" % (self.users.index(nick) + 1)

    def user_by_uri(self, uri):
        for nick in self.users:
            if self.user_uri(nick) == uri:
                return nick
        return None

    def xrds(self, nick):
        def service(uri, types, local_id=None):
            out = "  <Service>\n   <URI>%s</URI>\n" % html.escape(uri)
            out += "".join("   <Type>%s</Type>\n" % t for t in types)
            if local_id:
                out += "   <LocalID>%s</LocalID>\n" % html.escape(local_id)
            return out + "</Service>\n"
        oauth_types = ["http://oauth.net/core/1.0/parameters/auth-header",
                       "http://oauth.net/core/1.0/parameters/post-body",
                       "http://oauth.net/core/1.0/signature/HMAC-SHA1"]
        xrd = ('<XRD xmlns="xri://$xrd*($v*2.0)" xml:id="%s" '
               'xmlns:simple="http://xrds-simple.net/core/1.0" version="2.0">\n'
               '  <Type>xri://$xrds*simple</Type>\n')
        doc = '<?xml version="1.0" encoding="UTF-8"?>\n<XRDS xmlns="xri://$xrds">\n'
        doc += xrd % "oauth"
        doc += service(self.endpoint("requesttoken"),
                       ["http://oauth.net/core/1.0/endpoint/request"] + oauth_types,
                       self.user_uri(nick))
        doc += service(self.endpoint("userauthorization"),
                       ["http://oauth.net/core/1.0/endpoint/authorize"] + oauth_types)
        doc += service(self.endpoint("accesstoken"),
                       ["http://oauth.net/core/1.0/endpoint/access"] + oauth_types)
        doc += "</XRD>\n" + xrd % "omb"
        doc += service(self.endpoint("postnotice"),
                       ["http://openmicroblogging.org/protocol/0.1/postNotice"])
        doc += service(self.endpoint("updateprofile"),
                       ["http://openmicroblogging.org/protocol/0.1/updateProfile"])
        doc += ('</XRD>\n<XRD xmlns="xri://$xrd*($v*2.0)" version="2.0">\n'
                '  <Type>xri://$xrds*simple</Type>\n')
        doc += service("#oauth", ["http://oauth.net/discovery/1.0"])
        doc += service("#omb", [OMB_VERSION])
        return doc + "</XRD>\n</XRDS>\n"

    # ---- OAuth ----

    def verify(self, action, params, raw_query, raw_body, headers, token_secret, check_ts=True):
        """Checks the HMAC-SHA1 signature with oauthlib against the advertised URL, method POST
        (Laconica 0.7.4+ forces both, omb-0.1.md §7.4), then timestamp and nonce. Returns None
        or the reason it failed."""
        if params.get("oauth_signature_method") != "HMAC-SHA1":
            return "Signature method not supported"
        if params.get("oauth_version", "1.0") != "1.0":
            return "OAuth version not supported"
        method = "GET" if action == "userauthorization" else "POST"
        request = OAuthRequest(self.endpoint(action), method, raw_body, headers)
        request.params = oauth_signature.collect_parameters(
            uri_query=raw_query, body=raw_body, headers=headers, exclude_oauth_signature=True)
        request.signature = params.get("oauth_signature", "")
        if not oauth_signature.verify_hmac_sha1(request, "", token_secret):
            return "Invalid signature"
        if not check_ts:
            return None
        try:
            ts = int(params.get("oauth_timestamp", ""))
        except ValueError:
            return "Invalid timestamp"
        if time.time() - ts > 300:
            return "Expired timestamp, yours %d, ours %d" % (ts, time.time())
        key = (params.get("oauth_consumer_key"), ts, params.get("oauth_nonce"))
        if not key[2] or key in self.nonces:
            return "Nonce already used"
        self.nonces.add(key)
        return None

    # ---- endpoints; each returns (status, content_type, body[, extra headers]) ----

    def request_token(self, params, raw_query, raw_body, headers):
        err = self.verify("requesttoken", params, raw_query, raw_body, headers, "")
        if err:
            return 401, "text/plain", err
        if params.get("omb_version") != OMB_VERSION:
            return 400, "text/plain", "Unsupported OMB version"
        listener = params.get("omb_listener", "")
        if self.user_by_uri(listener) is None:
            return 400, "text/plain", "Unknown listener"
        token, secret = secrets.token_hex(16), secrets.token_hex(16)
        self.request_tokens[token] = {"secret": secret, "consumer": params["oauth_consumer_key"],
                                      "listener": listener, "state": 0}
        body = "oauth_token=%s&oauth_token_secret=%s" % (token, secret)
        if self.v["token_reply_version"]:
            body += "&omb_version=" + OMB_VERSION
        return 200, "text/html", body

    def validate_listenee(self, p):
        """The omb_listenee_* checks of the authorize step (omb-0.1.md §4.3 table)."""
        v = self.v
        if p.get("omb_version") != OMB_VERSION:
            raise BadRequest(400, "Unsupported OMB version")
        listenee = p.get("omb_listenee", "")
        if not (valid_url(listenee) or (v["tag_listenee_ok"] and _TAG.match(listenee))) \
                or len(listenee.encode()) > 255:
            raise BadRequest(400, "Listenee URI ‘%s’ invalid." % listenee)
        if not valid_url(p.get("omb_listenee_profile", "")):
            raise BadRequest(400, "Invalid profile URL ‘%s’." % p.get("omb_listenee_profile"))
        if not v["nickname"].match(p.get("omb_listenee_nickname", "")):
            raise BadRequest(400, "Nickname must have only letters and numbers and no spaces.")
        lic = p.get("omb_listenee_license")
        if not valid_url(lic or "") or not v["license_ok"](lic, self.site_license):
            raise BadRequest(400, "Listenee stream license ‘%s’ is not compatible with site "
                             "license ‘%s’." % (lic, self.site_license))
        for field, limit in (("fullname", 255), ("bio", 140), ("location", 255)):
            value = p.get("omb_listenee_" + field)
            if value is not None and v["length"](value) > limit:
                raise BadRequest(400, "%s too long" % field)
        homepage = p.get("omb_listenee_homepage")
        if homepage and not valid_url(homepage):
            raise BadRequest(400, "Invalid homepage ‘%s’" % homepage)
        avatar = p.get("omb_listenee_avatar")
        if avatar:
            self.check_avatar(avatar)
        callback = p.get("oauth_callback")
        if callback and not valid_url(callback):
            raise BadRequest(400, "Invalid callback URL ‘%s’" % callback)

    def check_avatar(self, url):
        if not valid_url(url):
            raise BadRequest(400, "Invalid avatar URL ‘%s’." % url)
        host = urllib.parse.urlsplit(url).hostname
        if host != "localhost" and not (host or "").startswith("127."):
            raise BadRequest(400, "Can't read avatar URL ‘%s’ (this test peer fetches loopback "
                             "only)." % url)
        import urllib.request
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                data = r.read(1 << 20)
        except OSError as e:
            raise BadRequest(400, "Can't read avatar URL ‘%s’: %s" % (url, e))
        size = image_size(data)
        if size is None:
            raise BadRequest(400, "Wrong image type for avatar URL ‘%s’." % url)
        if self.v["avatar_96"] and size[1:] != (96, 96):
            raise BadRequest(400, "Wrong size image at ‘%s’." % url)

    def authorize(self, params, raw_query, method, form):
        token = params.get("oauth_token", "")
        rt = self.request_tokens.get(token)
        if rt is None or rt["state"] != 0:
            return 400, "text/plain", "Invalid request token."
        p = form if method == "POST" else params
        if method == "GET":
            if p.get("omb_listener") != rt["listener"]:
                return 400, "text/plain", "Can't add for another user!"
            try:
                self.validate_listenee(p)
                for nick in self.users:
                    if (nick, p["omb_listenee"]) in self.subscriptions:
                        if self.user_uri(nick) == rt["listener"]:
                            raise BadRequest(400, "Already subscribed to user!")
            except BadRequest as e:
                return e.status, "text/plain", e.message
            # Laconica <= 0.7.2 checked the legacy signature; 0.8 does not. Recorded only.
            rt["authorize_signature_ok"] = self.verify(
                "userauthorization", params, raw_query, "", {},
                rt["secret"], check_ts=False) is None
            rt["listenee"] = {k: v for k, v in p.items() if k.startswith("omb_listenee")}
            rt["callback"] = p.get("oauth_callback", "")
            if self.auto_approve:
                return self.approve(token, True)
            return 200, "text/html; charset=utf-8", self.authorize_page(token, rt)
        return self.approve(token, form.get("approve") is not None)

    def authorize_page(self, token, rt):
        fields = rt["listenee"]
        rows = "".join("<tr><th>%s</th><td>%s</td></tr>" % (html.escape(k[13:] or "uri"),
                                                           html.escape(v))
                       for k, v in fields.items())
        nick = self.user_by_uri(rt["listener"])
        return ("<!DOCTYPE html><html><head><title>Authorize subscription</title></head><body>"
                "<h1>Authorize subscription</h1><p>Logged in as %s. Please check these details "
                "to make sure that you want to subscribe to this user's notices.</p>"
                "<table id=\"listenee\">%s</table>"
                "<form method=\"post\" action=\"/index.php?action=userauthorization\">"
                "<input type=\"hidden\" name=\"oauth_token\" value=\"%s\">"
                "<button type=\"submit\" name=\"approve\" value=\"1\" id=\"approve\">Approve"
                "</button> <button type=\"submit\" name=\"reject\" value=\"1\" id=\"reject\">"
                "Reject</button></form></body></html>"
                % (html.escape(nick), rows, html.escape(token)))

    def approve(self, token, accepted):
        rt = self.request_tokens[token]
        callback = rt.get("callback", "")
        if not accepted:
            del self.request_tokens[token]
            if not callback:
                return 200, "text/plain", "Subscription rejected"
            return 303, "text/plain", "", {"Location": callback}
        rt["state"] = 1
        nick = self.user_by_uri(rt["listener"])
        if not callback:
            return 200, "text/plain", "Authorized; your token is " + token
        if self.variant_name == "laconica-0.8":
            q = [("oauth_token", token), ("omb_version", OMB_VERSION),
                 ("omb_listener_nickname", nick), ("omb_listener_profile", self.base() + nick)]
            sep = "&" if "?" in callback else "?"
            location = callback + sep + urllib.parse.urlencode(q, quote_via=urllib.parse.quote)
        else:
            q = [("omb_listener", rt["listener"]), ("omb_listener_profile", self.base() + nick),
                 ("omb_listener_nickname", nick), ("omb_listener_license", self.site_license),
                 ("oauth_token", token), ("omb_version", OMB_VERSION)]
            sep = "&" if "?" in callback else "?"
            location = callback + sep + "".join(
                "%s=%s&" % (k, urllib.parse.quote(v, safe="")) for k, v in q)  # trailing '&'
        return 303, "text/plain", "", {"Location": location}

    def access_token(self, params, raw_query, raw_body, headers):
        token = params.get("oauth_token", "")
        rt = self.request_tokens.get(token)
        if rt is None:
            return 401, "text/plain", "Invalid request token"
        err = self.verify("accesstoken", params, raw_query, raw_body, headers, rt["secret"])
        if err:
            return 401, "text/plain", err
        if rt["consumer"] != params.get("oauth_consumer_key") or rt["state"] != 1:
            return 401, "text/plain", "Request token not authorized"
        rt["state"] = 2
        access, secret = secrets.token_hex(16), secrets.token_hex(16)
        nick = self.user_by_uri(rt["listener"])
        listenee = rt["listenee"]["omb_listenee"]
        self.access_tokens[access] = {"secret": secret, "consumer": rt["consumer"], "user": nick,
                                      "listenee": listenee}
        self.subscriptions[(nick, listenee)] = {"token": access, "profile": rt["listenee"]}
        return 200, "text/html", "oauth_token=%s&oauth_token_secret=%s" % (access, secret)

    def omb_message(self, action, params, raw_query, raw_body, headers):
        """postnotice / updateprofile. Returns (status, type, body, record)."""
        v = self.v
        record = {"action": action, "params": params, "token": params.get("oauth_token", ""),
                  "user": None, "signature_ok": False, "time": time.time()}
        at = self.access_tokens.get(record["token"])
        if at is not None:
            record["user"] = at["user"]
            record["signature_ok"] = self.verify(
                action, dict(params), raw_query, raw_body, headers, at["secret"],
                check_ts=False) is None
        # Checks made before OAuth.
        if action == "postnotice":
            content = params.get("omb_notice_content")
            if content is not None and len(content) > 140:
                return 400, "text/plain", "Invalid notice content", record
        elif v["update_needs_license"] and not v["license_ok"](
                params.get("omb_listenee_license"), self.site_license):
            return 400, "text/plain", "Invalid license", record
        # OAuth.
        if at is None:
            return v["oauth_failure_status"], "text/plain", \
                "Handler for %s: Revoked accesstoken for %s" % (
                    action, params.get("omb_listenee", "")), record
        err = self.verify(action, params, raw_query, raw_body, headers, at["secret"])
        if err:
            return v["oauth_failure_status"], "text/plain", err, record
        if params.get("omb_version") != OMB_VERSION:
            return 400, "text/plain", "Unsupported OMB version", record
        listenee = params.get("omb_listenee", "")
        if at["listenee"] != listenee:
            status = v["unknown_listenee_post" if action == "postnotice"
                       else "unknown_listenee_update"]
            return status, "text/plain", "Profile unknown", record
        if (at["user"], listenee) not in self.subscriptions:
            return 403, "text/plain", "No such subscription", record
        if action == "postnotice":
            notice = params.get("omb_notice", "")
            if not (valid_url(notice) or (v["tag_listenee_ok"] and _TAG.match(notice))):
                return 400, "text/plain", "Invalid notice uri", record
            url = params.get("omb_notice_url")
            if url is not None and not valid_url(url):
                return 400, "text/plain", "Invalid notice url", record
            lic = params.get("omb_notice_license")
            if self.variant_name == "statusnet-0.9" and lic is not None and \
                    not v["license_ok"](lic, self.site_license):
                return 400, "text/plain", "Notice license ‘%s’ is not compatible with site " \
                    "license ‘%s’." % (lic, self.site_license), record
            if notice in self.notices:
                record["duplicate"] = True
                if v["duplicate"] == "500":
                    return 500, "text/plain", "Duplicate notice.", record
                return 200, "text/plain", SUCCESS_BODY, record
            self.notices[notice] = params
        else:
            try:
                nick = params.get("omb_listenee_nickname")
                if nick is not None and not v["nickname"].match(nick):
                    raise BadRequest(400, "Nickname must have only letters and numbers and no "
                                     "spaces.")
                for field in ("profile", "homepage", "avatar", "license"):
                    value = params.get("omb_listenee_" + field)
                    if value and not valid_url(value):
                        raise BadRequest(400, "Invalid %s URL ‘%s’" % (field, value))
                for field, limit in (("fullname", 255), ("bio", 140), ("location", 255)):
                    value = params.get("omb_listenee_" + field)
                    if value is not None and v["length"](value) > limit:
                        raise BadRequest(400, "%s too long" % field)
                if params.get("omb_listenee_avatar"):
                    self.check_avatar(params["omb_listenee_avatar"])
            except BadRequest as e:
                return e.status, "text/plain", e.message, record
            sub = self.subscriptions[(at["user"], listenee)]
            for k, value in params.items():
                if k.startswith("omb_listenee_"):
                    sub["profile"][k] = value
        return 200, "text/plain", SUCCESS_BODY, record

    def unsubscribe(self, nick):
        for key in [k for k in self.subscriptions if k[0] == nick]:
            token = self.subscriptions.pop(key)["token"]
            if self.v["unsubscribe_deletes_token"]:
                self.access_tokens.pop(token, None)

    def state(self):
        return {"variant": self.variant_name, "port": self.port, "users": {
            nick: self.user_uri(nick) for nick in self.users},
            "fault": self.fault, "slow_seconds": self.slow_seconds,
            "access_tokens": {t: {"user": a["user"], "listenee": a["listenee"],
                                  "consumer": a["consumer"]}
                              for t, a in self.access_tokens.items()},
            "subscriptions": [{"user": u, "listenee": l, "token": s["token"],
                               "profile": s["profile"]}
                              for (u, l), s in self.subscriptions.items()]}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Laconica/0.8.1"  # replaced per variant in main()
    peer = None  # set in main()

    def log_message(self, fmt, *args):
        if os.environ.get("OMB_PEER_LOG"):
            sys.stderr.write("omb_peer: " + fmt % args + "\n")

    def send(self, status, ctype, body, headers=None):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, value in (headers or {}).items():
            self.send_header(k, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > (4 << 20):
            raise BadRequest(413, "too large")
        return self.rfile.read(n).decode("utf-8", "replace") if n else ""

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def dispatch(self, method):
        peer = self.peer
        try:
            url = urllib.parse.urlsplit(self.path)
            raw_body = self.read_body() if method == "POST" else ""
            ctype = self.headers.get("Content-Type", "")
            form_body = raw_body if FORM in ctype else ""
            try:
                query = urllib.parse.parse_qsl(url.query, keep_blank_values=True,
                                               strict_parsing=False)
                form = urllib.parse.parse_qsl(form_body, keep_blank_values=True)
            except ValueError as e:
                raise BadRequest(400, str(e))
            params = dict(query)
            params.update(form)
            headers = {k: v for k, v in self.headers.items()}
            path = url.path
            if path == "/_received" and method == "GET":
                with peer.lock:
                    return self.send(200, "application/json", json.dumps(peer.received))
            if path == "/_state" and method == "GET":
                with peer.lock:
                    return self.send(200, "application/json", json.dumps(peer.state()))
            if path == "/_control" and method == "POST":
                with peer.lock:
                    c = dict(form)
                    if "fault" in c:
                        peer.fault = c["fault"]
                    if "seconds" in c:
                        peer.slow_seconds = float(c["seconds"])
                    if "unsubscribe" in c:
                        peer.unsubscribe(c["unsubscribe"])
                    if c.get("clear"):
                        peer.received.clear()
                    return self.send(200, "application/json", json.dumps(peer.state()))
            if path.startswith("/_redirected/"):
                # Where the redirect fault points: a client that follows the 307 lands here,
                # is recorded as "followed-redirect" and is told the notice was taken.
                with peer.lock:
                    peer.received.append({"action": "followed-redirect", "params": params,
                                          "token": params.get("oauth_token", ""), "user": None,
                                          "signature_ok": False, "time": time.time(),
                                          "status": 200, "answer": SUCCESS_BODY})
                return self.send(200, "text/plain", SUCCESS_BODY)
            if path == "/index.php":
                return self.omb(method, params, url.query, form_body, headers, dict(form))
            m = re.match(r"^/([0-9A-Za-z]{1,64})(/xrds)?$", path)
            if m and method == "GET" and m.group(1) in peer.users:
                nick = m.group(1)
                xrds_url = peer.base() + nick + "/xrds"
                with peer.lock:
                    if m.group(2) or "application/xrds+xml" in self.headers.get("Accept", ""):
                        return self.send(200, "application/xrds+xml", peer.xrds(nick))
                    page = ('<!DOCTYPE html><html><head><title>%s</title>'
                            '<meta http-equiv="X-XRDS-Location" content="%s"/></head>'
                            '<body><h1>%s</h1><p>%s</p></body></html>'
                            % (nick, xrds_url, nick, peer.user_uri(nick)))
                    return self.send(200, "text/html; charset=utf-8", page,
                                     {"X-XRDS-Location": xrds_url})
            return self.send(404, "text/plain", "Not found")
        except BadRequest as e:
            return self.send(e.status, "text/plain", e.message)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def omb(self, method, params, raw_query, raw_body, headers, form):
        peer = self.peer
        action = params.get("action", "")
        if action in ("postnotice", "updateprofile"):
            with peer.lock:
                fault, slow = peer.fault, peer.slow_seconds
            if fault == "down":
                with peer.lock:
                    peer.received.append({"action": action, "params": params,
                                          "token": params.get("oauth_token", ""), "user": None,
                                          "signature_ok": False, "time": time.time(),
                                          "status": 0, "answer": "(connection reset)"})
                self.reset()
                return
            if fault == "slow":
                time.sleep(slow)
            if method != "POST":
                return self.send(400, "text/plain", "POST only")
            with peer.lock:
                status, ctype, body, record = peer.omb_message(
                    action, params, raw_query, raw_body, headers)
                if fault == "403":
                    status, body = 403, "Revoked accesstoken for " + params.get("omb_listenee", "")
                elif fault == "500-duplicate":
                    status, body = 500, "Duplicate notice."
                record["status"], record["answer"] = status, body
                peer.received.append(record)
            if fault == "huge":
                return self.huge()
            if fault == "endless":
                return self.endless()
            if fault == "redirect":
                return self.send(307, "text/plain", "", {
                    "Location": peer.base() + "_redirected/index.php?action=" + action})
            return self.send(status, ctype, body)
        with peer.lock:
            if action == "requesttoken":
                out = peer.request_token(params, raw_query, raw_body, headers)
            elif action == "userauthorization":
                out = peer.authorize(params, raw_query, method, form)
            elif action == "accesstoken":
                out = peer.access_token(params, raw_query, raw_body, headers)
            else:
                out = (404, "text/plain", "No such action")
        return self.send(*out)

    def reset(self):
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def huge(self):
        chunk = b"x" * 65536
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(256 * len(chunk) + len(SUCCESS_BODY)))
        self.end_headers()
        try:
            for _ in range(256):
                self.wfile.write(chunk)
            self.wfile.write(SUCCESS_BODY.encode())
        except OSError:
            self.close_connection = True

    def endless(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"%x\r\n%s\r\n" % (4096, b"y" * 4096)
        try:
            while True:
                self.wfile.write(chunk)
                time.sleep(0.001)
        except OSError:
            self.close_connection = True


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--variant", choices=sorted(VARIANTS), default="laconica-0.8")
    ap.add_argument("--port-file")
    ap.add_argument("--users", default="alice")
    ap.add_argument("--auto-approve", action="store_true")
    ap.add_argument("--fault", default="none",
                    choices=["none", "down", "403", "500-duplicate", "slow", "huge", "endless",
                             "redirect"])
    ap.add_argument("--slow", type=float, default=30.0)
    ap.add_argument("--site-license", default=DEFAULT_LICENSE)
    ap.add_argument("--bind", default="127.0.0.1")
    args = ap.parse_args(argv)
    if not args.bind.startswith("127."):
        ap.error("--bind must be a loopback address (127.0.0.0/8)")
    peer = Peer(args)
    Handler.peer = peer
    Handler.server_version = "Laconica/0.8.1" if args.variant == "laconica-0.8" \
        else "StatusNet/0.9.9"
    server = Server((args.bind, 0), Handler)
    peer.port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % peer.port)
        os.rename(tmp, args.port_file)
    print("port %d" % peer.port, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
