"""Hardware adapters (GPIO through gpiozero, the Raspberry Pi camera through picamera2).

Nothing here imports ``homeassistant``, and the hardware libraries are imported lazily, so the
integration loads on hosts that have neither.
"""
