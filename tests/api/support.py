"""Helpers shared by the API tests: starting and stopping a motcua server, an HTTP client that
records what it exercised, raw-socket requests, and assertions on the error contract.

Only the Python standard library is used (plus pytest in the test modules)."""

from __future__ import annotations

import http.client
import json
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.parse
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PSQL = "/usr/bin/psql"
DEMO_PASSWORD = "motcua-demo"

# The demo accounts the `demo` command creates: username -> (role, unit code or None).
DEMO_ACCOUNTS = {
    "admin.phutho": ("admin", "25"),
    "auditor.phutho": ("auditor", "25"),
    "leader.xuanhoa": ("leader", "08746"),
    "specialist.xuanhoa": ("specialist", "08746"),
    "reception.xuanhoa": ("reception", "08746"),
    "reception.viettri": ("reception", "07900"),
    "leader.snv": ("leader", "SNV"),
    "025095000123": ("citizen", None),
}

# Every (method, path) a request of this test run reached, with its status; checked against the
# OpenAPI document by test_system.py at the end of the run.
EXERCISED: list[tuple[str, str, int]] = []

# Responses produced by the HTTP layer before routing; they are not per-route documented.
TRANSPORT_STATUSES = {408, 413, 431}

SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer",
                     "runtime error:")


def sample_pdf(text: str = "motcua") -> bytes:
    """A small, valid one-page PDF (header, objects, a Flate content stream, %%EOF) whose bytes
    differ with `text`: what a scanned component stands in for in tests."""
    import zlib
    content = zlib.compress(f"BT /F1 12 Tf 72 712 Td ({text}) Tj ET".encode())
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
            b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 420 595] /Contents 4 0 R >> "
            b"endobj\n4 0 obj << /Length " + str(len(content)).encode() +
            b" /Filter /FlateDecode >>\nstream\n" + content +
            b"\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def unique(prefix: str) -> str:
    """A fresh officer username (a-z, 0-9, '.', '_', '-')."""
    return f"{prefix}.{secrets.token_hex(4)}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as e:
        return f"<cannot read {path}: {e}>"
    return "\n".join(text.splitlines()[-lines:])


class Response:
    def __init__(self, status: int, reason: str, headers: list[tuple[str, str]], body: bytes,
                 version: str = "HTTP/1.1"):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.version = version

    def header(self, name: str) -> str | None:
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    def header_all(self, name: str) -> list[str]:
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.body[:300]!r}>"


def parse_raw_response(data: bytes) -> Response:
    """Parses one HTTP/1.x response (with Content-Length) from raw bytes."""
    head, sep, rest = data.partition(b"\r\n\r\n")
    assert sep, f"no complete response head in {data[:300]!r}"
    lines = head.decode("latin-1").split("\r\n")
    version, status, *reason = lines[0].split(" ", 2)
    headers = []
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers.append((k.strip(), v.strip()))
    r = Response(int(status), reason[0] if reason else "", headers, b"", version)
    length = r.header("content-length")
    r.body = rest[: int(length)] if length is not None else rest
    return r


