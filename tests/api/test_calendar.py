"""The working calendar: appointment computations (/calendar/deadline) across Tết, Hùng Kings'
day, weekends, the 15:00 cut-off and the four time units; the year's days off and make-up days
(/calendar/days) for any year 1900-2100; and the overrides admins maintain (PUT/DELETE
/calendar/overrides/{date}), which take effect at once.

2026 for reference: Tết Nguyên đán is Mon 16/2 (29 tháng Chạp) to Fri 20/2; Giỗ Tổ Hùng Vương
(10/3 lunar) is Sunday 26/4, so Monday 27/4 is its compensatory day; 30/4 and 1/5 are Thursday
and Friday; 2/1 is an official day off made up on Saturday 10/1 (data/calendar-overrides.csv)."""

from __future__ import annotations

import re
import urllib.parse

import pytest

from support import ISO_VN, check_error_body, verify_audit

KINDS = {"workday", "weekend", "public_holiday", "compensatory", "official_day_off",
         "make_up_workday"}


def deadline(server, **params):
    return server.get("/api/v1/calendar/deadline?" + urllib.parse.urlencode(params))


def deadline_ok(server, **params) -> dict:
    r = deadline(server, **params)
    assert r.status == 200, (params, r)
    body = r.json()
    assert set(body) == {"from", "counting_from", "due"}, body
    for k in body:
        assert ISO_VN.match(body[k]), (k, body[k])
    return body


def days_of(server, year) -> list[dict]:
    r = server.get(f"/api/v1/calendar/days?year={year}")
    assert r.status == 200, r
    body = r.json()
    assert set(body) == {"year", "days"} and body["year"] == int(year), body.keys()
    for d in body["days"]:
        assert set(d) == {"date", "kind", "working", "reason_vi", "reason_en"}, d
        assert d["date"].startswith(f"{int(year):04d}-"), d
        assert d["kind"] in KINDS - {"workday", "weekend"}, d
        assert d["working"] == (d["kind"] == "make_up_workday"), d
        assert d["reason_vi"] and isinstance(d["reason_en"], str), d  # reason_en is optional
    dates = [d["date"] for d in body["days"]]
    assert dates == sorted(dates) and len(set(dates)) == len(dates), dates
    return body["days"]


# --- deadlines ---------------------------------------------------------------------------------

