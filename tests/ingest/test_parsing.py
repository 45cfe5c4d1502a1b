"""Property-based tests of number and date parsing, run through the same SQL the loader uses."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.store.db import install_macros


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    install_macros(connection)
    yield connection
    connection.close()


def number(con, text: str, decimal_comma: bool) -> float | None:
    return con.execute("SELECT adv_number(?, ?)", [text, decimal_comma]).fetchall()[0][0]


def timestamp(con, text: str, day_first: bool) -> datetime | None:
    return con.execute("SELECT adv_timestamp(?, ?)", [text, day_first]).fetchall()[0][0]


def grouped(n: int, separator: str) -> str:
    return f"{n:,}".replace(",", separator)


counts = st.integers(min_value=0, max_value=10**12)


@given(n=counts, separator=st.sampled_from(["", " ", "\u00a0", "\u202f"]), decimal_comma=st.booleans())
@settings(max_examples=200, deadline=None)
def test_whole_numbers_with_space_thousands_read_the_same_in_every_file(con, n, separator, decimal_comma):
    assert number(con, grouped(n, separator), decimal_comma) == n


@given(n=counts)
@settings(max_examples=100, deadline=None)
def test_comma_thousands_in_a_comma_file_and_dot_thousands_in_a_decimal_comma_file(con, n):
    assert number(con, grouped(n, ","), decimal_comma=False) == n
    assert number(con, grouped(n, "."), decimal_comma=True) == n


@given(units=st.integers(0, 10**6), cents=st.integers(0, 99))
@settings(max_examples=150, deadline=None)
def test_decimal_comma_and_decimal_point(con, units, cents):
    expected = units + cents / 100
    assert number(con, f"{units},{cents:02d}", decimal_comma=True) == pytest.approx(expected)
    assert number(con, f"{units}.{cents:02d}", decimal_comma=False) == pytest.approx(expected)
    assert number(con, f"{grouped(units, chr(0xA0))},{cents:02d}", decimal_comma=True) == pytest.approx(expected)


@given(text=st.text(alphabet="abcxyz-+%$€/:", min_size=1, max_size=8))
@settings(max_examples=150, deadline=None)
def test_text_that_is_no_number_gives_none_never_a_guess(con, text):
    assert number(con, text, decimal_comma=False) is None
    assert number(con, text, decimal_comma=True) is None


@pytest.mark.parametrize("text", ["inf", "-inf", "nan", "NaN", "Infinity"])
def test_infinities_are_not_numbers(con, text):
    assert number(con, text, decimal_comma=False) is None


moments = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0)
)


@given(moment=moments)
@settings(max_examples=200, deadline=None)
def test_day_first_month_first_and_iso_dates_read_back(con, moment):
    day = moment.replace(hour=0, minute=0)
    assert timestamp(con, moment.strftime("%d/%m/%Y"), day_first=True) == day
    assert timestamp(con, moment.strftime("%m/%d/%Y"), day_first=False) == day
    assert timestamp(con, moment.strftime("%d/%m/%Y %H:%M"), day_first=True) == moment
    assert timestamp(con, moment.strftime("%Y-%m-%d"), day_first=True) == day
    assert timestamp(con, moment.strftime("%Y-%m-%dT%H:%M:%S"), day_first=False) == moment
    assert timestamp(con, moment.strftime("%m/%d/%Y %I:%M %p"), day_first=False) == moment


@given(moment=moments, offset=st.integers(-12, 14))
@settings(max_examples=100, deadline=None)
def test_iso_times_with_an_offset_are_stored_in_utc(con, moment, offset):
    text = moment.strftime("%Y-%m-%dT%H:%M:%S") + f"{offset:+03d}:00"
    expected = con.execute("SELECT ?::TIMESTAMP - to_hours(?)", [moment, offset]).fetchall()[0][0]
    assert timestamp(con, text, day_first=True) == expected


@given(day=st.integers(1, 31), month=st.integers(13, 99), year=st.integers(1971, 2099))
@settings(max_examples=100, deadline=None)
def test_impossible_dates_give_none(con, day, month, year):
    assert timestamp(con, f"{day:02d}/{month:02d}/{year}", day_first=True) is None


BLANKS = " \t\n\r\u00a0"


@given(text=st.text(alphabet=st.sampled_from([*BLANKS, "a", "é", "!", " ", "\x01", "😀", "\f"]), max_size=6))
@settings(max_examples=400, deadline=None)
def test_a_cell_is_its_text_without_surrounding_blanks_or_nothing(con, text):
    """The loader trims only the cells that start or end with a blank (a shortcut): every cell reads as trimmed."""
    (cell,) = con.execute("SELECT adv_blank(?)", [text]).fetchall()[0]
    assert cell == (text.strip(BLANKS) or None)
