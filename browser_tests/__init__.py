"""The integration's flows in the real Home Assistant frontend, driven in Chromium."""