DEADLINES = [
    # id, from, amount, unit, counting_from, due
    ("tet_2026", "2026-02-13T10:00:00+07:00", 3, "working_day",
     "2026-02-13T10:00:00+07:00", "2026-02-25T10:00:00+07:00"),
    ("default_unit_is_working_day", "2026-02-13T10:00:00+07:00", 3, None,
     "2026-02-13T10:00:00+07:00", "2026-02-25T10:00:00+07:00"),
    ("hung_kings_and_30_4", "2026-04-24T10:00:00+07:00", 5, "working_day",
     "2026-04-24T10:00:00+07:00", "2026-05-06T10:00:00+07:00"),
    ("after_cutoff_next_working_day", "2026-04-23T15:30:00+07:00", 1, "working_day",
     "2026-04-24T07:30:00+07:00", "2026-04-24T17:00:00+07:00"),
    ("at_cutoff_over_compensatory_day", "2026-04-24T15:00:00+07:00", 2, "working_day",
     "2026-04-28T07:30:00+07:00", "2026-04-29T17:00:00+07:00"),
    ("just_before_cutoff", "2026-04-24T14:59:00+07:00", 1, "working_day",
     "2026-04-24T14:59:00+07:00", "2026-04-28T14:59:00+07:00"),
    ("before_office_hours", "2026-04-24T06:00:00+07:00", 1, "working_day",
     "2026-04-24T07:30:00+07:00", "2026-04-24T17:00:00+07:00"),
    ("lunch_break", "2026-04-24T12:00:00+07:00", 1, "working_day",
     "2026-04-24T13:30:00+07:00", "2026-04-28T11:30:00+07:00"),
    ("saturday_then_holidays", "2026-04-25T09:00:00+07:00", 1, "working_day",
     "2026-04-28T07:30:00+07:00", "2026-04-28T17:00:00+07:00"),
    ("make_up_saturday_is_worked", "2026-01-09T10:00:00+07:00", 1, "working_day",
     "2026-01-09T10:00:00+07:00", "2026-01-10T10:00:00+07:00"),
    ("new_year_and_official_day_off", "2025-12-31T10:00:00+07:00", 1, "working_day",
     "2025-12-31T10:00:00+07:00", "2026-01-05T10:00:00+07:00"),
    ("utc_input", "2026-04-24T03:00:00Z", 1, "working_day",
     "2026-04-24T10:00:00+07:00", "2026-04-28T10:00:00+07:00"),
    ("other_offset", "2026-04-24T05:00:00+02:00", 1, "working_day",
     "2026-04-24T10:00:00+07:00", "2026-04-28T10:00:00+07:00"),
    ("hours", "2026-04-24T10:00:00+07:00", 4, "hour",
     "2026-04-24T10:00:00+07:00", "2026-04-24T16:00:00+07:00"),
    ("hours_after_cutoff", "2026-04-24T16:00:00+07:00", 2, "hour",
     "2026-04-28T07:30:00+07:00", "2026-04-28T09:30:00+07:00"),
    ("calendar_days_end_on_holidays", "2026-04-24T10:00:00+07:00", 6, "calendar_day",
     "2026-04-24T10:00:00+07:00", "2026-05-04T17:00:00+07:00"),
    ("calendar_days", "2026-04-24T10:00:00+07:00", 15, "calendar_day",
     "2026-04-24T10:00:00+07:00", "2026-05-11T17:00:00+07:00"),
    ("month_clamped_to_saturday", "2026-01-30T10:00:00+07:00", 1, "month",
     "2026-01-30T10:00:00+07:00", "2026-03-02T17:00:00+07:00"),
    ("month_over_tet", "2026-01-16T10:00:00+07:00", 1, "month",
     "2026-01-16T10:00:00+07:00", "2026-02-23T17:00:00+07:00"),
    ("months_leap_february", "2027-12-31T10:00:00+07:00", 2, "month",
     "2027-12-31T10:00:00+07:00", "2028-02-29T17:00:00+07:00"),
    ("amount_0_same_day", "2026-04-24T10:00:00+07:00", 0, "working_day",
     "2026-04-24T10:00:00+07:00", "2026-04-24T17:00:00+07:00"),
    ("amount_0_after_cutoff", "2026-04-24T16:00:00+07:00", 0, "working_day",
     "2026-04-28T07:30:00+07:00", "2026-04-28T17:00:00+07:00"),
    ("amount_0_calendar_day", "2026-04-25T10:00:00+07:00", 0, "calendar_day",
     "2026-04-28T07:30:00+07:00", "2026-04-28T17:00:00+07:00"),
    ("year_1900", "1900-01-02T10:00:00+07:00", 1, "working_day",
     "1900-01-02T10:00:00+07:00", "1900-01-03T10:00:00+07:00"),
]


@pytest.mark.parametrize("case", DEADLINES, ids=[c[0] for c in DEADLINES])
def test_deadline(server, case):
    _id, frm, amount, unit, counting_from, due = case
    params = {"from": frm, "amount": amount}
    if unit is not None:
        params["unit"] = unit
    body = deadline_ok(server, **params)
    assert body["counting_from"] == counting_from, body
    assert body["due"] == due, body
    assert body["due"] >= body["counting_from"]


def test_deadline_defaults_to_now(server):
    body = deadline_ok(server, amount=1)
    assert body["counting_from"] >= body["from"]
    assert body["due"] > body["counting_from"]


