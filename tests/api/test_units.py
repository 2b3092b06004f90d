"""The unit directory: provinces, communes/wards, agencies, search, paging, one unit with its
ancestors, and the accounts of a unit."""

from __future__ import annotations

import collections
import unicodedata
import urllib.parse

import pytest

from support import ISO_VN, check_error_body, fold

UNIT_KEYS = {"code", "name", "name_en", "kind", "category", "parent_code"}


def units(server, **params):
    r = server.get("/api/v1/units" + ("?" + urllib.parse.urlencode(params) if params else ""))
    assert r.status == 200, r
    body = r.json()
    assert set(body) == {"items", "total", "offset", "limit"}, body.keys()
    for item in body["items"]:
        assert set(item) == UNIT_KEYS, item
    return body


def test_provinces_by_default(server):
    body = units(server)
    assert body["total"] == 34 and len(body["items"]) == 34
    assert body["offset"] == 0 and body["limit"] == 5000
    assert all(u["kind"] == "province" and u["parent_code"] is None
               and u["category"] == "administrative" for u in body["items"])
    by_code = {u["code"]: u["name"] for u in body["items"]}
    assert by_code["25"] == "Tỉnh Phú Thọ"
    assert by_code["01"] == "Thành phố Hà Nội"
    assert len(by_code) == 34


def test_children_of_phu_tho(server):
    body = units(server, parent="25")
    assert body["total"] == 148 and len(body["items"]) == 148
    kinds = collections.Counter(u["kind"] for u in body["items"])
    assert kinds == {"xa": 133, "phuong": 15}
    assert all(u["parent_code"] == "25" and u["category"] == "administrative"
               for u in body["items"])
    codes = [u["code"] for u in body["items"]]
    assert len(set(codes)) == 148
    names = {u["code"]: u["name"] for u in body["items"]}
    assert names["08746"] == "Phường Xuân Hòa"
    assert names["07900"] == "Phường Việt Trì"
    assert "00004" not in names  # a ward of Hà Nội


def test_paging_is_consistent(server):
    full = units(server, parent="25")["items"]
    pages = []
    for offset in range(0, 148, 40):
        page = units(server, parent="25", offset=offset, limit=40)
        assert page["total"] == 148 and page["offset"] == offset and page["limit"] == 40
        pages += page["items"]
    assert pages == full
    end = units(server, parent="25", offset=148)
    assert end["items"] == [] and end["total"] == 148
    empty = units(server, parent="25", limit=0)
    assert empty["items"] == [] and empty["total"] == 148


@pytest.mark.parametrize("param,value", [("limit", "5001"), ("limit", "-1"), ("limit", "abc"),
                                         ("limit", ""), ("offset", "-1"), ("offset", "1e3"),
                                         ("offset", "99999999999")])
def test_bad_paging(server, param, value):
    r = server.get(f"/api/v1/units?parent=25&{param}={urllib.parse.quote(value)}")
    check_error_body(r, 400, "invalid_field", param)


def test_agencies(server):
    body = units(server, parent="25", category="agency")
    codes = {u["code"] for u in body["items"]}
    assert body["total"] == 17 == len(codes)
    assert {"SNV", "TTPVHCC", "UBND_TINH", "STP", "CAT"} <= codes
    assert all(u["category"] == "agency" and u["parent_code"] == "25" for u in body["items"])
    snv = next(u for u in body["items"] if u["code"] == "SNV")
    assert snv["name"] == "Sở Nội vụ tỉnh Phú Thọ" and snv["kind"] == "department"
    assert snv["name_en"] == "Phu Tho Department of Home Affairs"


def test_categories(server):
    templates = units(server, parent="25", category="agency_template")
    assert templates["total"] == 3
    assert all(u["category"] == "agency_template" for u in templates["items"])
    explicit = units(server, parent="25", category="administrative")
    assert explicit == units(server, parent="25")
    everything = units(server, parent="25", category="all")
    assert everything["total"] == 148 + 17 + 3
    assert collections.Counter(u["category"] for u in everything["items"]) == {
        "administrative": 148, "agency": 17, "agency_template": 3}
    branches = units(server, parent="TTPVHCC", category="agency")
    assert [u["code"] for u in branches["items"]] == ["TTPVHCC_CN1", "TTPVHCC_CN2",
                                                      "TTPVHCC_CN3"]


def test_bad_category(server):
    check_error_body(server.get("/api/v1/units?category=bogus"), 400, "invalid_field",
                     "category")
    check_error_body(server.get("/api/v1/units?parent=25&category=AGENCY"), 400,
                     "invalid_field", "category")


def test_unknown_parent(server):
    check_error_body(server.get("/api/v1/units?parent=99999"), 404, "not_found", "parent")


@pytest.mark.parametrize("query", ["foo=1", "parent=25&Parent=25", "name=x", "page=2"])
def test_unknown_query_parameter(server, query):
    r = server.get("/api/v1/units?" + query)
    err = check_error_body(r, 400, "unknown_field")
    assert err["field"] == query.split("&")[-1].split("=")[0]


