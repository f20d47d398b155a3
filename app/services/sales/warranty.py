"""Warranty dates: the one place that knows how a warranty end is computed."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from app.i18n import _, format_number, ngettext


def add_months(start: dt.date, months: int) -> dt.date:
    """Same day `months` later, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def warranty_end_date(
    delivered_on: dt.date | None, warranty_months: int, extension_months: int = 0
) -> dt.date | None:
    """Last day covered: delivery + product warranty + extension, minus one day. None until delivered."""
    if delivered_on is None:
        return None
    return add_months(delivered_on, warranty_months + extension_months) - dt.timedelta(days=1)


@dataclass(frozen=True)
class WarrantyStatus:
    under_warranty: bool
    days: int  # days until the last covered day (0 on it) when under warranty, else days since it ended

    @staticmethod
    def on(ends_on: dt.date | None, today: dt.date) -> WarrantyStatus | None:
        if ends_on is None:
            return None
        if today <= ends_on:
            return WarrantyStatus(True, (ends_on - today).days)
        return WarrantyStatus(False, (today - ends_on).days)


def warranty_text(status: WarrantyStatus | None) -> str:
    """The one wording of a warranty state, on screens and documents alike."""
    if status is None:
        return _("Not delivered yet")
    if status.under_warranty:
        if status.days == 0:
            return _("Under warranty (last day)")
        return ngettext(
            "Under warranty ({days} day left)", "Under warranty ({days} days left)", status.days
        ).format(days=format_number(status.days))
    return ngettext(
        "Out of warranty (expired {days} day ago)", "Out of warranty (expired {days} days ago)", status.days
    ).format(days=format_number(status.days))