def test_deadline_needs_no_login_and_ignores_a_token(server, admin_token):
    params = {"from": "2026-02-13T10:00:00+07:00", "amount": 3}
    r = server.get("/api/v1/calendar/deadline?" + urllib.parse.urlencode(params),
                   token=admin_token)
    assert r.status == 200 and r.json()["due"] == "2026-02-25T10:00:00+07:00"


BAD_DEADLINES = [
    # id, params, field
    ("missing_amount", {"from": "2026-04-24T10:00:00+07:00"}, "amount"),
    ("empty_amount", {"amount": ""}, "amount"),
    ("negative_amount", {"amount": "-1"}, "amount"),
    ("fractional_amount", {"amount": "1.5"}, "amount"),
    ("amount_with_plus", {"amount": "+1"}, "amount"),
    ("amount_letters", {"amount": "three"}, "amount"),
    ("amount_over_the_limit", {"amount": "3651"}, "amount"),
    ("huge_amount", {"amount": "99999999999999999999"}, "amount"),
    ("months_over_the_limit", {"amount": "121", "unit": "month"}, "amount"),
    ("due_after_2100", {"from": "2100-12-31T10:00:00+07:00", "amount": "1"}, "amount"),
    ("unit_week", {"amount": "1", "unit": "week"}, "unit"),
    ("unit_empty", {"amount": "1", "unit": ""}, "unit"),
    ("unit_case", {"amount": "1", "unit": "WORKING_DAY"}, "unit"),
    ("from_without_offset", {"from": "2026-04-24T10:00:00", "amount": "1"}, "from"),
    ("from_date_only", {"from": "2026-04-24", "amount": "1"}, "from"),
    ("from_garbage", {"from": "garbage", "amount": "1"}, "from"),
    ("from_empty", {"from": "", "amount": "1"}, "from"),
    ("from_impossible_date", {"from": "2026-02-30T10:00:00+07:00", "amount": "1"}, "from"),
    ("from_bad_hour", {"from": "2026-04-24T25:00:00+07:00", "amount": "1"}, "from"),
    ("from_sql", {"from": "2026-04-24T10:00:00+07:00' OR '1'='1", "amount": "1"}, "from"),
]


@pytest.mark.parametrize("case", BAD_DEADLINES, ids=[c[0] for c in BAD_DEADLINES])
def test_bad_deadline_request(server, case):
    _id, params, field = case
    check_error_body(deadline(server, **params), 400, "invalid_field", field)


def test_deadline_unknown_parameter(server):
    check_error_body(deadline(server, amount=1, days=3), 400, "unknown_field", "days")


@pytest.mark.parametrize("frm", ["1899-12-31T10:00:00+07:00", "2101-01-03T10:00:00+07:00"])
def test_deadline_out_of_range_from_names_the_parameter(server, frm):
    check_error_body(deadline(server, **{"from": frm, "amount": 1}), 400, "invalid_field", "from")


# --- the days of a year ------------------------------------------------------------------------

def test_days_2026(server):
    days = {d["date"]: d for d in days_of(server, 2026)}
    tet = [f"2026-02-{n}" for n in range(16, 21)]
    for date in tet:
        assert days[date]["kind"] == "public_holiday" and not days[date]["working"], days[date]
        assert "Tết Nguyên đán" in days[date]["reason_vi"], days[date]
    assert "29 tháng Chạp" in days["2026-02-16"]["reason_vi"]
    assert "mùng 1 tháng Giêng" in days["2026-02-17"]["reason_vi"]
    hung = days["2026-04-26"]
    assert hung["kind"] == "public_holiday" and "Giỗ Tổ Hùng Vương" in hung["reason_vi"], hung
    comp = days["2026-04-27"]
    assert comp["kind"] == "compensatory" and not comp["working"], comp
    assert comp["reason_vi"].startswith("Nghỉ bù") and "Hùng Vương" in comp["reason_vi"], comp
    assert "26/04/2026" in comp["reason_vi"]
    for date, words in (("2026-01-01", "Tết Dương lịch"), ("2026-04-30", "30/4"),
                        ("2026-05-01", "Lao động"), ("2026-09-02", "Quốc khánh")):
        assert days[date]["kind"] == "public_holiday" and words in days[date]["reason_vi"], date
    # the official overrides bundled for 2026
    assert days["2026-01-02"]["kind"] == "official_day_off"
    assert days["2026-01-10"]["kind"] == "make_up_workday" and days["2026-01-10"]["working"]
    assert "12729/VPCP-KGVX" in days["2026-01-10"]["reason_vi"]
    assert days["2026-08-31"]["kind"] == "official_day_off"
    assert days["2026-08-22"]["working"]
    # ordinary days and plain weekends are not listed
    for date in ("2026-04-24", "2026-04-25", "2026-03-02"):
        assert date not in days, date
    # Vietnamese reasons are Vietnamese; the computed and bundled days have English ones too
    assert all(re.search(r"[À-ỹĐđ]", d["reason_vi"]) for d in days.values()), days
    assert all(d["reason_en"] for d in days.values()), days


