"""Partners' sheets in, the canonical sales table out: reading, headers, columns, quantities, periods, names, loading."""
