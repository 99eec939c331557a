"""Program analytics: the KPI figures of a period."""

from app.services.analytics.kpis import (
    Figures,
    HalfLife,
    Period,
    RewardsCost,
    ask_window,
    month_starts,
    period,
    program_figures,
)

__all__ = [
    "Figures", "HalfLife", "Period", "RewardsCost", "ask_window", "month_starts", "period",
    "program_figures"
]
