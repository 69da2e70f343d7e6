"""Compare two distributions over functions: P_SGD(f | S) against P_B(f | S), or any two tables.

Rules (also in docs/sgd_bayes.md):

- Both tables must hold functions of the same ``n``, with finite probabilities >= 0
  and truth tables of 0/1 only. When a target and a training set are known (arguments,
  else the tables' metadata), a table with rows that disagree with the target on ``S``
  is first conditioned by :func:`posterior_table` (so an exact prior table can be
  compared with a trained one directly). A target without a training set (or a
  training set without a target) is refused.
- A table that is already conditioned (posterior, conditioned-sampler or trained table,
  :func:`~boolnet.training.posterior.conditioned_on`) is never conditioned again: two
  tables conditioned on different targets or training sets, or a conditioned table and
  a ``target``/``train`` other than its own, are refused. The test error and the
  comparison of the two sides both assume one ``S``; to compare posteriors of different
  training sets, condition the same prior table on each and compare them with each other
  by their own statistics.
- Rank correlations (Spearman, Kendall) and the Pearson correlation of log probabilities
  are over the *common* functions (positive probability on both sides).
- KL divergences are over the common functions, each side renormalised to them:
  ``KL(A||B) = sum_f a(f) log(a(f) / b(f))`` in nats. Functions seen by one side only
  would make it infinite; their mass is reported instead, as ``mass_a_only`` (the mass
  ``A`` puts on functions ``B`` never saw) and ``mass_b_only``.
- Test error: the Hamming distance of a function to the target on the test inputs; its
  distribution under each side (mass per distance), its mean, and the mean divided by
  the number of test inputs (the generalisation error; None when ``S`` is every input).
- Undefined values are None, never NaN, so the result is valid JSON.
"""

from __future__ import annotations

import html
import textwrap

import numpy as np
import pandas as pd

from boolnet.errors import BoolnetError
from boolnet.table.schema import metadata_of
from boolnet.training.posterior import (_agreement, _conditioning, _n_of, _posterior, _prepared, _short,
                                        _target_text, _train_text)
from boolnet.functions import check_target, check_train


def _known(value, key, metas):
    if value is not None:
        return value
    for meta in metas:
        if meta.get(key) is not None:
            return meta[key]
    return None


def _condition(df: pd.DataFrame, meta: dict, n: int, target, train, side: str):
    if target is None or train is None:
        return df, meta, False
    fits, _ = _agreement(df["function"].tolist(), target, train)
    if fits.all():
        return df, meta, False
    post = _posterior(df, meta, n, target, train, side)
    return post, metadata_of(post), True


def _target_and_train(ma: dict, mb: dict, n: int, target, train):
    """The target and training set of a comparison: the arguments, else the tables' metadata; checked."""
    if target is not None:
        target = check_target(target, n)
    if train is not None:
        train = check_train(train, n)
    ca, cb = _conditioning(ma, n, "a"), _conditioning(mb, n, "b")
    if ca is not None and cb is not None and ca != cb:
        raise BoolnetError(f"a and b are conditioned on different training data (a: {_short(*ca)}; b: "
                           f"{_short(*cb)}): a conditioned table cannot be conditioned again on another target or "
                           "training set, so they cannot be compared; compare tables of one target and training "
                           "set (condition the prior table each came from on the same S)", param="b")
    own = ca or cb
    if own is not None:
        side = "a" if ca is not None else "b"
        if target is not None and target != own[0]:
            raise BoolnetError(f"target {_target_text(target)} is not the target table "
                               f"{side} is conditioned on ({_short(*own)}); give none to use that table's own",
                               param="target")
        if train is not None and train != own[1]:
            raise BoolnetError(f"train {_train_text(train)} is not the "
                               f"training set table {side} is conditioned on ({_short(*own)}); give none to use "
                               "that table's own", param="train")
        return own
    target = _known(target, "target", (ma, mb))
    train = _known(train, "train", (ma, mb))
    if target is not None:
        target = check_target(target, n)
    if train is not None:
        train = check_train(train, n)
    if target is not None and train is None:
        raise BoolnetError("target is used only with a training set, and none was given or found in the tables' "
                           "metadata: give the training inputs too, or leave the target out", param="target")
    if train is not None and target is None:
        raise BoolnetError("train is used only with a target, and none was given or found in the tables' "
                           "metadata: give the target too, or leave the training inputs out", param="train")
    return target, train


