"""Competitor gaps: where competitors hold volume we could win ("know the hospital").

Two sources of competitor volume are used together: competitor products in the partners'
usage-detail sheets (the canonical sales table, source "sheets") and the competitor table
gathered on hospital visits (`columns.COMPETITOR_COLUMNS`, source "visits", boxes already
monthly). Where both cover the same hospital and product, the sheets win.

Every volume is average monthly boxes over the analysis window: sheet boxes summed over the
window and divided by its number of months (the basis of `uplift tier`); visit figures as given.

The opportunity split works on "facts", one row per hospital x department x prescriber x
product at the finest level the data knows. A competitor fact is
- conversion / combination when its entity already uses ours: the prescriber (a prescriber-level
  fact), else the department (a department-level fact), else the hospital (a hospital-level fact);
- development (white space) otherwise.
So conversion + development is every competitor box, and no competitor figure is ever
pushed down to a finer level than it was gathered at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from uplift.analysis.volumes import (
    GRID,
    collector_paused,
    entity_keys,
    on_grid,
    snapped,
    window_months,
)
from uplift.config import Market
from uplift.errors import UsageError
from uplift.sheets import columns as C
from uplift.sheets.hospitals import UnknownHospital as UnknownHospital  # re-exported for callers
from uplift.sheets.hospitals import find_hospital
from uplift.sheets.names import match_key, normalise_series

if TYPE_CHECKING:
    from collections.abc import Collection

    import numpy as np
    import pandas as pd

    from uplift.config import Settings
GapLevel = Literal["hospital", "department", "prescriber"]

DEFAULT_MARKET: Final = "all"
WINDOW: Final = "window_months"  # facts.attrs: the months the facts average over

# Output columns ---------------------------------------------------------------------------
MARKET: Final = "market"
LEVEL: Final = "level"  # which entity a row describes: hospital, department or prescriber
OURS_BOXES: Final = "ours_boxes"
COMPETITOR_BOXES: Final = "competitor_boxes"
MARKET_BOXES: Final = "market_boxes"
SHARE: Final = "share"
SHARE_BAND: Final = "share_band"
SEGMENT: Final = "segment"
RANK: Final = "rank"
LEADER: Final = "leader"
LEADER_BOXES: Final = "leader_boxes"
GAP_TO_LEADER: Final = "gap_to_leader"
CONVERSION_BOXES: Final = "conversion_boxes"
DEVELOPMENT_BOXES: Final = "development_boxes"
OPPORTUNITY_BOXES: Final = "opportunity_boxes"
COMPETITORS: Final = "competitors"  # dict product -> boxes, largest first
WHITESPACE_DEPARTMENTS: Final = "whitespace_departments"
WHITESPACE: Final = "whitespace"  # list of {"department", "competitor_boxes"}
COMPETITOR_SOURCE: Final = "competitor_source"
COMPETITOR_LEVEL: Final = "competitor_level"

GAP_COLUMNS: Final = (
    MARKET,
    LEVEL,
    C.HOSPITAL,
    C.DEPARTMENT,
    C.PRESCRIBER,
    OURS_BOXES,
    COMPETITOR_BOXES,
    MARKET_BOXES,
    SHARE,
    SHARE_BAND,
    SEGMENT,
    RANK,
    LEADER,
    LEADER_BOXES,
    GAP_TO_LEADER,
    CONVERSION_BOXES,
    DEVELOPMENT_BOXES,
    OPPORTUNITY_BOXES,
    COMPETITORS,
    WHITESPACE_DEPARTMENTS,
    WHITESPACE,
    COMPETITOR_SOURCE,
    COMPETITOR_LEVEL,
)

# Fact columns -----------------------------------------------------------------------------
ROLE: Final = "role"  # OURS or COMPETITOR
OURS: Final = "ours"
COMPETITOR: Final = "competitor"
SOURCE: Final = "source"  # SHEETS or VISITS
SHEETS: Final = "sheets"
VISITS: Final = "visits"
FACT_LEVEL: Final = "fact_level"  # 0 hospital, 1 department, 2 prescriber
KIND: Final = "kind"  # CONVERSION or DEVELOPMENT for competitor facts, "" for ours
CONVERSION: Final = "conversion"
DEVELOPMENT: Final = "development"

FACT_COLUMNS: Final = (
    C.HOSPITAL,
    C.DEPARTMENT,
    C.PRESCRIBER,
    C.PRODUCT,
    ROLE,
    C.BOXES,
    SOURCE,
    FACT_LEVEL,
    KIND,
)

LEVELS: Final[tuple[GapLevel, ...]] = ("hospital", "department", "prescriber")
FINENESS: Final = {"hospital": 0, "department": 1, "prescriber": 2}

# Potential x share matrix
SHARE_BANDS: Final = ("<1%", "1-5%", "5-10%", ">10%")
HIGH_SHARE: Final = 0.05
SEGMENTS: Final = ("grow", "defend", "maintain", "low")


# Markets ----------------------------------------------------------------------------------


def list_markets(settings: Settings) -> tuple[Market, ...]:
    """The markets to analyse: those configured, else one market of every product.

    The default market is named "all": ours from `settings.ours` (every product when no
    `ours` list is given) and every other product a competitor.
    """
    if settings.markets:
        return settings.markets
    return (Market(name=DEFAULT_MARKET, ours=settings.ours),)


def find_market(settings: Settings, name: str) -> Market:
    """The market called `name` (matched loosely); a usage error lists the known ones."""
    markets = list_markets(settings)
    for m in markets:
        if m.name == name or match_key(m.name) == match_key(name):
            return m
    known = ", ".join(m.name for m in markets)
    raise UsageError(
        f'no market "{name}"; markets: {known}',
        hint="markets are [markets.NAME] tables in uplift.toml",
    )


def selected_markets(settings: Settings, market: str | None) -> tuple[Market, ...]:
    return list_markets(settings) if market is None else (find_market(settings, market),)


def product_roles(
    products: pd.Series,
    market: Market,
    settings: Settings,
    sales_products: frozenset[str],
) -> pd.Series:
    """OURS, COMPETITOR or "" (outside the market) per normalised product name.

    With no `ours` list anywhere, every product of the sales sheets is ours (as in `tier`)
    and only products the sheets never mention can be competitors. A market without a
    competitor list takes every product that is not ours in any market.
    """
    import numpy as np
    import pandas as pd

    if not settings.ours_declared:
        ours = products.isin(sales_products)
        competitor = ~ours & products.isin(market.competitors) if market.competitors else ~ours
    else:
        ours = products.isin(market.ours)
        if market.competitors:
            competitor = ~ours & products.isin(market.competitors)
        else:
            competitor = ~ours & ~products.isin(settings.all_ours())
    roles = np.select([ours.to_numpy(), competitor.to_numpy()], [OURS, COMPETITOR], "")
    return pd.Series(roles, index=products.index, dtype="str")


def market_rows(sales: pd.DataFrame, settings: Settings, market: str | None = None) -> pd.DataFrame:
    """The sales rows of one market (by name), or of any market when `market` is None."""
    import pandas as pd

    products = normalise_series(sales[C.PRODUCT])
    sales_products = frozenset(pd.unique(products))
    keep = None
    for m in selected_markets(settings, market):
        inside = product_roles(products, m, settings, sales_products) != ""
        keep = inside if keep is None else keep | inside
    return sales[keep] if keep is not None else sales


# Integer codes ------------------------------------------------------------------------------
#
# A million sales rows cost little when each name is an integer: every grouping below runs on
# integer keys built from codes into sorted uniques, so code order is name order and a group
# sums the same rows, in the same order, as grouping by the names themselves (pandas picks its
# summation by whether the group ids come sorted, so same ids means the very same figures).


def _coded(values: pd.Series) -> tuple[np.ndarray, Any]:
    """Codes into the sorted unique values (-1 for a missing value) and those uniques."""
    import numpy as np
    import pandas as pd

    array = values.array
    if isinstance(array, pd.Categorical):
        known = _sorted_codes(array)
        if known is not None:
            return known
        array = array.astype("str")
    codes, uniques = pd.factorize(array, sort=True)
    return codes.astype(np.int64, copy=False), uniques


def _sorted_codes(values: pd.Categorical) -> tuple[np.ndarray, Any] | None:
    """The codes of a categorical whose categories are sorted text, as
    `pd.factorize(..., sort=True)` gives them for its names; None for any other."""
    import numpy as np

    categories = values.categories
    if categories.dtype != "str" or not categories.is_monotonic_increasing:
        return None
    codes = np.asarray(values.codes, dtype=np.int64)
    used = np.bincount(codes[codes >= 0], minlength=len(categories)) > 0
    if not used.all():
        # renumber the categories in use (a filtered table)
        renumber = np.cumsum(used) - 1
        codes = np.where(codes >= 0, renumber[np.maximum(codes, 0)], -1)
        categories = categories[used]
    return codes, categories.array


def code_of(uniques: Any, value: str) -> int:
    """The code of `value` among sorted `uniques`, or -2 (no code) when it is not there."""
    import numpy as np

    hits = np.flatnonzero(np.asarray(uniques == value, dtype=bool))
    return int(hits[0]) if len(hits) else -2


def combine_codes(parts: list[tuple[np.ndarray, int]]) -> np.ndarray:
    """One int64 key from several codes (each with its number of values), in their order.

    Ordering the keys orders the rows by the first codes, then the second ... (a mixed-radix
    number; re-coded densely whenever the next digit would overflow 63 bits).
    """
    import numpy as np

    key = np.zeros(len(parts[0][0]), dtype=np.int64)
    size = 1
    for codes, n in parts:
        n = max(int(n), 1)
        if size * n >= 2**62:
            uniques, key = np.unique(key, return_inverse=True)
            key = key.astype(np.int64, copy=False)
            size = max(len(uniques), 1)
        key = key * n + codes
        size *= n
    return key


def split_codes(
    groups: np.ndarray,
    key: np.ndarray,
    rows: np.ndarray,
    columns: list[np.ndarray],
    sizes: list[int],
) -> list[np.ndarray]:
    """Per group key (sorted, from `combine_codes`), the codes it was made of.

    Read back from the key's digits, or, when the key had to be re-coded, from the first
    of `rows` (indices into `columns`) with that key.
    """
    import numpy as np

    total = 1
    for n in sizes:
        total *= max(int(n), 1)
    if total < 2**62:
        digits = []
        rest = groups
        for n in reversed(sizes):
            rest, digit = np.divmod(rest, max(int(n), 1))
            digits.append(digit)
        return digits[::-1]
    order = np.argsort(key, kind="stable")
    starts, _ = _spans(key[order])
    first = rows[order[starts]]
    return [col[first] for col in columns]


def group_sums(groups: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Per group 0..n-1, the sum of its `values` in row order, as pandas' groupby sums (0 if none).

    Pandas adds sorted groups pairwise (`ufunc.reduceat`) and others with Kahan's compensated
    sum, so the figures match a groupby over the names only when the ids match: callers pass
    codes that order exactly as the names do.
    """
    import numpy as np
    import pandas as pd

    out = np.zeros(n, dtype="float64")
    if len(groups):
        sums = pd.Series(values, dtype="float64").groupby(groups, sort=True).sum()
        out[sums.index.to_numpy()] = sums.to_numpy()
    return out