@pytest.mark.parametrize("q", ["xuan hoa", "Xuân Hòa", "XUÂN HÒA", "xuân hoà", "XUAN HOA",
                               unicodedata.normalize("NFD", "Xuân Hòa")],
                         ids=["ascii", "accented", "upper_case", "old_tone_mark", "upper_ascii",
                              "nfd"])
def test_search_is_accent_insensitive(server, q):
    body = units(server, parent="25", q=q)
    assert [u["code"] for u in body["items"]] == ["08746"]
    assert body["total"] == 1


def test_search_all_provinces(server):
    body = units(server, q="xuan hoa")
    codes = {u["code"]: u["parent_code"] for u in body["items"]}
    assert body["total"] == len(codes) == 5
    assert codes["08746"] == "25" and codes["02962"] == "15"
    # Đ folds to d
    ba_dinh = units(server, q="ba dinh")
    assert "00004" in {u["code"] for u in ba_dinh["items"]}
    assert all("ba dinh" in fold(u["name"]) for u in ba_dinh["items"])
    assert units(server, parent="25", q="viet tri")["items"][0]["code"] == "07900"
    assert units(server, q="khong co don vi nay")["total"] == 0


def test_search_too_long(server):
    check_error_body(server.get("/api/v1/units?q=" + "a" * 201), 400, "invalid_field", "q")
    assert units(server, q="a" * 200)["total"] == 0


def test_one_unit_with_ancestors(server):
    r = server.get("/api/v1/units/08746")
    assert r.status == 200
    u = r.json()
    assert u == {"code": "08746", "name": "Phường Xuân Hòa", "name_en": "", "kind": "phuong",
                 "category": "administrative", "parent_code": "25",
                 "ancestors": [{"code": "25", "name": "Tỉnh Phú Thọ", "name_en": "",
                                "kind": "province", "category": "administrative",
                                "parent_code": None}],
                 "children_count": 0}


def test_province_and_nested_agency(server):
    p = server.get("/api/v1/units/25").json()
    assert p["ancestors"] == [] and p["parent_code"] is None
    assert p["children_count"] == 168
    t = server.get("/api/v1/units/TTDVVL").json()
    assert [a["code"] for a in t["ancestors"]] == ["SNV", "25"]  # nearest first
    assert t["category"] == "agency" and t["parent_code"] == "SNV"
    assert server.get("/api/v1/units/SNV").json()["children_count"] == 1
    assert server.get("/api/v1/units/01").json()["children_count"] == 126


@pytest.mark.parametrize("code", ["99999", "nope", "08746x", "0874", "%2508746"])
def test_unknown_unit(server, code):
    check_error_body(server.get(f"/api/v1/units/{code}"), 404, "not_found", "code")


def test_unit_rejects_query_parameters(server):
    check_error_body(server.get("/api/v1/units/08746?verbose=1"), 400, "unknown_field",
                     "verbose")


USER_KEYS = {"username", "role", "unit", "full_name", "disabled", "created_at"}


def test_users_of_a_unit(server, admin_token):
    r = server.get("/api/v1/units/07900/users", token=admin_token)
    assert r.status == 200, r
    body = r.json()
    assert set(body) == {"items"}
    for item in body["items"]:
        assert set(item) == USER_KEYS, item
        assert item["unit"] == "07900"
        assert ISO_VN.match(item["created_at"]), item
    by_name = {i["username"]: i for i in body["items"]}
    v = by_name["reception.viettri"]
    assert v["role"] == "reception" and v["full_name"] == "Cán bộ một cửa phường Việt Trì"
    assert v["disabled"] is False
    lowered = r.body.lower()
    for secret in (b"argon2", b"password", b"hash", b"$argon"):
        assert secret not in lowered, f"{secret!r} in {r.body[:500]!r}"


def test_users_of_the_province_and_a_ward(server, admin_token):
    names = {i["username"]: i["role"] for i in
             server.get("/api/v1/units/25/users", token=admin_token).json()["items"]}
    assert names["admin.phutho"] == "admin" and names["auditor.phutho"] == "auditor"
    ward = {i["username"]: i["role"] for i in
            server.get("/api/v1/units/08746/users", token=admin_token).json()["items"]}
    assert ward["leader.xuanhoa"] == "leader"
    assert ward["specialist.xuanhoa"] == "specialist"
    assert ward["reception.xuanhoa"] == "reception"
    assert "admin.phutho" not in ward and "reception.viettri" not in ward


def test_users_of_an_unknown_unit(server, admin_token):
    check_error_body(server.get("/api/v1/units/99999/users", token=admin_token), 404,
                     "not_found", "code")


def test_users_rejects_query_parameters(server, admin_token):
    check_error_body(server.get("/api/v1/units/08746/users?role=admin", token=admin_token),
                     400, "unknown_field", "role")
