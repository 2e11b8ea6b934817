"""Views: records for programs read column by column are the rows as pandas gives them."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from uplift.output.render import records
from uplift.output.views import plain_records


def test_plain_records_are_the_rows_as_python_values() -> None:
    frame = pd.DataFrame(
        {
            "hospital": pd.Series(["华西医院", None], dtype="str"),
            "rank": np.array([1, 2], dtype="int64"),
            "share": [0.25, np.nan],
            "vip": [True, False],
            "targets": [["王伟", "李娜"], []],
            "competitors": [{"立普妥": 12.5}, {}],
        }
    )
    keys = ["share", "hospital", "rank", "vip", "targets", "competitors"]
    rows = plain_records(frame, keys)
    assert [list(r) for r in rows] == [keys, keys]
    first, second = rows
    assert first == {
        "share": 0.25,
        "hospital": "华西医院",
        "rank": 1,
        "vip": True,
        "targets": ["王伟", "李娜"],
        "competitors": {"立普妥": 12.5},
    }
    assert type(first["rank"]) is int and type(first["share"]) is float
    assert math.isnan(second["share"]) and math.isnan(second["hospital"])
    expected = records(frame, keys)
    assert repr(rows) == repr(expected)
    assert plain_records(frame.iloc[:0], keys) == []
