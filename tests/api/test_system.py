"""Health, readiness, metrics, the OpenAPI document, request ids, HEAD, the web front end and the
generic 404/405 answers."""

from __future__ import annotations

import re
import threading

import pytest

from support import EXERCISED, TRANSPORT_STATUSES, check_error_body, parse_raw_response

# Every route of the API, as the OpenAPI document must list it: no more, no fewer.
ROUTES = [
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("get", "/api/openapi.json"),
    ("get", "/"),
    ("get", "/assets/{file}"),
    ("get", "/api/v1/units"),
    ("get", "/api/v1/units/{code}"),
    ("get", "/api/v1/units/{code}/users"),
    ("get", "/api/v1/procedures"),
    ("get", "/api/v1/procedures/{id}"),
    ("get", "/api/v1/procedures/{id}/versions"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/me"),
    ("post", "/api/v1/users"),
    ("post", "/api/v1/users/{username}/disable"),
    ("post", "/api/v1/users/{username}/enable"),
    ("delete", "/api/v1/users/{username}/sessions"),
    ("post", "/api/v1/dossiers"),
    ("get", "/api/v1/dossiers"),
    ("get", "/api/v1/dossiers/{code}"),
    ("post", "/api/v1/dossiers/{code}/actions"),
    ("get", "/api/v1/dossiers/{code}/events"),
    ("get", "/api/v1/dossiers/{code}/notifications"),
    ("get", "/api/v1/public/dossiers/{code}"),
    ("get", "/api/v1/calendar/deadline"),
    ("get", "/api/v1/calendar/days"),
    ("put", "/api/v1/calendar/overrides/{date}"),
    ("delete", "/api/v1/calendar/overrides/{date}"),
    ("get", "/api/v1/calendar/changes"),
    ("get", "/api/v1/dossiers/{code}/forms/{form}"),
    ("get", "/api/v1/units/{code}/register"),
    ("post", "/api/v1/files"),
    ("get", "/api/v1/files/{sha256}"),
    ("get", "/api/v1/dossiers/{code}/files/{sha256}"),
    ("get", "/api/v1/me/documents"),
]


def test_healthz(server):
    r = server.get("/healthz")
    assert r.status == 200
    assert r.header("content-type").startswith("application/json")
    assert r.json() == {"status": "ok"}


def test_readyz(server):
    r = server.get("/readyz")
    assert r.status == 200
    assert r.json() == {"status": "ready"}


def healthz_count(server) -> int:
    r = server.get("/metrics")
    assert r.status == 200
    m = re.search(r'^motcua_http_requests_total\{route="GET /healthz",status="200"\} (\d+)$',
                  r.text, re.M)
    assert m, r.text[:2000]
    return int(m.group(1))


def test_metrics(server):
    r = server.get("/metrics")
    assert r.status == 200
    assert r.header("content-type").startswith("text/plain")
    text = r.text
    assert re.search(r'^motcua_http_request_duration_seconds_bucket\{route="GET /healthz",'
                     r'le="[^"]+"\} \d+$', text, re.M), text[:2000]
    assert re.search(r'^motcua_http_request_duration_seconds_bucket\{route="GET /healthz",'
                     r'le="\+Inf"\} \d+$', text, re.M), text[:2000]
    readers = re.search(r"^motcua_db_readers (\d+)$", text, re.M)
    assert readers and int(readers.group(1)) >= 1, text[-2000:]
    # The counter counts exactly the requests made.
    before = healthz_count(server)
    for _ in range(3):
        assert server.get("/healthz").status == 200
    assert healthz_count(server) == before + 3


def test_metrics_count_errors_by_status(server):
    def count():
        text = server.get("/metrics").text
        m = re.search(r'^motcua_http_requests_total\{route="GET /api/v1/procedures/\{id\}",'
                      r'status="404"\} (\d+)$', text, re.M)
        return int(m.group(1)) if m else 0

    before = count()
    assert server.get("/api/v1/procedures/NO-SUCH-ID").status == 404
    assert count() == before + 1


def test_openapi_document(server):
    r = server.get("/api/openapi.json")
    assert r.status == 200
    assert r.header("content-type").startswith("application/json")
    doc = r.json()
    assert doc["openapi"].startswith("3.1")
    assert isinstance(doc["info"]["title"], str) and doc["info"]["title"]
    paths = doc["paths"]
    listed = {(m, p) for p, ops in paths.items() for m in ops}
    assert len(set(ROUTES)) == len(ROUTES), "a route is listed twice in ROUTES"
    missing, unlisted = set(ROUTES) - listed, listed - set(ROUTES)
    assert not missing, f"routes missing from the OpenAPI doc: {sorted(missing)}"
    assert not unlisted, f"routes of the OpenAPI doc missing from ROUTES: {sorted(unlisted)}"
    for p, ops in paths.items():
        assert p.startswith("/"), p
        for m, op in ops.items():
            assert m == m.lower() and m in {"get", "post", "put", "patch", "delete"}, (p, m)
            assert op.get("summary"), (p, m)
            assert op.get("responses"), (p, m)
    # Authenticated operations declare their security.
    for method, path in [("get", "/api/v1/units/{code}/users"), ("post", "/api/v1/users"),
                         ("get", "/api/v1/me"), ("post", "/api/v1/auth/logout")]:
        assert paths[path][method].get("security"), (method, path)
    assert "security" not in paths["/api/v1/procedures"]["get"]


def pattern_regex(pattern: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(pattern)) + "$")


