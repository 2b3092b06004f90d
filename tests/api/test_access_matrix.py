"""THE ACCESS MATRIX: every route of the OpenAPI document x every account (the demo accounts of
Phú Thọ and two accounts of Hà Nội) x {own unit or dossier, another commune's, another
province's, no token}, with the exact status of each cell, written by hand.

Rules under test: reception and specialist reach only their own unit; a leader reaches their
unit and the units below it; admin and auditor reach every unit of their province (25, Phú
Thọ) but no other province; citizens reach no unit, only their own dossiers and uploads.
Reading a unit's accounts needs read reach; creating an account needs the admin role and reach
to the new account's unit. A dossier out of reach is not found (404, no leak), and a 2xx answer
never names it. Public endpoints answer the same to everyone, with or without a token.

The routes come from the server's OpenAPI document: a route without a row fails
(test_every_route_has_a_row). The accounts of Hà Nội (province 01) are created the way an
operator would, with `motcua user add` on the test server's database.

Test ids read "<METHOD> <route>|<account>|<context>"."""

from __future__ import annotations

import re
import secrets
import urllib.parse
from typing import NamedTuple

import pytest

from support import DEMO_ACCOUNTS, DEMO_PASSWORD, check_error_body, sample_pdf

# Accounts of another province (Hà Nội, 01), created with `motcua user add`.
OTHER_PROVINCE_ACCOUNTS = {
    "reception.badinh": ("reception", "00004"),
    "admin.hanoi": ("admin", "01"),
}
ALL_ACCOUNTS = {**DEMO_ACCOUNTS, **OTHER_PROVINCE_ACCOUNTS}
ACCOUNTS = list(ALL_ACCOUNTS)
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
    "reception.badinh":     ("00004",  "00008",       "08746"),
    "admin.hanoi":          ("01",     "00004",       "25"),
}
# 25 = Tỉnh Phú Thọ; 08746 = Phường Xuân Hòa and 07900 = Phường Việt Trì (both in 25);
# SNV = Sở Nội vụ, a department under 25; 01 = Thành phố Hà Nội, 00004 = Phường Ba Đình and
# 00008 = Phường Ngọc Hà (both in 01).

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
    "reception.badinh":     (200,      403,           403,            401),
    "admin.hanoi":          (200,      200,           403,            401),
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
    "reception.badinh":     (403,      403,           403,            401),
    "admin.hanoi":          (201,      201,           403,            401),
}

# POST /api/v1/users/{username}/disable, POST .../enable and DELETE .../sessions, on an account of
# the context's unit: only admins act, on accounts of their province; another province's
# account answers as an unknown one (404, its existence is not theirs to learn).
ACCOUNT_CONTROL = {
    #  account               own_unit  other_commune  other_province  no_token
    "admin.phutho":         (200,      200,           404,            401),
    "auditor.phutho":       (403,      403,           403,            401),
    "leader.xuanhoa":       (403,      403,           403,            401),
    "specialist.xuanhoa":   (403,      403,           403,            401),
    "reception.xuanhoa":    (403,      403,           403,            401),
    "reception.viettri":    (403,      403,           403,            401),
    "leader.snv":           (403,      403,           403,            401),
    "025095000123":         (None,     403,           403,            401),
    "reception.badinh":     (403,      403,           403,            401),
    "admin.hanoi":          (200,      200,           404,            401),
}
ACCOUNT_CONTROL_ROUTES = ("POST /api/v1/users/{username}/disable",
                          "POST /api/v1/users/{username}/enable",
                          "DELETE /api/v1/users/{username}/sessions")
# A citizen's account belongs to the deployment's province: its admins reach it, no other.
#  account               context            status
CITIZEN_CONTROL = [
    ("admin.phutho",       "citizen_account", 200),
    ("admin.hanoi",        "citizen_account", 404),
    ("leader.xuanhoa",     "citizen_account", 403),
]

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
    ("GET /api/v1/calendar/deadline",
     "/api/v1/calendar/deadline?from=2026-04-24T10%3A00%3A00%2B07%3A00&amount=5",   200),
    ("GET /api/v1/calendar/days",            "/api/v1/calendar/days?year=2026",     200),
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


