"""The audit trail's hash chain, checked from outside the product.

Every stored entry's hash is recomputed here from the documented serialisation (each field as
"<byte length>:<bytes>": prev_hash, seq, dossier_code, at, actor_user_id, actor_role,
actor_unit, action, state_before, state_after, note; SHA-256 in hex) with Python's hashlib,
independently of motcua's code. Then the stored trail is tampered with behind the server's back,
one way at a time: any column of an entry edited (the actor, the states, the time, the dossier
code, the action, the note, its hashes), an entry edited and its hash recomputed, an entry
deleted from the middle or the end, an entry appended with a correctly computed hash, the head
moved. `motcua audit verify` must report each (exit 1, "audit chain BROKEN at entry N", the
first bad entry). Each case starts from the intact trail and puts it back. (What a hash chain
cannot catch, by design: a rewrite of an entry and of everything after it, head included.)
Runs on SQLite and on PostgreSQL (--backend)."""

from __future__ import annotations

import hashlib

import pytest

from conftest import SHARED_LIMITS
from test_dossiers import CITIZEN, Api

COLUMNS = ("seq", "dossier_code", "at", "actor_user_id", "actor_role", "actor_unit", "action",
           "state_before", "state_after", "note", "prev_hash", "hash")
INTEGER_COLUMNS = {"seq", "at", "actor_user_id"}
NOTE = "Thiếu bản sao giấy chứng sinh; bổ sung trước 15:00"


def audit_hash(e: dict, prev_hash: str) -> str:
    """The chain's hash of entry `e` after `prev_hash`, from the documented serialisation."""
    out = b""
    for v in (prev_hash, e["seq"], e["dossier_code"], e["at"], e["actor_user_id"],
              e["actor_role"], e["actor_unit"], e["action"], e["state_before"],
              e["state_after"], e["note"]):
        data = str(v).encode("utf-8")
        out += str(len(data)).encode() + b":" + data
    return hashlib.sha256(out).hexdigest()


def lit(v) -> str:
    return str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'"


class Trail:
    def __init__(self, srv):
        self.srv = srv
        rows = srv._sql(f"SELECT {', '.join(COLUMNS)} FROM audit_events ORDER BY seq")
        self.entries = [{c: int(v) if c in INTEGER_COLUMNS else v for c, v in zip(COLUMNS, row)}
                        for row in rows]
        seq, head = srv._sql("SELECT seq, hash FROM audit_head WHERE id = 1")[0]
        self.head = (int(seq), head)
        # `motcua init` audits the bundled calendar overrides first; the dossiers' entries
        # follow: entry k of this module's dossiers is seq base + k
        self.base = sum(1 for e in self.entries if e["dossier_code"].startswith("calendar:"))
        assert all(e["dossier_code"].startswith("calendar:") for e in self.entries[:self.base])

    def seq(self, k: int) -> int:
        return self.base + k

    def entry(self, k: int) -> dict:
        return self.entries[self.base + k - 1]

    def restore(self) -> None:
        values = ", ".join("(" + ", ".join(lit(e[c]) for c in COLUMNS) + ")"
                           for e in self.entries)
        self.srv.execute(f"DELETE FROM audit_events; "
                         f"INSERT INTO audit_events ({', '.join(COLUMNS)}) VALUES {values}; "
                         f"UPDATE audit_head SET seq = {self.head[0]}, hash = {lit(self.head[1])}"
                         f" WHERE id = 1")

    def verify(self):
        return self.srv.cli("audit", "verify")


@pytest.fixture(scope="module")
def trail(server_factory):
    srv = server_factory(limits=SHARED_LIMITS, name="audit")
    api = Api(srv)
    d1 = api.file(CITIZEN)                                                # 1 submit
    d1 = api.act_ok("reception.xuanhoa", d1, "receive")                   # 2 receive
    api.act_ok("reception.xuanhoa", d1, "request_supplement", note=NOTE)  # 3 request_supplement
    d2 = api.counter(id_number="001200000501")                            # 4 receive
    api.act_ok("reception.xuanhoa", d2, "assign", to_user="specialist.xuanhoa")  # 5 assign
    api.file(CITIZEN)                                                     # 6 submit
    problems = srv.stop(keep_db=True)
    assert not problems, problems
    srv.proc = None
    t = Trail(srv)
    assert [e["action"] for e in t.entries[t.base:]] == [
        "submit", "receive", "request_supplement", "receive", "assign", "submit"], t.entries
    yield t
    problems = srv.stop()  # drops the PostgreSQL database
    assert not problems, problems


def test_every_hash_recomputes_independently(trail):
    prev = ""
    for i, e in enumerate(trail.entries):
        assert e["seq"] == i + 1 and e["prev_hash"] == prev, e
        assert audit_hash(e, prev) == e["hash"], e
        prev = e["hash"]
    assert trail.head == (len(trail.entries), prev)
    assert trail.entry(3)["note"] == NOTE and trail.entry(3)["actor_role"] == "reception"
    out = trail.verify()
    assert out.returncode == 0 and f"audit chain ok: {len(trail.entries)} entries" in out.stdout, \
        (out.stdout, out.stderr[-2000:])