@pytest.mark.run_last
def test_every_exercised_route_is_documented(server, request):
    """Every (method, path) the suite reached, other than deliberate 404/405 probes, is an
    operation of the OpenAPI document; and every routed status is one of its documented
    responses."""
    doc = server.get("/api/openapi.json", record=False).json()
    ops = [(m.upper(), pattern_regex(p), p, op) for p, v in doc["paths"].items()
           for m, op in v.items()]
    seen_routes = set()
    undocumented = set()
    undocumented_status = set()
    for method, path, status in EXERCISED:
        if status in (404, 405) or status in TRANSPORT_STATUSES:
            # unknown paths and wrong methods are probed on purpose; transport errors precede
            # routing
            match = [o for o in ops if o[0] == (method if method != "HEAD" else "GET")
                     and o[1].match(path)]
            if match:
                seen_routes.add((match[0][0], match[0][2]))
            continue
        m = "GET" if method == "HEAD" else method
        match = [o for o in ops if o[0] == m and o[1].match(path)]
        if not match:
            undocumented.add((method, path, status))
            continue
        seen_routes.add((match[0][0], match[0][2]))
        if str(status) not in match[0][3]["responses"] and status != 400:
            # 400 for a malformed path or query string precedes routing
            undocumented_status.add((method, match[0][2], status))
    assert not undocumented, f"requests to routes missing from the OpenAPI doc: {undocumented}"
    assert not undocumented_status, (
        f"statuses not documented in the OpenAPI responses: {sorted(undocumented_status)}")
    # When the whole suite runs, it exercises every route.
    modules = {item.module.__name__ for item in request.session.items}
    if {"test_access_matrix", "test_auth", "test_bad_input", "test_catalog",
            "test_units"} <= modules:
        missing = {(m.upper(), p) for m, p in ROUTES} - seen_routes
        assert not missing, f"routes the suite never exercised: {missing}"


def test_request_id_is_echoed(server):
    r = server.get("/healthz", headers={"X-Request-Id": "client-Req_1.2"})
    assert r.header("x-request-id") == "client-Req_1.2"
    # also on errors, in the header and the body
    r = server.get("/api/v1/units/NOPE", headers={"X-Request-Id": "abc-123"})
    err = check_error_body(r, 404, "not_found", "code")
    assert r.header("x-request-id") == "abc-123" == err["request_id"]


@pytest.mark.parametrize("bad_id", ["has space", "quote\"", "x" * 65, "semi;colon", "ä-utf8"],
                         ids=["space", "quote", "too_long", "semicolon", "non_ascii"])
def test_unsafe_request_id_is_replaced(server, bad_id):
    r = server.get("/healthz", headers={"X-Request-Id": bad_id.encode().decode("latin-1")})
    rid = r.header("x-request-id")
    assert rid and rid != bad_id.encode().decode("latin-1")
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,64}", rid), rid


def test_every_response_has_a_distinct_request_id(server):
    ids = []
    for method, path in [("GET", "/healthz"), ("GET", "/api/v1/units/08746"),
                         ("GET", "/nope"), ("DELETE", "/healthz"), ("GET", "/api/v1/me"),
                         ("GET", "/"), ("GET", "/assets/app.js"), ("GET", "/metrics")]:
        r = server.request(method, path)
        rid = r.header("x-request-id")
        assert rid, (method, path, r.headers)
        ids.append(rid)
    assert len(set(ids)) == len(ids), ids


