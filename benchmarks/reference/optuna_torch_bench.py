#!/usr/bin/python3
"""bench:search's reference: a whole search in Optuna (TPE) + PyTorch on the rows lockstep prepared.

A copy of ../shared/reference/optuna_torch_search.py (the issue's yardstick: Optuna's TPE over the `mlp-default`
space, a PyTorch MLP, one thread, refit of the best on train + validation, test score of the refit) extended for
benchmarks/search.mjs, which writes DIR with lockstep's own loading, typing and split of the dataset:
  x.f64      rows x columns, float64, row-major; raw values (NaN: missing; a boolean is 0/1; a categorical is the
             index of its category among the dataset's categories sorted as lockstep sorts them)
  y.f64      the target: class index (classification) or value (regression)
  split.u32  row indices: the training rows, then the validation rows, then the test rows
  meta.json  task, n, columns [{name, type, categories?}], n_classes, train, validation, test, trials, epochs,
             seed, n_startup_trials
Preprocessing is lockstep's (src/data/preprocess.ts), fitted on the training rows only: a numeric column's
missing cells take the training median, then (x - mean) / std (population std; 1 for a constant column); a
boolean's missing cells the more frequent training value (0 on a tie); a categorical column is one-hot over the
categories the training rows hold, in sorted order (a missing cell takes the most frequent, the first in order on
a tie; a category unseen in training is all zeros); a regression target is standardised with the training mean
and std, and scored (RMSE) in its own units.

Training is PyTorch as a user writes it: nn.Linear layers (PyTorch's default initialisation), the activation,
nn.Dropout after each hidden layer; Adam or SGD with momentum, weight_decay = l2; a fresh permutation of the
training rows every epoch (the last batch may be short); BCEWithLogits / CrossEntropy / MSE on the standardised
target. Each trial is scored on the validation rows after its last epoch (accuracy, or RMSE minimised).
A trial whose training loss becomes NaN or infinite fails (as lockstep's does) and the search goes on.

Lockstep's own choices, one at a time (bench:search --semantics). Its default initialisation (`init: torch`,
numeric version 3) is PyTorch's; its other one, `init: he` (version 2's only scheme):
  --init he                 kernels uniform with He limits sqrt(6/fanIn) for relu/elu hidden layers and Glorot
                            limits sqrt(6/(fanIn+fanOut)) for tanh and the output layer; biases zero
  --init he-kernels         those kernels, PyTorch's biases
  --l2 lockstep             L2 as a loss term, l2 * sum of the kernels' squares (gradient 2*l2*W, biases free),
                            instead of weight_decay = l2 on every parameter
  --eps E                   Adam's epsilon (PyTorch 1e-8; tfjs and lockstep 1e-7)
  --fixed CASES.json        no search: train each case [{params, seed}] on the training rows and score it on the
                            test rows; prints {"results": [{"test": score or null}, ...]}

Usage: optuna_torch_bench.py DIR [--fixed CASES.json] [--init torch|he|he-kernels] [--l2 torch|lockstep]
                                 [--eps E]
Prints one JSON line: test_score (null when the refit diverged), best_val, best_params, complete, failed,
import_s, search_s, refit_s.
"""
import time

T0 = time.perf_counter()
import argparse
import json
import math
import os
import sys

import numpy as np
import optuna
import torch

IMPORT_S = time.perf_counter() - T0
optuna.logging.set_verbosity(optuna.logging.WARNING)
torch.set_num_threads(1)
torch.set_num_interop_threads(1)

ap = argparse.ArgumentParser()
ap.add_argument('dir')
ap.add_argument('--fixed')
ap.add_argument('--init', choices=['torch', 'he', 'he-kernels'], default='torch')
ap.add_argument('--l2', choices=['torch', 'lockstep'], default='torch')
ap.add_argument('--eps', type=float, default=1e-8)
args = ap.parse_args()


def fail(msg):
    print(f'optuna_torch_bench.py: {msg}', file=sys.stderr)
    sys.exit(2)


try:
    with open(os.path.join(args.dir, 'meta.json')) as f:
        meta = json.load(f)
    n = meta['n']
    cols = meta['columns']
    raw = np.fromfile(os.path.join(args.dir, 'x.f64'), dtype='<f8')
    yraw = np.fromfile(os.path.join(args.dir, 'y.f64'), dtype='<f8')
    order = np.fromfile(os.path.join(args.dir, 'split.u32'), dtype='<u4').astype(np.int64)
except (OSError, ValueError, KeyError) as e:
    fail(f'{args.dir}: {e}')