def account_control_cells() -> list[Cell]:
    cells = []
    for route in ACCOUNT_CONTROL_ROUTES:
        for account in ACCOUNTS:
            units, statuses = UNITS[account], ACCOUNT_CONTROL[account]
            for context, unit, status in zip(CONTEXTS, units, statuses):
                if unit is not None:
                    cells.append(Cell(route, account, context, unit, status))
            cells.append(Cell(route, account, "no_token", units[0] or units[1], statuses[3]))
        for account, context, status in CITIZEN_CONTROL:
            cells.append(Cell(route, account, context, None, status))
    return cells


CONTROL_CELLS = account_control_cells()

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


# --- dossiers, their files, forms and notifications ---------------------------------------------
#
# Two dossiers of procedure HT-002, both received (the `world` fixture makes them; "xh" and
# "vt" in the code, "dossier_08746" and "dossier_07900" in the test ids):
#   xh: filed online by the citizen 025095000123 at 08746 (Xuân Hòa), received there;
#   vt: filed at the counter of 07900 (Việt Trì) by reception.viettri for applicant 001299000001
#       (who has no account).
# Neither is reached by leader.snv (SNV is a department, not above the communes) nor by the
# accounts of Hà Nội: to them both are dossiers of another province.
# "assign" and "withdraw" are sent with a stale version (999): an account that may act gets 409
# and nothing changes; one that sees the dossier but may not act gets 403; one that does not see
# it gets 404.
#   account               xh    vt
VISIBLE = {
    "admin.phutho":       (True,  True),
    "auditor.phutho":     (True,  True),
    "leader.xuanhoa":     (True,  False),
    "specialist.xuanhoa": (True,  False),
    "reception.xuanhoa":  (True,  False),
    "reception.viettri":  (False, True),
    "leader.snv":         (False, False),
    "025095000123":       (True,  False),
    "reception.badinh":   (False, False),
    "admin.hanoi":        (False, False),
}

HOME = {"xh": "08746", "vt": "07900"}  # each dossier's unit


def which_of(context: str) -> str:
    """The dossier a context is about: "dossier_08746..." is xh, "dossier_07900..." is vt."""
    return "xh" if context.startswith("dossier_08746") else "vt"


