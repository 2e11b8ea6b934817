"""uplift: partners' usage-detail sheets in, tiers, gaps and uplift plans out."""

__version__ = "0.1.0"
