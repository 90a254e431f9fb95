"""China's working-day calendar: statutory holidays, make-up workdays (调休) and the bureau's own overrides.

Administrative Licensing Law art. 82 counts time limits in working days. The ``holidays`` package carries the
State Council's published schedule. For a year without one it still knows the statutory holidays of the
《全国年节及纪念日放假办法》 (as amended in 2024: 元旦 1 day, 春节 4, 清明 1, 劳动节 2, 端午 1, 中秋 1,
国庆 3; lunar dates computed) and gives a holiday that falls on a weekend back on the following weekday
(art. 6). Only the make-up workdays (调休) are unknown until the schedule is published, so such a year is
counted with its statutory holidays and flagged as estimated: a reader knows the date may still move.
"""

from __future__ import annotations

import importlib.util
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import holidays


@dataclass(frozen=True)
class CalendarOverrides:
    """Bureau-edited additions: extra days off, extra working days, and years it has checked by hand."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    official_years: frozenset[int] = frozenset()

    @classmethod
    def from_toml(cls, text: str) -> CalendarOverrides:
        """Parse ``holidays = [2026-12-31]``, ``workdays = [...]``, ``official_years = [2027]``."""
        data = tomllib.loads(text)
        unknown = set(data) - {"holidays", "workdays", "official_years"}
        if unknown:
            raise ValueError(f"unknown calendar keys: {', '.join(sorted(unknown))}")
        days_off = _dates(data.get("holidays", []), "holidays")
        days_on = _dates(data.get("workdays", []), "workdays")
        clash = days_off & days_on
        if clash:
            raise ValueError(f"dates both holiday and workday: {', '.join(map(str, sorted(clash)))}")
        years = data.get("official_years", [])
        if not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
            raise ValueError("official_years must be a list of years")
        return cls(days_off, days_on, frozenset(years))


def _dates(values: object, key: str) -> frozenset[date]:
    if not isinstance(values, list) or not all(type(d) is date for d in values):
        raise ValueError(f"{key} must be a list of dates like 2026-12-31")
    return frozenset(values)


RANK_ORIGIN = 2020  # any year; ranks are counted from its 1 January


@dataclass(frozen=True)
class WorkCalendar:
    """Answers 'is this a working day' and does working-day arithmetic. Immutable, so safe to share."""

    holidays: frozenset[date]
    workdays: frozenset[date]
    official_years: frozenset[int]
    _cache: dict[date, bool] = field(default_factory=dict, compare=False, hash=False, repr=False)
    # per year: (working days before 1 Jan counted from RANK_ORIGIN, running count through each day of the year)
    _ranks: dict[int, tuple[int, list[int]]] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @classmethod
    def china(cls, years: Iterable[int], overrides: CalendarOverrides | None = None) -> WorkCalendar:
        years = sorted(set(years))
        china = _china_definitions()
        cn: Any = china.China(years=years)
        official = {d.year for d in cn.weekend_workdays if d.year in years}  # 调休 data means a published schedule
        special = china.ChinaStaticHolidays.special_public_holidays
        official |= {y for y in special if y in years}
        extra = overrides or CalendarOverrides()
        # a year the bureau checked by hand is counted from its file alone; any other year gets the package's days
        # off: the published schedule, or the statutory holidays with weekend ones given back (the estimate)
        off = frozenset(d for d in cn if d.year in years and d.year not in extra.official_years - official)
        on = frozenset(cn.weekend_workdays)
        return cls(
            holidays=(off | extra.holidays) - extra.workdays,
            workdays=(on | extra.workdays) - extra.holidays,
            official_years=frozenset(official) | extra.official_years,
        )

    def is_estimated(self, day: date) -> bool:
        """True when no published schedule covers ``day``: statutory holidays only, no 调休 yet; may move."""
        return day.year not in self.official_years

    def is_working_day(self, day: date) -> bool:
        cached = self._cache.get(day)
        if cached is None:
            if day in self.workdays:
                cached = True
            elif day in self.holidays:
                cached = False
            else:
                cached = day.weekday() < 5
            self._cache[day] = cached
        return cached

    def next_working_day(self, day: date) -> date:
        """``day`` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (count 0: ``start`` or the next working day)."""
        if count < 0:
            raise ValueError("count must not be negative")
        if count == 0:
            return self.next_working_day(start)
        day = start
        while count:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many days of a limit have been used from ``start`` to ``end``.

        Negative when ``end`` is before ``start`` (days left until a deadline)."""
        # the summary asks this for every decision of the year: a difference of two ranks, not a walk over days
        return self._rank(end) - self._rank(start)

    def _rank(self, day: date) -> int:
        """Working days from RANK_ORIGIN through ``day`` (negative before it); only differences matter."""
        offset, running = self._year(day.year)
        return offset + running[day.timetuple().tm_yday - 1]

    def _year(self, year: int) -> tuple[int, list[int]]:
        if year not in self._ranks:
            running: list[int] = []
            total = 0
            day = date(year, 1, 1)
            while day.year == year:
                total += self.is_working_day(day)
                running.append(total)
                day += timedelta(days=1)
            if year == RANK_ORIGIN:
                offset = 0
            elif year > RANK_ORIGIN:
                before, days = self._year(year - 1)
                offset = before + days[-1]
            else:
                offset = self._year(year + 1)[0] - total
            self._ranks[year] = (offset, running)
        return self._ranks[year]


def _china_definitions() -> ModuleType:
    """The ``holidays`` library's China module, loaded on its own.

    ``import holidays.countries.china`` first runs ``holidays.countries``, which imports all ~250 countries: ~8 MB
    held for the bot's whole life (measured) for one country. The module file imports only the library's shared
    parts (calendars, groups, base classes), so it is executed by itself. tests/unit/test_calendar.py checks
    published dates (holidays and 调休 workdays) through it."""
    path = Path(holidays.__file__).parent / "countries" / "china.py"
    spec = importlib.util.spec_from_file_location("green_channel_holidays_china", path)
    assert spec is not None and spec.loader is not None, f"holidays has no China module at {path}"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
