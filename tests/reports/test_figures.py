"""Issue 20, items 1 and 2: one value per figure on every page, and a Change column that agrees with it.

The dataset (tests.factories.build_rounding_dataset) is made of values that round differently half up,
half to even and cut: 35/64 = 54.6875 %, an average of 4.125, an NPS of 12.5. Read back with pypdf.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from app.reports.activity import BAD, GOOD, HEADLINE, _change, _Figure, build_activity_report
from app.reports.base import MUTED
from app.services.reporting.activity import activity_report
from tests.factories import ROUNDING_APRIL as APRIL
from tests.factories import ROUNDING_TODAY as TODAY
from tests.factories import build_rounding_dataset


def text_of(path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())


@pytest.fixture
def report(database):
    build_rounding_dataset()
    return activity_report(*APRIL, today=TODAY)


def test_every_page_prints_one_value_per_figure(report, tmp_path):
    text = text_of(build_activity_report(report, tmp_path / "april.pdf", "en"))
    for expected in (
        # Summary page.
        "Follow-ups done of those due 54.7 % 54.5 %",
        "Average satisfaction (1–5) 4.13 4.13",
        "CSAT (satisfied customers) 87.5 % 86.7 %",
        "Net promoter score +13 +13",
        # Follow-ups section: the same rate in the totals row.
        "Total 64 35 29 0 0 0 54.7 %",
        # Satisfaction section: the same average, CSAT and NPS.
        "Average satisfaction (1–5) 4.13 CSAT (scores 4–5) 87.5 % Net promoter score +13",
        "April 2026 8 4.13 87.5 % +13",
        # Charter compliance: the same rate and NPS, with the target from the sentence's placeholder.
        "Hacemos a tiempo al menos el 50 % de los seguimientos.",
        "54.7 % (35/64) ≥ 50 % ✔",
        "Nos recomiendan: NPS de al menos 10.",
        "+13 ≥ 10 ✔",
    ):
        assert expected in text, expected
    # Never a cut or half-to-even value of the same figures.
    for wrong in ("54.6 %", "+12 ", "+18", "4.12 "):
        assert wrong not in text, wrong


def test_a_near_miss_shows_the_digit_that_reveals_it(report, tmp_path):
    text = text_of(build_activity_report(report, tmp_path / "april.pdf", "en"))
    # 4.125 against ≥ 4.13: "4.13" would look met; the exact value is judged and shown.
    assert "Satisfacción media de al menos 4.13 sobre 5." in text
    assert "4.125 ≥ 4.13 of 5 ✘" in text
    assert "1 of 3 measured commitments met" not in text and "2 of 3 measured commitments met" in text


def test_spanish_prints_the_same_values(report, tmp_path):
    text = text_of(build_activity_report(report, tmp_path / "abril.pdf", "es"))
    for expected in ("54,7 % 54,5 %", "4,13 4,13", "87,5 % 86,7 %", "+13 +13", "54,7 % (35/64)", "4,125"):
        assert expected in text, expected
    assert "54,6 %" not in text and "4,12 " not in text


# --- the Change column --------------------------------------------------------------------------------

_NUMBER = re.compile(r"[+−-]?[€]?\d[\d,]*(?:\.\d+)?")


def _value(cell: str) -> Decimal:
    """A printed English figure ("+13", "54.7 %", "€1,234.50", "−0.2 pp") as the number shown."""
    match = _NUMBER.search(cell)
    assert match, cell
    return Decimal(match.group().replace("€", "").replace(",", "").replace("−", "-"))


def _summary_rows(text: str) -> dict[str, tuple[str, str, str]]:
    """Each headline figure's (this period, previous period, change) cells as printed."""
    rows = {}
    labels = [figure.label for figure in HEADLINE]
    for i, label in enumerate(labels):
        start = text.index(label + " ") + len(label) + 1
        end = text.index(labels[i + 1], start) if i + 1 < len(labels) else text.index("“—”", start)
        cells = re.findall(r"—|=|[▲▼] [+−]\S+(?: pp)?|[+−]?€?\d[\d,.]*(?: %)?", text[start:end])
        assert len(cells) == 3, (label, cells)
        rows[label] = tuple(cells)
    return rows


def test_every_change_is_the_difference_of_the_values_shown(report, tmp_path):
    rows = _summary_rows(text_of(build_activity_report(report, tmp_path / "april.pdf", "en")))
    assert rows["Net promoter score"] == ("+13", "+13", "=")  # exact 12.5 and 13.3: shown equal, no arrow
    assert rows["Average satisfaction (1–5)"] == ("4.13", "4.13", "=")
    assert rows["Follow-ups done of those due"] == ("54.7 %", "54.5 %", "▲ +0.2 pp")  # exact +0.14
    assert rows["CSAT (satisfied customers)"] == ("87.5 %", "86.7 %", "▲ +0.8 pp")
    assert rows["Follow-ups scheduled"] == ("64", "11", "▲ +53")
    for label, (now, before, change) in rows.items():
        if "—" in (now, before):
            assert change == "—", label
            continue
        difference = _value(now) - _value(before)
        if change == "=":
            assert difference == 0, label
        else:
            assert change[0] == ("▲" if difference > 0 else "▼"), label
            assert _value(change[2:]) == difference, label


@pytest.mark.parametrize(
    ("kind", "better", "current", "previous", "expected", "colour"),
    [
        # The "4,1 | 4,2 | ▼ −0,0" in green: shown 4.1 and 4.2 (half up), so −0.1, and fewer days is good.
        ("days", -1, 4.14, 4.15, "▼ −0.1", GOOD),
        ("days", -1, 4.14, 4.11, "=", MUTED),  # both 4.1
        # October NPS "+21 | +22 | ▼ −2": the change of the shown values is −1.
        ("nps", +1, 20.5, 21.6, "▼ −1", BAD),
        ("nps", +1, 12.5, 13.33, "=", MUTED),
        ("share", +1, 0.546875, 0.5454, "▲ +0.2 pp", GOOD),
        ("score", +1, 4.125, 4.115, "▲ +0.01", GOOD),  # 4.13 and 4.12
        ("money", -1, Decimal("10.005"), Decimal("10.00"), "▲ +€0.01", BAD),
        ("count", 0, 3, 5, "▼ −2", MUTED),
        ("count", +1, None, 5, "—", MUTED),
    ],
)
def test_arrow_sign_and_colour_agree_with_the_shown_values(kind, better, current, previous, expected, colour):
    from app import i18n

    with i18n.using_language("en"):
        assert _change(_Figure("x", "x", kind, better), current, previous) == (expected, colour)