# route -> context -> statuses in ACCOUNTS order, then without a token.
#   columns: admin.phutho, auditor.phutho, leader.xuanhoa, specialist.xuanhoa, reception.xuanhoa,
#            reception.viettri, leader.snv, 025095000123, reception.badinh, admin.hanoi | no_token
DOSSIER_TABLE = {
    "GET /api/v1/dossiers/{code}": {
        "dossier_08746":               (200, 200, 200, 200, 200, 404, 404, 200, 404, 404, 401),
        "dossier_07900":               (200, 200, 404, 404, 404, 200, 404, 404, 404, 404, 401),
    },
    "GET /api/v1/dossiers/{code}/events": {
        "dossier_08746":               (200, 200, 200, 200, 200, 404, 404, 200, 404, 404, 401),
        "dossier_07900":               (200, 200, 404, 404, 404, 200, 404, 404, 404, 404, 401),
    },
    "GET /api/v1/dossiers/{code}/notifications": {
        "dossier_08746":               (200, 200, 200, 200, 200, 404, 404, 200, 404, 404, 401),
        "dossier_07900":               (200, 200, 404, 404, 404, 200, 404, 404, 404, 404, 401),
    },
    "POST /api/v1/dossiers/{code}/actions": {
        "dossier_08746_assign":        (403, 403, 409, 409, 409, 404, 404, 403, 404, 404, 401),
        "dossier_08746_withdraw":      (403, 403, 403, 403, 403, 404, 404, 409, 404, 404, 401),
        "dossier_07900_assign":        (403, 403, 404, 404, 404, 409, 404, 404, 404, 404, 401),
        "dossier_07900_withdraw":      (403, 403, 404, 404, 404, 403, 404, 404, 404, 404, 401),
    },
    "GET /api/v1/dossiers/{code}/files/{sha256}": {
        "dossier_08746_its_file":      (200, 200, 200, 200, 200, 404, 404, 200, 404, 404, 401),
        "dossier_07900_its_file":      (200, 200, 404, 404, 404, 200, 404, 404, 404, 404, 401),
        # a file that exists, but of the other dossier: never served through this one
        "dossier_08746_file_of_07900": (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 401),
    },
    # form 01 (the receipt): whoever sees the dossier; form 06 (the receiving unit's register):
    # officers who may read the receiving unit, not the citizen (403: they see the dossier)
    "GET /api/v1/dossiers/{code}/forms/{form}": {
        "dossier_08746_form01":        (200, 200, 200, 200, 200, 404, 404, 200, 404, 404, 401),
        "dossier_08746_form06":        (200, 200, 200, 200, 200, 404, 404, 403, 404, 404, 401),
        "dossier_07900_form01":        (200, 200, 404, 404, 404, 200, 404, 404, 404, 404, 401),
        "dossier_07900_form06":        (200, 200, 404, 404, 404, 200, 404, 404, 404, 404, 401),
    },
    # the queue without a unit: each account's own scope (checked for leaks below)
    "GET /api/v1/dossiers": {
        "no_unit":                     (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401),
    },
    # uploads: officers who handle dossiers and citizens; not admin or auditor
    "POST /api/v1/files": {
        "upload":                      (403, 403, 201, 201, 201, 201, 201, 201, 201, 403, 401),
    },
    # GET /api/v1/files/{sha256} is one's own uploads only
    "GET /api/v1/files/{sha256}": {
        "citizen_upload":              (404, 404, 404, 404, 404, 404, 404, 200, 404, 404, 401),
        "viettri_upload":              (404, 404, 404, 404, 404, 200, 404, 404, 404, 404, 401),
    },
    "GET /api/v1/me/documents": {
        "token":                       (403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 401),
    },
    # the working calendar moves this deployment's legal deadlines: its province's admins set
    # it (an admin of another province has no say here), nobody else
    "PUT /api/v1/calendar/overrides/{date}": {
        "token":                       (200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401),
    },
    "DELETE /api/v1/calendar/overrides/{date}": {
        "token":                       (204, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401),
    },
    # who changed the calendar: the province's admins and auditors
    "GET /api/v1/calendar/changes": {
        "token":                       (200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 401),
    },
}

# GET /api/v1/files/{sha256} on the account's own upload (accounts that upload).
OWN_UPLOAD = {a: (201 == DOSSIER_TABLE["POST /api/v1/files"]["upload"][i])
              for i, a in enumerate(ACCOUNTS)}

# Unit-scoped routes, by the contexts of UNITS (own unit, another commune, another province).
#   account               own_unit  other_commune  other_province  no_token
UNIT_TABLE = {
    # a unit's register (form 06 for a month): read reach to the unit, officers only
    "GET /api/v1/units/{code}/register": {
        "admin.phutho":       (200,  200,  403,  401),
        "auditor.phutho":     (200,  200,  403,  401),
        "leader.xuanhoa":     (200,  403,  403,  401),
        "specialist.xuanhoa": (200,  403,  403,  401),
        "reception.xuanhoa":  (200,  403,  403,  401),
        "reception.viettri":  (200,  403,  403,  401),
        "leader.snv":         (200,  403,  403,  401),
        "025095000123":       (None, 403,  403,  401),
        "reception.badinh":   (200,  403,  403,  401),
        "admin.hanoi":        (200,  200,  403,  401),
    },
    # the queue of one unit: read reach to the unit; a citizen's queue is always their own
    # dossiers, whatever unit they name (checked for leaks below)
    "GET /api/v1/dossiers": {
        "admin.phutho":       (200,  200,  403,  401),
        "auditor.phutho":     (200,  200,  403,  401),
        "leader.xuanhoa":     (200,  403,  403,  401),
        "specialist.xuanhoa": (200,  403,  403,  401),
        "reception.xuanhoa":  (200,  403,  403,  401),
        "reception.viettri":  (200,  403,  403,  401),
        "leader.snv":         (200,  403,  403,  401),
        "025095000123":       (None, 200,  200,  401),
        "reception.badinh":   (200,  403,  403,  401),
        "admin.hanoi":        (200,  200,  403,  401),
    },
    # filing HT-002 (a commune's procedure) at the unit: citizens online for themselves,
    # reception officers and leaders at the counter of their own unit; the unit must be a
    # commune of this province (400 before any role check: 25 and 01 are provinces, SNV a
    # department, 00004 and 00008 in Hà Nội)
    # filing: citizens, reception officers and leaders (the route's roles, checked first);
    # then the unit: one's own, in this province
    "POST /api/v1/dossiers": {
        "admin.phutho":       (403,  403,  403,  401),
        "auditor.phutho":     (403,  403,  403,  401),
        "leader.xuanhoa":     (201,  403,  400,  401),
        "specialist.xuanhoa": (403,  403,  403,  401),
        "reception.xuanhoa":  (201,  403,  400,  401),
        "reception.viettri":  (201,  403,  400,  401),
        "leader.snv":         (400,  403,  400,  401),
        "025095000123":       (None, 201,  400,  401),
        "reception.badinh":   (400,  400,  403,  401),
        "admin.hanoi":        (403,  403,  403,  401),
    },
}

