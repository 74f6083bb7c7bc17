"""The observatory of impact: what the cooperative does for its territory, measured.

Every figure is one function (`core.observatory.catalogue.FIGURES`) computed by SQL aggregates
per territory and period; the same function feeds the console's Impact page, the printed
report and the open-data export, and can return the rows it counts (reconciliation). The
definitions are in `docs/observatory.md`.
"""
