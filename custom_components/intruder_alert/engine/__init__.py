"""Home Assistant-free recognition engine: Rekognition access, images, tiers and verdicts.

Nothing in this package imports ``homeassistant``; it could be published on its own.
"""