def comparison_frame(a: pd.DataFrame, b: pd.DataFrame, *, target=None, train=None) -> pd.DataFrame:
    """Both tables joined on ``function``: ``p_a, p_a_low, p_a_high, p_b, ...`` (0 where absent), ``test_error``.

    Examples
    --------
    >>> a = pd.DataFrame({"function": ["01", "11"], "probability": [0.75, 0.25]})
    >>> b = pd.DataFrame({"function": ["01"], "probability": [1.0]})
    >>> comparison_frame(a, b)[["function", "p_a", "p_b"]].values.tolist()
    [['01', 0.75, 1.0], ['11', 0.25, 0.0]]
    """
    frame, _ = _compare_frame(a, b, target, train)
    return frame


def _compare_frame(a, b, target, train):
    da, ma = _prepared(a, "a")
    db, mb = _prepared(b, "b")
    na, nb = _n_of(da, "a"), _n_of(db, "b")
    if na != nb:
        raise BoolnetError(f"the tables hold functions of different n ({na} and {nb}): compare tables over the "
                           "same inputs", param="b")
    target, train = _target_and_train(ma, mb, na, target, train)
    da, ma, ca = _condition(da, ma, na, target, train, "a")
    db, mb, cb = _condition(db, mb, na, target, train, "b")
    for side, d in (("a", da), ("b", db)):
        if not d["probability"].sum() > 0:
            raise BoolnetError(f"{side} has no probability mass (its probabilities sum to 0): nothing to compare",
                               param=side)
    cols = {}
    for side, d in (("a", da), ("b", db)):
        p = d["probability"].to_numpy(dtype=np.float64)
        lo = d["probability_low"].to_numpy(dtype=np.float64) if "probability_low" in d else p
        hi = d["probability_high"].to_numpy(dtype=np.float64) if "probability_high" in d else p
        cols[side] = pd.DataFrame({"function": d["function"].astype(str).to_numpy(), f"p_{side}": p,
                                   f"p_{side}_low": lo, f"p_{side}_high": hi})
    frame = cols["a"].merge(cols["b"], on="function", how="outer")
    for c in frame.columns[1:]:
        frame[c] = frame[c].fillna(0.0)
    if target is not None and train is not None:
        frame["test_error"] = _agreement(frame["function"].tolist(), target, train)[1]
    frame = frame.sort_values(["p_a", "p_b", "function"], ascending=[False, False, True]).reset_index(drop=True)
    info = {"n": na, "target": target, "train": train, "conditioned_a": ca, "conditioned_b": cb,
            "method_a": ma.get("volume_method"), "method_b": mb.get("volume_method")}
    return frame, info


class Comparison(dict):
    """What :func:`compare_tables` found: a dict, printed as a readable report (and as one in Jupyter)."""

    def __str__(self) -> str:
        return format_comparison(self)

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(str(self))}</pre>"


def _fmt(v) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def format_comparison(result: dict) -> str:
    """The text report of ``boolnet compare`` for a result of :func:`compare_tables`, within 100 columns.

    Examples
    --------
    >>> a = pd.DataFrame({"function": ["0001", "0011"], "probability": [0.5, 0.5]})
    >>> b = pd.DataFrame({"function": ["0001", "0111"], "probability": [0.6, 0.4]})
    >>> print(format_comparison(compare_tables(a, b)).splitlines()[0])
    functions: 1 common, 1 only in A, 1 only in B
    """
    r = result
    lines = [f"functions: {r['common']} common, {r['only_a']} only in A, {r['only_b']} only in B"]
    if r.get("conditioned_a") or r.get("conditioned_b"):
        lines.append(f"conditioned on the training set: A {r.get('conditioned_a')}, B {r.get('conditioned_b')}")
    lines.append(f"mass on the common functions: A {_fmt(r.get('mass_a_common'))}, B {_fmt(r.get('mass_b_common'))}; "
                 f"on functions the other never saw: A {_fmt(r['mass_a_only'])}, B {_fmt(r['mass_b_only'])}")
    lines.append(f"log-probability correlations over the {r['common']} common functions only: Spearman "
                 f"{_fmt(r['spearman_log'])}, Kendall {_fmt(r['kendall_log'])}, Pearson {_fmt(r['pearson_log'])}")
    lines.append(f"KL(A||B) {_fmt(r['kl_ab'])} nats, KL(B||A) {_fmt(r['kl_ba'])} nats (common functions, each side "
                 "renormalised to them)")
    if r.get("test_error") is not None:
        for side in ("a", "b"):
            te = r["test_error"][side]
            masses = " ".join(f"{m:.3g}" for m in te["mass"])
            lines.append(f"test error under {side.upper()}: mean {_fmt(te['mean'])} of {r['n_test']} test inputs "
                         f"(generalisation error {_fmt(te['generalisation_error'])})")
            lines += textwrap.wrap(f"mass at 0..{r['n_test']} errors: {masses}", 100, initial_indent="  ",
                                   subsequent_indent="    ")
    return "\n".join(lines)


