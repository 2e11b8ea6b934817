"""The README documents every command and every stable JSON key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from uplift.cli import app
from uplift.output.views import gaps, growth, partners, plans, targets, tiers, workspace

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def command_names() -> list[str]:
    return sorted(c.name or c.callback.__name__ for c in app.registered_commands)


@pytest.mark.parametrize("name", command_names())
def test_every_command_is_documented(name: str) -> None:
    assert re.search(rf"`uplift {name}[ `]", README), f"uplift {name} is not in README.md"


KEY_LISTS = {
    "tier": tiers.tier_keys("prescriber", "decile") + tiers.tier_keys("hospital", "thresholds"),
    "gaps": list(gaps.GAPS_KEYS),
    "plan": list(plans.PLAN_KEYS),
    "growth": [
        *growth.GROWTH_KEYS,
        *growth.ROW_KEYS,
        *growth.TOTALS_KEYS,
        *growth.BREADTH_DEPTH_KEYS,
    ],
    "targets": [*targets.TARGET_KEYS, *targets.UNKNOWN_KEYS],
    "partners": list(partners.PARTNER_KEYS),
    "sources": list(workspace.SOURCES_KEYS),
    "trace": list(workspace.TRACE_KEYS),
}


@pytest.mark.parametrize("command", sorted(KEY_LISTS))
def test_every_json_key_is_documented(command: str) -> None:
    missing = [k for k in KEY_LISTS[command] if f"`{k}`" not in README]
    assert not missing, f"uplift {command}: keys not documented in README.md: {missing}"
