"""nbval tolerates rounding in the last printed digit (the rule of tools/outputs_compare.py).

``install()`` wraps nbval's ``IPyNbCell.compare_outputs(test, ref)``, the one place where nbval
compares a cell's fresh outputs with the recorded ones. Before nbval compares, the wrapper pairs
the text values exactly as nbval does (per key: the stream name or the mime type, in output
order) and, for each pair whose sanitized texts differ but match under ``texts_match``, puts the
recorded value in place of the fresh one. nbval then compares as usual: every other difference,
and nbval's report of it, is unchanged. The comparison runs in the pytest process, so it works
with ``--nbval-current-env`` and ``--nbval-kernel-name`` alike, and in every xdist worker (each
one loads conftest.py, which calls ``install()``).
"""

from __future__ import annotations

import copy
import functools
from collections import defaultdict

from tools.outputs_compare import texts_match

_MARK = "_tolerates_rounding"


def _text_slots(outputs: list, skip: tuple) -> dict[str, list[tuple[dict, str]]]:
    """Where each compared text value lives, per nbval key, in output order."""
    slots: dict[str, list[tuple[dict, str]]] = defaultdict(list)
    for output in outputs:
        if output.get("output_type") == "stream":
            # nbval's transform_streams_for_comparison keys a stream by its name
            if output.get("name") not in skip and isinstance(output.get("text"), str):
                slots[output["name"]].append((output, "text"))
            continue
        for key, value in output.items():
            if key in skip:
                continue
            if key == "data":
                for mime, text in value.items():
                    if mime not in skip and mime.startswith("text/") and isinstance(text, str):
                        slots[mime].append((value, mime))
            elif isinstance(value, str):  # e.g. an expected error's ename and evalue
                slots[key].append((output, key))
    return slots


def tolerate_rounding(cell, test: list, ref: list, skip_compare) -> list:
    """``test`` with each text that matches its reference up to rounding replaced by it."""
    skip = tuple(skip_compare or cell.parent.skip_compare)
    test = copy.deepcopy(test)
    ref_slots = _text_slots(ref, skip)
    for key, test_values in _text_slots(test, skip).items():
        ref_values = ref_slots.get(key, [])
        if len(ref_values) != len(test_values):
            continue  # nbval reports the different number of outputs
        for (test_holder, test_field), (ref_holder, ref_field) in zip(
            test_values, ref_values, strict=True
        ):
            expected = cell.sanitize(ref_holder[ref_field])
            actual = cell.sanitize(test_holder[test_field])
            if expected != actual and texts_match(expected, actual):
                test_holder[test_field] = ref_holder[ref_field]
    return test


def install() -> None:
    """Make nbval's output comparison tolerate rounding; idempotent, no-op without nbval."""
    try:
        from nbval.plugin import IPyNbCell
    except ImportError:  # pragma: no cover - nbval is part of the dev environment
        return
    original = IPyNbCell.compare_outputs
    if getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    def compare_outputs(self, test, ref, skip_compare=None):
        test = tolerate_rounding(self, test, ref, skip_compare)
        return original(self, test, ref, skip_compare)

    setattr(compare_outputs, _MARK, True)
    IPyNbCell.compare_outputs = compare_outputs
