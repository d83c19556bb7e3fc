"""Translated errors of Home Assistant's side: what a user is told when a request is refused."""

from __future__ import annotations

from homeassistant.exceptions import ServiceValidationError

from .const import DOMAIN


def validation_error(key: str, **placeholders: str) -> ServiceValidationError:
    """Refuse a request with the translated message ``exceptions.<key>`` of the integration."""
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )
