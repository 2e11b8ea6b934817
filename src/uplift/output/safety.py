"""Text safe to open in a spreadsheet: partner text never becomes a formula."""

from __future__ import annotations

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet program would read `text` as a formula or command."""
    return text.startswith(_FORMULA_START)


def safe_text(text: str) -> str:
    """Prefix formula-like text with an apostrophe-free guard (a leading single quote).

    CSV has no cell types, so the quote is the widely used guard (OWASP CSV injection).
    Workbooks written with openpyxl use a string cell type instead; see `export`.
    """
    return "'" + text if is_formula_like(text) else text
