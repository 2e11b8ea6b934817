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

from typing import TYPE_CHECKING, Final, Literal

from uplift import columns as C
from uplift.config import Market
from uplift.errors import UsageError
from uplift.hospitals import UnknownHospital as UnknownHospital  # re-exported for callers
from uplift.hospitals import find_hospital
from uplift.names import match_key, normalise_series
from uplift.volumes import entity_keys, window_months

if TYPE_CHECKING:
    import pandas as pd

    from uplift.config import Settings

GapLevel = Literal["hospital", "department", "prescriber"]

DEFAULT_MARKET: Final = "all"

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
    products = normalise_series(sales[C.PRODUCT])
    sales_products = frozenset(products)
    keep = None
    for m in selected_markets(settings, market):
        inside = product_roles(products, m, settings, sales_products) != ""
        keep = inside if keep is None else keep | inside
    return sales[keep] if keep is not None else sales


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
    import numpy as np
    import pandas as pd

    keys = [C.HOSPITAL, C.DEPARTMENT, C.PRESCRIBER, C.PRODUCT]
    n = max(len(months), 1)
    sales_products = frozenset(normalise_series(sales[C.PRODUCT]))

    sheet = sales.loc[sales[C.MONTH].isin(months), [*keys, C.BOXES]]
    sheet[C.PRODUCT] = normalise_series(sheet[C.PRODUCT])
    sheet[ROLE] = product_roles(sheet[C.PRODUCT], market, settings, sales_products)
    sheet = sheet[sheet[ROLE] != ""]
    sheet = sheet.groupby([*keys, ROLE], as_index=False, sort=True)[C.BOXES].sum()
    sheet[C.BOXES] = sheet[C.BOXES] / n
    sheet[SOURCE] = SHEETS

    frames = [sheet]
    if competitors is not None and not competitors.empty:
        visit = competitors[[*keys, C.BOXES]].copy()
        visit[C.PRODUCT] = normalise_series(visit[C.PRODUCT])
        visit[ROLE] = product_roles(visit[C.PRODUCT], market, settings, sales_products)
        visit = visit[visit[ROLE] == COMPETITOR]
        visit = visit.groupby([*keys, ROLE], as_index=False, sort=True)[C.BOXES].sum()
        covered = pd.MultiIndex.from_frame(sheet[[C.HOSPITAL, C.PRODUCT]])
        visit = visit[~pd.MultiIndex.from_frame(visit[[C.HOSPITAL, C.PRODUCT]]).isin(covered)]
        visit[SOURCE] = VISITS
        if not visit.empty:
            frames.append(visit)
    facts = (
        pd.concat(frames, ignore_index=True) if len(frames) > 1 else sheet.reset_index(drop=True)
    )

    is_comp = facts[ROLE] == COMPETITOR
    facts[C.BOXES] = facts[C.BOXES].where(~is_comp, facts[C.BOXES].clip(lower=0.0))
    level = np.select(
        [facts[C.PRESCRIBER].to_numpy() != "", facts[C.DEPARTMENT].to_numpy() != ""], [2, 1], 0
    )
    facts[FACT_LEVEL] = level.astype("int64")

    ours = facts[~is_comp]
    uses = np.zeros(len(facts), dtype=bool)
    for lvl, cols in ((2, [C.HOSPITAL, C.PRESCRIBER]), (1, [C.HOSPITAL, C.DEPARTMENT])):
        rows = ours[ours[cols[1]] != ""]
        totals = rows.groupby(cols)[C.BOXES].sum()
        users = totals[totals > 0].index
        inside = pd.MultiIndex.from_frame(facts[cols]).isin(users)
        uses |= (level == lvl) & inside
    hospital_totals = ours.groupby(C.HOSPITAL)[C.BOXES].sum()
    hospital_users = hospital_totals[hospital_totals > 0].index
    uses |= (level == 0) & facts[C.HOSPITAL].isin(hospital_users).to_numpy()
    kind = np.where(is_comp.to_numpy(), np.where(uses, CONVERSION, DEVELOPMENT), "")
    facts[KIND] = pd.Series(kind, index=facts.index, dtype="str")
    facts = facts.sort_values([*keys, ROLE], kind="stable").reset_index(drop=True)
    return facts[list(FACT_COLUMNS)]


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
    A hospital with no competitor data at all has zero competitor boxes and share 1.0.
    Our boxes are counted from 0 in `market_boxes` and `share` (returns are no market).
    """
    import numpy as np
    import pandas as pd

    keys = entity_keys(level)
    fine = FINENESS[level]
    data = facts if level == "hospital" else facts[facts[keys[1]] != ""]
    ours = data[data[ROLE] == OURS]
    comp = data[data[ROLE] == COMPETITOR]

    out = data[keys].drop_duplicates().sort_values(keys).reset_index(drop=True)

    index = out.set_index(keys).index

    def summed(frame: pd.DataFrame, name: str) -> pd.Series:
        totals = frame.groupby(keys)[C.BOXES].sum()
        values = totals.reindex(index, fill_value=0.0).to_numpy(dtype="float64")
        return pd.Series(values, index=out.index, name=name)

    out[OURS_BOXES] = summed(ours, OURS_BOXES)
    out[COMPETITOR_BOXES] = summed(comp, COMPETITOR_BOXES)
    out[CONVERSION_BOXES] = summed(comp[comp[KIND] == CONVERSION], CONVERSION_BOXES)
    out[DEVELOPMENT_BOXES] = summed(comp[comp[KIND] == DEVELOPMENT], DEVELOPMENT_BOXES)

    ours_pos = out[OURS_BOXES].clip(lower=0.0)
    out[MARKET_BOXES] = ours_pos + out[COMPETITOR_BOXES]
    denominator = out[MARKET_BOXES].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(denominator > 0, ours_pos.to_numpy() / denominator, 0.0)
    out[SHARE] = share.astype("float64")

    # per product: leader, rank, the competitors dict
    per_product = comp.groupby([*keys, C.PRODUCT], as_index=False)[C.BOXES].sum()
    per_product = per_product[per_product[C.BOXES] > 0]
    per_product = per_product.sort_values(
        [*keys, C.BOXES, C.PRODUCT], ascending=[*([True] * len(keys)), False, True]
    )
    leaders = per_product.drop_duplicates(keys).rename(
        columns={C.PRODUCT: LEADER, C.BOXES: LEADER_BOXES}
    )
    merged = out[keys].merge(leaders, on=keys, how="left")
    out[LEADER] = merged[LEADER].fillna("").astype("str")
    out[LEADER_BOXES] = merged[LEADER_BOXES].fillna(0.0).astype("float64")
    out[GAP_TO_LEADER] = (out[LEADER_BOXES] - out[OURS_BOXES]).clip(lower=0.0)
    ahead = per_product.merge(out[[*keys, OURS_BOXES]], on=keys, how="left")
    ahead = ahead[ahead[C.BOXES] > ahead[OURS_BOXES].clip(lower=0.0)]
    out[RANK] = (1 + summed(ahead.assign(**{C.BOXES: 1.0}), RANK)).astype("int64")
    by_entity: dict[tuple[str, ...], dict[str, float]] = {}
    for *entity, product, boxes in per_product[[*keys, C.PRODUCT, C.BOXES]].itertuples(
        index=False, name=None
    ):
        by_entity.setdefault(tuple(entity), {})[product] = float(boxes)

    sources = comp.groupby(keys)[SOURCE].agg(lambda s: "+".join(sorted(set(s))))
    sources = sources.rename(COMPETITOR_SOURCE).reset_index()
    out[COMPETITOR_SOURCE] = (
        out[keys]
        .merge(sources, on=keys, how="left")[COMPETITOR_SOURCE]
        .fillna("none")
        .astype("str")
    )

    finest = hospital_competitor_level(facts)
    hospital_level = out[C.HOSPITAL].map(finest).fillna(-1).astype("int64")
    out[COMPETITOR_LEVEL] = hospital_level.map(_LEVEL_NAMES).astype("str")
    known = (hospital_level < 0) | (hospital_level >= fine)
    entities = list(out[keys].itertuples(index=False, name=None))
    out[COMPETITORS] = [
        by_entity.get(tuple(e), {}) if k else {} for e, k in zip(entities, known, strict=True)
    ]

    out[OPPORTUNITY_BOXES] = out[CONVERSION_BOXES] + out[DEVELOPMENT_BOXES]
    _whitespace(out, facts, level)

    # rows finer than the hospital's competitor data: no competitor figures
    unknown = ~known
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
            out.loc[unknown, col] = np.nan
        out.loc[unknown, LEADER] = ""
        out.loc[unknown, RANK] = 0
        out.loc[unknown, COMPETITOR_SOURCE] = "none"

    out[LEVEL] = level
    if level == "hospital":
        out[C.DEPARTMENT] = ""
        out[C.PRESCRIBER] = ""
    elif level == "department":
        out[C.PRESCRIBER] = ""
    else:
        out[C.DEPARTMENT] = _main_department(data, out)
    cols = [c for c in GAP_COLUMNS if c not in (MARKET, SHARE_BAND, SEGMENT)]
    for col in (C.DEPARTMENT, C.PRESCRIBER, LEVEL):
        out[col] = out[col].astype("str")
    return out[cols]


def _whitespace(out: pd.DataFrame, facts: pd.DataFrame, level: str) -> None:
    """Fill the white-space columns: departments with competitor use and none of ours."""
    dept = facts[facts[C.DEPARTMENT] != ""]
    keys = [C.HOSPITAL, C.DEPARTMENT]
    totals = (
        dept.groupby([*keys, ROLE])[C.BOXES]
        .sum()
        .unstack(ROLE, fill_value=0.0)
        .reindex(columns=[OURS, COMPETITOR], fill_value=0.0)
    )
    white = totals[(totals[COMPETITOR] > 0) & (totals[OURS] <= 0)].reset_index()
    white = white.sort_values([C.HOSPITAL, COMPETITOR, C.DEPARTMENT], ascending=[True, False, True])
    if level == "prescriber":
        out[WHITESPACE_DEPARTMENTS] = [[] for _ in range(len(out))]
        out[WHITESPACE] = [[] for _ in range(len(out))]
        return
    lists: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for hospital, department, boxes in white[[C.HOSPITAL, C.DEPARTMENT, COMPETITOR]].itertuples(
        index=False, name=None
    ):
        entity = (hospital,) if level == "hospital" else (hospital, department)
        lists.setdefault(entity, []).append(
            {"department": department, "competitor_boxes": float(boxes)}
        )
    entity_cols = entity_keys(level)  # hospital, or hospital + department
    entities = [tuple(e) for e in out[entity_cols].itertuples(index=False, name=None)]
    out[WHITESPACE] = [lists.get(e, []) for e in entities]
    out[WHITESPACE_DEPARTMENTS] = [[w["department"] for w in lists.get(e, [])] for e in entities]


def _main_department(data: pd.DataFrame, out: pd.DataFrame) -> pd.Series:
    """Per prescriber row, the department with most of his boxes ("" if none)."""
    rows = data[data[C.DEPARTMENT] != ""]
    keys = [C.HOSPITAL, C.PRESCRIBER]
    per = rows.assign(weight=rows[C.BOXES].abs())
    per = per.groupby([*keys, C.DEPARTMENT], as_index=False)["weight"].sum()
    per = per.sort_values([*keys, "weight", C.DEPARTMENT], ascending=[True, True, False, True])
    main = per.drop_duplicates(keys)[[*keys, C.DEPARTMENT]]
    return out[keys].merge(main, on=keys, how="left")[C.DEPARTMENT].fillna("").astype("str")


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
    facts = {
        m.name: opportunity_facts(sales, competitors, settings=settings, market=m, months=months)
        for m in selected
    }
    frames = []
    if hospital is None:
        for name, f in facts.items():
            frames.append(_listing(gap_table(f, by), name, by))
    else:
        known = sorted({h for f in facts.values() for h in f[C.HOSPITAL].unique()})
        found = find_hospital(hospital, known, settings.hospital_aliases)
        levels: tuple[GapLevel, ...] = ("department", "prescriber") if by == "hospital" else (by,)
        for name, f in facts.items():
            hospitals = _listing(gap_table(f, "hospital"), name, "hospital")
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
