"""Settings: one frozen dataclass, read from `uplift.toml`, overridden by options."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from uplift.errors import UsageError
from uplift.sheets.names import normalise

CONFIG_NAME = "uplift.toml"
PRIVACY_LEVELS = ("named", "pseudonym", "hidden")


@dataclass(frozen=True)
class Market:
    """A therapeutic market: our products and the competitors they meet."""

    name: str
    ours: frozenset[str]
    competitors: frozenset[str] = frozenset()

    def contains(self, product: str) -> bool:
        """True when `product` (normalised) belongs to this market."""
        if not self.competitors:
            return True
        return product in self.ours or product in self.competitors


@dataclass(frozen=True)
class Rates:
    """Assumptions behind plan estimates; all are fractions."""

    reach: float = 0.30  # deepen: within 30% below the next threshold
    conversion: float = 0.20
    adoption: float = 0.10
    recovery: float = 0.50
    event: float = 0.05


@dataclass(frozen=True)
class Settings:
    """Everything an analysis may need to know besides the data."""

    ours: frozenset[str] = frozenset()
    thresholds: tuple[float, ...] = (100.0, 200.0, 300.0)
    vip: float = 1000.0
    columns: dict[str, str] = field(default_factory=dict)
    hospital_aliases: dict[str, str] = field(default_factory=dict)
    markets: tuple[Market, ...] = ()
    rates: Rates = field(default_factory=Rates)
    max_unzipped_mb: float = 500.0
    # a row claiming more boxes than this is rejected as implausible (a typo, a code
    # pasted into the quantity column); a real delivery line is far below it
    max_boxes_per_row: float = 1_000_000.0
    # a hospital, department, doctor or product name longer than this is rejected: real
    # names are short, and a megabyte "name" would slow every comparison and message
    max_name_length: float = 200.0
    prescriber_detail: str = "named"
    source: str = ""  # the config file used, "" when none
    products: str = ""  # the product catalogue's file (`products = ...`), "" when none
    hospitals: str = ""  # the customer master's file (`hospitals = ...`), "" when none
    # master data in force (`with_master`): a sheets.catalogue.Catalogue and a
    # sheets.customers.CustomerMaster, or None
    catalogue: Any = None
    customers: Any = None
    # the hospital of a file that is one hospital's own (`load --hospital NAME`): its
    # sheets need no hospital column; "" when not given
    file_hospital: str = ""

    @property
    def ours_declared(self) -> bool:
        """False when no `ours` list was given: then every product counts as ours."""
        return bool(self.ours) or any(m.ours for m in self.markets)

    def all_ours(self) -> frozenset[str]:
        """Our products across the top-level list and every market."""
        out = set(self.ours)
        for m in self.markets:
            out |= m.ours
        return frozenset(out)

    def with_master(self, catalogue: Any = None, customers: Any = None) -> Settings:
        """A copy that uses a product catalogue and a customer master (None: keep as is).

        The catalogue's own products marked ours join `ours`; each market it names joins
        (or extends) the market of that name. The master's codes and variants join
        `[hospital_aliases]`, where uplift.toml's own entries win.
        """
        out = self
        if catalogue is not None:
            markets = {m.name: m for m in out.markets}
            for name, (ours, others) in catalogue.markets().items():
                old = markets.get(name, Market(name=name, ours=frozenset()))
                markets[name] = Market(
                    name=name, ours=old.ours | ours, competitors=old.competitors | others
                )
            out = replace(
                out,
                catalogue=catalogue,
                ours=out.ours | catalogue.ours(),
                markets=tuple(markets.values()),
            )
        if customers is not None:
            aliases = {**customers.aliases(), **out.hospital_aliases}
            out = replace(out, customers=customers, hospital_aliases=aliases)
        return out

    def with_options(self, **options: Any) -> Settings:
        """A copy with the options that were given (None means not given)."""
        given = {k: v for k, v in options.items() if v is not None}
        if "thresholds" in given:
            given["thresholds"] = _thresholds(given["thresholds"], "--thresholds")
        if "vip" in given:
            given["vip"] = positive_number(given["vip"], "--vip")
        if "ours" in given:
            given["ours"] = frozenset(normalise(p) for p in given["ours"])
        return replace(self, **given)


MAX_TIERS = 25  # A to Y: more tiers than letters, or than a manager reads


def _thresholds(value: Any, where: str) -> tuple[float, ...]:
    """Tier thresholds: finite, positive, strictly increasing, at most MAX_TIERS."""
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",")]
        if any(not p for p in parts):  # "100,,300" or a trailing comma
            raise UsageError(
                f"{where}: an empty value in {value!r}; write numbers like 100,200,300"
            )
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        raise UsageError(f"{where}: expected numbers like 100,200,300, got {value!r}")
    try:
        out = tuple(_number(p) for p in parts)
    except (TypeError, ValueError):
        raise UsageError(f"{where}: expected numbers like 100,200,300, got {value!r}") from None
    if not out:
        raise UsageError(f"{where}: expected numbers like 100,200,300, got {value!r}")
    bad = next((p for p, t in zip(parts, out, strict=True) if not math.isfinite(t) or t <= 0), None)
    if bad is not None:
        raise UsageError(f"{where}: thresholds must be finite positive numbers, got {bad!s}")
    if list(out) != sorted(set(out)):
        raise UsageError(f"{where}: thresholds must be positive and increasing, got {value!r}")
    if len(out) > MAX_TIERS:
        raise UsageError(
            f"{where}: {len(out)} thresholds; at most {MAX_TIERS} (one tier letter each)"
        )
    return out


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    return float(value)


def positive_number(value: Any, where: str) -> float:
    """A finite positive number (VIP boxes, size limits), or a UsageError naming `where`."""
    try:
        number = _number(value)
    except (TypeError, ValueError):
        raise UsageError(f"{where} must be a positive number, got {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise UsageError(f"{where} must be a positive number, got {value!r}")
    return number


def _names(value: Any, where: str) -> frozenset[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{where}: expected a list of product names")
    return frozenset(normalise(v) for v in value)


def find_config(explicit: Path | None = None) -> Path | None:
    """The config file to use: the one given, else uplift.toml in the current folder or
    the nearest folder above it that has one (as git, ruff and pytest find theirs)."""
    if explicit is not None:
        if not explicit.is_file():
            raise UsageError(f"{explicit}: config file not found")
        return explicit
    here = Path.cwd()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load_settings(path: Path | None = None) -> Settings:
    """Read settings from `path` (or ./uplift.toml); defaults when there is none."""
    found = find_config(path)
    if found is None:
        return Settings()
    try:
        data = tomllib.loads(found.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{found}: not a valid TOML file ({exc})") from None
    return settings_from_dict(data, source=str(found))


def settings_from_dict(data: dict[str, Any], source: str = "") -> Settings:
    """Build settings from a parsed `uplift.toml`."""
    known = {"ours", "thresholds", "vip", "columns", "hospital_aliases", "markets", "rates"}
    known |= {"max_unzipped_mb", "max_boxes_per_row", "max_name_length", "prescriber_detail"}
    known |= {"products"}
    known |= {"hospitals"}
    unknown = sorted(set(data) - known)
    where = source or CONFIG_NAME
    if unknown:
        raise UsageError(
            f"{where}: unknown setting(s) {', '.join(unknown)}",
            hint=f"known settings: {', '.join(sorted(known))}",
        )
    kwargs: dict[str, Any] = {"source": source}
    if "ours" in data:
        kwargs["ours"] = _names(data["ours"], f"{where}: ours")
    if "thresholds" in data:
        kwargs["thresholds"] = _thresholds(data["thresholds"], f"{where}: thresholds")
    for key in ("vip", "max_unzipped_mb", "max_boxes_per_row", "max_name_length"):
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise UsageError(f"{where}: {key} must be a positive number")
            kwargs[key] = positive_number(value, f"{where}: {key}")
    for key in ("columns", "hospital_aliases"):
        if key in data:
            table = data[key]
            if not isinstance(table, dict) or not all(
                isinstance(v, str | list) for v in table.values()
            ):
                raise UsageError(f"{where}: [{key}] must map names to names")
            kwargs[key] = _flatten_aliases(table) if key == "hospital_aliases" else dict(table)
    if "markets" in data:
        markets = []
        for name, spec in data["markets"].items():
            if not isinstance(spec, dict):
                raise UsageError(f"{where}: [markets.{name}] must be a table")
            markets.append(
                Market(
                    name=name,
                    ours=_names(spec.get("ours", []), f"{where}: markets.{name}.ours"),
                    competitors=_names(
                        spec.get("competitors", []), f"{where}: markets.{name}.competitors"
                    ),
                )
            )
        kwargs["markets"] = tuple(markets)
    if "rates" in data:
        allowed = {f.name for f in fields(Rates)}
        bad = sorted(set(data["rates"]) - allowed)
        if bad:
            raise UsageError(
                f"{where}: unknown rate(s) {', '.join(bad)}",
                hint=f"known rates: {', '.join(sorted(allowed))}",
            )
        for k, v in data["rates"].items():
            if not isinstance(v, int | float) or not 0 <= v <= 1:
                raise UsageError(f"{where}: rates.{k} must be a fraction between 0 and 1")
        kwargs["rates"] = Rates(**{k: float(v) for k, v in data["rates"].items()})
    if "prescriber_detail" in data:
        if data["prescriber_detail"] not in PRIVACY_LEVELS:
            raise UsageError(
                f"{where}: prescriber_detail must be one of {', '.join(PRIVACY_LEVELS)}"
            )
        kwargs["prescriber_detail"] = data["prescriber_detail"]
    for key in ("products", "hospitals"):
        if key in data:
            if not isinstance(data[key], str) or not data[key].strip():
                raise UsageError(f"{where}: {key} must be the path of a sheet")
            base = Path(source).parent if source else Path.cwd()
            kwargs[key] = str(base / data[key])
    return Settings(**kwargs)


def _flatten_aliases(table: dict[str, Any]) -> dict[str, str]:
    """Accept both `variant = "canonical"` and `canonical = ["variant", ...]`."""
    out: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, list):
            for variant in value:
                out[normalise(variant)] = normalise(key)
        else:
            out[normalise(key)] = normalise(value)
    return out


def add_hospital_aliases(path: Path, pairs: list[tuple[str, str]]) -> int:
    """Write `variant = "standard name"` pairs into `[hospital_aliases]` of the file at `path`.

    The file keeps its comments and layout (tomlkit); it is created when missing. A variant
    already mapped is left as it is. Returns how many pairs were added.
    """
    import tomlkit

    try:
        text = path.read_text(encoding="utf-8-sig") if path.exists() else ""
        document = tomlkit.parse(text)
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.ParseError) as exc:
        raise UsageError(f"{path}: cannot be read as TOML ({exc})") from None
    table = document.get("hospital_aliases")
    if table is None:
        table = tomlkit.table()
        document["hospital_aliases"] = table
    known = _flatten_aliases(dict(table))
    added = 0
    for variant, standard in pairs:
        variant, standard = normalise(variant), normalise(standard)
        if variant == standard or variant in known:
            continue
        table[variant] = standard
        known[variant] = standard
        added += 1
    if added:
        try:
            path.write_text(tomlkit.dumps(document), encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    return added
