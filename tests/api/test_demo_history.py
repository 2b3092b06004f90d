"""The demo's generated history: `motcua demo --dossiers 3000 --months 2 --seed 3` on a fresh
database, checked through the API (queues, the demo citizen's own dossiers, the public lookup,
payments), the command line (`motcua audit verify`, `motcua files verify`) and a restart on the
same database (which serves what is there). Also the optional "payment" object at intake."""

from __future__ import annotations

import re
import urllib.parse
import subprocess

import pytest

from conftest import SHARED_LIMITS, finish
from support import check_error_body, sample_pdf

NOW = "2026-04-24T10:00:00+07:00"
CITIZEN = "025095000123"
HISTORY = ["--dossiers", "3000", "--months", "2", "--seed", "3", "--now", NOW]
CODE = re.compile(r"^[A-Za-z0-9._]+-(\d{6})-(\d{4})$")


@pytest.fixture(scope="module")
def hsrv(server_factory):
    limits = {**SHARED_LIMITS, "public_lookups_per_minute_per_client": 100000,
              "public_lookups_burst_per_client": 100000}
    srv = server_factory(limits=limits, extra_args=HISTORY, name="history")
    yield srv
    finish(srv)


def token(srv, username: str) -> str:
    return srv.login_ok(username)["token"]


def all_pages(srv, tok: str, query: str = "") -> list[dict]:
    items, cursor = [], None
    for _ in range(200):
        path = "/api/v1/dossiers?limit=100" + query + (f"&cursor={cursor}" if cursor else "")
        r = srv.get(path, token=tok)
        assert r.status == 200, r
        body = r.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("too many pages")


def full(srv, tok: str, code: str) -> dict:
    """The whole dossier behind a queue line (lines carry no contact details or payment)."""
    r = srv.get(f"/api/v1/dossiers/{urllib.parse.quote(code, safe='')}", token=tok)
    assert r.status == 200, r
    return r.json()


def run_cli(srv, *args: str) -> subprocess.CompletedProcess:
    cmd = [srv.binary, *args, "--db", srv.db_url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=srv.workdir)


def test_the_history_is_stored_and_summarised(hsrv):
    assert hsrv.dossier_count() == 3000
    out = hsrv.stdout_path.read_text()
    assert "demo history: 3000 dossiers" in out, out[-2000:]
    m = re.search(r"channels: online ([\d.]+)%", out)
    assert m and 92.0 <= float(m.group(1)) <= 98.0, out[-2000:]
    m = re.search(r"settled early or on time: ([\d.]+)%", out)
    assert m and float(m.group(1)) > 85.0, out[-2000:]


def test_reception_queue_is_full_and_sorted_by_due_date(hsrv):
    tok = token(hsrv, "reception.xuanhoa")
    items = all_pages(hsrv, tok)
    assert len(items) > 20, len(items)
    assert all(d["current_unit"] == "08746" for d in items)
    dues = [d["due_at"] for d in items]
    with_due = [x for x in dues if x is not None]
    assert with_due == sorted(with_due), "queue not sorted by appointment"
    # dossiers without an appointment (not yet received) come last
    assert dues[:len(with_due)] == with_due
    states = {d["state"] for d in items}
    assert {"returned", "in_process"} <= states or {"returned", "received"} <= states, states
    # the unfinished ones are what the officer works on, also sorted
    open_items = all_pages(hsrv, tok, "&due_within_days=999")
    assert open_items and all(d["finished_at"] is None for d in open_items)
    open_dues = [d["due_at"] for d in open_items]
    assert open_dues == sorted(open_dues)


def test_demo_citizen_sees_their_own_dossiers(hsrv):
    tok = token(hsrv, CITIZEN)
    items = all_pages(hsrv, tok)
    assert len(items) >= 3, items
    assert all(full(hsrv, tok, d["code"])["applicant"]["id_number"] == CITIZEN for d in items)
    assert len({d["state"] for d in items}) >= 2, [d["state"] for d in items]
    # and an officer of another unit does not see Xuân Hòa's
    other = all_pages(hsrv, token(hsrv, "reception.viettri"))
    assert other and all(d["current_unit"] == "07900" for d in other)


def test_public_lookup_of_a_generated_code(hsrv):
    tok = token(hsrv, "leader.xuanhoa")
    items = all_pages(hsrv, tok, "&state=returned")
    assert items
    d = full(hsrv, tok, items[0]["code"])
    assert CODE.match(d["code"]), d["code"]
    r = hsrv.get(f"/api/v1/public/dossiers/{d['code']}?id_last4={d['applicant']['id_number'][-4:]}")
    assert r.status == 200, r
    body = r.json()
    assert body["code"] == d["code"] and body["state"] == "returned"
    actions = [s["action"] for s in body["steps"]]
    assert actions[0] in ("submit", "receive") and "return_result" in actions, actions
    wrong = "0000" if d["applicant"]["id_number"][-4:] != "0000" else "1111"
    r = hsrv.get(f"/api/v1/public/dossiers/{d['code']}?id_last4={wrong}")
    check_error_body(r, 404, "not_found")


