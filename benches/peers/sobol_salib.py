"""Peer check of cogov's Sobol' estimators against SALib on the same sample.

cogov writes the Ishigami function's Saltelli sample (in SALib's order: A, AB1..ABd, B for
each base row), its outputs and its own indices:

    cargo run --release --example sobol_ishigami -- out/sobol 1024

This script reads the outputs, runs ``SALib.analyze.sobol.analyze`` on them (first and total
order, no second order), and checks that

* SALib's S1 and ST equal cogov's to 1e-9 (the same estimators: Saltelli et al. 2010 for S1,
  Jansen for ST, on centred outputs), and
* the analytic Ishigami indices (a = 7, b = 0.1) lie inside cogov's bootstrap 95% intervals.

It prints the three sets of numbers, then ``N passed, N failed``; the exit status is 1 on any
failure. The intervals are not compared for equality: SALib resamples with numpy's generator
and reports 1.96 bootstrap standard deviations, cogov resamples from its own stream and reports
percentile intervals; their widths are printed side by side.
"""

import argparse
import csv
import math
import sys

import numpy as np
from SALib.analyze import sobol

ANALYTIC = {
    "x1": (0.3139, 0.5576),
    "x2": (0.4424, 0.4424),
    "x3": (0.0, 0.2437),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default="out/sobol", help="folder written by the example")
    ap.add_argument("--resamples", type=int, default=1000)
    args = ap.parse_args()

    with open(f"{args.dir}/ishigami_sample.csv") as f:
        rows = list(csv.DictReader(f))
    y = np.array([float(r["y"]) for r in rows])
    with open(f"{args.dir}/ishigami_cogov.csv") as f:
        ours = {r["parameter"]: {k: float(v) for k, v in r.items() if k != "parameter"}
                for r in csv.DictReader(f)}
    names = list(ours)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [[-math.pi, math.pi]] * len(names),
    }
    si = sobol.analyze(problem, y, calc_second_order=False,
                       num_resamples=args.resamples, conf_level=0.95, seed=1)

    passed = failed = 0
    n = len(y) // (len(names) + 2)
    print(f"Ishigami, N = {n} base rows, {len(y)} evaluations")
    print(f"{'':4} {'index':5} {'analytic':>9} {'cogov':>9} {'cogov 95% interval':>22} "
          f"{'SALib':>9} {'SALib ±conf':>12} {'|diff|':>9}")
    for i, name in enumerate(names):
        for index in ("S1", "ST"):
            key = index.lower()
            mine, theirs = ours[name][key], float(si[index][i])
            lo, hi = ours[name][f"{key}_lo"], ours[name][f"{key}_hi"]
            truth = ANALYTIC[name][0 if index == "S1" else 1]
            conf = float(si[f"{index}_conf"][i])
            diff = abs(mine - theirs)
            print(f"{name:4} {index:5} {truth:9.4f} {mine:9.4f} [{lo:9.4f}, {hi:9.4f}] "
                  f"{theirs:9.4f} {conf:12.4f} {diff:9.2e}")
            for ok in (diff < 1e-9, lo <= truth <= hi):
                passed += ok
                failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
