"""Dossiers: intake on the three channels, the workflow (happy path, supplements, refusal,
apology, forwarding, withdrawal), wrong actions and stale versions (409), idempotent and
concurrent filing, who may see and act on a dossier, hostile input, the queue with its filters
and keyset paging, the public status lookup (no personal data, rate limited) and the audit
chain (`motcua audit verify`).

The module runs its own server with a fixed clock, --now 2026-04-24T10:00:00+07:00 (a Friday;
the clock then runs on in real time). Around it: Sunday 26/4 is Giỗ Tổ Hùng Vương, so Monday 27/4
is its compensatory day off, and 30/4 and 1/5 (Thursday, Friday) are public holidays. So
a dossier of 5 working days received on Friday 24/4 at 10:00 is due on Wednesday 6/5 at 10:00."""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import threading
import urllib.parse

import pytest

from conftest import SHARED_LIMITS, finish
from support import DEMO_ACCOUNTS, ISO_VN, check_error_body, fold, sample_pdf, verify_audit

NOW = "2026-04-24T10:00:00+07:00"
TODAY = "2026-04-24"
CITIZEN = "025095000123"
SHA = "0123456789abcdef" * 4
CODE_08746 = re.compile(r"^087\.46\.00\.H25-260424-(\d{4})$")
ANY_CODE = re.compile(r"^[A-Za-z0-9._]+-\d{6}-\d{4}$")

DOSSIER_KEYS = {"code", "procedure_id", "procedure_version", "procedure_name", "channel",
                "receiving_unit", "current_unit", "path_units", "state", "state_vi", "version",
                "applicant", "components", "supplements", "submitted_at", "received_at",
                "due_at", "finished_at", "returned_at", "apologies", "deadline_status",
                "allowed_actions", "rating", "rating_comment", "complaints", "payment"}
# A queue line: what an officer scans; the dossier itself has contact details and components.
LINE_KEYS = {"code", "procedure_id", "procedure_version", "procedure_name", "channel",
             "receiving_unit", "current_unit", "state", "state_vi", "version", "applicant_name",
             "submitted_at", "received_at", "due_at", "finished_at", "returned_at",
             "deadline_status", "allowed_actions"}
EVENT_KEYS = {"seq", "at", "actor_user_id", "actor_role", "actor_unit", "action", "state_before",
              "state_after", "note", "hash"}
ALL_ACTIONS = ["receive", "request_supplement", "supplement", "refuse", "assign", "forward",
               "approve", "issue_result", "apologise", "return_result", "stop", "withdraw",
               "rate", "complain"]
# Allowed actions per state, in the order of the transition table (workflow.cc).
ALLOWED = {
    "submitted": ["receive", "request_supplement", "refuse", "withdraw"],
    "received": ["assign", "forward", "request_supplement", "apologise", "stop", "withdraw"],
    "in_process": ["assign", "forward", "request_supplement", "approve", "apologise", "stop",
                   "withdraw"],
    "supplement_requested": ["supplement", "refuse", "stop", "withdraw"],
    "approved": ["issue_result", "apologise"],
    "done": ["return_result"],
    "returned": ["rate", "complain"], "refused": ["complain"], "stopped": [], "withdrawn": [],
}


# --- fixtures and helpers ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def dsrv(server_factory):
    # public lookups are rate-limited per client and this module makes many from 127.0.0.1;
    # test_public_lookup_rate_limit checks the limiter on a server of its own
    limits = {**SHARED_LIMITS, "public_lookups_per_minute_per_client": 100000,
              "public_lookups_burst_per_client": 100000}
    srv = server_factory(limits=limits, extra_args=["--now", NOW], name="dossiers")
    yield srv
    finish(srv)


class Api:
    """Filing and acting on one server, with the demo accounts logged in."""

    def __init__(self, srv):
        self.srv = srv
        self.tok = {u: srv.login_ok(u)["token"] for u in DEMO_ACCOUNTS}
        self._procs: dict[str, dict] = {}
        self._shas: dict[str, str] = {}

    def sha(self, who: str = CITIZEN) -> str:
        """The SHA-256 of a PDF that `who` uploaded (one per user, uploaded once)."""
        if who not in self._shas:
            self._shas[who] = self.srv.upload_ok(self.tok.get(who, who),
                                                 sample_pdf(f"scan of {who}"))
        return self._shas[who]

    def procedure(self, pid: str) -> dict:
        if pid not in self._procs:
            r = self.srv.get(f"/api/v1/procedures/{pid}")
            assert r.status == 200, r
            self._procs[pid] = r.json()
        return self._procs[pid]

    def components(self, pid: str, who: str = CITIZEN) -> list[dict]:
        """Every required component of the procedure, uploaded by `who`."""
        return [{"component_id": c["id"], "source": "uploaded", "file_sha256": self.sha(who),
                 "file_name": c["id"] + ".pdf"}
                for c in self.procedure(pid)["components"] if c["required"]]

    def body(self, pid="HT-002", unit="08746", id_number=CITIZEN, name="Nguyễn Văn Đức",
             channel=None, components=None, who=CITIZEN, **applicant) -> dict:
        b = {"procedure_id": pid, "unit": unit,
             "applicant": {"id_number": id_number, "full_name": name, **applicant},
             "components": self.components(pid, who) if components is None else components}
        if channel is not None:
            b["channel"] = channel
        return b

    def post(self, who: str, body, headers=None):
        return self.srv.post("/api/v1/dossiers", body, token=self.tok.get(who, who),
                             headers=headers)

    def file(self, who: str = CITIZEN, **kw) -> dict:
        r = self.post(who, self.body(who=who, **kw))
        assert r.status == 201, r
        d = r.json()
        check_dossier(d)
        assert r.header("location") == f"/api/v1/dossiers/{d['code']}"
        return d

    def counter(self, who="reception.xuanhoa", pid="HT-002", id_number="001200000001",
                **kw) -> dict:
        return self.file(who, pid=pid, id_number=id_number, channel="counter", **kw)

    def act(self, who: str, d, action: str, version=None, **fields):
        code = d["code"] if isinstance(d, dict) else d
        if version is None:
            version = d["version"]
        body = {"action": action, "version": version, **fields}
        return self.srv.post(f"/api/v1/dossiers/{code}/actions", body,
                             token=self.tok.get(who, who))

    def act_ok(self, who: str, d: dict, action: str, **fields) -> dict:
        r = self.act(who, d, action, **fields)
        assert r.status == 200, (who, action, r)
        out = r.json()
        check_dossier(out)
        assert out["code"] == d["code"]
        assert out["version"] == d["version"] + 1, (d["version"], out["version"])
        return out

    def get(self, who: str, code: str):
        return self.srv.get(f"/api/v1/dossiers/{q(code)}", token=self.tok.get(who, who))

    def get_ok(self, who: str, code: str) -> dict:
        r = self.get(who, code)
        assert r.status == 200, (who, r)
        check_dossier(r.json())
        return r.json()

    def events(self, who: str, code: str) -> list[dict]:
        r = self.srv.get(f"/api/v1/dossiers/{q(code)}/events", token=self.tok.get(who, who))
        assert r.status == 200, r
        items = r.json()["items"]
        for e in items:
            assert set(e) == EVENT_KEYS, e
            assert ISO_VN.match(e["at"]), e
            assert re.fullmatch(r"[0-9a-f]{64}", e["hash"]), e
        seqs = [e["seq"] for e in items]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), seqs
        return items

    def queue(self, who: str, **params) -> dict:
        r = self.srv.get("/api/v1/dossiers?" + urllib.parse.urlencode(params),
                         token=self.tok.get(who, who))
        assert r.status == 200, r
        body = r.json()
        assert set(body) == {"items", "next_cursor"}, body.keys()
        for i, line in enumerate(body["items"]):
            check_line(line)
            if i < 3:  # a line says what the dossier says
                full = self.get_ok("admin.phutho", line["code"])
                assert line == line_of(full), (line, line_of(full))
        return body

    def queue_codes(self, who: str, **params) -> list[str]:
        return [d["code"] for d in self.queue(who, limit=100, **params)["items"]]

    def public(self, code: str, last4: str):
        return self.srv.get(f"/api/v1/public/dossiers/{q(code)}?id_last4={last4}")


