"""Panels for people: one boxed block of lines per item (used by `uplift plan`).

Kept apart from `render` so that module stays the table/JSON/CSV renderer; like it, this
module may import rich. Text is never read as rich markup: partner names such as
"[bold]" print as typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from uplift.output.render import console


@dataclass(frozen=True)
class PanelLine:
    """One line of a panel: text and an optional rich style ("bold", "dim", ...)."""

    text: str
    style: str = ""
    indent: int = 0


@dataclass(frozen=True)
class PanelSpec:
    """A titled panel: title, optional subtitle, and its lines."""

    title: str
    lines: Sequence[PanelLine] = field(default_factory=tuple)
    subtitle: str = ""


def print_panels(panels: Sequence[PanelSpec], *, out: Any = None) -> None:
    """Print each panel in turn, full width, lines wrapped with their indent kept."""
    from rich import box
    from rich.console import Group
    from rich.padding import Padding
    from rich.panel import Panel
    from rich.text import Text

    target = out or console()
    for spec in panels:
        body = [
            Padding(Text(line.text, style=line.style or ""), (0, 0, 0, line.indent))
            for line in spec.lines
        ]
        target.print(
            Panel(
                Group(*body),
                title=Text(spec.title, style="bold"),
                subtitle=Text(spec.subtitle) if spec.subtitle else None,
                title_align="left",
                box=box.ROUNDED,
            )
        )
