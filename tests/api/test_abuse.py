"""What one hostile account or client could do to everyone else, each as found by the outside
attack pass (issue 24), with the answer it gets now: numbering that cannot run out for one
citizen's flood, files attached only by who may see them, login failures that neither lock an
account nor tell whether it exists, accounts an admin can turn off, a malformed cursor, and the
public lookup's guesses per dossier. Counts and statuses, never timings."""

from __future__ import annotations

import urllib.parse

import pytest

from conftest import SHARED_LIMITS, finish
from support import DEMO_PASSWORD, check_error_body, sample_pdf, unique
from test_dossiers import CITIZEN, Api


@pytest.fixture(scope="module")
def api(server_factory):
    srv = server_factory(limits=SHARED_LIMITS, name="abuse")
    yield Api(srv)
    finish(srv)


def new_user(api, username: str, role: str, unit: str | None) -> dict:
    body = {"username": username, "password": "correct-horse-1", "role": role}
    if unit:
        body["unit"] = unit
    r = api.srv.post("/api/v1/users", body, token=api.tok["admin.phutho"])
    assert r.status == 201, r
    return {**r.json(), "password": "correct-horse-1"}


def q(code: str) -> str:
    return urllib.parse.quote(code, safe="")


# --- finding 2: one citizen cannot exhaust a unit's numbering ---------------------------------

def test_a_citizens_flood_is_cut_off_while_the_counter_goes_on(own_server):
    srv = own_server(limits={"filings_per_hour_per_citizen": 1, "filings_burst_per_citizen": 3})
    a = Api(srv)
    statuses = [a.post(CITIZEN, a.body()).status for _ in range(6)]
    assert statuses == [201, 201, 201, 429, 429, 429], statuses
    r = a.post(CITIZEN, a.body())
    check_error_body(r, 429, "too_many_requests")
    assert int(r.header("retry-after")) > 0, r.headers
    # the unit's counter is not affected: its officer files on
    for i in range(3):
        d = a.counter(id_number=f"00120000010{i}")
        assert d["state"] == "received", d
    assert srv.dossier_count() == 6


# --- finding 3: files by visibility ------------------------------------------------------------

def test_a_national_db_component_cannot_name_a_file(api):
    officers_scan = api.sha("reception.xuanhoa")
    comps = [c if c["component_id"] != "giay_to_tuy_than" else
             {"component_id": "giay_to_tuy_than", "source": "national_db",
              "file_sha256": officers_scan}
             for c in api.components("HT-002")]
    r = api.post(CITIZEN, api.body(components=comps))
    err = check_error_body(r, 400, "invalid_field")
    assert err["field"] == "components[2].file_sha256", err
    assert officers_scan.encode() not in r.body


def test_a_national_db_component_is_fetched_by_the_server(api):
    comps = [c if c["component_id"] != "giay_to_tuy_than" else
             {"component_id": "giay_to_tuy_than", "source": "national_db"}
             for c in api.components("HT-002")]
    d = api.file(CITIZEN, components=comps)
    got = [c for c in d["components"] if c["component_id"] == "giay_to_tuy_than"][0]
    assert got["source"] == "national_db" and len(got["file_sha256"]) == 64, got
    assert got["media_type"] == "application/pdf" and got["file_size"] > 0, got
    r = api.srv.get(f"/api/v1/dossiers/{q(d['code'])}/files/{got['file_sha256']}",
                    token=api.tok[CITIZEN])
    assert r.status == 200 and r.body.startswith(b"%PDF-"), r
    # the same person's identity gives the same copy again (stored once)
    d2 = api.file(CITIZEN, components=comps)
    got2 = [c for c in d2["components"] if c["component_id"] == "giay_to_tuy_than"][0]
    assert got2["file_sha256"] == got["file_sha256"]


def test_a_citizen_cannot_attach_an_officers_upload(api):
    officers_scan = api.sha("reception.xuanhoa")
    for source in ("uploaded", "paper_scan", "reused"):
        comps = [{**c, "source": source, "file_sha256": officers_scan}
                 if c["component_id"] == "giay_to_tuy_than" else c
                 for c in api.components("HT-002")]
        r = api.post(CITIZEN, api.body(components=comps))
        check_error_body(r, 400, "invalid_field")
        assert officers_scan.encode() not in r.body