def q(code: str) -> str:
    return urllib.parse.quote(code, safe="")


def check_dossier(d: dict) -> None:
    assert set(d) == DOSSIER_KEYS, set(d) ^ DOSSIER_KEYS
    assert ANY_CODE.match(d["code"]), d["code"]
    assert d["allowed_actions"] == ALLOWED[d["state"]], (d["state"], d["allowed_actions"])
    assert d["state_vi"], d
    assert isinstance(d["version"], int) and d["version"] >= 1
    assert ISO_VN.match(d["submitted_at"]), d["submitted_at"]
    for k in ("received_at", "due_at", "finished_at", "returned_at"):
        assert d[k] is None or ISO_VN.match(d[k]), (k, d[k])
    assert d["deadline_status"] in {"early", "on_time", "in_time", "overdue", "late"}
    assert d["path_units"][0] == d["receiving_unit"] and d["current_unit"] in d["path_units"]


def check_line(d: dict) -> None:
    assert set(d) == LINE_KEYS, set(d) ^ LINE_KEYS
    assert ANY_CODE.match(d["code"]), d["code"]
    assert d["allowed_actions"] == ALLOWED[d["state"]], (d["state"], d["allowed_actions"])
    assert d["state_vi"] and d["procedure_name"] and d["applicant_name"], d
    assert ISO_VN.match(d["submitted_at"]), d["submitted_at"]
    for k in ("received_at", "due_at", "finished_at", "returned_at"):
        assert d[k] is None or ISO_VN.match(d[k]), (k, d[k])
    assert d["deadline_status"] in {"early", "on_time", "in_time", "overdue", "late"}


def line_of(full: dict) -> dict:
    """The queue line of a dossier as GET /api/v1/dossiers/{code} returns it."""
    line = {k: full[k] for k in LINE_KEYS if k in full}
    line["applicant_name"] = full["applicant"]["full_name"]
    return line


def due_for(srv, received_at: str, amount: int, unit="working_day") -> str:
    r = srv.get("/api/v1/calendar/deadline?" + urllib.parse.urlencode(
        {"from": received_at, "amount": amount, "unit": unit}))
    assert r.status == 200, r
    return r.json()["due"]


def clock_time(iso: str) -> str:
    return iso[11:19]


def seq_of(code: str) -> int:
    return int(code.rsplit("-", 1)[1])


@pytest.fixture(scope="module")
def api(dsrv) -> Api:
    return Api(dsrv)


@pytest.fixture(scope="module")
def citizen_b(api) -> str:
    """A second citizen account (its username is its ID number); returns its token key."""
    id_number = "0790" + "".join(secrets.choice("0123456789") for _ in range(8))
    r = api.srv.post("/api/v1/users", {"username": id_number, "password": "citizen-b-pass-1",
                                       "role": "citizen", "full_name": "Lê Thị Bê"},
                     token=api.tok["admin.phutho"])
    assert r.status == 201, r
    api.tok[id_number] = api.srv.login_ok(id_number, "citizen-b-pass-1")["token"]
    return id_number


# --- the workflow -------------------------------------------------------------------------------

def test_online_happy_path(api):
    d = api.file(CITIZEN, pid="HT-002", email="duc@example.vn", phone="0912345678")
    m = CODE_08746.match(d["code"])
    assert m, d["code"]
    assert d["state"] == "submitted" and d["state_vi"] == "Chờ tiếp nhận"
    assert d["version"] == 1 and d["channel"] == "online"
    assert d["procedure_id"] == "HT-002" and d["procedure_version"] >= 1
    assert d["receiving_unit"] == d["current_unit"] == "08746" and d["path_units"] == ["08746"]
    assert d["received_at"] is None and d["due_at"] is None and d["finished_at"] is None
    assert d["submitted_at"].startswith(TODAY + "T10:")
    assert d["deadline_status"] == "in_time" and d["apologies"] == 0
    assert d["applicant"]["id_number"] == CITIZEN and d["applicant"]["email"] == "duc@example.vn"
    assert [c["component_id"] for c in d["components"]] == [
        c["component_id"] for c in api.components("HT-002")]
    assert all(c["source"] == "uploaded" and c["file_sha256"] == api.sha(CITIZEN)
               and c["media_type"] == "application/pdf" and c["file_size"] > 0
               for c in d["components"])

    d = api.act_ok("reception.xuanhoa", d, "receive")
    assert d["state"] == "received" and d["version"] == 2
    assert d["received_at"].startswith(TODAY + "T10:")
    # 5 working days from Friday 24/4: Tue 28, Wed 29, Mon 4/5, Tue 5/5, Wed 6/5 (27/4 nghỉ bù,
    # 30/4 and 1/5 holidays), at the time of receipt.
    assert d["due_at"] == "2026-05-06T" + clock_time(d["received_at"]) + "+07:00", d
    assert d["due_at"] == due_for(api.srv, d["received_at"], 5)
    assert d["deadline_status"] == "in_time"

    r = api.act("reception.xuanhoa", d, "assign")
    check_error_body(r, 400, "invalid_field", "to_user")
    d = api.act_ok("reception.xuanhoa", d, "assign", to_user="specialist.xuanhoa")
    assert d["state"] == "in_process" and d["version"] == 3
    d = api.act_ok("leader.xuanhoa", d, "approve", note="Đồng ý")
    assert d["state"] == "approved" and d["version"] == 4 and d["finished_at"] is None
    r = api.act("specialist.xuanhoa", d, "issue_result")
    check_error_body(r, 400, "invalid_field", "result_sha256")
    r = api.act("specialist.xuanhoa", d, "issue_result",
                result_sha256=api.sha("specialist.xuanhoa").upper())
    check_error_body(r, 400, "invalid_field", "result_sha256")
    # a file the officer did not upload (the citizen's) is not their result to issue
    r = api.act("specialist.xuanhoa", d, "issue_result", result_sha256=api.sha(CITIZEN))
    check_error_body(r, 400, "invalid_field", "result_sha256")
    d = api.act_ok("specialist.xuanhoa", d, "issue_result",
                   result_sha256=api.sha("specialist.xuanhoa"))
    assert d["state"] == "done" and d["version"] == 5
    assert d["finished_at"] and d["finished_at"] < d["due_at"]
    assert d["deadline_status"] == "early"  # finished before the appointment day
    d = api.act_ok("reception.xuanhoa", d, "return_result", note="Trả tại quầy")
    assert d["state"] == "returned" and d["version"] == 6 and d["returned_at"]
    assert d["allowed_actions"] == ["rate", "complain"] and d["deadline_status"] == "early"

    # after the return the applicant (only) rates the service, once, and may complain
    r = api.act("reception.xuanhoa", d, "rate", rating="satisfied")
    check_error_body(r, 403, "forbidden")
    r = api.act(CITIZEN, d, "rate", rating="thrilled")
    check_error_body(r, 400, "invalid_field", "rating")
    d = api.act_ok(CITIZEN, d, "rate", rating="satisfied", note="Cán bộ nhiệt tình")
    assert d["state"] == "returned" and d["version"] == 7
    assert d["rating"] == "satisfied" and d["rating_comment"] == "Cán bộ nhiệt tình"
    r = api.act(CITIZEN, d, "rate", rating="dissatisfied")
    check_error_body(r, 409, "conflict", "action")
    r = api.act(CITIZEN, d, "complain")
    check_error_body(r, 400, "missing_field", "note")
    d = api.act_ok(CITIZEN, d, "complain", note="Phải chờ lâu ở quầy trả kết quả")
    assert d["complaints"] == 1 and d["version"] == 8 and d["state"] == "returned"

    # everyone on the dossier sees the same final state
    for who in (CITIZEN, "reception.xuanhoa", "specialist.xuanhoa", "leader.xuanhoa",
                "admin.phutho", "auditor.phutho"):
        assert api.get_ok(who, d["code"]) == d, who

    events = api.events("reception.xuanhoa", d["code"])
    assert [e["action"] for e in events] == [
        "submit", "receive", "assign", "approve", "issue_result", "return_result", "rate",
        "complain"]
    assert [(e["state_before"], e["state_after"]) for e in events] == [
        ("", "submitted"), ("submitted", "received"), ("received", "in_process"),
        ("in_process", "approved"), ("approved", "done"), ("done", "returned"),
        ("returned", "returned"), ("returned", "returned")]
    assert [e["actor_role"] for e in events] == [
        "citizen", "reception", "reception", "leader", "specialist", "reception", "citizen",
        "citizen"]
    assert [e["actor_unit"] for e in events] == ["", "08746", "08746", "08746", "08746", "08746",
                                                 "", ""]
    assert events[3]["note"] == "Đồng ý" and events[5]["note"] == "Trả tại quầy"
    assert events[6]["note"] == "satisfied: Cán bộ nhiệt tình"
    assert events[7]["note"] == "Phải chờ lâu ở quầy trả kết quả"
    assert len({e["hash"] for e in events}) == len(events)
    assert api.events(CITIZEN, d["code"]) == events

    # nothing more can happen to the processing
    r = api.act("leader.xuanhoa", d, "stop", note="x")
    err = check_error_body(r, 409, "conflict", "action")
    assert "allowed: rate, complain" in err["message"], err


