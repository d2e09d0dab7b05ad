"""Peer check of cogov's ABC-SMC on the toy problem of tests/calibration.rs, in pyabc.

The toy: a model whose output is N(mu, 0.5^2), observed with error sd 0.3 (no discrepancy),
prior mu ~ U(-10, 10), observation z = 1.3. Adding the error to the simulated output (as cogov
does, Wilkinson 2013) makes the exact posterior N(z, 0.5^2 + 0.3^2): mean 1.3, sd 0.5831.

pyabc runs the same problem with its defaults for ABC-SMC (adaptive median epsilon, adaptive
multivariate normal kernel, population 1000) for 8 generations; the script prints the
posterior mean and sd beside the analytic ones (cogov's figures are printed by
`cargo test --release --test calibration the_toy -- --nocapture`; both are in
docs/CALIBRATION.md).

    pip install pyabc
    python benches/peers/calibration_pyabc.py
"""

import math
import os
import tempfile

import numpy as np
import pyabc

Z, MODEL_SD, OBS_SD = 1.3, 0.5, 0.3


def model(p):
    rng = np.random.default_rng()
    return {"y": p["mu"] + MODEL_SD * rng.normal() + OBS_SD * rng.normal()}


def distance(x, y):
    return abs(x["y"] - y["y"])


def main():
    np.random.seed(7)
    prior = pyabc.Distribution(mu=pyabc.RV("uniform", -10, 20))
    abc = pyabc.ABCSMC(
        model,
        prior,
        distance,
        population_size=1000,
        sampler=pyabc.sampler.SingleCoreSampler(),
    )
    db = "sqlite:///" + os.path.join(tempfile.mkdtemp(), "toy.db")
    abc.new(db, {"y": Z})
    history = abc.run(max_nr_populations=8)
    df, w = history.get_distribution()
    mean = float(np.sum(df["mu"] * w))
    sd = float(math.sqrt(np.sum(w * (df["mu"] - mean) ** 2)))
    exact_sd = math.sqrt(MODEL_SD**2 + OBS_SD**2)
    pops = history.get_all_populations()
    print(f"pyabc {pyabc.__version__}: posterior mean {mean:.4f} (exact {Z}), sd {sd:.4f} (exact {exact_sd:.4f})")
    print(f"final epsilon {pops['epsilon'].iloc[-1]:.4f}, simulations {int(pops['samples'].sum())}")


if __name__ == "__main__":
    main()
