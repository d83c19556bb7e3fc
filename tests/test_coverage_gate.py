"""scripts/tools/coverage_gate.py: every module must reach the minimum, not just the total."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

GATE = Path(__file__).parents[1] / "scripts" / "tools" / "coverage_gate.py"


def _gate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("coverage_gate", GATE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _report(tmp_path: Path, percents: dict[str, float], total: float) -> str:
    """A coverage.py JSON report (the parts the gate reads) with these per-file percentages."""
    report: dict[str, Any] = {
        "meta": {"format": 3},
        "files": {
            name: {"summary": {"percent_covered": percent, "num_statements": 100}}
            for name, percent in percents.items()
        },
        "totals": {"percent_covered": total},
    }
    path = tmp_path / "coverage.json"
    path.write_text(json.dumps(report))
    return str(path)


def test_a_high_total_does_not_hide_a_weak_module(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """98 % in total, but two modules under 95 %: it fails and names both, weakest first."""
    report = _report(
        tmp_path,
        {
            "pkg/config_flow.py": 100.0,
            "pkg/camera.py": 81.8,
            "pkg/zone.py": 94.97,
            "pkg/sensor.py": 95.0,
        },
        total=98.2,
    )
    assert _gate().main([report]) == 1
    err = capsys.readouterr().err
    assert "2 of 4 modules under their minimum (95 % unless noted" in err
    lines = [line.split() for line in err.splitlines()[1:]]
    assert lines == [["81.8", "%", "pkg/camera.py"], ["94.9", "%", "pkg/zone.py"]]


def test_every_module_at_the_minimum_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exactly the minimum is enough; the weakest module is reported."""
    report = _report(tmp_path, {"pkg/a.py": 95.0, "pkg/b.py": 100.0}, total=97.5)
    assert _gate().main([report]) == 0
    assert "lowest pkg/a.py 95.0 %" in capsys.readouterr().err
    assert _gate().main(["--fail-under", "96", report]) == 1


def test_no_report_or_an_empty_one_fails(tmp_path: Path) -> None:
    """A run that measured nothing must not pass the gate."""
    assert _gate().main([str(tmp_path / "missing.json")]) == 1
    assert _gate().main([_report(tmp_path, {}, total=100.0)]) == 1


def test_a_module_can_be_held_higher(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """config-flow-test-coverage wants 100 % of the config flow: 99.5 % fails just that module."""
    report = _report(tmp_path, {"pkg/config_flow.py": 99.5, "pkg/zone.py": 96.0}, total=97.0)
    gate = _gate()
    assert gate.main([report]) == 0
    capsys.readouterr()
    assert gate.main(["--require", "pkg/config_flow.py=100", report]) == 1
    err = capsys.readouterr().err
    assert "pkg/config_flow.py  (needs 100 %)" in err
    assert "pkg/zone.py" not in err
    # A required module that was never measured (renamed, say) fails rather than passing.
    assert gate.main(["--require", "pkg/config_flows.py=100", report]) == 1
