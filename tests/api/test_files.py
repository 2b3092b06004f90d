"""Files: streamed uploads into the content-addressed store (type sniffed from the bytes, sizes
capped, truncated files and decompression bombs refused, the same bytes stored once), dossiers
that name uploaded files, reuse of a document from the citizen's own store, supplements that
replace a component, downloads scoped like the dossier, and `motcua files verify`."""

from __future__ import annotations

import hashlib
import socket
import struct
import subprocess
import zlib

import pytest

from conftest import SHARED_LIMITS, finish
from support import check_error_body, sample_pdf
from test_dossiers import CITIZEN, NOW, Api

MAX_UPLOAD = 3 << 20  # the module's server caps uploads at 3 MiB


def png(w: int, h: int, pixels: bool = True) -> bytes:
    def chunk(t: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + t + data + struct.pack(">I", zlib.crc32(t + data))
    raw = b"".join(b"\0" + b"\x80" * (w * 3) for _ in range(h)) if pixels else b""
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def jpeg(w: int, h: int) -> bytes:
    return (b"\xff\xd8\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0\1\1\0\0\1\0\1\0\0" +
            b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, h, w, 1) + b"\x01\x11\x00" +
            b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00\x00\x3f\x00" + b"\x12\x34" +
            b"\xff\xd9")


def pdf_bomb() -> bytes:
    content = zlib.compress(b"\0" * (64 << 20), 9)  # 64 MiB of zeros in ~64 KiB
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n4 0 obj << /Length " +
            str(len(content)).encode() + b" /Filter /FlateDecode >>\nstream\n" + content +
            b"\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


@pytest.fixture(scope="module")
def fsrv(server_factory):
    limits = {**SHARED_LIMITS, "max_upload_bytes": MAX_UPLOAD,
              "max_pdf_inflated_bytes": 16 << 20}
    srv = server_factory(limits=limits, extra_args=["--now", NOW], name="files")
    yield srv
    finish(srv)


@pytest.fixture(scope="module")
def api(fsrv) -> Api:
    return Api(fsrv)


def upload(api: Api, who: str, data: bytes, content_type="application/pdf"):
    return api.srv.upload(api.tok[who], data, content_type)


def test_upload_returns_the_sha256_and_stores_the_bytes_once(api):
    data = sample_pdf("giấy khai sinh".encode("utf-8").hex())
    r = upload(api, CITIZEN, data)
    assert r.status == 201, r
    body = r.json()
    sha = hashlib.sha256(data).hexdigest()
    assert body == {"sha256": sha, "size": len(data), "media_type": "application/pdf",
                    "deduplicated": False}
    assert r.header("location") == f"/api/v1/files/{sha}"
    again = upload(api, CITIZEN, data, "application/octet-stream")  # type sniffed from bytes
    assert again.status == 201 and again.json()["deduplicated"] is True, again
    # the uploader reads it back; nobody else does
    got = api.srv.get(f"/api/v1/files/{sha}", token=api.tok[CITIZEN])
    assert got.status == 200 and got.body == data
    assert got.header("content-type") == "application/pdf"
    check_error_body(api.srv.get(f"/api/v1/files/{sha}", token=api.tok["reception.xuanhoa"]),
                     404, "not_found", "sha256")
    check_error_body(api.srv.get("/api/v1/files/" + "0" * 64, token=api.tok[CITIZEN]), 404)
    check_error_body(api.srv.get("/api/v1/files/not-a-sha", token=api.tok[CITIZEN]), 404)
    blob = api.srv.workdir / "files" / "blobs" / sha[:2] / sha[2:4] / sha
    assert blob.read_bytes() == data


def test_images_are_accepted_and_their_type_is_sniffed(api):
    for data, media in ((png(32, 16), "image/png"), (jpeg(800, 600), "image/jpeg")):
        r = upload(api, CITIZEN, data, "application/octet-stream")
        assert r.status == 201 and r.json()["media_type"] == media, r


