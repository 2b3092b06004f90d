"""THE ACCESS MATRIX: every endpoint x every demo account x {own unit, another commune of the
province, a unit of another province, no token}, with the exact status of each cell.

Rules under test: reception and specialist reach only their own unit; a leader reaches their
unit and the units below it; admin and auditor reach every unit of their province (25, Phú
Thọ) but no other province; citizens reach no unit. Reading a unit's accounts needs read reach;
creating an account needs the admin role and reach to the new account's unit. Public endpoints
answer the same to everyone, with or without a token.

Test ids read "<METHOD> <route>|<account>|<context>"."""

from __future__ import annotations

import re
from typing import NamedTuple

import pytest

from support import DEMO_ACCOUNTS, DEMO_PASSWORD, check_error_body

ACCOUNTS = list(DEMO_ACCOUNTS)
CONTEXTS = ("own_unit", "other_commune", "other_province")

# The unit each context names, per account. The citizen has no unit of their own.
UNITS = {
    #  account               own_unit  other_commune  other_province
    "admin.phutho":         ("25",     "08746",       "00004"),
    "auditor.phutho":       ("25",     "08746",       "00004"),
    "leader.xuanhoa":       ("08746",  "07900",       "00004"),
    "specialist.xuanhoa":   ("08746",  "07900",       "00004"),
    "reception.xuanhoa":    ("08746",  "07900",       "00004"),
    "reception.viettri":    ("07900",  "08746",       "00004"),
    "leader.snv":           ("SNV",    "08746",       "00004"),
    "025095000123":         (None,     "08746",       "00004"),
}
# 25 = Tỉnh Phú Thọ; 08746 = Phường Xuân Hòa and 07900 = Phường Việt Trì (both in 25);
# SNV = Sở Nội vụ, a department under 25; 00004 = Phường Ba Đình, Hà Nội (province 01).

# GET /api/v1/units/{code}/users: the status per account and context.
READ_USERS = {
    #  account               own_unit  other_commune  other_province  no_token
    "admin.phutho":         (200,      200,           403,            401),
    "auditor.phutho":       (200,      200,           403,            401),
    "leader.xuanhoa":       (200,      403,           403,            401),
    "specialist.xuanhoa":   (200,      403,           403,            401),
    "reception.xuanhoa":    (200,      403,           403,            401),
    "reception.viettri":    (200,      403,           403,            401),
    "leader.snv":           (200,      403,           403,            401),
    "025095000123":         (None,     403,           403,            401),
}

# POST /api/v1/users with "unit" = the context's unit: the status per account and context.
CREATE_USER = {
    #  account               own_unit  other_commune  other_province  no_token
    "admin.phutho":         (201,      201,           403,            401),
    "auditor.phutho":       (403,      403,           403,            401),
    "leader.xuanhoa":       (403,      403,           403,            401),
    "specialist.xuanhoa":   (403,      403,           403,            401),
    "reception.xuanhoa":    (403,      403,           403,            401),
    "reception.viettri":    (403,      403,           403,            401),
    "leader.snv":           (403,      403,           403,            401),
    "025095000123":         (None,     403,           403,            401),
}

# More cells: units above, below and beside an account's own.
#  account               context                unit           read  create
EXTRA_UNIT_CELLS = [
    ("admin.phutho",       "province_agency",     "SNV",         200,  201),
    ("admin.phutho",       "agency_branch",       "TTPVHCC_CN1", 200,  201),
    ("admin.phutho",       "other_province_root", "01",          403,  403),
    ("auditor.phutho",     "province_agency",     "SNV",         200,  403),
    ("auditor.phutho",     "other_province_root", "01",          403,  403),
    ("leader.snv",         "child_unit",          "TTDVVL",      200,  403),
    ("leader.snv",         "parent_province",     "25",          403,  403),
    ("leader.snv",         "sibling_agency",      "STP",         403,  403),
    ("leader.xuanhoa",     "parent_province",     "25",          403,  403),
    ("specialist.xuanhoa", "parent_province",     "25",          403,  403),
    ("reception.xuanhoa",  "parent_province",     "25",          403,  403),
    ("reception.viettri",  "parent_province",     "25",          403,  403),
    ("025095000123",       "province",            "25",          403,  403),
]

