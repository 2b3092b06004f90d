"""Login, logout, the current user, session cookies, CSRF, lock-out, the per-client login rate
limit and session expiry."""

from __future__ import annotations

import datetime
import time

import pytest

from support import DEMO_ACCOUNTS, DEMO_PASSWORD, ISO_VN, check_error_body, unique

LOGIN_KEYS = {"user_id", "username", "role", "unit", "full_name", "token", "csrf_token",
              "expires_at"}
ME_KEYS = {"user_id", "username", "role", "unit", "full_name"}


def cookies_of(r) -> dict:
    """Set-Cookie headers as name -> (value, {attribute lower-cased: value})."""
    out = {}
    for header in r.header_all("set-cookie"):
        first, *attrs = [p.strip() for p in header.split(";")]
        name, _, value = first.partition("=")
        parsed = {}
        for a in attrs:
            k, _, v = a.partition("=")
            parsed[k.lower()] = v
        out[name] = (value, parsed)
    return out


def new_user(server, admin_token, **kw) -> dict:
    body = {"username": unique("auth"), "password": "correct-horse-1", "role": "reception",
            "unit": "08746", "full_name": "Tài khoản thử đăng nhập"}
    body.update(kw)
    r = server.post("/api/v1/users", body, token=admin_token)
    assert r.status == 201, r
    return body


def test_login_returns_a_session(server):
    before = time.time()
    r = server.login("admin.phutho")
    assert r.status == 200, r
    body = r.json()
    assert set(body) == LOGIN_KEYS
    assert body["username"] == "admin.phutho" and body["role"] == "admin"
    assert body["unit"] == "25" and body["full_name"] == "Quản trị hệ thống tỉnh Phú Thọ"
    assert isinstance(body["user_id"], int)
    assert len(body["token"]) >= 32 and len(body["csrf_token"]) >= 32
    assert body["token"] != body["csrf_token"]
    assert ISO_VN.match(body["expires_at"]), body["expires_at"]
    expires = datetime.datetime.fromisoformat(body["expires_at"]).timestamp()
    assert before + 8 * 3600 - 120 <= expires <= time.time() + 8 * 3600 + 120
    assert r.header("cache-control") == "no-store"
    # each login is a new session
    assert server.login("admin.phutho").json()["token"] != body["token"]


def test_login_cookies(server):
    r = server.login("reception.xuanhoa")
    body = r.json()
    cookies = cookies_of(r)
    assert set(cookies) == {"motcua_session", "motcua_csrf"}
    session, attrs = cookies["motcua_session"]
    assert session == body["token"]
    assert "httponly" in attrs
    assert attrs.get("samesite") == "Strict"
    assert attrs.get("path") == "/"
    assert 8 * 3600 - 120 <= int(attrs["max-age"]) <= 8 * 3600
    csrf, cattrs = cookies["motcua_csrf"]
    assert csrf == body["csrf_token"]
    assert cattrs.get("samesite") == "Strict"
    assert "httponly" not in cattrs  # the web app reads it to send X-CSRF-Token


@pytest.mark.parametrize("username", list(DEMO_ACCOUNTS))
def test_every_demo_account_logs_in(sessions, username):
    role, unit = DEMO_ACCOUNTS[username]
    body = sessions[username]
    assert body["username"] == username and body["role"] == role and body["unit"] == unit


def test_wrong_password_and_unknown_user_look_the_same(server, admin_token):
    user = new_user(server, admin_token)
    wrong = server.login(user["username"], "not-the-password")
    unknown = server.login(unique("nobody"), "not-the-password")
    e1 = check_error_body(wrong, 401, "bad_credentials", None)
    e2 = check_error_body(unknown, 401, "bad_credentials", None)
    assert (e1["message"], e1["message_vi"]) == (e2["message"], e2["message_vi"])
    assert not wrong.header_all("set-cookie")
    assert server.login(user["username"], user["password"]).status == 200


