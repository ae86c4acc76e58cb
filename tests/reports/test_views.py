"""The dashboard pages: who sees what, tables beside charts, exports equal to the tables."""

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from lms.reports.exam_stats import EXAM_TABLES
from lms.reports.tables import TABLE_NAMES
from tests.web_client import log_in_as

Q2 = "period=2025-Q2"


class TableReader(HTMLParser):
    """The header and body cells of every <table id="table-..."> of a page, as text."""

    def __init__(self):
        super().__init__()
        self.tables, self.current, self.row, self.cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and (attrs.get("id") or "").startswith("table-"):
            self.current = self.tables.setdefault(attrs["id"][6:], [])
        elif tag == "tr" and self.current is not None:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join(self.cell.split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.current.append(self.row)
            self.row = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def tables_of(page: str) -> dict:
    reader = TableReader()
    reader.feed(page)
    return reader.tables


def same_cell(value) -> str:
    """A cell as text, numbers compared by value (a spreadsheet gives 0.0 back as 0)."""
    if value in (None, "", "—"):
        return ""
    try:
        return repr(float(value))
    except ValueError:
        return str(value)


def headline(page: str, key: str) -> str:
    return re.search(rf'id="stat-{key}">([^<]*)<', page).group(1).strip()


def test_the_admin_sees_the_district_with_a_table_beside_every_chart(client, district):
    page = log_in_as(client, district.admin).get(f"/reports/?{Q2}").get_data(as_text=True)
    assert headline(page, "registered") == "7"
    assert headline(page, "active") == "4"
    assert headline(page, "coverage") == "66.7%"
    tables = tables_of(page)
    assert set(tables) == set(TABLE_NAMES) | set(EXAM_TABLES)
    for chart in ("coverage", "trend", "towns", "courses"):
        assert f'data-chart="{chart}"' in page
    towns = {row[0]: row for row in tables["towns"][1:]}
    assert list(towns)[:3] == ["甲街道", "乙镇", "丙镇"] and len(towns) == 4  # + no 镇街
    assert towns["甲街道"][1:6] == ["1000", "3", "0.3", "2", "0.2"]
    assert tables["trend"][1:] == [
        ["2025-04", "2", "0.5", "4.0"],
        ["2025-05", "2", "0.4", "0.0"],
        ["2025-06", "1", "0.0", "1.5"],
    ]
    assert tables["courses"][1:] == [["智能手机", "2", "1"], ["太极拳入门", "1", "1"]]


def test_charts_get_their_data_without_inline_script(client, district):
    page = log_in_as(client, district.admin).get(f"/reports/?{Q2}").get_data(as_text=True)
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    data = json.loads(re.search(r'id="page-config">(.*?)</script>', page, re.S).group(1))["charts"]
    assert data["coverage"]["value"] == 66.7 and data["coverage"]["target"] == 90
    assert data["trend"]["active"] == [2, 2, 1]
    assert data["towns"]["names"] == ["甲街道", "乙镇", "丙镇"]
    assert "vendor/echarts/echarts.min.js" in page and "js/reports.js" in page


def test_the_admin_can_look_at_one_town(client, district):
    page = log_in_as(client, district.admin).get(f"/reports/?{Q2}&town={district.town_b}")
    text = page.get_data(as_text=True)
    assert headline(text, "registered") == "2"
    assert [row[0] for row in tables_of(text)["towns"][1:]] == ["乙镇"]


def test_staff_see_their_own_town_only(client, district):
    page = log_in_as(client, district.staff_a).get(f"/reports/?{Q2}").get_data(as_text=True)
    assert headline(page, "registered") == "3"
    assert headline(page, "active") == "2"
    assert "乙镇" not in page and "丙镇" not in page
    assert [row[0] for row in tables_of(page)["towns"][1:]] == ["甲街道"]


@pytest.mark.parametrize("path", ["/reports/", "/reports/towns.xlsx", "/reports/indicators.csv"])
def test_staff_cannot_see_another_town(client, district, path):
    log_in_as(client, district.staff_a)
    for town in (district.town_b, district.town_c, 999999):
        assert client.get(f"{path}?{Q2}&town={town}").status_code == 404


def test_staff_export_only_their_town(client, district):
    body = log_in_as(client, district.staff_a).get(f"/reports/towns.xlsx?{Q2}").data
    sheet = load_workbook(io.BytesIO(body)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["甲街道"]


def test_others_are_turned_away(client, district):
    assert client.get("/reports/").status_code == 302  # to the log-in page
    assert log_in_as(client, district.learner).get("/reports/").status_code == 403
    assert log_in_as(client, district.staff_none).get("/reports/").status_code == 403  # no school
    assert client.get("/reports/towns.csv").status_code == 403


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_exports_open_and_match_the_table_on_the_page(client, district, name):
    log_in_as(client, district.admin)
    page = client.get(f"/reports/?{Q2}").get_data(as_text=True)
    shown = [[same_cell(cell) for cell in row] for row in tables_of(page)[name]]
    xlsx = client.get(f"/reports/{name}.xlsx?{Q2}")
    assert xlsx.status_code == 200
    assert xlsx.headers["Content-Disposition"].endswith(f'report-{name}-2025-Q2-all.xlsx"')
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    cells = [[same_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    assert cells == shown
    body = client.get(f"/reports/{name}.csv?{Q2}").data.decode("utf-8-sig")
    rows = [[same_cell(value) for value in row] for row in csv.reader(io.StringIO(body))]
    assert rows == shown


def test_numbers_in_the_spreadsheet_are_numbers(client, district):
    body = log_in_as(client, district.admin).get(f"/reports/towns.xlsx?{Q2}").data
    first = next(load_workbook(io.BytesIO(body)).active.iter_rows(min_row=2, values_only=True))
    assert first[:4] == ("甲街道", 1000, 3, 0.3)


@pytest.mark.parametrize(
    "query",
    [
        "period=nonsense",
        "period=2025-13",
        "period=2025-Q5",
        "start=2025-05-01&end=2025-04-01",
        "start=2020-01-01&end=2025-01-01",
        "start=not-a-date&end=2025-01-01",
        "town=abc",
        "town=-1",
        "page=-3",
        "page=99999",
        "period=" + "9" * 40,
        "start=2025-04-01",
    ],
)
def test_odd_arguments_never_fail_with_500(client, district, query):
    log_in_as(client, district.admin)
    assert client.get(f"/reports/?{query}").status_code in (200, 400, 404)
    assert client.get(f"/reports/towns.csv?{query}").status_code in (200, 400, 404)


def test_the_dashboard_is_cached_until_the_rollup_moves(app, district):
    from datetime import date

    from lms.extensions import db
    from lms.reports import rollup
    from lms.reports.dashboard import dashboard
    from lms.reports.periods import parse_period

    period = parse_period("2025-Q2", today=date(2025, 12, 1))
    with app.test_request_context():
        first = dashboard(period, None)
        assert dashboard(period, None).computed_at == first.computed_at
        assert dashboard(period, {district.town_a}).computed_at != first.computed_at
        rollup.refresh(today=date(2025, 7, 3))
        db.session.commit()
        again = dashboard(period, None)
        assert again.computed_at != first.computed_at
        assert again.breakdown == first.breakdown


def test_the_menu_links_to_statistics_for_admin_and_staff_only(client, district):
    assert "/reports/" in log_in_as(client, district.admin).get("/").get_data(as_text=True)
    assert "/reports/" in log_in_as(client, district.staff_a).get("/").get_data(as_text=True)
    assert "/reports/" not in log_in_as(client, district.learner).get("/").get_data(as_text=True)


def test_dashboards_in_use_are_kept_warm(app, district, client):
    from datetime import date

    from lms.reports.dashboard import dashboard, warm
    from lms.reports.periods import year_period

    with app.test_request_context():
        assert warm(date(2025, 8, 1)) == 0  # nobody looked: nothing computed
    log_in_as(client, district.admin).get("/reports/?period=2025")
    with app.test_request_context():
        assert warm(date(2025, 8, 1)) == 4  # the district and its three 镇街
        warmed = dashboard(year_period(2025), {district.town_b})
        assert dashboard(year_period(2025), {district.town_b}).computed_at == warmed.computed_at
        assert warmed.breakdown.total.registered == 2  # b1 and b2 (b3 is disabled)