# Public endpoints: the same status for every account and without a token. "{unit}" is
# replaced by the context's unit; endpoints without it are called with and without a token.
PUBLIC = [
    #  route                                 concrete path                          status
    ("GET /healthz",                         "/healthz",                            200),
    ("GET /readyz",                          "/readyz",                             200),
    ("GET /metrics",                         "/metrics",                            200),
    ("GET /api/openapi.json",                "/api/openapi.json",                   200),
    ("GET /",                                "/",                                   200),
    ("GET /assets/{file}",                   "/assets/app.js",                      200),
    ("GET /api/v1/units",                    "/api/v1/units?parent={unit}",         200),
    ("GET /api/v1/units/{code}",             "/api/v1/units/{unit}",                200),
    ("GET /api/v1/procedures",               "/api/v1/procedures?q=khai+sinh",      200),
    ("GET /api/v1/procedures/{id}",          "/api/v1/procedures/HT-001",           200),
    ("GET /api/v1/procedures/{id}/versions", "/api/v1/procedures/HT-001/versions",  200),
]

# Authenticated endpoints without a unit: the status with the account's own token, with its
# session cookie (no CSRF header), and without any credentials.
SELF = {
    #  route                        token  cookie  cookie+csrf  no_token
    "GET /api/v1/me":              (200,   200,    200,         401),
    "POST /api/v1/auth/logout":    (204,   403,    204,         401),
    "POST /api/v1/auth/login":     (200,   None,   None,        200),
}


class Cell(NamedTuple):
    route: str
    account: str
    context: str
    target: str | None  # the unit code; for public endpoints the concrete path
    expected: int

    @property
    def id(self) -> str:
        return f"{self.route}|{self.account}|{self.context}"


def unit_cells(route: str, table: dict, extra_index: int) -> list[Cell]:
    cells = []
    for account in ACCOUNTS:
        units, statuses = UNITS[account], table[account]
        for context, unit, status in zip(CONTEXTS, units, statuses):
            if unit is not None:
                cells.append(Cell(route, account, context, unit, status))
        cells.append(Cell(route, account, "no_token", units[0] or units[1], statuses[3]))
    for account, context, unit, *statuses in EXTRA_UNIT_CELLS:
        cells.append(Cell(route, account, context, unit, statuses[extra_index]))
    return cells


READ_CELLS = unit_cells("GET /api/v1/units/{code}/users", READ_USERS, 0)
CREATE_CELLS = unit_cells("POST /api/v1/users", CREATE_USER, 1)

PUBLIC_CELLS = []
for _route, _path, _status in PUBLIC:
    for _account in ACCOUNTS:
        if "{unit}" in _path:
            for _ctx, _unit in zip(CONTEXTS, UNITS[_account]):
                if _unit is not None:
                    PUBLIC_CELLS.append(Cell(_route, _account, _ctx,
                                             _path.replace("{unit}", _unit), _status))
            PUBLIC_CELLS.append(Cell(_route, _account, "no_token",
                                     _path.replace("{unit}", UNITS[_account][1]), _status))
        else:
            PUBLIC_CELLS.append(Cell(_route, _account, "token", _path, _status))
            PUBLIC_CELLS.append(Cell(_route, _account, "no_token", _path, _status))

SELF_CELLS = []
for _route, _statuses in SELF.items():
    for _account in ACCOUNTS:
        for _ctx, _status in zip(("token", "cookie", "cookie+csrf", "no_token"), _statuses):
            if _status is not None:
                SELF_CELLS.append(Cell(_route, _account, _ctx, None, _status))


