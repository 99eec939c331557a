"""The customer signal fields, declared once: what readiness scores a record from.

Each Signal names its import column (CSV header, JSON key), the attribute it is stored as, the table
that holds it (the advocate record, or its customer_signal row), its kind and range, the value a
record without a signal row has, and the label pages show. Everything else reads them from here.
"""

from dataclasses import dataclass
from datetime import date

ADVOCATE, SIGNAL_ROW = "advocate", "customer_signal"
MAX_COUNT = 1_000_000  # purchases, referrals, mentions: far above any real count, well inside a column


@dataclass(frozen=True)
class Signal:
    column: str  # the import's column name
    attr: str  # the stored attribute (Advocate or CustomerSignal)
    table: str  # ADVOCATE or SIGNAL_ROW
    kind: str  # "whole" (low..high), "date" (not in the future), "average" (1 to 5), "flag"
    label: str
    low: int = 0
    high: int = MAX_COUNT
    default: object = None  # the value of a record that has no customer_signal row

    @property
    def type(self) -> type:
        return {"whole": int, "date": date, "average": float, "flag": bool}[self.kind]


SIGNALS = (
    Signal("customer_since", "customer_since", ADVOCATE, "date", "Customer since"),
    Signal("nps", "nps", ADVOCATE, "whole", "NPS", high=10),
    Signal("health_score", "health_score", ADVOCATE, "whole", "Health score", high=100),
    Signal("purchases", "purchase_count", SIGNAL_ROW, "whole", "Purchases", default=0),
    Signal("last_purchase_on", "last_purchase_on", SIGNAL_ROW, "date", "Last purchase"),
    Signal("csat", "csat", SIGNAL_ROW, "average", "Support CSAT", low=1, high=5),
    Signal("recovered", "recovered", SIGNAL_ROW, "flag", "Recovered customer", default=False),
    Signal("usage_depth", "usage_depth", SIGNAL_ROW, "whole", "Usage depth", high=100),
    Signal("referrals_made", "referrals_made", SIGNAL_ROW, "whole", "Referrals made", default=0),
    Signal("social_mentions", "social_mentions", SIGNAL_ROW, "whole", "Social mentions", default=0),
    Signal("last_active_on", "last_active_on", SIGNAL_ROW, "date", "Last active"),
)
ON_ADVOCATE = tuple(s.attr for s in SIGNALS if s.table == ADVOCATE)
ON_SIGNAL_ROW = tuple(s.attr for s in SIGNALS if s.table == SIGNAL_ROW)
NO_SIGNAL_ROW = {s.attr: s.default for s in SIGNALS if s.table == SIGNAL_ROW}
