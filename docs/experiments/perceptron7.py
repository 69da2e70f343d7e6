"""What the exact 7-input perceptron shows (issue 21 item 6): rank-frequency, P(K), Levin, against sampling.

    python docs/experiments/perceptron7.py [--members 1000] [--enumerate-below 20000] [--uniform 200000]
                                           [--samples 1e8] [--seed 1] [--threads 2]

Network: the perceptron f(x) = [w . x + b > 0] with 7 inputs in -1/+1, weights and bias uniform on [-1, 1]
(the cube [-1, 1]^8: ``--encoding pm1 --prior uniform --no-fan-in-scaling``). Input: the exact table
``tables/exact_perceptron_n7_cube_orbits.parquet`` (``boolnet exact --n 7 --encoding pm1 --prior uniform
--no-fan-in-scaling --orbits``): 2,470 rows, one per B_8 orbit, with the exact rational probability of each of
the orbit's functions.

* **Rank-frequency.** Orbits sorted by probability (largest first, ties by representative); a function's rank
  is its place among all 8,378,070,864 (an orbit spans ``orbit_size`` consecutive ranks). Exact: the mass held
  by the first r functions, how many functions hold 50%, 90%, 99% of the mass (Fractions), the largest and
  smallest probabilities; the local slope of log10 P against log10 rank per decade of rank, and a least-squares
  Zipf slope over ``--zipf-range`` (log10 P of the staircase at 400 log-spaced ranks).
* **Orbit-invariant measures, exactly.** Per orbit: ``facets`` (irredundant hyperplanes of the chamber);
  ``chow_support`` (non-zero Chow parameters among the 8 coordinates (c_1..c_7, c_0): the relevant variables
  of the self-dual 8-variable function, i.e. relevant_vars(f) + [f not balanced]); ``chow_l1`` (sum of
  |c_j|); ``min_weight`` (the least sum |w_1| + ... + |w_7| + |b| over integer (w, b) with
  F(x)(w . x + b) >= 1 at all 128 inputs, by scipy's MILP: the total weight of the minimal integer
  realisation). P(K) = sum over orbits with that K of orbit_size * probability, in exact rationals.
* **Measures that vary within an orbit** (``lz`` as ``boolnet table`` computes it, ``ones``,
  ``relevant_vars``, ``sensitivity_avg``): each orbit's composition is estimated from ``--members`` members
  drawn uniformly (``SelfDualOrbit.sample_members``; stream ``SeedSequence([seed, 1, orbit index])``), or
  taken from all members when the orbit has at most ``--enumerate-below`` of them (``member_words``). P(K) =
  sum_o orbit_size_o * P_o * (share of o's members at K): exact probabilities times sampled compositions; its
  standard error is the stratified-sampling one, sqrt(sum_o (size_o P_o)^2 q_o (1 - q_o) / m_o) over the
  sampled orbits (q_o the sampled share, m_o the members drawn; 0 for enumerated orbits).
* **Levin fits** (``bn.levin_fit(..., within="ones")`` for each measure) on two frames of distinct
  functions with their exact per-function probability: ``members`` (every orbit with its drawn or listed
  members: the hull sees every orbit) and ``uniform`` (``--uniform`` functions drawn uniformly from all
  8,378,070,864 threshold functions: orbit with probability size / total, then a uniform member; stream
  ``SeedSequence([seed, 2])``), whose Spearman correlations are those of the population of threshold functions.
* **Against sampling.** The sampler that ``boolnet sample --arch 7-1 --encoding pm1 --prior uniform
  --no-fan-in-scaling --samples 1e8 --seed 1`` runs (``sample_counts``; the same counts, which do not depend on
  the threads), kept as packed truth tables (85 million distinct functions would not fit a table of strings).
  Each sampled function is mapped to its orbit by its sorted |Chow parameters| (Chow's theorem; every sampled
  function must be a threshold function). Compared: each orbit's total count with N * size * P (z, chi-square),
  each function's count with N P for the functions with N P >= 10 (z), the distinct functions against their
  expectation, the exact mass of the functions seen against the Good-Turing estimate of the unseen, and the
  Levin fit of the sampled head (count >= 10, probability = count / N, as ``boolnet levin`` would trust it)
  against the same fit with the same functions' exact probabilities.

Writes docs/data/perceptron7_orbits.csv (one row per orbit), perceptron7_pk.csv (P(K) per measure),
perceptron7_levin.csv (fits), perceptron7_rank.csv (rank-frequency: decades, mass quantiles),
perceptron7_summary.csv (every number the docs quote, name/value) and the figures
docs/images/perceptron7_rank.png, perceptron7_pk.png, perceptron7_levin.png, perceptron7_sampler.png.
Deterministic: every stream is seeded from --seed. Time: about 6 minutes on the shared 2-core machine (6.5 GiB
of memory at the peak, most of it the sampler's hash table of 85 million functions).
"""

from __future__ import annotations

import argparse
import math
import os
import time
from fractions import Fraction

import numpy as np

TABLE = "tables/exact_perceptron_n7_cube_orbits.parquet"
N_IN = 7
PRIOR_TEXT = "7-1 perceptron, -1/+1 inputs, w and b uniform on [-1, 1] (cube, no fan-in scaling)"
MEMBER_MEASURES = ["lz", "ones", "relevant_vars", "sensitivity_avg"]
ORBIT_MEASURES = ["facets", "chow_support", "chow_l1", "min_weight"]


