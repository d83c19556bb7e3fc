"""Fail unless every module has at least the minimum test coverage, not just the total.

Home Assistant's Integration Quality Scale (rule ``test-coverage``) asks for more than 95 %
for *all* integration modules: a well-covered config flow must not hide an untested camera.
Reads coverage.py's JSON report (``coverage json`` / ``pytest --cov-report=json:PATH``) and
names every module under the minimum. Coverage counts lines and branches, as the terminal
report does. Some rules ask more of one module (config-flow-test-coverage: 100 % of the config
flow): ``--require PATH=PERCENT`` raises the minimum for that module.

    python scripts/tools/coverage_gate.py [--fail-under 95] [--require PATH=100 ...] coverage.json
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
import sys


def shortfalls(
    report: dict, minimum: float, required: dict[str, float] | None = None
) -> list[tuple[str, float, float]]:
    """(module, percent, its minimum) for every module under its minimum, lowest first."""
    required = required or {}
    low = []
    for name, data in report["files"].items():
        percent = float(data["summary"]["percent_covered"])
        wanted = required.get(name, minimum)
        if percent < wanted:
            low.append((name, percent, wanted))
    return sorted(low, key=lambda item: (item[1], item[0]))


def _requirement(text: str) -> tuple[str, float]:
    path, separator, percent = text.rpartition("=")
    if not separator or not path:
        raise argparse.ArgumentTypeError(f"expected PATH=PERCENT, got {text!r}")
    return path, float(percent)


def shown(percent: float) -> str:
    """Rounded down, so that 94.97 % never reads as 95.0 %."""
    return f"{math.floor(percent * 10) / 10:.1f} %"


def main(argv: list[str] | None = None) -> int:
    """Print the verdict; exit status 1 if a module is under the minimum."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="coverage.py JSON report")
    parser.add_argument("--fail-under", type=float, default=95.0, metavar="PERCENT")
    parser.add_argument(
        "--require",
        type=_requirement,
        action="append",
        default=[],
        metavar="PATH=PERCENT",
        help="a higher minimum for one module (repeatable)",
    )
    args = parser.parse_args(argv)
    required = dict(args.require)

    if not args.report.is_file():
        print(f"coverage gate: no coverage report at {args.report}", file=sys.stderr)
        return 1
    report = json.loads(args.report.read_text(encoding="utf-8"))
    files = report["files"]
    if not files:
        print("coverage gate: the report measured no module", file=sys.stderr)
        return 1
    missing = sorted(set(required) - set(files))
    if missing:
        print(f"coverage gate: no coverage measured for {', '.join(missing)}", file=sys.stderr)
        return 1
    low = shortfalls(report, args.fail_under, required)
    total = float(report["totals"]["percent_covered"])
    if low:
        print(
            f"coverage gate FAILED: {len(low)} of {len(files)} modules under their minimum "
            f"({args.fail_under:g} % unless noted; total {shown(total)}):",
            file=sys.stderr,
        )
        for name, percent, wanted in low:
            note = f"  (needs {wanted:g} %)" if wanted != args.fail_under else ""
            print(f"  {shown(percent):>8}  {name}{note}", file=sys.stderr)
        return 1
    lowest_name, lowest = min(
        ((name, float(data["summary"]["percent_covered"])) for name, data in files.items()),
        key=lambda item: item[1],
    )
    raised = "".join(f", {name} at least {wanted:g} %" for name, wanted in required.items())
    print(
        f"coverage gate passed: all {len(files)} modules at least {args.fail_under:g} %{raised} "
        f"(lowest {lowest_name} {shown(lowest)}, total {shown(total)})",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
