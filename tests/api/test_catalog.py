"""The procedure catalog: listing, accent-insensitive search, filters, paging, one procedure and
its stored versions (including a re-import that creates version 2)."""

from __future__ import annotations

import json
import re
import subprocess
import time
import unicodedata
import urllib.parse

import pytest

from support import ISO_VN, REPO_ROOT, check_error_body, fold

SUMMARY_KEYS = {"id", "national_code", "name", "name_en", "field", "level", "agency_kind",
                "processing_working_days", "time_unit", "fee_vnd", "online_level",
                "eligible_full_online", "applicants", "version"}


def search(server, **params):
    r = server.get("/api/v1/procedures?" + urllib.parse.urlencode(params))
    assert r.status == 200, r
    body = r.json()
    assert set(body) == {"items", "total", "offset", "limit"}
    for item in body["items"]:
        assert set(item) == SUMMARY_KEYS, set(item) ^ SUMMARY_KEYS
    return body


def all_items(server, **params):
    items, offset = [], 0
    while True:
        page = search(server, offset=offset, limit=100, **params)
        items += page["items"]
        offset += 100
        if offset >= page["total"]:
            assert len(items) == page["total"]
            return items


def test_default_listing(server):
    body = search(server)
    assert body["total"] == 105
    assert body["offset"] == 0 and body["limit"] == 20 and len(body["items"]) == 20
    items = all_items(server)
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids)) == 105
    assert "HT-001" in ids
    assert all(i["version"] >= 1 for i in items)


def test_paging(server):
    full = all_items(server)
    pages = []
    for offset in range(0, 105, 25):
        page = search(server, offset=offset, limit=25)
        assert page["total"] == 105 and page["offset"] == offset and page["limit"] == 25
        pages += page["items"]
    assert pages == full
    assert len(search(server, limit=100)["items"]) == 100
    assert len(search(server, offset=100, limit=100)["items"]) == 5
    tail = search(server, offset=105)
    assert tail["items"] == [] and tail["total"] == 105
    assert search(server, limit=0)["items"] == []


@pytest.mark.parametrize("query,field", [
    ("limit=101", "limit"), ("limit=-1", "limit"), ("limit=ten", "limit"), ("limit=", "limit"),
    ("offset=-5", "offset"), ("offset=0x10", "offset"), ("level=district", "level"),
    ("level=COMMUNE", "level"), ("online_level=some", "online_level"),
    ("q=" + "a" * 201, "q"), ("field=" + "b" * 201, "field"), ("agency=" + "c" * 201, "agency"),
])
def test_bad_parameters(server, query, field):
    check_error_body(server.get("/api/v1/procedures?" + query), 400, "invalid_field", field)


def test_unknown_query_parameter(server):
    check_error_body(server.get("/api/v1/procedures?q=x&sort=name"), 400, "unknown_field",
                     "sort")


@pytest.mark.parametrize("q", ["dang ky khai sinh", "đăng ký khai sinh", "ĐĂNG KÝ KHAI SINH",
                               "Dang Ky Khai Sinh", "  dang   ky khai sinh ",
                               unicodedata.normalize("NFD", "Đăng ký khai sinh")],
                         ids=["ascii", "accented", "upper_case", "title_case", "extra_spaces",
                              "nfd"])
def test_birth_registration_search(server, q):
    body = search(server, q=q)
    first = body["items"][0]
    assert first["id"] == "HT-001"
    assert first["name"] == "Thủ tục đăng ký khai sinh"
    assert body["total"] == search(server, q="dang ky khai sinh")["total"]


def test_search_while_typing(server):
    """The last word may be a prefix (typing in progress); earlier words must be whole."""
    typing = search(server, q="dang ky khai si")
    assert typing["items"][0]["id"] == "HT-001"
    assert "HT-001" not in {i["id"] for i in all_items(server, q="dang ky kh sinh")}


