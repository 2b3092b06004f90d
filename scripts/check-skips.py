#!/usr/bin/env python3
"""Fails when a test was skipped without being declared in tests/skips-allowed.txt.

    scripts/check-skips.py CTEST_JUNIT API_JUNIT...

CTEST_JUNIT is ctest's --output-junit report (the unit tests, one ctest test per GoogleTest
test); each API_JUNIT is a pytest --junitxml report named api_<backend>.junit.xml. A missing
report is a failure (those tests did not run). So is an allow-list line that matched no skip:
the list stays exactly what is skipped. Prints every skip with its reason."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ALLOWED = Path(__file__).resolve().parents[1] / "tests" / "skips-allowed.txt"


def allowed() -> dict[str, str]:
    out = {}
    for line in ALLOWED.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("  ", 1) if "\t" not in line else line.split("\t", 1)
        name, reason = parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")
        if not reason:
            sys.exit(f"check-skips: {ALLOWED}: no reason given for {name!r}")
        out[name] = reason
    return out


def skipped(report: Path, prefix: str) -> list[tuple[str, str]]:
    """(name, message) of each skipped test case of a JUnit report."""
    out = []
    for case in ET.parse(report).getroot().iter("testcase"):
        skip = case.find("skipped")
        if skip is None and case.get("status") not in ("notrun", "disabled"):
            continue
        if prefix:  # pytest: "<module>::<test>", the module without its package path
            module = (case.get("classname") or "").rsplit(".", 1)[-1]
            name = f"{prefix} {module}::{case.get('name')}"
        else:  # ctest: a parameterised test's name ends with "  # GetParam() = ..."
            name = (case.get("name") or "").split("  # GetParam()")[0].strip()
        message = skip.get("message", "") if skip is not None else case.get("status", "")
        out.append((name, message))
    return out


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    found: list[tuple[str, str]] = []
    bad = 0
    for i, path in enumerate(map(Path, argv)):
        if not path.is_file():
            print(f"check-skips: no report {path}: those tests did not run", file=sys.stderr)
            bad = 1
            continue
        prefix = "" if i == 0 else path.name.split(".")[0]
        found += skipped(path, prefix)
    declared = allowed()
    for name, message in found:
        ok = name in declared
        print(f"check-skips: {'skipped by design' if ok else 'UNDECLARED SKIP'}: {name}: "
              f"{message}", file=sys.stderr)
        bad |= not ok
    for name in sorted(set(declared) - {n for n, _ in found}):
        print(f"check-skips: declared in {ALLOWED.name} but not skipped: {name}",
              file=sys.stderr)
        bad = 1
    if bad:
        print("check-skips: FAILED (declare a skip that is by design in tests/skips-allowed.txt,"
              " with its reason; anything else is a test that did not run)", file=sys.stderr)
        return 1
    print(f"check-skips: {len(found)} skipped, all by design", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