def chow_key(magnitudes: np.ndarray) -> np.ndarray:
    """One uint64 per row of |Chow parameters| (m, 8): the sorted magnitudes as base-256 digits (all <= 128)."""
    mags = -np.sort(-np.abs(magnitudes.astype(np.int64)), axis=1)
    key = np.zeros(len(mags), dtype=np.uint64)
    for j in range(mags.shape[1]):
        key = (key << np.uint64(8)) | mags[:, j].astype(np.uint64)
    return key


def chow_from_words(words: np.ndarray) -> np.ndarray:
    """Chow parameters (m, 8) of packed truth tables (m, 2) by popcounts: with F = 2 f - 1 and sum_x x_j = 0,
    c_j = sum_x F(x) x_j = 4 |f AND [x_j = +1]| - 2 |f|, and c_0 = 2 |f| - 128."""
    from boolnet.exact.regions import augmented_inputs
    from boolnet.functions import pack_bits

    masks = pack_bits((augmented_inputs(N_IN, "pm1", True).T > 0).astype(np.uint8))  # (8, 2): x_j = +1
    ones = np.bitwise_count(words).sum(axis=1, dtype=np.int64)
    out = np.empty((len(words), 8), dtype=np.int64)
    for j in range(7):
        out[:, j] = 4 * np.bitwise_count(words & masks[j]).sum(axis=1, dtype=np.int64) - 2 * ones
    out[:, 7] = 2 * ones - 128
    return out


