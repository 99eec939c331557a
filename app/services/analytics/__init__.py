"""Program analytics: the KPI figures of a period, their trends and the charts drawn from them."""

from app.services.analytics.charts import Chart, figure_charts
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
from app.services.analytics.trends import FunnelStep, Trends

__all__ = [
    "Chart", "Figures", "FunnelStep", "HalfLife", "Period", "RewardsCost", "Trends", "ask_window",
    "figure_charts", "month_starts", "period", "program_figures"
]
