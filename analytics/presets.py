"""Built-in presets for the exports marketers actually have (filled in from the platforms' real headers)."""

from __future__ import annotations

from analytics.mapping import Preset

BUILT_IN: list[Preset] = []