def test_days_weekend_holidays_give_compensatory_days(server):
    # 2028: 30/4 is a Sunday, 1/5 a Monday: the compensatory day is Tuesday 2/5
    days = {d["date"]: d for d in days_of(server, 2028)}
    assert days["2028-04-30"]["kind"] == "public_holiday"
    assert days["2028-05-01"]["kind"] == "public_holiday"
    assert days["2028-05-02"]["kind"] == "compensatory", days.get("2028-05-02")


@pytest.mark.parametrize("year", ["1900", "2100", "2000"])
def test_days_any_year(server, year):
    days = days_of(server, year)
    kinds = [d["kind"] for d in days]
    assert kinds.count("public_holiday") >= 10, kinds
    assert f"{year}-01-01" in [d["date"] for d in days]


@pytest.mark.parametrize("query", ["year=1899", "year=2101", "year=0000", "year=26", "year=abcd",
                                   "year=", "", "year=20260", "year=-2026", "year=2026.0",
                                   "year=%202026"])
def test_days_bad_year(server, query):
    r = server.get("/api/v1/calendar/days?" + query)
    check_error_body(r, 400, "invalid_field", "year")


def test_days_unknown_parameter(server):
    check_error_body(server.get("/api/v1/calendar/days?year=2026&month=4"), 400,
                     "unknown_field", "month")


# --- overrides --------------------------------------------------------------------------------

# Far from any data other tests rely on: Tuesday 10 June 2031 and the days after.
TUE, WED, THU, FRI, SAT = (f"2031-06-{n}" for n in (10, 11, 12, 13, 14))


def put_override(server, date, body, token):
    return server.request("PUT", f"/api/v1/calendar/overrides/{date}", json_body=body,
                          token=token)


def delete_override(server, date, token):
    return server.request("DELETE", f"/api/v1/calendar/overrides/{date}", token=token)


def due_2031(server, day: str, amount=1) -> str:
    return deadline_ok(server, **{"from": f"{day}T10:00:00+07:00", "amount": amount})["due"]


def test_override_day_off_moves_deadlines_at_once(server, admin_token):
    assert due_2031(server, TUE) == f"{WED}T10:00:00+07:00"
    body = {"working": False, "reason_vi": "Nghỉ đột xuất do bão số 3 (thử nghiệm)",
            "reason_en": "Storm day off (test)"}
    r = put_override(server, WED, body, admin_token)
    try:
        assert r.status == 200, r
        assert r.json() == {"date": WED, **body}
        assert due_2031(server, TUE) == f"{THU}T10:00:00+07:00"
        day = {d["date"]: d for d in days_of(server, 2031)}[WED]
        assert day == {"date": WED, "kind": "official_day_off", "working": False,
                       "reason_vi": body["reason_vi"], "reason_en": body["reason_en"]}
        # a receipt on the day off counts from the next working day
        b = deadline_ok(server, **{"from": f"{WED}T09:00:00+07:00", "amount": 1})
        assert b["counting_from"] == f"{THU}T07:30:00+07:00"
        # putting it again replaces it (idempotent), reason_en optional
        r = put_override(server, WED, {"working": False, "reason_vi": "Nghỉ đột xuất"},
                         admin_token)
        assert r.status == 200 and r.json()["reason_en"] == "", r
        assert {d["date"]: d for d in days_of(server, 2031)}[WED]["reason_vi"] == "Nghỉ đột xuất"
    finally:
        r = delete_override(server, WED, admin_token)
    assert r.status == 204 and r.body == b"", r
    assert due_2031(server, TUE) == f"{WED}T10:00:00+07:00"
    assert WED not in {d["date"] for d in days_of(server, 2031)}
    check_error_body(delete_override(server, WED, admin_token), 404, "not_found")


