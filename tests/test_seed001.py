"""The seed-001 arithmetic that notebook 04 teaches, checked independently in float64 NumPy.

The seed printed weights "after one update" that are those of TWO updates with the same
gradient; its predictions after the update and its final ("500 epochs") predictions follow.
"""

from __future__ import annotations

import numpy as np

import gdhelpers as gd

W0 = np.array([[0.7042, -1.5674, -0.3579], [1.7298, -1.3018, 1.2664]])
B0 = np.array([-0.9878, 0.1373])
SEED_W25 = np.array([[0.9835, -1.2214, -0.1539], [1.7002, -1.2803, 1.2665]])
SEED_B25 = np.array([-0.9844, 0.1371])
SEED_LOSS23 = 11332.5527
SEED_PREDS33 = np.array(
    [
        [57.2448, 70.2242],
        [81.3412, 102.8011],
        [120.5308, 128.2489],
        [22.4152, 36.6258],
        [99.4407, 123.0959],
    ]
)


def _data():
    x, y = gd.crops_data()
    return x.astype(np.float64), y.astype(np.float64)


def _grad(x, y, w, b):
    r = x @ w.T + b - y
    return 2 / r.size * r.T @ x, 2 / r.size * r.sum(axis=0)


def test_first_loss_close_to_seed():
    x, y = _data()
    loss = np.mean((x @ W0.T + B0 - y) ** 2)
    assert abs(loss - 21231.4629) < 1.0


def test_two_stale_updates_explain_in25_and_in23():
    x, y = _data()
    gw, gb = _grad(x, y, W0, B0)
    errors = {}
    for k in (1, 2, 3):
        w, b = W0 - k * 1e-5 * gw, B0 - k * 1e-5 * gb
        errors[k] = max(np.abs(w - SEED_W25).max(), np.abs(b - SEED_B25).max())
    assert errors[2] <= 1e-4  # rounding of start and print
    assert errors[1] > 0.1 and errors[3] > 0.1
    w, b = W0 - 2e-5 * gw, B0 - 2e-5 * gb
    assert abs(np.mean((x @ w.T + b - y) ** 2) - SEED_LOSS23) < 1.0


def test_final_state_is_801_epochs():
    x, y = _data()
    gw, gb = _grad(x, y, W0, B0)
    w, b = W0 - 2e-5 * gw, B0 - 2e-5 * gb
    diffs = {}
    for epoch in range(1, 803):
        gw, gb = _grad(x, y, w, b)
        w, b = w - 1e-5 * gw, b - 1e-5 * gb
        diffs[epoch] = np.abs(x @ w.T + b - SEED_PREDS33).max()
    best = min(diffs, key=diffs.get)
    assert best == 801
    assert diffs[801] < 1e-3
    assert diffs[500] > 1.0