def test_search_url_encoded_upper_case(server):
    path = "/api/v1/procedures?q=%C4%90%C4%82NG%20K%C3%9D%20KHAI%20SINH"  # ĐĂNG KÝ KHAI SINH
    r = server.get(path)
    assert r.status == 200
    plain = search(server, q="dang ky khai sinh")
    assert r.json() == plain
    assert r.json()["items"][0]["name"] == "Thủ tục đăng ký khai sinh"
    plus = server.get("/api/v1/procedures?q=dang+ky+khai+sinh").json()  # + is a space
    assert plus == plain


def test_marriage_search(server):
    body = search(server, q="dang ky ket hon")
    assert body["total"] >= 1
    names = [i["name"] for i in body["items"]]
    assert names[0] == "Thủ tục đăng ký kết hôn"
    assert "Thủ tục đăng ký kết hôn có yếu tố nước ngoài" in names
    # the best matches come first
    assert all("ket hon" in fold(n) for n in names[:3]), names


def test_search_without_match(server):
    body = search(server, q="khong co thu tuc nay xyz")
    assert body == {"items": [], "total": 0, "offset": 0, "limit": 20}


@pytest.mark.parametrize("param,value,expected", [
    ("level", "commune", 71), ("level", "province", 34),
    ("online_level", "full", 30), ("online_level", "partial", 71), ("online_level", "none", 4),
])
def test_filters(server, param, value, expected):
    items = all_items(server, **{param: value})
    assert len(items) == expected
    assert all(i[param] == value for i in items)


def test_filters_partition_the_catalog(server):
    assert sum(search(server, level=v)["total"] for v in ("commune", "province")) == 105
    assert sum(search(server, online_level=v)["total"]
               for v in ("full", "partial", "none")) == 105


def test_field_and_agency_filters(server):
    civil = all_items(server, field="Hộ tịch")
    assert civil and all(i["field"] == "Hộ tịch" for i in civil)
    assert "HT-001" in {i["id"] for i in civil}
    commune = all_items(server, agency="UBND_XA")
    assert commune and all(i["agency_kind"] == "UBND_XA" for i in commune)
    everything = all_items(server)
    assert len(civil) == sum(1 for i in everything if i["field"] == "Hộ tịch")
    assert len(commune) == sum(1 for i in everything if i["agency_kind"] == "UBND_XA")
    assert search(server, agency="NO_SUCH_AGENCY")["total"] == 0


def test_field_filter_without_letters_matches_nothing(server):
    """A field filter that names no field matches nothing; it is not silently dropped."""
    matched = {}
    for value in ("%", "_", "*", "?", "--"):
        total = search(server, field=value)["total"]
        if total:
            matched[value] = total
    assert not matched, f"field filters that matched procedures: {matched}"


def test_combined_filters(server):
    everything = all_items(server)
    both = all_items(server, level="commune", online_level="full")
    expected = [i for i in everything if i["level"] == "commune" and i["online_level"] == "full"]
    assert sorted(i["id"] for i in both) == sorted(i["id"] for i in expected)
    searched = all_items(server, q="khai sinh", level="province")
    assert all(i["level"] == "province" for i in searched)


def test_one_procedure(server):
    r = server.get("/api/v1/procedures/HT-001")
    assert r.status == 200
    p = r.json()
    assert p["id"] == "HT-001" and p["name"] == "Thủ tục đăng ký khai sinh"
    assert p["level"] == "commune" and p["online_level"] == "full"
    assert isinstance(p["components"], list) and p["components"]
    assert all("name" in c for c in p["components"])
    assert isinstance(p["steps"], list) and p["steps"]
    assert isinstance(p["version"], int) and p["version"] >= 1
    assert ISO_VN.match(p["imported_at"]), p["imported_at"]
    # the listing's summary agrees with the record
    summary = search(server, q="dang ky khai sinh")["items"][0]
    assert {k: p[k] for k in SUMMARY_KEYS} == summary


def test_one_procedure_at_a_version(server):
    current = server.get("/api/v1/procedures/HT-001").json()
    r = server.get(f"/api/v1/procedures/HT-001?version={current['version']}")
    assert r.status == 200
    stored = r.json()
    assert stored["is_current"] is True
    assert {k: v for k, v in stored.items() if k != "is_current"} == current