def test_override_make_up_saturday(server, admin_token):
    assert due_2031(server, FRI) == "2031-06-16T10:00:00+07:00"  # Monday
    r = put_override(server, SAT, {"working": True, "reason_vi": "Làm bù (thử nghiệm)"},
                     admin_token)
    try:
        assert r.status == 200, r
        assert due_2031(server, FRI) == f"{SAT}T10:00:00+07:00"
        day = {d["date"]: d for d in days_of(server, 2031)}[SAT]
        assert day["kind"] == "make_up_workday" and day["working"] is True
        # a make-up override on an ordinary working day changes nothing and is not listed
        r = put_override(server, THU, {"working": True, "reason_vi": "Làm việc"}, admin_token)
        assert r.status == 200, r
        assert THU not in {d["date"] for d in days_of(server, 2031)}
        assert due_2031(server, WED) == f"{THU}T10:00:00+07:00"
    finally:
        assert delete_override(server, SAT, admin_token).status == 204
        assert delete_override(server, THU, admin_token).status in (204, 404)
    assert due_2031(server, FRI) == "2031-06-16T10:00:00+07:00"


@pytest.mark.parametrize("who", ["auditor.phutho", "leader.xuanhoa", "reception.xuanhoa",
                                 "specialist.xuanhoa", "leader.snv", "025095000123"])
def test_override_needs_admin(server, tokens, who):
    body = {"working": False, "reason_vi": "Không được phép"}
    check_error_body(put_override(server, WED, body, tokens[who]), 403, "forbidden")
    check_error_body(delete_override(server, WED, tokens[who]), 403, "forbidden")
    assert due_2031(server, TUE) == f"{WED}T10:00:00+07:00"


def test_override_needs_login(server):
    body = {"working": False, "reason_vi": "Không đăng nhập"}
    check_error_body(put_override(server, WED, body, None), 401)
    check_error_body(delete_override(server, WED, None), 401)
    check_error_body(put_override(server, WED, body, "not-a-real-token"), 401)
    assert due_2031(server, TUE) == f"{WED}T10:00:00+07:00"


@pytest.mark.parametrize("date", ["2031-02-30", "2031-6-11", "20310611", "2031-06-11T00:00:00",
                                  "1899-12-31", "2101-01-01", "tomorrow", "2031-13-01",
                                  "2031-06-00", "%20031-06-11"])
def test_override_bad_date(server, admin_token, date):
    body = {"working": False, "reason_vi": "Ngày sai"}
    check_error_body(put_override(server, date, body, admin_token), 400, "invalid_field", "date")
    check_error_body(delete_override(server, date, admin_token), 400, "invalid_field", "date")


