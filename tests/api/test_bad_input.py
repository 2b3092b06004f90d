"""Hostile and broken input: malformed JSON, wrong types, missing and unknown fields, invalid
UTF-8, over-long strings, oversized bodies and headers, slow clients, path traversal, bad
percent-encoding, SQL metacharacters and garbage on the socket. The server must answer each
with a 4xx JSON error (never 5xx, never a crash) and must not create accounts it rejected."""

from __future__ import annotations

import contextlib
import json
import urllib.parse

import pytest

from support import (DEMO_PASSWORD, check_error_body, parse_raw_response, unique)

CREATED: list[str] = []  # accounts this module created on purpose


@pytest.fixture(scope="module", autouse=True)
def initial_users(server):
    return server.user_count()


@pytest.fixture(scope="module")
def tight_server(server_factory):
    """A server with a 2 KB body limit and a 1 s read timeout."""
    srv = server_factory(limits={"max_body_bytes": 2048, "read_timeout_ms": 1000}, name="tight")
    yield srv
    problems = srv.stop()
    if problems:
        pytest.fail("server problems:\n" + "\n".join(problems), pytrace=False)


@contextlib.contextmanager
def no_new_users(server):
    before = server.user_count()
    yield
    assert server.user_count() == before, "a rejected request created an account"


# --- login bodies -----------------------------------------------------------------------------

LONG_65 = "a" * 65

LOGIN_BODIES = [
    # id                  raw body                                             code  field
    ("truncated",         b'{"username":',                                     "bad_request", None),
    ("empty",             b"",                                                 "bad_request", None),
    ("not_json",          b"username=admin.phutho&password=x",                 "bad_request", None),
    ("single_quotes",     b"{'username':'a.b','password':'x'}",                "bad_request", None),
    ("trailing_comma",    b'{"username":"a.b","password":"x",}',               "bad_request", None),
    ("comment",           b'{"username":"a.b",/*c*/"password":"x"}',           "bad_request", None),
    ("two_documents",     b'{"username":"a.b","password":"x"}{}',              "bad_request", None),
    ("trailing_garbage",  b'{"username":"a.b","password":"x"} x',              "bad_request", None),
    ("too_deep",          b'{"username":' + b"[" * 40 + b"]" * 40 + b"}",      "bad_request", None),
    ("null",              b"null",                                             "invalid_field", None),
    ("array",             b'["a.b","x"]',                                      "invalid_field", None),
    ("string",            b'"admin.phutho"',                                   "invalid_field", None),
    ("number",            b"42",                                               "invalid_field", None),
    ("empty_object",      b"{}",                                               "missing_field", "username"),
    ("no_password",       b'{"username":"admin.phutho"}',                      "missing_field", "password"),
    ("no_username",       b'{"password":"x"}',                                 "missing_field", "username"),
    ("null_username",     b'{"username":null,"password":"x"}',                 "missing_field", "username"),
    ("number_username",   b'{"username":5,"password":"x"}',                    "invalid_field", "username"),
    ("array_username",    b'{"username":["admin.phutho"],"password":"x"}',     "invalid_field", "username"),
    ("object_password",   b'{"username":"admin.phutho","password":{"a":1}}',   "invalid_field", "password"),
    ("number_password",   b'{"username":"admin.phutho","password":12345678}',  "invalid_field", "password"),
    ("bool_password",     b'{"username":"admin.phutho","password":true}',      "invalid_field", "password"),
    ("unknown_field",     b'{"username":"a.b","password":"x","remember":true}', "unknown_field", "remember"),
    ("nul_in_username",   b'{"username":"admin.phutho\\u0000","password":"x"}', "invalid_field", "username"),
    ("invalid_utf8",      b'{"username":"\xff","password":"x"}',               "bad_request", None),
    ("overlong_utf8",     b'{"username":"a.b","password":"\xc0\xaf"}',         "bad_request", None),
    ("utf8_surrogate",    b'{"username":"\xed\xa0\x80","password":"x"}',       "bad_request", None),
    ("escaped_surrogate", b'{"username":"\\ud800","password":"x"}',            "bad_request", None),
    ("truncated_utf8",    b'{"username":"\xe1\xbb","password":"x"}',           "bad_request", None),
    ("username_65",       json.dumps({"username": LONG_65, "password": "x"}).encode(),
     "invalid_field", "username"),
    ("password_129",      json.dumps({"username": "a.b", "password": "p" * 129}).encode(),
     "invalid_field", "password"),
]