if raw.size != n * len(cols) or yraw.size != n or order.size != n:
    fail(f'{args.dir}: x.f64, y.f64 or split.u32 does not hold {n} rows x {len(cols)} columns')
raw = raw.reshape(n, len(cols))
task = meta['task']
n_tr, n_va = meta['train'], meta['validation']
tr, va, te = order[:n_tr], order[n_tr:n_tr + n_va], order[n_tr + n_va:]
EPOCHS = meta['epochs']


def preprocess(raw, tr):
    """lockstep's pipeline (src/data/preprocess.ts), fitted on the training rows: float32 features."""
    parts = []
    for j, c in enumerate(cols):
        v = raw[:, j]
        vt = v[tr]
        seen = vt[~np.isnan(vt)]
        if c['type'] == 'numeric':
            impute = float(np.median(seen)) if seen.size else 0.0
            if seen.size == 0:
                mean, std = 0.0, 1.0
            elif np.all(seen == seen[0]):
                mean, std = float(seen[0]), 1.0
            else:
                # Summed in row order, as lockstep sums (numpy's pairwise sum can differ in the last bit).
                mean = sum(seen.tolist()) / seen.size
                std = math.sqrt(sum(((seen - mean) ** 2).tolist()) / seen.size)
                if not (std > 1e-12 * max(1.0, abs(mean))) or not math.isfinite(std):
                    std = 1.0
            parts.append(((np.where(np.isnan(v), impute, v) - mean) / std)[:, None])
        elif c['type'] == 'boolean':
            ones = int((seen == 1).sum())
            impute = 1.0 if ones > seen.size - ones else 0.0
            parts.append(np.where(np.isnan(v), impute, v)[:, None])
        else:
            counts = np.bincount(seen.astype(np.int64), minlength=c['categories'])
            present = np.flatnonzero(counts)  # training categories, in sorted order
            impute = int(np.argmax(counts)) if seen.size else -1  # first of the most frequent
            codes = np.where(np.isnan(v), impute, v).astype(np.int64)
            parts.append((codes[:, None] == present[None, :]).astype(np.float64))
    x = np.concatenate(parts, axis=1) if parts else np.zeros((len(raw), 0))
    return x.astype(np.float32)


X = preprocess(raw, tr)
Xt = torch.from_numpy(X)
if task == 'regression':
    yt_raw = yraw[tr]
    ym = sum(yt_raw.tolist()) / yt_raw.size
    ys = math.sqrt(sum(((yt_raw - ym) ** 2).tolist()) / yt_raw.size)
    if not (ys > 1e-12 * max(1.0, abs(ym))):
        ym, ys = float(yt_raw[0]), 1.0
    Y = torch.from_numpy(((yraw - ym) / ys).astype(np.float32))[:, None]
elif task == 'binary':
    Y = torch.from_numpy(yraw.astype(np.float32))[:, None]
else:
    Y = torch.from_numpy(yraw.astype(np.int64))
n_out = meta['n_classes'] if task == 'multiclass' else 1
ACT = {'relu': torch.nn.ReLU, 'tanh': torch.nn.Tanh, 'elu': torch.nn.ELU}
LOSS = {'binary': torch.nn.BCEWithLogitsLoss, 'multiclass': torch.nn.CrossEntropyLoss, 'regression': torch.nn.MSELoss}


class Diverged(Exception):
    pass


def build(params):
    layers, linears, d = [], [], X.shape[1]
    act = ACT[params['activation']]
    for l in range(params['layers']):
        u = params[f'units_{l + 1}']
        lin = torch.nn.Linear(d, u)
        layers += [lin, act(), torch.nn.Dropout(params['dropout'])]
        linears.append(lin)
        d = u
    lin = torch.nn.Linear(d, n_out)
    layers.append(lin)
    linears.append(lin)
    if args.init != 'torch':
        he = params['activation'] in ('relu', 'elu')
        with torch.no_grad():
            for i, lin in enumerate(linears):
                fan_in, fan_out = lin.in_features, lin.out_features
                hidden = i < len(linears) - 1
                limit = math.sqrt(6 / fan_in) if hidden and he else math.sqrt(6 / (fan_in + fan_out))
                lin.weight.uniform_(-limit, limit)
                if args.init == 'he':
                    lin.bias.zero_()
    return torch.nn.Sequential(*layers), [lin.weight for lin in linears]