@pytest.mark.parametrize("version", ["abc", "0", "-1", "1.0", "", " 1"])
def test_bad_version(server, version):
    r = server.get("/api/v1/procedures/HT-001?version=" + urllib.parse.quote(version))
    check_error_body(r, 400, "invalid_field", "version")


def test_missing_version(server):
    check_error_body(server.get("/api/v1/procedures/HT-001?version=99"), 404, "not_found",
                     "version")


@pytest.mark.parametrize("path", ["/api/v1/procedures/NOPE", "/api/v1/procedures/ht-001",
                                  "/api/v1/procedures/NOPE?version=1",
                                  "/api/v1/procedures/" + "X" * 40,
                                  "/api/v1/procedures/" + "X" * 40 + "?version=1",
                                  "/api/v1/procedures/NOPE/versions",
                                  "/api/v1/procedures/" + "Y" * 40 + "/versions"])
def test_unknown_procedure(server, path):
    check_error_body(server.get(path), 404, "not_found", "id")


def test_versions(server):
    r = server.get("/api/v1/procedures/HT-001/versions")
    assert r.status == 200
    body = r.json()
    assert body["id"] == "HT-001"
    assert len(body["items"]) >= 1
    for v in body["items"]:
        assert set(v) == {"version", "imported_at", "is_current", "content_sha256"}
        assert re.fullmatch(r"[0-9a-f]{64}", v["content_sha256"])
        assert ISO_VN.match(v["imported_at"])
    assert [v["version"] for v in body["items"]] == list(range(1, len(body["items"]) + 1))
    assert [v["is_current"] for v in body["items"]].count(True) == 1
    assert body["items"][-1]["is_current"] is True
    check_error_body(server.get("/api/v1/procedures/HT-001/versions?all=1"), 400,
                     "unknown_field", "all")


def test_reimport_creates_a_new_version(own_server, tmp_path):
    """A changed procedure gets version 2; version 1 stays readable; the running server picks
    the change up without a restart."""
    srv = own_server()
    catalog = json.loads((REPO_ROOT / "data" / "procedures.json").read_text())
    for p in catalog["procedures"]:
        if p["id"] == "HT-001":
            p["name_en"] = "Birth registration (revised by the API tests)"
    changed = tmp_path / "procedures.json"
    changed.write_text(json.dumps(catalog, ensure_ascii=False))
    before = srv.get("/api/v1/procedures/HT-001").json()
    assert before["version"] == 1
    out = subprocess.run([srv.binary, "import", "procedures", str(changed), "--db", srv.db_url],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "1 changed" in out.stdout + out.stderr, out.stdout + out.stderr
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        now = srv.get("/api/v1/procedures/HT-001").json()
        if now["version"] == 2:
            break
        time.sleep(0.25)
    assert now["version"] == 2, "the server did not reload the catalog within 20 s"
    assert now["name_en"] == "Birth registration (revised by the API tests)"
    versions = srv.get("/api/v1/procedures/HT-001/versions").json()["items"]
    assert [(v["version"], v["is_current"]) for v in versions] == [(1, False), (2, True)]
    assert versions[0]["content_sha256"] != versions[1]["content_sha256"]
    v1 = srv.get("/api/v1/procedures/HT-001?version=1").json()
    assert v1["is_current"] is False and v1["version"] == 1
    assert v1["name_en"] == before["name_en"]
    v2 = srv.get("/api/v1/procedures/HT-001?version=2").json()
    assert v2["is_current"] is True and v2["name_en"] == now["name_en"]
    # nothing else changed
    assert search(srv)["total"] == 105
    assert srv.get("/api/v1/procedures/HT-002/versions").json()["items"][0]["is_current"]
    assert len(srv.get("/api/v1/procedures/HT-002/versions").json()["items"]) == 1
    hit = search(srv, q="dang ky khai sinh")["items"][0]
    assert hit["id"] == "HT-001" and hit["version"] == 2