@pytest.mark.parametrize("body,code,field", [b[1:] for b in LOGIN_BODIES],
                         ids=[b[0] for b in LOGIN_BODIES])
def test_bad_login_body(server, body, code, field):
    with no_new_users(server):
        r = server.request("POST", "/api/v1/auth/login", body, content_type="application/json")
        check_error_body(r, 400, code, field)
        assert not r.header_all("set-cookie")
    # none of that counted against the real account
    assert server.login("admin.phutho").status == 200


def test_login_username_at_the_limit_is_just_wrong(server):
    check_error_body(server.login("a" * 64, "x"), 401, "bad_credentials")


# --- account bodies -------------------------------------------------------------------------

def user_body(**kw):
    body = {"username": unique("bad"), "password": "bad-input-pass", "role": "reception",
            "unit": "08746", "full_name": "Nguyễn Thị Kiểm"}
    for k, v in kw.items():
        if v is DROP:
            body.pop(k)
        else:
            body[k] = v
    return body


DROP = object()

USER_BODIES = [
    # id                     body                                              code              field
    ("missing_username",     user_body(username=DROP),                         "missing_field", "username"),
    ("missing_password",     user_body(password=DROP),                         "missing_field", "password"),
    ("missing_role",         user_body(role=DROP),                             "missing_field", "role"),
    ("number_username",      user_body(username=12345),                        "invalid_field", "username"),
    ("bool_password",        user_body(password=False),                        "invalid_field", "password"),
    ("number_role",          user_body(role=3),                                "invalid_field", "role"),
    ("list_role",            user_body(role=["admin"]),                        "invalid_field", "role"),
    ("number_unit",          user_body(unit=8746),                             "invalid_field", "unit"),
    ("object_full_name",     user_body(full_name={"x": 1}),                    "invalid_field", "full_name"),
    ("unknown_role",         user_body(role="boss"),                           "invalid_field", "role"),
    ("upper_case_role",      user_body(role="ADMIN"),                          "invalid_field", "role"),
    ("empty_role",           user_body(role=""),                               "invalid_field", "role"),
    ("unknown_unit",         user_body(unit="ZZZ"),                            "invalid_field", "unit"),
    ("empty_unit",           user_body(unit=""),                               "invalid_field", "unit"),
    ("traversal_unit",       user_body(unit="../25"),                          "invalid_field", "unit"),
    ("sql_unit",             user_body(unit="08746' OR '1'='1"),               "invalid_field", "unit"),
    ("officer_without_unit", user_body(unit=DROP),                             "invalid_field", "unit"),
    ("citizen_with_unit",    user_body(username="079111111111", role="citizen"), "invalid_field", "unit"),
    ("citizen_short_id",     user_body(username="12345", role="citizen", unit=DROP),
     "invalid_field", "username"),
    ("citizen_letters",      user_body(username="07911111111a", role="citizen", unit=DROP),
     "invalid_field", "username"),
    ("username_2_chars",     user_body(username="ab"),                         "invalid_field", "username"),
    ("username_65_chars",    user_body(username="u" * 65),                     "invalid_field", "username"),
    ("username_upper_case",  user_body(username="Upper.Case"),                 "invalid_field", "username"),
    ("username_space",       user_body(username="a b.c"),                      "invalid_field", "username"),
    ("username_sql",         user_body(username="admin.phutho' OR '1'='1"),    "invalid_field", "username"),
    ("username_accents",     user_body(username="nguyễn.an"),                  "invalid_field", "username"),
    ("password_7_chars",     user_body(password="1234567"),                    "invalid_field", "password"),
    ("password_7_accented",  user_body(password="ệệệệệệệ"),                    "invalid_field", "password"),
    ("password_129_chars",   user_body(password="p" * 129),                    "invalid_field", "password"),
    ("full_name_201",        user_body(full_name="n" * 201),                   "invalid_field", "full_name"),
    ("full_name_201_accented", user_body(full_name="ệ" * 201),                 "invalid_field", "full_name"),
    ("full_name_nul",        user_body(full_name="a\u0000b"),                  "invalid_field", "full_name"),
    ("unknown_field",        user_body(is_admin=True),                         "unknown_field", "is_admin"),
    ("unknown_field_null",   user_body(id=None),                               "unknown_field", "id"),
]


