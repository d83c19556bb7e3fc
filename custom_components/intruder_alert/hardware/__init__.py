"""Hardware adapters (GPIO through gpiozero, the Raspberry Pi camera through picamera2).

Nothing here imports ``homeassistant``. The hardware libraries are imported lazily, inside the
blocking constructors (which Home Assistant runs in its executor): importing ``motion``,
``buzzer`` or ``picamera`` never imports gpiozero, gpiod or picamera2, so the integration loads
on hosts that have none of them. Only ``gpiod_factory`` imports gpiozero at its top; it is
imported by those constructors alone.
"""