def test_an_officer_reuses_only_documents_of_dossiers_they_may_see(api):
    # a citizen's dossier at Xuân Hòa names a file ...
    person = "001200000777"
    d = api.counter(id_number=person, name="Người Tái Sử Dụng")
    sha = d["components"][0]["file_sha256"]
    reuse = [{**c, "source": "reused", "file_sha256": sha}
             if c["component_id"] == "giay_to_tuy_than" else c
             for c in api.components("HT-002", "reception.viettri")]
    # ... which Việt Trì's counter officer may not take into a dossier of theirs for that person
    r = api.post("reception.viettri", api.body(unit="07900", id_number=person,
                                               channel="counter", components=reuse,
                                               who="reception.viettri"))
    refused = check_error_body(r, 400, "invalid_field")
    # the answer is the one for a document that does not exist at all
    ghost = [{**c, "file_sha256": "f" * 64} if c["source"] == "reused" else c for c in reuse]
    r2 = api.post("reception.viettri", api.body(unit="07900", id_number=person,
                                                channel="counter", components=ghost,
                                                who="reception.viettri"))
    assert check_error_body(r2, 400, "invalid_field") | {"request_id": ""} == \
        refused | {"request_id": ""}
    # Xuân Hòa's officer, who sees the earlier dossier, may
    reuse_xh = [{**c, "source": "reused", "file_sha256": sha}
                if c["component_id"] == "giay_to_tuy_than" else c
                for c in api.components("HT-002", "reception.xuanhoa")]
    d2 = api.counter(id_number=person, components=reuse_xh)
    assert any(c["source"] == "reused" and c["file_sha256"] == sha for c in d2["components"])


def test_deduplicated_tells_only_what_the_uploader_knows(api):
    other = new_user(api, "001200000888", "citizen", None)
    other_tok = api.srv.login_ok(other["username"], other["password"])["token"]
    data = sample_pdf("the same bytes for two people")
    first = api.srv.upload(api.tok[CITIZEN], data)
    assert first.status == 201 and first.json()["deduplicated"] is False, first
    # someone else uploading the same bytes learns nothing of the first upload
    second = api.srv.upload(other_tok, data)
    assert second.status == 201 and second.json()["deduplicated"] is False, second
    again = api.srv.upload(api.tok[CITIZEN], data)
    assert again.status == 201 and again.json()["deduplicated"] is True, again


# --- finding 4: logins -------------------------------------------------------------------------

def login(srv, username, password, source=None):
    return srv.post("/api/v1/auth/login", {"username": username, "password": password},
                    source=source)


def test_failed_logins_answer_alike_and_lock_nobody(own_server):
    srv = own_server(limits={"login_per_minute_per_client": 1000, "login_burst_per_client": 1000})
    existing = [login(srv, "reception.xuanhoa", "wrong password") for _ in range(6)]
    unknown = [login(srv, "no.such.officer", "wrong password") for _ in range(6)]
    codes = [(r.status, r.json()["error"]["code"]) for r in existing]
    assert codes == [(r.status, r.json()["error"]["code"]) for r in unknown], (existing, unknown)
    assert [s for s, _ in codes] == [401, 401, 401, 401, 429, 429], codes
    assert existing[-1].header("retry-after") and unknown[-1].header("retry-after")
    # the owner, from another address, is not locked out
    r = login(srv, "reception.xuanhoa", DEMO_PASSWORD, source="127.0.0.2")
    assert r.status == 200, r
    # and from the throttled address the right password waits too (no oracle there either)
    assert login(srv, "reception.xuanhoa", DEMO_PASSWORD).status == 429


def test_an_admin_turns_an_account_off_and_ends_its_sessions(api):
    user = new_user(api, "t.off", "specialist", "08746")
    tok = api.srv.login_ok(user["username"], user["password"])["token"]
    admin = api.tok["admin.phutho"]
    assert api.srv.get("/api/v1/me", token=tok).status == 200
    r = api.srv.post(f"/api/v1/users/{user['username']}/disable", {}, token=admin)
    assert r.status == 200 and r.json()["disabled"] is True, r
    check_error_body(api.srv.get("/api/v1/me", token=tok), 401, "unauthenticated")
    check_error_body(login(api.srv, user["username"], user["password"]), 401, "bad_credentials")
    r = api.srv.post(f"/api/v1/users/{user['username']}/enable", {}, token=admin)
    assert r.status == 200 and r.json()["disabled"] is False, r
    tok = api.srv.login_ok(user["username"], user["password"])["token"]
    r = api.srv.request("DELETE", f"/api/v1/users/{user['username']}/sessions", token=admin)
    assert r.status == 200 and r.json()["ended"] >= 1, r
    check_error_body(api.srv.get("/api/v1/me", token=tok), 401, "unauthenticated")
    # not one's own account; not an account out of reach; not for non-admins
    me = api.srv.get("/api/v1/me", token=admin).json()["username"]
    check_error_body(api.srv.post(f"/api/v1/users/{me}/disable", {}, token=admin), 409,
                     "conflict")
    check_error_body(api.srv.post("/api/v1/users/no.such.user/disable", {}, token=admin), 404,
                     "not_found")
    check_error_body(api.srv.post(f"/api/v1/users/{user['username']}/disable", {},
                                  token=api.tok["leader.xuanhoa"]), 403, "forbidden")