@pytest.mark.parametrize("body,code,field", [b[1:] for b in USER_BODIES],
                         ids=[b[0] for b in USER_BODIES])
def test_bad_user_body(server, admin_token, body, code, field):
    with no_new_users(server):
        r = server.post("/api/v1/users", body, token=admin_token)
        check_error_body(r, 400, code, field)
    if isinstance(body.get("username"), str):
        assert not server.user_exists(body["username"])


RAW_USER_BODIES = [
    ("truncated",        b'{"username":"a.b","password":"bad-input-pass"', "bad_request", None),
    ("empty",            b"",                                              "bad_request", None),
    ("array",            b"[]",                                            "invalid_field", None),
    ("invalid_utf8",     b'{"username":"x.utf8","password":"bad-input-pass","role":"reception",'
                         b'"unit":"08746","full_name":"\xff\xfe"}',       "bad_request", None),
    ("latin1_name",      b'{"username":"x.latin","password":"bad-input-pass","role":"reception",'
                         b'"unit":"08746","full_name":"Nguy\xean"}',       "bad_request", None),
]


@pytest.mark.parametrize("body,code,field", [b[1:] for b in RAW_USER_BODIES],
                         ids=[b[0] for b in RAW_USER_BODIES])
def test_bad_raw_user_body(server, admin_token, body, code, field):
    with no_new_users(server):
        r = server.request("POST", "/api/v1/users", body, token=admin_token,
                           content_type="application/json")
        check_error_body(r, 400, code, field)


def test_user_body_needs_json_content_type(server, admin_token):
    with no_new_users(server):
        r = server.request("POST", "/api/v1/users", json.dumps(user_body()).encode(),
                           token=admin_token, content_type="text/plain")
        check_error_body(r, 415, "unsupported_media_type")


def test_duplicate_username(server, admin_token):
    with no_new_users(server):
        r = server.post("/api/v1/users", user_body(username="reception.xuanhoa"),
                        token=admin_token)
        check_error_body(r, 409, "conflict", "username")
        r = server.post("/api/v1/users", user_body(username="025095000123", role="citizen",
                                                   unit=DROP), token=admin_token)
        check_error_body(r, 409, "conflict", "username")
    # the existing account is untouched
    assert server.login("reception.xuanhoa").status == 200


def test_limits_are_inclusive(server, admin_token):
    """64-character usernames, 8-character passwords and 200-character names are accepted,
    counted in characters, not bytes."""
    cases = [user_body(username="l" * 56 + "." + unique("x")[2:9]),  # 64 characters
             user_body(password="ệệệệệệệệ"),  # 8 characters, 24 bytes
             user_body(full_name="ệ" * 200),  # 200 characters, 600 bytes
             user_body(password="p" * 128)]
    assert len(cases[0]["username"]) == 64
    for body in cases:
        r = server.post("/api/v1/users", body, token=admin_token)
        assert r.status == 201, (body, r)
        CREATED.append(body["username"])
        assert r.json()["full_name"] == body["full_name"]
        assert server.login(body["username"], body["password"]).status == 200


# --- transport limits -----------------------------------------------------------------------