def train(params, rows, seed):
    """Trains on `rows`; returns the model in eval mode. Raises Diverged when the loss is not finite."""
    torch.manual_seed(seed)
    m, kernels = build(params)
    wd = params['l2'] if args.l2 == 'torch' else 0.0
    if params['optimizer'] == 'adam':
        opt = torch.optim.Adam(m.parameters(), lr=params['learning_rate'], eps=args.eps, weight_decay=wd)
    else:
        opt = torch.optim.SGD(m.parameters(), lr=params['learning_rate'], momentum=params['momentum'], weight_decay=wd)
    lossf = LOSS[task]()
    bs = params['batch_size']
    g = np.random.default_rng(seed)
    rows_t = torch.from_numpy(rows)
    for _ in range(params['epochs']):
        m.train()
        perm = rows_t[torch.from_numpy(g.permutation(len(rows)))]
        for i in range(0, len(perm), bs):
            b = perm[i:i + bs]
            opt.zero_grad()
            loss = lossf(m(Xt[b]), Y[b])
            if args.l2 == 'lockstep':
                loss = loss + params['l2'] * sum((w * w).sum() for w in kernels)
            loss.backward()
            opt.step()
        # Once a step's loss is NaN or infinite the parameters stay so: the epoch's last loss tells.
        if not math.isfinite(float(loss)):
            raise Diverged()
    m.eval()
    return m


def score(m, rows):
    with torch.no_grad():
        out = m(Xt[torch.from_numpy(rows)])
    y = yraw[rows]
    if task == 'binary':
        return float(((out[:, 0] > 0).numpy().astype(np.float64) == y).mean())
    if task == 'multiclass':
        return float((out.argmax(1).numpy() == y).mean())
    pred = out[:, 0].numpy().astype(np.float64) * ys + ym
    return math.sqrt(float(((y - pred) ** 2).mean()))


def full(params):
    """A flat parameter record as lockstep's space gives it (momentum only with sgd)."""
    p = dict(params)
    p.setdefault('momentum', 0.0)
    p.setdefault('epochs', EPOCHS)
    return p


if args.fixed is not None:
    with open(args.fixed) as f:
        cases = json.load(f)
    results = []
    for c in cases:
        try:
            results.append({'test': score(train(full(c['params']), tr, c['seed']), te)})
        except Diverged:
            results.append({'test': None})
    print(json.dumps({'reference': 'optuna+torch', 'fixed': len(cases), 'results': results}))
    sys.exit(0)

SEED = meta['seed']


def objective(t):
    p = {'layers': t.suggest_int('layers', 1, 3)}
    for l in range(p['layers']):
        p[f'units_{l + 1}'] = t.suggest_int(f'units_{l + 1}', 16, 256, log=True)
    p['activation'] = t.suggest_categorical('activation', ['relu', 'tanh', 'elu'])
    p['dropout'] = t.suggest_float('dropout', 0.0, 0.5)
    p['optimizer'] = t.suggest_categorical('optimizer', ['adam', 'sgd'])
    p['learning_rate'] = t.suggest_float('learning_rate', 1e-4, 1e-1, log=True)
    if p['optimizer'] == 'sgd':
        p['momentum'] = t.suggest_float('momentum', 0.0, 0.99)
    p['batch_size'] = t.suggest_categorical('batch_size', [32, 64, 128, 256])
    p['l2'] = t.suggest_float('l2', 1e-7, 1e-2, log=True)
    return score(train(full(p), tr, 1_000_003 * SEED + t.number), va)


t1 = time.perf_counter()
sampler = optuna.samplers.TPESampler(seed=SEED, n_startup_trials=meta['n_startup_trials'])
st = optuna.create_study(direction='minimize' if task == 'regression' else 'maximize', sampler=sampler)
st.optimize(objective, n_trials=meta['trials'], catch=(Diverged,))
search_s = time.perf_counter() - t1
states = [t.state for t in st.trials]
complete = sum(s == optuna.trial.TrialState.COMPLETE for s in states)
out = {
    'reference': 'optuna+torch',
    'optuna': optuna.__version__,
    'torch': torch.__version__,
    'task': task,
    'trials': len(st.trials),
    'complete': complete,
    'failed': len(states) - complete,
    'import_s': round(IMPORT_S, 3),
    'search_s': round(search_s, 3),
}
if complete == 0:
    out.update({'best_val': None, 'best_params': None, 'test_score': None, 'refit_s': 0})
else:
    best = st.best_trial
    t2 = time.perf_counter()
    try:
        test = score(train(full(best.params), np.concatenate([tr, va]), 1_000_003 * SEED + 999_999), te)
    except Diverged:
        test = None
    out.update({
        'best_val': best.value,
        'best_params': best.params,
        'test_score': test,
        'refit_s': round(time.perf_counter() - t2, 3),
    })
print(json.dumps(out))
