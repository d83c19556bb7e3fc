"""Tests of the Intruder Alert integration."""