@pytest.mark.parametrize("username,password,status,code,field", [
    ("", DEMO_PASSWORD, 400, "invalid_field", "username"),
    ("admin.phutho", "", 400, "invalid_field", "password"),
    ("ADMIN.PHUTHO", DEMO_PASSWORD, 401, "bad_credentials", None),
    (" admin.phutho", DEMO_PASSWORD, 401, "bad_credentials", None),
    ("admin.phutho\u200b", DEMO_PASSWORD, 401, "bad_credentials", None),
], ids=["empty_username", "empty_password", "upper_case", "leading_space", "zero_width"])
def test_login_rejects_near_misses(server, username, password, status, code, field):
    check_error_body(server.login(username, password), status, code, field)
    # none of those counted as a failure of admin.phutho: the right password still works
    assert server.login("admin.phutho").status == 200


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x"])
def test_login_needs_json(server, content_type):
    r = server.request("POST", "/api/v1/auth/login",
                       b'{"username":"admin.phutho","password":"motcua-demo"}',
                       content_type=content_type)
    check_error_body(r, 415, "unsupported_media_type")
    assert not r.header_all("set-cookie")


def test_login_json_with_charset(server):
    r = server.request("POST", "/api/v1/auth/login",
                       b'{"username":"admin.phutho","password":"motcua-demo"}',
                       content_type="application/json; charset=utf-8")
    assert r.status == 200


@pytest.mark.parametrize("username", list(DEMO_ACCOUNTS))
def test_me(server, tokens, username):
    role, unit = DEMO_ACCOUNTS[username]
    r = server.get("/api/v1/me", token=tokens[username])
    assert r.status == 200, r
    body = r.json()
    assert set(body) == ME_KEYS
    assert (body["username"], body["role"], body["unit"]) == (username, role, unit)


def test_me_with_cookie(server, sessions):
    s = sessions["leader.snv"]
    r = server.get("/api/v1/me", cookie=f"motcua_session={s['token']}")
    assert r.status == 200 and r.json()["username"] == "leader.snv"
    # other cookies around it do not matter
    r = server.get("/api/v1/me", cookie=f"a=b; motcua_session={s['token']}; theme=dark")
    assert r.status == 200 and r.json()["username"] == "leader.snv"


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer "}, {"Authorization": "Bearer not-a-real-token"},
    {"Authorization": "Bearer " + "A" * 43}, {"Authorization": "Basic YWRtaW46YWRtaW4="},
    {"Authorization": "Token abc"}, {"Authorization": "Bearer"},
    {"Cookie": "motcua_session=not-a-real-token"}, {"Cookie": "motcua_session="},
    {"Cookie": "other_session=x"}, {"Authorization": "Bearer " + "x" * 500},
], ids=["none", "empty_bearer", "bad_bearer", "plausible_bearer", "basic", "token_scheme",
        "bearer_no_space", "bad_cookie", "empty_cookie", "other_cookie", "huge_bearer"])
def test_me_unauthenticated(server, headers):
    check_error_body(server.get("/api/v1/me", headers=headers), 401, "unauthenticated", None)


def test_csrf_cookie_is_not_a_session(server, sessions):
    s = sessions["admin.phutho"]
    r = server.get("/api/v1/me", cookie=f"motcua_csrf={s['csrf_token']}")
    check_error_body(r, 401, "unauthenticated")
    # nor is the CSRF token a bearer token
    check_error_body(server.get("/api/v1/me", token=s["csrf_token"]), 401, "unauthenticated")


def test_logout(server):
    a = server.login_ok("specialist.xuanhoa")
    b = server.login_ok("specialist.xuanhoa")
    r = server.post("/api/v1/auth/logout", token=a["token"])
    assert r.status == 204, r
    assert r.body == b""
    cleared = cookies_of(r)
    assert cleared["motcua_session"][0] == "" and cleared["motcua_session"][1]["max-age"] == "0"
    assert cleared["motcua_csrf"][0] == "" and cleared["motcua_csrf"][1]["max-age"] == "0"
    check_error_body(server.get("/api/v1/me", token=a["token"]), 401, "unauthenticated")
    check_error_body(server.get("/api/v1/me", cookie=f"motcua_session={a['token']}"), 401,
                     "unauthenticated")
    check_error_body(server.post("/api/v1/auth/logout", token=a["token"]), 401,
                     "unauthenticated")
    # the user's other session lives on
    assert server.get("/api/v1/me", token=b["token"]).status == 200


