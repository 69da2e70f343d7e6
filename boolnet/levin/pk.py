"""P(K): the probability mass of the functions at each complexity value, and its mean.

The headline statistic of the simplicity-bias papers: ``P(K) = sum of P_f over the
functions f with K_f = K``. Every row of the table with a finite measure counts
(rare functions of a sampled table hold their share of the mass too); the table says
how much mass it covers (1 for complete exact tables).

For comparison, when every function of n <= 4 inputs can be listed and the measure is
a registered one, the table also gives ``uniform``: the share of all ``2**(2**n)``
functions at each K, i.e. P(K) if every function were equally likely (the baseline of
no simplicity bias), and its mean.
"""

from __future__ import annotations

import numpy as np

from boolnet.checks import check_text
from boolnet.errors import BoolnetError


#: Largest n for which the uniform baseline lists all 2**(2**n) functions.
UNIFORM_MAX_N = 4


def uniform_by_complexity(measure: str, n: int):
    """Share of all ``2**(2**n)`` functions at each value of a registered measure (n <= 4), or None.

    Examples
    --------
    >>> uniform_by_complexity("ones", 1).tolist()    # 00, 01, 10, 11
    [[0.0, 0.25], [1.0, 0.5], [2.0, 0.25]]
    """
    if n is None or n > UNIFORM_MAX_N:
        return None
    from boolnet.complexity import MEASURES, compute_measures

    entry = MEASURES.get(measure)
    if entry is None or not entry.valid_for(n):
        return None
    words = np.arange(1 << (1 << n), dtype=np.uint64)[:, None]
    values = np.asarray(compute_measures(words, n, [measure])[measure], dtype=float)
    k, counts = np.unique(values, return_counts=True)
    return np.column_stack([k, counts / values.size])


def probability_by_complexity(df, measure: str = "lz"):
    """The probability mass at each value of ``measure`` (P(K)) and its mean.

    Parameters
    ----------
    df : pandas.DataFrame
        A volume table with ``probability`` and the ``measure`` column.
    measure : str
        The complexity column K.

    Returns
    -------
    pandas.DataFrame
        One row per distinct K, in increasing K: ``K`` (named after the measure),
        ``functions`` (how many functions of the table have it), ``probability`` (their
        total probability, P(K)), ``cumulative`` (P(K' <= K)), and for n <= 4 and a
        registered measure ``uniform`` (the share of all ``2**(2**n)`` functions at K;
        a value of K that no function of the table has gets a row with probability 0).
        ``attrs["boolnet"]`` holds the table's metadata plus ``pk``: ``measure``,
        ``mean`` (the mean of K under P, ``sum_K K P(K) / sum_K P(K)``),
        ``mean_over_functions`` (every function of the table counted once), ``mass``
        (the probability the rows cover), ``functions`` and, with ``uniform``,
        ``mean_uniform``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"function": ["00", "11", "01", "10"], "probability": [0.375, 0.375, 0.125, 0.125],
    ...                   "lz": [1.0, 1.0, 2.0, 2.0]})
    >>> pk = probability_by_complexity(t, "lz")
    >>> pk[["lz", "functions", "probability", "cumulative"]].values.tolist()
    [[1.0, 2.0, 0.75, 0.75], [2.0, 2.0, 0.25, 1.0]]
    >>> pk.attrs["boolnet"]["pk"]["mean"], pk.attrs["boolnet"]["pk"]["mean_over_functions"]
    (1.25, 1.5)
    >>> pk["uniform"].tolist(), pk.attrs["boolnet"]["pk"]["mean_uniform"]   # n = 1: 00, 11 -> 1; 01, 10 -> 2
    ([0.5, 0.5], 1.5)
    """
    import pandas as pd

    from boolnet.table import schema
    from boolnet.levin.trust import as_volume_table, measure_values

    measure = check_text(measure, "measure", what="a complexity column such as 'lz'", empty=False)
    df = as_volume_table(df)
    k = measure_values(df, measure)
    p = df[schema.PROBABILITY].to_numpy(dtype=float)
    keep = np.isfinite(k)
    if not keep.any():
        raise BoolnetError(f"no function of the table has a value of {measure!r}", param="measure")
    k, p = k[keep], p[keep]
    grouped = pd.DataFrame({measure: k, "p": p}).groupby(measure, sort=True)["p"].agg(["size", "sum"])
    out = pd.DataFrame({
        measure: grouped.index.to_numpy(dtype=float),
        "functions": grouped["size"].to_numpy(dtype=np.int64),
        "probability": grouped["sum"].to_numpy(dtype=float),
    })
    uniform = uniform_by_complexity(measure, schema.table_n(df)) if "function" in df.columns else None
    if uniform is not None:
        out = out.merge(pd.DataFrame({measure: uniform[:, 0], "uniform": uniform[:, 1]}), on=measure, how="outer")
        out = out.sort_values(measure, kind="stable").reset_index(drop=True)
        out["functions"] = out["functions"].fillna(0).astype(np.int64)
        out["probability"] = out["probability"].fillna(0.0)
        out["uniform"] = out["uniform"].fillna(0.0)
    out["cumulative"] = np.cumsum(out["probability"].to_numpy())
    if uniform is not None:
        out = out[[measure, "functions", "probability", "cumulative", "uniform"]]
    mass = float(p.sum())
    meta = schema.metadata_of(df)
    meta["pk"] = {
        "measure": measure,
        "mean": float(np.sum(k * p) / mass) if mass > 0 else float("nan"),
        "mean_over_functions": float(k.mean()),
        "mass": mass,
        "functions": int(k.size),
    }
    if uniform is not None:
        meta["pk"]["mean_uniform"] = float(np.sum(uniform[:, 0] * uniform[:, 1]))
    return schema.attach(out, meta)
