"""Crash safety: `motcua` is killed with SIGKILL at random moments during concurrent intake (file
uploads and dossier filings, online and at the counter), 20 times, and restarted each time on the
same database and file store. A round kills the server only after at least one upload and one
dossier were acknowledged in it, and only after checking that the server is alive (so a crash of
its own cannot pass for the kill). After every restart:

- every dossier ever acknowledged (201) is there, as filed (procedure, unit, channel, applicant,
  components naming the same files), and its file downloads through it with the uploaded bytes;
- every upload ever acknowledged (201: the 201 comes after the blob is synced and its row
  committed) has the same bytes, byte for byte (downloaded through the dossier that names it,
  or else by its uploader);
- no code was issued twice (each acknowledged code names the dossier it was acknowledged for);
- a request that was in flight when the server died, retried with its Idempotency-Key, gives
  exactly one dossier (the one committed before the crash, or a new one), never two; and the
  database holds exactly one dossier per acknowledged request, no more;
- no file is orphaned or half-written: every blob on disk is recorded and whole, every recorded
  file is on disk, no temporary upload is left (`motcua files verify` and a walk of the store);
- the audit chain verifies (`motcua audit verify`).
A writer that meets anything but a 201 while the server is up, or a failed connection before the
kill, fails the test. Runs on SQLite and on PostgreSQL (--backend)."""

from __future__ import annotations

import http.client
import json
import queue
import random
import secrets
import signal
import subprocess
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import SHARED_LIMITS, finish
from support import sample_pdf
from test_dossiers import Api, CITIZEN, NOW, q

ROUNDS = 20
WRITERS = 8
# The server's clock is fixed (--now), so every round files into the same day of the same
# reception unit, whose daily sequence has 4 digits (domain.md §2): at most 9,999 dossiers. Past
# this many in a round a writer only uploads files (each one tracked and checked like the
# others), which keeps the server busy until the kill.
DOSSIERS_PER_WRITER_ROUND = 9999 // (ROUNDS * WRITERS) - 2
# How long a round may take to see its first acknowledgements before the test gives up.
FIRST_ACK_TIMEOUT = 60.0
# Failures of the connection itself: expected once the server is killed, and only then.
CONNECTION_ERRORS = (OSError, http.client.HTTPException)


@pytest.fixture(scope="module")
def crash_srv(server_factory):
    srv = server_factory(limits=SHARED_LIMITS, extra_args=["--now", NOW], name="crash")
    yield srv
    finish(srv)


class Writer(threading.Thread):
    """Uploads a file and files a dossier naming it, again and again, until the server is killed.
    Remembers every upload and dossier that was acknowledged, and the dossier requests that were
    in flight when the connection failed. Anything unexpected is kept in `error`."""

    def __init__(self, api: Api, who: str, index: int, round_no: int,
                 killed: threading.Event, acked_upload: threading.Event,
                 acked_dossier: threading.Event):
        super().__init__(daemon=True)
        self.api, self.who, self.index, self.round_no = api, who, index, round_no
        self.killed = killed
        self.acked_upload, self.acked_dossier = acked_upload, acked_dossier
        self.uploads: list[dict] = []  # acknowledged: {"sha", "pdf", "who"}
        self.acked: list[dict] = []  # acknowledged dossiers
        self.in_flight: list[dict] = []  # dossier requests without an answer
        self.error: str | None = None

    def run(self) -> None:
        try:
            self._run()
        except CONNECTION_ERRORS as e:
            if not self.killed.is_set():
                self.error = f"connection failed before the kill: {e!r}"
        except BaseException:  # noqa: BLE001 - reported by the test, never swallowed
            self.error = traceback.format_exc()

    def _run(self) -> None:
        n = 0
        while True:
            n += 1
            tag = f"r{self.round_no}w{self.index}n{n}"
            pdf = sample_pdf(f"crash {tag} {secrets.token_hex(8)}")
            r = self.api.srv.upload(self.api.tok[self.who], pdf)
            if r.status != 201:
                self.error = f"upload {tag}: {r.status} {r.body[:300]!r}"
                return
            sha = r.json()["sha256"]
            self.uploads.append({"sha": sha, "pdf": pdf, "who": self.who})
            self.acked_upload.set()
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
            item = {"key": key, "body": body, "sha": sha, "pdf": pdf, "who": self.who}
            self.in_flight.append(item)
            r = self.api.post(self.who, body, headers={"Idempotency-Key": key})
            self.in_flight.pop()
            if r.status != 201:
                self.error = f"dossier {tag}: {r.status} {r.body[:300]!r}"
                return
            item["code"] = r.json()["code"]
            self.acked.append(item)
            self.acked_dossier.set()