def test_counter_filing_is_received_at_once(api):
    d = api.counter(pid="HT-003", name="Phạm Quầy", id_number="001200000002")
    assert d["channel"] == "counter" and d["state"] == "received" and d["version"] == 1
    assert d["received_at"] == d["submitted_at"]
    # 3 working days from Friday 24/4 10:00: Tue 28, Wed 29, Mon 4/5
    assert d["due_at"] == "2026-05-04T" + clock_time(d["received_at"]) + "+07:00", d
    events = api.events("reception.xuanhoa", d["code"])
    assert [(e["action"], e["state_before"], e["state_after"], e["actor_role"])
            for e in events] == [("receive", "", "received", "reception")]

    # a same-day procedure (HT-001, 0 working days) is due at 17:00 of the day of receipt
    d = api.counter(pid="HT-001", id_number="001200000003")
    assert d["due_at"] == TODAY + "T17:00:00+07:00"
    # officers default to the counter; leaders may record postal dossiers
    r = api.post("reception.xuanhoa", api.body(id_number="001200000004",
                                               who="reception.xuanhoa"))
    assert r.status == 201 and r.json()["channel"] == "counter", r
    d = api.file("leader.xuanhoa", id_number="001200000005", channel="postal")
    assert d["channel"] == "postal" and d["state"] == "received" and d["due_at"]
    # a calendar-day procedure (HT-016: 15 calendar days) is due at 17:00, on a working day:
    # 9/5 is a Saturday, so Monday 11/5
    d = api.counter(pid="HT-016", id_number="001200000006")
    assert d["due_at"] == "2026-05-11T17:00:00+07:00", d
    # a provincial agency files provincial procedures, under its own code prefix
    d = api.file("leader.snv", pid="DN-001", unit="SNV", id_number="001200000007",
                 channel="counter")
    assert re.fullmatch(r"000\.00\.00\.SNV-260424-\d{4}", d["code"]), d["code"]
    assert d["state"] == "received" and d["current_unit"] == "SNV"
    assert d["code"] not in api.queue_codes("reception.xuanhoa")


def test_supplement_flow(api):
    d = api.file(CITIZEN, pid="HT-003")
    d = api.act_ok("reception.xuanhoa", d, "receive")
    due = d["due_at"]
    for note in ({}, {"note": ""}):
        r = api.act("reception.xuanhoa", d, "request_supplement", **note)
        check_error_body(r, 400, "missing_field", "note")
    d = api.act_ok("reception.xuanhoa", d, "request_supplement",
                   note="Thiếu bản sao giấy chứng sinh có chứng thực")
    assert d["state"] == "supplement_requested" and d["state_vi"] == "Chờ bổ sung"
    assert len(d["supplements"]) == 1 and d["supplements"][0]["supplied_at"] is None
    assert ISO_VN.match(d["supplements"][0]["requested_at"])
    # an officer of another role/unit cannot supplement for the applicant
    r = api.act("specialist.xuanhoa", d, "supplement")
    check_error_body(r, 403, "forbidden")
    d = api.act_ok(CITIZEN, d, "supplement", note="Đã bổ sung")
    assert d["state"] == "received", "a supplement returns the dossier to its previous state"
    assert len(d["supplements"]) == 1 and ISO_VN.match(d["supplements"][0]["supplied_at"])
    assert d["due_at"] == due and d["deadline_status"] == "in_time"
    # nothing is pending any more
    r = api.act(CITIZEN, d, "supplement")
    err = check_error_body(r, 409, "conflict", "action")
    assert "allowed: " + ", ".join(ALLOWED["received"]) in err["message"], err

    # while in process: the specialist asks, the applicant supplies, back to in_process
    d = api.act_ok("leader.xuanhoa", d, "assign", to_user="specialist.xuanhoa")
    d = api.act_ok("specialist.xuanhoa", d, "request_supplement", note="Thiếu tờ khai")
    d = api.act_ok(CITIZEN, d, "supplement")
    assert d["state"] == "in_process" and len(d["supplements"]) == 2
    assert all(s["supplied_at"] for s in d["supplements"])
    # more than one supplement request: the dossier counts as overdue (domain rule §5)
    assert d["deadline_status"] == "overdue"

    events = api.events(CITIZEN, d["code"])
    assert [(e["action"], e["state_before"], e["state_after"]) for e in events] == [
        ("submit", "", "submitted"), ("receive", "submitted", "received"),
        ("request_supplement", "received", "supplement_requested"),
        ("supplement", "supplement_requested", "received"),
        ("assign", "received", "in_process"),
        ("request_supplement", "in_process", "supplement_requested"),
        ("supplement", "supplement_requested", "in_process")]
    assert events[2]["note"] == "Thiếu bản sao giấy chứng sinh có chứng thực"

    # before receipt: asked while submitted, supplied back to submitted; reception may record a
    # supplement handed in at the counter
    d = api.file(CITIZEN, pid="HT-003")
    d = api.act_ok("reception.xuanhoa", d, "request_supplement", note="Thiếu giấy tờ")
    d = api.act_ok("reception.xuanhoa", d, "supplement", note="Nộp bổ sung tại quầy")
    assert d["state"] == "submitted" and d["received_at"] is None


def test_refusal_needs_a_reason(api):
    d = api.file(CITIZEN, pid="HT-002")
    for note in ({}, {"note": ""}):
        check_error_body(api.act("reception.xuanhoa", d, "refuse", **note), 400,
                         "missing_field", "note")
    assert api.get_ok(CITIZEN, d["code"])["version"] == 1, "a rejected action changed nothing"
    d = api.act_ok("reception.xuanhoa", d, "refuse", note="Không thuộc thẩm quyền")
    assert d["state"] == "refused" and d["finished_at"] and d["allowed_actions"] == ["complain"]
    r = api.act("reception.xuanhoa", d, "receive")
    assert "allowed: complain." in check_error_body(r, 409, "conflict", "action")["message"]
    # refusing after a supplement request, and stopping, need reasons too
    d = api.counter()
    d = api.act_ok("reception.xuanhoa", d, "request_supplement", note="Thiếu giấy tờ")
    d = api.act_ok("leader.xuanhoa", d, "refuse", note="Quá hạn bổ sung")
    assert d["state"] == "refused"
    d = api.counter()
    check_error_body(api.act("leader.xuanhoa", d, "stop"), 400, "missing_field", "note")
    check_error_body(api.act("reception.xuanhoa", d, "stop", note="x"), 403, "forbidden")
    d = api.act_ok("leader.xuanhoa", d, "stop", note="Người nộp đề nghị dừng")
    assert d["state"] == "stopped" and d["finished_at"]


