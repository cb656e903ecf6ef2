"""The desk's dashboard: questions per day and week, by topic, clause and entry, outcomes.

Reviewers and admins only (:data:`bot.web.deps.ReviewerReader`): the figures come from what
citizens asked. Each table can be downloaded as CSV for the monthly report.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from bot.policy.clock import today as liling_today
from bot.turns.dashboard import TABLES, Dashboard, Period, to_csv
from bot.web.deps import Desk, ReviewerReader
from bot.web.errors import error_responses
from bot.web.faq_desk import FaqDesk

router = APIRouter(
    prefix="/api/faq/dashboard", tags=["faq"], responses=error_responses(401, 403, 422, 503)
)

DateQuery = Annotated[str, Query(max_length=10, description="YYYY-MM-DD（北京时间的日期）")]


def dashboard(desk: FaqDesk) -> Dashboard:
    """The dashboard on the desk's database, naming clauses as the policy does."""
    names = {cid: (clause.label, clause.title) for cid, clause in desk.kb.clauses.items()}
    return Dashboard(desk.engine, names)


def _period(start: str, end: str) -> Period:
    return Period.parse(start or None, end or None, liling_today())


@router.get("")
def summary(
    _staff: ReviewerReader, desk: Desk, start: DateQuery = "", end: DateQuery = ""
) -> dict[str, Any]:
    """Every table for the range (default: the last 30 days up to today).

    ``columns`` gives each table's columns and their Chinese headings, as in its CSV.
    """
    columns = {name: [list(column) for column in cols] for name, cols in TABLES.items()}
    return {**dashboard(desk).summary(_period(start, end)), "columns": columns}


@router.get("/{table}.csv", response_class=Response)
def table_csv(
    table: str, _staff: ReviewerReader, desk: Desk, start: DateQuery = "", end: DateQuery = ""
) -> Response:
    """One table as CSV (UTF-8 with BOM, Chinese headings), for Excel."""
    period = _period(start, end)
    rows = dashboard(desk).table(table, period)
    name = f"{table}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return Response(
        to_csv(table, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
