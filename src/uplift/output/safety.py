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


# C0 controls (ESC among them), DEL and C1 controls, and the bidirectional overrides and
# isolates that reorder what follows them: a name holding them could clear the screen,
# hide a hyperlink or make one figure read as another
_UNSAFE = {
    **{c: f"\\x{c:02x}" for c in range(0x20)},
    0x09: "\\t",
    0x0A: "\\n",
    0x0D: "\\r",
    0x7F: "\\x7f",
    **{c: f"\\x{c:02x}" for c in range(0x80, 0xA0)},
    **{c: f"\\u{c:04x}" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)},
}


def visible(text: str) -> str:
    """`text` with control, escape and direction characters written out (`\\x1b`, `\\u202e`),
    so that data printed to a terminal is only ever seen, never obeyed."""
    return text.translate(_UNSAFE) if not text.isprintable() else text


def shortened(text: str, limit: int = 80) -> str:
    """`text` cut to about `limit` characters for a message, saying how long it was:
    a 1,000,000-character cell is shown by its start and end, never printed whole."""
    text = visible(text)
    if len(text) <= limit:
        return text
    head = max(limit - 30, 10)
    return f"{text[:head]}…{text[-10:]} ({len(text):,} characters)"