BAD_UPLOADS = [
    # id, bytes, declared type, status, code
    ("empty", b"", "application/pdf", 400, "invalid_field"),
    ("text", b"hello, this is not a document", "application/octet-stream", 415,
     "unsupported_media_type"),
    ("gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "application/octet-stream", 415,
     "unsupported_media_type"),
    ("declared_pdf_is_png", png(4, 4), "application/pdf", 415, "unsupported_media_type"),
    ("truncated_pdf", sample_pdf("x")[:-20], "application/pdf", 400, "invalid_field"),
    ("truncated_png", png(16, 16)[:-12], "image/png", 400, "invalid_field"),
    ("truncated_jpeg", jpeg(100, 100)[:-2], "image/jpeg", 400, "invalid_field"),
    ("png_bomb", png(60000, 60000, pixels=False), "image/png", 413, "payload_too_large"),
    ("jpeg_bomb", jpeg(65000, 65000), "image/jpeg", 413, "payload_too_large"),
    ("pdf_bomb", pdf_bomb(), "application/pdf", 413, "payload_too_large"),
    ("too_large", b"%PDF-1.4\n" + b"0" * MAX_UPLOAD, "application/pdf", 413,
     "payload_too_large"),
]


@pytest.mark.parametrize("data,ctype,status,code", [b[1:] for b in BAD_UPLOADS],
                         ids=[b[0] for b in BAD_UPLOADS])
def test_bad_uploads_are_refused_and_leave_nothing(api, data, ctype, status, code):
    files = api.srv.workdir / "files"
    before = sorted(p.name for p in files.rglob("*") if p.is_file())
    r = upload(api, CITIZEN, data, ctype)
    check_error_body(r, status, code)
    after = sorted(p.name for p in files.rglob("*") if p.is_file())
    assert after == before, "a refused upload left a file behind"


def test_who_may_upload(api):
    check_error_body(api.srv.request("POST", "/api/v1/files", sample_pdf("anon"),
                                     content_type="application/pdf"), 401)
    for who in ("auditor.phutho", "admin.phutho"):
        check_error_body(upload(api, who, sample_pdf(who)), 403, "forbidden")
    check_error_body(upload(api, CITIZEN, sample_pdf("x"), "text/plain"), 415,
                     "unsupported_media_type", "Content-Type")


def test_a_large_upload_streams_in_pieces_with_100_continue(api):
    # ~2.5 MiB in a valid PDF, sent in small pieces over a raw socket after waiting for
    # "100 Continue", as curl does for large bodies.
    data = sample_pdf("big") + b"%" + b"x" * (2_500_000) + b"\n%%EOF\n"
    head = (f"POST /api/v1/files HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {api.tok[CITIZEN]}"
            f"\r\nContent-Type: application/pdf\r\nContent-Length: {len(data)}\r\n"
            "Expect: 100-continue\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", api.srv.port), timeout=30) as s:
        s.sendall(head)
        assert s.recv(64).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        for i in range(0, len(data), 7000):
            s.sendall(data[i:i + 7000])
        reply = b""
        while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
            chunk = s.recv(65536)
            if not chunk:
                break
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 201"), reply[:300]
    assert hashlib.sha256(data).hexdigest().encode() in reply


def test_a_dossier_names_uploaded_files_and_they_download_with_its_access(api):
    scan = sample_pdf("to khai cua Nguyen Van An")
    sha = api.srv.upload_ok(api.tok[CITIZEN], scan)
    comps = [{**c, "file_sha256": sha} for c in api.components("HT-002")]
    d = api.file(CITIZEN, pid="HT-002", components=comps)
    assert all(c["file_sha256"] == sha and c["file_size"] == len(scan) for c in d["components"])
    url = f"/api/v1/dossiers/{d['code']}/files/{sha}"
    for who in (CITIZEN, "reception.xuanhoa", "leader.xuanhoa", "auditor.phutho"):
        r = api.srv.get(url, token=api.tok[who])
        assert r.status == 200 and r.body == scan, (who, r)
    check_error_body(api.srv.get(url, token=api.tok["reception.viettri"]), 404)
    check_error_body(api.srv.get(url, token=api.tok["leader.snv"]), 404)
    other = api.sha("reception.xuanhoa")  # stored, but not this dossier's
    check_error_body(api.srv.get(f"/api/v1/dossiers/{d['code']}/files/{other}",
                                 token=api.tok["reception.xuanhoa"]), 404)
    # another user's upload cannot be named by its hash
    r = api.post(CITIZEN, api.body(components=[{**c, "file_sha256": other}
                                               for c in api.components("HT-002")]))
    check_error_body(r, 400, "invalid_field", "components[0].file_sha256")


