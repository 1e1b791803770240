#!/usr/bin/python3
"""Optuna's side of benchmarks/multiobjective.mjs: Optuna 3.1's multi-objective samplers on ZDT1-3.

Run by Debian's /usr/bin/python3 with python3-optuna (3.1.0). The problems are src/bench/zdt.ts's, term for
term: x in [0, 1]^n as n float parameters x1 ... xn, g(x) = 1 + 9 * (x2 + ... + xn) / (n - 1), f1 = x1 and

    ZDT1: f2 = g * (1 - sqrt(f1 / g))
    ZDT2: f2 = g * (1 - (f1 / g) * (f1 / g))
    ZDT3: f2 = g * (1 - sqrt(f1 / g) - (f1 / g) * sin(10 * pi * f1))

both minimised. One study per (problem, sampler, seed), `--trials` trials run by study.optimize (sequential),
the sampler built with seed = the run's seed (0 ... seeds - 1) and its defaults otherwise:

    nsga2  NSGAIISampler(seed=k)   (population 50, crossover 0.9, swapping 0.5, mutation 1/n)
    tpe    TPESampler(seed=k)      (3.1's TPESampler runs MOTPE when the study has several objectives:
                                    n_startup_trials 10, gamma min(ceil(0.1 n), 25), 24 candidates)
    motpe  MOTPESampler(seed=k)    (3.1's deprecated wrapper of the same code with MOTPESampler's defaults:
                                    gamma floor(0.1 n), consider_endpoints=True)

Prints one JSON line per run to stdout:

    {"problem": "zdt1", "sampler": "nsga2", "seed": 0, "optuna": "3.1.0", "trials": 200, "dims": 30,
     "seconds": 1.23, "values": [[f1, f2], ...],          # every trial's values, in trial order
     "hypervolume": [{"reference": [11, 11], "value": ...}, ...]}

`values` are written with repr's round-trip precision, so that the benchmark computes every hypervolume
itself from the same doubles; `hypervolume` is Optuna's own (optuna._hypervolume.WFG on study.best_trials,
the points inside the reference), for the benchmark to check that both sides agree on the same point set.

Usage: /usr/bin/python3 benchmarks/reference/optuna_multiobjective.py [--problems zdt1,zdt2,zdt3]
           [--samplers nsga2,tpe] [--seeds 10] [--seed-from 0] [--trials 200] [--dims 30]
           [--references 11,11:1.1,1.1]
--seed-from K runs seeds K ... seeds - 1 only: a run depends on its seed alone, so the seeds of one problem can be
split over several processes and their lines concatenated.
"""

import argparse
import json
import math
import sys
import time
import warnings

import numpy as np
import optuna
from optuna._hypervolume import WFG


def g(x):
    s = 0.0
    for v in x[1:]:
        s += v
    return 1 + 9 * s / (len(x) - 1)


def zdt1(x):
    f1 = x[0]
    gx = g(x)
    return [f1, gx * (1 - math.sqrt(f1 / gx))]


def zdt2(x):
    f1 = x[0]
    gx = g(x)
    return [f1, gx * (1 - (f1 / gx) * (f1 / gx))]


def zdt3(x):
    f1 = x[0]
    gx = g(x)
    return [f1, gx * (1 - math.sqrt(f1 / gx) - (f1 / gx) * math.sin(10 * math.pi * f1))]


PROBLEMS = {"zdt1": zdt1, "zdt2": zdt2, "zdt3": zdt3}

SAMPLERS = {
    "nsga2": lambda seed: optuna.samplers.NSGAIISampler(seed=seed),
    "tpe": lambda seed: optuna.samplers.TPESampler(seed=seed),
    "motpe": lambda seed: optuna.samplers.MOTPESampler(seed=seed),
}


def wfg_hypervolume(study, reference):
    """Optuna's hypervolume of the study's Pareto front (the points inside the reference)."""
    ref = np.asarray(reference, dtype=np.float64)
    front = np.asarray([t.values for t in study.best_trials], dtype=np.float64).reshape(-1, len(reference))
    inside = front[(front <= ref).all(axis=1)]
    if inside.shape[0] == 0:
        return 0.0
    return float(WFG().compute(inside, ref))


def run(problem, sampler, seed, trials, dims, references):
    f = PROBLEMS[problem]

    def objective(trial):
        x = [trial.suggest_float(f"x{i + 1}", 0.0, 1.0) for i in range(dims)]
        return f(x)

    study = optuna.create_study(directions=["minimize", "minimize"], sampler=SAMPLERS[sampler](seed))
    t0 = time.perf_counter()
    study.optimize(objective, n_trials=trials)
    seconds = time.perf_counter() - t0
    values = [list(t.values) for t in sorted(study.trials, key=lambda t: t.number)]
    return {
        "problem": problem,
        "sampler": sampler,
        "seed": seed,
        "optuna": optuna.__version__,
        "trials": trials,
        "dims": dims,
        "seconds": seconds,
        "values": values,
        "hypervolume": [{"reference": r, "value": wfg_hypervolume(study, r)} for r in references],
    }


def parse_list(text, known, what):
    items = [s for s in text.split(",") if s != ""]
    for s in items:
        if s not in known:
            sys.stderr.write(f"--{what}: unknown '{s}' (known: {', '.join(known)})\n")
            sys.exit(2)
    return items


def parse_references(text):
    refs = []
    for part in text.split(":"):
        try:
            point = [float(v) for v in part.split(",")]
        except ValueError:
            point = []
        if len(point) != 2:
            sys.stderr.write(f"--references: expected points 'r1,r2' separated by ':', but got '{part}'\n")
            sys.exit(2)
        refs.append([int(v) if v.is_integer() else v for v in point])
    return refs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--problems", default="zdt1,zdt2,zdt3")
    ap.add_argument("--samplers", default="nsga2,tpe")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--seed-from", type=int, default=0)
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--dims", type=int, default=30)
    ap.add_argument("--references", default="11,11:1.1,1.1")
    args = ap.parse_args()
    problems = parse_list(args.problems, PROBLEMS, "problems")
    samplers = parse_list(args.samplers, SAMPLERS, "samplers")
    if args.dims < 2 or args.trials < 1 or args.seeds < 1 or args.seed_from < 0:
        sys.stderr.write("--dims must be >= 2, --trials and --seeds >= 1, --seed-from >= 0\n")
        sys.exit(2)
    references = parse_references(args.references)

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # MOTPESampler is deprecated in 3.1 and multi-objective TPE is marked experimental: said once, not per run.
    warnings.simplefilter("ignore")
    for problem in problems:
        for sampler in samplers:
            for seed in range(args.seed_from, args.seeds):
                line = run(problem, sampler, seed, args.trials, args.dims, references)
                sys.stdout.write(json.dumps(line) + "\n")
                sys.stdout.flush()


if __name__ == "__main__":
    main()