def kill(srv, killed: threading.Event) -> None:
    """SIGKILLs the server, after checking that it is alive and serving: a server that died on
    its own must not pass for one this test killed. Sets `killed` just before the signal: from
    then on, and only then, the writers' connections may fail."""
    assert srv.proc is not None and srv.proc.poll() is None, (
        f"the server died before the kill (exit {srv.proc.returncode})")
    r = srv.get("/healthz", record=False, timeout=10)
    assert r.status == 200, f"the server is not healthy before the kill: {r}"
    killed.set()
    srv.proc.send_signal(signal.SIGKILL)
    rc = srv.proc.wait(timeout=30)
    assert rc == -signal.SIGKILL, f"the server ended with {rc}, not by the SIGKILL"
    srv.proc = None


def blobs_on_disk(srv) -> tuple[set[str], list[str]]:
    root = srv.workdir / "files"
    blobs = {p.name for p in (root / "blobs").rglob("*") if p.is_file()}
    temps = [p.name for p in (root / "tmp").rglob("*") if p.is_file()]
    return blobs, temps


def run_tool(srv, *args) -> subprocess.CompletedProcess:
    return subprocess.run([srv.binary, *args, "--db", srv.db_url], capture_output=True,
                          text=True, timeout=300, cwd=srv.workdir)


class Checker:
    """GETs on a few kept-alive connections, from a pool of threads (after every restart the
    checks read back everything acknowledged so far: a connection per request would cost more
    than the reads)."""

    def __init__(self, srv, api: Api, threads: int = 8):
        self.srv, self.api, self.threads = srv, api, threads
        self.idle: queue.SimpleQueue = queue.SimpleQueue()
        self.all: list[http.client.HTTPConnection] = []
        for _ in range(threads):
            conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
            self.all.append(conn)
            self.idle.put(conn)

    def close(self) -> None:
        for conn in self.all:
            conn.close()

    def get(self, path: str, who: str) -> tuple[int, bytes]:
        conn = self.idle.get()
        try:
            conn.request("GET", path, headers={"Authorization": f"Bearer {self.api.tok[who]}"})
            resp = conn.getresponse()
            return resp.status, resp.read()
        except (OSError, http.client.HTTPException):
            conn.close()  # reconnects on its next request
            raise
        finally:
            self.idle.put(conn)

    def upload(self, up: dict) -> str | None:
        """None if the acknowledged upload downloads with its bytes; else what is wrong."""
        status, body = self.get(f"/api/v1/files/{up['sha']}", up["who"])
        if status != 200:
            return f"acknowledged upload {up['sha']} of {up['who']}: {status} {body[:200]!r}"
        if body != up["pdf"]:
            return f"acknowledged upload {up['sha']}: {len(body)} bytes differ from the upload"
        return None

    def dossier(self, code: str, item: dict) -> str | None:
        """None if the acknowledged dossier is there as filed and its file has the uploaded
        bytes; else what is wrong."""
        status, raw = self.get(f"/api/v1/dossiers/{q(code)}", "reception.xuanhoa")
        if status != 200:
            return f"acknowledged dossier {code}: {status} {raw[:200]!r}"
        d, body = json.loads(raw), item["body"]
        got = (d["code"], d["procedure_id"], d["receiving_unit"], d["channel"],
               d["applicant"]["id_number"], d["applicant"]["full_name"],
               [(c["component_id"], c["source"], c["file_sha256"], c["file_name"])
                for c in d["components"]])
        want = (code, body["procedure_id"], body["unit"], body.get("channel", "online"),
                body["applicant"]["id_number"], body["applicant"]["full_name"],
                [(c["component_id"], c["source"], c["file_sha256"], c["file_name"])
                 for c in body["components"]])
        if got != want:
            return f"acknowledged dossier {code} changed: {got} != {want}"
        status, pdf = self.get(f"/api/v1/dossiers/{q(code)}/files/{item['sha']}",
                               "reception.xuanhoa")
        if status != 200 or pdf != item["pdf"]:
            return f"file {item['sha']} of dossier {code}: {status}, {len(pdf)} bytes"
        return None

    def everything(self, uploads: list[dict], dossiers: dict[str, dict]) -> None:
        """Every acknowledged dossier as filed, with its file's bytes downloaded through it;
        every other acknowledged upload downloaded by its uploader. So every acknowledged
        upload's bytes are compared too (each upload that a dossier names, through that
        dossier)."""
        named = {item["sha"] for item in dossiers.values()}
        with ThreadPoolExecutor(max_workers=self.threads) as pool:
            problems = [p for p in pool.map(lambda kv: self.dossier(*kv), dossiers.items())
                        if p]
            problems += [p for p in pool.map(self.upload,
                                             [u for u in uploads if u["sha"] not in named]) if p]
        assert not problems, f"{len(problems)} problems, the first: {problems[:5]}"


