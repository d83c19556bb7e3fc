"""Repair issues the integration raises."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN


def issue_id(entry_id: str) -> str:
    """The id of the missing-collection issue of an account."""
    return f"collection_missing_{entry_id}"


@callback
def async_create_collection_issue(
    hass: HomeAssistant, entry_id: str, title: str, error: str
) -> None:
    """Raise the fixable missing-collection issue for an account."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(entry_id),
        is_fixable=True,
        severity=ir.IssueSeverity.ERROR,
        translation_key="collection_missing",
        translation_placeholders={"error": error, "title": title},
        data={"entry_id": entry_id},
    )


@callback
def async_delete_collection_issue(hass: HomeAssistant, entry_id: str) -> None:
    """The account's collections are back."""
    ir.async_delete_issue(hass, DOMAIN, issue_id(entry_id))


# The README's IAM policy: what the missing-permission issue's "Learn more" opens.
IAM_POLICY_URL = "https://github.com/intruder-alert/intruder_alert#iam-policy"

# Where AWS refused a permission. Each is cleared only by the same kind of call succeeding: a
# passing account check (DescribeCollection) proves nothing about a run's SearchUsersByImage.
CHECK = "check"
RUN = "run"


def access_issue_id(entry_id: str) -> str:
    """The id of the missing-permission issue of an account."""
    return f"access_denied_{entry_id}"


def _refused(hass: HomeAssistant, entry_id: str) -> dict[str, str]:
    """The refused permission of each kind of call, as the account's issue records it."""
    issue = ir.async_get(hass).async_get_issue(DOMAIN, access_issue_id(entry_id))
    data = issue.data if issue is not None and issue.data else {}
    return {source: str(data[source]) for source in (CHECK, RUN) if data.get(source)}


@callback
def _async_show_access_issue(
    hass: HomeAssistant, entry_id: str, title: str, refused: dict[str, str]
) -> None:
    """Raise (or update) the issue naming every refused permission, or delete it if none."""
    if not refused:
        ir.async_delete_issue(hass, DOMAIN, access_issue_id(entry_id))
        return
    # Only the entry's title and ``service:Action`` names: never AWS's message, which carries
    # the caller's ARN with the account id.
    actions = " and ".join(f"`{action}`" for action in sorted(set(refused.values())))
    ir.async_create_issue(
        hass,
        DOMAIN,
        access_issue_id(entry_id),
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key="access_denied",
        translation_placeholders={"action": actions, "title": title},
        learn_more_url=IAM_POLICY_URL,
        data={"entry_id": entry_id, **refused},
    )


@callback
def async_report_access_denied(
    hass: HomeAssistant, entry_id: str, title: str, source: str, permission: str
) -> None:
    """AWS refused ``permission`` (``service:Action``) to the account's ``source`` call."""
    refused = _refused(hass, entry_id) | {source: permission}
    _async_show_access_issue(hass, entry_id, title, refused)


@callback
def async_report_access_granted(
    hass: HomeAssistant, entry_id: str, title: str, source: str
) -> None:
    """AWS accepted the account's ``source`` call: what it had refused there is allowed now."""
    refused = _refused(hass, entry_id)
    if source in refused:
        del refused[source]
        _async_show_access_issue(hass, entry_id, title, refused)


@callback
def async_delete_access_issue(hass: HomeAssistant, entry_id: str) -> None:
    """The account is gone: so is its missing-permission issue."""
    ir.async_delete_issue(hass, DOMAIN, access_issue_id(entry_id))