def test_apologise_validation(api):
    d = api.counter(pid="HT-002")
    due = d["due_at"]
    assert due.startswith("2026-05-06T")
    later = "2026-05-08T10:00:00+07:00"
    check_error_body(api.act("leader.xuanhoa", d, "apologise", new_due=later), 400,
                     "missing_field", "note")
    check_error_body(api.act("leader.xuanhoa", d, "apologise", note="Cần xác minh"), 400,
                     "invalid_field", "new_due")
    for bad in ("2026-05-05T10:00:00+07:00", due):  # earlier than, or equal to, the appointment
        check_error_body(api.act("leader.xuanhoa", d, "apologise", note="Cần xác minh",
                                 new_due=bad), 400, "invalid_field", "new_due")
    for bad in ("next week", "2026-05-08", "2026-05-08T10:00:00"):
        check_error_body(api.act("leader.xuanhoa", d, "apologise", note="x", new_due=bad), 400,
                         "invalid_field", "new_due")
    # only leaders apologise
    for who in ("reception.xuanhoa", "specialist.xuanhoa"):
        check_error_body(api.act(who, d, "apologise", note="x", new_due=later), 403, "forbidden")
    d = api.act_ok("leader.xuanhoa", d, "apologise", note="Cần xác minh thêm", new_due=later)
    assert d["state"] == "received" and d["due_at"] == later and d["apologies"] == 1
    events = api.events("leader.xuanhoa", d["code"])
    assert (events[-1]["action"], events[-1]["state_before"], events[-1]["state_after"],
            events[-1]["note"]) == ("apologise", "received", "received", "Cần xác minh thêm")
    # a second apology must again move the (new) appointment later
    check_error_body(api.act("leader.xuanhoa", d, "apologise", note="x", new_due=later), 400,
                     "invalid_field", "new_due")


def test_forward_to_another_unit(api):
    d = api.counter(pid="HT-002", name="Hoàng Chuyển Tiếp")
    for bad in ("08746", "00004", "NOPE", "", "25"):  # 25: the province itself is no unit to act
        r = api.act("reception.xuanhoa", d, "forward", to_unit=bad)
        check_error_body(r, 400, "invalid_field", "to_unit")
    d = api.act_ok("reception.xuanhoa", d, "forward", to_unit="07900", note="Chuyển liên thông")
    assert d["state"] == "in_process" and d["current_unit"] == "07900"
    assert d["receiving_unit"] == "08746" and d["path_units"] == ["08746", "07900"]
    assert d["code"] in api.queue_codes("reception.viettri")
    assert d["code"] not in api.queue_codes("reception.xuanhoa")
    # the officers of the units on its path can still read it ...
    for who in ("reception.xuanhoa", "leader.xuanhoa", "reception.viettri"):
        assert api.get_ok(who, d["code"])["current_unit"] == "07900"
    assert [e["action"] for e in api.events("reception.xuanhoa", d["code"])] == [
        "receive", "forward"]
    # ... but only the current unit acts on it
    r = api.act("leader.xuanhoa", d, "approve")
    check_error_body(r, 403, "forbidden")
    # the current unit's reception officer may not approve (leaders do)
    check_error_body(api.act("reception.viettri", d, "approve"), 403, "forbidden")
    # a provincial agency may receive a forwarded dossier; the province admin sees it there
    d2 = api.counter(pid="HT-002")
    d2 = api.act_ok("leader.xuanhoa", d2, "forward", to_unit="SNV")
    assert d2["current_unit"] == "SNV"
    assert d2["code"] in api.queue_codes("leader.snv")
    assert d2["code"] in api.queue_codes("admin.phutho", unit="SNV")


def test_citizen_queue_includes_counter_dossiers_under_their_id(api):
    # A counter dossier filed by an officer for the demo citizen's ID number is theirs too.
    d = api.counter(pid="HT-002", id_number=CITIZEN, name="Nguyễn Văn An")
    assert d["code"] in api.queue_codes(CITIZEN)
    assert api.get_ok(CITIZEN, d["code"])["code"] == d["code"]


def test_apology_date_is_bounded(api):
    d = api.counter(pid="HT-003", id_number="001200000009")
    r = api.act("leader.xuanhoa", d, "apologise", note="Chờ xác minh", new_due="2028-01-01T17:00:00+07:00")
    check_error_body(r, 400, "invalid_field", "new_due")


def test_withdraw_by_the_applicant(api, citizen_b):
    d = api.file(CITIZEN, pid="HT-002")
    check_error_body(api.act("reception.xuanhoa", d, "withdraw"), 403, "forbidden")
    check_error_body(api.act("leader.xuanhoa", d, "withdraw"), 403, "forbidden")
    check_error_body(api.act(citizen_b, d, "withdraw"), 404, "not_found")
    # the applicant may not take officers' actions
    check_error_body(api.act(CITIZEN, d, "receive"), 403, "forbidden")
    d = api.act_ok(CITIZEN, d, "withdraw", note="Không có nhu cầu nữa")
    assert d["state"] == "withdrawn" and d["finished_at"] and d["allowed_actions"] == []
    # also after receipt
    d = api.file(CITIZEN, pid="HT-002")
    d = api.act_ok("reception.xuanhoa", d, "receive")
    d = api.act_ok(CITIZEN, d, "withdraw")
    assert d["state"] == "withdrawn"


WRONG_ACTION_CASES = [(state, action) for state in ("submitted", "received", "done", "refused")
                      for action in ALL_ACTIONS if action not in ALLOWED[state]]


@pytest.fixture(scope="module")
def dossier_in_state(api):
    """One dossier per state (submitted, received, done, refused), made once."""
    made = {}

    def get(state: str) -> dict:
        if state not in made:
            d = api.file(CITIZEN, pid="HT-002")
            if state == "refused":
                d = api.act_ok("reception.xuanhoa", d, "refuse", note="x")
            elif state in ("received", "done"):
                d = api.act_ok("reception.xuanhoa", d, "receive")
            if state == "done":
                d = api.act_ok("leader.xuanhoa", d, "assign", to_user="specialist.xuanhoa")
                d = api.act_ok("leader.xuanhoa", d, "approve")
                d = api.act_ok("leader.xuanhoa", d, "issue_result",
                               result_sha256=api.sha("leader.xuanhoa"))
            assert d["state"] == state
            made[state] = d
        return made[state]

    return get


@pytest.mark.parametrize("state,action", WRONG_ACTION_CASES,
                         ids=[f"{s}-{a}" for s, a in WRONG_ACTION_CASES])
def test_wrong_action_is_409_with_the_allowed_ones(api, dossier_in_state, state, action):
    d = dossier_in_state(state)
    fields = {"note": "x", "to_user": "specialist.xuanhoa", "to_unit": "07900",
              "new_due": "2027-01-01T10:00:00+07:00", "result_sha256": SHA}
    r = api.act("leader.xuanhoa", d, action, **fields)
    err = check_error_body(r, 409, "conflict", "action")
    allowed = ", ".join(ALLOWED[state]) or "none"
    assert f"allowed: {allowed}." in err["message"], err
    assert state in err["message"] and action in err["message"]
    assert api.get_ok("leader.xuanhoa", d["code"])["version"] == d["version"]


def test_action_request_validation(api, dossier_in_state):
    d = dossier_in_state("received")
    url = f"/api/v1/dossiers/{d['code']}/actions"
    tok = api.tok["leader.xuanhoa"]
    cases = [
        ({"action": "fly", "version": d["version"]}, "invalid_field", "action"),
        ({"version": d["version"]}, "missing_field", "action"),
        ({"action": "assign"}, "missing_field", "version"),
        ({"action": "assign", "version": 0}, "invalid_field", "version"),
        ({"action": "assign", "version": "1"}, "invalid_field", "version"),
        ({"action": "assign", "version": 1.5}, "invalid_field", "version"),
        ({"action": 7, "version": 1}, "invalid_field", "action"),
        ({"action": "assign", "version": 1, "note": ["x"]}, "invalid_field", "note"),
        ({"action": "assign", "version": 1, "colour": "red"}, "unknown_field", "colour"),
        ({"action": "assign", "version": 1, "note": "x" * 2001}, "invalid_field", "note"),
    ]
    for body, code, field in cases:
        check_error_body(api.srv.post(url, body, token=tok), 400, code, field)
    for raw in (b"", b"{", b"[]", b'{"action":"assign","version":1,"note":"\xff"}'):
        r = api.srv.request("POST", url, raw, token=tok)
        assert r.status == 400, (raw, r)
        check_error_body(r, 400)
    r = api.srv.request("POST", url, b'{"action":"assign","version":1}', token=tok,
                        content_type="text/plain")
    check_error_body(r, 415, "unsupported_media_type")
    check_error_body(api.srv.post(url, {"action": "assign", "version": 1}), 401)
    # a stale version
    r = api.act("leader.xuanhoa", d, "assign", version=d["version"] + 5,
                to_user="specialist.xuanhoa")
    check_error_body(r, 409, "conflict", "version")
    # assign only to a specialist or leader of the dossier's current unit
    for to_user in ("reception.xuanhoa", "reception.viettri", "nobody.here", "admin.phutho"):
        r = api.act("leader.xuanhoa", d, "assign", to_user=to_user)
        check_error_body(r, 400, "invalid_field", "to_user")
    assert api.get_ok("leader.xuanhoa", d["code"])["version"] == d["version"]