def dossier_count(srv) -> int:
    return int(srv._sql("SELECT count(*) FROM dossiers")[0][0])


def test_sigkill_during_concurrent_intake_loses_nothing(crash_srv):
    srv = crash_srv
    rng = random.Random(20261201)
    all_acked: dict[str, dict] = {}  # code -> the request acknowledged with it
    all_uploads: list[dict] = []
    writers_of = ["reception.xuanhoa", CITIZEN] * (WRITERS // 2)
    for round_no in range(ROUNDS):
        api = Api(srv)
        for who in set(writers_of):  # the standing files and the procedure, before the load
            api.components("HT-002", who)
        killed, acked_upload, acked_dossier = (threading.Event(), threading.Event(),
                                               threading.Event())
        writers = [Writer(api, who, i, round_no, killed, acked_upload, acked_dossier)
                   for i, who in enumerate(writers_of)]
        for w in writers:
            w.start()
        # at least one upload and one dossier are acknowledged before the kill, then the kill
        # lands at a random moment of the load
        deadline = time.monotonic() + FIRST_ACK_TIMEOUT
        while not (acked_upload.is_set() and acked_dossier.is_set()):
            errors = [w.error for w in writers if w.error]
            assert not errors, f"round {round_no}: a writer failed: {errors[0]}"
            assert time.monotonic() < deadline, f"round {round_no}: nothing acknowledged"
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 1.3))
        errors = [w.error for w in writers if w.error]
        assert not errors, f"round {round_no}: a writer failed before the kill: {errors[0]}"
        kill(srv, killed)
        for w in writers:
            w.join(timeout=60)
            assert not w.is_alive(), "a writer hung after the kill"
        errors = [w.error for w in writers if w.error]
        assert not errors, f"round {round_no}: a writer failed: {errors[0]}"
        round_uploads = sum(len(w.uploads) for w in writers)
        round_dossiers = sum(len(w.acked) for w in writers)
        assert round_uploads >= 1 and round_dossiers >= 1, (round_uploads, round_dossiers)
        srv.start()
        api = Api(srv)

        # no code names two acknowledged dossiers
        for w in writers:
            all_uploads += w.uploads
            for item in w.acked:
                code = item["code"]
                assert code not in all_acked, f"code {code} acknowledged twice"
                all_acked[code] = item

        # every upload and every dossier acknowledged in any round so far is there, whole
        checker = Checker(srv, api)
        checker.everything(all_uploads, all_acked)

        # requests in flight at the kill (their upload was acknowledged, and checked above),
        # retried with their key, make exactly one dossier
        for w in writers:
            for item in w.in_flight:
                r = api.post(item["who"], item["body"], headers={"Idempotency-Key": item["key"]})
                assert r.status == 201, r
                code = r.json()["code"]
                assert code not in all_acked, f"retry of {item['key']} answered {code}, " \
                    f"acknowledged before for {all_acked.get(code, {}).get('key')}"
                item["code"] = code
                all_acked[code] = item
                assert checker.dossier(code, item) is None
                again = api.post(item["who"], item["body"],
                                 headers={"Idempotency-Key": item["key"]})
                assert again.status == 201 and again.json()["code"] == code, again
                assert again.header("idempotent-replayed") == "true"
        checker.close()
        # exactly one dossier per acknowledged request, nothing else
        assert dossier_count(srv) == len(all_acked), (round_no, dossier_count(srv),
                                                      len(all_acked))

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
    assert len(all_acked) >= ROUNDS and len(all_uploads) >= 2 * ROUNDS, (len(all_acked),
                                                                          len(all_uploads))
    assert dossier_count(srv) == len(all_acked)