def compare_tables(a: pd.DataFrame, b: pd.DataFrame, *, target=None, train=None) -> dict:
    """Compare two volume tables over the same ``n`` (and training set): see the module docstring.

    Parameters
    ----------
    a, b : pandas.DataFrame
        Volume tables (e.g. a posterior table and a trained table).
    target : str, optional
        Target truth table; default: from the tables' metadata.
    train : sequence of int, optional
        Training inputs; default: from the tables' metadata.

    Returns
    -------
    Comparison
        A dict that prints as a readable report (:func:`format_comparison`):
        ``common, only_a, only_b`` (numbers of functions), ``mass_a_common``, ``mass_b_common``
        (each side's mass on the functions both saw), ``mass_a_only``, ``mass_b_only``,
        ``spearman_log``, ``kendall_log``, ``pearson_log`` (over common functions; None with
        fewer than 2), ``kl_ab``, ``kl_ba`` (nats, common support), ``test_error``: per side
        ``{"mass": [mass at distance 0, 1, ...], "mean": ..., "generalisation_error": ...}``
        (None without target and training set; ``generalisation_error`` None when there
        are no test inputs), ``n_test``, and how the tables were read. Undefined values
        are None, never NaN.

    Raises
    ------
    boolnet.errors.BoolnetError
        A table is not a volume table (NaN or negative probabilities, truth tables of
        mixed lengths or with characters other than 0/1; the message names ``a`` or
        ``b``), the tables hold different ``n``, they are conditioned on different
        targets or training sets (or on others than ``target``/``train``), a target is
        given without a training set or the other way round, or no function of a side
        fits ``S`` (``P(S) = 0``).

    Examples
    --------
    >>> a = pd.DataFrame({"function": ["0001", "0011", "0101"], "probability": [0.5, 0.25, 0.25]})
    >>> b = pd.DataFrame({"function": ["0001", "0011", "0111"], "probability": [0.6, 0.2, 0.2]})
    >>> r = compare_tables(a, b, target="0001", train=[0, 3])
    >>> r["common"], r["mass_a_only"], r["mass_b_only"], round(r["kl_ab"], 6)
    (2, 0.25, 0.2, 0.017372)
    >>> r["test_error"]["a"]["mass"], r["test_error"]["b"]["mass"]
    ([0.5, 0.5, 0.0], [0.6, 0.2, 0.2])
    """
    from scipy import stats

    frame, info = _compare_frame(a, b, target, train)
    pa = frame["p_a"].to_numpy()
    pb = frame["p_b"].to_numpy()
    common = (pa > 0) & (pb > 0)
    out = Comparison(info)
    out.update(common=int(common.sum()), only_a=int(((pa > 0) & ~common).sum()),
               mass_a_common=float(pa[common].sum()), mass_b_common=float(pb[common].sum()),
               only_b=int(((pb > 0) & ~common).sum()),
               mass_a=float(pa.sum()), mass_b=float(pb.sum()),
               mass_a_only=float(pa[(pa > 0) & (pb == 0)].sum()), mass_b_only=float(pb[(pb > 0) & (pa == 0)].sum()))
    la, lb = np.log(pa[common]), np.log(pb[common])
    if common.sum() >= 2 and np.ptp(la) > 0 and np.ptp(lb) > 0:
        out["spearman_log"] = float(stats.spearmanr(la, lb).statistic)
        out["kendall_log"] = float(stats.kendalltau(la, lb).statistic)
        out["pearson_log"] = float(np.corrcoef(la, lb)[0, 1])
    else:
        out["spearman_log"] = out["kendall_log"] = out["pearson_log"] = None
    if common.any():
        qa = pa[common] / pa[common].sum()
        qb = pb[common] / pb[common].sum()
        out["kl_ab"] = float(np.sum(qa * (np.log(qa) - np.log(qb))))
        out["kl_ba"] = float(np.sum(qb * (np.log(qb) - np.log(qa))))
    else:
        out["kl_ab"] = out["kl_ba"] = None
    if "test_error" in frame:
        n_test = (1 << info["n"]) - len(info["train"])
        err = frame["test_error"].to_numpy()
        te = {}
        for side, p in (("a", pa), ("b", pb)):
            mass = np.bincount(err, weights=p, minlength=n_test + 1)
            total = p.sum()
            mean = float((mass * np.arange(n_test + 1)).sum() / total) if total > 0 else None
            te[side] = {"mass": [float(v) for v in mass], "mean": mean,
                        "generalisation_error": mean / n_test if n_test and mean is not None else None}
        out["test_error"] = te
        out["n_test"] = n_test
    else:
        out["test_error"] = None
        out["n_test"] = None
    return out

