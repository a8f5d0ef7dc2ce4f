"""How numbers, percentages, dates, weeks and times are written for the reader, in the current language.

One module, so that a figure reads the same on every page, in the HTML report, the digest and the downloads.
French follows French typography through Babel's fr_FR locale: `3 933` (a narrow no-break space between
thousands), `12,5 %` (a no-break space before the sign), `22/11/2026`, `22 nov. 2026`, weeks `S47`. English keeps
the forms the product has always written: `3,933`, `12.5%`, `2026-11-22`, `22 Nov 2026`, `2026-W47`.

Times of day read in the brand's time zone in both languages: OPTOUT_COHORTS_TIME_ZONE (an IANA name, default
Europe/Paris). The stored moments stay naive UTC; a column or a sentence showing a time says the zone
(`time_zone_name()`), so a reader in another zone knows which clock it is.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime
from babel.numbers import format_percent, get_decimal_symbol, get_group_symbol

from analytics import i18n
from analytics.errors import UserError

PARIS = ZoneInfo("Europe/Paris")
ENV_TIME_ZONE = "OPTOUT_COHORTS_TIME_ZONE"
DEFAULT_TIME_ZONE = "Europe/Paris"
NO_DATA = "no data"  # a null figure in the reports, the digest and the recommendations' reasons
NO_DATA_MARK = "—"  # a null figure in the dashboard's tables and metrics (the Guide explains it)

# Per language: the date written with digits, the date written with the month's name, and the time of day.
_DATE_NUMERIC = {"fr": "dd/MM/y", "en": "y-MM-dd"}
_DATE_TEXT = {"fr": "d MMM y"}  # English: strftime, see date_text
_TIME = "HH:mm"


def number(value: float | None, digits: int = 0) -> str:
    """A count or an amount, grouped by thousands: 3 933 / 3,933; `digits` decimals, exactly."""
    return NO_DATA_MARK if value is None else _localised(f"{value:,.{digits}f}")


def percent(value: float | None, digits: int = 1, missing: str = NO_DATA) -> str:
    """A fraction as a percentage with `digits` decimals: 0.125 → 12,5 % / 12.5%; `missing` when null."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    return _localised(f"{value * 100:.{digits}f}") + _percent_sign(i18n.locale())


def threshold(value: float) -> str:
    """A setting as a percentage, exact, without trailing zeros (0.4 → 40 %, 0.425 → 42,5 %): a threshold is
    never rounded, so it never reads as a value it is not."""
    return _localised(f"{value * 100:.4f}".rstrip("0").rstrip(".")) + _percent_sign(i18n.locale())


def date_numeric(day: dt.date | None) -> str:
    """22/11/2026 / 2026-11-22 (tables, file names keep ISO dates of their own)."""
    return (
        NO_DATA_MARK if day is None else format_date(day, _DATE_NUMERIC[i18n.current()], locale=i18n.locale())
    )


def date_text(day: dt.date | None) -> str:
    """22 nov. 2026 / 22 Nov 2026 (sentences and captions)."""
    if day is None:
        return NO_DATA_MARK
    if i18n.current() == "en":  # as the product always wrote it (CLDR's en_GB says 'Sept', strftime 'Sep')
        return day.strftime("%d %b %Y")
    return format_date(day, _DATE_TEXT[i18n.current()], locale=i18n.locale())


def week(day: dt.date) -> str:
    """The ISO week of a day: S47 / 2026-W47 (Monday to Sunday; 1 January 2027 is in S53 of 2026)."""
    year, number_, _weekday = day.isocalendar()
    return f"S{number_:02d}" if i18n.current() == "fr" else f"{year}-W{number_:02d}"


def time_zone_name() -> str:
    """The brand's time zone, as OPTOUT_COHORTS_TIME_ZONE names it (default Europe/Paris): the zone of every time
    of day the product shows, in both languages. A UserError when the name is not an IANA time zone."""
    name = os.environ.get(ENV_TIME_ZONE, "").strip() or DEFAULT_TIME_ZONE
    _zone(name)
    return name


def time_zone() -> ZoneInfo:
    """The brand's time zone (see time_zone_name)."""
    return _zone(time_zone_name())


@functools.cache
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UserError(
            f"Unknown time zone {name!r} in {ENV_TIME_ZONE}: use an IANA name such as Europe/Paris, "
            "Europe/London or America/New_York."
        ) from None


def local_moment(moment: dt.datetime) -> dt.datetime:
    """A stored moment (naive = UTC) in the brand's time zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(time_zone())


def time_of_day(moment: dt.datetime) -> str:
    """A moment's time of day in the brand's time zone: 14:05 (a naive moment is UTC)."""
    return format_datetime(local_moment(moment), _TIME, tzinfo=time_zone(), locale=i18n.locale())


def moment_text(moment: dt.datetime) -> str:
    """A date and time of day in the brand's time zone: 22 nov. 2026 14:05 / 22 Nov 2026 14:05."""
    return f"{date_text(local_moment(moment).date())} {time_of_day(moment)}"


def _localised(digits: str) -> str:
    """Digits written by Python (`,` between thousands, `.` before decimals: the product's rounding, the same in
    every language) with the current locale's separators."""
    locale = i18n.locale()
    separators = {ord(","): get_group_symbol(locale=locale), ord("."): get_decimal_symbol(locale=locale)}
    return digits.translate(separators)


@functools.cache
def _percent_sign(locale: str) -> str:
    """What follows a percentage's digits in the locale: '%' in English, a no-break space and '%' in French."""
    return format_percent(0, locale=locale).removeprefix("0")
