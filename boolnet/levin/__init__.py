"""Fitting the simplicity-bias (Levin) bound ``log2 P(f) <= -a K(f) - b`` to a volume table.

A volume table (:mod:`boolnet.table.schema`) has one row per Boolean function with its
probability ``P`` (share of parameter space) and complexity measures ``K``. The
coding-theorem style bound of Dingle et al. (2018) says that high-probability
functions are simple. One module per job:

* :mod:`boolnet.levin.bounds`: fitting a line to points ``(K_f, log2 P_f)``: the
  tightest bound (closed form: the supporting line of the upper convex hull at
  ``mean(K)``) and the robust bound (quantile regression);
* :mod:`boolnet.levin.trust`: which rows to trust, read from the table's
  ``volume_method``;
* :mod:`boolnet.levin.fit`: :func:`levin_fit`, everything about one measure;
* :mod:`boolnet.levin.strata`: class balance, the rank correlation within strata of
  the number of ones;
* :mod:`boolnet.levin.pk`: P(K), the probability mass at each complexity value;
* :mod:`boolnet.levin.rank`: ranking measures;
* :mod:`boolnet.levin.report`: the text of ``boolnet levin``.

Examples
--------
>>> import pandas as pd
>>> from boolnet.levin import levin_fit
>>> df = pd.DataFrame({"function": ["00", "11", "01", "10"], "probability": [0.5, 0.25, 0.125, 0.125],
...                    "k": [0, 1, 2, 2]})
>>> r = levin_fit(df, "k")
>>> r.hull.a, r.hull.b
(1.0, 1.0)
"""

from boolnet.levin.bounds import (
    DEFAULT_TAU,
    WITHIN_BITS,
    Bound,
    bound_quality,
    fit_hull_bound,
    fit_hull_bound_lp,
    fit_quantile_bound,
    upper_hull,
)
from boolnet.levin.fit import LevinReport, ensure_measures, levin_fit
from boolnet.levin.pk import probability_by_complexity
from boolnet.levin.rank import rank_measures
from boolnet.levin.report import describe_metadata, format_pk, format_ranking, format_report, format_within
from boolnet.levin.strata import Stratum, WithinReport, stratified_spearman, within_report
from boolnet.levin.trust import (
    DEFAULT_MIN_COUNT,
    MAX_RELATIVE_ERROR,
    NON_MEASURES,
    TABLE_COLUMNS,
    candidate_measures,
    trusted_rows,
    used_rows,
)

__all__ = [
    "DEFAULT_MIN_COUNT", "DEFAULT_TAU", "MAX_RELATIVE_ERROR", "NON_MEASURES", "TABLE_COLUMNS", "WITHIN_BITS",
    "Bound", "LevinReport", "Stratum", "WithinReport",
    "bound_quality", "candidate_measures", "describe_metadata", "ensure_measures", "fit_hull_bound",
    "fit_hull_bound_lp", "fit_quantile_bound", "format_pk", "format_ranking", "format_report", "format_within",
    "levin_fit", "probability_by_complexity", "rank_measures", "stratified_spearman", "trusted_rows",
    "upper_hull", "used_rows", "within_report",
]