def test_oversized_body(tight_server):
    big = json.dumps({"username": "a.b", "password": "x" * 4096}).encode()
    assert len(big) > 4000
    for path in ("/api/v1/auth/login", "/api/v1/users", "/api/v1/procedures"):
        data, _ = tight_server.raw(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(big)}\r\n\r\n".encode() + big)
        r = parse_raw_response(data)
        check_error_body(r, 413, "payload_too_large", None, with_request_id=False)
    # also when the size is not announced
    chunks = b"".join(b"400\r\n" + b"a" * 1024 + b"\r\n" for _ in range(4)) + b"0\r\n\r\n"
    data, _ = tight_server.raw(
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + chunks)
    check_error_body(parse_raw_response(data), 413, "payload_too_large", None,
                     with_request_id=False)
    # through http.client too
    r = tight_server.request("POST", "/api/v1/auth/login", big,
                             content_type="application/json", record=False)
    check_error_body(r, 413, "payload_too_large", with_request_id=False)
    # a body under the limit is read and judged on its content
    small = json.dumps({"username": "a.b", "password": "x" * 1900}).encode()
    assert len(small) < 2048
    check_error_body(tight_server.request("POST", "/api/v1/auth/login", small), 400,
                     "invalid_field", "password")
    assert tight_server.get("/healthz").status == 200


def test_header_too_large(server):
    data, _ = server.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 16384 +
                         b"\r\n\r\n")
    r = parse_raw_response(data)
    check_error_body(r, 431, "header_too_large", None, with_request_id=False)
    # a 16 KB request target is a too large header as well
    data, _ = server.raw(b"GET /api/v1/procedures?q=" + b"a" * 16384 + b" HTTP/1.1\r\n"
                         b"Host: x\r\n\r\n")
    check_error_body(parse_raw_response(data), 431, "header_too_large", None,
                     with_request_id=False)
    # many small headers add up
    many = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 100) for i in range(160))
    data, _ = server.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
    check_error_body(parse_raw_response(data), 431, "header_too_large", None,
                     with_request_id=False)


def test_slow_client_gets_408(tight_server):
    data, secs = tight_server.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n", timeout=8)
    assert data, "the server closed the connection without an answer"
    r = parse_raw_response(data)
    assert data.startswith(b"HTTP/1.1 408 "), data[:100]
    check_error_body(r, 408, "timeout", None, with_request_id=False)
    assert secs < 5, f"408 came after {secs:.1f} s"
    assert secs >= 0.9, f"408 came after only {secs:.1f} s (read timeout is 1 s)"


