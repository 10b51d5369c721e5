"""Calibration of the goal forecasts: do the 95% intervals and "op koers" hold?

    .venv/bin/python benchmarks/calibration.py          (also a section of run.py)

Simulated percentage series, published rounded to one decimal as CBS does, run through
``helpers.analysis.trends.prediction_interval`` and ``target_status`` — the code the
reports use — and, for comparison, the method before issue 15 (a Theil–Sen line with
independent errors on the published scale: ``trends._trend_band``).

A series lives on the logit scale: ``z_t = logit(level) + b (t − t_n) + e_t``, the level
anchored at the newest year, ``b ~ U(−0,1; 0,1)`` a year, noise sd ``σ ~ U(0,03; 0,15)``
(marginal sd for independent and AR(1) noise, the yearly step of a random walk). Noise:
independent, AR(1) with ρ = 0,3 and 0,6 (stationary), a random walk (with the drift
``b``). Levels: near 0% (3%), mid-range (50%), near 100% (97%). n = 4…10 published
years, horizons 1…6 years after the newest one. The target of a goal is an independent
draw of the same process at the target year (so about half of the targets are met),
rounded to one decimal, and the goal wants the value up or down at random.

Targets lie uniformly within ``AMBITION`` = ±1 on the logit scale of the trend's true
value in the target year (at 50%: 27–73%; at 3%: 1,1–7,8%), about half of them met.
Coverage does not depend on the targets; precision does: the closer targets lie to
what happens anyway, the fewer "op koers" calls and the larger the share of them that
the 2,5% lower tail spoils. ``main`` therefore also prints the precision with targets
half as far (±0,5): there the cells with four years fall short (see the output).

Per cell (noise × level × n × horizon, ``SIMS`` series each):

* coverage — the published value at the target year lies in the shown (rounded) 95%
  interval; target >= 90% in every cell;
* precision of "op koers" — of the goals called op koers, the share whose published
  value at the target year meets the target; target >= 95% in every cell (cells with
  fewer than ``MIN_CALLS`` op koers calls are too few to estimate and are not counted);
* recall — of the met targets, the share that was called op koers: the price of honesty.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from helpers.analysis import trends  # noqa: E402
from helpers.model import ON_TRACK  # noqa: E402

__all__ = ["run", "summary", "results", "main"]

SEED = 20261202
SIMS = 4000
MIN_CALLS = 50
DECIMALS = 1
NOISES = ("independent", "AR(1) rho=0.3", "AR(1) rho=0.6", "random walk")
LEVELS = {"near 0%": 3.0, "mid-range": 50.0, "near 100%": 97.0}
POINTS = range(4, 11)
HORIZONS = range(1, 7)
AMBITION = 1.0  # logit: how far a target may lie from the trend's true value (uniform)
TARGETS = {"coverage": 0.90, "precision": 0.95}


def _noise(kind: str, rng: np.random.Generator, sigma: np.ndarray, length: int) -> np.ndarray:
    """Noise paths (rows) of ``length`` years."""
    shocks = rng.standard_normal((len(sigma), length))
    if kind == "independent":
        return sigma[:, None] * shocks
    if kind == "random walk":
        return sigma[:, None] * np.cumsum(shocks, axis=1)
    rho = float(kind.rsplit("=", 1)[1])
    path = np.empty_like(shocks)
    path[:, 0] = shocks[:, 0]
    for t in range(1, length):
        path[:, t] = rho * path[:, t - 1] + np.sqrt(1 - rho**2) * shocks[:, t]
    return sigma[:, None] * path


def _publish(z: np.ndarray) -> np.ndarray:
    return np.round(100 / (1 + np.exp(-z)), DECIMALS)


def _judge(lower, upper, outcome, target, up) -> dict[str, float]:
    lower, upper = np.round(lower, DECIMALS), np.round(upper, DECIMALS)
    status = np.where(up, trends.target_status(lower, upper, target, "up"),
                      trends.target_status(lower, upper, target, "down"))
    called = status == ON_TRACK
    met = np.where(up, outcome >= target, outcome <= target)
    return {"coverage": float(np.mean((lower <= outcome) & (outcome <= upper))),
            "calls": int(called.sum()),
            "precision": float(met[called].mean()) if called.any() else np.nan,
            "recall": float(called[met].mean()) if met.any() else np.nan,
            "outside": float(np.mean((lower < 0) | (upper > 100)))}


def _cell(noise: str, level: str, n: int, horizon: int, sims: int, ambition: float,
          rng: np.random.Generator) -> dict[str, object]:
    length = n + horizon
    t = np.arange(length) - (n - 1)  # 0 at the newest published year
    slope = rng.uniform(-0.1, 0.1, sims)
    sigma = rng.uniform(0.03, 0.15, sims)
    mean = np.log(LEVELS[level] / (100 - LEVELS[level])) + slope[:, None] * t
    series = _publish(mean + _noise(noise, rng, sigma, length))
    target = _publish(mean[:, -1] + rng.uniform(-ambition, ambition, sims))
    up = rng.random(sims) < 0.5
    years = 2015.0 + np.arange(n)
    at = [years[-1] + horizon]
    observed, outcome = series[:, :n], series[:, -1]
    _, lower, upper = trends.prediction_interval(years, observed, at, DECIMALS,
                                                 scale="percentage")
    new = _judge(lower[:, 0], upper[:, 0], outcome, target, up)
    t_quantile = trends._scipy_stats().t.ppf(0.975, n - 2)
    floor = 10.0 ** -DECIMALS / np.sqrt(12)
    _, lower, upper = trends._trend_band(years, observed, np.asarray(at), floor, t_quantile)
    old = _judge(lower[:, 0], upper[:, 0], outcome, target, up)
    met = np.where(up, outcome >= target, outcome <= target)
    return {"noise": noise, "level": level, "n": n, "horizon": horizon,
            "met": float(met.mean()), **new, **{f"old_{k}": v for k, v in old.items()}}


def run(sims: int = SIMS, seed: int = SEED, ambition: float = AMBITION, noises=NOISES,
        levels=tuple(LEVELS), points=POINTS, horizons=HORIZONS) -> pd.DataFrame:
    """One row per cell: coverage, op koers calls, precision, recall and the share of
    intervals outside 0–100%, of the current method and (``old_…``) the one before."""
    cells = [(noise, level, n, h) for noise in noises for level in levels
             for n in points for h in horizons]
    streams = np.random.SeedSequence(seed).spawn(len(cells))
    return pd.DataFrame([_cell(*cell, sims, ambition, np.random.default_rng(stream))
                         for cell, stream in zip(cells, streams, strict=True)])


def _precision(cells: pd.DataFrame, prefix: str = "") -> pd.Series:
    return cells[f"{prefix}precision"].where(cells[f"{prefix}calls"] >= MIN_CALLS)


def summary(cells: pd.DataFrame) -> pd.DataFrame:
    """Per noise and level: the worst coverage and precision, the mean recall."""
    frame = cells.assign(prec=_precision(cells), old_prec=_precision(cells, "old_"))
    return frame.groupby(["noise", "level"], sort=False).agg(
        coverage_min=("coverage", "min"), precision_min=("prec", "min"),
        recall_mean=("recall", "mean"), old_coverage_min=("old_coverage", "min"),
        old_precision_min=("old_prec", "min"), old_recall_mean=("old_recall", "mean"),
        old_outside_max=("old_outside", "max")).reset_index()


def results(cells: pd.DataFrame | None = None) -> dict[str, float]:
    """What ``benchmarks/run.py`` records in ``results.json``."""
    cells = run() if cells is None else cells
    return {"calibration_min_coverage": float(cells["coverage"].min()),
            "calibration_min_op_koers_precision": float(_precision(cells).min()),
            "calibration_mean_op_koers_recall": float(cells["recall"].mean()),
            "calibration_old_min_coverage": float(cells["old_coverage"].min()),
            "calibration_old_min_op_koers_precision": float(_precision(cells, "old_").min())}


def main() -> int:
    start = time.perf_counter()
    cells = run()
    seconds = time.perf_counter() - start
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    print(f"calibration: {len(cells)} cells × {SIMS} series, seed {SEED}, {seconds:.0f} s\n")
    print(summary(cells).round(3).to_string(index=False))
    columns = ["noise", "level", "n", "horizon", "coverage", "calls", "precision", "recall",
               "old_coverage", "old_precision"]
    print("\nworst coverage:")
    print(cells.nsmallest(5, "coverage")[columns].round(3).to_string(index=False))
    print(f"\nworst precision (cells with >= {MIN_CALLS} op koers calls):")
    worst = cells.assign(p=_precision(cells)).nsmallest(5, "p")
    print(worst[columns].round(3).to_string(index=False))
    print("\nby horizon (all noises, levels and n): mean recall, worst coverage")
    print(cells.groupby("horizon").agg(recall=("recall", "mean"), coverage=("coverage", "min"),
                                       old_recall=("old_recall", "mean"),
                                       old_coverage=("old_coverage", "min"))
          .round(3).to_string())
    excluded = int((cells["calls"] < MIN_CALLS).sum())
    print(f"\ncells with fewer than {MIN_CALLS} op koers calls (precision not counted): "
          f"{excluded}")
    near = run(ambition=AMBITION / 2)
    below = near.assign(p=_precision(near)).query("p < @TARGETS['precision']")
    print(f"with targets within ±{AMBITION / 2:g} logit: worst precision "
          f"{_precision(near).min():.3f} (before issue 15: "
          f"{_precision(near, 'old_').min():.3f}), {len(below)} cells below "
          f"{TARGETS['precision']:g}, of which {int((below['n'] > 4).sum())} with n > 4; "
          f"mean recall {near['recall'].mean():.3f}")
    found = results(cells)
    print()
    ok = True
    for key, value in found.items():
        goal = {"calibration_min_coverage": TARGETS["coverage"],
                "calibration_min_op_koers_precision": TARGETS["precision"]}.get(key)
        verdict = "" if goal is None else (" ok" if value >= goal else f" BELOW {goal:g}")
        ok &= goal is None or value >= goal
        print(f"{key:<42} {value:6.3f}{verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
