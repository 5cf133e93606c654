"""One way to write the numbers that teach: outputs, errors, deltas, derivatives, gradients, weights.

Significant digits (4 unless asked), scientific notation below 1e-3 and from 1e4 up, and never a value
rounded to exactly 0, 1 or -1 unless it is exactly that: ``0.9999999999746`` stays ``0.9999999999746``
rather than ``1``, because the gap from 1 is what the vanishing gradient is about. Downloads keep full
precision; this is for what people read on the page.
"""

from __future__ import annotations

import math

MINUS = "\N{MINUS SIGN}"
_ROUND_TARGETS = (0.0, 1.0, -1.0)


def _fixed(value: float, digits: int) -> str:
    decimals = max(digits - 1 - math.floor(math.log10(abs(value))), 0)
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _scientific(value: float, digits: int) -> str:
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent):+03d}"


def teaching_number(value: float, digits: int = 4, minus: str = MINUS) -> str:
    """``value`` as the page shows it: ``0.5``, ``0.2689``, ``3.142e-06``, ``−12.5``, ``1.235e+05``.

    More digits are used only where ``digits`` would round a value that is not 0, 1 or -1 onto one of them
    (at most 17, which tells any two doubles apart). ``minus`` is the sign written for negative values.
    """
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else f"{minus}∞"
    if value == 0:
        return "0"
    scientific = not 1e-3 <= abs(value) < 1e4
    for shown_digits in range(digits, 18):
        text = _scientific(value, shown_digits) if scientific else _fixed(value, shown_digits)
        shown = float(text)
        if shown == value or shown not in _ROUND_TARGETS:
            break
    return text.replace("-", minus, 1) if text.startswith("-") else text
