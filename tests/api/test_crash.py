"""Crash safety: `motcua` is killed with SIGKILL at random moments during concurrent intake (file
uploads and dossier filings, online and at the counter), 20 times, and restarted each time on the
same database and file store. After every restart:

- every dossier whose creation was acknowledged (201) is there, intact (same applicant, same
  components naming the same files), and its files download with the same bytes;
- no code was issued twice (each acknowledged code names the dossier it was acknowledged for);
- a request that was in flight when the server died, retried with its Idempotency-Key, gives
  exactly one dossier (the one committed before the crash, or a new one), never two;
- no file is orphaned or half-written: every blob on disk is recorded and whole, every recorded
  file is on disk, no temporary upload is left (`motcua files verify` and a walk of the store);
- the audit chain verifies (`motcua audit verify`).
Runs on SQLite and on PostgreSQL (--backend)."""

from __future__ import annotations

import hashlib
import random
import secrets
import subprocess
import threading
import time

import pytest

from conftest import SHARED_LIMITS, finish
from support import sample_pdf
from test_dossiers import Api, CITIZEN, NOW

ROUNDS = 20
WRITERS = 8
# The server's clock is fixed (--now), so every round files into the same day of the same
# reception unit, whose daily sequence has 4 digits (domain.md §2): at most 9,999 dossiers. Past
# this many in a round a writer only uploads files, which keeps the server busy until the kill.
DOSSIERS_PER_WRITER_ROUND = 9999 // (ROUNDS * WRITERS) - 2


@pytest.fixture(scope="module")
def crash_srv(server_factory):
    srv = server_factory(limits=SHARED_LIMITS, extra_args=["--now", NOW], name="crash")
    yield srv
    finish(srv)


class Writer(threading.Thread):
    """Files dossiers until the server dies; remembers what was acknowledged and what was in
    flight."""

    def __init__(self, api: Api, who: str, index: int, round_no: int):
        super().__init__(daemon=True)
        self.api, self.who, self.index, self.round_no = api, who, index, round_no
        self.acked: list[dict] = []
        self.in_flight: list[dict] = []
        self.stop = False

    def run(self) -> None:
        n = 0
        while not self.stop:
            n += 1
            tag = f"r{self.round_no}w{self.index}n{n}"
            pdf = sample_pdf(f"crash {tag} {secrets.token_hex(8)}")
            try:
                sha = self.api.srv.upload_ok(self.api.tok[self.who], pdf)
            except Exception:  # noqa: BLE001 - the server was killed mid-upload
                return
            if n > DOSSIERS_PER_WRITER_ROUND:
                continue
            counter = self.who != CITIZEN
            id_number = f"0012{self.round_no:02d}{self.index:02d}{n:04d}"[:12] if counter \
                else CITIZEN
            name = f"Khách Hàng {tag}"
            comps = [{**c, "file_sha256": sha} for c in self.api.components("HT-002", self.who)]
            body = self.api.body(pid="HT-002", id_number=id_number, name=name, components=comps,
                                 who=self.who, **({"channel": "counter"} if counter else {}))
            key = f"crash-{tag}-{secrets.token_hex(4)}"
            item = {"key": key, "body": body, "name": name, "sha": sha, "pdf": pdf,
                    "who": self.who}
            self.in_flight.append(item)
            try:
                r = self.api.post(self.who, body, headers={"Idempotency-Key": key})
            except Exception:  # noqa: BLE001
                return
            self.in_flight.pop()
            if r.status != 201:
                if r.status >= 500 or r.status == 409:
                    item["unexpected"] = f"{r.status} {r.text[:200]}"
                    self.acked.append(item)
                return
            item["code"] = r.json()["code"]
            self.acked.append(item)


def kill(srv) -> None:
    srv.proc.kill()
    srv.proc.wait(timeout=30)
    srv.proc = None