def test_slow_body_gets_408(tight_server):
    data, secs = tight_server.raw(
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n{\"username\"", timeout=8)
    check_error_body(parse_raw_response(data), 408, "timeout", None, with_request_id=False)
    assert secs < 5


def test_transport_errors_carry_a_request_id(server, tight_server):
    """The contract: every response has an X-Request-Id header and every error body a
    request_id, also the errors the HTTP layer answers before routing (400, 408, 413, 431)."""
    probes = [
        (server, b"HELLO\r\n\r\n"),
        (server, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 16384 + b"\r\n\r\n"),
        (tight_server, b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: "
                       b"application/json\r\nContent-Length: 4096\r\n\r\n" + b"a" * 4096),
        (tight_server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n"),
    ]
    missing = []
    for srv, data in probes:
        raw, _ = srv.raw(data, timeout=8)
        r = parse_raw_response(raw)
        err = r.json()["error"]
        if not r.header("x-request-id") or err.get("request_id") != r.header("x-request-id"):
            missing.append(f"{r.status} {err['code']}: X-Request-Id={r.header('x-request-id')!r}"
                           f" request_id={err.get('request_id')!r}")
    assert not missing, "transport-level errors without a request id: " + "; ".join(missing)


# --- paths and query strings ----------------------------------------------------------------

TRAVERSALS = [
    b"/assets/../../etc/passwd",
    b"/assets/..%2f..%2fetc%2fpasswd",
    b"/assets/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    b"/%2e%2e/%2e%2e/etc/passwd",
    b"/assets/%2e%2e/%2e%2e/etc/passwd",
    b"/assets/%00",
    b"/assets/app.js%00.png",
    b"/assets/..%5c..%5cetc%5cpasswd",
    b"/assets/..\\..\\etc\\passwd",
    b"/assets/%252e%252e%252fetc%252fpasswd",
    b"/assets/%c0%ae%c0%ae/etc/passwd",
    b"/assets/....//....//etc/passwd",
    b"//etc/passwd",
    b"/assets//etc/passwd",
    b"/assets/%2fetc%2fpasswd",
    b"/../../../../etc/passwd",
    b"/assets/../index.html",
    b"/assets/../../../proc/self/environ",
    b"/api/v1/units/..%2f..%2f..%2fetc%2fpasswd",
    b"/api/v1/procedures/..%2f..%2fetc%2fpasswd",
]


@pytest.mark.parametrize("target", TRAVERSALS, ids=[t.decode() for t in TRAVERSALS])
def test_path_traversal(server, target):
    data, _ = server.raw(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    r = parse_raw_response(data)
    assert 400 <= r.status < 500, f"{target!r} -> {r.status}"
    assert b"root:" not in data and b"PATH=" not in data
    check_error_body(r, r.status, with_request_id=False)


@pytest.mark.parametrize("target", [
    "/api/v1/procedures?q=%zz", "/api/v1/procedures?q=%", "/api/v1/procedures?q=%e",
    "/api/v1/procedures?q=ab%2", "/api/v1/procedures?q=%C3%28", "/api/v1/procedures?q=%00",
    "/api/v1/procedures?q=%ff%fe", "/api/v1/procedures?%zz=1", "/api/v1/units/%ff",
    "/api/v1/units/%zz", "/api/v1/units?parent=25%00", "/assets/%e2%82",
])
def test_bad_percent_encoding(server, target):
    check_error_body(server.get(target), 400, "bad_request", None)


def test_too_many_query_parameters(server):
    target = "/api/v1/procedures?" + "&".join(f"q={i}" for i in range(70))
    check_error_body(server.get(target), 400, "bad_request", None)


# --- SQL metacharacters ---------------------------------------------------------------------

SQL = ["admin.phutho' OR '1'='1", "admin.phutho'--", "admin.phutho\"; --", "' OR 1=1; --",
       "admin.phutho'; DROP TABLE users; --", "%", "_", "admin.%", "\\'"]


@pytest.mark.parametrize("username", SQL)
def test_sql_in_login(server, username):
    for password in ("x' OR '1'='1", DEMO_PASSWORD):
        check_error_body(server.login(username, password), 401, "bad_credentials", None)
    assert server.login("admin.phutho").status == 200


SQL_TEXTS = ["'; DROP TABLE procedures; --", "' OR '1'='1", "\" OR \"\"=\"", "1; SELECT 1"]
WILDCARDS = ["%", "_", "%%", "*"]


@pytest.mark.parametrize("param,text",
                         [(p, t) for p in ("q", "field", "agency") for t in SQL_TEXTS] +
                         [("agency", t) for t in WILDCARDS])
def test_sql_in_catalog_search(server, param, text):
    """No injection, and no wildcards (see also test_catalog.py::
    test_field_filter_without_letters_matches_nothing)."""
    r = server.get("/api/v1/procedures?" + urllib.parse.urlencode({param: text}))
    assert r.status == 200, r
    assert r.json()["total"] == 0, (param, text, r.json()["total"])
    assert server.get("/api/v1/procedures").json()["total"] == 105


def test_sql_in_unit_search_and_paths(server, admin_token):
    for text in ("'; DROP TABLE units; --", "' OR '1'='1", "%", "_"):
        if text not in ("%", "_"):
            r = server.get("/api/v1/units?" + urllib.parse.urlencode({"q": text}))
            assert r.status == 200 and r.json()["total"] == 0, (text, r)
        quoted = urllib.parse.quote(text, safe="")
        check_error_body(server.get(f"/api/v1/units/{quoted}"), 404, "not_found", "code")
        check_error_body(server.get(f"/api/v1/units/{quoted}/users", token=admin_token), 404,
                         "not_found", "code")
        check_error_body(server.get(f"/api/v1/units?parent={quoted}"), 404, "not_found",
                         "parent")
        check_error_body(server.get(f"/api/v1/procedures/HT-001{quoted}"), 404, "not_found",
                         "id")
        check_error_body(server.get(f"/api/v1/procedures/HT-001{quoted}/versions"), 404,
                         "not_found", "id")
    assert server.get("/api/v1/units?parent=25").json()["total"] == 148


def test_sql_in_stored_text(server, admin_token):
    name = "O'Brien\"; DROP TABLE users; -- ' OR '1'='1 \\ % _ ;"
    username = unique("sql")
    r = server.post("/api/v1/users", {"username": username, "password": "it's-a-pass'--",
                                      "role": "specialist", "unit": "08746",
                                      "full_name": name}, token=admin_token)
    assert r.status == 201, r
    CREATED.append(username)
    assert r.json()["full_name"] == name
    listed = {u["username"]: u for u in
              server.get("/api/v1/units/08746/users", token=admin_token).json()["items"]}
    assert listed[username]["full_name"] == name
    login = server.login(username, "it's-a-pass'--")
    assert login.status == 200 and login.json()["full_name"] == name
    assert server.get("/api/v1/me", token=login.json()["token"]).json()["full_name"] == name
    # the table is still there, with everyone in it
    assert server.login("reception.xuanhoa").status == 200


# --- garbage on the socket ------------------------------------------------------------------

GARBAGE = [
    # id                       bytes                                                   status
    ("word",                   b"HELLO\r\n\r\n",                                        400),
    ("binary",                 b"\x00\x01\x02\x03garbage\r\n\r\n",                      400),
    ("method_only",            b"GET\r\n\r\n",                                          400),
    ("http09",                 b"GET /healthz\r\n\r\n",                                 400),
    ("bad_version",            b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n",             400),
    ("bad_method_byte",        b"G\xffT / HTTP/1.1\r\nHost: x\r\n\r\n",                 400),
    ("bare_lf",                b"GET /healthz HTTP/1.1\nHost: x\n\n",                   400),
    ("blank_lines",            b"\r\n\r\n\r\n",                                         400),
    ("header_without_colon",   b"GET / HTTP/1.1\r\nBad Header Line\r\n\r\n",            400),
    ("control_in_header",      b"GET / HTTP/1.1\r\nHost: x\r\nX-B: \x01\x7f\r\n\r\n",   400),
    ("bad_content_length",     b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                               b"Content-Length: abc\r\n\r\n",                          400),
    ("negative_length",        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                               b"Content-Length: -1\r\n\r\n",                           400),
    ("two_lengths",            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                               b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400),
    ("bad_chunk",              b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                               b"Transfer-Encoding: chunked\r\n\r\nzz\r\n\r\n",         400),
    ("absolute_form",          b"GET http://x/healthz HTTP/1.1\r\nHost: x\r\n\r\n",     400),
    ("relative_target",        b"GET ../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",     400),
]


@pytest.mark.parametrize("data,status", [g[1:] for g in GARBAGE], ids=[g[0] for g in GARBAGE])
def test_garbage_request(server, data, status):
    raw, _ = server.raw(data, timeout=5)
    assert raw, "no answer at all"
    r = parse_raw_response(raw)
    check_error_body(r, status, "bad_request", None, with_request_id=False)
    assert server.get("/healthz").status == 200


def test_half_closed_garbage(server):
    raw, _ = server.raw(b"\xde\xad\xbe\xef" * 100, timeout=5, shut_write=True)
    check_error_body(parse_raw_response(raw), 400, "bad_request", None, with_request_id=False)
    assert server.get("/healthz").status == 200


# --- afterwards -----------------------------------------------------------------------------

def test_server_survived_and_rejected_requests_created_nothing(server, initial_users):
    assert server.alive(), "the server died"
    assert server.get("/healthz").status == 200
    assert server.get("/readyz").status == 200
    assert server.get("/api/v1/procedures").json()["total"] == 105
    assert server.get("/api/v1/units?parent=25").json()["total"] == 148
    assert server.user_count() == initial_users + len(CREATED)