# The public status lookup (?id_last4=): the same answer with or without a token.
PUBLIC_LOOKUP = [
    #  dossier, last 4 digits, account (None: no token), status
    ("xh", "right", None, 200), ("xh", "right", "025095000123", 200),
    ("xh", "right", "reception.viettri", 200), ("xh", "wrong", None, 404),
    ("vt", "right", None, 200), ("vt", "right", "admin.hanoi", 200),
    ("vt", "wrong", "reception.viettri", 404),
]

DOSSIER_CELLS = []
for _route, _rows in DOSSIER_TABLE.items():
    for _ctx, _statuses in _rows.items():
        assert len(_statuses) == len(ACCOUNTS) + 1, (_route, _ctx)
        for _account, _status in zip(ACCOUNTS + ["no_token"], _statuses):
            DOSSIER_CELLS.append(Cell(_route, _account, _ctx, None, _status))
for _account, _uploads in OWN_UPLOAD.items():
    if _uploads:
        DOSSIER_CELLS.append(Cell("GET /api/v1/files/{sha256}", _account, "own_upload", None,
                                  200))
for _route, _rows in UNIT_TABLE.items():
    assert list(_rows) == ACCOUNTS, _route
    for _account, _statuses in _rows.items():
        for _ctx, _unit, _status in zip(CONTEXTS, UNITS[_account], _statuses):
            if _unit is not None:
                DOSSIER_CELLS.append(Cell(_route, _account, _ctx, _unit, _status))
        DOSSIER_CELLS.append(Cell(_route, _account, "no_token",
                                  UNITS[_account][0] or UNITS[_account][1], _statuses[3]))
for _which, _digits, _account, _status in PUBLIC_LOOKUP:
    DOSSIER_CELLS.append(Cell("GET /api/v1/public/dossiers/{code}", _account or "anonymous",
                              f"dossier_{HOME[_which]}_{_digits}_last4", _which, _status))


ALL_CELLS = (READ_CELLS + CREATE_CELLS + CONTROL_CELLS + PUBLIC_CELLS + SELF_CELLS +
             DOSSIER_CELLS)


def test_the_tables_cover_every_account():
    for table in (UNITS, READ_USERS, CREATE_USER, ACCOUNT_CONTROL, VISIBLE,
                  *UNIT_TABLE.values()):
        assert list(table) == ACCOUNTS
    assert len({c.id for c in ALL_CELLS}) == len(ALL_CELLS)


