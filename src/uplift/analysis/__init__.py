"""Plain functions over the sales table: tiers, gaps, plans, growth, targets and partner scorecards."""