def test_the_command_line_turns_an_account_off(api):
    user = new_user(api, "t.cli", "reception", "08746")
    tok = api.srv.login_ok(user["username"], user["password"])["token"]
    out = api.srv.cli("user", "disable", "--username", user["username"])
    assert out.returncode == 0 and "disabled" in out.stdout, (out.stdout, out.stderr)
    # the store's sessions are gone; this node's cache forgets them within its 5 s at most
    check_error_body(login(api.srv, user["username"], user["password"]), 401, "bad_credentials")
    out = api.srv.cli("user", "enable", "--username", user["username"])
    assert out.returncode == 0, out.stderr
    assert login(api.srv, user["username"], user["password"]).status == 200


# --- finding 5: a malformed cursor -------------------------------------------------------------

@pytest.mark.parametrize("cursor", ["9999999999999999999_087.46.00.H25-261207-0018",
                                    "99999999999999999999_087.46.00.H25-261207-0018",
                                    "-1_087.46.00.H25-261207-0018", "1_", "_x", "1_x"])
def test_a_malformed_cursor_is_a_400(api, cursor):
    r = api.srv.get(f"/api/v1/dossiers?cursor={q(cursor)}", token=api.tok["reception.xuanhoa"])
    assert check_error_body(r, 400, "invalid_field")["field"] == "cursor"


# --- finding 7: guesses at the public lookup ---------------------------------------------------

def test_wrong_guesses_at_one_dossier_are_capped(own_server):
    srv = own_server(limits={"public_wrong_guesses_per_hour_per_dossier": 1,
                             "public_wrong_guesses_burst_per_dossier": 3,
                             "public_lookups_per_minute_per_client": 1000,
                             "public_lookups_burst_per_client": 1000})
    a = Api(srv)
    target, other = a.file(CITIZEN), a.file(CITIZEN)
    right = CITIZEN[-4:]
    wrong = [srv.get(f"/api/v1/public/dossiers/{q(target['code'])}?id_last4={n:04d}").status
             for n in range(1, 6) if f"{n:04d}" != right]
    assert wrong[:3] == [404, 404, 404] and set(wrong[3:]) == {429}, wrong
    # now even the right digits wait for this dossier ...
    r = srv.get(f"/api/v1/public/dossiers/{q(target['code'])}?id_last4={right}")
    assert check_error_body(r, 429, "too_many_requests")["field"] == "code"
    # ... but not for another dossier, and its applicant still sees it logged in
    r = srv.get(f"/api/v1/public/dossiers/{q(other['code'])}?id_last4={right}")
    assert r.status == 200, r
    assert srv.get(f"/api/v1/dossiers/{q(target['code'])}", token=a.tok[CITIZEN]).status == 200


# --- finding 11: headers and /metrics ---------------------------------------------------------

def test_metrics_answer_only_this_host(api):
    assert api.srv.get("/metrics").status == 200
    check_error_body(api.srv.request("GET", "/metrics", source="127.0.0.2"), 404, "not_found")


def test_downloads_are_sandboxed_and_no_page_leaks_its_url(api):
    r = api.srv.get("/healthz")
    assert r.header("referrer-policy") == "no-referrer", r
    assert r.header("x-content-type-options") == "nosniff", r
    tok = api.tok["025095000123"]
    sha = api.srv.upload_ok(tok, sample_pdf("sandboxed " + unique("f")))
    r = api.srv.get(f"/api/v1/files/{sha}", token=tok)
    assert r.status == 200, r
    assert r.header("content-security-policy") == "sandbox", r
    assert r.header("x-content-type-options") == "nosniff", r


# --- behind a reverse proxy -------------------------------------------------------------------

def test_behind_a_trusted_proxy_limits_count_the_forwarded_client(own_server):
    """With --trusted-proxy, the proxy's X-Forwarded-For (its last hop) is the client for
    per-client limits; from any other peer the header is ignored."""
    srv = own_server(limits={"login_per_minute_per_client": 1000, "login_burst_per_client": 1000},
                     extra_args=["--trusted-proxy", "127.0.0.1"])

    def attempt(xff: str, source: str | None = None) -> int:
        return srv.request("POST", "/api/v1/auth/login",
                           json_body={"username": "reception.xuanhoa", "password": "wrong-pw"},
                           headers={"X-Forwarded-For": xff}, source=source).status

    assert [attempt("198.51.100.7") for _ in range(5)] == [401, 401, 401, 401, 429]
    # the same guesses for another forwarded client are not slowed down
    assert attempt("198.51.100.8") == 401
    # the last hop is the one the proxy added
    assert attempt("10.1.2.3, 198.51.100.7") == 429
    assert attempt("198.51.100.7, 198.51.100.8") == 401
    # a peer that is not the proxy cannot borrow (or escape into) a forwarded address
    assert attempt("198.51.100.8", source="127.0.0.2") == 401
    assert [attempt(f"198.51.100.{20 + i}", source="127.0.0.2") for i in range(4)] == [
        401, 401, 401, 429]