def test_the_tables_cover_every_account():
    for table in (UNITS, READ_USERS, CREATE_USER):
        assert list(table) == ACCOUNTS
    assert len({c.id for c in READ_CELLS + CREATE_CELLS + PUBLIC_CELLS + SELF_CELLS}) == len(
        READ_CELLS + CREATE_CELLS + PUBLIC_CELLS + SELF_CELLS)


# --- public endpoints ----------------------------------------------------------------------

_anonymous_bodies: dict = {}


@pytest.mark.parametrize("cell", PUBLIC_CELLS, ids=lambda c: c.id)
def test_public_endpoint(server, tokens, cell):
    path = cell.target
    token = None if cell.context == "no_token" else tokens[cell.account]
    r = server.get(path, token=token)
    assert r.status == cell.expected, r
    if cell.route == "GET /metrics":
        return  # counters move between two requests
    if path not in _anonymous_bodies:
        anon = server.get(path)
        assert anon.status == cell.expected
        _anonymous_bodies[path] = anon.body
    assert r.body == _anonymous_bodies[path], "the answer depends on who asks"


# --- GET /api/v1/units/{code}/users ------------------------------------------------------------

@pytest.mark.parametrize("cell", READ_CELLS, ids=lambda c: c.id)
def test_read_unit_users(server, tokens, cell):
    token = None if cell.context == "no_token" else tokens[cell.account]
    r = server.get(f"/api/v1/units/{cell.target}/users", token=token)
    if cell.expected == 200:
        assert r.status == 200, r
        items = r.json()["items"]
        assert all(u["unit"] == cell.target for u in items)
        if cell.context == "own_unit":
            assert cell.account in {u["username"] for u in items}
    elif cell.expected == 401:
        check_error_body(r, 401, "unauthenticated", None)
    else:
        check_error_body(r, cell.expected, "forbidden")
        assert b"username" not in r.body


# --- POST /api/v1/users ---------------------------------------------------------------------

def matrix_username(cell: Cell) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", f"{cell.account}-{cell.context}".lower())
    return f"mx-{slug}-{abs(hash(cell.id)) % 10**6:06d}"


@pytest.mark.parametrize("cell", CREATE_CELLS, ids=lambda c: c.id)
def test_create_user(server, tokens, admin_token, cell):
    username = matrix_username(cell)
    password = "matrix-pass-1"
    token = None if cell.context == "no_token" else tokens[cell.account]
    count = server.user_count()
    r = server.post("/api/v1/users", {"username": username, "password": password,
                                      "role": "reception", "unit": cell.target,
                                      "full_name": "Ô ma trận"}, token=token)
    admin_view = server.get(f"/api/v1/units/{cell.target}/users", token=admin_token)
    if cell.expected == 201:
        assert r.status == 201, r
        body = r.json()
        assert (body["username"], body["role"], body["unit"]) == (username, "reception",
                                                                 cell.target)
        assert server.user_count() == count + 1
        assert username in {u["username"] for u in admin_view.json()["items"]}
        login = server.login(username, password)
        assert login.status == 200 and login.json()["unit"] == cell.target
        return
    if cell.expected == 401:
        check_error_body(r, 401, "unauthenticated", None)
    else:
        check_error_body(r, 403, "forbidden")
    # nothing was created
    assert server.user_count() == count
    assert not server.user_exists(username)
    if admin_view.status == 200:
        assert username not in {u["username"] for u in admin_view.json()["items"]}
    else:
        assert admin_view.status == 403 and cell.target in ("00004", "01")
    check_error_body(server.login(username, password), 401, "bad_credentials")


# --- endpoints about the caller itself ------------------------------------------------------

