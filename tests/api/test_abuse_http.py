"""Abuse of the HTTP layer and of strict input (issue 24): message framing (RFC 9112 §6.3),
the Host header (§3.2), JSON with duplicate keys, exact media types, one client holding every
connection, request bodies that pin memory, and uploads in 1-byte chunks. Every test counts
statuses, responses and bytes, never time."""

from __future__ import annotations

import hashlib
import json
import re
import socket
import time

import pytest

from support import check_error_body, parse_raw_response, sample_pdf, unique

LOGIN = b"POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
HEALTHZ = b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"


def statuses(raw: bytes) -> list[int]:
    """The status of every response in `raw`, read one after the other by their Content-Length
    (the last one may be incomplete)."""
    out = []
    while raw:
        head, sep, rest = raw.partition(b"\r\n\r\n")
        if not sep:
            break
        m = re.match(rb"HTTP/1\.[01] (\d{3}) ", head)
        assert m, raw[:300]
        out.append(int(m.group(1)))
        length = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
        raw = rest[int(length.group(1)) if length else 0:]
    return out


def chunked(body: bytes, size: int) -> bytes:
    out = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + size]), body[i:i + size])
                   for i in range(0, len(body), size))
    return out + b"0\r\n\r\n"


# --- framing ------------------------------------------------------------------------------------

BAD_CODINGS = [b"xchunked", b"gzip", b"identity", b"chunked, identity", b"gzip, chunked",
               b"chunked, chunked", b"chunked;x=1", b""]


@pytest.mark.parametrize("coding", BAD_CODINGS, ids=[c.decode() or "empty" for c in BAD_CODINGS])
def test_transfer_coding_other_than_one_final_chunked_is_400_and_closes(server, coding):
    """Before the fix the body was read as empty and the bytes after the header as a second
    request (request smuggling past a proxy that frames differently)."""
    body = b'{"username":"a.b","password":"x"}'
    smuggled = LOGIN + b"Transfer-Encoding: " + coding + b"\r\n\r\n" + chunked(body, 8) + HEALTHZ
    raw, _ = server.raw(smuggled, timeout=10, until_close=True)
    assert statuses(raw) == [400], raw[:600]
    r = parse_raw_response(raw)
    check_error_body(r, 400, "bad_request", None)
    assert r.header("connection") == "close", r.headers
    assert "transfer-encoding" in r.json()["error"]["message"].lower(), r.json()


def test_transfer_encoding_in_http10_is_400(server):
    raw, _ = server.raw(b"POST /api/v1/auth/login HTTP/1.0\r\nContent-Type: application/json\r\n"
                        b"Transfer-Encoding: chunked\r\n\r\n" + chunked(b"{}", 1),
                        timeout=10, until_close=True)
    assert statuses(raw) == [400], raw[:600]


@pytest.mark.parametrize("coding", [b"chunked", b"Chunked", b" chunked "])
def test_one_chunked_coding_is_read(server, coding):
    body = b'{"username":"nobody.here","password":"wrong-password"}'
    # The login is judged on its content (401), and the next request on the connection is read.
    deadline = time.monotonic() + 10
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(LOGIN + b"Transfer-Encoding: " + coding + b"\r\n\r\n" + chunked(body, 5) +
                  HEALTHZ)
        got = b""
        while len(statuses(got)) < 2 and time.monotonic() < deadline:
            part = s.recv(65536)
            if not part:
                break
            got += part
    assert statuses(got) == [401, 200], got[:600]


# --- Host ---------------------------------------------------------------------------------------

def test_http11_without_host_is_400(server):
    raw, _ = server.raw(b"GET /healthz HTTP/1.1\r\n\r\n", timeout=10, until_close=True)
    assert statuses(raw) == [400], raw[:400]
    r = parse_raw_response(raw)
    err = check_error_body(r, 400, "bad_request", None)
    assert "Host" in err["message"], err


def test_two_host_headers_are_400(server):
    raw, _ = server.raw(b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", timeout=10,
                        until_close=True)
    assert statuses(raw) == [400], raw[:400]


def test_http10_needs_no_host(server):
    raw, _ = server.raw(b"GET /healthz HTTP/1.0\r\n\r\n", timeout=10)
    assert statuses(raw) == [200], raw[:400]


# --- strict JSON ------------------------------------------------------------------------------

def test_duplicate_json_keys_are_400_naming_the_key(server):
    body = b'{"username":"nobody.here","password":"x","username":"admin.phutho"}'
    r = server.request("POST", "/api/v1/auth/login", body)
    err = check_error_body(r, 400, "bad_request", "username")
    assert "'username'" in err["message"], err
    nested = b'{"username":"a.b","password":"x","extra":{"k":1,"k":2}}'
    check_error_body(server.request("POST", "/api/v1/auth/login", nested), 400, "bad_request", "k")


@pytest.mark.parametrize("ctype", ["application/jsonx", "application/json-seq", "application/jsonp",
                                   "application/json+x", "application/json x", "text/json",
                                   "application/x-json", "application/json,text/plain",
                                   "application/", ""])
def test_other_media_types_are_415(server, ctype):
    body = json.dumps({"username": "nobody.here", "password": "wrong-password"}).encode()
    r = server.request("POST", "/api/v1/auth/login", body, content_type=ctype)
    check_error_body(r, 415, "unsupported_media_type")


@pytest.mark.parametrize("ctype", ["application/json", "application/json; charset=utf-8",
                                   "Application/JSON;charset=UTF-8", "application/json ;charset=utf-8"])
