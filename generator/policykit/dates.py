"""Dates as the pages and packs show them (pure): "5 September 2024", in English whatever the
machine's locale, on every platform (strftime's "%-d" is glibc's alone)."""

from __future__ import annotations

import datetime as dt

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def long_date(value: dt.date) -> str:
    """The date as "5 September 2024"."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def long_date_or_none(value: dt.date | None) -> str | None:
    """long_date, or None for no date."""
    return long_date(value) if value else None