def test_concurrent_actions_exactly_one_wins(api):
    d = api.counter(pid="HT-002")
    d = api.act_ok("reception.xuanhoa", d, "assign", to_user="specialist.xuanhoa")
    actors = ["specialist.xuanhoa", "leader.xuanhoa"] * 3
    for _round in range(4):
        results = [None] * len(actors)
        barrier = threading.Barrier(len(actors))

        def go(i, version=d["version"]):
            barrier.wait(timeout=30)
            results[i] = api.act(actors[i], d["code"], "assign", version=version,
                                 to_user="specialist.xuanhoa", note=f"lượt {i}")

        threads = [threading.Thread(target=go, args=(i,)) for i in range(len(actors))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        statuses = sorted(r.status for r in results)
        assert statuses == [200] + [409] * (len(actors) - 1), statuses
        for r in results:
            if r.status == 409:
                check_error_body(r, 409, "conflict", "version")
        winner = next(r.json() for r in results if r.status == 200)
        assert winner["version"] == d["version"] + 1
        d = api.get_ok("leader.xuanhoa", d["code"])
        assert d == winner
    # one audit event per successful action
    assert len(api.events("leader.xuanhoa", d["code"])) == 2 + 4


def run_concurrently(n: int, fn) -> list:
    results = [None] * n
    barrier = threading.Barrier(n)

    def go(i):
        barrier.wait(timeout=30)
        results[i] = fn(i)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return results


def test_idempotent_concurrent_posts(api):
    key = "retry-" + secrets.token_hex(8)
    body = json.dumps(api.body(pid="HT-002", name="Đỗ Lặp Lại"))
    results = run_concurrently(8, lambda i: api.srv.request(
        "POST", "/api/v1/dossiers", body, token=api.tok[CITIZEN],
        headers={"Idempotency-Key": key}))
    assert [r.status for r in results] == [201] * 8, results
    codes = {r.json()["code"] for r in results}
    assert len(codes) == 1, codes
    code = codes.pop()
    replayed = [r.header("idempotent-replayed") for r in results]
    assert replayed.count("true") == 7 and replayed.count(None) == 1, replayed
    assert api.queue_codes(CITIZEN, q="do lap lai") == [code]
    assert api.queue_codes("reception.xuanhoa", q=code) == [code]
    # a later retry still gets the same dossier, as it is now
    d = api.get_ok(CITIZEN, code)
    d = api.act_ok("reception.xuanhoa", d, "receive")
    r = api.srv.request("POST", "/api/v1/dossiers", body, token=api.tok[CITIZEN],
                        headers={"Idempotency-Key": key})
    assert r.status == 201 and r.header("idempotent-replayed") == "true", r
    assert r.json()["code"] == code and r.json()["state"] == "received"
    # the same key with another body is a conflict
    other = api.body(pid="HT-002", name="Đỗ Khác")
    r = api.post(CITIZEN, other, headers={"Idempotency-Key": key})
    check_error_body(r, 409, "conflict", "Idempotency-Key")
    # keys belong to their user: an officer's identical key files a new dossier
    r = api.post("reception.xuanhoa", api.body(id_number="001200000009", who="reception.xuanhoa"),
                 headers={"Idempotency-Key": key})
    assert r.status == 201 and r.header("idempotent-replayed") is None and \
        r.json()["code"] != code, r
    # malformed keys
    for bad in ("has space", "x" * 129, "é", "a/b"):
        r = api.post(CITIZEN, api.body(), headers={"Idempotency-Key": bad.encode().decode(
            "latin-1")})
        check_error_body(r, 400, "invalid_field", "Idempotency-Key")


def test_concurrent_posts_get_consecutive_codes(api):
    results = run_concurrently(8, lambda i: api.post(
        "reception.xuanhoa", api.body(id_number=f"00120000010{i}", name=f"Song Song {i}",
                                      who="reception.xuanhoa")))
    assert [r.status for r in results] == [201] * 8, results
    codes = [r.json()["code"] for r in results]
    assert len(set(codes)) == 8
    assert all(CODE_08746.match(c) for c in codes), codes
    seqs = sorted(seq_of(c) for c in codes)
    assert seqs == list(range(seqs[0], seqs[0] + 8)), seqs
    # the next one continues the sequence
    assert seq_of(api.counter()["code"]) == seqs[-1] + 1


# --- who may see and act ------------------------------------------------------------------------

def test_access(api, citizen_b):
    d = api.file(CITIZEN, pid="HT-002")
    code = d["code"]
    # another commune's reception officer: neither sees nor acts (404, no leak)
    check_error_body(api.get("reception.viettri", code), 404, "not_found", "code")
    check_error_body(api.act("reception.viettri", d, "receive"), 404, "not_found")
    r = api.srv.get(f"/api/v1/dossiers/{code}/events", token=api.tok["reception.viettri"])
    check_error_body(r, 404, "not_found")
    assert code not in api.queue_codes("reception.viettri")
    assert api.queue("reception.viettri", q=code)["items"] == []
    check_error_body(api.get("leader.snv", code), 404, "not_found")
    # another citizen
    check_error_body(api.get(citizen_b, code), 404, "not_found")
    check_error_body(api.act(citizen_b, d, "withdraw"), 404, "not_found")
    assert api.queue(citizen_b)["items"] == []
    # the applicant sees only their own in their queue, whatever the filters say
    mine = api.queue_codes(CITIZEN)
    assert code in mine
    assert all(api.get_ok(CITIZEN, c)["applicant"]["id_number"] == CITIZEN for c in mine[:5])
    # a citizen files only for themselves, online
    r = api.post(CITIZEN, api.body(id_number=citizen_b))
    check_error_body(r, 403, "forbidden", "applicant.id_number")
    check_error_body(api.post(CITIZEN, api.body(channel="counter")), 400, "invalid_field",
                     "channel")
    # officers record counter and postal dossiers, for their own unit only
    check_error_body(api.post("reception.xuanhoa", api.body(channel="online")), 400,
                     "invalid_field", "channel")
    check_error_body(api.post("reception.xuanhoa", api.body(unit="07900")), 403, "forbidden",
                     "unit")
    for who in ("specialist.xuanhoa", "admin.phutho", "auditor.phutho"):
        check_error_body(api.post(who, api.body(id_number="001200000010")), 403, "forbidden")
    # the auditor and the province's admin read, but cannot act
    for who in ("auditor.phutho", "admin.phutho"):
        assert api.get_ok(who, code)["code"] == code
        assert api.events(who, code)
        assert code in api.queue_codes(who, unit="08746")
        check_error_body(api.act(who, d, "receive"), 403, "forbidden")
    # the specialist of the unit reads but does not receive
    assert api.get_ok("specialist.xuanhoa", code)
    check_error_body(api.act("specialist.xuanhoa", d, "receive"), 403, "forbidden")
    # queue scope: a unit out of reach is refused
    for who, unit in (("reception.xuanhoa", "07900"), ("leader.xuanhoa", "25"),
                      ("admin.phutho", "00004"), ("leader.snv", "08746")):
        r = api.srv.get(f"/api/v1/dossiers?unit={unit}", token=api.tok[who])
        check_error_body(r, 403, "forbidden", "unit")
    # no token
    check_error_body(api.srv.get(f"/api/v1/dossiers/{code}"), 401)
    check_error_body(api.srv.get("/api/v1/dossiers"), 401)
    check_error_body(api.srv.get(f"/api/v1/dossiers/{code}/events"), 401)
    check_error_body(api.srv.post("/api/v1/dossiers", api.body()), 401)
    assert api.get_ok(CITIZEN, code)["version"] == 1, "a refused request changed the dossier"


# --- hostile input --------------------------------------------------------------------------

def mutate(api, **changes) -> dict:
    """A valid counter body for HT-002 with `changes` (dotted keys into applicant)."""
    b = api.body(pid="HT-002", id_number="001200000020", who="reception.xuanhoa")
    for k, v in changes.items():
        if k.startswith("applicant_"):
            b["applicant"][k[len("applicant_"):]] = v
        else:
            b[k] = v
    return b


def comp(cid, source="uploaded", sha=SHA, **extra):
    c = {"component_id": cid, "source": source, **extra}
    if sha is not None:
        c["file_sha256"] = sha
    return c


REQUIRED_HT002 = ["to_khai_lien_thong", "giay_chung_sinh", "giay_to_tuy_than"]

BAD_BODIES = [
    # id, body factory(api), code, field
    ("missing_required_component",
     lambda a: mutate(a, components=[comp("to_khai_lien_thong"), comp("giay_to_tuy_than")]),
     "missing_field", "components"),
    ("no_components", lambda a: mutate(a, components=[]), "missing_field", "components"),
    ("unknown_component",
     lambda a: mutate(a, components=[comp(c) for c in REQUIRED_HT002] + [comp("hoa_don")]),
     "invalid_field", "components[3].component_id"),
    ("duplicated_component",
     lambda a: mutate(a, components=[comp(c) for c in REQUIRED_HT002] + [comp("giay_chung_sinh")]),
     "invalid_field", "components[3].component_id"),
    ("reused_non_reusable",
     lambda a: mutate(a, components=[comp("to_khai_lien_thong", "reused", None),
                                     comp("giay_chung_sinh"), comp("giay_to_tuy_than")]),
     "invalid_field", "components[0].source"),
    ("national_db_non_reusable",
     lambda a: mutate(a, components=[comp("to_khai_lien_thong"),
                                     comp("giay_chung_sinh", "national_db", None),
                                     comp("giay_to_tuy_than")]),
     "invalid_field", "components[1].source"),
    ("uploaded_without_file",
     lambda a: mutate(a, components=[comp("to_khai_lien_thong", sha=None),
                                     comp("giay_chung_sinh"), comp("giay_to_tuy_than")]),
     "invalid_field", "components[0].file"),
    ("paper_scan_short_sha",
     lambda a: mutate(a, components=[comp("to_khai_lien_thong"),
                                     comp("giay_chung_sinh", "paper_scan", "abc"),
                                     comp("giay_to_tuy_than")]),
     "invalid_field", "components[1].file"),
    ("unknown_source",
     lambda a: mutate(a, components=[comp("to_khai_lien_thong", "fax")]),
     "invalid_field", "components[0].source"),
    ("component_not_object", lambda a: mutate(a, components=["to_khai_lien_thong"]),
     "invalid_field", "components[0]"),
    ("component_unknown_field",
     lambda a: mutate(a, components=[comp("to_khai_lien_thong", colour="red")]),
     "unknown_field", "components[0].colour"),
    ("components_not_array", lambda a: mutate(a, components={"a": 1}), "invalid_field",
     "components"),
    ("too_many_components",
     lambda a: mutate(a, components=[comp("to_khai_lien_thong")] * 101), "invalid_field",
     "components"),
    ("id_number_11_digits", lambda a: mutate(a, applicant_id_number="00120000002"),
     "invalid_field", "applicant.id_number"),
    ("id_number_letters", lambda a: mutate(a, applicant_id_number="00120000002a"),
     "invalid_field", "applicant.id_number"),
    ("id_number_13_digits", lambda a: mutate(a, applicant_id_number="0012000000201"),
     "invalid_field", "applicant.id_number"),
    ("id_number_number", lambda a: mutate(a, applicant_id_number=1200000020),
     "invalid_field", "applicant.id_number"),
    ("name_empty", lambda a: mutate(a, applicant_full_name=""), "invalid_field",
     "applicant.full_name"),
    ("name_too_long", lambda a: mutate(a, applicant_full_name="Ă" * 201), "invalid_field",
     "applicant.full_name"),
    ("bad_email", lambda a: mutate(a, applicant_email="not-an-address"), "invalid_field",
     "applicant.email"),
    ("applicant_unknown_field", lambda a: mutate(a, applicant_colour="red"), "unknown_field",
     "applicant.colour"),
    ("applicant_not_object", lambda a: mutate(a, applicant="Nguyễn Văn A"), "invalid_field",
     "applicant"),
    ("unknown_procedure", lambda a: mutate(a, procedure_id="XX-999"), "invalid_field",
     "procedure_id"),
    ("procedure_number", lambda a: mutate(a, procedure_id=2), "invalid_field", "procedure_id"),
    ("unit_other_province", lambda a: mutate(a, unit="00004"), "invalid_field", "unit"),
    ("unit_unknown", lambda a: mutate(a, unit="99999"), "invalid_field", "unit"),
    ("unit_province_itself", lambda a: mutate(a, unit="25"), "invalid_field", "unit"),
    ("unit_provincial_agency_for_commune_procedure", lambda a: mutate(a, unit="SNV"),
     "invalid_field", "unit"),
    ("commune_for_provincial_procedure",
     lambda a: {**mutate(a, procedure_id="DN-001"), "components": a.components("DN-001")},
     "invalid_field", "unit"),
    ("unknown_channel", lambda a: mutate(a, channel="fax"), "invalid_field", "channel"),
    ("channel_number", lambda a: mutate(a, channel=1), "invalid_field", "channel"),
    ("unknown_top_field", lambda a: mutate(a, colour="red"), "unknown_field", "colour"),
    ("missing_procedure", lambda a: {k: v for k, v in mutate(a).items() if k != "procedure_id"},
     "missing_field", "procedure_id"),
    ("missing_unit", lambda a: {k: v for k, v in mutate(a).items() if k != "unit"},
     "missing_field", "unit"),
    ("missing_applicant", lambda a: {k: v for k, v in mutate(a).items() if k != "applicant"},
     "missing_field", "applicant"),
    ("missing_components", lambda a: {k: v for k, v in mutate(a).items() if k != "components"},
     "missing_field", "components"),
    ("null_applicant", lambda a: mutate(a, applicant=None), "missing_field", "applicant"),
    ("body_array", lambda a: [mutate(a)], "invalid_field", None),
]


@pytest.mark.parametrize("case", BAD_BODIES, ids=[c[0] for c in BAD_BODIES])
def test_bad_dossier_body(api, case):
    _id, make, code, field = case
    before = api.srv.dossier_count()
    r = api.post("reception.xuanhoa", make(api))
    err = check_error_body(r, 400, code, field)
    assert err["message_vi"] != err["message"]
    assert api.srv.dossier_count() == before, "a rejected dossier was stored"


@pytest.mark.parametrize("raw", [
    b"",
    b"{",
    b'{"procedure_id":"HT-002"',
    b"null",
    b'{"procedure_id":"HT-002","unit":"08746","applicant":{"id_number":"001200000021",'
    b'"full_name":"Nguy\xff\xfen"},"components":[]}',
    b'{"procedure_id":"HT-\xc3","unit":"08746"}',
    b'{"procedure_id":"HT-002","procedure_id":"HT-001"}',
    b'{"procedure_id":"HT-002","unit":"08746\\u0000"}',
    b'{"a":' + b"[" * 100 + b"]" * 100 + b"}",
], ids=["empty", "truncated", "unterminated", "null", "invalid_utf8_name", "invalid_utf8_id",
        "duplicate_key", "nul_in_string", "too_deep"])
def test_malformed_dossier_json(api, raw):
    before = api.srv.dossier_count()
    r = api.srv.request("POST", "/api/v1/dossiers", raw, token=api.tok["reception.xuanhoa"])
    assert r.status == 400, r
    check_error_body(r, 400)
    assert api.srv.dossier_count() == before


def test_dossier_post_needs_json(api):
    for ctype in ("text/plain", "application/x-www-form-urlencoded", None):
        r = api.srv.request("POST", "/api/v1/dossiers", json.dumps(api.body()),
                            token=api.tok[CITIZEN], content_type=ctype)
        check_error_body(r, 415, "unsupported_media_type")


FORGED_CODES = [
    "..", "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "087.46.00.H25-260424-0001' OR '1'='1",
    "087.46.00.H25-260424-0001;DROP TABLE dossiers", "' OR 1=1 --", "%", "*",
    "087.46.00.H25-260424-000%", "087.46.00.H25-260424-9999", "X" * 200,
    "087.46.00.H25-260424-" + "1" * 200, "087.46.00.H25-260424-0001\x00", "087 46",
    "087.46.00.H25-260424-0001/../0002", "%00", "%ff%fe", "087.46.00.H25-260424-０００１",
]


@pytest.mark.parametrize("code", FORGED_CODES, ids=[f"forged{i}" for i in range(len(FORGED_CODES))])
def test_forged_codes_are_404(api, code):
    enc = urllib.parse.quote(code, safe="%/'.*;=")
    tok = api.tok["admin.phutho"]
    for r in (api.srv.get(f"/api/v1/dossiers/{enc}", token=tok),
              api.srv.get(f"/api/v1/dossiers/{enc}/events", token=tok),
              api.srv.post(f"/api/v1/dossiers/{enc}/actions",
                           {"action": "receive", "version": 1},
                           token=api.tok["reception.xuanhoa"]),
              api.srv.get(f"/api/v1/public/dossiers/{enc}?id_last4=0123")):
        assert r.status < 500, (code, r)
        assert r.status in (400, 404), (code, r)
        check_error_body(r, r.status)
        if "/" not in code and "%" not in code and code.isprintable():
            # a well-formed path: only a malformed one (raw %, NUL, invalid UTF-8) may get 400
            assert r.status == 404, (code, r)


# --- the queue ----------------------------------------------------------------------------------

PAGING_PROCS = ["HT-001", "HT-002", "HT-003", "HT-015", "HT-016", "DD-004"]


def sort_key(d):
    return (d["due_at"] is None, d["due_at"] or "", d["code"])


def test_queue_paging_and_order(api):
    tag = "Phân Trang " + "".join(secrets.choice("bcdghklmnpqrstvx") for _ in range(8))
    made = []
    for i in range(12):
        pid = PAGING_PROCS[i % len(PAGING_PROCS)]
        made.append(api.counter(pid=pid, name=f"{tag} {i}", id_number=f"0012000003{i:02d}"))
    for i in range(2):  # online, not yet received: no appointment, last in the queue
        made.append(api.file(CITIZEN, pid="HT-002", name=f"{tag} online {i}"))
    expected = sorted(made, key=sort_key)
    seen, cursor, pages = [], None, 0
    while True:
        params = {"q": tag, "limit": 5}
        if cursor:
            params["cursor"] = cursor
        page = api.queue("reception.xuanhoa", **params)
        pages += 1
        assert len(page["items"]) <= 5
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert len(page["items"]) == 5
        assert pages < 10
    assert pages == 3
    codes = [d["code"] for d in seen]
    assert len(codes) == len(set(codes)) == 14, codes
    assert codes == [d["code"] for d in expected]
    assert seen == sorted(seen, key=sort_key)
    # a cursor is opaque but checked
    for bad in ("abc", "12_x", "_087.46.00.H25-260424-0001", "x_087.46.00.H25-260424-0001",
                "1" * 20 + "_087.46.00.H25-260424-0001"):
        r = api.srv.get("/api/v1/dossiers?cursor=" + q(bad), token=api.tok["reception.xuanhoa"])
        check_error_body(r, 400, "invalid_field", "cursor")


def test_queue_filters(api):
    tag = "Lọc Hồ Sơ " + "".join(secrets.choice("bcdghklmnpqrstvx") for _ in range(8))
    a = api.counter(pid="HT-001", name=f"{tag} Một", id_number="001200000401")  # due today 17:00
    b = api.counter(pid="HT-002", name=f"{tag} Hai", id_number="001200000402")  # due 6/5
    c = api.file("leader.xuanhoa", pid="HT-003", name=f"{tag} Ba", id_number="001200000403",
                 channel="postal")
    d = api.file(CITIZEN, pid="HT-002", name=f"{tag} Bốn")  # submitted, no due
    who = "reception.xuanhoa"

    def codes(**p):
        return [x["code"] for x in api.queue(who, q=tag, limit=100, **p)["items"]]

    assert codes() == [a["code"], c["code"], b["code"], d["code"]]
    assert codes(state="submitted") == [d["code"]]
    assert codes(state="received") == [a["code"], c["code"], b["code"]]
    assert codes(state="in_process") == []
    assert codes(procedure="HT-002") == [b["code"], d["code"]]
    assert codes(procedure="HT-002", state="received") == [b["code"]]
    assert codes(channel="online") == [d["code"]]
    assert codes(channel="postal") == [c["code"]]
    assert codes(channel="counter") == [a["code"], b["code"]]
    assert codes(due_within_days=1) == [a["code"]]
    assert codes(due_within_days=11) == [a["code"], c["code"]]  # 4/5
    assert codes(due_within_days=14) == [a["code"], c["code"], b["code"]]
    assert codes(overdue="true") == []
    assert codes(unit="08746") == codes()
    # the name without diacritics, in other case, or in part; the exact code
    for name_query in (tag, fold(tag), fold(tag).upper(), tag.split()[-1]):
        assert [x["code"] for x in api.queue(who, q=name_query)["items"]] == codes(), name_query
    assert [x["code"] for x in api.queue(who, q=f"{fold(tag)} bon")["items"]] == [d["code"]]
    assert [x["code"] for x in api.queue(who, q=f"{tag} Bốn")["items"]] == [d["code"]]
    assert [x["code"] for x in api.queue(who, q=b["code"])["items"]] == [b["code"]]
    assert api.queue(who, q="087.46.00.H25-260424-9999")["items"] == []
    # q matches names, not ID numbers
    assert api.queue(who, q="zzzq nobody by this name")["items"] == []
    assert api.queue(who, q="001200000401")["items"] == []
    # the leader sees the same; the neighbouring commune nothing of it
    assert [x["code"] for x in api.queue("leader.xuanhoa", q=tag)["items"]] == codes()
    assert api.queue("reception.viettri", q=tag)["items"] == []
    # after receipt the submitted one moves into the received filter, ordered by its due time
    d = api.act_ok(who, d, "receive")
    assert codes(state="submitted") == []
    assert codes(state="received") == [a["code"], c["code"], b["code"], d["code"]]


@pytest.mark.parametrize("query,field", [
    ("state=bogus", "state"), ("state=", "state"), ("channel=fax", "channel"),
    ("overdue=yes", "overdue"), ("overdue=1", "overdue"),
    ("due_within_days=abc", "due_within_days"), ("due_within_days=-1", "due_within_days"),
    ("due_within_days=1000", "due_within_days"), ("due_within_days=", "due_within_days"),
    ("unit=NOPE", "unit"), ("limit=101", "limit"), ("limit=-1", "limit"), ("limit=x", "limit"),
    ("cursor=", "cursor"), ("procedure=" + "X" * 33, "procedure"), ("q=" + "a" * 201, "q"),
    ("offset=5", "offset"), ("colour=red", "colour"),
])
def test_queue_bad_parameters(api, query, field):
    r = api.srv.get("/api/v1/dossiers?" + query, token=api.tok["reception.xuanhoa"])
    err = check_error_body(r, 400, None, field)
    assert err["code"] in {"invalid_field", "unknown_field"}, err


# --- the public lookup -------------------------------------------------------------------------

def test_public_lookup(api):
    name, phone, email = "Vũ Thị Công Khai", "0987654321", "cong.khai@example.vn"
    id_number = "001299997531"
    d = api.counter(pid="HT-002", id_number=id_number, name=name, phone=phone, email=email,
                    address="Số 1 đường Hùng Vương")
    d = api.act_ok("reception.xuanhoa", d, "assign", to_user="specialist.xuanhoa")
    r = api.public(d["code"], "7531")
    assert r.status == 200, r
    body = r.json()
    assert set(body) == {"code", "procedure_name", "state", "state_vi", "received_at", "due_at",
                         "deadline_status", "steps"}, body
    assert body["code"] == d["code"] and body["state"] == "in_process"
    assert body["due_at"] == d["due_at"] and body["received_at"] == d["received_at"]
    assert body["deadline_status"] == "in_time"
    assert [(s["action"], s["state"], s["unit"]) for s in body["steps"]] == [
        ("receive", "received", "08746"), ("assign", "in_process", "08746")]
    assert all(ISO_VN.match(s["at"]) for s in body["steps"])
    # no personal data at all, in any spelling
    text = r.text
    decoded = json.dumps(body, ensure_ascii=False)
    for secret in (name, fold(name), id_number, id_number[:8], phone, email, "Hùng Vương",
                   "specialist.xuanhoa", "Nguyễn Văn Đức"):
        assert secret not in text and secret not in decoded, secret
    assert r.header("cache-control") == "no-store"
    # wrong last 4 digits: the same 404 as an unknown code
    for last4 in ("7532", "0000", "1234"):
        check_error_body(api.public(d["code"], last4), 404, "not_found", "code")
    check_error_body(api.public("087.46.00.H25-260424-9999", "7531"), 404, "not_found", "code")
    # bad last 4
    for bad in ("753", "75311", "abcd", "", "75 1", "７５３１"):
        r = api.srv.get(f"/api/v1/public/dossiers/{d['code']}?id_last4={q(bad)}")
        check_error_body(r, 400, "invalid_field", "id_last4")
    check_error_body(api.srv.get(f"/api/v1/public/dossiers/{d['code']}"), 400,
                     "invalid_field", "id_last4")
    r = api.srv.get(f"/api/v1/public/dossiers/{d['code']}?id_last4=7531&x=1")
    check_error_body(r, 400, "unknown_field", "x")
    # a token changes nothing
    r2 = api.srv.get(f"/api/v1/public/dossiers/{d['code']}?id_last4=7531",
                     token=api.tok["admin.phutho"])
    assert r2.status == 200 and r2.json() == body
    # an online dossier before receipt: no appointment yet
    o = api.file(CITIZEN, pid="HT-002")
    body = api.public(o["code"], CITIZEN[-4:]).json()
    assert body["state"] == "submitted" and body["due_at"] is None
    assert body["received_at"] is None and [s["action"] for s in body["steps"]] == ["submit"]
    assert CITIZEN not in api.public(o["code"], CITIZEN[-4:]).text


def test_public_lookup_rate_limit(own_server):
    srv = own_server(limits={"public_lookups_per_minute_per_client": 1,
                             "public_lookups_burst_per_client": 3})
    url = "/api/v1/public/dossiers/087.46.00.H25-260424-0001?id_last4=0123"
    statuses = [srv.get(url).status for _ in range(3)]
    assert statuses == [404] * 3, statuses
    r = srv.get(url)
    check_error_body(r, 429, "too_many_requests")
    assert r.header("retry-after") and int(r.header("retry-after")) > 0
    # bad requests count too, and the limit is not shared with logged-in endpoints
    check_error_body(srv.get(url.replace("0123", "x")), 429, "too_many_requests")
    assert srv.get("/api/v1/procedures/HT-001").status == 200


# --- overdue dossiers (a second run of a server, later on the same day) ------------------------

@pytest.fixture(scope="module")
def late(server_factory):
    """A server run at 10:00 to file dossiers, then run again on the same database at 17:30 the
    same day: the HT-001 dossiers (due at 17:00) are past their appointment. Yields
    (Api on the second run, the dossiers made in the first)."""
    srv = server_factory(limits=SHARED_LIMITS, extra_args=["--now", NOW], name="late")
    try:
        a = Api(srv)
        made = {"same_day": a.counter(pid="HT-001", name="Trễ Hẹn", id_number="001200000501"),
                "later": a.counter(pid="HT-002", name="Chưa Trễ", id_number="001200000502")}
        d = a.act_ok("reception.xuanhoa", a.counter(pid="HT-001", id_number="001200000503"),
                     "assign", to_user="specialist.xuanhoa")
        made["approved"] = a.act_ok("leader.xuanhoa", d, "approve")
        d = a.act_ok("reception.xuanhoa", a.counter(pid="HT-001", id_number="001200000504"),
                     "assign", to_user="specialist.xuanhoa")
        d = a.act_ok("leader.xuanhoa", d, "approve")
        d = a.act_ok("specialist.xuanhoa", d, "issue_result",
                     result_sha256=a.sha("specialist.xuanhoa"))
        made["returned"] = a.act_ok("reception.xuanhoa", d, "return_result")
        assert made["returned"]["deadline_status"] == "on_time"
        assert made["same_day"]["due_at"] == TODAY + "T17:00:00+07:00"
        assert a.queue_codes("reception.xuanhoa", overdue="true") == []
        problems = srv.restart(["--now", TODAY + "T17:30:00+07:00"])
        assert not problems, problems
        yield Api(srv), made
    finally:
        finish(srv)


def test_overdue_after_the_appointment(late):
    a, made = late
    overdue = a.queue_codes("reception.xuanhoa", overdue="true")
    assert made["same_day"]["code"] in overdue and made["approved"]["code"] in overdue
    assert made["later"]["code"] not in overdue
    assert a.queue_codes("reception.xuanhoa", due_within_days=0) == overdue
    d = a.get_ok("reception.xuanhoa", made["same_day"]["code"])
    assert d["deadline_status"] == "overdue"
    assert a.get_ok("reception.xuanhoa", made["later"]["code"])["deadline_status"] == "in_time"
    assert a.get_ok("reception.xuanhoa", made["returned"]["code"])["deadline_status"] == "on_time"
    assert a.public(d["code"], "0501").json()["deadline_status"] == "overdue"
    # an apology comes too late after the appointment, whatever the new date
    r = a.act("leader.xuanhoa", d, "apologise", note="Xin lỗi",
              new_due="2026-04-28T17:00:00+07:00")
    check_error_body(r, 409, "conflict", "action")
    # finishing now is late
    d = a.act_ok("specialist.xuanhoa", made["approved"], "issue_result",
                 result_sha256=a.sha("specialist.xuanhoa"))
    assert d["state"] == "done" and d["deadline_status"] == "late"
    # the audit chain across both runs holds
    verify_audit(a.srv)


def test_overdue_filter_lists_only_unfinished_dossiers(late):
    a, made = late
    items = a.queue("reception.xuanhoa", overdue="true", limit=100)["items"]
    assert made["same_day"]["code"] in [d["code"] for d in items]
    assert made["returned"]["code"] not in [d["code"] for d in items]
    assert all(d["deadline_status"] == "overdue" for d in items), [
        (d["code"], d["state"], d["deadline_status"]) for d in items]


# --- the audit chain ------------------------------------------------------------------------------

def test_audit_chain_verifies(api):
    """After every write of this module: the hash chain checks out."""
    text = verify_audit(api.srv)
    m = re.search(r"audit chain ok: (\d+) entries, head ([0-9a-f]{16,64})", text)
    assert m, text
    # the chain holds exactly the events of every dossier (all in province 25) ...
    total, cursor = 0, None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = api.queue("admin.phutho", **params)
        total += sum(len(api.events("auditor.phutho", d["code"])) for d in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert total > 0
    # ... and every change of the working calendar (the bundled overrides `init` imports)
    changes = api.srv.get("/api/v1/calendar/changes", token=api.tok["auditor.phutho"])
    assert changes.status == 200, changes
    calendar = changes.json()["items"]
    assert calendar and all(c["action"] == "calendar_override_set" for c in calendar)
    total += len(calendar)
    assert int(m.group(1)) == total, (text, total)


def test_every_dossier_route_was_exercised():
    from support import EXERCISED
    routes = {
        ("POST", re.compile(r"^/api/v1/dossiers$")),
        ("GET", re.compile(r"^/api/v1/dossiers$")),
        ("GET", re.compile(r"^/api/v1/dossiers/[^/]+$")),
        ("POST", re.compile(r"^/api/v1/dossiers/[^/]+/actions$")),
        ("GET", re.compile(r"^/api/v1/dossiers/[^/]+/events$")),
        ("GET", re.compile(r"^/api/v1/public/dossiers/[^/]+$")),
    }
    for method, pattern in routes:
        hits = {status for m, path, status in EXERCISED if m == method and pattern.match(path)}
        assert any(200 <= s < 300 for s in hits), (method, pattern.pattern, hits)
        assert any(400 <= s < 500 for s in hits), (method, pattern.pattern, hits)