def raw_exchange(port: int, data: bytes, timeout: float = 10.0, shut_write: bool = False,
                 until_close: bool = False) -> tuple[bytes, float]:
    """Sends raw bytes and reads until one whole response has arrived (or, with until_close,
    until the server closes), or `timeout`. Returns (bytes, seconds)."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        if shut_write:
            s.shutdown(socket.SHUT_WR)
        out = b""
        deadline = start + timeout
        while time.monotonic() < deadline:
            s.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                break
            if not chunk:
                break
            out += chunk
            if not until_close and response_complete(out):
                break
    return out, time.monotonic() - start


def response_complete(data: bytes) -> bool:
    """True once `data` holds a whole response with a Content-Length."""
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    m = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
    return m is not None and len(rest) >= int(m.group(1))


def route_of(path: str) -> str:
    return urllib.parse.urlsplit(path).path


ERROR_FIELDS = {"code", "message", "message_vi", "field"}


def check_error_body(r: Response, status: int, code: str | None = None, field=...,
                     with_request_id: bool = True) -> dict:
    """Asserts the error contract: status, application/json, the 4 fields, and optionally the
    code and field. Returns the inner error object."""
    assert r.status == status, f"expected {status}, got {r.status}: {r.body[:400]!r}"
    ctype = r.header("content-type") or ""
    assert ctype.startswith("application/json"), f"error Content-Type is {ctype!r}"
    body = r.json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    err = body["error"]
    assert ERROR_FIELDS <= set(err), f"error object lacks {ERROR_FIELDS - set(err)}: {err}"
    assert isinstance(err["code"], str) and err["code"], err
    assert isinstance(err["message"], str) and err["message"], err
    assert isinstance(err["message_vi"], str) and err["message_vi"], err
    assert err["field"] is None or isinstance(err["field"], str), err
    if code is not None:
        assert err["code"] == code, f"expected code {code!r}, got {err}"
    if field is not ...:
        assert err["field"] == field, f"expected field {field!r}, got {err}"
    if with_request_id:
        assert isinstance(err.get("request_id"), str) and err["request_id"], err
        assert err["request_id"] == r.header("x-request-id"), (err, r.headers)
    return err


# Every test server files and uploads far more from one account and from 127.0.0.1 than a person
# would; the quotas (Limits filings_*, uploads_*) get room here, and the abuse tests, which check
# them, set their own.
ROOMY_QUOTAS = {name: 1_000_000 for name in (
    "filings_per_hour_per_citizen", "filings_burst_per_citizen",
    "filings_per_hour_per_officer", "filings_burst_per_officer",
    "filings_per_hour_per_client", "filings_burst_per_client",
    "uploads_per_hour_per_account", "uploads_burst_per_account",
    "uploads_per_hour_per_client", "uploads_burst_per_client",
    "public_wrong_guesses_per_hour_per_dossier", "public_wrong_guesses_burst_per_dossier")}


class Server:
    """One `motcua` process on a fresh database. With mode "demo" (the default) it is started as
    `motcua demo` (demo accounts, no generated history unless asked); with mode "serve" as in
    production: `motcua init`, `motcua user add` for each of `accounts` (username -> (role,
    unit), password DEMO_PASSWORD), then `motcua serve`."""

    def __init__(self, binary: str, backend: str, workdir: Path, limits: dict | None = None,
                 extra_args: list[str] | None = None, pg_admin_url: str | None = None,
                 mode: str = "demo", accounts: dict | None = None):
        assert mode in ("demo", "serve"), mode
        self.binary = binary
        self.backend = backend
        self.mode = mode
        self.accounts = dict(accounts or {})
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.limits = {**ROOMY_QUOTAS, **(limits or {})}
        self.extra_args = list(extra_args or [])
        self.pg_admin_url = pg_admin_url
        self.pg_db: str | None = None
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.stdout_path = self.workdir / "stdout.log"
        self.stderr_path = self.workdir / "stderr.log"
        self.sqlite_path = self.workdir / "t.db"
        self.db_url = ""

    # --- lifecycle -------------------------------------------------------------------------

    def _psql(self, sql: str, url: str | None = None) -> str:
        out = subprocess.run([PSQL, url or self.pg_admin_url, "-v", "ON_ERROR_STOP=1", "-At",
                              "-c", sql], capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise RuntimeError(f"psql {sql!r} failed: {out.stderr}")
        return out.stdout

    def _create_db(self) -> None:
        if self.backend == "sqlite":
            self.db_url = f"sqlite:{self.sqlite_path}"
            return
        self.pg_db = "motcua_api_" + secrets.token_hex(6)
        self._psql(f"CREATE DATABASE {self.pg_db}")
        parts = urllib.parse.urlsplit(self.pg_admin_url)
        self.db_url = urllib.parse.urlunsplit(parts._replace(path="/" + self.pg_db))

    def command(self) -> list[str]:
        if self.mode == "serve":  # production: no demo accounts, no test-only flags
            cmd = [self.binary, "serve", "--db", self.db_url, "--listen",
                   f"127.0.0.1:{self.port}", "--files", str(self.workdir / "files")]
            for k, v in self.limits.items():
                cmd += ["--limit", f"{k}={v}"]
            return cmd + self.extra_args
        cmd = [self.binary, "demo", "--db", self.db_url, "--listen", f"127.0.0.1:{self.port}",
               "--argon2-ops", "1", "--argon2-mem-kib", "8192",
               "--files", str(self.workdir / "files")]
        for k, v in self.limits.items():
            cmd += ["--limit", f"{k}={v}"]
        if "--dossiers" not in self.extra_args:
            cmd += ["--dossiers", "0"]  # no generated history unless a test asks for one
        return cmd + self.extra_args

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        """Runs `motcua <args> --db <this server's database>` (e.g. "user", "add", ...)."""
        return subprocess.run([self.binary, *args, "--db", self.db_url], capture_output=True,
                              text=True, timeout=timeout, cwd=self.workdir)

    def add_user(self, username: str, role: str, unit: str | None = None,
                 password: str = DEMO_PASSWORD, full_name: str | None = None) -> None:
        """Creates an account with `motcua user add` on this server's database, as an operator
        would (the running server sees it at once: accounts are read from the database)."""
        args = ["user", "add", "--username", username, "--password", password, "--role", role]
        if unit is not None:
            args += ["--unit", unit]
        if full_name is not None:
            args += ["--full-name", full_name]
        out = self.cli(*args)
        assert out.returncode == 0 and f"created user {username}" in out.stdout, (
            out.returncode, out.stdout, out.stderr[-2000:])

    def _provision(self) -> None:
        """`motcua init`, then the accounts: what an operator does before the first `serve`."""
        out = self.cli("init")
        assert out.returncode == 0, (out.returncode, out.stdout, out.stderr[-2000:])
        for username, (role, unit) in self.accounts.items():
            self.add_user(username, role, unit)

    def start(self, timeout: float = 60.0) -> "Server":
        if not self.db_url:  # a restart keeps the database it already has
            self._create_db()
            if self.mode == "serve":
                self._provision()
        for attempt in range(3):
            self.port = free_port()
            with open(self.stdout_path, "ab") as out, open(self.stderr_path, "ab") as err:
                self.proc = subprocess.Popen(self.command(), stdout=out, stderr=err,
                                             stdin=subprocess.DEVNULL, cwd=self.workdir)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    r = self.request("GET", "/healthz", record=False, timeout=2)
                    if r.status == 200:
                        return self
                except OSError:
                    pass
                time.sleep(0.1)
            if self.proc.poll() is not None and "Cannot listen" in tail(self.stderr_path, 5) \
                    and attempt < 2:
                continue  # the port was taken between picking and binding it: try another
            self._kill()
            raise RuntimeError(
                f"motcua did not become healthy (exit {self.proc.returncode})\n"
                f"command: {' '.join(self.command())}\n--- stdout ---\n"
                f"{tail(self.stdout_path)}\n--- stderr ---\n{tail(self.stderr_path)}")
        raise AssertionError("unreachable")

    def restart(self, extra_args: list[str] | None = None) -> list[str]:
        """Stops the server and starts it again on the same database, e.g. with a later --now
        in `extra_args` (None keeps the arguments). Returns the problems of the stopped run."""
        problems = self.stop(keep_db=True)
        if extra_args is not None:
            self.extra_args = list(extra_args)
        self.proc = None
        self.start()
        return problems

    def _kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, keep_db: bool = False) -> list[str]:
        """Stops the server; returns the problems found (crash, sanitizer report). With keep_db
        the database stays (for `restart`)."""
        problems = []
        if self.proc is not None:
            if self.proc.poll() is not None:
                problems.append(f"server exited on its own before teardown with status "
                                f"{self.proc.returncode}")
            else:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    rc = self.proc.wait(timeout=30)
                    if rc != 0:
                        problems.append(f"server exited with status {rc} after SIGTERM")
                except subprocess.TimeoutExpired:
                    self._kill()
                    problems.append("server did not stop within 30 s of SIGTERM")
        try:
            log = self.stderr_path.read_text(errors="replace")
        except OSError:
            log = ""
        for marker in SANITIZER_MARKERS:
            if marker in log:
                problems.append(f"stderr contains {marker!r}")
        if self.pg_db and not keep_db:
            try:
                self._psql(f"DROP DATABASE IF EXISTS {self.pg_db} WITH (FORCE)")
            except Exception as e:  # noqa: BLE001 - reported, not fatal for the test
                problems.append(f"could not drop database {self.pg_db}: {e}")
            self.pg_db = None
        if problems:
            problems.append("--- stdout tail ---\n" + tail(self.stdout_path) +
                            "\n--- stderr tail ---\n" + tail(self.stderr_path, 60))
        return problems

    # --- HTTP ------------------------------------------------------------------------------

    def request(self, method: str, path: str, body: bytes | str | None = None, *,
                json_body=None, headers: dict | None = None, token: str | None = None,
                cookie: str | None = None, csrf: str | None = None, content_type=...,
                record: bool = True, timeout: float = 30, source: str | None = None) -> Response:
        """One request on a new connection; `source` picks the client's loopback address (e.g.
        127.0.0.2: another client, as the server sees it)."""
        hdrs = {}
        if json_body is not None:
            body = json.dumps(json_body).encode()
        if isinstance(body, str):
            body = body.encode()
        if content_type is ...:
            content_type = "application/json" if body is not None else None
        if content_type is not None:
            hdrs["Content-Type"] = content_type
        if token is not None:
            hdrs["Authorization"] = f"Bearer {token}"
        if cookie is not None:
            hdrs["Cookie"] = cookie
        if csrf is not None:
            hdrs["X-CSRF-Token"] = csrf
        hdrs.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                          source_address=(source, 0) if source else None)
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            r = Response(resp.status, resp.reason, resp.getheaders(), data)
        finally:
            conn.close()
        if record:
            EXERCISED.append((method, route_of(path), r.status))
        return r

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, json_body=None, **kw) -> Response:
        return self.request("POST", path, json_body=json_body, **kw)

    def raw(self, data: bytes, timeout: float = 10.0, **kw) -> tuple[bytes, float]:
        return raw_exchange(self.port, data, timeout=timeout, **kw)

    def upload(self, token: str, data: bytes, content_type: str = "application/pdf",
               **kw) -> Response:
        return self.request("POST", "/api/v1/files", data, token=token,
                            content_type=content_type, **kw)

    def upload_ok(self, token: str, data: bytes, content_type: str = "application/pdf") -> str:
        """Uploads `data` and returns its SHA-256."""
        r = self.upload(token, data, content_type)
        assert r.status == 201, r
        return r.json()["sha256"]

    def login(self, username: str, password: str = DEMO_PASSWORD, **kw) -> Response:
        return self.post("/api/v1/auth/login", {"username": username, "password": password}, **kw)

    def login_ok(self, username: str, password: str = DEMO_PASSWORD) -> dict:
        r = self.login(username, password)
        assert r.status == 200, f"login {username}: {r}"
        return r.json()

    # --- direct database look-ups (to see what the API cannot show, e.g. citizens) ---------

    def _sql(self, sql: str, params: tuple = ()) -> list[tuple]:
        if self.backend == "sqlite":
            con = sqlite3.connect(f"file:{self.sqlite_path}?mode=ro", uri=True, timeout=30)
            try:
                return con.execute(sql, params).fetchall()
            finally:
                con.close()
        assert not params, "parameters are only supported for sqlite"
        out = self._psql(sql, url=self.db_url)
        return [tuple(line.split("|")) for line in out.splitlines() if line]

    def execute(self, sql: str) -> None:
        """Runs writing statements (separated by ';') on the database, behind the server's back,
        in one transaction (tests of what `motcua audit verify` finds)."""
        if self.backend == "sqlite":
            con = sqlite3.connect(self.sqlite_path, timeout=30)
            try:
                con.executescript(f"BEGIN; {sql}; COMMIT;")
            finally:
                con.close()
            return
        self._psql(sql, url=self.db_url)

    def user_count(self) -> int:
        return int(self._sql("SELECT count(*) FROM users")[0][0])

    def dossier_count(self) -> int:
        return int(self._sql("SELECT count(*) FROM dossiers")[0][0])

    def user_exists(self, username: str) -> bool:
        if self.backend == "sqlite":
            return bool(self._sql("SELECT 1 FROM users WHERE username = ?", (username,)))
        lit = "'" + username.replace("'", "''") + "'"
        return bool(self._sql(f"SELECT 1 FROM users WHERE username = {lit}"))


ISO_VN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$")


def fold(text: str) -> str:
    """Lower case without diacritics (đ -> d): how the server matches search text."""
    import unicodedata
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def verify_audit(srv) -> str:
    """Runs `motcua audit verify` on the server's database; fails unless the chain and the
    references hold. Returns its output."""
    out = subprocess.run([srv.binary, "audit", "verify", "--db", srv.db_url],
                         capture_output=True, text=True, timeout=120, cwd=srv.workdir)
    assert out.returncode == 0, (out.returncode, out.stdout, out.stderr[-3000:])
    assert "audit chain ok" in out.stdout, out.stdout
    assert "references ok" in out.stdout, out.stdout
    return out.stdout
