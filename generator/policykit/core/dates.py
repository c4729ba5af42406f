"""Dates as the pages and packs show them (pure): "5 September 2024", in English whatever the
machine's locale, on every platform (strftime's "%-d" is glibc's alone)."""

from __future__ import annotations

import datetime as dt
import os

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def long_date(value: dt.date) -> str:
    """The date as "5 September 2024"."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def long_date_or_none(value: dt.date | None) -> str | None:
    """long_date, or None for no date."""
    return long_date(value) if value else None


def today() -> dt.date:
    """Today, or the day SOURCE_DATE_EPOCH names, so that builds can be reproduced."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()


def a_year_after(value: dt.date) -> dt.date:
    """The same day a year later (28 February for 29 February)."""
    try:
        return value.replace(year=value.year + 1)
    except ValueError:
        return value.replace(year=value.year + 1, day=28)
