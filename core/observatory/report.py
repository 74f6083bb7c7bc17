"""`entraide observatory report`: a printable HTML report for the general assembly.

The figures (a table), a short text with each number in a sentence, and the charts (SVG from
`charts.py`), in French or English. Print it to PDF from any browser: the page has print rules
(no chart cut across pages).
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.model import Territory
from core.domain.observatory_tables import ObservatorySetting
from core.i18n import N_, translate
from core.observatory import periods
from core.observatory.charts import charts
from core.observatory.impact import impact
from core.observatory.wording import LABELS, sentences, value_text

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent),
    autoescape=select_autoescape(["html"]),
    trim_blocks=False,
)
REPORT_MESSAGES = (
    N_("Impact of the cooperative"),
    N_("From {first} to {last}"),
    N_("These figures come from made-up demo data."),
    N_("In a few words"),
    N_("The figures"),
    N_("Figure"),
    N_("Value"),
    N_("Charts"),
    N_("Every figure is defined in the glossary of the observatory."),
)


async def render(
    session: AsyncSession, territory: Territory, period: periods.Period, language: str
) -> str:
    """The report's HTML for one territory and period."""
    seen = await impact(session, territory.id, period, territory.timezone)
    setting = await session.get(ObservatorySetting, territory.id)
    values = seen.values
    return TEMPLATES.get_template("report.html").render(
        _=lambda message: translate(language, message),
        language=language,
        territory=territory.name,
        first=period.first.isoformat(),
        last=period.last.isoformat(),
        demo=bool(setting and setting.demo),
        sentences=sentences(language, seen.figures),
        table=[
            (name, translate(language, LABELS[name]), value_text(language, name, value))
            for name, value in values.items()
        ],
        charts=charts(language, seen.months, values),
    )
