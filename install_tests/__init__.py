"""Installs the integration into a clean Home Assistant, as users get it."""