def blobs_on_disk(srv) -> tuple[set[str], list[str]]:
    root = srv.workdir / "files"
    blobs = {p.name for p in (root / "blobs").rglob("*") if p.is_file()}
    temps = [p.name for p in (root / "tmp").rglob("*") if p.is_file()]
    return blobs, temps


def run_tool(srv, *args) -> subprocess.CompletedProcess:
    return subprocess.run([srv.binary, *args, "--db", srv.db_url], capture_output=True,
                          text=True, timeout=300, cwd=srv.workdir)


def test_sigkill_during_concurrent_intake_loses_nothing(crash_srv):
    srv = crash_srv
    rng = random.Random(20261201)
    all_acked: dict[str, dict] = {}
    writers_of = ["reception.xuanhoa", CITIZEN] * (WRITERS // 2)
    for round_no in range(ROUNDS):
        api = Api(srv)
        for who in set(writers_of):  # upload each writer's standing files before the load
            api.sha(who)
        writers = [Writer(api, who, i, round_no) for i, who in enumerate(writers_of)]
        for w in writers:
            w.start()
        time.sleep(rng.uniform(0.2, 1.5))
        kill(srv)
        for w in writers:
            w.stop = True
            w.join(timeout=60)
            assert not w.is_alive(), "a writer hung after the kill"
        srv.start()
        api = Api(srv)

        # every acknowledged dossier is there and intact; no code names two dossiers
        for w in writers:
            for item in w.acked:
                assert "unexpected" not in item, item["unexpected"]
                code = item["code"]
                assert code not in all_acked, f"code {code} acknowledged twice"
                all_acked[code] = item
        for code, item in all_acked.items():
            d = api.get_ok("reception.xuanhoa", code)
            assert d["applicant"]["full_name"] == item["name"], (code, d)
            assert {c["file_sha256"] for c in d["components"]} == {item["sha"]}, d
        for item in list(all_acked.values())[-5:]:
            r = srv.get(f"/api/v1/dossiers/{item['code']}/files/{item['sha']}",
                        token=api.tok["reception.xuanhoa"])
            assert r.status == 200 and r.body == item["pdf"], r

        # requests in flight at the kill, retried with their key, make exactly one dossier
        for w in writers:
            for item in w.in_flight:
                if not srv.get(f"/api/v1/files/{item['sha']}",
                               token=api.tok[item["who"]]).status == 200:
                    continue  # its upload itself was never acknowledged
                r = api.post(item["who"], item["body"], headers={"Idempotency-Key": item["key"]})
                assert r.status == 201, r
                code = r.json()["code"]
                assert code not in all_acked or all_acked[code]["key"] == item["key"], code
                item["code"] = code
                all_acked[code] = item
                again = api.post(item["who"], item["body"],
                                 headers={"Idempotency-Key": item["key"]})
                assert again.status == 201 and again.json()["code"] == code
                assert again.header("idempotent-replayed") == "true"

        # files: nothing orphaned, nothing half-written, nothing left over
        recorded = {row[0] for row in srv._sql("SELECT sha256 FROM files")}
        blobs, temps = blobs_on_disk(srv)
        assert temps == [], f"round {round_no}: temporary uploads left: {temps}"
        assert blobs == recorded, (f"round {round_no}: orphaned {blobs - recorded}, "
                                   f"missing {recorded - blobs}")
        out = run_tool(srv, "files", "verify", "--files", str(srv.workdir / "files"))
        assert out.returncode == 0, (out.stdout, out.stderr[-2000:])
        out = run_tool(srv, "audit", "verify")
        assert out.returncode == 0 and "audit chain ok" in out.stdout, (out.stdout,
                                                                       out.stderr[-2000:])
        assert "references ok" in out.stdout, out.stdout
    # the load was real: dossiers were acknowledged across the rounds
    assert len(all_acked) >= ROUNDS, len(all_acked)
    count = int(srv._sql("SELECT count(*) FROM dossiers")[0][0])
    assert count >= len(all_acked)
