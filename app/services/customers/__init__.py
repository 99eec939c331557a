"""Customers: importing customer records, their readiness score and its explanation, the qualified list.

Modules: importer (the one import path), rows, files, keys, batches and uploads (its parts),
readiness (the score, eligibility and tiers), explanation, qualified. The signal fields are declared
once, beside their table (app/models/signals.py).
"""

from app.services.customers.explanation import explain
from app.services.customers.importer import (
    KEEP_REJECTED,
    ImportReport,
    RowResult,
    import_csv,
    import_file,
    import_rows,
)
from app.services.customers.qualified import invite_qualified, qualified_page, tier_counts
from app.services.customers.readiness import assign_tiers, rescore_advocate, score_customers
from app.services.customers.rows import COLUMNS, Problem

__all__ = ["COLUMNS", "KEEP_REJECTED", "ImportReport", "Problem", "RowResult", "assign_tiers", "explain",
           "import_csv", "import_file", "import_rows", "invite_qualified", "qualified_page",
           "rescore_advocate", "score_customers", "tier_counts"]
