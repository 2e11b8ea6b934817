"""Which products are ours: from the settings' `ours` lists (and, to come, a product catalogue)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from uplift.config import Settings


def mark_ours(products: pd.Series, settings: Settings) -> pd.Series:
    """True where the product is ours. Without an `ours` list every product is ours."""
    import pandas as pd

    if not settings.ours_declared:
        return pd.Series(True, index=products.index)
    return products.isin(settings.all_ours())