def _spans(sorted_codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of each run of equal values in a sorted integer array."""
    import numpy as np

    if not len(sorted_codes):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    ends = np.r_[starts[1:], len(sorted_codes)]
    return starts, ends


@dataclass(frozen=True)
class SalesCodes:
    """A sales table's names as integer codes, worked out once for every market.

    Hospitals, departments, prescribers and months are coded into their sorted unique values;
    products into their sorted normalised names (`products`). Rows with a missing name have
    code -1 and are left out, as a groupby leaves them out.
    """

    hospital: np.ndarray
    hospitals: Any
    department: np.ndarray
    departments: Any
    prescriber: np.ndarray
    prescribers: Any
    product: np.ndarray
    products: Any
    month: np.ndarray
    months: Any
    boxes: np.ndarray
    sales_products: frozenset[str]


def encode_sales(sales: pd.DataFrame) -> SalesCodes:
    """The codes of `sales` (see `SalesCodes`), shared by every market's facts."""
    import numpy as np
    import pandas as pd

    hospital, hospitals = _coded(sales[C.HOSPITAL])
    department, departments = _coded(sales[C.DEPARTMENT])
    prescriber, prescribers = _coded(sales[C.PRESCRIBER])
    month, months = _coded(sales[C.MONTH])
    product_array = sales[C.PRODUCT].array
    known = _sorted_codes(product_array) if isinstance(product_array, pd.Categorical) else None
    raw, found = known if known is not None else pd.factorize(product_array)
    names = normalise_series(pd.Series(found, dtype="str"))
    named, products = _coded(names)
    product = np.where(raw >= 0, named[np.maximum(raw, 0)], -1) if len(named) else raw
    return SalesCodes(
        hospital=hospital,
        hospitals=hospitals,
        department=department,
        departments=departments,
        prescriber=prescriber,
        prescribers=prescribers,
        product=np.asarray(product, dtype=np.int64),
        products=products,
        month=month,
        months=months,
        boxes=sales[C.BOXES].to_numpy(dtype="float64"),
        sales_products=frozenset(names.tolist()),
    )


def window_rows(codes: SalesCodes, months: list[str]) -> np.ndarray:
    """Whether each sales row falls in `months`."""
    import numpy as np

    wanted = np.flatnonzero(np.isin(np.asarray(codes.months, dtype=object), list(months)))
    return np.isin(codes.month, wanted)


def product_role_codes(
    codes: SalesCodes, market: Market, settings: Settings
) -> tuple[np.ndarray, Any]:
    """Per product code: 0 outside the market, 1 ours, 2 competitor; and the role names."""
    import numpy as np
    import pandas as pd

    roles = product_roles(
        pd.Series(codes.products, dtype="str"), market, settings, codes.sales_products
    )
    values = roles.to_numpy(dtype=object)
    role = np.select([values == OURS, values == COMPETITOR], [1, 2], 0).astype(np.int64)
    return role, roles.array


# Facts ------------------------------------------------------------------------------------


def opportunity_facts(
    sales: pd.DataFrame,
    competitors: pd.DataFrame | None,
    *,
    settings: Settings,
    market: Market,
    months: list[str],
) -> pd.DataFrame:
    """One row per hospital x department x prescriber x product x role: average monthly boxes.

    Columns `FACT_COLUMNS`. Sheet rows outside `months` are left out; visit rows are
    already monthly. Visit rows for a hospital and product that the sheets also cover are
    dropped (the sheets win). Competitor boxes are counted from 0 (net returns are no
    opportunity). `kind` classifies each competitor fact as conversion or development.
    """
    return coded_facts(
        encode_sales(sales), competitors, settings=settings, market=market, months=months
    )


def coded_facts(
    codes: SalesCodes,
    competitors: pd.DataFrame | None,
    *,
    settings: Settings,
    market: Market,
    months: list[str],
) -> pd.DataFrame:
    """`opportunity_facts` from the sales codes (`encode_sales`), computed once per table."""
    facts, _ = coded_facts_and_codes(
        codes, competitors, settings=settings, market=market, months=months
    )
    return _as_text(facts)


def coded_facts_and_codes(
    codes: SalesCodes,
    competitors: pd.DataFrame | None,
    *,
    settings: Settings,
    market: Market,
    months: list[str],
) -> tuple[pd.DataFrame, FactCodes]:
    """`coded_facts` and their codes, `FactCodes.of(facts)`, worked out together.

    Without visit rows the facts' names are those of the sales codes, so their codes are
    the sales codes renumbered over the names in use: no name is looked up again, and the
    text columns come as categoricals of those names (`coded_facts` gives them as text).
    """
    import numpy as np
    import pandas as pd

    keys = [C.HOSPITAL, C.DEPARTMENT, C.PRESCRIBER, C.PRODUCT]
    n = max(len(months), 1)
    role_of, role_names = product_role_codes(codes, market, settings)

    # the window's rows of the market, summed per hospital x department x prescriber x
    # product (the role follows from the product)
    in_market = role_of[np.maximum(codes.product, 0)] > 0 if len(role_of) else False
    named = (codes.hospital >= 0) & (codes.department >= 0) & (codes.prescriber >= 0)
    rows = np.flatnonzero(window_rows(codes, months) & in_market & named & (codes.product >= 0))
    sizes = [len(codes.hospitals), len(codes.departments), len(codes.prescribers)]
    sizes.append(len(codes.products))
    columns = [codes.hospital, codes.department, codes.prescriber, codes.product]
    key = combine_codes([(col[rows], size) for col, size in zip(columns, sizes, strict=True)])
    # exact: integers of 1/GRID box, divided once into the average a month
    sums = pd.Series(on_grid(codes.boxes[rows])).groupby(key, sort=True).sum()
    # one row per group, with the codes of its names
    hospital, department, prescriber, product = split_codes(
        sums.index.to_numpy(dtype=np.int64), key, rows, columns, sizes
    )
    visits = competitors is not None and not competitors.empty
    if visits:
        sheet = pd.DataFrame(
            {
                C.HOSPITAL: codes.hospitals.take(hospital),
                C.DEPARTMENT: codes.departments.take(department),
                C.PRESCRIBER: codes.prescribers.take(prescriber),
                C.PRODUCT: codes.products.take(product),
                ROLE: role_names.take(product),
                C.BOXES: sums.to_numpy() / (GRID * n),
            }
        )
        sheet[SOURCE] = SHEETS
    else:
        # the names as categoricals of the names in use: no string is built per fact
        is_ours = role_of[product] == 1
        hospital, hospitals = _in_use(hospital, codes.hospitals)
        department, departments = _in_use(department, codes.departments)
        prescriber, prescribers = _in_use(prescriber, codes.prescribers)
        product, products = _in_use(product, codes.products)
        sheet = pd.DataFrame(
            {
                C.HOSPITAL: _names(hospital, hospitals),
                C.DEPARTMENT: _names(department, departments),
                C.PRESCRIBER: _names(prescriber, prescribers),
                C.PRODUCT: _names(product, products),
                ROLE: _names(is_ours.astype(np.int64), [COMPETITOR, OURS]),
                C.BOXES: sums.to_numpy() / (GRID * n),
                SOURCE: _names(np.zeros(len(sums), dtype=np.int64), [SHEETS]),
            }
        )

    frames = [sheet]
    if visits:
        assert competitors is not None
        visit = competitors[[*keys, C.BOXES]].copy()
        visit[C.PRODUCT] = normalise_series(visit[C.PRODUCT])
        visit[ROLE] = product_roles(visit[C.PRODUCT], market, settings, codes.sales_products)
        visit = visit[visit[ROLE] == COMPETITOR]
        visit = visit.groupby([*keys, ROLE], as_index=False, sort=True)[C.BOXES].sum()
        covered = pd.MultiIndex.from_frame(sheet[[C.HOSPITAL, C.PRODUCT]])
        visit = visit[~pd.MultiIndex.from_frame(visit[[C.HOSPITAL, C.PRODUCT]]).isin(covered)]
        visit[SOURCE] = VISITS
        if not visit.empty:
            frames.append(visit)
    facts = pd.concat(frames, ignore_index=True) if len(frames) > 1 else sheet

    is_comp = (facts[ROLE] == COMPETITOR).to_numpy()
    boxes = facts[C.BOXES]
    facts[C.BOXES] = boxes.where(~is_comp, boxes.clip(lower=0.0))
    sheet_only = len(frames) == 1
    if sheet_only and visits:
        hospital, hospitals = _in_use(hospital, codes.hospitals)
        department, departments = _in_use(department, codes.departments)
        prescriber, prescribers = _in_use(prescriber, codes.prescribers)
        product, products = _in_use(product, codes.products)
    elif not sheet_only:
        hospital, hospitals = _coded(facts[C.HOSPITAL])
        department, departments = _coded(facts[C.DEPARTMENT])
        prescriber, prescribers = _coded(facts[C.PRESCRIBER])
    no_department, no_prescriber = code_of(departments, ""), code_of(prescribers, "")
    level = np.select([prescriber != no_prescriber, department != no_department], [2, 1], 0)
    facts[FACT_LEVEL] = level.astype("int64")

    # who already uses ours: the prescriber, else the department, else the hospital
    ours = ~is_comp
    fact_boxes = facts[C.BOXES].to_numpy(dtype="float64")
    uses = np.zeros(len(facts), dtype=bool)
    for lvl, other, n_other, none in (
        (2, prescriber, len(prescribers), no_prescriber),
        (1, department, len(departments), no_department),
    ):
        entity = combine_codes([(hospital, len(hospitals)), (other, n_other)])
        rows = np.flatnonzero(ours & (other != none))
        uses |= (level == lvl) & _users(entity, rows, fact_boxes)
    uses |= (level == 0) & _users(hospital, np.flatnonzero(ours), fact_boxes)
    if visits:
        kind = np.where(is_comp, np.where(uses, CONVERSION, DEVELOPMENT), "")
        facts[KIND] = pd.Series(kind, index=facts.index, dtype="str")
    else:
        kind_code = np.where(is_comp, np.where(uses, 1, 2), 0)
        facts[KIND] = _names(kind_code, ["", CONVERSION, DEVELOPMENT])
    facts.attrs[WINDOW] = n  # the facts are averages over n months: their exact grid
    if not sheet_only:
        facts = facts.sort_values([*keys, ROLE], kind="stable").reset_index(drop=True)
        facts = facts[list(FACT_COLUMNS)]
        facts.attrs[WINDOW] = n
        return facts, FactCodes.of(facts)
    fc = FactCodes(
        hospital=hospital,
        hospitals=hospitals,
        department=department,
        departments=departments,
        prescriber=prescriber,
        prescribers=prescribers,
        product=product,
        products=products,
        no_department=no_department,
        no_prescriber=no_prescriber,
        boxes=facts[C.BOXES].to_numpy(dtype="float64"),
        ours=(facts[ROLE] == OURS).to_numpy(),
        competitor=is_comp,
        conversion=is_comp & uses,
        development=is_comp & ~uses,
        fact_level=level.astype("int64"),
        window=n,
    )
    out = facts[list(FACT_COLUMNS)]
    out.attrs[WINDOW] = n
    return out, fc


def _names(codes: np.ndarray, uniques: Any) -> pd.Categorical:
    """The names `uniques.take(codes)` as a categorical (`uniques` sorted and distinct)."""
    import pandas as pd

    categories = pd.Index(uniques, dtype="str")
    return pd.Categorical.from_codes(codes, categories=categories, ordered=True)


def _as_text(facts: pd.DataFrame) -> pd.DataFrame:
    """`facts` with categorical name columns as plain text columns."""
    import pandas as pd

    out = facts.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype("str")
    return out


def _in_use(codes: np.ndarray, uniques: Any) -> tuple[np.ndarray, Any]:
    """Codes into sorted `uniques` renumbered over the values in use, with those values:
    what `_coded` gives for the names `uniques.take(codes)` (every code >= 0)."""
    import numpy as np

    used = np.bincount(codes, minlength=len(uniques)) > 0
    if used.all():
        return codes, uniques
    renumber = np.cumsum(used) - 1
    return renumber[codes], uniques[used]


def _users(entity: np.ndarray, rows: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Per fact, whether its entity's boxes over `rows` (ours) add up to more than 0."""
    import numpy as np

    if not len(rows):
        return np.zeros(len(entity), dtype=bool)
    uniques, groups = np.unique(entity[rows], return_inverse=True)
    totals = group_sums(groups.ravel(), boxes[rows], len(uniques))
    return np.isin(entity, uniques[totals > 0])


@dataclass(frozen=True)
class FactCodes:
    """A facts table's names as codes into sorted uniques (see `_coded`), and its flags."""

    hospital: np.ndarray
    hospitals: Any
    department: np.ndarray
    departments: Any
    prescriber: np.ndarray
    prescribers: Any
    product: np.ndarray
    products: Any
    no_department: int  # the code of "" (-2 when every fact has a department)
    no_prescriber: int
    boxes: np.ndarray
    ours: np.ndarray  # role ours
    competitor: np.ndarray  # role competitor
    conversion: np.ndarray  # kind conversion
    development: np.ndarray  # kind development
    fact_level: np.ndarray
    window: int = 0  # months the facts average over (0: unknown); their sums snap to it

    def sums(self, groups: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
        """`group_sums` of fact boxes, exact: on the grid of averages over the window."""
        return snapped(group_sums(groups, values, n), self.window)

    @classmethod
    def of(cls, facts: pd.DataFrame) -> FactCodes:
        """The codes of a facts table (`FACT_COLUMNS`)."""
        hospital, hospitals = _coded(facts[C.HOSPITAL])
        department, departments = _coded(facts[C.DEPARTMENT])
        prescriber, prescribers = _coded(facts[C.PRESCRIBER])
        product, products = _coded(facts[C.PRODUCT])
        role = facts[ROLE].to_numpy(dtype=object)
        kind = facts[KIND].to_numpy(dtype=object)
        return cls(
            hospital=hospital,
            hospitals=hospitals,
            department=department,
            departments=departments,
            prescriber=prescriber,
            prescribers=prescribers,
            product=product,
            products=products,
            no_department=code_of(departments, ""),
            no_prescriber=code_of(prescribers, ""),
            boxes=facts[C.BOXES].to_numpy(dtype="float64"),
            ours=role == OURS,
            competitor=role == COMPETITOR,
            conversion=kind == CONVERSION,
            development=kind == DEVELOPMENT,
            fact_level=facts[FACT_LEVEL].to_numpy(dtype="int64"),
            window=int(facts.attrs.get(WINDOW, 0)),
        )


def hospital_competitor_level(facts: pd.DataFrame) -> pd.Series:
    """Per hospital, the finest level its competitor facts are known at (-1: none at all)."""
    comp = facts[facts[ROLE] == COMPETITOR]
    finest = comp.groupby(C.HOSPITAL)[FACT_LEVEL].max()
    hospitals = sorted(facts[C.HOSPITAL].unique())
    return finest.reindex(hospitals, fill_value=-1).astype("int64")


_LEVEL_NAMES: Final = {-1: "none", 0: "hospital", 1: "department", 2: "prescriber"}


# Entity tables ----------------------------------------------------------------------------


def gap_table(facts: pd.DataFrame, level: GapLevel = "hospital") -> pd.DataFrame:
    """Per entity at `level` (hospital, department or prescriber): ours, competitors, split.

    Returns `GAP_COLUMNS` without `market`, `share_band` and `segment` (those describe a
    listing, see `competitor_gaps`); rows sorted by entity keys.
    Department rows count facts with a department, prescriber rows facts with a prescriber
    (a prescriber row's `department` is the one where most of his boxes are).
    `competitor_level` is the finest level the hospital's competitor data is known at;
    rows finer than that have no competitor figures (NaN boxes, share and gap; rank 0),
    because spreading a department's competitor boxes over its prescribers would invent them.
    A hospital with no competitor data at all (`competitor_level` "none") has no competitor
    figures either: its share is unknown (NaN), not 100%.
    Our boxes are counted from 0 in `market_boxes` and `share` (returns are no market).
    """
    return coded_gap_table(facts, FactCodes.of(facts), level)


def coded_gap_table(
    facts: pd.DataFrame,
    fc: FactCodes,
    level: GapLevel,
    columns: Collection[str] | None = None,
) -> pd.DataFrame:
    """`gap_table` from the facts' codes (`FactCodes.of(facts)`), to share them across levels.

    With `columns`, only those of the table's columns are worked out and returned (in the
    table's order), each with the very figures of the full table.
    """
    import numpy as np
    import pandas as pd

    all_columns = [c for c in GAP_COLUMNS if c not in (MARKET, SHARE_BAND, SEGMENT)]
    wanted = set(all_columns if columns is None else columns)
    per_product = bool(wanted & {LEADER, LEADER_BOXES, GAP_TO_LEADER, RANK, COMPETITORS})
    split = bool(wanted & {CONVERSION_BOXES, DEVELOPMENT_BOXES, OPPORTUNITY_BOXES})
    fine = FINENESS[level]
    is_ours = fc.ours
    is_comp = fc.competitor
    n_h = len(fc.hospitals)
    if level == "hospital":
        data = np.arange(len(facts))
        key = fc.hospital
        second, seconds = None, None
    elif level == "department":
        data = np.flatnonzero(fc.department != fc.no_department)
        key = combine_codes([(fc.hospital, n_h), (fc.department, len(fc.departments))])
        second, seconds = fc.department, fc.departments
    else:
        data = np.flatnonzero(fc.prescriber != fc.no_prescriber)
        key = combine_codes([(fc.hospital, n_h), (fc.prescriber, len(fc.prescribers))])
        second, seconds = fc.prescriber, fc.prescribers
    data = data[(key[data] >= 0) & (fc.hospital[data] >= 0)]

    # the entities, sorted by name; `entity` is each data row's entity
    uniques, first, entity = np.unique(key[data], return_index=True, return_inverse=True)
    entity = entity.ravel()
    n = len(uniques)
    lead = data[first]  # a fact of each entity, for its names
    hospital_of = fc.hospital[lead]
    out = pd.DataFrame({C.HOSPITAL: fc.hospitals.take(hospital_of)})
    if second is not None and seconds is not None:
        out[entity_keys(level)[1]] = seconds.take(second[lead])

    ours = is_ours[data]
    comp = is_comp[data]
    boxes = fc.boxes[data]

    def summed(mask: np.ndarray) -> np.ndarray:
        return fc.sums(entity[mask], boxes[mask], n)

    out[OURS_BOXES] = summed(ours)
    out[COMPETITOR_BOXES] = summed(comp)
    if split:
        out[CONVERSION_BOXES] = summed(comp & fc.conversion[data])
        out[DEVELOPMENT_BOXES] = summed(comp & fc.development[data])

    ours_pos = out[OURS_BOXES].clip(lower=0.0)
    out[MARKET_BOXES] = ours_pos + out[COMPETITOR_BOXES]
    denominator = out[MARKET_BOXES].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(denominator > 0, ours_pos.to_numpy() / denominator, 0.0)
    out[SHARE] = share.astype("float64")

    comp_rows = np.flatnonzero(comp)
    finest = np.full(n_h, -1, dtype=np.int64)
    comp_all = np.flatnonzero(is_comp & (fc.hospital >= 0))
    np.maximum.at(finest, fc.hospital[comp_all], fc.fact_level[comp_all])
    hospital_level = finest[hospital_of]
    known = (hospital_level < 0) | (hospital_level >= fine)
    if per_product:
        _per_product(out, fc, data, entity, comp_rows, boxes, known)
    if COMPETITOR_SOURCE in wanted:
        out[COMPETITOR_SOURCE] = _sources(facts, data[comp_rows], entity[comp_rows], n)
    level_names = np.array([_LEVEL_NAMES[k] for k in range(-1, 3)], dtype=object)
    out[COMPETITOR_LEVEL] = pd.Series(level_names[hospital_level + 1], index=out.index, dtype="str")
    if split:
        out[OPPORTUNITY_BOXES] = out[CONVERSION_BOXES] + out[DEVELOPMENT_BOXES]
    if wanted & {WHITESPACE, WHITESPACE_DEPARTMENTS}:
        second_of = second[lead] if second is not None else None
        _whitespace(out, facts, fc, level, hospital_of, second_of)

    # rows finer than the hospital's competitor data, and hospitals with none at all: no
    # competitor figures (a share of 100% would be a guess)
    unknown = ~known | (hospital_level < 0)
    if unknown.any():
        for col in (
            COMPETITOR_BOXES,
            MARKET_BOXES,
            SHARE,
            LEADER_BOXES,
            GAP_TO_LEADER,
            CONVERSION_BOXES,
            DEVELOPMENT_BOXES,
            OPPORTUNITY_BOXES,
        ):
            if col in out.columns:
                out.loc[unknown, col] = np.nan
        if LEADER in out.columns:
            out.loc[unknown, LEADER] = ""
            out.loc[unknown, RANK] = 0
        if COMPETITOR_SOURCE in out.columns:
            out.loc[unknown, COMPETITOR_SOURCE] = "none"

    out[LEVEL] = level
    if level == "hospital":
        out[C.DEPARTMENT] = ""
        out[C.PRESCRIBER] = ""
    elif level == "department":
        out[C.PRESCRIBER] = ""
    elif C.DEPARTMENT in wanted:
        out[C.DEPARTMENT] = _main_department(facts, fc, data, entity, n)
    else:
        out[C.DEPARTMENT] = ""
    for col in (C.DEPARTMENT, C.PRESCRIBER, LEVEL):
        out[col] = out[col].astype("str")
    return out[[c for c in all_columns if c in wanted]]


def _per_product(
    out: pd.DataFrame,
    fc: FactCodes,
    data: np.ndarray,
    entity: np.ndarray,
    comp_rows: np.ndarray,
    boxes: np.ndarray,
    known: np.ndarray,
) -> None:
    """Fill the per-product columns: leader, its boxes and gap, our rank, the competitors."""
    import numpy as np
    import pandas as pd

    n = len(out)
    n_products = max(len(fc.products), 1)
    pair = entity[comp_rows] * n_products + fc.product[data[comp_rows]]
    pairs, pair_group = np.unique(pair, return_inverse=True)
    pair_boxes = fc.sums(pair_group.ravel(), boxes[comp_rows], len(pairs))
    positive = pair_boxes > 0
    pair_entity, pair_product = np.divmod(pairs[positive], n_products)
    pair_boxes = pair_boxes[positive]
    # largest first per entity (ties: product name)
    order = np.lexsort((pair_product, -pair_boxes, pair_entity))
    pair_entity, pair_product, pair_boxes = (
        pair_entity[order],
        pair_product[order],
        pair_boxes[order],
    )
    starts, ends = _spans(pair_entity)
    leader = np.full(n, -1, dtype=np.int64)
    leader[pair_entity[starts]] = pair_product[starts]
    leader_boxes = np.zeros(n, dtype="float64")
    leader_boxes[pair_entity[starts]] = pair_boxes[starts]
    has_leader = leader >= 0
    names = np.full(n, "", dtype=object)
    names[has_leader] = np.asarray(fc.products.take(leader[has_leader]), dtype=object)
    out[LEADER] = pd.Series(names, dtype="str")
    out[LEADER_BOXES] = leader_boxes
    out[GAP_TO_LEADER] = (out[LEADER_BOXES] - out[OURS_BOXES]).clip(lower=0.0)
    ahead = pair_boxes > out[OURS_BOXES].clip(lower=0.0).to_numpy()[pair_entity]
    out[RANK] = (1 + np.bincount(pair_entity[ahead], minlength=n)).astype("int64")
    product_names = np.asarray(fc.products, dtype=object)[pair_product].tolist()
    box_list = pair_boxes.tolist()
    by_entity = {
        int(e): dict(zip(product_names[s:t], box_list[s:t], strict=True))
        for e, s, t in zip(
            pair_entity[starts].tolist(), starts.tolist(), ends.tolist(), strict=True
        )
    }

    out[COMPETITORS] = [by_entity.get(e, {}) if k else {} for e, k in enumerate(known.tolist())]


def _sources(facts: pd.DataFrame, rows: np.ndarray, entity: np.ndarray, n: int) -> pd.Series:
    """Per entity, where its competitor figures come from ("sheets+visits"; "none")."""
    import numpy as np
    import pandas as pd

    out = np.full(n, "none", dtype=object)
    if len(rows):
        source, sources = _coded(facts[SOURCE].iloc[rows])
        names = np.asarray(sources, dtype=object).tolist()
        if len(names) <= 62:
            # one bit per source: the labels of each distinct set, sources in name order
            found = np.zeros(n, dtype=np.int64)
            np.bitwise_or.at(found, entity, np.left_shift(1, source))
            sets, at = np.unique(found, return_inverse=True)
            labels = [
                "+".join(name for i, name in enumerate(names) if int(bits) >> i & 1) or "none"
                for bits in sets.tolist()
            ]
            out = np.asarray(labels, dtype=object)[at.ravel()]
        else:
            pairs = np.unique(entity * len(names) + source)
            pair_entity, pair_source = np.divmod(pairs, len(names))
            starts, ends = _spans(pair_entity)
            labels = np.asarray(names, dtype=object)[pair_source].tolist()
            for e, s, t in zip(
                pair_entity[starts].tolist(), starts.tolist(), ends.tolist(), strict=True
            ):
                out[e] = "+".join(labels[s:t])
    return pd.Series(out, dtype="str")


def _whitespace(
    out: pd.DataFrame,
    facts: pd.DataFrame,
    fc: FactCodes,
    level: str,
    hospital_of: np.ndarray,
    department_of: np.ndarray | None,
) -> None:
    """Fill the white-space columns: departments with competitor use and none of ours."""
    import numpy as np

    n = len(out)
    white: list[list[dict[str, object]]] = [[] for _ in range(n)]
    names: list[list[str]] = [[] for _ in range(n)]
    if level != "prescriber":
        rows = np.flatnonzero((fc.department != fc.no_department) & (fc.hospital >= 0))
        n_d = max(len(fc.departments), 1)
        # per hospital x department: ours (role code 1) and competitor (0) boxes
        key = (fc.hospital[rows] * n_d + fc.department[rows]) * 2 + fc.ours[rows]
        groups, group = np.unique(key, return_inverse=True)
        totals = fc.sums(group.ravel(), fc.boxes[rows], len(groups))
        entity, is_ours = np.divmod(groups, 2)
        entities, at = np.unique(entity, return_inverse=True)
        ours = np.zeros(len(entities))
        comp = np.zeros(len(entities))
        ours[at[is_ours == 1]] = totals[is_ours == 1]
        comp[at[is_ours == 0]] = totals[is_ours == 0]
        found = np.flatnonzero((comp > 0) & (ours <= 0))
        hospital, department = np.divmod(entities[found], n_d)
        comp = comp[found]
        order = np.lexsort((department, -comp, hospital))
        hospital, department, comp = hospital[order], department[order], comp[order]
        if level == "hospital":
            target = np.searchsorted(hospital_of, hospital)
        else:
            assert department_of is not None
            target = np.searchsorted(hospital_of * n_d + department_of, hospital * n_d + department)
        depts = np.asarray(fc.departments, dtype=object)[department].tolist()
        for e, name, boxes in zip(target.tolist(), depts, comp.tolist(), strict=True):
            white[e].append({"department": name, "competitor_boxes": boxes})
            names[e].append(name)
    out[WHITESPACE] = np.fromiter(white, dtype=object, count=n)
    out[WHITESPACE_DEPARTMENTS] = np.fromiter(names, dtype=object, count=n)


def _main_department(
    facts: pd.DataFrame, fc: FactCodes, data: np.ndarray, entity: np.ndarray, n: int
) -> pd.Series:
    """Per prescriber row, the department with most of his boxes ("" if none)."""
    import numpy as np
    import pandas as pd

    inside = fc.department[data] != fc.no_department
    rows = data[inside]
    n_d = max(len(fc.departments), 1)
    key = entity[inside] * n_d + fc.department[rows]
    groups, group = np.unique(key, return_inverse=True)
    weight = group_sums(group.ravel(), np.abs(fc.boxes[rows]), len(groups))
    prescriber, department = np.divmod(groups, n_d)
    order = np.lexsort((department, -weight, prescriber))
    prescriber, department = prescriber[order], department[order]
    starts, _ = _spans(prescriber)
    out = np.full(n, "", dtype=object)
    if len(starts):
        out[prescriber[starts]] = np.asarray(fc.departments.take(department[starts]), dtype=object)
    return pd.Series(out, dtype="str")


# Potential x share matrix -------------------------------------------------------------------


def share_bands(share: pd.Series) -> pd.Series:
    """<1%, 1-5%, 5-10%, >10% (lower bounds inclusive: 5% is "5-10%"); "" when unknown."""
    import numpy as np
    import pandas as pd

    values = share.to_numpy(dtype="float64")
    with np.errstate(invalid="ignore"):
        band = np.select(
            [np.isnan(values), values < 0.01, values < 0.05, values < 0.10],
            ["", SHARE_BANDS[0], SHARE_BANDS[1], SHARE_BANDS[2]],
            SHARE_BANDS[3],
        )
    return pd.Series(band, index=share.index, dtype="str")


def segments(market_boxes: pd.Series, share: pd.Series) -> pd.Series:
    """grow / defend / maintain / low from potential (market boxes) x our share.

    Potential is high when market boxes are at or above the median of the rows given
    (rows with unknown share left out of the median). Share is high from 5% (the bands
    5-10% and >10%), low below it (<1% and 1-5%).
    - high potential, low share  -> grow: a big market we barely hold, invest there;
    - high potential, high share -> defend: a big market we already hold;
    - low potential, high share  -> maintain: a small market we hold;
    - low potential, low share   -> low: little to gain.
    Unknown share -> "".
    """
    import numpy as np
    import pandas as pd

    known = share.notna() & market_boxes.notna()
    if not known.any():
        return pd.Series("", index=share.index, dtype="str")
    median = float(market_boxes[known].median())
    high_potential = (market_boxes >= median).to_numpy()
    high_share = (share >= HIGH_SHARE).to_numpy()
    label = np.select(
        [
            high_potential & ~high_share,
            high_potential & high_share,
            ~high_potential & high_share,
        ],
        list(SEGMENTS[:3]),
        SEGMENTS[3],
    )
    label = np.where(known.to_numpy(), label, "")
    return pd.Series(label, index=share.index, dtype="str")


# The analysis -------------------------------------------------------------------------------


def _ranked(table: pd.DataFrame, level: str) -> pd.DataFrame:
    keys = entity_keys(level)
    return table.sort_values(
        [OPPORTUNITY_BOXES, MARKET_BOXES, *keys],
        ascending=[False, False, *([True] * len(keys))],
        na_position="last",
        kind="stable",
    ).reset_index(drop=True)


def _listing(table: pd.DataFrame, market_name: str, level: str) -> pd.DataFrame:
    out = table.copy()
    out[MARKET] = market_name
    out[SHARE_BAND] = share_bands(out[SHARE])
    out[SEGMENT] = segments(out[MARKET_BOXES], out[SHARE])
    return _ranked(out, level)[list(GAP_COLUMNS)]


@collector_paused()
def competitor_gaps(
    sales: pd.DataFrame,
    competitors: pd.DataFrame | None = None,
    *,
    settings: Settings,
    market: str | None = None,
    by: GapLevel = "hospital",
    hospital: str | None = None,
    months: list[str] | None = None,
) -> pd.DataFrame:
    """Where competitors hold volume we could win, in average monthly boxes.

    Without `hospital`: one row per entity at `by` (hospital, department or prescriber),
    ranked by opportunity (conversion + development), then market boxes, then name, with
    `share_band` and `segment` (see `segments`) computed over that listing.
    With `hospital` (matched by `find_hospital`): that hospital's drill-down, a `level`
    "hospital" row (with its segment among all hospitals) then its "department" rows then
    its "prescriber" rows (`by="department"` or `"prescriber"` keeps only that level),
    each level ranked by opportunity.
    Each market is analysed separately (`market` names one); rows carry `market` and the
    markets follow the configuration order. Columns: `GAP_COLUMNS`.
    """
    import pandas as pd

    if by not in LEVELS:
        raise UsageError(f"--by must be one of {', '.join(LEVELS)}, got {by!r}")
    months = months if months is not None else window_months(sales)
    selected = selected_markets(settings, market)
    codes = encode_sales(sales)
    coded = {
        m.name: coded_facts_and_codes(
            codes, competitors, settings=settings, market=m, months=months
        )
        for m in selected
    }
    facts = {name: f for name, (f, _) in coded.items()}
    frames = []
    if hospital is None:
        for name, (f, fc) in coded.items():
            frames.append(_listing(coded_gap_table(f, fc, by), name, by))
    else:
        known = sorted({h for f in facts.values() for h in f[C.HOSPITAL].unique()})
        found = find_hospital(hospital, known, settings.hospital_aliases)
        levels: tuple[GapLevel, ...] = ("department", "prescriber") if by == "hospital" else (by,)
        for name, f in facts.items():
            hospitals = _listing(coded_gap_table(f, coded[name][1], "hospital"), name, "hospital")
            head = hospitals[hospitals[C.HOSPITAL] == found]
            if head.empty:
                continue
            frames.append(head)
            for lvl in levels:
                table = gap_table(f[f[C.HOSPITAL] == found], lvl)
                rows = _ranked(table, lvl)
                rows[MARKET] = name
                rows[SHARE_BAND] = share_bands(rows[SHARE])
                rows[SEGMENT] = ""
                frames.append(rows[list(GAP_COLUMNS)])
    frames = [f for f in frames if not f.empty]
    if not frames:
        return _empty_gaps()
    return pd.concat(frames, ignore_index=True)


def _empty_gaps() -> pd.DataFrame:
    import pandas as pd

    numeric = {
        OURS_BOXES,
        COMPETITOR_BOXES,
        MARKET_BOXES,
        SHARE,
        LEADER_BOXES,
        GAP_TO_LEADER,
        CONVERSION_BOXES,
        DEVELOPMENT_BOXES,
        OPPORTUNITY_BOXES,
    }
    data: dict[str, pd.Series] = {}
    for col in GAP_COLUMNS:
        if col in numeric:
            data[col] = pd.Series([], dtype="float64")
        elif col == RANK:
            data[col] = pd.Series([], dtype="int64")
        elif col in (COMPETITORS, WHITESPACE_DEPARTMENTS, WHITESPACE):
            data[col] = pd.Series([], dtype="object")
        else:
            data[col] = pd.Series([], dtype="str")
    return pd.DataFrame(data)
