"""Ranking complexity measures: which bounds ``log2 P`` most tightly, predicts it best, and explains it
beyond the number of ones."""

from __future__ import annotations

import numpy as np

from boolnet.checks import check_names, check_real, check_text, check_whole
from boolnet.errors import BoolnetError
from boolnet.levin.bounds import DEFAULT_TAU
from boolnet.levin.fit import fit_checked
from boolnet.levin.strata import stratified_spearman, strata_values
from boolnet.levin.trust import DEFAULT_MIN_COUNT, as_volume_table, candidate_measures, measure_values, used_rows


def rank_measures(
    df,
    measures=None,
    *,
    tau: float = DEFAULT_TAU,
    min_count: int = DEFAULT_MIN_COUNT,
    within: str | None = None,
):
    """Rank complexity measures by how tightly they bound, and how well they predict, ``log2 P``.

    Ranking rule: ``rank_tightness`` orders measures by the mean gap (bits) of their
    tightest (hull) bound, smallest first; ties by the share of probability mass
    within 1 bit of it, largest first. ``rank_prediction`` orders them by Spearman's
    rho between K and ``log2 P``, most negative first (the bound predicts that simpler
    functions are more likely). A measure constant on the used functions gets rho NaN
    and ranks last. With ``within="ones"``, ``within_rho``, ``within_z``, ``within_p``
    hold the pooled within-stratum rho (:func:`boolnet.levin.strata.stratified_spearman`)
    and ``rank_within`` orders by it, most negative first: what each measure explains
    beyond the number of ones; rows are then sorted by ``rank_within``, else by
    ``rank_tightness``.

    Parameters
    ----------
    df : pandas.DataFrame
        A volume table with the measure columns.
    measures : list of str, optional
        Columns to rank; default :func:`boolnet.levin.candidate_measures`.
    tau, min_count
        As in :func:`boolnet.levin.levin_fit`.
    within : str, optional
        ``"ones"`` (or a numeric column) to rank by the stratified rho as well.

    Returns
    -------
    pandas.DataFrame
        Columns ``measure, n_used, a, b, mean_gap, share_within_1, mass_within_1,
        share_within_5, mass_within_5, robust_a, robust_b, spearman_rho,
        rank_tightness, rank_prediction`` (and the ``within_*`` columns and
        ``rank_within``).

    Examples
    --------
    ``good`` follows ``log2 P`` exactly; ``bad`` is unrelated to it:

    >>> import pandas as pd
    >>> df = pd.DataFrame({"probability": [0.5, 0.25, 0.125, 0.125],
    ...                    "good": [1, 2, 3, 3], "bad": [2, 1, 2, 1]})
    >>> rank_measures(df)[["measure", "rank_tightness", "rank_prediction"]].values.tolist()
    [['good', 1, 1], ['bad', 2, 2]]
    """
    import pandas as pd

    tau = check_real(tau, "tau", low=0.0, high=1.0, low_open=True, high_open=True)
    min_count = check_whole(min_count, "min_count", low=1)
    if within is not None:
        check_text(within, "within", what="'ones' or a numeric column", empty=False)
    names = check_names(measures, "measures", "measure columns")
    df = as_volume_table(df)
    measures = candidate_measures(df) if names is None else list(dict.fromkeys(names))
    if not measures:
        raise BoolnetError("the table has no complexity-measure columns to rank; add some with "
                           "boolnet.add_measures, or name them in measures", param="measures")
    strata = strata_values(df, within) if within is not None else None
    rows = []
    for name in measures:
        try:
            r = fit_checked(df, name, tau=tau, min_count=min_count)
        except BoolnetError as exc:
            if exc.param != "measure":
                raise
            # fit_checked blames its one measure; here it is one of the list the caller passed as measures.
            raise BoolnetError(str(exc), param="measures") from None
        row = {
            "measure": name,
            "n_used": r.n_used,
            "a": r.hull.a,
            "b": r.hull.b,
            "mean_gap": r.hull.mean_gap,
            "share_within_1": r.hull.share_within[1],
            "mass_within_1": r.hull.mass_within[1],
            "share_within_5": r.hull.share_within[5],
            "mass_within_5": r.hull.mass_within[5],
            "robust_a": r.quantile.a,
            "robust_b": r.quantile.b,
            "spearman_rho": r.spearman_rho,
        }
        if strata is not None:
            used, _ = used_rows(df, name, min_count)
            k = measure_values(df, name)[used]
            y = np.log2(df["probability"].to_numpy(dtype=float)[used])
            rho, z, p, _, _ = stratified_spearman(k, y, strata[used])
            row.update(within_rho=rho, within_z=z, within_p=p)
        rows.append(row)
    out = pd.DataFrame(rows)
    tight = out.sort_values(["mean_gap", "mass_within_1"], ascending=[True, False], kind="stable")
    out.loc[tight.index, "rank_tightness"] = np.arange(1, len(out) + 1)
    pred = out.sort_values("spearman_rho", ascending=True, na_position="last", kind="stable")
    out.loc[pred.index, "rank_prediction"] = np.arange(1, len(out) + 1)
    out["rank_tightness"] = out["rank_tightness"].astype(int)
    out["rank_prediction"] = out["rank_prediction"].astype(int)
    order = "rank_tightness"
    if strata is not None:
        wr = out.sort_values("within_rho", ascending=True, na_position="last", kind="stable")
        out.loc[wr.index, "rank_within"] = np.arange(1, len(out) + 1)
        out["rank_within"] = out["rank_within"].astype(int)
        order = "rank_within"
    return out.sort_values(order, kind="stable").reset_index(drop=True)
