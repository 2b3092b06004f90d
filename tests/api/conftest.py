"""Fixtures for the motcua API tests.

    /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/api --binary build/asan/motcua \
        --backend sqlite|postgres

The PostgreSQL backend needs MOTCUA_TEST_PG_URL (an admin URL such as
postgresql://postgres@127.0.0.1:5432/postgres); each server gets a fresh database."""

from __future__ import annotations

import os
import secrets

import pytest

from support import DEMO_ACCOUNTS, Server

# The shared server raises the per-client login rate limit: the whole suite logs in from
# 127.0.0.1 many more times than the default 30 a minute. test_auth.py checks the limiter on a
# server of its own.
SHARED_LIMITS = {"login_per_minute_per_client": 100000, "login_burst_per_client": 100000}


def pytest_addoption(parser):
    parser.addoption("--binary", default="/work/main/build/asan/motcua",
                     help="the motcua executable to test")
    parser.addoption("--backend", default="sqlite", choices=("sqlite", "postgres"),
                     help="database backend for the servers under test")


def pytest_collection_modifyitems(session, config, items):
    # Tests marked run_last (the OpenAPI coverage check) need the requests of all the others.
    items.sort(key=lambda item: item.get_closest_marker("run_last") is not None)


def pytest_configure(config):
    config.addinivalue_line("markers", "run_last: run after every other test")


@pytest.fixture(scope="session")
def backend(pytestconfig) -> str:
    return pytestconfig.getoption("--backend")


@pytest.fixture(scope="session")
def binary(pytestconfig) -> str:
    path = pytestconfig.getoption("--binary")
    if not os.access(path, os.X_OK):
        pytest.fail(f"--binary {path} is not an executable")
    return path


@pytest.fixture(scope="session")
def pg_admin_url(backend) -> str | None:
    if backend != "postgres":
        return None
    url = os.environ.get("MOTCUA_TEST_PG_URL")
    if not url:
        if os.environ.get("MOTCUA_REQUIRE_PG") == "1":
            pytest.fail("--backend postgres: MOTCUA_TEST_PG_URL is not set "
                        "(and MOTCUA_REQUIRE_PG=1)")
        pytest.skip("--backend postgres: MOTCUA_TEST_PG_URL is not set")
    return url


@pytest.fixture(scope="session")
def server_factory(binary, backend, pg_admin_url, tmp_path_factory):
    """Starts servers; the caller stops them with `finish` (which fails on crash or sanitizer
    reports)."""

    def start(limits=None, extra_args=None, name="srv", mode="demo", accounts=None) -> Server:
        workdir = tmp_path_factory.mktemp(name)
        return Server(binary, backend, workdir, limits=limits, extra_args=extra_args,
                      pg_admin_url=pg_admin_url, mode=mode, accounts=accounts).start()

    return start


def finish(server: Server) -> None:
    problems = server.stop()
    if problems:
        pytest.fail("server problems:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture(scope="session")
def server(server_factory):
    """The shared server for the whole run."""
    srv = server_factory(limits=SHARED_LIMITS, name="shared")
    yield srv
    finish(srv)


@pytest.fixture
def own_server(server_factory):
    """Starts a private server with the given limits / arguments for one test."""
    started = []

    def start(limits=None, extra_args=None) -> Server:
        srv = server_factory(limits=limits, extra_args=extra_args, name="own")
        started.append(srv)
        return srv

    yield start
    problems = []
    for srv in started:
        problems += srv.stop()
    if problems:
        pytest.fail("server problems:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture(scope="session")
def sessions(server) -> dict:
    """One login per demo account on the shared server: username -> login response body."""
    out = {}
    for username in DEMO_ACCOUNTS:
        out[username] = server.login_ok(username)
    return out


@pytest.fixture(scope="session")
def tokens(sessions) -> dict:
    return {u: s["token"] for u, s in sessions.items()}


@pytest.fixture(scope="session")
def admin_token(tokens) -> str:
    return tokens["admin.phutho"]


@pytest.fixture
def make_user(server, admin_token):
    """Creates an account through the API as admin.phutho; returns the response body."""

    def make(prefix="t", role="reception", unit="08746", password="correct-horse-1",
             full_name="Người kiểm thử") -> dict:
        username = prefix if role == "citizen" else f"{prefix}.{secrets.token_hex(4)}"
        body = {"username": username, "password": password, "role": role,
                "full_name": full_name}
        if unit is not None:
            body["unit"] = unit
        r = server.post("/api/v1/users", body, token=admin_token)
        assert r.status == 201, r
        out = r.json()
        out["password"] = password
        return out

    return make