def min_weight(bits: np.ndarray, chow: np.ndarray) -> int:
    """Least |w|_1 + |b| over integer (w, b) realising f with margin 1 (signs those of the Chow parameters)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    from boolnet.exact.regions import augmented_inputs

    a = augmented_inputs(N_IN, "pm1", True).astype(float)  # rows (x, 1)
    sign = np.where(chow > 0, 1.0, np.where(chow < 0, -1.0, 0.0))  # zero Chow: an irrelevant coordinate
    f = 2.0 * bits - 1.0
    # theta_j = sign_j u_j, u_j >= 0 integer: F(x) (a_x . theta) >= 1
    coef = (f[:, None] * a) * sign[None, :]
    res = milp(c=np.ones(8), constraints=LinearConstraint(coef, lb=1.0, ub=np.inf), integrality=np.ones(8),
               bounds=Bounds(np.zeros(8), np.where(sign == 0, 0.0, np.inf)))
    if res.status != 0:
        raise RuntimeError(f"min_weight: milp failed ({res.message})")
    u = np.round(res.x).astype(np.int64)
    assert np.all(f * (a @ (sign * u)) >= 1)
    return int(u.sum())


def load_orbits(log):
    import boolnet as bn
    from boolnet.exact.regions import region
    from boolnet.exact.selfdual import SelfDualOrbit, chow_parameters
    from boolnet.functions import bits_from_string

    table = bn.read_table(TABLE)
    meta = table.attrs["boolnet"]
    orbits, chows, bits_all = [], [], []
    for f in table["function"]:
        bits = bits_from_string(f).astype(np.uint8)
        chow = chow_parameters(bits, N_IN)
        orbits.append(SelfDualOrbit(region(bits, "pm1", True), tuple(int(c) for c in chow)))
        chows.append(chow)
        bits_all.append(bits)
    chows = np.array(chows)
    sizes = np.array([o.size for o in orbits], dtype=np.int64)
    assert np.array_equal(sizes, table["orbit_size"].to_numpy()), "orbit sizes from the Chow parameters disagree"
    table = table.copy()
    table["exact"] = [Fraction(s) for s in table["probability_exact"]]
    total = int(sizes.sum())
    mass = sum(int(s) * p for s, p in zip(sizes, table["exact"]))
    log(f"{len(table)} orbits, {total:,} functions, exact mass {mass}")
    assert total == 8_378_070_864 and mass == 1
    table["chow"] = [" ".join(str(int(c)) for c in ch) for ch in chows]
    table["chow_support"] = (chows != 0).sum(axis=1)
    table["chow_l1"] = np.abs(chows).sum(axis=1)
    t = time.perf_counter()
    table["min_weight"] = [min_weight(b, c) for b, c in zip(bits_all, chows)]
    log(f"minimal integer weights: {time.perf_counter() - t:.0f} s")
    table["key"] = chow_key(chows)
    assert table["key"].is_unique
    return table, orbits, meta


def rank_frequency(table, args, log):
    """Orbits sorted by P (largest first); ranks, mass quantiles, local slopes, the Zipf fit."""
    order = table.sort_values(["probability", "function"], ascending=[False, True]).index.to_numpy()
    t = table.loc[order].reset_index(drop=True)
    sizes = t["orbit_size"].to_numpy()
    last = np.cumsum(sizes)
    t["rank_first"] = last - sizes + 1
    t["rank_last"] = last
    cum = []
    acc = Fraction(0)
    for s, p in zip(sizes, t["exact"]):
        acc += int(s) * p
        cum.append(acc)
    t["cumulative_mass"] = [float(c) for c in cum]
    out = {}
    for q in (Fraction(1, 2), Fraction(9, 10), Fraction(99, 100), Fraction(999, 1000)):
        o = next(i for i, c in enumerate(cum) if c >= q)
        before = cum[o - 1] if o else Fraction(0)
        need = math.ceil((q - before) / t["exact"][o])
        out[f"functions_for_{float(q):g}"] = int(t["rank_first"][o] - 1 + need)
    for r in (1, 10, 100, 10**3, 10**4, 10**5, 10**6, 10**7, 10**8, 10**9):
        o = int(np.searchsorted(last, r))
        before = cum[o - 1] if o else Fraction(0)
        out[f"mass_top_{r:.0e}"] = float(before + (r - (last[o] - sizes[o])) * t["exact"][o])

    def log10p_at(r):
        return np.log10(t["probability"].to_numpy()[np.searchsorted(last, r)])

    decades = []
    for d in range(10):
        lo, hi = 10**d, min(10 ** (d + 1), int(last[-1]))
        decades.append({"rank_low": lo, "rank_high": hi, "log10_p_low_rank": float(log10p_at(lo)),
                        "log10_p_high_rank": float(log10p_at(hi)),
                        "local_slope": float((log10p_at(hi) - log10p_at(lo)) / (math.log10(hi) - math.log10(lo)))})
    lo, hi = args.zipf_range
    r = np.logspace(lo, hi, 400)
    y = log10p_at(r.astype(np.int64))
    slope, intercept = np.polyfit(np.log10(r), y, 1)
    resid = y - (slope * np.log10(r) + intercept)
    out.update(zipf_slope=float(slope), zipf_intercept=float(intercept), zipf_range=f"1e{lo:g}..1e{hi:g}",
               zipf_rms_log10=float(np.sqrt(np.mean(resid**2))))
    log(f"Zipf: slope {slope:.3f} over ranks 1e{lo:g}..1e{hi:g} (rms {out['zipf_rms_log10']:.3f} in log10 P)")
    for k, v in out.items():
        log(f"  {k}: {v}")
    for d in decades:
        log(f"  ranks {d['rank_low']:.0e}..{d['rank_high']:.1e}: local slope {d['local_slope']:.3f}")
    return t, out, decades


def summary_share(count: int, t) -> float:
    return count / float(t.orbit_size.sum())


def draw_members(table, orbits, args, log):
    """Member truth tables per orbit (all, or --members uniform draws), with the measures; one frame."""
    import pandas as pd

    from boolnet.complexity import compute_measures
    from boolnet.functions import pack_bits, strings_from_packed

    words, orbit_idx, enumerated = [], [], np.zeros(len(orbits), bool)
    for i, o in enumerate(orbits):
        if o.size <= args.enumerate_below:
            w = o.member_words()
            enumerated[i] = True
        else:
            rng = np.random.default_rng(np.random.SeedSequence([args.seed, 1, i]))
            w = pack_bits(o.sample_members(args.members, rng))
        words.append(w)
        orbit_idx.append(np.full(len(w), i))
    words = np.concatenate(words)
    orbit_idx = np.concatenate(orbit_idx)
    t = time.perf_counter()
    measures = compute_measures(words, N_IN, MEMBER_MEASURES)
    log(f"members: {len(words):,} rows ({enumerated.sum()} orbits enumerated, "
        f"{int(table.orbit_size[enumerated].sum()):,} functions), measures in {time.perf_counter() - t:.0f} s")
    frame = pd.DataFrame({"orbit": orbit_idx, **{m: np.asarray(measures[m]) for m in MEMBER_MEASURES}})
    frame["function"] = strings_from_packed(words, N_IN)
    return frame, enumerated


def uniform_functions(table, orbits, args, log):
    """--uniform functions drawn uniformly from all threshold functions of 7 inputs, with the measures."""
    import pandas as pd

    from boolnet.complexity import compute_measures
    from boolnet.functions import pack_bits, strings_from_packed

    rng = np.random.default_rng(np.random.SeedSequence([args.seed, 2]))
    sizes = table["orbit_size"].to_numpy()
    picks = rng.choice(len(orbits), size=args.uniform, p=sizes / sizes.sum())
    idx, counts = np.unique(picks, return_counts=True)
    words, orbit_idx = [], []
    for i, c in zip(idx, counts):
        words.append(pack_bits(orbits[i].sample_members(int(c), rng)))
        orbit_idx.append(np.full(c, i))
    words = np.concatenate(words)
    orbit_idx = np.concatenate(orbit_idx)
    measures = compute_measures(words, N_IN, MEMBER_MEASURES)
    frame = pd.DataFrame({"orbit": orbit_idx, **{m: np.asarray(measures[m]) for m in MEMBER_MEASURES}})
    frame["function"] = strings_from_packed(words, N_IN)
    log(f"uniform: {len(frame):,} draws from {len(idx)} orbits")
    return frame


def pk_tables(table, members, enumerated):
    """P(K) per measure: exact for the orbit measures, exact P times sampled composition for the others."""
    import pandas as pd

    rows = []
    sizes = table["orbit_size"].to_numpy()
    total = int(sizes.sum())
    for m in ORBIT_MEASURES:
        for k, grp in table.groupby(m):
            p = sum(int(s) * q for s, q in zip(grp["orbit_size"], grp["exact"]))
            rows.append({"measure": m, "K": float(k), "probability": float(p), "probability_exact": str(p),
                         "se": 0.0, "orbits": len(grp), "functions": float(grp["orbit_size"].sum()),
                         "share_of_functions": float(grp["orbit_size"].sum() / total)})
    weight = (sizes * table["probability"].to_numpy())  # mass of each orbit (float)
    m_o = members.groupby("orbit").size().to_numpy()
    means = {}
    for m in MEMBER_MEASURES:
        share = pd.crosstab(members["orbit"], members[m]).div(m_o, axis=0)   # orbits x K values
        q = share.to_numpy()
        var = np.where(enumerated[:, None], 0.0, q * (1 - q) / m_o[:, None])
        pk = weight @ q
        se = np.sqrt((weight**2) @ var)
        nfun = sizes @ q
        for k, p, s, nf in zip(share.columns, pk, se, nfun):
            rows.append({"measure": m, "K": float(k), "probability": float(p), "probability_exact": "",
                         "se": float(s), "orbits": int((q[:, list(share.columns).index(k)] > 0).sum()),
                         "functions": float(nf), "share_of_functions": float(nf / total)})
        mean_o = members.groupby("orbit")[m].mean().to_numpy()
        var_o = members.groupby("orbit")[m].var(ddof=0).to_numpy()
        var_o = np.where(enumerated, 0.0, var_o / m_o)
        means[m] = {"mean_under_p": float(weight @ mean_o), "mean_under_p_se": float(np.sqrt((weight**2) @ var_o)),
                    "mean_over_functions": float(sizes @ mean_o / total)}
    for m in ORBIT_MEASURES:
        v = table[m].to_numpy(float)
        means[m] = {"mean_under_p": float(weight @ v), "mean_under_p_se": 0.0,
                    "mean_over_functions": float(sizes @ v / total)}
    return pd.DataFrame(rows), means


def levin_frame(table, frame):
    import pandas as pd

    cols = ["probability", *ORBIT_MEASURES]
    df = frame.drop_duplicates("function").merge(table[cols], left_on="orbit", right_index=True, how="left")
    df = pd.DataFrame(df[["function", "probability", "orbit", *MEMBER_MEASURES, *ORBIT_MEASURES]]).reset_index(drop=True)
    df = df.rename(columns={"facets": "chamber_facets"})   # "facets" is a volume-table column, not a measure
    df.attrs["boolnet"] = {}   # every row with P > 0 is used (exact probabilities)
    return df


def fit_rows(df, label, log):
    import boolnet as bn

    rows = []
    for m in ["lz", "relevant_vars", "sensitivity_avg", "chamber_facets", *ORBIT_MEASURES[1:]]:
        rep = bn.levin_fit(df, m, within="ones", progress=False)
        rows.append({"frame": label, "measure": m, "functions": rep.n_used, "hull_a": rep.hull.a,
                     "hull_b": rep.hull.b, "hull_mean_gap_bits": rep.hull.mean_gap,
                     "quantile_a": rep.quantile.a, "quantile_b": rep.quantile.b,
                     "spearman_rho": rep.spearman_rho, "within_ones_rho": rep.within.rho,
                     "within_ones_z": rep.within.z, "within_ones_p": rep.within.p,
                     "informative_strata": rep.within.n_informative})
        log(f"{label:8s} {m:15s} hull a={rep.hull.a:.4f} b={rep.hull.b:.3f} gap={rep.hull.mean_gap:.2f}; "
            f"rho={rep.spearman_rho:+.3f}; within ones rho={rep.within.rho:+.3f} z={rep.within.z:+.1f}")
    return rows


def sample_against_exact(table, args, log):
    """1e8 samples of the sampler, mapped to orbits; per-orbit and per-function comparison with the exact P."""
    import pandas as pd

    from boolnet.priors import Prior
    from boolnet.sampling.sampler import network_of, sample_counts

    n_samples = int(args.samples)
    prior = Prior("uniform", fan_in_scaling=False)
    spec = network_of("7-1", "relu", "pm1", True, prior)
    t, c0 = time.perf_counter(), time.process_time()
    counts, _, _ = sample_counts(spec, prior, samples=n_samples, seed=args.seed, threads=args.threads)
    words, cnt = counts.entries()
    counts.release()
    del counts
    sample_wall, sample_cpu = time.perf_counter() - t, time.process_time() - c0
    log(f"sampled {n_samples:.0e}: {len(words):,} distinct functions in {sample_wall:.0f} s wall, {sample_cpu:.0f} CPU-s")
    assert int(cnt.sum()) == n_samples
    keys = np.empty(len(words), dtype=np.uint64)
    chunk = 1 << 22
    for s in range(0, len(words), chunk):
        keys[s:s + chunk] = chow_key(chow_from_words(words[s:s + chunk]))
    order = np.argsort(table["key"].to_numpy())
    sorted_keys = table["key"].to_numpy()[order]
    pos = np.searchsorted(sorted_keys, keys)
    pos = np.minimum(pos, len(sorted_keys) - 1)
    found = sorted_keys[pos] == keys
    log(f"every sampled function is a threshold function of a known orbit: {bool(found.all())}")
    assert found.all()
    orbit = order[pos]
    del keys, pos, found
    p = table["probability"].to_numpy()
    sizes = table["orbit_size"].to_numpy()
    observed = np.bincount(orbit, weights=cnt, minlength=len(table))
    seen = np.bincount(orbit, minlength=len(table))
    expected = n_samples * sizes * p
    # the orbit totals are multinomial: z with the binomial variance
    z_orbit = (observed - expected) / np.sqrt(expected * (1 - sizes * p))
    big = expected >= 5
    chi2 = float((((observed - expected) ** 2) / expected)[big].sum())
    from scipy import stats

    dof = int(big.sum()) - 1
    chi2_p = float(stats.chi2.sf(chi2, dof))
    expected_seen = sizes * -np.expm1(n_samples * np.log1p(-p))
    seen_mass = float((seen * p).sum())
    singletons = int((cnt == 1).sum())
    # functions with N P >= 10: every one of them, seen or not (unseen: count 0)
    head_orbits = np.flatnonzero(n_samples * p >= 10)
    in_head = np.isin(orbit, head_orbits)
    zf = (cnt[in_head] - n_samples * p[orbit[in_head]]) / np.sqrt(n_samples * p[orbit[in_head]] * (1 - p[orbit[in_head]]))
    head_functions = int(sizes[head_orbits].sum())
    unseen_head = head_functions - int(in_head.sum())
    zf_all = np.concatenate([zf, -np.sqrt(n_samples * p[np.repeat(head_orbits, sizes[head_orbits] - seen[head_orbits])]
                                         / (1 - p[np.repeat(head_orbits, sizes[head_orbits] - seen[head_orbits])]))])
    summary = {
        "samples": n_samples, "sample_seed": args.seed, "sample_wall_seconds": round(sample_wall, 1),
        "sample_cpu_seconds": round(sample_cpu, 1), "distinct_seen": len(words),
        "distinct_expected": float(expected_seen.sum()),
        "distinct_expected_sd": float(np.sqrt((sizes * np.exp(n_samples * np.log1p(-p)) * -np.expm1(n_samples * np.log1p(-p))).sum())),
        "exact_mass_seen": seen_mass, "exact_mass_unseen": 1 - seen_mass,
        "expected_mass_unseen": float((sizes * p * np.exp(n_samples * np.log1p(-p))).sum()),
        "good_turing_unseen": singletons / n_samples, "singletons": singletons,
        "orbits_seen": int((seen > 0).sum()), "orbits_expected_count_ge_5": int(big.sum()),
        "orbit_chi2": chi2, "orbit_chi2_dof": dof, "orbit_chi2_p": chi2_p,
        "orbit_max_abs_z": float(np.abs(z_orbit[big]).max()), "orbit_z_sd": float(z_orbit[big].std()),
        "head_functions_np_ge_10": head_functions, "head_orbits_np_ge_10": len(head_orbits),
        "head_unseen": unseen_head, "head_z_mean": float(zf_all.mean()), "head_z_sd": float(zf_all.std()),
        "head_max_abs_z": float(np.abs(zf_all).max()),
        "head_share_abs_z_gt_3": float((np.abs(zf_all) > 3).mean()),
    }
    for k, v in summary.items():
        log(f"  {k}: {v}")
    per_orbit = pd.DataFrame({"sample_count": observed.astype(np.int64), "sample_expected": expected,
                              "sample_z": z_orbit, "sample_distinct": seen, "sample_distinct_expected": expected_seen})
    # the sampled head: count >= 10 as boolnet levin's trust rule, with the sampled and the exact P
    from boolnet.functions import strings_from_packed

    head = cnt >= 10
    hw, hc, ho = words[head], cnt[head], orbit[head]
    head_frame = pd.DataFrame({"function": strings_from_packed(hw, N_IN), "count": hc, "orbit": ho,
                               "probability_sampled": hc / n_samples, "probability": p[ho]})
    from boolnet.complexity import compute_measures

    ms = compute_measures(hw, N_IN, ["lz", "ones"])
    head_frame["lz"], head_frame["ones"] = np.asarray(ms["lz"]), np.asarray(ms["ones"])
    # the sampled rank-frequency head: the largest counts
    top_counts = np.sort(cnt)[::-1][:2_000_000]
    return per_orbit, summary, head_frame, top_counts


def figures(t, pk, members_df, fit_member, summary, top_counts, n_samples, per_orbit, args):
    from boolnet.plots._figure import pyplot, save

    plt = pyplot()
    log2 = math.log10(2)
    # rank-frequency
    fig, axes = plt.subplots(1, 2, figsize=(13, 5))
    ax = axes[0]
    ranks = np.column_stack([t["rank_first"], t["rank_last"]]).ravel()
    probs = np.repeat(t["probability"].to_numpy(), 2)
    ax.loglog(ranks, probs, "-", color="k", lw=1.4, label="exact (8,378,070,864 functions, 2,470 orbits)")
    if top_counts is not None:
        r = np.arange(1, len(top_counts) + 1)
        ax.loglog(r, top_counts / n_samples, "-", color="tab:orange", lw=1,
                  label=f"sampled, {n_samples:.0e} samples (seed {args.seed}): count / N by sampled rank")
        ax.axhline(1 / n_samples, color="tab:orange", ls=":", lw=0.8, label="1 / N")
    lo, hi = args.zipf_range
    rr = np.logspace(lo, hi, 10)
    ax.loglog(rr, 10 ** (summary["zipf_intercept"] + summary["zipf_slope"] * np.log10(rr)), "--", color="tab:blue",
              lw=1.2, label=f"least squares over ranks 1e{lo:g}..1e{hi:g}: slope {summary['zipf_slope']:.2f}")
    ax.set_xlabel("rank (functions, most probable first)")
    ax.set_ylabel("P(f)")
    ax.set_title("rank-frequency, " + PRIOR_TEXT, fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    ax = axes[1]
    ax.semilogx(t["rank_last"], t["cumulative_mass"], "-", color="k", lw=1.4)
    for q in (0.5, 0.9, 0.99):
        nq = summary[f"functions_for_{q:g}"]
        ax.axhline(q, color="grey", lw=0.6, ls=":")
        ax.plot([nq], [q], "o", color="tab:red", ms=4)
        ax.annotate(f"{q:g} of the mass: {nq:,} functions", (nq, q), xytext=(-8, 4), textcoords="offset points",
                    fontsize=7, ha="right")
    ax.set_xlabel("rank r")
    ax.set_ylabel("mass of the r most probable functions")
    ax.set_title("cumulative mass (exact)", fontsize=9)
    ax.set_ylim(0, 1.02)
    fig.tight_layout()
    save(fig, "docs/images/perceptron7_rank.png", dpi=120)
    plt.close(fig)

    # P(K)
    show = [("lz", "LZ (boolnet's lz)"), ("ones", "number of ones"), ("relevant_vars", "relevant variables"),
            ("facets", "facets of the chamber"), ("chow_support", "non-zero Chow parameters (of 8)"),
            ("min_weight", "minimal integer weight |w|_1 + |b|")]
    fig, axes = plt.subplots(2, 3, figsize=(14, 7.5))
    for ax, (m, label) in zip(axes.ravel(), show):
        d = pk[pk.measure == m].sort_values("K")
        width = np.min(np.diff(d.K)) * 0.8 if len(d) > 1 else 0.8
        ax.bar(d.K, d.probability, width=width, color="tab:blue", label="P(K)",
               yerr=(1.96 * d.se if d.se.max() > 0 else None), ecolor="k", capsize=0, error_kw={"lw": 0.6})
        ax.plot(d.K, d.share_of_functions, "o-", color="tab:orange", ms=2.5, lw=0.8,
                label="share of the threshold functions")
        ax.set_yscale("log")
        ax.set_xlabel(label)
        kind = "exact P x sampled orbit composition, 95% bars" if d.se.max() > 0 else "exact"
        ax.set_title(f"P({m}): {kind}", fontsize=8)
        ax.legend(fontsize=6)
    fig.suptitle("P(K), " + PRIOR_TEXT, fontsize=10)
    fig.tight_layout()
    save(fig, "docs/images/perceptron7_pk.png", dpi=120)
    plt.close(fig)

    # Levin
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.2), gridspec_kw={"width_ratios": [1.35, 1]})
    ax = axes[0]
    y = np.log10(members_df["probability"].to_numpy())
    balance = np.minimum(members_df["ones"], 128 - members_df["ones"]).to_numpy()
    sc = ax.scatter(members_df["lz"], y, c=balance, cmap="viridis", vmin=0, vmax=64, s=3, edgecolors="none", alpha=0.5)
    k = np.linspace(members_df["lz"].min(), members_df["lz"].max(), 50)
    ax.plot(k, (-fit_member["hull_a"] * k - fit_member["hull_b"]) * log2, "k-", lw=1.2,
            label=f"tightest bound: log2 P <= -{fit_member['hull_a']:.3f} K {-fit_member['hull_b']:+.2f}")
    ax.plot(k, (-fit_member["quantile_a"] * k - fit_member["quantile_b"]) * log2, "k--", lw=1,
            label=f"quantile 0.99: a = {fit_member['quantile_a']:.3f}, b = {fit_member['quantile_b']:.2f}")
    ax.axhline(-128 * log2, color="grey", lw=0.8, ls="-.", label="uniform 2^-128")
    ax.set_xlabel("K = LZ complexity")
    ax.set_ylabel("log10 P(f) (exact)")
    ax.set_title(f"{PRIOR_TEXT}\n{len(members_df):,} functions: every orbit, its members listed or "
                 f"{args.members} drawn", fontsize=8)
    ax.legend(fontsize=7, loc="lower left")
    fig.colorbar(sc, ax=ax).set_label("min(ones, 128 - ones)")
    ax = axes[1]
    sc2 = ax.scatter(balance, y, c=members_df["lz"], cmap="plasma", s=3, edgecolors="none", alpha=0.5)
    ax.set_xlabel("min(ones, 128 - ones)")
    ax.set_ylabel("log10 P(f)")
    ax.set_title("the same functions against class balance", fontsize=9)
    fig.colorbar(sc2, ax=ax).set_label("LZ")
    fig.tight_layout()
    save(fig, "docs/images/perceptron7_levin.png", dpi=120)
    plt.close(fig)

    if per_orbit is not None:
        fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
        ax = axes[0]
        e, o = per_orbit["sample_expected"].to_numpy(), per_orbit["sample_count"].to_numpy()
        ax.semilogx(e, o / e - 1, ".", ms=3, color="tab:blue", label="one orbit")
        ee = np.logspace(np.log10(e.min()) - 0.1, np.log10(e.max()) + 0.1, 100)
        for sgn in (-2, 2):
            ax.semilogx(ee, sgn / np.sqrt(ee), "k--", lw=0.8, label="+-2 sd (Poisson)" if sgn > 0 else None)
        ax.axhline(0, color="k", lw=0.6)
        ax.set_xlabel("expected count N * orbit_size * P (exact)")
        ax.set_ylabel("sampled count / expected - 1")
        ax.set_title(f"2,470 orbits: sampled total against exact, N = {n_samples:.0e} (seed {args.seed})", fontsize=9)
        ax.legend(fontsize=7)
        ax = axes[1]
        z = per_orbit["sample_z"].to_numpy()[e >= 5]
        ax.hist(z, bins=50, density=True, color="tab:blue", alpha=0.7, label=f"{len(z)} orbits with expected >= 5")
        zz = np.linspace(-4.5, 4.5, 200)
        ax.plot(zz, np.exp(-zz**2 / 2) / math.sqrt(2 * math.pi), "k-", lw=1, label="standard normal")
        ax.set_xlabel("z = (observed - expected) / sd")
        ax.set_title(f"chi-square {summary['orbit_chi2']:.0f} on {summary['orbit_chi2_dof']} dof "
                     f"(p = {summary['orbit_chi2_p']:.2f})", fontsize=9)
        ax.legend(fontsize=7)
        fig.suptitle("sampler against exact: " + PRIOR_TEXT, fontsize=10)
        fig.tight_layout()
        save(fig, "docs/images/perceptron7_sampler.png", dpi=120)
        plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000, help="members drawn per orbit")
    parser.add_argument("--enumerate-below", type=int, default=20000,
                        help="list every member of orbits with at most this many")
    parser.add_argument("--uniform", type=int, default=200000, help="functions drawn uniformly from all")
    parser.add_argument("--samples", type=float, default=1e8, help="sampler run (0: skip)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--zipf-range", type=float, nargs=2, default=(5.0, 9.0))
    args = parser.parse_args(argv)
    os.environ.setdefault("NUMBA_NUM_THREADS", str(args.threads))
    import pandas as pd

    def log(msg):
        print(msg, flush=True)

    begin = time.perf_counter()
    table, orbits, meta = load_orbits(log)
    summary = {"exact_seconds": meta.get("seconds"), "orbits": len(table),
               "functions": int(table.orbit_size.sum())}
    t, rank_summary, decades = rank_frequency(table, args, log)
    summary.update(rank_summary)
    top, bottom = t.iloc[0], t.iloc[-1]
    pmin = t["probability"].min()
    summary.update(
        p_max_exact=str(top.exact), p_max=float(top.probability), p_max_functions=int(top.orbit_size),
        p_max_chow=top.chow, p_max_facets=int(top.facets),
        p_min_exact=str(bottom.exact), p_min=float(bottom.probability),
        p_min_orbits=int((t.probability == pmin).sum()),
        p_min_functions=int(t.orbit_size[t.probability == pmin].sum()),
        p_min_chows="; ".join(t.chow[t.probability == pmin]), p_min_facets="; ".join(
            str(v) for v in t.facets[t.probability == pmin]),
        p_ratio_max_min=float(top.exact / bottom.exact),
        p_distinct_values=int(t["probability_exact"].nunique()),
        second_exact=str(t.exact[1]), second_functions=int(t.orbit_size[1]), second_chow=t.chow[1],
        third_exact=str(t.exact[2]), third_functions=int(t.orbit_size[2]), third_chow=t.chow[2],
        **{f"share_functions_for_{q:g}": summary_share(rank_summary[f"functions_for_{q:g}"], t)
           for q in (0.5, 0.9, 0.99, 0.999)},
        **{f"top{i + 1}": f"{t.exact[i]} x {int(t.orbit_size[i])} functions, Chow {t.chow[i]}, {int(t.facets[i])} facets, "
           f"ranks {int(t.rank_first[i])}..{int(t.rank_last[i])}, mass {t.exact[i] * int(t.orbit_size[i])}"
           for i in range(6)},
        top4_mass=str(sum(t.exact[i] * int(t.orbit_size[i]) for i in range(4))),
        cliff_ratio_4_to_5=float(t.exact[3] / t.exact[4]),
        fifth_p_orbits=int((t.exact == t.exact[4]).sum()),
        fifth_p_functions=int(t.orbit_size[t.exact == t.exact[4]].sum()),
        min_facets=int(t.facets.min()),
        uniform_over_threshold=1 / float(t.orbit_size.sum()),
        functions_above_uniform=int(t.orbit_size[t.probability > 1 / t.orbit_size.sum()].sum()),
    )

    members, enumerated = draw_members(table, orbits, args, log)
    pk, means = pk_tables(table, members, enumerated)
    for m, d in means.items():
        for k, v in d.items():
            summary[f"{m}_{k}"] = v
        log(f"{m}: mean under P {d['mean_under_p']:.3f} +- {d['mean_under_p_se']:.3f}; over functions "
            f"{d['mean_over_functions']:.3f}")
    summary["members_rows"] = len(members)
    summary["members_enumerated_orbits"] = int(enumerated.sum())
    summary["members_enumerated_functions"] = int(table.orbit_size[enumerated].sum())
    summary["members_enumerated_mass"] = float((table.orbit_size * table.probability)[enumerated].sum())
    lz_pk = pk[pk.measure == "lz"]
    summary["lz_pk_max_se"] = float(lz_pk.se.max())
    summary["lz_values"] = len(lz_pk)
    for k in (7, 21, 35, 49, 63, 77, 91, 105, 119):
        row = lz_pk[np.isclose(lz_pk.K, k)].iloc[0]
        summary[f"lz_pk_over_share_at_{k}"] = float(row.probability / row.share_of_functions)
    low = lz_pk[lz_pk.K <= 49]
    lz_low = members.lz.to_numpy() <= 49
    q_low = pd.Series(lz_low).groupby(members.orbit.to_numpy()).mean().to_numpy()
    w_low = table.orbit_size.to_numpy() * table.probability.to_numpy()
    summary["lz_mass_le_49"] = float(low.probability.sum())
    summary["lz_mass_le_49_se"] = float(np.sqrt(((w_low**2) * np.where(enumerated, 0.0, q_low * (1 - q_low))
                                                 / members.groupby("orbit").size().to_numpy()).sum()))
    summary["lz_share_le_49"] = float(low.share_of_functions.sum())

    uni = uniform_functions(table, orbits, args, log)
    member_df = levin_frame(table, members)
    uni_df = levin_frame(table, uni)
    fits = fit_rows(member_df, "members", log) + fit_rows(uni_df, "uniform", log)
    fit_member = next(r for r in fits if r["frame"] == "members" and r["measure"] == "lz")

    # per-orbit LZ summaries
    grp = members.groupby("orbit")
    table["lz_mean"] = grp["lz"].mean()
    table["lz_min"] = grp["lz"].min()
    table["lz_max"] = grp["lz"].max()
    table["ones_min"] = grp["ones"].min()
    table["members_measured"] = grp.size()
    table["members_enumerated"] = enumerated

    per_orbit, sample_summary, head_frame, top_counts = None, {}, None, None
    n_samples = int(args.samples)
    if n_samples > 0:
        per_orbit, sample_summary, head_frame, top_counts = sample_against_exact(table, args, log)
        for c in per_orbit.columns:
            table[c] = per_orbit[c].to_numpy()
        summary.update(sample_summary)
        # sampled head: Levin with the sampled P and the exact P of the same functions
        import boolnet as bn

        for label, col in (("sampled head, count/N", "probability_sampled"), ("sampled head, exact P", "probability")):
            df = pd.DataFrame({"function": head_frame.function, "probability": head_frame[col],
                               "lz": head_frame.lz, "ones": head_frame.ones})
            df.attrs["boolnet"] = {}
            rep = bn.levin_fit(df, "lz", within="ones", progress=False)
            fits.append({"frame": label, "measure": "lz", "functions": rep.n_used, "hull_a": rep.hull.a,
                         "hull_b": rep.hull.b, "hull_mean_gap_bits": rep.hull.mean_gap,
                         "quantile_a": rep.quantile.a, "quantile_b": rep.quantile.b,
                         "spearman_rho": rep.spearman_rho, "within_ones_rho": rep.within.rho,
                         "within_ones_z": rep.within.z, "within_ones_p": rep.within.p,
                         "informative_strata": rep.within.n_informative})
            log(f"{label}: {rep.n_used} functions, hull a={rep.hull.a:.4f} b={rep.hull.b:.3f}; "
                f"rho={rep.spearman_rho:+.3f}; within ones {rep.within.rho:+.3f} (z {rep.within.z:+.1f})")
        summary["sampled_head_functions"] = len(head_frame)
        summary["sampled_head_orbits"] = int(head_frame.orbit.nunique())
        summary["sampled_head_exact_mass"] = float(head_frame.probability.sum())
        summary["sampled_head_sampled_mass"] = float(head_frame.probability_sampled.sum())
        summary["sampled_head_ones_values"] = int(head_frame.ones.nunique())
        summary["sampled_head_max_balance"] = int(np.minimum(head_frame.ones, 128 - head_frame.ones).max())
        summary["sampled_head_log10_ratio_sd"] = float(np.log10(head_frame.probability_sampled / head_frame.probability).std())
        summary["sampled_head_log10_ratio_mean"] = float(np.log10(head_frame.probability_sampled / head_frame.probability).mean())
    summary["seconds"] = round(time.perf_counter() - begin, 1)

    os.makedirs("docs/data", exist_ok=True)
    cols = ["function", "orbit_size", "probability", "probability_exact", "facets", "chow", "chow_support",
            "chow_l1", "min_weight", "rank_first", "rank_last", "cumulative_mass"]
    out = t.merge(table[["function", "lz_mean", "lz_min", "lz_max", "ones_min", "members_measured",
                         "members_enumerated", *([c for c in per_orbit.columns] if per_orbit is not None else [])]],
                  on="function")
    out[cols + [c for c in out.columns if c not in cols and c not in ("exact", "key", "probability_low",
                                                                      "probability_high")]].to_csv(
        "docs/data/perceptron7_orbits.csv", index=False)
    pk.to_csv("docs/data/perceptron7_pk.csv", index=False)
    pd.DataFrame(fits).to_csv("docs/data/perceptron7_levin.csv", index=False)
    pd.DataFrame(decades).to_csv("docs/data/perceptron7_rank.csv", index=False)
    pd.DataFrame({"name": list(summary), "value": [str(v) for v in summary.values()]}).to_csv(
        "docs/data/perceptron7_summary.csv", index=False)
    figures(t, pk, member_df, fit_member, summary, top_counts, n_samples, per_orbit, args)
    log(f"done in {summary['seconds']:.0f} s")


if __name__ == "__main__":
    main()