def test_every_route_has_a_row(server):
    """The routes are the server's own list (its OpenAPI document); every one has cells here,
    and every cell's route is one of them."""
    r = server.get("/api/openapi.json", record=False)
    assert r.status == 200, r
    documented = {f"{m.upper()} {p}" for p, ops in r.json()["paths"].items() for m in ops}
    covered = {c.route for c in ALL_CELLS}
    assert len(documented) >= 33, sorted(documented)
    assert not documented - covered, f"routes without a row: {sorted(documented - covered)}"
    assert not covered - documented, f"rows of unknown routes: {sorted(covered - documented)}"


# --- the accounts and the dossiers the cells act on ----------------------------------------------

@pytest.fixture(scope="module")
def tokens(server, tokens) -> dict:
    """The demo accounts' tokens, and the Hà Nội accounts', created with `motcua user add`."""
    out = dict(tokens)
    for username, (role, unit) in OTHER_PROVINCE_ACCOUNTS.items():
        server.add_user(username, role, unit, full_name="Cán bộ Hà Nội")
        login = server.login_ok(username)
        assert (login["username"], login["role"], login["unit"]) == (username, role, unit)
        out[username] = login["token"]
    assert list(out) == ACCOUNTS
    return out


class World(NamedTuple):
    codes: dict  # "xh" / "vt" -> dossier code
    last4: dict  # "xh" / "vt" -> the applicant's last 4 digits
    files: dict  # "xh" / "vt" -> the SHA-256 of its components' file
    own_upload: dict  # account -> the SHA-256 of its own upload (accounts that upload)


@pytest.fixture(scope="module")
def world(server, tokens) -> World:
    own = {}
    for account, uploads in OWN_UPLOAD.items():
        if uploads:
            own[account] = server.upload_ok(tokens[account],
                                            sample_pdf(f"matrix {account} {secrets.token_hex(8)}"))
    r = server.get("/api/v1/procedures/HT-002")
    assert r.status == 200, r
    required = [c["id"] for c in r.json()["components"] if c["required"]]

    def file(who: str, unit: str, id_number: str, channel: str | None) -> dict:
        body = {"procedure_id": "HT-002", "unit": unit,
                "applicant": {"id_number": id_number, "full_name": "Người Ma Trận"},
                "components": [{"component_id": c, "source": "uploaded",
                                "file_sha256": own[who], "file_name": c + ".pdf"}
                               for c in required]}
        if channel:
            body["channel"] = channel
        r = server.post("/api/v1/dossiers", body, token=tokens[who])
        assert r.status == 201, r
        return r.json()

    xh = file("025095000123", "08746", "025095000123", None)
    r = server.post(f"/api/v1/dossiers/{q(xh['code'])}/actions",
                    {"action": "receive", "version": xh["version"]},
                    token=tokens["reception.xuanhoa"])
    assert r.status == 200 and r.json()["state"] == "received", r
    vt = file("reception.viettri", "07900", "001299000001", "counter")
    assert vt["state"] == "received", vt
    return World(codes={"xh": xh["code"], "vt": vt["code"]}, last4={"xh": "0123", "vt": "0001"},
                 files={"xh": own["025095000123"], "vt": own["reception.viettri"]},
                 own_upload=own)


def q(code: str) -> str:
    return urllib.parse.quote(code, safe="")


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

HANOI_UNITS = ("01", "00004", "00008")


def matrix_username(cell: Cell) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", f"{cell.account}-{cell.context}".lower())
    return f"mx-{slug}-{abs(hash(cell.id)) % 10**6:06d}"


@pytest.mark.parametrize("cell", CREATE_CELLS, ids=lambda c: c.id)
def test_create_user(server, tokens, cell):
    admin_token = tokens["admin.phutho"]
    username = matrix_username(cell)
    password = "matrix-pass-1"
    token = None if cell.context == "no_token" else tokens[cell.account]
    count = server.user_count()
    r = server.post("/api/v1/users", {"username": username, "password": password,
                                      "role": "reception", "unit": cell.target,
                                      "full_name": "Ô ma trận"}, token=token)
    viewer = tokens["admin.hanoi"] if cell.target in HANOI_UNITS else admin_token
    admin_view = server.get(f"/api/v1/units/{cell.target}/users", token=viewer)
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
    assert admin_view.status == 200, admin_view
    assert username not in {u["username"] for u in admin_view.json()["items"]}
    check_error_body(server.login(username, password), 401, "bad_credentials")