def test_logout_revokes_the_session_it_authenticated(server):
    """Logout ends the session the request was authenticated with, whatever other cookies the
    browser sends (here one whose name merely ends in motcua_session)."""
    s = server.login_ok("leader.snv")
    cookie = f"old_motcua_session=stale; motcua_session={s['token']}"
    assert server.get("/api/v1/me", cookie=cookie).json()["username"] == "leader.snv"
    r = server.post("/api/v1/auth/logout", cookie=cookie, csrf=s["csrf_token"])
    assert r.status == 204, r
    check_error_body(server.get("/api/v1/me", token=s["token"]), 401, "unauthenticated")


def test_no_content_response_has_no_content_length(server):
    """RFC 9110 section 8.6: a server MUST NOT send Content-Length in a 204 response."""
    s = server.login_ok("specialist.xuanhoa")
    data, _ = server.raw(
        f"POST /api/v1/auth/logout HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {s['token']}"
        f"\r\nConnection: close\r\n\r\n".encode())
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 204 "), data[:200]
    assert body == b""
    assert b"\r\ncontent-length:" not in head.lower(), head.decode()


def test_logout_without_session(server):
    check_error_body(server.post("/api/v1/auth/logout"), 401, "unauthenticated")


def test_logout_with_cookie_needs_csrf(server):
    s = server.login_ok("reception.viettri")
    cookie = f"motcua_session={s['token']}; motcua_csrf={s['csrf_token']}"
    check_error_body(server.post("/api/v1/auth/logout", cookie=cookie), 403, "csrf")
    assert server.get("/api/v1/me", token=s["token"]).status == 200  # still logged in
    r = server.post("/api/v1/auth/logout", cookie=cookie, csrf=s["csrf_token"])
    assert r.status == 204, r
    check_error_body(server.get("/api/v1/me", token=s["token"]), 401, "unauthenticated")


def test_csrf_is_enforced_with_cookie_auth(server):
    admin = server.login_ok("admin.phutho")
    other = server.login_ok("admin.phutho")
    cookie = f"motcua_session={admin['token']}; motcua_csrf={admin['csrf_token']}"
    count = server.user_count()

    def attempt(csrf):
        username = unique("csrf")
        body = {"username": username, "password": "correct-horse-1", "role": "reception",
                "unit": "08746"}
        return username, server.post("/api/v1/users", body, cookie=cookie, csrf=csrf)

    for csrf in (None, "", "wrong-token", other["csrf_token"], admin["token"],
                 admin["csrf_token"] + "x", admin["csrf_token"].upper()):
        username, r = attempt(csrf)
        check_error_body(r, 403, "csrf", None)
        assert not server.user_exists(username)
    assert server.user_count() == count
    username, r = attempt(admin["csrf_token"])
    assert r.status == 201, r
    assert r.json()["username"] == username
    assert server.user_exists(username)


def test_cookie_auth_reads_without_csrf(server):
    s = server.login_ok("leader.xuanhoa")
    r = server.get("/api/v1/units/08746/users", cookie=f"motcua_session={s['token']}")
    assert r.status == 200
    assert "leader.xuanhoa" in {u["username"] for u in r.json()["items"]}


def test_bearer_needs_no_csrf(server, admin_token):
    username = unique("bearer")
    r = server.post("/api/v1/users", {"username": username, "password": "correct-horse-1",
                                      "role": "specialist", "unit": "07900"}, token=admin_token)
    assert r.status == 201, r
    # the bearer token wins over a (bogus) cookie, so no CSRF either
    username2 = unique("bearer")
    r = server.post("/api/v1/users", {"username": username2, "password": "correct-horse-1",
                                      "role": "specialist", "unit": "07900"},
                    token=admin_token, cookie="motcua_session=bogus")
    assert r.status == 201, r


