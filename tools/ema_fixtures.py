#!/usr/bin/env python3
"""Reference values for cohesion's scenario discovery and Sobol' estimators, from the tools an
analyst would check them against: EMA Workbench's PRIM and SALib's Sobol' analysis.

Writes tests/data/explore/prim_ema.json and tests/data/explore/sobol_salib.json. Run once, by
hand, and check the output in; the Rust tests (tests/explore.rs) compare cohesion's PRIM
trajectory (coverage, density, mass, points per box, box limits at every step) and its chosen
box's quasi-p-values with EMA's, and its Sobol' estimates with SALib's on the same outputs.

    python3 -m venv /tmp/ema && /tmp/ema/bin/pip install ema_workbench==2.5.3
    /tmp/ema/bin/python tools/ema_fixtures.py

(ema_workbench brings SALib, pandas and NumPy with it; the versions used are recorded in the
fixtures.) CI does not need Python: the
fixtures are checked in.
"""

import json
import os
import sys
from importlib.metadata import version

import numpy as np
import pandas as pd

import ema_workbench
from ema_workbench.analysis import prim
from SALib.analyze import sobol as salib_sobol

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "explore")


def prim_case(name, x, y, threshold=0.5, **kw):
    df = pd.DataFrame(x, columns=[f"x{i}" for i in range(x.shape[1])])
    p = prim.Prim(df, y, threshold=threshold, **kw)
    box = p.find_box()
    traj = box.peeling_trajectory
    steps = []
    for i in range(len(traj)):
        lims = box.box_lims[i]
        steps.append(
            {
                "coverage": float(traj.loc[i, "coverage"]),
                "density": float(traj.loc[i, "density"]),
                "mass": float(traj.loc[i, "mass"]),
                "n": int(traj.loc[i, "n"]),
                "k": int(traj.loc[i, "k"]),
                "res_dim": int(traj.loc[i, "res_dim"]),
                "lower": [float(lims.loc[0, c]) for c in df.columns],
                "upper": [float(lims.loc[1, c]) for c in df.columns],
                # {dimension index: [qp of the lower limit, qp of the upper limit]}, -1 where
                # that side is not restricted (EMA's convention).
                "qp": {
                    str(list(df.columns).index(c)): [float(v) for v in vals]
                    for c, vals in box.qp[i].items()
                },
            }
        )
    return {
        "name": name,
        "peel_alpha": kw.get("peel_alpha", 0.05),
        "paste_alpha": kw.get("paste_alpha", 0.05),
        "mass_min": kw.get("mass_min", 0.05),
        "x": [[float(v) for v in row] for row in x],
        "y": [int(v) for v in y],
        # EMA's chosen box: the last on the trajectory (PrimBox selects it by default).
        "chosen": len(steps) - 1,
        "steps": steps,
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20211018)
    cases = []
    # 1. A planted box with label noise: yes mostly where x0 < 0.35 and x2 > 0.5.
    x = rng.uniform(0.0, 1.0, size=(1000, 5))
    inside = (x[:, 0] < 0.35) & (x[:, 2] > 0.5)
    y = np.where(inside, rng.uniform(size=1000) < 0.85, rng.uniform(size=1000) < 0.08).astype(int)
    cases.append(prim_case("planted-box", x, y))
    # 2. Coarse values with many ties (a grid of 0.1 and a choice-like column), so that the
    #    quantile's tie rule and pasting matter.
    x = np.round(rng.uniform(0.0, 1.0, size=(600, 4)), 1)
    x[:, 3] = rng.integers(0, 3, size=600).astype(float)
    score = 1.5 * x[:, 1] - x[:, 0] + 0.4 * (x[:, 3] == 2) + rng.normal(0, 0.35, size=600)
    y = (score > 0.9).astype(int)
    cases.append(prim_case("ties", x, y, peel_alpha=0.1, paste_alpha=0.05, mass_min=0.05))
    with open(os.path.join(OUT, "prim_ema.json"), "w") as f:
        json.dump(
            {
                "source": f"ema_workbench {ema_workbench.__version__} prim.Prim(x, y, threshold=0.5).find_box(), "
                f"numpy {np.__version__}, pandas {pd.__version__}, python {sys.version.split()[0]}",
                "cases": cases,
            },
            f,
            indent=1,
        )

    # Sobol' estimators: SALib's analysis of a fixed output vector laid out in Saltelli's order
    # (per base row: A, AB_1..AB_D, BA_1..BA_D, B), with second order.
    d, n = 3, 64
    rng = np.random.default_rng(7)
    a = rng.uniform(size=(n, d))
    b = rng.uniform(size=(n, d))
    rows = []
    for j in range(n):
        rows.append(a[j])
        for i in range(d):
            r = a[j].copy(); r[i] = b[j, i]; rows.append(r)
        for i in range(d):
            r = b[j].copy(); r[i] = a[j, i]; rows.append(r)
        rows.append(b[j])
    u = np.array(rows)
    yv = np.sin(2 * np.pi * u[:, 0]) + 2.0 * u[:, 1] ** 2 + u[:, 0] * u[:, 2] * 3.0
    problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0, 1]] * d}
    res = salib_sobol.analyze(problem, yv, calc_second_order=True, num_resamples=10,
                              print_to_console=False, seed=1)
    with open(os.path.join(OUT, "sobol_salib.json"), "w") as f:
        json.dump(
            {
                "source": f"SALib {version('SALib')} SALib.analyze.sobol.analyze(calc_second_order=True)",
                "dims": d,
                "y": [float(v) for v in yv],
                "S1": [float(v) for v in res["S1"]],
                "ST": [float(v) for v in res["ST"]],
                "S2": [[float(v) if np.isfinite(v) else None for v in row] for row in res["S2"]],
            },
            f,
            indent=1,
        )


if __name__ == "__main__":
    main()