def test_reuse_from_the_citizens_store(api):
    # HT-002's identity paper is reusable: after one dossier with it, the citizen's store has it
    proc = api.procedure("HT-002")
    reusable = [c["id"] for c in proc["components"] if c.get("reusable")]
    assert reusable, proc["components"]
    first = api.file(CITIZEN, pid="HT-002")
    r = api.srv.get("/api/v1/me/documents", token=api.tok[CITIZEN])
    assert r.status == 200, r
    docs = r.json()["items"]
    mine = {doc["sha256"] for doc in docs}
    assert api.sha(CITIZEN) in mine
    assert any(doc["dossier_code"] == first["code"] for doc in docs)
    check_error_body(api.srv.get("/api/v1/me/documents", token=api.tok["reception.xuanhoa"]),
                     403, "forbidden")
    comps = []
    for c in api.components("HT-002"):
        if c["component_id"] in reusable:
            comps.append({"component_id": c["component_id"], "source": "reused",
                          "file_sha256": api.sha(CITIZEN)})
        else:
            comps.append(c)
    d = api.file(CITIZEN, pid="HT-002", components=comps)
    reused = [c for c in d["components"] if c["source"] == "reused"]
    assert reused and all(c["media_type"] == "application/pdf" for c in reused)
    # a file that is not in the applicant's store cannot be "reused"
    bad = [{**c, "file_sha256": api.sha("reception.xuanhoa")} if c["source"] == "reused" else c
           for c in comps]
    check_error_body(api.post(CITIZEN, api.body(components=bad)), 400, "invalid_field")
    missing = [{k: v for k, v in c.items() if k != "file_sha256"} if c["source"] == "reused"
               else c for c in comps]
    check_error_body(api.post(CITIZEN, api.body(components=missing)), 400, "missing_field")


def test_a_supplement_replaces_a_component(api):
    d = api.file(CITIZEN, pid="HT-002")
    d = api.act_ok("reception.xuanhoa", d, "request_supplement",
                   note="Bản chụp giấy chứng sinh bị mờ")
    new_scan = api.srv.upload_ok(api.tok[CITIZEN], sample_pdf("giay chung sinh ro net"))
    r = api.act(CITIZEN, d, "supplement",
                components=[{"component_id": "giay_chung_sinh", "source": "uploaded",
                             "file_sha256": "f" * 64}])
    check_error_body(r, 400, "invalid_field", "components[0].file_sha256")
    r = api.act(CITIZEN, d, "supplement",
                components=[{"component_id": "so_ho_khau", "source": "uploaded",
                             "file_sha256": new_scan}])
    check_error_body(r, 400, "invalid_field")
    d = api.act_ok(CITIZEN, d, "supplement",
                   components=[{"component_id": "giay_chung_sinh", "source": "uploaded",
                                "file_sha256": new_scan, "file_name": "chung-sinh.pdf"}])
    comp = {c["component_id"]: c for c in d["components"]}
    assert comp["giay_chung_sinh"]["file_sha256"] == new_scan
    assert d["state"] == "submitted" and d["supplements"][0]["supplied_at"]
    # both the old and the new scan stay part of the record
    r = api.srv.get(f"/api/v1/dossiers/{d['code']}/files/{api.sha(CITIZEN)}",
                    token=api.tok["reception.xuanhoa"])
    assert r.status == 200


def test_files_verify_and_gc(api, binary):
    db = api.srv.db_url
    files = str(api.srv.workdir / "files")
    out = subprocess.run([binary, "files", "verify", "--db", db, "--files", files],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.startswith("files ok:"), out
    # an orphan blob (as a crash between rename and commit leaves) is collected; a recorded one
    # damaged on disk is reported
    orphan = sample_pdf("orphan")
    osha = hashlib.sha256(orphan).hexdigest()
    path = api.srv.workdir / "files" / "blobs" / osha[:2] / osha[2:4]
    path.mkdir(parents=True, exist_ok=True)
    (path / osha).write_bytes(orphan)
    out = subprocess.run([binary, "files", "gc", "--db", db, "--files", files,
                          "--files-gc-grace", "0"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "1 unrecorded blob(s) removed" in out.stdout, out
    assert not (path / osha).exists()
    victim = api.sha(CITIZEN)
    vpath = api.srv.workdir / "files" / "blobs" / victim[:2] / victim[2:4] / victim
    original = vpath.read_bytes()
    try:
        vpath.write_bytes(original[:-10])
        out = subprocess.run([binary, "files", "verify", "--db", db, "--files", files],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 1 and f"{victim}: content does not match" in out.stdout, out
    finally:
        vpath.write_bytes(original)
