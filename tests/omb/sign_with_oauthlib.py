#!/usr/bin/python3
"""Signs requests with python3-oauthlib, for tests/omb/oauthlib_crosscheck_test.cc.

Reads one request per line on standard input: space-separated hex fields
  method endpoint_url consumer_secret token_secret name1 value1 name2 value2 ...
("-" is the empty string; the endpoint URL keeps its query; its parameters are signed with the others, as OMB does).
Writes one line per request: "<base string>\t<oauth_signature>".
Exit code 3 when oauthlib is not installed.
"""
import sys
import urllib.parse

try:
    from oauthlib.oauth1.rfc5849 import signature
except ImportError:
    sys.exit(3)


def text(hex_field):
    if hex_field == "-":
        return ""
    return bytes.fromhex(hex_field).decode("utf-8")


def main():
    for line in sys.stdin:
        fields = line.split()
        if not fields:
            continue
        method, url, consumer_secret, token_secret = (text(f) for f in fields[:4])
        rest = [text(f) for f in fields[4:]]
        body = list(zip(rest[0::2], rest[1::2]))
        query = urllib.parse.urlsplit(url).query
        params = signature.collect_parameters(uri_query=query, body=body)
        base = signature.signature_base_string(
            method, signature.base_string_uri(url), signature.normalize_parameters(params))
        sig = signature.sign_hmac_sha1(base, consumer_secret, token_secret)
        print(base + "\t" + sig)


if __name__ == "__main__":
    main()
