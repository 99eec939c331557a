"""Chart data for the figures page and the monthly report: bar charts (stacked or grouped) laid out
as plain rectangles in a fixed SVG box, so a Jinja macro (templates/_macros/charts.html) draws them
without scripts, CDNs or request state, in a page or in an HTML email. Each chart also carries the
rows of its data table (the accessible form of the same numbers).
"""

from dataclasses import dataclass
from datetime import date

from app.models import ActivityKind, Status
from app.services.analytics.kpis import ASK_BANDS, Figures
from app.services.analytics.trends import Trends

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 52, 34, 10, 30  # room for the axis labels
# Okabe-Ito: told apart with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999",
           "#332288", "#88CCEE", "#44AA99", "#AA4499")


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[int, ...]
    colour: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    text: str  # the bar's tooltip (SVG <title>)


@dataclass(frozen=True)
class Chart:
    key: str  # an id fragment, unique on the page
    title: str
    caption: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    stacked: bool = True
    axis: tuple[str, ...] | None = None  # shorter category names under the bars (default: categories)

    @property
    def top(self) -> int:
        """The largest bar (stacked: the largest total), at least 1."""
        if self.stacked:
            totals = [sum(values) for values in zip(*(s.values for s in self.series), strict=True)]
            return max(totals or [0]) or 1
        return max([max(s.values, default=0) for s in self.series] or [0]) or 1

    @property
    def rows(self) -> list[tuple[str, list[int]]]:
        return [(category, [s.values[n] for s in self.series]) for n, category in enumerate(self.categories)]

    @property
    def ticks(self) -> list[tuple[float, int]]:
        """(y, value) of the horizontal grid lines: 0, half and the top."""
        return [(_y(value, self.top), value) for value in sorted({0, self.top // 2, self.top})]

    @property
    def labels(self) -> list[tuple[float, str]]:
        """(x centre, text) of the category labels, thinned to at most about 7."""
        step = max(1, -(-len(self.categories) // 7))
        slot = _slot(len(self.categories))
        return [(LEFT + slot * (n + 0.5), category) for n, category in enumerate(self.axis or self.categories)
                if n % step == 0]

    @property
    def bars(self) -> list[Bar]:
        slot, bars = _slot(len(self.categories)), []
        inner = slot * 0.8
        for n, category in enumerate(self.categories):
            x, base = LEFT + slot * n + slot * 0.1, 0
            for index, s in enumerate(self.series):
                value = s.values[n]
                if self.stacked:
                    bars.append(Bar(x, _y(base + value, self.top), inner, _h(value, self.top), s.colour,
                                    f"{category}, {s.label}: {value:,}"))
                    base += value
                else:
                    width = inner / len(self.series)
                    bars.append(Bar(x + width * index, _y(value, self.top), width, _h(value, self.top),
                                    s.colour, f"{category}, {s.label}: {value:,}"))
        return [bar for bar in bars if bar.height > 0]


def _slot(n: int) -> float:
    return (WIDTH - LEFT - RIGHT) / max(n, 1)


def _h(value: int, top: int) -> float:
    return round(value / top * (HEIGHT - TOP - BOTTOM), 2)


def _y(value: int, top: int) -> float:
    return round(HEIGHT - BOTTOM - _h(value, top), 2)


def _label(value) -> str:
    return str(getattr(value, "value", value)).replace("_", " ").capitalize()


def _day(day: date) -> str:
    return f"{day.day} {day:%b}"


def actions_chart(trends: Trends) -> Chart:
    weeks = list(trends.actions_by_week)
    kinds = [kind for kind in ActivityKind if any(trends.actions_by_week[w][kind] for w in weeks)]
    series = tuple(Series(_label(kind), tuple(trends.actions_by_week[w][kind] for w in weeks),
                          PALETTE[list(ActivityKind).index(kind) % len(PALETTE)]) for kind in kinds)
    return Chart("actions", "Approved actions per week, by kind",
                 "Approved actions per week (weeks start on Monday; the first and last are clipped to the "
                 "period)",
                 tuple(f"{_day(w)} {w.year}" for w in weeks), series, axis=tuple(_day(w) for w in weeks))


def funnel_chart(trends: Trends) -> Chart:
    months = list(trends.funnel_by_month)
    steps = (("Link clicks", "clicks"), ("Submissions", "submissions"), ("Qualified", "qualified"),
             ("Converted", "converted"))
    series = tuple(Series(label, tuple(getattr(trends.funnel_by_month[m], name) for m in months), PALETTE[n])
                   for n, (label, name) in enumerate(steps))
    return Chart("funnel", "Referral funnel by month",
                 "Clicks and referrals made each month; qualified and converted count those referrals by now",
                 tuple(f"{m:%b %Y}" for m in months), series, stacked=False)


def status_chart(trends: Trends) -> Chart:
    months = list(trends.status_by_month)
    colours = {Status.BRONZE: "#A0522D", Status.SILVER: "#8C8C8C", Status.GOLD: "#E69F00",
               Status.PLATINUM: "#332288"}
    series = tuple(Series(_label(status), tuple(trends.status_by_month[m][status] for m in months),
                          colours[status]) for status in Status)
    return Chart("status", "Active advocates by status at each month's end",
                 "Today's active advocates by the status they held at the end of each month",
                 tuple(f"{m:%b %Y}" for m in months), series)


def ask_bands_chart(figures: Figures) -> Chart:
    ranges = tuple(f"{low}+" if high is None else str(low) if low == high else f"{low}–{high}"
                   for _, low, high in ASK_BANDS)
    names = tuple(f"{_label(name)} ({asks})" for (name, _, _), asks in zip(ASK_BANDS, ranges, strict=True))
    series = (Series("Advocates", tuple(figures.ask_bands[name] for name, _, _ in ASK_BANDS), PALETTE[0]),)
    return Chart("asks", "Asks per advocate in the last 365 days",
                 "Advocates by how many counted asks they received in the 365 days ending the period",
                 names, series, stacked=False,
                 axis=tuple(f"{asks} ask" if asks == "1" else f"{asks} asks" for asks in ranges))


def figure_charts(figures: Figures, trends: Trends) -> list[Chart]:
    """The figures page's (and the monthly report's) charts, in reading order."""
    return [actions_chart(trends), funnel_chart(trends), status_chart(trends), ask_bands_chart(figures)]