@pytest.mark.parametrize("body,code,field", [
    ({"reason_vi": "Thiếu working"}, "missing_field", "working"),
    ({"working": False}, "missing_field", "reason_vi"),
    ({"working": "no", "reason_vi": "x"}, "invalid_field", "working"),
    ({"working": 0, "reason_vi": "x"}, "invalid_field", "working"),
    ({"working": False, "reason_vi": ""}, "invalid_field", "reason_vi"),
    ({"working": False, "reason_vi": "x" * 501}, "invalid_field", "reason_vi"),
    ({"working": False, "reason_vi": 5}, "invalid_field", "reason_vi"),
    ({"working": False, "reason_vi": "x", "colour": "red"}, "unknown_field", "colour"),
    ([], "invalid_field", None),
])
def test_override_bad_body(server, admin_token, body, code, field):
    check_error_body(put_override(server, WED, body, admin_token), 400, code, field)
    assert WED not in {d["date"] for d in days_of(server, 2031)}


def test_override_malformed_json_and_media_type(server, admin_token):
    for raw in (b"", b"{", b'{"working":false,"reason_vi":"\xff"}'):
        r = server.request("PUT", f"/api/v1/calendar/overrides/{WED}", raw, token=admin_token)
        check_error_body(r, 400)
    r = server.request("PUT", f"/api/v1/calendar/overrides/{WED}",
                       b'{"working":false,"reason_vi":"x"}', token=admin_token,
                       content_type="text/plain")
    check_error_body(r, 415, "unsupported_media_type")
    assert WED not in {d["date"] for d in days_of(server, 2031)}


def changes_of(server, token, date):
    r = server.get("/api/v1/calendar/changes", token=token)
    assert r.status == 200, r
    return [c for c in r.json()["items"] if c["date"] == date]


def test_override_changes_are_audited_with_who_and_before_and_after(server, tokens, admin_token):
    auditor = tokens["auditor.phutho"]
    bundled = server.get("/api/v1/calendar/changes", token=auditor).json()["items"]
    # init imported the bundled overrides as the system's changes
    assert any(c["actor_role"] == "system" and c["before"] == "none" for c in bundled), bundled
    assert changes_of(server, auditor, FRI) == []
    r = put_override(server, FRI, {"working": False, "reason_vi": "Nghỉ (kiểm toán)"},
                     admin_token)
    assert r.status == 200, r
    r = put_override(server, FRI, {"working": True, "reason_vi": "Làm (kiểm toán)"}, admin_token)
    assert r.status == 200, r
    assert delete_override(server, FRI, admin_token).status == 204
    made = changes_of(server, auditor, FRI)
    admin_id = server.get("/api/v1/me", token=admin_token).json()["user_id"]
    assert [(c["action"], c["before"], c["after"]) for c in made] == [
        ("calendar_override_set", "none", "day_off: Nghỉ (kiểm toán)"),
        ("calendar_override_set", "day_off: Nghỉ (kiểm toán)", "working: Làm (kiểm toán)"),
        ("calendar_override_delete", "working: Làm (kiểm toán)", "none"),
    ]
    assert all(c["actor_user_id"] == admin_id and c["actor_role"] == "admin" for c in made)
    assert made[0]["seq"] < made[1]["seq"] < made[2]["seq"]
    # only admins and auditors read them
    for who in ("leader.xuanhoa", "reception.xuanhoa", "025095000123"):
        check_error_body(server.get("/api/v1/calendar/changes", token=tokens[who]), 403,
                         "forbidden")
    check_error_body(server.get("/api/v1/calendar/changes"), 401, "unauthenticated")
    # and the chain, calendar changes included, verifies
    text = verify_audit(server)
    assert "audit chain ok" in text, text


def test_every_calendar_route_was_exercised():
    from support import EXERCISED
    for method, pattern in (("GET", r"^/api/v1/calendar/deadline$"),
                            ("GET", r"^/api/v1/calendar/days$"),
                            ("PUT", r"^/api/v1/calendar/overrides/[^/]+$"),
                            ("DELETE", r"^/api/v1/calendar/overrides/[^/]+$"),
                            ("GET", r"^/api/v1/calendar/changes$")):
        hits = {s for m, p, s in EXERCISED if m == method and re.match(pattern, p)}
        assert any(200 <= s < 300 for s in hits), (method, pattern, hits)
        assert any(400 <= s < 500 for s in hits), (method, pattern, hits)