def test_fee_bearing_dossiers_carry_their_payment(hsrv):
    tok = token(hsrv, "leader.xuanhoa")
    items = [full(hsrv, tok, d["code"]) for d in all_pages(hsrv, tok, "&procedure=CT-001")]
    assert items
    for d in items:
        p = d["payment"]
        assert p is not None, d["code"]
        assert p["method"] in ("online", "counter") and p["amount_vnd"] == 2000, p
    assert any(d["payment"]["method"] == "online" and d["payment"]["paid_at"] for d in items)
    free = [full(hsrv, tok, d["code"]) for d in all_pages(hsrv, tok, "&procedure=HT-001")[:40]]
    assert free and all(d["payment"] is None for d in free)


def test_audit_and_files_verify(hsrv):
    r = run_cli(hsrv, "audit", "verify")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "audit chain ok" in r.stdout
    assert "references ok" in r.stdout, r.stdout
    n = int(re.search(r"ok: (\d+) entries", r.stdout).group(1))
    assert n > 3000 * 3, r.stdout
    r = run_cli(hsrv, "files", "verify", "--files", str(hsrv.workdir / "files"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "files ok" in r.stdout


def test_live_intake_continues_the_days_numbering_and_takes_a_payment(hsrv):
    tok = token(hsrv, CITIZEN)
    # the commune with the most dossiers filed today (in the generated history)
    per_prefix: dict[str, int] = {}
    for d in all_pages(hsrv, token(hsrv, "admin.phutho")):
        prefix, _, rest = d["code"].partition("-260424-")
        if rest and re.fullmatch(r"\d{3}\.\d{2}\.00\.H25", prefix):
            per_prefix[prefix] = max(per_prefix.get(prefix, 0), int(rest))
    assert per_prefix, "no dossier filed today in the history"
    prefix, last = max(per_prefix.items(), key=lambda kv: (kv[1], kv[0]))
    assert last >= 1
    unit = prefix[0:3] + prefix[4:6]
    sha = hsrv.upload_ok(tok, sample_pdf("payment test scan"))
    body = {"procedure_id": "HT-010", "unit": unit,
            "applicant": {"id_number": CITIZEN, "full_name": "Nguyễn Văn An"},
            "components": [{"component_id": "to_khai", "source": "uploaded", "file_sha256": sha},
                           {"component_id": "giay_to_tuy_than", "source": "national_db"}],
            "payment": {"method": "online", "amount_vnd": 8000, "reference": "PAYGOV-TEST-1",
                        "paid_at": NOW}}
    r = hsrv.post("/api/v1/dossiers", body, token=tok)
    assert r.status == 201, r
    d = r.json()
    assert d["code"] == f"{prefix}-260424-{last + 1:04d}", (d["code"], last)
    assert d["payment"] == {"method": "online", "amount_vnd": 8000,
                            "reference": "PAYGOV-TEST-1", "paid_at": NOW}
    r = hsrv.get(f"/api/v1/dossiers/{d['code']}", token=tok)
    assert r.status == 200 and r.json()["payment"]["reference"] == "PAYGOV-TEST-1"


@pytest.mark.parametrize("payment,field", [
    ({"method": "cash", "amount_vnd": 1}, "payment.method"),
    ({"method": "online", "amount_vnd": -1}, "payment.amount_vnd"),
    ({"method": "online", "amount_vnd": 10_000_000_001}, "payment.amount_vnd"),
    ({"method": "online", "amount_vnd": "8000"}, "payment.amount_vnd"),
    ({"method": "online", "amount_vnd": 1, "reference": "x" * 65}, "payment.reference"),
    ({"method": "online", "amount_vnd": 1, "paid_at": "yesterday"}, "payment.paid_at"),
    ({"method": "online", "amount_vnd": 1, "tip": 5}, "payment.tip"),
    ({"amount_vnd": 1}, "payment.method"),
    ("online", "payment"),
])
def test_intake_payment_is_validated(hsrv, payment, field):
    tok = token(hsrv, CITIZEN)
    body = {"procedure_id": "HT-010", "unit": "08746",
            "applicant": {"id_number": CITIZEN, "full_name": "Nguyễn Văn An"},
            "components": [{"component_id": "to_khai", "source": "national_db"}],
            "payment": payment}
    r = hsrv.post("/api/v1/dossiers", body, token=tok)
    assert r.status == 400, r
    err = r.json()["error"]
    assert err["field"] == field, err


def test_a_second_start_serves_what_is_there(hsrv):
    before = hsrv.dossier_count()
    problems = hsrv.restart(extra_args=HISTORY)
    assert not problems, problems
    assert hsrv.dossier_count() == before
    assert "already has dossiers" in hsrv.stdout_path.read_text()
    assert hsrv.get("/healthz").status == 200


def test_no_serve_prints_the_summary_and_exits(tmp_path, binary, backend):
    if backend != "sqlite":
        pytest.skip("one backend is enough for the command's behaviour")
    db = f"sqlite:{tmp_path / 'ns.db'}"
    r = subprocess.run([binary, "demo", "--db", db, "--files", str(tmp_path / "files"),
                        "--dossiers", "200", "--months", "1", "--seed", "5", "--now", NOW,
                        "--no-serve", "--argon2-ops", "1", "--argon2-mem-kib", "8192"],
                       capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "demo history: 200 dossiers" in r.stdout
    assert re.search(r"\d+ dossiers/s", r.stdout)
    r = subprocess.run([binary, "demo", "--db", db, "--dossiers", "-1", "--no-serve"],
                       capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert r.returncode == 2 and "--dossiers" in r.stderr