def forged_append(t: Trail) -> str:
    """An entry appended after the last with a correctly computed hash; the head left alone."""
    last = t.entries[-1]
    e = {**last, "seq": last["seq"] + 1, "action": "refuse", "state_before": "submitted",
         "state_after": "refused", "note": "giả mạo", "prev_hash": last["hash"]}
    e["hash"] = audit_hash(e, last["hash"])
    return (f"INSERT INTO audit_events ({', '.join(COLUMNS)}) VALUES "
            f"({', '.join(lit(e[c]) for c in COLUMNS)})")


def rehashed_edit(t: Trail) -> str:
    """Entry 3's note edited and its hash recomputed: the next entry no longer chains to it."""
    e = {**t.entry(3), "note": "Không thiếu gì"}
    return (f"UPDATE audit_events SET note = {lit(e['note'])}, "
            f"hash = {lit(audit_hash(e, e['prev_hash']))} WHERE seq = {t.seq(3)}")


# name -> (SQL, or a function of the trail giving it; the entry verify reports as broken; what it
# says). "{sN}" stands for the seq of the module's N-th entry (after the calendar's); the chain's
# very first entry is seq 1.
CASES = {
    "edit_note": ("UPDATE audit_events SET note = 'Đủ hồ sơ' WHERE seq = {s3}", "{s3}", "altered"),
    "edit_actor_user_id": ("UPDATE audit_events SET actor_user_id = actor_user_id + 1 "
                           "WHERE seq = {s3}", "{s3}", "altered"),
    "edit_actor_role": ("UPDATE audit_events SET actor_role = 'leader' WHERE seq = {s3}", "{s3}",
                        "altered"),
    "edit_actor_unit": ("UPDATE audit_events SET actor_unit = '07900' WHERE seq = {s3}", "{s3}",
                        "altered"),
    "edit_action": ("UPDATE audit_events SET action = 'refuse' WHERE seq = {s3}", "{s3}",
                    "altered"),
    "edit_state_before": ("UPDATE audit_events SET state_before = 'submitted' WHERE seq = {s3}",
                          "{s3}", "altered"),
    "edit_state_after": ("UPDATE audit_events SET state_after = 'refused' WHERE seq = {s3}",
                         "{s3}", "altered"),
    "edit_at": ("UPDATE audit_events SET at = at + 1000000 WHERE seq = {s3}", "{s3}", "altered"),
    "edit_dossier_code": (lambda t: f"UPDATE audit_events SET dossier_code = "
                          f"{lit(t.entry(4)['dossier_code'])} WHERE seq = {t.seq(3)}", "{s3}",
                          "altered"),
    "edit_prev_hash": (lambda t: f"UPDATE audit_events SET prev_hash = "
                       f"{lit(t.entry(1)['hash'])} WHERE seq = {t.seq(3)}", "{s3}",
                       "does not chain"),
    "edit_hash": ("UPDATE audit_events SET hash = prev_hash WHERE seq = {s3}", "{s3}", "altered"),
    "edit_and_recompute_hash": (rehashed_edit, "{s4}", "does not chain"),
    # a gap is reported at the first entry found out of place, naming the missing one
    "delete_middle": ("DELETE FROM audit_events WHERE seq = {s3}", "{s4}", "entry {s3} is missing"),
    "delete_first": ("DELETE FROM audit_events WHERE seq = 1", "2", "entry 1 is missing"),
    "delete_last": ("DELETE FROM audit_events WHERE seq = {s6}", "{s6}", "deleted"),
    "insert_forged_with_valid_hash": (forged_append, "{s8}",
                                      "the chain ends at {s7} but the head says {s6}"),
    "head_moved_back": ("UPDATE audit_head SET seq = {s5} WHERE id = 1", "{s7}",
                        "the chain ends at {s6} but the head says {s5}"),
    "head_hash_changed": (f"UPDATE audit_head SET hash = '{'0' * 64}' WHERE id = 1", "{s7}",
                          "the head was changed"),
    "edit_first_entry_actor_role": ("UPDATE audit_events SET actor_role = 'reception' "
                                    "WHERE seq = 1", "1", "altered"),
}


def placed(t: Trail, text: str) -> str:
    """`text` with each {sN} replaced by the seq of the module's N-th entry."""
    return text.format(**{f"s{k}": t.seq(k) for k in range(1, 9)})


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_tampering_is_reported(trail, case):
    sql, bad_seq, problem = CASES[case]
    sql = sql(trail) if callable(sql) else placed(trail, sql)
    bad_seq, problem = placed(trail, bad_seq), placed(trail, problem)
    try:
        trail.srv.execute(sql)
        out = trail.verify()
        assert out.returncode == 1, (out.returncode, out.stdout, out.stderr[-2000:])
        assert f"audit chain BROKEN at entry {bad_seq}: " in out.stdout, out.stdout
        assert problem in out.stdout, out.stdout
        assert "audit chain ok" not in out.stdout
    finally:
        trail.restore()
    out = trail.verify()
    assert out.returncode == 0 and "audit chain ok" in out.stdout, (out.stdout, out.stderr)
