"""The outbox delivered: e-mail to a real SMTP peer (aiosmtpd, tests/api/smtp_sink.py) and SMS to
a real HTTP gateway (http.server), both in this process; retries after transient failures,
permanent failures, and GET /api/v1/dossiers/{code}/notifications.

The module's server runs with `--outbox-backoff-ms 200 --outbox-poll-ms 100`, so a retry comes
within a second; the tests wait for a background delivery by polling with a generous timeout and
never assert on timing. The clock starts at --now 2026-04-24T10:00:00+07:00 (see test_dossiers.py:
a dossier of HT-002 received then is due on Wednesday 6/5)."""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
import urllib.parse
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import SHARED_LIMITS, finish
from smtp_sink import SmtpSink
from support import DEMO_ACCOUNTS, ISO_VN, check_error_body, sample_pdf

NOW = "2026-04-24T10:00:00+07:00"
CITIZEN = "025095000123"
FROM = "no-reply@motcua.local"
ITEM_KEYS = {"id", "channel", "recipient", "subject", "status", "attempts", "last_error",
             "created_at", "next_attempt_at", "sent_at"}


# --- an SMS gateway ----------------------------------------------------------------------------

class Gateway:
    """POST receiver on 127.0.0.1:<free port>. Answers 200 {"id": "gw-N"}, or a status set for
    the next requests / for a number."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests: list[dict] = []   # {"path", "content_type", "json"}
        self.fail_next: list[int] = []   # statuses for the next requests, in order
        self.status_for: dict[str, int] = {}
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                try:
                    payload = json.loads(body)
                except ValueError:
                    payload = None
                with gateway.lock:
                    gateway.requests.append({"path": self.path,
                                             "content_type": self.headers.get("Content-Type"),
                                             "json": payload})
                    n = len(gateway.requests)
                    status = 200
                    if gateway.fail_next:
                        status = gateway.fail_next.pop(0)
                    elif isinstance(payload, dict) and payload.get("to") in gateway.status_for:
                        status = gateway.status_for[payload["to"]]
                answer = json.dumps({"id": f"gw-{n}"} if status == 200
                                    else {"error": f"status {status} from the test"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> "Gateway":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def to(self, number: str) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if (r["json"] or {}).get("to") == number]


# --- fixtures ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sink():
    s = SmtpSink().start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def gateway():
    g = Gateway().start()
    yield g
    g.stop()


def outbox_args(smtp_port: int, gateway_port: int | None = None) -> list[str]:
    args = ["--now", NOW, "--smtp", f"127.0.0.1:{smtp_port}", "--outbox-backoff-ms", "200",
            "--outbox-poll-ms", "100"]
    if gateway_port is not None:
        args += ["--sms-gateway", f"http://127.0.0.1:{gateway_port}/sms/send?key=t"]
    return args


@pytest.fixture(scope="module")
def nsrv(server_factory, sink, gateway):
    srv = server_factory(limits=SHARED_LIMITS, extra_args=outbox_args(sink.port, gateway.port),
                         name="notify")
    yield srv
    finish(srv)


class Api:
    def __init__(self, srv):
        self.srv = srv
        self.tok = {u: srv.login_ok(u)["token"] for u in DEMO_ACCOUNTS}
        r = srv.get("/api/v1/procedures/HT-002")
        assert r.status == 200, r
        self.required = [c["id"] for c in r.json()["components"] if c["required"]]
        self.shas: dict[str, str] = {}  # one uploaded scan per filer

    def components(self, who: str) -> list[dict]:
        if who not in self.shas:
            self.shas[who] = self.srv.upload_ok(self.tok[who], sample_pdf("ban chup " + who))
        return [{"component_id": c, "source": "uploaded", "file_sha256": self.shas[who],
                 "file_name": c + ".pdf"} for c in self.required]

    def file(self, who: str, id_number: str, channel: str | None = None, **applicant) -> dict:
        body = {"procedure_id": "HT-002", "unit": "08746", "components": self.components(who),
                "applicant": {"id_number": id_number, "full_name": "Nguyễn Văn Đức",
                              **applicant}}
        if channel:
            body["channel"] = channel
        r = self.srv.post("/api/v1/dossiers", body, token=self.tok[who])
        assert r.status == 201, r
        return r.json()

    def counter(self, **applicant) -> dict:
        return self.file("reception.xuanhoa", "001200000001", "counter", **applicant)

    def act(self, who: str, d: dict, action: str, **fields) -> dict:
        r = self.srv.post(f"/api/v1/dossiers/{q(d['code'])}/actions",
                          {"action": action, "version": d["version"], **fields},
                          token=self.tok[who])
        assert r.status == 200, (action, r)
        return r.json()

    def notifications(self, code: str, who: str = "reception.xuanhoa") -> list[dict]:
        r = self.srv.get(f"/api/v1/dossiers/{q(code)}/notifications", token=self.tok[who])
        assert r.status == 200, r
        body = r.json()
        assert set(body) == {"items"}, body
        for item in body["items"]:
            check_item(item)
        return body["items"]

    def wait_settled(self, code: str, count: int, timeout: float = 60.0) -> list[dict]:
        """Polls until the dossier has `count` messages, none pending (generous timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            items = self.notifications(code)
            if len(items) == count and all(i["status"] != "pending" for i in items):
                return items
            if time.monotonic() > deadline:
                pytest.fail(f"messages of {code} not settled in {timeout} s: {items}")
            time.sleep(0.05)


def q(code: str) -> str:
    return urllib.parse.quote(code, safe="")


def check_item(item: dict) -> None:
    assert set(item) == ITEM_KEYS, set(item) ^ ITEM_KEYS
    assert item["channel"] in {"email", "sms"}
    assert item["status"] in {"pending", "sent", "failed"}
    assert ISO_VN.match(item["created_at"]), item
    assert (item["sent_at"] is not None) == (item["status"] == "sent"), item
    assert (item["next_attempt_at"] is not None) == (item["status"] == "pending"), item
    if item["sent_at"]:
        assert ISO_VN.match(item["sent_at"]), item


def mailbox() -> str:
    return f"nguoi.nop.{secrets.token_hex(4)}@example.vn"


@pytest.fixture(scope="module")
def api(nsrv) -> Api:
    return Api(nsrv)


# --- e-mail ------------------------------------------------------------------------------------

def test_received_mail_has_the_vietnamese_subject_with_the_appointment(api, sink):
    to = mailbox()
    d = api.counter(email=to)
    assert d["state"] == "received" and d["due_at"].startswith("2026-05-06T10:00"), d
    [mail] = sink.wait_for(to)
    assert mail.rcpt_tos == [to] and mail.mail_from == FROM
    assert "BODY=8BITMIME" in mail.mail_options  # aiosmtpd offers it
    msg = mail.message()
    assert msg["Subject"] == "Hồ sơ đã được tiếp nhận, hẹn trả kết quả 2026-05-06T10:00"
    assert re.search(r"=\?UTF-8\?B\?", mail.raw.decode("ascii", "replace")), mail.raw[:400]
    assert msg["To"] == to and msg["From"] == FROM
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content_charset() == "utf-8"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert parsedate_to_datetime(msg["Date"]).utcoffset().total_seconds() == 7 * 3600
    body = msg.get_content()
    assert d["code"] in body, body
    assert "Mã hồ sơ: " + d["code"] in body
    assert "Thủ tục:" in body
    assert b"\r\n" in mail.raw and b"\n" not in mail.raw.replace(b"\r\n", b"")
    [item] = api.wait_settled(d["code"], 1)
    assert item["channel"] == "email" and item["recipient"] == to
    assert item["status"] == "sent" and item["attempts"] == 1 and item["last_error"] == ""
    assert item["subject"] == msg["Subject"]
    assert msg["Message-ID"] == f"<{item['id']}.{d['code']}@motcua.local>"

    # The officer asks for a supplement: a second mail.
    d = api.act("reception.xuanhoa", d, "request_supplement", note="Thiếu tờ khai có chữ ký")
    mails = sink.wait_for(to, 2)
    assert len(mails) == 2
    second = mails[1].message()
    assert second["Subject"] == "Yêu cầu bổ sung hồ sơ: Thiếu tờ khai có chữ ký"
    assert d["code"] in second.get_content()
    assert second["Message-ID"] != msg["Message-ID"]
    items = api.wait_settled(d["code"], 2)
    assert [i["status"] for i in items] == ["sent", "sent"]
    assert items[0]["id"] < items[1]["id"]


def test_online_filing_then_reception_mail_the_citizen(api, sink):
    to = mailbox()
    d = api.file(CITIZEN, CITIZEN, email=to)
    [first] = sink.wait_for(to)
    assert first.message()["Subject"] == "Hồ sơ đã được nộp, chờ tiếp nhận"
    assert d["code"] in first.message().get_content()
    d = api.act("reception.xuanhoa", d, "receive")
    mails = sink.wait_for(to, 2)
    assert len(mails) == 2
    assert mails[1].message()["Subject"] == (
        "Hồ sơ đã được tiếp nhận, hẹn trả kết quả " + d["due_at"][:16])
    # The applicant sees the same list as the officer.
    items = api.wait_settled(d["code"], 2)
    assert api.notifications(d["code"], who=CITIZEN) == items


def test_transient_failures_are_retried_until_sent(api, sink):
    to = mailbox()
    before = sink.data_commands()
    sink.fail_next_data(2)
    d = api.counter(email=to)
    [item] = api.wait_settled(d["code"], 1)
    assert item["status"] == "sent", item
    assert item["attempts"] == 3, item
    # The error of the last failed attempt stays for the record.
    assert item["last_error"].startswith("message deferred: 451 4.3.0"), item
    assert sink.data_commands() - before == 3
    mails = sink.messages_to(to)
    assert len(mails) == 1, "the failed attempts delivered nothing"
    assert d["code"] in mails[0].message().get_content()


def test_rejected_recipient_fails_for_good_with_the_servers_reply(api, sink):
    to = mailbox()
    sink.reject_recipient(to)
    d = api.counter(email=to)
    [item] = api.wait_settled(d["code"], 1)
    assert item["status"] == "failed" and item["attempts"] == 1, item
    assert "550 5.1.1" in item["last_error"], item
    assert "Recipient address rejected" in item["last_error"], item
    assert item["sent_at"] is None
    # A later message goes out, so the sender ran since; the refused one was not tried again.
    marker = mailbox()
    m = api.counter(email=marker)
    sink.wait_for(marker)
    api.wait_settled(m["code"], 1)
    assert sink.rcpt_commands(to) == 1
    assert sink.messages_to(to) == []
    assert api.notifications(d["code"])[0]["attempts"] == 1


def test_header_injection_in_the_address_is_refused(api, sink):
    # The intake takes the e-mail field as text; the sender refuses to put it in a header.
    r = api.srv.post("/api/v1/dossiers",
                     {"procedure_id": "HT-002", "unit": "08746", "channel": "counter",
                      "components": api.components("reception.xuanhoa"),
                      "applicant": {"id_number": "001200000001", "full_name": "Kẻ Gian",
                                    "email": "a@example.vn\r\nBcc: all@example.vn"}},
                     token=api.tok["reception.xuanhoa"])
    if r.status == 400:  # should the intake ever refuse it, it must name the field
        check_error_body(r, 400, "invalid_field", "applicant.email")
        return
    assert r.status == 201, r  # accepted as text: the sender must not let it through
    [item] = api.wait_settled(r.json()["code"], 1)
    assert item["status"] == "failed" and item["attempts"] == 1, item
    assert "line break" in item["last_error"], item
    assert sink.messages_to("all@example.vn") == []


# --- SMS ---------------------------------------------------------------------------------------

def test_sms_goes_to_the_gateway_and_a_500_is_retried(api, gateway):
    gateway.fail_next.append(500)
    d = api.counter(phone="0912 345 678")
    [item] = api.wait_settled(d["code"], 1)
    assert item["channel"] == "sms" and item["recipient"] == "0912 345 678"
    assert item["status"] == "sent" and item["attempts"] == 2, item
    assert item["last_error"].startswith("SMS gateway answered 500"), item
    posts = [p for p in gateway.to("0912345678") if p["json"]["ref"] == str(item["id"])]
    assert len(posts) == 2, gateway.requests
    for p in posts:
        assert p["path"] == "/sms/send?key=t"
        assert p["content_type"].startswith("application/json")
        assert set(p["json"]) == {"to", "text", "ref"}
        assert p["json"]["text"] == (
            "Hồ sơ đã được tiếp nhận, hẹn trả kết quả 2026-05-06T10:00. " + d["code"])


def test_sms_refused_by_the_gateway_fails_for_good(api, gateway):
    gateway.status_for["0987000111"] = 400
    d = api.counter(phone="0987000111")
    [item] = api.wait_settled(d["code"], 1)
    assert item["status"] == "failed" and item["attempts"] == 1, item
    assert item["last_error"].startswith("SMS gateway answered 400"), item


def test_email_and_sms_of_one_dossier(api, sink, gateway):
    to = mailbox()
    d = api.counter(email=to, phone="+84 912 000 222")
    items = api.wait_settled(d["code"], 2)
    assert sorted(i["channel"] for i in items) == ["email", "sms"]
    assert all(i["status"] == "sent" and i["attempts"] == 1 for i in items), items
    assert len(sink.messages_to(to)) == 1
    assert len(gateway.to("+84912000222")) == 1


# --- the endpoint ------------------------------------------------------------------------------

def test_notifications_endpoint_access(api):
    d = api.counter(email=mailbox())
    path = f"/api/v1/dossiers/{q(d['code'])}/notifications"
    check_error_body(api.srv.get(path), 401, "unauthenticated")
    # Outside the dossier's units, or not the applicant: as if it did not exist.
    check_error_body(api.srv.get(path, token=api.tok["reception.viettri"]), 404, "not_found")
    check_error_body(api.srv.get(path, token=api.tok[CITIZEN]), 404, "not_found")
    check_error_body(api.srv.get("/api/v1/dossiers/087.46.00.H25-260424-9999/notifications",
                                 token=api.tok["reception.xuanhoa"]), 404, "not_found")
    check_error_body(api.srv.get(path + "?all=1", token=api.tok["reception.xuanhoa"]), 400,
                     "unknown_field")
    assert len(api.notifications(d["code"], who="leader.xuanhoa")) == 1
    assert len(api.notifications(d["code"], who="admin.phutho")) == 1


def test_metrics_count_deliveries(api):
    text = api.srv.get("/metrics").text
    sent = re.search(r'^motcua_outbox_sent_total\{channel="email"\} (\d+)$', text, re.M)
    assert sent and int(sent.group(1)) >= 1, text[-3000:]
    failed = re.search(r'^motcua_outbox_failed_total\{channel="sms"\} (\d+)$', text, re.M)
    assert failed is not None, text[-3000:]
    assert re.search(r"^motcua_outbox_store_errors_total 0$", text, re.M), text[-3000:]


# --- a relay that wants AUTH and has no 8BITMIME -----------------------------------------------

# aiosmtpd warns about AUTH without TLS: here that is the point (a relay on loopback).
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_auth_plain_and_base64_body(own_server):
    sink = SmtpSink(auth=("motcua", "mật-khẩu-thử"), eight_bit=False).start()
    try:
        srv = own_server(limits=SHARED_LIMITS,
                         extra_args=outbox_args(sink.port) + [
                             "--smtp-user", "motcua", "--smtp-password", "mật-khẩu-thử",
                             "--smtp-from", "thong.bao@phutho.gov.vn"])
        api = Api(srv)
        to = mailbox()
        d = api.counter(email=to)
        [mail] = sink.wait_for(to)
        assert mail.login == "motcua"
        assert mail.mail_from == "thong.bao@phutho.gov.vn"
        assert "BODY=8BITMIME" not in mail.mail_options
        msg = mail.message()
        assert msg["Content-Transfer-Encoding"] == "base64"
        assert d["code"] in msg.get_content()
        assert msg["Message-ID"].endswith("@phutho.gov.vn>")
        [item] = api.wait_settled(d["code"], 1)
        assert item["status"] == "sent" and item["attempts"] == 1
    finally:
        sink.stop()
