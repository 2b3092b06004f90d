"""Forms 01-06 over HTTP: a dossier taken from online submission through receipt, a supplement
request, the supplement, assignment, approval, the result and its return, then every form
fetched (PDF; 06 also XLSX) with its status, Content-Type and file name; the text of form 01
read back with pdftotext and its QR code decoded with zbarimg; forms that do not apply (409);
who may have which form (404 for another unit's officer, 403 for a citizen asking for the
register); bad form numbers, formats and months (400); and the unit register's access matrix.

The module runs its own server at --now 2026-04-24T10:00:00+07:00 (a Friday; see
test_dossiers.py: 5 working days from then end on Wednesday 6/5) with --public-url, so the QR
codes encode that address. pdftotext, pdftoppm (poppler-utils) and zbarimg (zbar-tools) run as
separate processes."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import urllib.parse
import zipfile

import pytest

from conftest import SHARED_LIMITS, finish
from support import DEMO_ACCOUNTS, check_error_body, sample_pdf

NOW = "2026-04-24T10:00:00+07:00"
PUBLIC = "https://dichvucong.phutho.example"
CITIZEN = "025095000123"
NAME = "Nguyễn Thị Hương"
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def fsrv(server_factory):
    for tool in ("pdftotext", "pdftoppm", "zbarimg"):
        assert shutil.which(tool), f"{tool} is missing: run scripts/setup.sh"
    srv = server_factory(limits=SHARED_LIMITS, extra_args=["--now", NOW, "--public-url", PUBLIC + "/"],
                         name="forms")
    yield srv
    finish(srv)


class Api:
    def __init__(self, srv):
        self.srv = srv
        self.tok = {u: srv.login_ok(u)["token"] for u in DEMO_ACCOUNTS}
        self._shas: dict[str, str] = {}
        r = srv.get("/api/v1/procedures/HT-002")
        assert r.status == 200, r
        self.required = [c["id"] for c in r.json()["components"] if c["required"]]

    def sha(self, who: str) -> str:
        if who not in self._shas:
            self._shas[who] = self.srv.upload_ok(self.tok[who], sample_pdf(f"forms {who}"))
        return self._shas[who]

    def file(self, who=CITIZEN, id_number=CITIZEN, channel=None) -> dict:
        body = {"procedure_id": "HT-002", "unit": "08746",
                "applicant": {"id_number": id_number, "full_name": NAME,
                              "address": "Tổ 5, Phường Xuân Hòa, tỉnh Phú Thọ"},
                "components": [{"component_id": c, "source": "uploaded",
                                "file_sha256": self.sha(who), "file_name": c + ".pdf"}
                               for c in self.required]}
        if channel:
            body["channel"] = channel
        r = self.srv.post("/api/v1/dossiers", body, token=self.tok[who])
        assert r.status == 201, r
        return r.json()

    def act(self, who: str, d: dict, action: str, **fields) -> dict:
        r = self.srv.post(f"/api/v1/dossiers/{q(d['code'])}/actions",
                          {"action": action, "version": d["version"], **fields},
                          token=self.tok[who])
        assert r.status == 200, (who, action, r)
        return r.json()

    def form(self, who: str | None, code: str, form: str, **params):
        path = f"/api/v1/dossiers/{q(code)}/forms/{form}"
        if params:
            path += "?" + urllib.parse.urlencode(params)
        return self.srv.get(path, token=self.tok.get(who) if who else None)

    def register(self, who: str | None, unit: str, **params):
        path = f"/api/v1/units/{q(unit)}/register"
        if params:
            path += "?" + urllib.parse.urlencode(params)
        return self.srv.get(path, token=self.tok.get(who) if who else None)


def q(s: str) -> str:
    return urllib.parse.quote(s, safe="")


def pdf_text(data: bytes, tmp_path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.decode("utf-8")


def qr_of(data: bytes, tmp_path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    r = subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(path),
                        str(path)], capture_output=True, timeout=60)
    assert r.returncode == 0 and not r.stderr, r.stderr
    z = subprocess.run(["zbarimg", "--raw", "-q", f"{path}-1.png"], capture_output=True,
                       timeout=60)
    assert z.returncode == 0, "no QR code found"
    return z.stdout.decode().strip()


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def long_time(iso: str) -> str:
    """'2026-05-06T10:00:31+07:00' -> '10 giờ 00 phút, ngày 06/05/2026'."""
    return f"{iso[11:13]} giờ {iso[14:16]} phút, ngày {iso[8:10]}/{iso[5:7]}/{iso[0:4]}"


def check_document(r, ctype: str, filename: str) -> None:
    assert r.status == 200, r
    assert r.header("content-type") == ctype, r.headers
    assert r.header("content-disposition") == f'inline; filename="{filename}"', r.headers
    assert r.header("cache-control") == "private, no-store", r.headers
    if ctype == PDF:
        assert r.body.startswith(b"%PDF-1.7") and r.body.rstrip().endswith(b"%%EOF")
    else:
        assert r.body.startswith(b"PK\x03\x04")


@pytest.fixture(scope="module")
def api(fsrv) -> Api:
    return Api(fsrv)


@pytest.fixture(scope="module")
def settled(api) -> dict:
    """A dossier taken through the whole workflow, with one supplement request."""
    d = api.file()
    d = api.act("reception.xuanhoa", d, "receive")
    d = api.act("reception.xuanhoa", d, "request_supplement",
                note="Bản sao Giấy chứng nhận kết hôn của cha mẹ\nXác nhận nơi cư trú")
    d = api.act(CITIZEN, d, "supplement", note="Đã bổ sung")
    d = api.act("reception.xuanhoa", d, "assign", to_user="specialist.xuanhoa")
    d = api.act("leader.xuanhoa", d, "approve", note="Đồng ý")
    d = api.act("specialist.xuanhoa", d, "issue_result",
                result_sha256=api.sha("specialist.xuanhoa"))
    d = api.act("reception.xuanhoa", d, "return_result", note="Trả tại quầy")
    assert d["state"] == "returned"
    return d


def test_every_form_of_a_settled_dossier(api, settled, tmp_path):
    code = settled["code"]
    for form in ("01", "02", "05", "06"):
        check_document(api.form("reception.xuanhoa", code, form), PDF, f"{code}-mau-{form}.pdf")
    check_document(api.form("reception.xuanhoa", code, "06", format="xlsx"), XLSX,
                   f"{code}-mau-06.xlsx")
    check_document(api.form("reception.xuanhoa", code, "01", format="pdf"), PDF,
                   f"{code}-mau-01.pdf")
    # never refused, never apologised for: those forms do not exist for it
    for form, why in (("03", "not refused"), ("04", "no apology")):
        err = check_error_body(api.form("reception.xuanhoa", code, form), 409, "conflict", "form")
        assert why in err["message"] and f"Mẫu {form}" in err["message_vi"], err


def test_receipt_slip_text_and_qr(api, settled, tmp_path):
    code = settled["code"]
    r = api.form(CITIZEN, code, "01")  # the applicant may have their own forms
    check_document(r, PDF, f"{code}-mau-01.pdf")
    text = pdf_text(r.body, tmp_path, "01.pdf")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text, text
    assert "Độc lập - Tự do - Hạnh phúc" in text, text
    assert f"Ông/Bà: {NAME}" in text, text
    assert f"Mã hồ sơ: {code}" in text, text
    assert "Phường Xuân Hòa" in text, text
    assert settled["procedure_name"] in flat(text), text
    assert settled["due_at"].startswith("2026-05-06T"), settled["due_at"]
    assert long_time(settled["due_at"]) in text, (settled["due_at"], text)
    assert long_time(settled["received_at"]) in text, text
    assert qr_of(r.body, tmp_path, "01.pdf") == f"{PUBLIC}/tra-cuu/{code}"
    # the same form twice is the same document
    assert api.form(CITIZEN, code, "01").body == r.body


def test_supplement_request_and_control_sheet(api, settled, tmp_path):
    code = settled["code"]
    text = pdf_text(api.form("specialist.xuanhoa", code, "02").body, tmp_path, "02.pdf")
    assert "1. Bản sao Giấy chứng nhận kết hôn của cha mẹ" in text, text
    assert "2. Xác nhận nơi cư trú" in text, text
    r = api.form("leader.xuanhoa", code, "05")
    text = pdf_text(r.body, tmp_path, "05.pdf")
    for action in ("Nộp hồ sơ", "Tiếp nhận", "Yêu cầu bổ sung", "Bổ sung", "Giao xử lý",
                   "Phê duyệt", "Có kết quả", "Trả kết quả"):
        assert action in text, (action, text)
    assert "Đã trả kết quả: Trả tại quầy" in text and "Đã phê duyệt: Đồng ý" in text, text
    assert qr_of(r.body, tmp_path, "05.pdf") == f"{PUBLIC}/tra-cuu/{code}"


def test_register_through_the_dossier(api, settled, tmp_path):
    code = settled["code"]
    r = api.form("admin.phutho", code, "06")
    text = pdf_text(r.body, tmp_path, "06.pdf")
    assert "SỔ THEO DÕI HỒ SƠ" in text and "Tháng 04/2026" in text, text
    assert code in text and NAME in text, text
    assert qr_of(r.body, tmp_path, "06.pdf") == \
        f"{PUBLIC}/api/v1/units/08746/register?month=2026-04"
    x = api.form("auditor.phutho", code, "06", format="xlsx")
    check_document(x, XLSX, f"{code}-mau-06.xlsx")
    sheet = zipfile.ZipFile(io.BytesIO(x.body)).read("xl/worksheets/sheet1.xml").decode()
    assert f"<t>{code}</t>" in sheet and f"<t>{NAME}</t>" in sheet, sheet[:2000]
    # the register shows the unit's other dossiers: not for the applicant
    check_error_body(api.form(CITIZEN, code, "06"), 403, "forbidden", "form")
    check_error_body(api.form(CITIZEN, code, "06", format="xlsx"), 403, "forbidden", "form")


def test_refusal_and_apology_forms(api, tmp_path):
    refused = api.file()
    refused = api.act("reception.xuanhoa", refused, "refuse",
                      note="Hồ sơ không thuộc thẩm quyền giải quyết của phường")
    r = api.form("reception.xuanhoa", refused["code"], "03")
    check_document(r, PDF, f"{refused['code']}-mau-03.pdf")
    text = pdf_text(r.body, tmp_path, "03.pdf")
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text, text
    assert "Hồ sơ không thuộc thẩm quyền giải quyết của phường" in flat(text), text
    assert NAME in text, text
    # refused at reception: never received, so no receipt slip, control sheet or register
    for form in ("01", "05", "06"):
        check_error_body(api.form("reception.xuanhoa", refused["code"], form), 409, "conflict",
                         "form")

    late = api.file("reception.xuanhoa", id_number="001200000042", channel="counter")
    assert late["state"] == "received"
    late = api.act("leader.xuanhoa", late, "apologise", note="Chờ kết quả xác minh",
                   new_due="2026-05-08T10:00:00+07:00")
    r = api.form("leader.xuanhoa", late["code"], "04")
    check_document(r, PDF, f"{late['code']}-mau-04.pdf")
    text = pdf_text(r.body, tmp_path, "04.pdf")
    assert "Chờ kết quả xác minh" in text, text
    assert "10 giờ 00 phút, ngày 08/05/2026" in text, text
    assert qr_of(r.body, tmp_path, "04.pdf") == f"{PUBLIC}/tra-cuu/{late['code']}"
    check_error_body(api.form("leader.xuanhoa", late["code"], "02"), 409, "conflict", "form")


def test_who_may_have_forms(api, settled):
    code = settled["code"]
    for who in ("reception.viettri", "leader.snv"):  # units not on the dossier's path
        check_error_body(api.form(who, code, "01"), 404, "not_found")
        check_error_body(api.form(who, code, "06"), 404, "not_found")
    check_error_body(api.form(None, code, "01"), 401, "unauthenticated")
    check_error_body(api.form("reception.xuanhoa", "087.46.00.H25-260424-9999", "01"), 404,
                     "not_found")


@pytest.mark.parametrize("form,params,field", [
    ("07", {}, "form"), ("00", {}, "form"), ("1", {}, "form"), ("mau-01", {}, "form"),
    ("01", {"format": "docx"}, "format"), ("01", {"format": "xlsx"}, "format"),
    ("06", {"format": "PDF"}, "format"), ("01", {"fmt": "pdf"}, "fmt"),
])
def test_bad_form_requests(api, settled, form, params, field):
    r = api.form("reception.xuanhoa", settled["code"], form, **params)
    err = check_error_body(r, 400, field=field)
    assert err["code"] in ("invalid_field", "unknown_field"), err


def undated(pdf: bytes) -> bytes:
    """The PDF without its creation time and the file identifier derived from it."""
    pdf, dates = re.subn(rb"/CreationDate \([^)]*\)", b"/CreationDate ()", pdf)
    pdf, ids = re.subn(rb"/ID \[<[0-9a-f]+> <[0-9a-f]+>\]", b"/ID []", pdf)
    assert dates == 1 and ids == 1, (dates, ids)  # else the comparisons would say nothing
    return pdf


def test_unit_register(api, settled, tmp_path):
    code = settled["code"]
    r = api.register("reception.xuanhoa", "08746", month="2026-04")
    check_document(r, PDF, "08746-so-theo-doi-2026-04.pdf")
    text = pdf_text(r.body, tmp_path, "reg.pdf")
    assert code in text and NAME in text, text
    # the default month is the current one (Vietnam time): April 2026 here
    # (the documents differ only in when they were made: the clock runs while the test does)
    assert undated(api.register("reception.xuanhoa", "08746").body) == undated(r.body)
    x = api.register("leader.xuanhoa", "08746", month="2026-04", format="xlsx")
    check_document(x, XLSX, "08746-so-theo-doi-2026-04.xlsx")
    assert f"<t>{code}</t>" in zipfile.ZipFile(io.BytesIO(x.body)).read(
        "xl/worksheets/sheet1.xml").decode()
    # another month lists none of them
    empty = pdf_text(api.register("reception.xuanhoa", "08746", month="2026-03").body, tmp_path,
                     "march.pdf")
    assert "Tổng số: 0 hồ sơ" in empty and code not in empty, empty
    check_error_body(api.register("admin.phutho", "NO-SUCH-UNIT"), 404, "not_found")
    for month in ("2026-13", "2026-00", "1999-12", "april", "2026-4", "2026-04-01", ""):
        check_error_body(api.register("reception.xuanhoa", "08746", month=month), 400,
                         "invalid_field", "month")
    check_error_body(api.register("reception.xuanhoa", "08746", format="docx"), 400,
                     "invalid_field", "format")
    check_error_body(api.register("reception.xuanhoa", "08746", year="2026"), 400,
                     "unknown_field")


# GET /api/v1/units/{code}/register: the status per account and unit (own unit, another commune
# of the province, a unit of another province); the citizen has no unit of its own.
REGISTER_MATRIX = {
    "admin.phutho":       {"25": 200, "08746": 200, "00004": 403},
    "auditor.phutho":     {"25": 200, "08746": 200, "00004": 403},
    "leader.xuanhoa":     {"08746": 200, "07900": 403, "00004": 403},
    "specialist.xuanhoa": {"08746": 200, "07900": 403, "00004": 403},
    "reception.xuanhoa":  {"08746": 200, "07900": 403, "00004": 403},
    "reception.viettri":  {"07900": 200, "08746": 403, "00004": 403},
    "leader.snv":         {"SNV": 200, "08746": 403, "00004": 403},
    CITIZEN:              {"08746": 403, "00004": 403},
}


@pytest.mark.parametrize("who,unit,status",
                         [(w, u, s) for w, cells in REGISTER_MATRIX.items()
                          for u, s in cells.items()] + [(None, "08746", 401)])
def test_register_access_matrix(api, who, unit, status):
    r = api.register(who, unit, month="2026-04")
    if status == 200:
        check_document(r, PDF, f"{unit}-so-theo-doi-2026-04.pdf")
    else:
        check_error_body(r, status)


def test_documents_are_made_off_the_io_threads(api, settled, own_server):
    # Several registers and forms at once: the render pool (max_concurrent_renders = 2) makes
    # every one of them, and they are the documents made one at a time.
    from concurrent.futures import ThreadPoolExecutor
    code = settled["code"]
    alone = undated(api.register("reception.xuanhoa", "08746", month="2026-04").body)
    form = api.form(CITIZEN, code, "01").body
    with ThreadPoolExecutor(8) as pool:
        regs = [pool.submit(api.register, "reception.xuanhoa", "08746", month="2026-04")
                for _ in range(8)]
        forms = [pool.submit(api.form, CITIZEN, code, "01") for _ in range(8)]
        for f in regs:
            r = f.result()
            assert r.status == 200 and undated(r.body) == alone, r
        for f in forms:
            r = f.result()
            assert r.status == 200 and r.body == form, r
    # Past the queue limit a document is refused with 503, and nothing else is.
    srv = own_server(limits={**SHARED_LIMITS, "max_pending_renders": 0}, extra_args=["--now", NOW])
    tok = srv.login_ok("reception.xuanhoa")["token"]
    check_error_body(srv.get("/api/v1/units/08746/register?month=2026-04", token=tok), 503,
                     "unavailable")
    check_error_body(srv.get("/api/v1/dossiers/NO-SUCH-CODE/forms/01", token=tok), 503,
                     "unavailable")  # queued before the dossier is even looked up
    assert srv.get("/api/v1/dossiers?limit=5", token=tok).status == 200
