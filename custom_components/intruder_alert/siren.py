"""Zone siren: a buzzer on a GPIO pin, with duration and (passive buzzers) tones."""

from __future__ import annotations

from typing import Any

from homeassistant.components.siren import SirenEntity
from homeassistant.components.siren.const import ATTR_DURATION, ATTR_TONE, SirenEntityFeature
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_call_later

from .const import CONF_BUZZER_PIN
from .coordinator import IntruderAlertConfigEntry
from .entity import IntruderAlertZoneEntity, async_add_zone_entities
from .hardware.buzzer import GpioBuzzer
from .zone import Zone

PARALLEL_UPDATES = 1
# Named tones a passive buzzer plays, in Hz.
TONES = {"low": 330.0, "mid": 440.0, "high": 880.0}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: IntruderAlertConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a siren for each zone with a buzzer pin, also while the pin cannot be opened yet."""
    async_add_zone_entities(
        entry,
        async_add_entities,
        lambda zone: BuzzerSiren(zone) if zone.config.get(CONF_BUZZER_PIN) is not None else None,
    )


class BuzzerSiren(IntruderAlertZoneEntity, SirenEntity):
    """The zone's buzzer."""

    def __init__(self, zone: Zone) -> None:
        """Describe the siren; what it can do follows the zone's current buzzer."""
        super().__init__(zone, "siren")
        self._cancel_timer: CALLBACK_TYPE | None = None

    @property
    def _tonal(self) -> bool:
        return self._buzzer is not None and self._buzzer.tonal

    @property
    def supported_features(self) -> SirenEntityFeature:
        """Tones only where the buzzer can play them (a passive buzzer with PWM)."""
        features = (
            SirenEntityFeature.TURN_ON | SirenEntityFeature.TURN_OFF | SirenEntityFeature.DURATION
        )
        return features | SirenEntityFeature.TONES if self._tonal else features

    @property
    def available_tones(self) -> list[int | str] | None:
        """The named tones a passive buzzer plays."""
        return list(TONES) if self._tonal else None

    @property
    def _buzzer(self) -> GpioBuzzer | None:
        # The zone reopens its GPIO devices when the chip comes back: always use its current one.
        return self.zone.buzzer

    @property
    def available(self) -> bool:
        """Unavailable while the zone's GPIO chip is."""
        return self._buzzer is not None

    @property
    def is_on(self) -> bool:
        """Whether the buzzer sounds."""
        return self._buzzer is not None and self._buzzer.is_on

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Sound, for ``duration`` seconds if given."""
        if (buzzer := self._buzzer) is None:
            return
        tone = TONES.get(kwargs.get(ATTR_TONE) or "mid")
        await self.hass.async_add_executor_job(buzzer.on, tone)
        self._cancel()
        if duration := kwargs.get(ATTR_DURATION):
            self._cancel_timer = async_call_later(self.hass, float(duration), self._async_timeout)
        self.async_write_ha_state()

    async def _async_timeout(self, _: Any) -> None:
        self._cancel_timer = None
        await self.async_turn_off()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop sounding."""
        self._cancel()
        if (buzzer := self._buzzer) is not None:
            await self.hass.async_add_executor_job(buzzer.off)
        self.async_write_ha_state()

    def _cancel(self) -> None:
        if self._cancel_timer is not None:
            self._cancel_timer()
            self._cancel_timer = None

    async def async_will_remove_from_hass(self) -> None:
        """Never leave a buzzer sounding."""
        self._cancel()
        await super().async_will_remove_from_hass()