# --- turning accounts off and on, ending their sessions ---------------------------------------

@pytest.mark.parametrize("cell", CONTROL_CELLS, ids=lambda c: c.id)
def test_account_control(server, tokens, cell):
    """The target is a fresh account (a specialist of the context's unit, or a citizen) with a
    live session; what the route did is checked from outside: can the target still log in, is
    its session alive."""
    username = matrix_username(cell)
    password = "matrix-pass-1"
    if cell.target is None:
        username = "0251" + f"{abs(hash(cell.id)) % 10**8:08d}"
        server.add_user(username, "citizen", None, password=password)
    else:
        creator = tokens["admin.hanoi"] if cell.target in HANOI_UNITS else tokens["admin.phutho"]
        r = server.post("/api/v1/users", {"username": username, "password": password,
                                          "role": "specialist", "unit": cell.target,
                                          "full_name": "Ô ma trận"}, token=creator)
        assert r.status == 201, r
    session = server.login_ok(username, password)["token"]
    method, route = cell.route.split(" ", 1)
    path = route.replace("{username}", username)
    token = None if cell.context == "no_token" else tokens[cell.account]
    if method == "DELETE":
        r = server.request("DELETE", path, token=token)
    else:
        r = server.post(path, {}, token=token)
    alive = server.get("/api/v1/me", token=session).status
    if cell.expected == 200:
        assert r.status == 200, r
        body = r.json()
        if route.endswith("/sessions"):
            assert body == {"ended": 1}, body
            assert alive == 401
            assert server.login(username, password).status == 200
        else:
            off = route.endswith("/disable")
            assert (body["username"], body["disabled"]) == (username, off), body
            assert alive == (401 if off else 200)
            assert server.login(username, password).status == (401 if off else 200)
        return
    check_error_body(r, cell.expected, {401: "unauthenticated", 403: "forbidden",
                                        404: "not_found"}[cell.expected])
    assert cell.expected != 404 or "username" == r.json()["error"]["field"]
    # nothing changed: the session lives and the account still logs in
    assert alive == 200
    assert server.login(username, password).status == 200


# --- endpoints about the caller itself ------------------------------------------------------

@pytest.mark.parametrize("cell", SELF_CELLS, ids=lambda c: c.id)
def test_self_endpoint(server, tokens, cell):
    role, unit = ALL_ACCOUNTS[cell.account]
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
        if ALL_ACCOUNTS[account][0] == "admin":
            continue
        r = server.post("/api/v1/users", {"username": "x", "password": "short", "role": "boss",
                                          "unit": "nope"}, token=tokens[account])
        check_error_body(r, 403, "forbidden")


def test_admin_reach_for_citizens_and_other_provinces(server, tokens):
    admin_token = tokens["admin.phutho"]
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


# --- dossiers, files, forms, notifications, calendar overrides, the register and the queue -----

ERROR_CODES = {400: None, 401: "unauthenticated", 403: "forbidden", 404: "not_found",
               409: "conflict"}
OVERRIDE_DATE = "2098-06-10"  # a Tuesday far from every other test's dates


