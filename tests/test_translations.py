"""Every abort reason, form error and progress text the flows use has its English text.

Home Assistant shows a key without a translation as the raw key ("reauth_successful"), so each
one the flows can show must be in translations/en.json. The keys are read from the flows' source
(with ``ast``), including Home Assistant's defaults: ``async_update_reload_and_abort`` aborts with
``reauth_successful`` or ``reconfigure_successful``, ``_abort_if_unique_id_configured`` with
``already_configured``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
import json
from pathlib import Path
from typing import Any

import pytest

from custom_components.intruder_alert import const

PACKAGE = Path(__file__).resolve().parents[1] / "custom_components" / "intruder_alert"
EN = json.loads((PACKAGE / "translations" / "en.json").read_text())

# Home Assistant's own abort reasons, and what its helpers abort with by default.
DEFAULT_REASONS = {
    "_abort_if_unique_id_configured": "already_configured",
    "_abort_if_unique_id_mismatch": "unique_id_mismatch",
}


@dataclass
class Keys:
    """What one function (or, merged, one flow) can show."""

    abort: set[str] = field(default_factory=set)
    error: set[str] = field(default_factory=set)
    progress: set[str] = field(default_factory=set)
    calls: set[str] = field(default_factory=set)

    def merge(self, other: Keys) -> None:
        """Add what ``other`` shows."""
        self.abort |= other.abort
        self.error |= other.error
        self.progress |= other.progress


def _text(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _keyword(call: ast.Call, name: str) -> str | None:
    return next((_text(kw.value) for kw in call.keywords if kw.arg == name), None)


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


def _is_errors(target: ast.expr) -> bool:
    """``errors[...]``: a form error being set."""
    return (
        isinstance(target, ast.Subscript)
        and isinstance(target.value, ast.Name)
        and target.value.id == "errors"
    )


def _keys_of(function: ast.FunctionDef | ast.AsyncFunctionDef, flow_kind: str | None) -> Keys:
    """The keys one function shows, and the module functions it calls."""
    keys = Keys()
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            name = _called_name(node)
            if isinstance(node.func, ast.Name):
                keys.calls.add(node.func.id)
            keys.calls.update(arg.id for arg in node.args if isinstance(arg, ast.Name))
            if (progress := _keyword(node, "progress_action")) is not None:
                keys.progress.add(progress)
            reason = _keyword(node, "reason")
            if name == "async_abort" and reason is not None:
                keys.abort.add(reason)
            elif name in DEFAULT_REASONS:
                keys.abort.add(reason or DEFAULT_REASONS[name])
            elif name == "async_update_reload_and_abort":
                # Home Assistant's default: reauth_successful in a reauthentication (a config
                # flow's reauth steps), reconfigure_successful otherwise.
                default = (
                    "reauth_successful"
                    if flow_kind == "config" and "reauth" in function.name
                    else "reconfigure_successful"
                )
                keys.abort.add(reason or default)
        elif isinstance(node, ast.Assign):
            targets = [
                element
                for target in node.targets
                for element in (target.elts if isinstance(target, ast.Tuple) else [target])
            ]
            if any(_is_errors(target) for target in targets) and (error := _text(node.value)):
                keys.error.add(error)
            if isinstance(node.value, ast.Dict) and any(
                isinstance(t, ast.Name) and t.id == "errors" for t in node.targets
            ):
                keys.error.update(filter(None, map(_text, node.value.values)))
        elif isinstance(node, ast.Return) and node.value is not None:
            # Helpers that answer with form errors: ``return None, {"base": "invalid_auth"}``,
            # or an (error, placeholder) pair: ``return "gpio_unavailable", problem``.
            returned = node.value
            parts = returned.elts if isinstance(returned, ast.Tuple) else [returned]
            for part in parts:
                if isinstance(part, ast.Dict):
                    keys.error.update(filter(None, map(_text, part.values)))
            if isinstance(returned, ast.Tuple) and (first := _text(returned.elts[0])):
                keys.error.add(first)
    return keys


def _base_names(cls: ast.ClassDef) -> set[str]:
    return {base.id for base in cls.bases if isinstance(base, ast.Name)}


def _subentry_types(tree: ast.Module) -> dict[str, str]:
    """Subentry flow class → subentry type, from ``async_get_supported_subentry_types``."""
    types: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "async_get_supported_subentry_types":
            for returned in ast.walk(node):
                if isinstance(returned, ast.Return) and isinstance(returned.value, ast.Dict):
                    for key, value in zip(returned.value.keys, returned.value.values, strict=True):
                        assert isinstance(key, ast.Name)
                        assert isinstance(value, ast.Name)
                        types[value.id] = getattr(const, key.id)
    return types


def _flows(source: Path) -> dict[tuple[str, ...], Keys]:
    """Each flow of ``source``: its en.json section → everything it can show."""
    tree = ast.parse(source.read_text())
    module_functions = {
        node.name: node
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    subentry_types = _subentry_types(tree)
    flows: dict[tuple[str, ...], Keys] = {}
    for cls in (node for node in tree.body if isinstance(node, ast.ClassDef)):
        bases = _base_names(cls)
        if "ConfigFlow" in bases:
            section: tuple[str, ...] = ("config",)
        elif "ConfigSubentryFlow" in bases:
            section = ("config_subentries", subentry_types[cls.name])
        elif bases & {"OptionsFlow", "OptionsFlowWithReload"}:
            section = ("options",)
        elif "RepairsFlow" in bases:
            section = ("issues",)
        else:
            continue
        kind = section[0]
        flow = Keys()
        todo = [
            node for node in cls.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]
        seen: set[str] = set()
        while todo:
            function = todo.pop()
            keys = _keys_of(function, kind)
            flow.merge(keys)
            for called in keys.calls - seen:
                if called in module_functions:
                    seen.add(called)
                    todo.append(module_functions[called])
        flows[section] = flow
    return flows


def _section(path: tuple[str, ...]) -> dict[str, Any]:
    node: Any = EN
    for key in path:
        node = node.get(key, {})
    assert isinstance(node, dict)
    return node


CONFIG_FLOWS = _flows(PACKAGE / "config_flow.py")
REPAIR_FLOWS = _flows(PACKAGE / "repairs.py")


def test_the_flows_are_read() -> None:
    """The reader finds what the flows show (else the checks below would prove nothing)."""
    account = CONFIG_FLOWS["config",]
    assert {
        "already_configured",
        "wrong_account",
        "nothing_to_reconfigure",
        "requirements_failed",
        "reauth_successful",
        "reconfigure_successful",
    } <= account.abort
    assert {"invalid_auth", "access_denied", "region_not_supported", "bucket_not_found"} <= (
        account.error
    )
    zone = CONFIG_FLOWS["config_subentries", "zone"]
    assert zone.abort == {"reconfigure_successful"}
    assert {"name_exists", "pin_in_use", "gpio_unavailable", "invalid_resolution"} <= zone.error
    assert ("options",) in CONFIG_FLOWS
    assert {"entry_removed", "cannot_recreate"} <= REPAIR_FLOWS["issues",].abort


@pytest.mark.parametrize(
    ("section", "kind"),
    [(section, kind) for section in CONFIG_FLOWS for kind in ("abort", "error", "progress")],
    ids=lambda value: ".".join(value) if isinstance(value, tuple) else value,
)
def test_config_flow_keys_are_translated(section: tuple[str, ...], kind: str) -> None:
    """Every abort reason, error and progress key of a flow is in its en.json section."""
    used = getattr(CONFIG_FLOWS[section], kind)
    texts = _section((*section, kind))
    assert sorted(used - set(texts)) == []
    assert all(texts[key].strip() for key in used)


def test_repair_flow_aborts_are_translated() -> None:
    """The repair flow's aborts are in every fixable issue's texts."""
    used = REPAIR_FLOWS["issues",].abort
    fixable = {name: issue for name, issue in EN["issues"].items() if "fix_flow" in issue}
    assert fixable
    for issue in fixable.values():
        assert sorted(used - set(issue["fix_flow"].get("abort", {}))) == []
