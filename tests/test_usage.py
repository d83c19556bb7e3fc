"""Rekognition calls today count every call; the estimated cost prices only what AWS bills."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.intruder_alert.const import DOMAIN
from custom_components.intruder_alert.engine.usage import BILLED_OPERATIONS, ApiUsage
from homeassistant.core import HomeAssistant

from .conftest import enroll_photo
from .scenes import portrait

CALLS = "sensor.intruder_alert_eu_west_1_rekognition_calls_today"
COST = "sensor.intruder_alert_eu_west_1_estimated_cost_today"
# AWS Rekognition pricing: image API groups 1 and 2; collection, user and face management is free.
GROUP_1 = {
    "AssociateFaces",
    "CompareFaces",
    "DisassociateFaces",
    "IndexFaces",
    "SearchFacesByImage",
    "SearchFaces",
    "SearchUsersByImage",
    "SearchUsers",
}
NOT_BILLED = {
    "CreateUser",
    "DeleteUser",
    "DeleteFaces",
    "ListFaces",
    "ListUsers",
    "DescribeCollection",
    "CreateCollection",
    "GetCallerIdentity",
    "PutObject",
    "DeleteObject",
}


def test_billed_operations_are_the_image_apis() -> None:
    """Group 1 and DetectFaces are billed; managing collections, users and faces is not."""
    assert GROUP_1 <= BILLED_OPERATIONS
    assert "DetectFaces" in BILLED_OPERATIONS
    assert not NOT_BILLED & BILLED_OPERATIONS


def test_billed_today_counts_only_billed_calls() -> None:
    """Every call is counted; only billed ones are billed; a new day starts from zero."""
    day = [date(2026, 3, 1)]
    usage = ApiUsage(today=lambda: day[0])
    for operation in ("SearchUsersByImage", "SearchUsersByImage", "CreateUser", "ListFaces"):
        usage.record(operation)
    assert sum(usage.today().values()) == 4
    assert usage.billed_today() == 2
    day[0] = date(2026, 3, 2)
    assert usage.today() == {}
    assert usage.billed_today() == 0
    assert sum(usage.total().values()) == 4


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_enrol_and_remove_cost_only_the_billed_calls(
    hass: HomeAssistant, server_entry: MockConfigEntry, media_dir: Path
) -> None:
    """Enrolling and removing someone: every call counts; only IndexFaces, AssociateFaces cost."""
    usage = server_entry.runtime_data.backend.usage
    before = usage.today()
    assert hass.states.get(COST).state == "0.0"

    await enroll_photo(hass, media_dir, "whitelist", "Alice", portrait("alice"))
    await hass.services.async_call(
        DOMAIN, "remove_person", {"tier": "whitelist", "name": "Alice"}, blocking=True
    )
    await hass.async_block_till_done()

    made = {op: n - before.get(op, 0) for op, n in usage.today().items() if n != before.get(op, 0)}
    # Enrolment: IndexFaces, CreateUser, AssociateFaces, ListFaces. Removal: ListUsers,
    # ListFaces, DeleteUser, DeleteFaces. (And the people counts' DescribeCollection refreshes.)
    assert {op: made[op] for op in made if op != "DescribeCollection"} == {
        "IndexFaces": 1,
        "CreateUser": 1,
        "AssociateFaces": 1,
        "ListFaces": 2,
        "ListUsers": 1,
        "DeleteUser": 1,
        "DeleteFaces": 1,
    }
    assert int(hass.states.get(CALLS).state) == sum(usage.today().values())
    assert int(hass.states.get(CALLS).state) - sum(before.values()) == sum(made.values())
    # 0.001 USD per billed call: IndexFaces and AssociateFaces.
    assert float(hass.states.get(COST).state) == pytest.approx(0.002)
