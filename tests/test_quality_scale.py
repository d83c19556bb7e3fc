"""quality_scale.yaml: every rule of Home Assistant's Integration Quality Scale, honestly stated."""

from __future__ import annotations

from pathlib import Path
import re
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).parents[1]
QUALITY_SCALE = ROOT / "custom_components" / "intruder_alert" / "quality_scale.yaml"

# The rules per tier, as hassfest knows them (script/hassfest/quality_scale.py in Home Assistant
# core; https://developers.home-assistant.io/docs/core/integration-quality-scale/rules/).
RULES: dict[str, tuple[str, ...]] = {
    "bronze": (
        "action-setup",
        "appropriate-polling",
        "brands",
        "common-modules",
        "config-flow",
        "config-flow-test-coverage",
        "dependency-transparency",
        "docs-actions",
        "docs-conditions",
        "docs-high-level-description",
        "docs-installation-instructions",
        "docs-removal-instructions",
        "docs-triggers",
        "entity-event-setup",
        "entity-unique-id",
        "has-entity-name",
        "runtime-data",
        "test-before-configure",
        "test-before-setup",
        "unique-config-entry",
    ),
    "silver": (
        "action-exceptions",
        "config-entry-unloading",
        "docs-configuration-parameters",
        "docs-installation-parameters",
        "entity-unavailable",
        "integration-owner",
        "log-when-unavailable",
        "parallel-updates",
        "reauthentication-flow",
        "test-coverage",
    ),
    "gold": (
        "devices",
        "diagnostics",
        "discovery",
        "discovery-update-info",
        "docs-data-update",
        "docs-examples",
        "docs-known-limitations",
        "docs-supported-devices",
        "docs-supported-functions",
        "docs-troubleshooting",
        "docs-use-cases",
        "dynamic-devices",
        "entity-category",
        "entity-device-class",
        "entity-disabled-by-default",
        "entity-translations",
        "exception-translations",
        "icon-translations",
        "reconfiguration-flow",
        "repair-issues",
        "stale-devices",
    ),
    "platinum": ("async-dependency", "inject-websession", "strict-typing"),
}
ALL_RULES = [rule for tier in RULES.values() for rule in tier]


def _rules() -> dict[str, Any]:
    return dict(yaml.safe_load(QUALITY_SCALE.read_text(encoding="utf-8"))["rules"])


def _status(value: Any) -> tuple[str, str]:
    """(status, comment) of an entry, in either of hassfest's two forms."""
    if isinstance(value, str):
        return value, ""
    assert set(value) <= {"status", "comment"}, value
    return value["status"], str(value.get("comment", "")).strip()


def test_every_rule_of_every_tier_is_listed_once() -> None:
    """No rule missing, none unknown (hassfest refuses both)."""
    assert len(ALL_RULES) == len(set(ALL_RULES)) == 54
    listed = _rules()
    assert sorted(set(ALL_RULES) - set(listed)) == []
    assert sorted(set(listed) - set(ALL_RULES)) == []


@pytest.mark.parametrize("rule", ALL_RULES)
def test_status_and_reason(rule: str) -> None:
    """done, todo or exempt; a todo or an exemption always says why."""
    status, comment = _status(_rules()[rule])
    assert status in {"done", "todo", "exempt"}
    if status != "done":
        assert len(comment) >= 20, f"{rule} is {status} without a reason"


def test_done_claims_have_their_evidence() -> None:
    """Rules marked done whose evidence is a file: the evidence is there."""
    rules = {rule: _status(value)[0] for rule, value in _rules().items()}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^## (.+)$", readme, flags=re.MULTILINE))
    if rules["docs-known-limitations"] == "done":
        assert "Known limitations" in headings
    if rules["docs-removal-instructions"] == "done":
        assert "Remove" in headings
    if rules["docs-troubleshooting"] == "done":
        assert "Troubleshooting" in headings
    if rules["docs-actions"] == "done":
        assert "Actions" in headings
    if rules["test-coverage"] == "done":
        # The quality scale asks for 95 % for every module, not the total.
        test_script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
        assert re.search(r"coverage_gate\.py --fail-under 95\b", test_script)
    if rules["config-flow-test-coverage"] == "done":
        test_script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
        assert "--require custom_components/intruder_alert/config_flow.py=100" in test_script
    if rules["diagnostics"] == "done":
        assert (QUALITY_SCALE.parent / "diagnostics.py").is_file()
    if rules["repair-issues"] == "done":
        assert (QUALITY_SCALE.parent / "repairs.py").is_file()
    if rules["entity-disabled-by-default"] == "done":
        code = "".join(
            path.read_text(encoding="utf-8") for path in QUALITY_SCALE.parent.glob("*.py")
        )
        assert re.search(r"entity_registry_enabled_default\s*=\s*False", code)
