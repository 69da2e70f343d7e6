"""P(K): the probability mass of the functions at each complexity value, and its mean.

The headline statistic of the simplicity-bias papers: ``P(K) = sum of P_f over the
functions f with K_f = K``. Every row of the table with a finite measure counts
(rare functions of a sampled table hold their share of the mass too); the table says
how much mass it covers (1 for complete exact tables).
"""

from __future__ import annotations

import numpy as np

from boolnet.errors import BoolnetError


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
        total probability, P(K)), ``cumulative`` (P(K' <= K)). ``attrs["boolnet"]``
        holds the table's metadata plus ``pk``: ``measure``, ``mean`` (the mean of K
        under P, ``sum_K K P(K) / sum_K P(K)``), ``mean_over_functions`` (every function
        of the table counted once), ``mass`` (the probability the rows cover) and
        ``functions``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"function": ["00", "11", "01", "10"], "probability": [0.375, 0.375, 0.125, 0.125],
    ...                   "lz": [1.0, 1.0, 2.0, 2.0]})
    >>> pk = probability_by_complexity(t, "lz")
    >>> pk.values.tolist()
    [[1.0, 2.0, 0.75, 0.75], [2.0, 2.0, 0.25, 1.0]]
    >>> pk.attrs["boolnet"]["pk"]["mean"], pk.attrs["boolnet"]["pk"]["mean_over_functions"]
    (1.25, 1.5)
    """
    import pandas as pd

    from boolnet import schema
    from boolnet.levin.trust import as_volume_table, measure_values

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
    out["cumulative"] = np.cumsum(out["probability"].to_numpy())
    mass = float(p.sum())
    meta = schema.metadata_of(df)
    meta["pk"] = {
        "measure": measure,
        "mean": float(np.sum(k * p) / mass) if mass > 0 else float("nan"),
        "mean_over_functions": float(k.mean()),
        "mass": mass,
        "functions": int(k.size),
    }
    return schema.attach(out, meta)
