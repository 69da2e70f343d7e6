"""``estimate_table`` and ``evidence``: rare-event estimates of P(f) and P(S) by generalised multilevel splitting.

The engine, the score, the moves and the interval are described in
:mod:`boolnet.estimate.splitting`; this module is the front door: it checks the
options, finds the functions no network of the architecture can compute (reported as
exactly 0), runs independent replicas per function until the relative standard error
reaches ``rel_error`` and builds the table in the one schema (:mod:`boolnet.table.schema`,
``volume_method = "splitting"``).
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from boolnet import __version__
from boolnet.checks import as_prior, check_bool, check_progress, check_real, check_seed, check_threads, check_whole
from boolnet.errors import BoolnetError
from boolnet.estimate.splitting import Splitter, combine_replicas
from boolnet.functions import check_target, check_train
from boolnet.network import NetworkSpec
from boolnet.progress import progress_bar
from boolnet.table.schema import attach

#: Status of a row: estimated (an interval), upper_bound (splitting stalled: probability 0 and probability_high an
#: estimated upper bound), provably_zero (no network of the architecture computes f) or approximation (EP: no interval).
STATUSES = ("estimated", "upper_bound", "provably_zero", "approximation")
#: Seed-sequence tag of the evidence's stream (functions use ``[seed, index]``).
_EVIDENCE_TAG = 1
#: The most replicas one estimate may use.
MAX_REPLICAS = 4096


# ----------------------------------------------------------------------------------------------- zeros
def _perceptron_like(spec: NetworkSpec) -> bool:
    """Networks that compute exactly the threshold functions of a perceptron with the same bias option."""
    return spec.arch.is_perceptron or spec.activation == "linear"


def _lp_feasible(spec: NetworkSpec, rows: np.ndarray, bits: np.ndarray) -> bool:
    """Some perceptron agrees with ``bits`` on ``rows``: the cone ``a_i.theta >= 1`` (f_i = 1), ``<= 0`` (f_i = 0)."""
    from scipy.optimize import linprog

    n = spec.arch.n
    shifts = np.arange(n - 1, -1, -1, dtype=np.int64)
    a = ((rows[:, None] >> shifts[None, :]) & 1).astype(np.float64)
    if spec.pm1:
        a = 2 * a - 1
    if spec.bias:
        a = np.hstack([a, np.ones((a.shape[0], 1))])
    if a.shape[1] == 0:
        return not bits.any()
    sign = np.where(bits == 1, -1.0, 1.0)  # -a.theta <= -1 for ones, a.theta <= 0 for zeros
    rhs = np.where(bits == 1, -1.0, 0.0)
    res = linprog(np.zeros(a.shape[1]), A_ub=sign[:, None] * a, b_ub=rhs, bounds=[(None, None)] * a.shape[1],
                  method="highs")
    return res.status == 0


def provably_zero(spec: NetworkSpec, rows: np.ndarray, bits: np.ndarray) -> str | None:
    """Why no network of ``spec`` agrees with ``bits`` on the inputs ``rows`` (None when one may).

    * no bias and 0/1 inputs: input 0 gives every unit the pre-activation 0, and the
      output 0, so ``f(0) = 1`` is impossible;
    * no bias, -1/+1 inputs and an odd network (a perceptron, or tanh, sign, linear units):
      ``z(-x) = -z(x)``, so ``f(x) = f(~x) = 1`` is impossible and ``f(x) = f(~x) = 0``
      needs ``z(x) = 0``, which has prior probability 0;
    * perceptrons (and linear networks, which compute the same functions): the exact
      region's feasibility (:func:`boolnet.exact.regions.region`) for whole truth tables,
      a linear program over the same cone for a training set.
    """
    rows = np.asarray(rows, dtype=np.int64)
    bits = np.asarray(bits, dtype=np.uint8)
    N = 1 << spec.arch.n
    if not spec.bias and not spec.pm1 and np.any((rows == 0) & (bits == 1)):
        return "no bias and 0/1 inputs: input 0 always gives output 0"
    odd = spec.arch.is_perceptron or spec.activation in ("tanh", "sign", "linear")
    if not spec.bias and spec.pm1 and odd:
        full = np.full(N, 2, dtype=np.int64)
        full[rows] = bits
        pair = full[::-1]  # input ~i is row N - 1 - i
        if np.any((full < 2) & (pair < 2) & (full == pair)):
            return ("no bias, -1/+1 inputs, odd network: z(not x) = -z(x), so f(x) = f(not x) = 1 is impossible "
                    "and f(x) = f(not x) = 0 needs z(x) = 0, a null set")
    if _perceptron_like(spec):
        if rows.size == N and np.array_equal(rows, np.arange(N)):
            from boolnet.exact.regions import region

            if not region("".join(map(str, bits.tolist())), spec.encoding, spec.bias).feasible:
                return "not a threshold function of these inputs (exact region infeasible)"
        elif not _lp_feasible(spec, rows, bits):
            return "no threshold function agrees with these values (linear program infeasible)"
    return None


# ---------------------------------------------------------------------------------------------- options
#: Methods of the infinite-width limit (``N-inf-...-1``): Botev's minimax tilting (an interval) or EP (none).
LIMIT_METHODS = ("tilting", "ep")
#: Importance samples one limit estimate may use.
MAX_TILTING_SAMPLES = 10**7


def _method(method, limit: bool, arch) -> str:
    if method is None:
        return "tilting" if limit else "splitting"
    allowed = LIMIT_METHODS if limit else ("splitting",)
    if not isinstance(method, str) or method not in allowed:
        what = (f"{arch} is the infinite-width limit: use 'tilting' (minimax-tilting importance sampling, with an "
                "interval) or 'ep' (expectation propagation, the papers' approximation, no interval)") if limit else (
            f"{arch} has finite widths: its method is 'splitting' (tilting and ep are for the infinite-width "
            "limit, e.g. 7-inf-inf-1)")
        raise BoolnetError(f"method {method!r} is not available: {what}", param="method")
    return method


def _options(arch, activation, prior, encoding, bias, seed, rel_error, particles, replicas, max_replicas, moves,
             patience, floor, threads, unit_moves, method=None) -> dict:
    from boolnet.network import parse_arch

    bias = check_bool(bias, "bias")
    prior = as_prior(prior)
    parsed = parse_arch(arch)
    method = _method(method, parsed.is_limit, parsed)
    if parsed.is_limit:
        from boolnet.nngp.process import LimitNetwork

        net = LimitNetwork(parsed, activation, encoding, bias, prior)
        net.require_gaussian("an estimate")
        return {"spec": net, "prior": prior, "limit": True,
                "method": method, "seed": check_seed(seed),
                "rel_error": check_real(rel_error, "rel_error", low=0, high=10, low_open=True),
                "threads": check_threads(threads)}
    spec = NetworkSpec(parsed, activation, encoding, bias)
    scales = spec.parameter_scales(prior).astype(np.float64)  # checks per-layer sigmas against the layers
    replicas = check_whole(replicas, "replicas", low=2, high=MAX_REPLICAS)
    max_replicas = replicas if max_replicas is None else check_whole(max_replicas, "max_replicas", low=2,
                                                                     high=MAX_REPLICAS)
    if max_replicas < replicas:
        raise BoolnetError(f"max_replicas ({max_replicas}) must be >= replicas ({replicas})", param="max_replicas")
    return {
        "spec": spec, "prior": prior, "scales": scales,
        "seed": check_seed(seed),
        "rel_error": check_real(rel_error, "rel_error", low=0, high=10, low_open=True),
        "particles": check_whole(particles, "particles", low=4, high=10**6),
        "replicas": replicas, "max_replicas": max_replicas,
        "moves": check_whole(moves, "moves", low=1, high=10**4),
        "unit_moves": check_whole(unit_moves, "unit_moves", low=0, high=10**4),
        "patience": check_whole(patience, "patience", low=1, high=10**6),
        "floor": check_real(floor, "floor", low=0, high=1, low_open=True, high_open=True),
        "threads": check_threads(threads),
        "limit": False,
        "method": method,
    }


def _check_functions(functions, n: int) -> list[str]:
    if isinstance(functions, str):
        functions = [functions]
    try:
        items = list(functions)
    except TypeError:
        raise BoolnetError(f"functions must be a truth table or a list of them, got {functions!r}",
                           param="functions") from None
    if not items:
        raise BoolnetError("functions is empty: give at least one truth table", param="functions")
    out = []
    for i, f in enumerate(items):
        text = str(f).strip()
        if not text or any(c not in "01" for c in text) or len(text) != 1 << n:
            shown = text if len(text) <= 40 else text[:37] + "..."
            raise BoolnetError(f"functions: {shown!r} (item {i + 1}) is not a truth table of this network: give "
                               f"{1 << n} characters 0/1", param="functions")
        out.append(text)
    if len(set(out)) != len(out):
        dup = next(f for f in out if out.count(f) > 1)
        raise BoolnetError(f"functions lists {dup[:40]!r} twice: give each function once", param="functions")
    return out


# ----------------------------------------------------------------------------------------------- engine
def _limit_one(o: dict, rows: np.ndarray, bits: np.ndarray, entropy: list[int]) -> dict:
    """P(the Gaussian process's signs agree with ``bits`` on ``rows``): tilting (with an interval) or EP."""
    from boolnet.nngp.orthant import orthant_ep, orthant_tilting
    from boolnet.nngp.process import reduce_kernel

    begin = time.perf_counter()
    net = o["spec"]
    red = reduce_kernel(net.kernel[np.ix_(rows, rows)])
    signs = red.signs(bits)
    if signs is None:
        reason = ("an input whose pre-activation is 0 in every network must map to 0, and inputs with equal or "
                  "opposite pre-activations in every network (correlation +-1) must agree or differ")
        return {"probability": 0.0, "low": 0.0, "high": 0.0, "status": "provably_zero", "rel_error": 0.0,
                "levels": float("nan"), "replicas": 0, "evaluations": 0, "seconds": time.perf_counter() - begin,
                "reason": reason}
    if o["method"] == "ep":
        r = orthant_ep(red.kernel, signs)
        p = math.exp(r["log_probability"])
        return {"probability": p, "low": float("nan"), "high": float("nan"), "status": "approximation",
                "rel_error": float("nan"), "levels": float("nan"), "replicas": 0,
                "evaluations": int(r.get("iterations", 0)), "seconds": time.perf_counter() - begin, "reason": None}
    seed = int.from_bytes(np.random.SeedSequence(entropy).generate_state(4, np.uint32).tobytes(), "little")
    r = orthant_tilting(red.kernel, signs, seed=seed, rel_error=1.96 * o["rel_error"],
                        max_samples=MAX_TILTING_SAMPLES)
    if r["status"] == "empty":  # a singular kernel whose sign pattern no vector meets (a linear program says so)
        return {"probability": 0.0, "low": 0.0, "high": 0.0, "status": "provably_zero", "rel_error": 0.0,
                "levels": float("nan"), "replicas": 0, "evaluations": 0, "seconds": time.perf_counter() - begin,
                "reason": "the kernel is singular and no pre-activation vector in its range has these signs"}
    status = "upper_bound" if r["status"] == "upper_bound" else "estimated"
    return {"probability": r["probability"], "low": r["probability_low"], "high": r["probability_high"],
            "status": status, "rel_error": r["rel_error"], "levels": float("nan"), "replicas": 0,
            "evaluations": r["samples"], "seconds": time.perf_counter() - begin, "reason": None}


def _estimate_one(o: dict, rows: np.ndarray, bits: np.ndarray, entropy: list[int]) -> dict:
    """Splitting estimate of P(network agrees with ``bits`` on ``rows``), seeded by ``entropy``."""
    if o["limit"]:
        return _limit_one(o, rows, bits, entropy)
    begin = time.perf_counter()
    reason = provably_zero(o["spec"], rows, bits)
    if reason is not None:
        return {"probability": 0.0, "low": 0.0, "high": 0.0, "status": "provably_zero", "rel_error": 0.0,
                "levels": 0.0, "replicas": 0, "evaluations": 0, "seconds": time.perf_counter() - begin,
                "reason": reason}
    rng = np.random.default_rng(np.random.SeedSequence(entropy))
    splitter = Splitter(o["spec"], o["scales"], o["prior"].kind == "gaussian", rows, bits,
                        particles=o["particles"], moves=o["moves"], patience=o["patience"], floor=o["floor"],
                        unit_moves=o["unit_moves"])
    est, up, lev = [], [], []
    while True:
        out = splitter.run(rng, o["replicas"])
        est.append(out["log_estimate"]), up.append(out["log_upper"]), lev.append(out["levels"])
        c = combine_replicas(np.concatenate(est), np.concatenate(up))
        done = sum(map(len, est))
        if c["bound"] or c["rel_error"] <= o["rel_error"] or done + o["replicas"] > o["max_replicas"]:
            break
    return {"probability": c["probability"], "low": c["low"], "high": c["high"],
            "status": "upper_bound" if c["bound"] else "estimated", "rel_error": c["rel_error"],
            "levels": float(np.concatenate(lev).mean()), "replicas": done, "evaluations": splitter.evaluations,
            "seconds": time.perf_counter() - begin, "reason": None}


def _run_all(o: dict, jobs: list, progress: bool, desc: str) -> list[dict]:
    """``_estimate_one`` of every ``(rows, bits, entropy)`` job, on ``o["threads"]`` threads, in job order."""

    results = [None] * len(jobs)
    with progress_bar(total=len(jobs), disable=not progress, unit="fn", desc=desc, leave=False) as bar:
        if o["threads"] == 1 or len(jobs) == 1:
            for i, job in enumerate(jobs):
                results[i] = _estimate_one(o, *job)
                bar.update()
        else:
            with ThreadPoolExecutor(max_workers=o["threads"]) as pool:
                futures = {pool.submit(_estimate_one, o, *job): i for i, job in enumerate(jobs)}
                from concurrent.futures import as_completed

                for future in as_completed(futures):
                    results[futures[future]] = future.result()
                    bar.update()
    return results


def _limit_metadata(o: dict, begin: float, volume_seconds: float, evaluations: int) -> dict:
    net = o["spec"]
    tilting = o["method"] == "tilting"
    return {
        "command": "estimate",
        "volume_method": "minimax_tilting" if tilting else "ep",
        "n": net.arch.n,
        "architecture": str(net.arch),
        "activation": net.activation,
        **o["prior"].metadata(),
        "encoding": net.encoding,
        "bias": net.bias,
        "kernel": "NNGP (infinite-width limit)",
        "seed": o["seed"],
        "rel_error": o["rel_error"],
        "threads": o["threads"],
        "method": ("Botev (2017) minimax-tilting importance sampling of the orthant probability of the NNGP kernel "
                   "(free inputs only)") if tilting else (
            "expectation propagation with step-function sites (the approximation of Valle-Perez et al. 2018): "
            "no interval"),
        "ci": ("95%: mean of the importance weights -+ 1.96 standard errors, capped by exp(psi*)" if tilting
               else "none (EP is an approximation without an error estimate)"),
        "seconds": time.perf_counter() - begin,
        "volume_seconds": volume_seconds,
        "per_second": evaluations / volume_seconds if volume_seconds > 0 and tilting else None,
        "unit": "importance samples" if tilting else "EP sweeps",
        "boolnet_version": __version__,
    }


def _metadata(o: dict, begin: float, volume_seconds: float, evaluations: int) -> dict:
    if o["limit"]:
        return _limit_metadata(o, begin, volume_seconds, evaluations)
    spec = o["spec"]
    return {
        "command": "estimate",
        "volume_method": "splitting",
        "n": spec.arch.n,
        "architecture": str(spec.arch),
        "activation": spec.activation if spec.arch.hidden else "none (perceptron)",
        **o["prior"].metadata(),
        "encoding": spec.encoding,
        "bias": spec.bias,
        "seed": o["seed"],
        "rel_error": o["rel_error"],
        "particles": o["particles"],
        "replicas": o["replicas"],
        "max_replicas": o["max_replicas"],
        "moves": o["moves"],
        "unit_moves": o["unit_moves"],
        "patience": o["patience"],
        "floor": o["floor"],
        "threads": o["threads"],
        "kill_fraction": 0.5,
        "method": "generalised adaptive multilevel splitting (Brehier et al. 2016): half the particles killed per "
                  "level (all tied ones), pCN moves (gaussian) or reflected random walk (uniform)",
        "ci": "95%: Cox interval of the log-normal mean over replicas (t-interval of the estimates when some are 0)",
        "arithmetic": "float64: NumPy, or the numba kernel for hidden layers of 16 units or more",
        "seconds": time.perf_counter() - begin,
        "volume_seconds": volume_seconds,
        "per_second": evaluations / volume_seconds if volume_seconds > 0 else None,
        "unit": "network evaluations",
        "boolnet_version": __version__,
    }


def estimate_table(arch, functions=None, *, activation: str = "relu", prior=None, encoding: str = "01",
                   bias: bool = True, seed: int = 0, rel_error: float = 0.25, particles: int = 200,
                   replicas: int = 8, max_replicas: int | None = 64, moves: int = 10, patience: int = 100,
                   floor: float = 1e-300, threads: int | None = None, progress: bool | None = None, target=None,
                   train=None, unit_moves: int = 40, method: str | None = None) -> pd.DataFrame:
    """P(f) of chosen functions, far below what sampling sees, by generalised multilevel splitting.

    Parameters
    ----------
    arch : str or Architecture
        ``"N-H1-...-1"`` (``"N-1"``: a perceptron), ``1 <= N <= 7``; hidden widths ``inf``
        (``"7-inf-inf-1"``) estimate the infinite-width limit as a Gaussian orthant
        probability of the NNGP kernel (``method``; the splitting options do not apply).
    functions : str or sequence of str
        Truth tables of ``2**N`` characters (character ``i`` is ``f(input i)``). With
        ``train``, every one must agree with ``target`` on ``train``; default ``[target]``.
    activation, prior, encoding, bias
        As everywhere in boolnet (README, Conventions); per-layer sigmas are accepted.
    seed : int
        Function ``k`` (0-based position in ``functions``) draws from
        ``numpy.random.SeedSequence([seed, k])``: the table depends only on the options
        and the seed, never on ``threads``.
    rel_error : float
        Replicas are added, ``replicas`` at a time, until the relative standard error
        of the estimate is at most this (or ``max_replicas`` are used).
    particles : int
        Population of each replica (half of it is killed per level).
    replicas, max_replicas : int
        Independent replicas per batch, and at most (``None``: one batch).
    moves : int
        Metropolis moves of each copied particle per level and layer block.
    unit_moves : int
        Proposals per level and hidden layer that redraw one hidden unit from the prior
        (networks with hidden layers; 0 turns them off).
    patience : int
        A replica stalls when its best agreement count has not improved for this many levels.
    floor : float
        A replica stalls when its running estimate falls below this.
    threads : int or None
        Functions estimated at once (default: one per core).
    progress : bool
        A tqdm bar on stderr. Default None: shown where someone is watching (a notebook, or stderr a
        terminal); False silences it (:mod:`boolnet.progress`).
    target, train
        The evidence: with a training set ``train`` (input indices) of ``target``, the
        table is the posterior ``P_B(f | S) = P(f) / P(S)`` (see Returns).
    method : {None, "splitting", "tilting", "ep"}
        Default: ``"splitting"`` for finite networks, ``"tilting"`` for the limit (Botev's
        minimax-tilting importance sampling, :func:`boolnet.nngp.orthant.orthant_tilting`,
        with a 95% interval whose half-width is about ``1.96 rel_error``); ``"ep"``:
        expectation propagation as the papers used it (:func:`boolnet.nngp.orthant.orthant_ep`;
        ``status = "approximation"``, no interval: the bounds are NaN).

    Returns
    -------
    pandas.DataFrame
        ``function, probability, probability_low, probability_high`` (95% interval),
        ``status`` (``estimated``; ``upper_bound``: splitting stalled, probability 0 and
        ``probability_high`` an estimated upper bound; ``provably_zero``: no network of
        the architecture computes f, all three 0), and the work: ``levels`` (mean per
        replica), ``replicas``, ``evaluations`` (networks evaluated), ``rel_error``
        (relative standard error reached), ``seconds``. Metadata (``attrs["boolnet"]``):
        ``volume_method = "splitting"`` and every option. With ``train``: the
        probability columns are ``P_B(f | S)`` (low = P_low(f) / P_high(S), high =
        P_high(f) / P_low(S)), the prior's are ``prior_probability, prior_low,
        prior_high``, ``test_error`` is added, and the metadata carries ``evidence``,
        ``evidence_low``, ``evidence_high``, ``target``, ``train``, ``train_size`` and
        ``conditioned_on_train = True``.

    Raises
    ------
    BoolnetError
        Bad options (named), truth tables of the wrong length, or with ``train`` a
        function that disagrees with ``target`` on it, or ``P(S) = 0``.

    Examples
    --------
    >>> df = estimate_table("2-1", ["0001", "0110"], seed=1)
    >>> df[["function", "status"]].values.tolist()
    [['0001', 'estimated'], ['0110', 'provably_zero']]
    >>> bool(0.013 < df["probability"].iloc[0] < 0.02)   # exact: 0.016403 (tables/perceptron_n2_gaussian.csv)
    True
    """
    begin = time.perf_counter()
    o = _options(arch, activation, prior, encoding, bias, seed, rel_error, particles, replicas, max_replicas,
                 moves, patience, floor, threads, unit_moves, method)
    n = o["spec"].arch.n
    progress = check_progress(progress)
    conditioned = train is not None or target is not None
    if conditioned:
        if target is None or train is None:
            raise BoolnetError("the evidence needs both target and train (a truth table and its training inputs)",
                               param="train" if train is None else "target")
        target = check_target(target, n)
        train = check_train(train, n)
        if functions is None:
            functions = [target]
    elif functions is None:
        raise BoolnetError("functions is missing: give the truth tables to estimate", param="functions")
    functions = _check_functions(functions, n)
    rows = np.arange(1 << n, dtype=np.int64)
    if conditioned:
        for f in functions:
            if any(f[i] != target[i] for i in train):
                raise BoolnetError(f"function {f[:40]!r} disagrees with target on the training inputs: P_B(f | S) = 0; "
                                   "give functions that fit S", param="functions")
    jobs = [(rows, np.frombuffer(f.encode(), dtype=np.uint8) - 48, [o["seed"], k]) for k, f in enumerate(functions)]
    vbegin = time.perf_counter()
    results = _run_all(o, jobs, progress, "estimate")
    ev = None
    if conditioned:
        ev = _evidence_of(o, target, train, progress)
    volume_seconds = time.perf_counter() - vbegin
    evaluations = sum(r["evaluations"] for r in results) + (ev["evaluations"] if ev else 0)
    df = pd.DataFrame({
        "function": functions,
        "probability": [r["probability"] for r in results],
        "probability_low": [r["low"] for r in results],
        "probability_high": [r["high"] for r in results],
        "status": [r["status"] for r in results],
        "levels": [r["levels"] for r in results],
        "replicas": [r["replicas"] for r in results],
        "evaluations": [r["evaluations"] for r in results],
        "rel_error": [r["rel_error"] for r in results],
        "seconds": [r["seconds"] for r in results],
    })
    meta = _metadata(o, begin, volume_seconds, evaluations)
    if conditioned:
        df, meta = _posterior(df, meta, ev, target, train)
    meta["seconds"] = time.perf_counter() - begin
    return attach(df, meta)


def _evidence_of(o: dict, target: str, train: list[int], progress: bool) -> dict:
    rows = np.asarray(train, dtype=np.int64)
    bits = np.frombuffer(target.encode(), dtype=np.uint8)[rows] - 48
    return _run_all(o, [(rows, bits, [o["seed"], 0, _EVIDENCE_TAG])], progress, "evidence")[0]


def _posterior(df: pd.DataFrame, meta: dict, ev: dict, target: str, train: list[int]):
    if ev["probability"] <= 0:
        what = ("provably 0: " + ev["reason"]) if ev["status"] == "provably_zero" else (
            f"below the reach of splitting (upper bound {ev['high']:.3g})")
        raise BoolnetError(f"P(S) is {what}: no network fits the training set, so P_B(f | S) is undefined",
                           param="train")
    p_s, lo_s, hi_s = ev["probability"], ev["low"], ev["high"]
    prior = df[["probability", "probability_low", "probability_high"]].to_numpy(dtype=np.float64)
    df = df.rename(columns={"probability": "prior_probability", "probability_low": "prior_low",
                            "probability_high": "prior_high"})
    df.insert(1, "probability", np.minimum(prior[:, 0] / p_s, 1.0))
    df.insert(2, "probability_low", np.minimum(prior[:, 1] / hi_s, df["probability"]))
    df.insert(3, "probability_high", np.minimum(np.maximum(prior[:, 2] / lo_s if lo_s > 0 else 1.0,
                                                           df["probability"]), 1.0))
    test = np.setdiff1d(np.arange(len(target)), train)
    tb = np.frombuffer(target.encode(), dtype=np.uint8)[test]
    df["test_error"] = [int(np.count_nonzero(np.frombuffer(f.encode(), dtype=np.uint8)[test] != tb))
                        for f in df["function"]]
    meta.update({"target": target, "train": [int(i) for i in train], "train_size": len(train),
                 "conditioned_on_train": True, "evidence": p_s, "evidence_low": lo_s, "evidence_high": hi_s,
                 "evidence_status": ev["status"], "evidence_rel_error": ev["rel_error"],
                 "evidence_evaluations": ev["evaluations"]})
    return df, meta


def evidence(arch, target, train, *, activation: str = "relu", prior=None, encoding: str = "01", bias: bool = True,
             seed: int = 0, rel_error: float = 0.25, particles: int = 200, replicas: int = 8,
             max_replicas: int | None = 64, moves: int = 10, patience: int = 100, floor: float = 1e-300,
             threads: int | None = None, progress: bool | None = None, unit_moves: int = 40,
             method: str | None = None) -> dict:
    """``P(S)``: the prior mass of the networks that agree with ``target`` on the training inputs ``train``.

    The estimator of :func:`estimate_table`, with margins only on ``S`` (seeded by
    ``SeedSequence([seed, 0, 1])``, the stream ``estimate_table(..., train=S)`` uses).

    Returns
    -------
    dict
        ``evidence``, ``evidence_low``, ``evidence_high`` (95%), ``status`` (as in
        :func:`estimate_table`; ``provably_zero`` gives 0, 0, 0), ``rel_error``,
        ``levels``, ``replicas``, ``evaluations``, ``seconds``, ``train_size``.

    Examples
    --------
    AND on two of its inputs: the perceptron must output 0 on input 0 and 1 on input 3.

    >>> e = evidence("2-1", "0001", [0, 3], seed=1)
    >>> bool(e["evidence_low"] <= e["evidence"] <= e["evidence_high"]), e["status"]
    (True, 'estimated')
    >>> evidence("2-1", "0110", [0, 1, 2, 3])["status"]         # XOR on all four inputs
    'provably_zero'
    """
    o = _options(arch, activation, prior, encoding, bias, seed, rel_error, particles, replicas, max_replicas,
                 moves, patience, floor, threads, unit_moves, method)
    n = o["spec"].arch.n
    target = check_target(target, n)
    train = check_train(train, n)
    ev = _evidence_of(o, target, train, check_progress(progress))
    return {"evidence": ev["probability"], "evidence_low": ev["low"], "evidence_high": ev["high"],
            "status": ev["status"], "rel_error": ev["rel_error"], "levels": ev["levels"], "replicas": ev["replicas"],
            "evaluations": ev["evaluations"], "seconds": ev["seconds"], "train_size": len(train)}


def pac_bayes_bound(evidence, m, delta: float = 0.05) -> float:
    """The realisable-case PAC-Bayes bound (McAllester) on the expected error of the posterior restricted to S.

    Valle-Pérez, Camargo & Louis (2018, "Deep learning generalizes because the
    parameter-function map is biased towards simple functions") apply McAllester's
    bound to the Bayesian posterior conditioned on zero training error over ``m``
    i.i.d. examples: with probability ``1 - delta``,
    ``-ln(1 - eps) <= (ln(1 / P(S)) + ln(2 m / delta)) / (m - 1)``, where ``P(S)``
    is the evidence. Returns ``eps = 1 - exp(-(ln(1/P(S)) + ln(2m/delta)) / (m - 1))``.

    Parameters
    ----------
    evidence : float
        ``P(S)`` in ``(0, 1]`` (e.g. :func:`evidence`'s ``evidence``, or its
        ``evidence_low`` for a bound that holds with the estimate's uncertainty too).
    m : int
        Training set size, ``>= 2``.
    delta : float
        Confidence parameter in ``(0, 1)``.

    Examples
    --------
    By hand for ``P(S) = 1e-10``, ``m = 100``, ``delta = 0.05``: ``ln(1e10) = 23.0259``,
    ``ln(2 * 100 / 0.05) = ln 4000 = 8.2940``, their sum over 99 is 0.31636, and
    ``1 - exp(-0.31636) = 0.2712``:

    >>> round(pac_bayes_bound(1e-10, 100), 4)
    0.2712
    >>> round(pac_bayes_bound(1.0, 2, delta=0.5), 4)    # ln(8) = 2.0794: 1 - exp(-2.0794) = 1 - 1/8
    0.875
    """
    p = check_real(evidence, "evidence", low=0, high=1, low_open=True)
    m = check_whole(m, "m", low=2)
    delta = check_real(delta, "delta", low=0, high=1, low_open=True, high_open=True)
    return -math.expm1(-(math.log(1.0 / p) + math.log(2.0 * m / delta)) / (m - 1))
