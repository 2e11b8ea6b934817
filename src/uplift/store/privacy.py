"""Prescriber masking: stable pseudonyms for sharing outputs without doctors' names.

A pseudonym is an HMAC-SHA256 of the hospital and the doctor's name under a secret key kept
in the workspace (`secret.key`, readable by its owner only). Same key, same doctor, same
pseudonym, in every output and every run; without the key a pseudonym tells nothing about
the name. A doctor is (hospital, name), as everywhere in `uplift`: the same name in two
hospitals gets two pseudonyms.

Frames that embed names in text (uplift plans) follow one contract so masking is reliable:
`targets` is a list of names, `target_kinds` says for each whether it is a "prescriber",
a "department" or a "hospital", and `text_template` holds every text column (`formula`,
`evidence`, `kpi`, `actions`) with the targets written as tokens `⟦0⟧`, `⟦1⟧` ... (indices
into `targets`). Masking replaces the prescriber targets and renders the texts again, so a
real name can never survive in the text.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from uplift.errors import UpliftError
from uplift.sheets import columns as C
from uplift.sheets.names import normalise, normalise_person

if TYPE_CHECKING:
    import pandas as pd

    from uplift.config import Settings

KEY_FILE: Final = "secret.key"
KEY_BYTES: Final = 32
PREFIX: Final = "医生-"
# Crockford base32: no I, L, O, U, so a pseudonym is easy to read aloud and never a word.
_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_LENGTH: Final = 5

# The named-text contract
TARGETS: Final = "targets"
TARGET_KINDS: Final = "target_kinds"
TEXT_TEMPLATE: Final = "text_template"
TEXT_COLUMNS: Final = ("formula", "evidence", "kpi", "actions")
PRESCRIBER_KIND: Final = "prescriber"
_TOKEN = re.compile(r"⟦(\d+)⟧")


def token(index: int) -> str:
    """The placeholder for `targets[index]` in a text template."""
    return f"⟦{index}⟧"


def fill_names(template: str, names: Sequence[str]) -> str:
    """`template` with every token replaced by its name (one pass: names are not rescanned)."""
    return _TOKEN.sub(lambda m: names[int(m.group(1))], template)


def render_texts(template: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    """Every text of a template rendered with `names` (lists rendered item by item)."""
    out: dict[str, Any] = {}
    for key, value in template.items():
        if isinstance(value, list):
            out[key] = [fill_names(v, names) for v in value]
        else:
            out[key] = fill_names(value, names)
    return out


def pseudonym(hospital: str, name: str, key: bytes) -> str:
    """A stable pseudonym like `医生-7K3Q2` for the doctor `name` of `hospital`."""
    message = f"{normalise(hospital)}\x1f{normalise_person(name)}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    code = []
    for _ in range(_CODE_LENGTH):
        number, digit = divmod(number, len(_ALPHABET))
        code.append(_ALPHABET[digit])
    return PREFIX + "".join(code)


def mask_prescribers(
    df: pd.DataFrame, key: bytes, columns: Sequence[str] = (C.PRESCRIBER,)
) -> pd.DataFrame:
    """A copy of `df` with doctors' names replaced by pseudonyms.

    Masks the text `columns` that are present (the empty name stays empty), and, for
    frames following the named-text contract (see the module docstring), the prescriber
    entries of `targets` and every text column rendered from `text_template`.
    Needs a `hospital` column, since a doctor is known by hospital and name.
    """
    out = df.copy()
    hospitals = list(out[C.HOSPITAL]) if C.HOSPITAL in out.columns else [""] * len(out)
    for col in columns:
        if col in out.columns:
            out[col] = [
                pseudonym(h, n, key) if n else n
                for h, n in zip(hospitals, out[col].astype("str"), strict=True)
            ]
    if TARGETS in out.columns and TARGET_KINDS in out.columns:
        masked = [
            [
                pseudonym(h, t, key) if k == PRESCRIBER_KIND else t
                for t, k in zip(targets, kinds, strict=True)
            ]
            for h, targets, kinds in zip(hospitals, out[TARGETS], out[TARGET_KINDS], strict=True)
        ]
        out[TARGETS] = masked
        if TEXT_TEMPLATE in out.columns:
            rendered = [
                render_texts(t, names) for t, names in zip(out[TEXT_TEMPLATE], masked, strict=True)
            ]
            for col in TEXT_COLUMNS:
                if col in out.columns:
                    out[col] = [r[col] for r in rendered]
    return out


def load_or_create_key(folder: Path) -> bytes:
    """The masking key in `folder/secret.key`; created (random, 32 bytes) when missing.

    The folder is created with mode 0700 and the key file with mode 0600 (opened
    exclusively, so two processes never write two keys); an existing key file readable by
    others is tightened to 0600.
    """
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True)
        os.chmod(folder, 0o700)  # mkdir honours the umask; make the mode exact
    path = folder / KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key(path)
    key = secrets.token_bytes(KEY_BYTES)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return key


def _read_key(path: Path) -> bytes:
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise UpliftError(
            f"{path}: not a masking key ({len(key)} bytes, expected {KEY_BYTES})",
            hint="move the file away to create a new key (pseudonyms will change)",
        )
    return key


def privacy_level(settings: Settings, *, mask_prescribers: bool = False) -> str:
    """The prescriber detail to use: the stricter of uplift.toml's and `--mask-prescribers`."""
    from uplift.config import PRIVACY_LEVELS

    level = settings.prescriber_detail
    if mask_prescribers and PRIVACY_LEVELS.index(level) < PRIVACY_LEVELS.index("pseudonym"):
        return "pseudonym"
    return level