def cell_request(server, tokens, world: World, cell: Cell):
    token = None if cell.account in ("no_token", "anonymous") or cell.context == "no_token" \
        else tokens[cell.account]
    route = cell.route
    which = which_of(cell.context)
    if route == "GET /api/v1/public/dossiers/{code}":
        digits = world.last4[cell.target] if "_right_" in cell.context else "9999"
        return server.get(f"/api/v1/public/dossiers/{q(world.codes[cell.target])}"
                          f"?id_last4={digits}", token=token)
    if route in ("GET /api/v1/dossiers/{code}", "GET /api/v1/dossiers/{code}/events",
                 "GET /api/v1/dossiers/{code}/notifications"):
        suffix = route.split("{code}")[1]
        return server.get(f"/api/v1/dossiers/{q(world.codes[which])}{suffix}", token=token)
    if route == "POST /api/v1/dossiers/{code}/actions":
        action = cell.context.rsplit("_", 1)[1]
        return server.post(f"/api/v1/dossiers/{q(world.codes[which])}/actions",
                           {"action": action, "version": 999}, token=token)
    if route == "GET /api/v1/dossiers/{code}/files/{sha256}":
        sha = world.files["vt" if cell.context.endswith("file_of_07900") else which]
        return server.get(f"/api/v1/dossiers/{q(world.codes[which])}/files/{sha}", token=token)
    if route == "GET /api/v1/dossiers/{code}/forms/{form}":
        form = cell.context.split("form")[1]
        return server.get(f"/api/v1/dossiers/{q(world.codes[which])}/forms/{form}", token=token)
    if route == "GET /api/v1/dossiers":
        if cell.target is None:
            return server.get("/api/v1/dossiers?limit=100", token=token)
        return server.get(f"/api/v1/dossiers?limit=100&unit={cell.target}", token=token)
    if route == "GET /api/v1/units/{code}/register":
        return server.get(f"/api/v1/units/{cell.target}/register?month=2026-04", token=token)
    if route == "POST /api/v1/files":
        return server.upload(token, sample_pdf(f"matrix cell {secrets.token_hex(8)}"))
    if route == "GET /api/v1/files/{sha256}":
        sha = {"citizen_upload": world.files["xh"], "viettri_upload": world.files["vt"]}.get(
            cell.context) or world.own_upload[cell.account]
        return server.get(f"/api/v1/files/{sha}", token=token)
    if route == "GET /api/v1/me/documents":
        return server.get("/api/v1/me/documents", token=token)
    if route == "GET /api/v1/calendar/changes":
        return server.get("/api/v1/calendar/changes", token=token)
    raise AssertionError(f"no request for {route}")


def dossier_body(world: World, cell: Cell) -> dict:
    return {"procedure_id": "HT-002", "unit": cell.target,
            "applicant": {"id_number": "025095000123" if cell.account == "025095000123"
                          else "001299000002", "full_name": "Người Nộp Ma Trận"},
            "components": [{"component_id": c, "source": "uploaded",
                            "file_sha256": world.own_upload.get(cell.account, world.files["xh"]),
                            "file_name": c + ".pdf"}
                           for c in ("to_khai_lien_thong", "giay_chung_sinh",
                                     "giay_to_tuy_than")],
            **({} if cell.account == "025095000123" else {"channel": "counter"})}


def check_no_leak(world: World, cell: Cell, r) -> None:
    """A 2xx answer names no dossier, and no file, that the account may not see (the public
    lookup names the dossier asked for, to whoever knows its code and last 4 digits)."""
    if cell.account in ("no_token", "anonymous") or cell.context == "no_token" or \
            cell.route == "GET /api/v1/public/dossiers/{code}":
        return
    for i, which in enumerate(("xh", "vt")):
        if not VISIBLE[cell.account][i]:
            assert world.codes[which].encode() not in r.body, (which, r.body[:300])
            assert world.files[which].encode() not in r.body, (which, r.body[:300])


