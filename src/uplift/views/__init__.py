"""Per-command views: which columns a table shows and which keys JSON/CSV carry.

Views call `uplift.render`; they never compute figures.
"""
