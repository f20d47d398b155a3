"""Warranty dates: month arithmetic at its edges and the status shown to the user."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.services.sales.warranty import WarrantyStatus, add_months, warranty_end_date

D = dt.date


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 1, 15), 1, D(2026, 2, 15)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # clamped to the month's last day
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2026, 3, 31), 1, D(2026, 4, 30)),
        (D(2026, 11, 30), 2, D(2027, 1, 30)),  # across the year end
        (D(2026, 12, 31), 1, D(2027, 1, 31)),
        (D(2028, 2, 29), 12, D(2029, 2, 28)),  # 29 Feb + 1 year
        (D(2028, 2, 29), 48, D(2032, 2, 29)),  # … + 4 years is a leap day again
        (D(2026, 5, 10), 0, D(2026, 5, 10)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 1, 10), -1, D(2025, 12, 10)),
        (D(2026, 1, 1), 120, D(2036, 1, 1)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2500, 12, 31)), st.integers(min_value=0, max_value=240))
def test_add_months_keeps_the_day_or_ends_the_month(start, months):
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day == start.day or (result.day < start.day and (result + dt.timedelta(days=1)).day == 1)


@pytest.mark.parametrize(
    ("delivered", "months", "extension", "expected"),
    [
        (D(2026, 3, 15), 24, 0, D(2028, 3, 14)),  # the last covered day, not the anniversary
        (D(2026, 3, 1), 1, 0, D(2026, 3, 31)),  # a month from the 1st ends on the month's last day
        (D(2026, 1, 31), 1, 0, D(2026, 2, 27)),  # 28 Feb minus a day
        (D(2027, 2, 28), 12, 0, D(2028, 2, 27)),
        (D(2028, 2, 29), 12, 0, D(2029, 2, 27)),
        (D(2026, 3, 15), 24, 12, D(2029, 3, 14)),  # extension adds months
        (D(2026, 3, 15), 0, 6, D(2026, 9, 14)),
        (D(2026, 12, 1), 1, 0, D(2026, 12, 31)),
    ],
)
def test_warranty_end_date(delivered, months, extension, expected):
    assert warranty_end_date(delivered, months, extension) == expected


def test_no_warranty_end_until_delivered():
    assert warranty_end_date(None, 24, 12) is None


def test_no_warranty_months_ends_the_day_before_delivery():
    # A product without warranty is never "under warranty", not even on the delivery day.
    ends = warranty_end_date(D(2026, 3, 15), 0)
    assert ends == D(2026, 3, 14)
    assert not WarrantyStatus.on(ends, D(2026, 3, 15)).under_warranty


@pytest.mark.parametrize(
    ("today", "under", "days"),
    [
        (D(2026, 3, 1), True, 30),
        (D(2026, 3, 31), True, 0),  # the last day is still covered
        (D(2026, 4, 1), False, 1),
        (D(2027, 3, 31), False, 365),
    ],
)
def test_warranty_status(today, under, days):
    status = WarrantyStatus.on(D(2026, 3, 31), today)
    assert (status.under_warranty, status.days) == (under, days)


def test_warranty_status_unknown_without_an_end():
    assert WarrantyStatus.on(None, D(2026, 1, 1)) is None


def test_one_wording_for_every_warranty_state():
    from app.services.sales.warranty import WarrantyStatus, warranty_text

    assert warranty_text(None) == "Not delivered yet"
    assert warranty_text(WarrantyStatus(True, 0)) == "Under warranty (last day)"
    assert warranty_text(WarrantyStatus(True, 1)) == "Under warranty (1 day left)"
    assert warranty_text(WarrantyStatus(False, 12)) == "Out of warranty (expired 12 days ago)"
