"""NumberFormat, the one object that says how numbers are shown: what the CLI builds from
--precision and --decimals, how it grows digits for --explain's arithmetic, and the messages'
six digits that the graph and the engine share."""

import dataclasses

import pytest

from gradtrace.cli.trace import TraceRequest
from gradtrace.core.numbers import DEFAULT, MESSAGES, Decimals, NumberFormat, fmt


def test_a_format_is_a_value_nothing_can_change():
    numbers = NumberFormat(6, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        numbers.digits = 3
    assert numbers == NumberFormat(digits=6, decimals=2) and len({numbers, NumberFormat(6, 2)}) == 1
    assert Decimals(2) == NumberFormat(decimals=2) and DEFAULT == NumberFormat(digits=4)
    assert NumberFormat.of(6) == NumberFormat(digits=6) and NumberFormat.of(numbers) is numbers


@pytest.mark.parametrize("precision, decimals", [(4, None), (6, None), (6, 2), (4, 0)])
def test_the_command_line_builds_one_format_from_both_options(precision, decimals):
    assert TraceRequest(precision=precision, decimals=decimals).numbers == NumberFormat(precision, decimals)


def test_more_digits_keep_the_kind_and_stop_at_a_float64s():
    assert NumberFormat(4).more(3) == NumberFormat(7)
    assert NumberFormat(15).more(5) == NumberFormat(17)  # a float64 has no 18th significant digit
    assert Decimals(2).more(3) == Decimals(5)  # decimals stay decimals, however many
    assert NumberFormat(6, 2).more(1) == NumberFormat(6, 3)


@pytest.mark.parametrize("value", [-0.5, -0.0, 0.0, 1e-300, 123456789.0, 2.0 / 3, -1e21, 7.0])
def test_messages_write_six_significant_digits(value):
    assert MESSAGES.number(value) == format(value, ".6g")


@pytest.mark.parametrize("numbers, value, text", [
    (4, 1 / 3, "0.3333"), (NumberFormat(6), 1 / 3, "0.333333"), (Decimals(2), 1 / 3, "0.33"),
    (Decimals(2), -0.0, "0"), (Decimals(2), 1e-20, "1e-20"), (Decimals(0), 0.5, "0.5"), (Decimals(2), 2.004, "2.00"),
    (4, None, "—"), (4, float("-inf"), "-inf"),
])
def test_fmt_is_the_format_for_a_caller_without_one(numbers, value, text):
    assert fmt(value, numbers) == text == NumberFormat.of(numbers).text(value)