@pytest.mark.parametrize("cell", DOSSIER_CELLS, ids=lambda c: c.id)
def test_dossier_and_unit_routes(server, tokens, world, cell):
    route = cell.route
    if route == "POST /api/v1/dossiers":
        token = None if cell.context == "no_token" else tokens[cell.account]
        before = server.dossier_count()
        r = server.post("/api/v1/dossiers", dossier_body(world, cell), token=token)
        assert r.status == cell.expected, r
        assert server.dossier_count() == before + (1 if r.status == 201 else 0)
        if r.status == 201:
            assert r.json()["receiving_unit"] == cell.target
        else:
            check_error_body(r, cell.expected, ERROR_CODES[cell.expected])
            if cell.expected == 400:
                assert r.json()["error"]["field"] == "unit", r
        return
    if route in ("PUT /api/v1/calendar/overrides/{date}",
                 "DELETE /api/v1/calendar/overrides/{date}"):
        check_override_cell(server, tokens, cell)
        return
    r = cell_request(server, tokens, world, cell)
    assert r.status == cell.expected, r
    if r.status >= 400:
        check_error_body(r, cell.expected, ERROR_CODES[cell.expected])
        for which in ("xh", "vt"):  # an error says nothing of a file's or dossier's content
            assert world.files[which].encode() not in r.body, r
        return
    check_no_leak(world, cell, r)
    which = which_of(cell.context)
    if route == "GET /api/v1/dossiers/{code}":
        assert r.json()["code"] == world.codes[which]
    elif route == "GET /api/v1/dossiers/{code}/events":
        assert [e["action"] for e in r.json()["items"]] == (
            ["submit", "receive"] if which == "xh" else ["receive"]), r.json()
    elif route == "GET /api/v1/dossiers/{code}/files/{sha256}":
        assert r.body.startswith(b"%PDF-") and r.body.endswith(b"%%EOF\n"), r
    elif route == "GET /api/v1/dossiers/{code}/forms/{form}":
        assert r.header("content-type").startswith("application/pdf") and \
            r.body.startswith(b"%PDF-"), r
    elif route == "GET /api/v1/units/{code}/register":
        assert r.body.startswith(b"%PDF-"), r
    elif route == "GET /api/v1/public/dossiers/{code}":
        assert r.json()["code"] == world.codes[cell.target], r
    elif route == "GET /api/v1/dossiers":
        # each of the two dossiers is in the answer to a search for its code exactly when the
        # account sees it and the unit asked for (if any) is where it is (a citizen's unit is
        # ignored: their queue is their own dossiers)
        for i, which in enumerate(("xh", "vt")):
            unit = None if cell.account == "025095000123" else cell.target
            expected = VISIBLE[cell.account][i] and unit in (None, HOME[which])
            query = {"q": world.codes[which], **({"unit": cell.target} if cell.target else {})}
            found = server.get("/api/v1/dossiers?" + urllib.parse.urlencode(query),
                               token=tokens[cell.account])
            assert found.status == 200, found
            assert [d["code"] for d in found.json()["items"]] == (
                [world.codes[which]] if expected else []), (which, found)
    elif route == "POST /api/v1/files":
        assert len(r.json()["sha256"]) == 64, r
    elif route == "GET /api/v1/files/{sha256}":
        assert r.body.startswith(b"%PDF-"), r
    elif route == "GET /api/v1/me/documents":
        shas = {d["sha256"] for d in r.json()["items"]}
        assert world.files["xh"] in shas, shas
    elif route == "GET /api/v1/calendar/changes":
        assert r.json()["items"] and all(c["date"] for c in r.json()["items"]), r


def override_days(server) -> set:
    r = server.get("/api/v1/calendar/days?year=2098", record=False)
    assert r.status == 200, r
    return {d["date"] for d in r.json()["days"]}


def check_override_cell(server, tokens, cell: Cell) -> None:
    token = None if cell.account == "no_token" else tokens[cell.account]
    admin = tokens["admin.phutho"]
    path = f"/api/v1/calendar/overrides/{OVERRIDE_DATE}"
    body = {"working": False, "reason_vi": "Ô ma trận"}
    if cell.route.startswith("PUT"):
        assert OVERRIDE_DATE not in override_days(server)
        r = server.request("PUT", path, json_body=body, token=token)
        assert r.status == cell.expected, r
        if r.status == 200:
            assert OVERRIDE_DATE in override_days(server)
            assert server.request("DELETE", path, token=admin, record=False).status == 204
        else:
            check_error_body(r, cell.expected, ERROR_CODES[cell.expected])
            assert OVERRIDE_DATE not in override_days(server)
        return
    assert server.request("PUT", path, json_body=body, token=admin, record=False).status == 200
    try:
        r = server.request("DELETE", path, token=token)
        assert r.status == cell.expected, r
        if r.status == 204:
            assert OVERRIDE_DATE not in override_days(server)
        else:
            check_error_body(r, cell.expected, ERROR_CODES[cell.expected])
            assert OVERRIDE_DATE in override_days(server)
    finally:
        server.request("DELETE", path, token=admin, record=False)
