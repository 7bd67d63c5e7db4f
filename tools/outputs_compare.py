"""Compare recorded and re-computed notebook outputs, tolerating rounding and nothing else.

Two output texts match when they are identical except for numbers that differ by at most one
unit in their last printed digit. ``texts_match(expected, actual)`` decides;
``first_mismatch(expected, actual)`` says where and why they do not match (None when they do).
Both are pure functions of two strings: apply the sanitize rules before calling them.

The rules
---------
1. Tokens. A text is split into number tokens and the text between them. A number token is
   an optional sign, digits, an optional decimal point with optional fraction digits, and an
   optional exponent: ``42``, ``-0.0000``, ``0.``, ``1e-05``, ``3.27193e+12``. It must not be
   glued to a word character or a dotted number on either side: ``float32``, ``x1``, ``nb01``,
   ``2x``, ``1.5ms`` and the version ``2.13.0`` are text, compared exactly. ``nan``, ``inf``
   and ``.5`` are text too. A sign belongs to the number only when no word character is
   directly before it (in ``x-1`` the ``-`` is text).
2. Counts. Both texts must have the same number of number tokens (an extra line, number or
   word fails).
3. Text between numbers is compared character for character, with one exception: a run of
   spaces (U+0020 only) directly before a number may differ in length, including being absent
   on one side, provided that at least one pair of numbers in the text differs in printed
   width. That is how torch, numpy and format specs like ``{x:8.4f}`` realign columns when
   ``-0.0001`` becomes ``0.0000``; when every number keeps its width, the padding must not move.
   Text after the last number is always compared exactly.
4. Two integers (no decimal point, no exponent) are compared as strings: ``523`` vs ``522``
   fails.
5. Decimal numbers (floats) are compared by value, exactly, in decimal:
   - ``unit(x)`` is 10 to the power of the position of x's last printed digit:
     ``0.0002`` -> 1e-4, ``3.27193e+12`` -> 1e7, ``1.5e-06`` -> 1e-7;
   - both must use the same notation (both fixed, or both with an exponent), and the same
     explicit-sign style (``+0.1`` vs ``0.1`` fails; ``-0.1`` vs ``0.1`` is judged by value);
   - the same number of digits means: in fixed notation the same number of decimals, or the
     same number of significant digits (counted from the first non-zero digit; zero has none),
     so ``0.09999`` vs ``0.1000`` is compared at the coarser unit; with an exponent, the same
     number of mantissa digits (``9.999e-01`` vs ``1.000e+00``);
   - numbers printed with ``:g`` lose their trailing zeros (``0.13880`` prints as ``0.1388``,
     ``30.000`` as ``30``): when the digit counts differ, the shorter number stands for itself
     padded with zeros, and the two must agree to one unit of the *finer* last digit, so
     ``0.1388`` vs ``0.13881`` and ``30`` vs ``30.001`` match while ``1.2`` vs ``1.2345`` (345
     units) and ``0.12`` vs ``0.1202`` do not. An integer compared with a decimal number is
     judged this way too (only two integers are compared exactly, as counts);
   - then ``|a - b| <= max(unit(a), unit(b)) * (1 + 1e-9)``. The factor is kept for the
     record; the arithmetic is exact (``decimal.Decimal``), so exactly one unit passes and
     anything more fails: ``-0.0001`` vs ``0.0000`` and ``-0.0000`` vs ``0.0000`` match,
     ``0.0002`` vs ``0.0004`` (two units) does not;
   - a zero written with an exponent (``0.0000e+00``, numpy's and torch's way of printing an
     exact zero in scientific mode) carries no magnitude, so its unit is the other number's:
     it matches only a number within one unit of zero at that number's own precision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

# A number: optional sign, digits, optional point and fraction, optional exponent. Not preceded
# by a word character or a point, not followed by a word character or by ".<digit>".
NUMBER = re.compile(
    r"(?<![\w.])(?P<sign>[-+]?)(?P<int>\d+)(?:(?P<point>\.)(?P<frac>\d*))?"
    r"(?:[eE](?P<exp>[-+]?\d+))?(?!\w|\.\d)"
)
SLACK = Decimal("1.000000001")  # the (1 + 1e-9) of the rule; harmless with exact arithmetic


@dataclass(frozen=True)
class Number:
    """One number token as printed."""

    text: str
    sign: str  # "", "-" or "+"
    digits: str  # integer and fraction digits, without sign and point
    decimals: int  # digits after the point (0 when there is no point)
    exponent: int | None  # None without an exponent
    is_integer: bool  # no point and no exponent

    @classmethod
    def parse(cls, match: re.Match) -> Number:
        frac = match["frac"] or ""
        exp = match["exp"]
        return cls(
            text=match[0],
            sign=match["sign"],
            digits=match["int"] + frac,
            decimals=len(frac),
            exponent=None if exp is None else int(exp),
            is_integer=match["point"] is None and exp is None,
        )

    @property
    def value(self) -> Decimal:
        return Decimal(self.text)

    @property
    def is_zero(self) -> bool:
        return not self.digits.strip("0")

    @property
    def unit(self) -> Decimal:
        """10 ** (position of the last printed digit)."""
        return Decimal(1).scaleb((self.exponent or 0) - self.decimals)

    @property
    def significant(self) -> int | None:
        """Digits from the first non-zero one to the last printed one; None for zero."""
        stripped = self.digits.lstrip("0")
        return len(stripped) if stripped else None


def tokenize(text: str) -> tuple[list[str], list[Number]]:
    """Split ``text`` into texts and numbers: texts[0], numbers[0], texts[1], ..., texts[-1]."""
    texts: list[str] = []
    numbers: list[Number] = []
    start = 0
    for match in NUMBER.finditer(text):
        texts.append(text[start : match.start()])
        numbers.append(Number.parse(match))
        start = match.end()
    texts.append(text[start:])
    return texts, numbers


def number_mismatch(expected: Number, actual: Number) -> str | None:
    """Why two number tokens do not match (rule 4 and 5), or None when they do."""
    if expected.text == actual.text:
        return None
    if expected.is_integer and actual.is_integer:
        return "integers differ (integers are compared exactly)"
    if (expected.exponent is None) != (actual.exponent is None):
        return "fixed vs scientific notation (format change)"
    if {expected.sign, actual.sign} == {"", "+"}:
        return "explicit '+' sign on one side only (format change)"
    if expected.exponent is None:
        same_format = expected.decimals == actual.decimals or (
            expected.significant is not None and expected.significant == actual.significant
        )
    else:
        same_format = expected.decimals == actual.decimals
    if not same_format:
        # ``:g`` drops trailing zeros: "0.1388" is 0.13880, "30" is 30.000. The shorter number
        # stands for itself padded with zeros, so the two are compared at the finer unit.
        unit = min(expected.unit, actual.unit)
    elif expected.exponent is not None and expected.is_zero:
        unit = actual.unit
    elif actual.exponent is not None and actual.is_zero:
        unit = expected.unit
    else:
        unit = max(expected.unit, actual.unit)
    difference = abs(expected.value - actual.value)
    if difference > unit * SLACK:
        return f"differs by {difference / unit:.3g} units of {unit:.0e} (at most 1 allowed)"
    return None


def first_mismatch(expected: str, actual: str) -> str | None:
    """None when the texts match under the rules of this module, else where and why not."""
    if expected == actual:
        return None
    exp_texts, exp_numbers = tokenize(expected)
    act_texts, act_numbers = tokenize(actual)
    common = min(len(exp_numbers), len(act_numbers))
    # rule 3: padding before a number may move only if some number changed its printed width
    widths_changed = any(
        len(e.text) != len(a.text) for e, a in zip(exp_numbers, act_numbers, strict=False)
    )
    line = 1
    for index in range(common):
        exp_text, act_text = exp_texts[index], act_texts[index]
        if exp_text != act_text and not (
            widths_changed and _without_padding(exp_text) == _without_padding(act_text)
        ):
            return f"line {line}: text differs: expected {exp_text!r}, got {act_text!r}"
        line += exp_text.count("\n")
        exp_number, act_number = exp_numbers[index], act_numbers[index]
        why = number_mismatch(exp_number, act_number)
        if why:
            return (
                f"line {line}: number {index + 1}: expected {exp_number.text!r}, "
                f"got {act_number.text!r}: {why}"
            )
    exp_rest = _rest(expected, exp_texts, exp_numbers, common)
    act_rest = _rest(actual, act_texts, act_numbers, common)
    if len(exp_numbers) != len(act_numbers):
        return (
            f"line {line}: expected {len(exp_numbers)} numbers, got {len(act_numbers)}; "
            f"from there expected {_short(exp_rest)}, got {_short(act_rest)}"
        )
    if exp_rest != act_rest:
        return f"line {line}: text differs: expected {exp_rest!r}, got {act_rest!r}"
    return None


def _without_padding(text: str) -> str:
    """``text`` without the run of spaces (U+0020) at its end."""
    return text.rstrip(" ")


def _rest(text: str, texts: list[str], numbers: list[Number], common: int) -> str:
    """What follows the first ``common`` numbers of ``text``."""
    consumed = sum(len(t) for t in texts[:common]) + sum(len(n.text) for n in numbers[:common])
    return text[consumed:]


def _short(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


def texts_match(expected: str, actual: str) -> bool:
    """True when ``actual`` equals ``expected`` up to rounding in the last printed digit."""
    return first_mismatch(expected, actual) is None
