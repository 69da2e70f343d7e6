"""Tables of the exact perceptron engine: regions of every function, exact volumes.

These are the Python API behind ``boolnet regions`` and ``boolnet exact``.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from boolnet.exact.enumeration import MAX_EXACT_N, Orbit, threshold_orbits
from boolnet.exact.regions import Region, region
from boolnet.exact.volumes import probabilities, scale_ratio
from boolnet.functions import check_encoding, check_n, strings_from_packed
from boolnet.errors import Interrupted
from boolnet.priors import Prior
from boolnet.table.schema import attach, bounds_from_error, order_columns
from boolnet.signals import StopSignals

#: ``regions`` lists every one of the 2**(2**n) functions up to this n, and the feasible ones above it.
MAX_ALL_FUNCTIONS_N = 4
#: Largest n for ``regions`` (``exact`` goes to MAX_EXACT_N = 6: 15,028,134 functions).
MAX_REGIONS_N = 5


#: Orbits whose volumes are computed in one batch (Gaussian cones of a batch share the cores).
VOLUME_BATCH = 128


def _orbit_volumes(orbits: list[Orbit], prior: Prior, desc: str, progress: bool):
    """Yield (orbit, (p, p_exact, err)) for every orbit, computing volumes in batches.

    Ctrl-C and SIGTERM stop between batches (raising :class:`~boolnet.errors.Interrupted`):
    the Gaussian batches run in parallel numba kernels, which a signal must not interrupt.
    """
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(orbits), desc=desc, unit=" orbit", leave=False)
    try:
        with StopSignals() as stop:
            for start in range(0, len(orbits), VOLUME_BATCH):
                batch = orbits[start:start + VOLUME_BATCH]
                results = probabilities([o.representative for o in batch], prior)
                if bar is not None:
                    bar.update(len(batch))
                yield from zip(batch, results)
                if stop.signal_name is not None and start + VOLUME_BATCH < len(orbits):
                    raise Interrupted(f"stopped by {stop.signal_name} after the volumes of "
                                      f"{start + len(batch)} of {len(orbits)} symmetry orbits",
                                      done=start + len(batch), total=len(orbits), signal_name=stop.signal_name)
    finally:
        if bar is not None:
            bar.close()


def exact_table(
    n: int,
    prior: Prior | None = None,
    encoding: str = "01",
    bias: bool = True,
    progress: bool = False,
    orbits_only: bool = False,
) -> pd.DataFrame:
    """Exact probability of every function a perceptron computes with positive volume.

    Parameters
    ----------
    n : int
        Number of inputs, 1 <= n <= 6 (n = 6 takes minutes under the cube prior and far longer
        otherwise: timings in docs/exact.md).
    prior : Prior, optional
        Default: the gaussian prior with fan-in scaling, sigma_w = sigma_b = 1.
    encoding : {"01", "pm1"}
    bias : bool
    progress : bool
        Progress bars on stderr.
    orbits_only : bool
        One row per symmetry orbit (its lexicographically smallest member) with an ``orbit_size``
        column instead of one row per function: compact for n = 6.

    Returns
    -------
    pandas.DataFrame
        A volume table (:mod:`boolnet.table.schema`), one row per function, most probable first:
        ``function``, ``probability`` (float), ``probability_low``/``probability_high`` (equal
        to it for exact rationals, else ``probability -+`` the quadrature's error bound),
        ``probability_exact`` (fraction string; only under a uniform prior with a rational
        box), ``facets`` (irredundant half-spaces), ``orbit`` (lexicographically smallest
        member of the function's symmetry orbit; all members of an orbit have equal
        probability). Options, methods and totals in ``df.attrs["boolnet"]``, with
        ``volume_method`` ``"exact"`` (rationals) or ``"quadrature"``.

    Examples
    --------
    >>> t = exact_table(2, Prior("uniform", fan_in_scaling=False))
    >>> t.loc[t.function == "0001", "probability_exact"].item()       # AND
    '1/48'
    >>> t.attrs["boolnet"]["probability_sum_exact"], t.attrs["boolnet"]["volume_method"]
    ('1', 'exact')
    """
    n = check_n(n, high=MAX_EXACT_N, what="exact volumes")
    check_encoding(encoding)
    prior = prior or Prior()
    started = time.perf_counter()
    orbits = threshold_orbits(n, encoding, bias, progress=progress)
    rows = []
    total_exact = 0
    exact_available = True
    for orb, (p, p_exact, err) in _orbit_volumes(orbits, prior, f"volumes n={n}", progress):
        if p_exact is None:
            exact_available = False
        else:
            total_exact += p_exact * len(orb.members)
        if orbits_only:
            names, extra = [orb.representative.function], {"orbit_size": len(orb.members)}
        else:
            names, extra = strings_from_packed(orb.members[:, None], n), {"orbit": orb.representative.function}
        rows.append(pd.DataFrame({
            "function": names,
            "probability": p,
            "probability_exact": "" if p_exact is None else str(p_exact),
            "error_bound": err,
            "facets": orb.representative.facets,
            **extra,
        }))
    table = pd.concat(rows, ignore_index=True)
    table = table.sort_values(["probability", "function"], ascending=[False, True], ignore_index=True)
    size = table["orbit_size"] if orbits_only else 1
    meta = {
        "command": "exact",
        "volume_method": "exact" if exact_available else "quadrature",
        "architecture": f"{n}-1",
        "n": n,
        "activation": "none (perceptron)",
        "encoding": encoding,
        "bias": bias,
        **prior.metadata(),
        "rows": "one per symmetry orbit" if orbits_only else "one per function",
        "functions": int(sum(len(o.members) for o in orbits)),
        "orbits": len(orbits),
        "probability_sum": float((table["probability"] * size).sum()),
        "error_bound_sum": float((table["error_bound"] * size).sum()),
    }
    if prior.kind == "uniform":
        ratio, bound = scale_ratio(prior, n)
        meta["method"] = (
            "Normaliz exact volume of cone intersect box"
            + ("" if not bound else f"; irrational weight/bias scale ratio replaced by rational {ratio} >= it")
        )
        if exact_available:
            meta["probability_sum_exact"] = str(total_exact)
    else:
        meta["method"] = "Normaliz exact triangulation into simplicial cones; orthant probabilities by quadrature"
    low, high = bounds_from_error(table["probability"], table["error_bound"])
    table = table.drop(columns="error_bound").assign(probability_low=low, probability_high=high)
    if not exact_available:
        table = table.drop(columns="probability_exact")
    meta["seconds"] = meta["volume_seconds"] = round(time.perf_counter() - started, 3)
    return attach(order_columns(table), meta)


def _all_function_bits(n: int) -> np.ndarray:
    values = np.arange(1 << (1 << n), dtype=np.uint64)
    shifts = np.arange(1 << n, dtype=np.uint64)
    return ((values[:, None] >> shifts) & np.uint64(1)).astype(np.uint8)


def regions_table(n: int, encoding: str = "01", bias: bool = True, latex: bool = False) -> pd.DataFrame:
    """The half-space region of every function (n <= 4) or of every feasible function (n = 5).

    Returns
    -------
    pandas.DataFrame
        Columns ``function``, ``feasible``, ``full_dimensional``, ``facets`` (irredundant half-spaces),
        ``inequalities`` (the facets as text, or LaTeX with ``latex=True``); options in
        ``df.attrs["boolnet"]``.

    Examples
    --------
    >>> t = regions_table(2)
    >>> int(t.feasible.sum()), sorted(t.loc[~t.feasible, "function"])
    (14, ['0110', '1001'])
    >>> t.loc[t.function == "0001", "inequalities"].item()
    'w2 + b <= 0; w1 + b <= 0; w1 + w2 + b > 0'
    """
    n = check_n(n, high=MAX_REGIONS_N, what="regions")
    check_encoding(encoding)
    orbits: list[Orbit] = threshold_orbits(n, encoding, bias)
    regions: dict[str, Region] = {}
    for orb in orbits:
        for k in range(len(orb.members)):
            reg = orb.member_region(k)
            regions[reg.function] = reg
    if n <= MAX_ALL_FUNCTIONS_N:
        all_bits = _all_function_bits(n)
        for bits in all_bits:
            name = "".join("1" if b else "0" for b in bits)
            if name in regions:
                continue
            # Only pm1 without a bias has functions computable on a lower-dimensional set only
            # (a_x = -a_~x); a pair x, ~x with both outputs 1 is impossible there.
            if encoding == "pm1" and not bias and not np.any(bits & bits[::-1]):
                regions[name] = region(bits, encoding, bias)
            else:
                regions[name] = Region(name, n, encoding, bias, feasible=False, full_dimensional=False)
    names = sorted(regions)
    table = pd.DataFrame({
        "function": names,
        "feasible": [regions[f].feasible for f in names],
        "full_dimensional": [regions[f].full_dimensional for f in names],
        "facets": [regions[f].facets for f in names],
        "inequalities": [regions[f].inequalities_text(latex=latex) for f in names],
    })
    meta = {
        "command": "regions",
        "n": n,
        "encoding": encoding,
        "bias": bias,
        "rows": "every function" if n <= MAX_ALL_FUNCTIONS_N else "feasible functions of positive volume",
        "feasible": int(table["feasible"].sum()),
        "full_dimensional": int(table["full_dimensional"].sum()),
        "method": "facets: Normaliz support hyperplanes (exact); functions: chamber-graph search over symmetry orbits",
    }
    return attach(table, meta)