def test_application_json_with_parameters_is_read(server, ctype):
    # a username of its own: a few failures for one username slow it down (LoginThrottle)
    body = json.dumps({"username": unique("nobody"), "password": "wrong-password"}).encode()
    r = server.request("POST", "/api/v1/auth/login", body, content_type=ctype)
    assert r.status == 401, r  # read and judged: wrong password


# --- uploads in tiny chunks -----------------------------------------------------------------

def test_upload_in_one_byte_chunks_is_stored_byte_for_byte(server, tokens):
    pdf = sample_pdf("tiny chunks " + "x" * 20000)
    head = (b"POST /api/v1/files HTTP/1.1\r\nHost: t\r\nContent-Type: application/pdf\r\n"
            b"Authorization: Bearer " + tokens["025095000123"].encode() +
            b"\r\nTransfer-Encoding: chunked\r\n\r\n")
    raw, _ = server.raw(head + chunked(pdf, 1), timeout=60)
    assert statuses(raw) == [201], raw[:600]
    out = parse_raw_response(raw).json()
    assert out["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert out["size"] == len(pdf)
    assert out["media_type"] == "application/pdf"


# --- one client, many connections -----------------------------------------------------------

def metric(srv, name: str) -> int:
    text = srv.get("/metrics", record=False).text
    m = re.search(r"(?m)^" + re.escape(name) + r" (\d+)$", text)
    assert m, f"{name} is not in /metrics"
    return int(m.group(1))


def serve_one(s: socket.socket) -> int:
    """Sends GET /healthz on `s` and reads the whole answer; its status."""
    s.sendall(HEALTHZ)
    got = b""
    while not statuses(got) or not got.rstrip().endswith(b"}"):
        part = s.recv(65536)
        assert part, got
        got += part
    return statuses(got)[0]


def open_keepalive(port: int, refused: list[int]) -> socket.socket:
    """A connection that has been served one request and stays open. The server may still be
    counting a connection the client has just closed: a 503 is counted in `refused` and tried
    again."""
    for _ in range(100):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        status = serve_one(s)
        if status == 200:
            return s
        assert status == 503, status
        refused.append(status)
        s.close()
        time.sleep(0.05)
    raise AssertionError("no connection was served")


def test_one_address_cannot_take_every_connection(own_server):
    srv = own_server(limits={"max_connections_per_client": 3})
    assert metric(srv, "motcua_http_connections_rejected_per_client_total") == 0
    refused: list[int] = []
    held = [open_keepalive(srv.port, refused) for _ in range(3)]
    for s in held:  # all three stay usable
        assert serve_one(s) == 200
    for _ in range(2):
        raw, _ = srv.raw(HEALTHZ, timeout=10, until_close=True)
        assert statuses(raw) == [503], raw[:400]
        r = parse_raw_response(raw)
        check_error_body(r, 503, "unavailable", None)
        assert r.header("connection") == "close"
        refused.append(503)
    # Once one of them is closed (the server notices on its own), a new one is served.
    held.pop().close()
    held.append(open_keepalive(srv.port, refused))
    for s in held:
        s.close()
    value = None
    for _ in range(100):  # /metrics needs a connection of its own
        try:
            value = metric(srv, "motcua_http_connections_rejected_per_client_total")
            break
        except (AssertionError, OSError, json.JSONDecodeError):
            time.sleep(0.05)
    assert value is not None and value >= len(refused) >= 2, (value, refused)


def test_bodies_in_flight_are_bounded_in_total(own_server):
    """A client that announces a large body and sends it slowly holds that much memory: the
    total held by all connections is bounded; past it, requests with a body get 503."""
    srv = own_server(limits={"max_buffered_body_bytes": 100_000,
                             "login_per_minute_per_client": 100_000,
                             "login_burst_per_client": 100_000})
    staller = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    body = json.dumps({"username": "nobody.here", "password": "p" * 89_000}).encode()
    assert 89_000 < len(body) < 100_000
    # The server says "100 Continue" once it holds room for the announced body.
    staller.sendall(LOGIN + b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body))
    got = b""
    while b"\r\n\r\n" not in got:
        part = staller.recv(65536)
        assert part, got
        got += part
    assert got.startswith(b"HTTP/1.1 100 Continue\r\n"), got
    staller.sendall(body[:10])
    small = json.dumps({"username": "nobody.here", "password": "p" * 15_000}).encode()
    small_request = LOGIN + b"Content-Length: %d\r\n\r\n" % len(small) + small
    for _ in range(2):
        raw, _ = srv.raw(small_request, timeout=10)
        r = parse_raw_response(raw)
        check_error_body(r, 503, "unavailable", None)
        assert r.header("retry-after") == "1" and r.header("connection") == "close", r.headers
    assert metric(srv, "motcua_http_bodies_refused_total") == 2
    # Requests without a body are not held back.
    raw, _ = srv.raw(HEALTHZ, timeout=10)
    assert statuses(raw) == [200], raw[:300]
    # The staller finishes: its body is read and judged (its password is too long: 400), and then
    # the small request goes through.
    staller.sendall(body[10:])
    got = got[got.index(b"\r\n\r\n") + 4:]
    while not statuses(got) or not got.rstrip().endswith(b"}"):
        part = staller.recv(65536)
        assert part, got
        got += part
    assert statuses(got) == [400], got[:300]
    check_error_body(parse_raw_response(got), 400, "invalid_field", "password")
    staller.close()
    for _ in range(100):
        raw, _ = srv.raw(small_request, timeout=10)
        if statuses(raw) != [503]:
            break
        time.sleep(0.05)
    check_error_body(parse_raw_response(raw), 400, "invalid_field", "password")