def test_repeated_failures_slow_down_one_client_and_lock_no_account(server, admin_token):
    """Guessing from one address slows that address down for that username; the account is
    never locked (a lock would be a tool for keeping an officer out)."""
    user = new_user(server, admin_token)
    for i in range(4):
        check_error_body(server.login(user["username"], f"wrong-{i}"), 401, "bad_credentials")
    # past three free failures, this address waits before trying this username again
    r = server.login(user["username"], user["password"])
    check_error_body(r, 429, "too_many_requests")
    assert 1 <= int(r.header("retry-after")) <= 2, r.header("retry-after")
    assert not r.header_all("set-cookie")
    # the owner, from another address, logs in at once
    assert server.login(user["username"], user["password"], source="127.0.0.3").status == 200
    # other accounts from the same address are not affected
    assert server.login("reception.xuanhoa").status == 200
    listed = {u["username"]: u for u in
              server.get("/api/v1/units/08746/users", token=admin_token).json()["items"]}
    assert listed[user["username"]]["disabled"] is False
    assert "locked" not in listed[user["username"]]
    # after the wait, the right password works from the slowed address too
    time.sleep(int(r.header("retry-after")) + 0.2)
    assert server.login(user["username"], user["password"]).status == 200


def test_success_resets_the_failure_count(server, admin_token):
    user = new_user(server, admin_token)
    for _ in range(3):
        for i in range(3):
            check_error_body(server.login(user["username"], f"wrong-{i}"), 401,
                             "bad_credentials")
        assert server.login(user["username"], user["password"]).status == 200


def test_unknown_usernames_are_slowed_down_exactly_like_known_ones(server, admin_token):
    """The answers do not tell whether a username exists."""
    user = new_user(server, admin_token)
    ghost = unique("ghost")
    seen = []
    for name in (user["username"], ghost):
        answers = [server.login(name, f"wrong-{i}") for i in range(6)]
        seen.append([(r.status, r.json()["error"]["code"]) for r in answers])
    assert seen[0] == seen[1], seen
    assert [s for s, _ in seen[0]] == [401, 401, 401, 401, 429, 429], seen


def test_login_rate_limit_per_client(own_server):
    srv = own_server(limits={"login_per_minute_per_client": 1, "login_burst_per_client": 3})
    assert srv.login("admin.phutho").status == 200
    check_error_body(srv.login(unique("nobody"), "x-wrong-x"), 401, "bad_credentials")
    assert srv.login("leader.snv").status == 200
    r = srv.login("admin.phutho")  # the 4th attempt within the minute
    check_error_body(r, 429, "too_many_requests", None)
    assert r.header("retry-after") and int(r.header("retry-after")) > 0
    assert not r.header_all("set-cookie")
    r = srv.login("025095000123")
    check_error_body(r, 429, "too_many_requests")
    # only logins are limited; the rejected attempts locked no account
    assert srv.get("/healthz").status == 200
    assert srv.get("/api/v1/procedures?limit=1").status == 200


def test_default_login_rate_limit(own_server):
    """By default a client may try 30 logins in a burst; the 31st is refused."""
    srv = own_server()
    for i in range(30):
        check_error_body(srv.login(f"ghost.{i}", "wrong-password"), 401, "bad_credentials")
    r = srv.login("admin.phutho")
    check_error_body(r, 429, "too_many_requests")
    assert r.header("retry-after")


def test_session_expires(own_server):
    srv = own_server(extra_args=["--session-ttl", "3"])
    r = srv.login("admin.phutho")
    assert r.status == 200
    s = r.json()
    assert int(cookies_of(r)["motcua_session"][1]["max-age"]) <= 3
    assert srv.get("/api/v1/me", token=s["token"]).status == 200
    time.sleep(3.5)
    check_error_body(srv.get("/api/v1/me", token=s["token"]), 401, "unauthenticated")
    check_error_body(srv.get("/api/v1/units/25/users", token=s["token"]), 401,
                     "unauthenticated")
    # a stale cookie does not block public pages
    assert srv.get("/api/v1/units/25", cookie=f"motcua_session={s['token']}").status == 200