def test_head_healthz_has_no_body(server):
    data, _ = server.raw(b"HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, rest = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 "), data
    assert rest == b"", f"HEAD returned a body: {rest!r}"
    r = parse_raw_response(data)
    assert r.header("content-length") == str(len(b'{"status":"ok"}'))
    # http.client agrees
    r = server.request("HEAD", "/healthz")
    assert r.status == 200 and r.body == b""


def test_web_front_end(server):
    r = server.get("/")
    assert r.status == 200
    assert r.header("content-type").startswith("text/html")
    assert b"<html" in r.body.lower() and b"/assets/app.js" in r.body
    js = server.get("/assets/app.js")
    assert js.status == 200 and js.header("content-type").startswith("text/javascript")
    assert js.body
    css = server.get("/assets/style.css")
    assert css.status == 200 and css.header("content-type").startswith("text/css")
    assert css.body
    for resp in (r, js, css):
        assert resp.header("x-content-type-options") == "nosniff"


@pytest.mark.parametrize("path", ["/assets/nope.js", "/assets/index.html", "/index.html",
                                  "/assets/app.js.map"])
def test_unknown_asset_is_404(server, path):
    check_error_body(server.get(path), 404, "not_found")


@pytest.mark.parametrize("path", ["/nope", "/api/v1", "/api/v1/unit", "/api/v1/units/08746/x",
                                  "/api/v2/units", "/healthz/"])
def test_unknown_path_is_404(server, path):
    check_error_body(server.get(path), 404, "not_found", None)


@pytest.mark.parametrize("method,path", [
    ("DELETE", "/healthz"), ("POST", "/api/v1/units"), ("GET", "/api/v1/auth/login"),
    ("PUT", "/api/v1/users"), ("GET", "/api/v1/users"), ("PATCH", "/api/v1/me"),
    ("DELETE", "/api/v1/procedures/HT-001"), ("POST", "/assets/app.js")])
def test_wrong_method_is_405(server, method, path):
    check_error_body(server.request(method, path), 405, "method_not_allowed", None)


def test_405_names_the_allowed_methods(server):
    """RFC 9110 section 15.5.6: a 405 response MUST carry an Allow header listing the methods
    the resource supports."""
    wrong = {}
    for method, path, allowed in [("DELETE", "/healthz", "GET"),
                                  ("GET", "/api/v1/auth/login", "POST"),
                                  ("PUT", "/api/v1/units/08746", "GET")]:
        r = server.request(method, path)
        assert r.status == 405
        methods = {m.strip() for m in (r.header("allow") or "").split(",") if m.strip()}
        if allowed not in methods:
            wrong[f"{method} {path}"] = r.header("allow")
    assert not wrong, f"405 responses without the right Allow header: {wrong}"


def test_json_responses_are_not_cached(server):
    r = server.get("/api/v1/units/08746")
    assert r.header("cache-control") == "no-store"
    assert r.header("x-content-type-options") == "nosniff"


def test_keep_alive_and_pipelining(server):
    data, _ = server.raw(
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: one\r\n\r\n"
        b"GET /api/v1/units/25 HTTP/1.1\r\nHost: x\r\nX-Request-Id: two\r\n\r\n"
        b"GET /nope HTTP/1.1\r\nHost: x\r\nX-Request-Id: three\r\nConnection: close\r\n\r\n",
        until_close=True)
    responses = []
    while data:
        r = parse_raw_response(data)
        responses.append(r)
        head_len = data.index(b"\r\n\r\n") + 4
        data = data[head_len + len(r.body):]
    assert [(r.status, r.header("x-request-id")) for r in responses] == [
        (200, "one"), (200, "two"), (404, "three")]
    assert responses[0].json() == {"status": "ok"}
    assert responses[1].json()["code"] == "25"


def test_concurrent_requests(server, tokens):
    paths = ["/api/v1/procedures?q=dang+ky+khai+sinh", "/api/v1/units?parent=25",
             "/api/v1/units/08746", "/api/v1/procedures/HT-001", "/healthz"]
    failures = []

    def worker(n):
        try:
            for i in range(15):
                path = paths[(n + i) % len(paths)]
                r = server.get(path, token=tokens["admin.phutho"] if i % 2 else None)
                if r.status != 200:
                    failures.append((path, r.status))
                r = server.get("/api/v1/units/08746/users", token=tokens["leader.xuanhoa"])
                if r.status != 200:
                    failures.append(("users", r.status))
        except Exception as e:  # noqa: BLE001
            failures.append(repr(e))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert not failures, failures[:10]
    assert server.alive()