@pytest.mark.parametrize("cell", SELF_CELLS, ids=lambda c: c.id)
def test_self_endpoint(server, tokens, cell):
    role, unit = DEMO_ACCOUNTS[cell.account]
    if cell.route == "POST /api/v1/auth/login":
        token = tokens[cell.account] if cell.context == "token" else None
        r = server.login(cell.account, DEMO_PASSWORD, token=token)
        assert r.status == cell.expected, r
        assert (r.json()["username"], r.json()["role"], r.json()["unit"]) == (
            cell.account, role, unit)
        return
    if cell.route == "POST /api/v1/auth/logout":
        session = server.login_ok(cell.account)  # never log out the shared session
        creds = {"token": {"token": session["token"]},
                 "cookie": {"cookie": f"motcua_session={session['token']}"},
                 "cookie+csrf": {"cookie": f"motcua_session={session['token']}",
                                 "csrf": session["csrf_token"]},
                 "no_token": {}}[cell.context]
        r = server.post("/api/v1/auth/logout", **creds)
        alive = server.get("/api/v1/me", token=session["token"]).status
        if cell.expected == 204:
            assert r.status == 204 and r.body == b"", r
            assert alive == 401
        else:
            check_error_body(r, cell.expected, {401: "unauthenticated", 403: "csrf"}
                             [cell.expected])
            assert alive == 200
        return
    creds = {"token": {"token": tokens[cell.account]},
             "cookie": {"cookie": f"motcua_session={tokens[cell.account]}"},
             "cookie+csrf": {"cookie": f"motcua_session={tokens[cell.account]}"},
             "no_token": {}}[cell.context]
    r = server.get("/api/v1/me", **creds)
    if cell.expected == 200:
        assert r.status == 200, r
        assert (r.json()["username"], r.json()["role"], r.json()["unit"]) == (
            cell.account, role, unit)
    else:
        check_error_body(r, 401, "unauthenticated")


# --- the headline cases, spelled out ----------------------------------------------------------

def test_one_commune_cannot_read_or_change_another(server, tokens):
    """An officer of one commune can neither read nor change another commune's data."""
    forbidden_reads = [("reception.viettri", "08746"), ("leader.xuanhoa", "07900"),
                       ("leader.snv", "08746"), ("admin.phutho", "00004"),
                       ("specialist.xuanhoa", "07900"), ("reception.xuanhoa", "07900")]
    for account, unit in forbidden_reads:
        r = server.get(f"/api/v1/units/{unit}/users", token=tokens[account])
        check_error_body(r, 403, "forbidden")
    count = server.user_count()
    forbidden_writes = [("auditor.phutho", "25"), ("auditor.phutho", "08746"),
                        ("leader.xuanhoa", "08746"), ("reception.viettri", "08746"),
                        ("admin.phutho", "00004"), ("admin.phutho", "01")]
    for account, unit in forbidden_writes:
        r = server.post("/api/v1/users", {"username": f"headline-{account.split('.')[0]}-{unit}",
                                          "password": "headline-pass-1", "role": "leader",
                                          "unit": unit}, token=tokens[account])
        check_error_body(r, 403, "forbidden")
    assert server.user_count() == count


def test_forbidden_wins_over_validation_for_non_admins(server, tokens):
    """A non-admin learns nothing from validation: even an invalid body is 403."""
    for account in ACCOUNTS:
        if account == "admin.phutho":
            continue
        r = server.post("/api/v1/users", {"username": "x", "password": "short", "role": "boss",
                                          "unit": "nope"}, token=tokens[account])
        check_error_body(r, 403, "forbidden")


def test_admin_reach_for_citizens_and_other_provinces(server, admin_token):
    # a citizen has no unit: the admin may create one (citizens belong to no province)
    r = server.post("/api/v1/users", {"username": "079000000001", "password": "citizen-pass-1",
                                      "role": "citizen"}, token=admin_token)
    assert r.status == 201, r
    assert r.json()["unit"] is None
    # but an officer of Hà Nội, whatever the role, is out of reach
    for role in ("reception", "specialist", "leader", "admin", "auditor"):
        r = server.post("/api/v1/users", {"username": f"hn.{role}.x", "password": "hanoi-pass-1",
                                          "role": role, "unit": "01"}, token=admin_token)
        check_error_body(r, 403, "forbidden", "unit")
        assert not server.user_exists(f"hn.{role}.x")
