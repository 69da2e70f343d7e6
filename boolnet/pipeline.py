"""The main job, from an architecture to a joined volume-vs-complexity table.

:func:`volume_table` is what ``boolnet table`` runs: volumes (exact for perceptrons
and step/sign MLPs where that is affordable, sampled otherwise) joined with
complexity measures. :func:`exact_table` and :func:`probability` are the exact
engines' front doors for a whole architecture and for one function.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass
from fractions import Fraction

from boolnet.checks import (
    as_prior,
    check_bool,
    check_path,
    check_progress,
    check_samples,
    check_seed,
    check_threads,
)
from boolnet.errors import BoolnetError


#: Largest n of a perceptron computed exactly by default (n = 6 takes about 5 minutes on the cube and about
#: 15 minutes under the gaussian prior: ask for method="exact", or read tables/exact_perceptron_n6_*_orbits.parquet).
DEFAULT_EXACT_MAX_N = 5
#: Volume methods a caller can ask :func:`volume_table` for.
METHODS = ("exact", "sample")


def _parse_arch(arch):
    """The :class:`~boolnet.network.Architecture` of ``arch`` (text, an int N for ``N-1``, or one already parsed).

    Parsed once here: the engines are handed the Architecture, which they take as it is.
    """
    from boolnet.network import Architecture, parse_arch

    if isinstance(arch, Architecture):
        return arch
    if isinstance(arch, int) and not isinstance(arch, bool):
        arch = f"{arch}-1"
    if not isinstance(arch, str):
        raise BoolnetError(f"arch must be layer widths as text such as '3-1' or '2-2-1' (or an int N for N-1), "
                           f"got {arch!r}", param="arch")
    return parse_arch(arch)


def _check_activation(activation, *, optional: bool = False):
    from boolnet.network import check_activation

    if activation is None and optional:
        return None
    check_activation(activation)
    return activation


def _exact_mlp_engine():
    """The exact step/sign MLP engine, when this installation has it."""
    try:
        from boolnet.exact.mlp import exact_mlp_table
    except ImportError:
        return None
    return exact_mlp_table


#: Step/sign MLPs computed exactly by default: largest hidden width by (n, number of hidden layers), where
#: docs/exact_mlp.md measures the exact engine at seconds (wider ones are exact with method="exact", or sampled).
DEFAULT_EXACT_MLP_WIDTH = {(1, 1): 5, (1, 2): 5, (2, 1): 5, (2, 2): 5, (3, 1): 4, (4, 1): 2}


def _exact_by_default(arch, activation: str) -> bool:
    if activation not in ("step", "sign") or _exact_mlp_engine() is None:
        return False
    widest = DEFAULT_EXACT_MLP_WIDTH.get((arch.n, len(arch.hidden)), 0)
    return max(arch.hidden) <= widest


def choose_method(arch, method: str | None = None, activation: str = "relu") -> str:
    """The volume method :func:`volume_table` uses: ``"exact"`` or ``"sample"``.

    Default: exact for perceptrons with n <= 5 and for small MLPs with step or sign
    hidden units (those the exact engine computes in seconds:
    :data:`DEFAULT_EXACT_MLP_WIDTH`), sampled otherwise.

    Examples
    --------
    >>> choose_method("4-1"), choose_method("7-1"), choose_method("3-8-1", activation="relu")
    ('exact', 'sample', 'sample')
    >>> choose_method("2-2-1", activation="step"), choose_method("7-40-40-1", activation="step")
    ('exact', 'sample')
    """
    arch = _parse_arch(arch)
    activation = _check_activation(activation)
    if method is not None and (not isinstance(method, str) or method not in METHODS):
        raise BoolnetError(f"method {method!r} is unknown: use one of {', '.join(METHODS)}", param="method")
    if arch.is_limit and method == "exact" and arch.n > 3:
        raise BoolnetError(f"method 'exact' takes the infinite-width limit for n <= 3 inputs; {arch} has to be "
                           "sampled: use method='sample'", param="method")
    if method is None:
        if arch.is_limit:  # n = 3 means 8-dimensional orthants by quadrature, slow beside sampling
            return "exact" if arch.n <= 2 else "sample"
        if not arch.hidden:
            return "exact" if arch.n <= DEFAULT_EXACT_MAX_N else "sample"
        return "exact" if _exact_by_default(arch, activation) else "sample"
    if method == "exact" and arch.hidden and not arch.is_limit and (activation not in ("step", "sign") or _exact_mlp_engine() is None):
        raise BoolnetError(f"method 'exact' works for perceptrons (N-1) and for MLPs with step or sign hidden "
                           f"units; {arch} with activation {activation!r} has to be sampled: use method='sample'",
                           param="method")
    return method


def exact_table(arch, *, activation: str | None = None, prior=None, encoding: str = "01", bias: bool = True,
                orbits: bool = False, progress: bool | None = None, checkpoint=None,
                checkpoint_interval: float = 30.0, backend: str = "local", scheduler: str | None = None,
                workers: int | None = None):
    """Exact probability of every function a network computes with positive probability.

    Parameters
    ----------
    arch : str or int
        ``"N-1"`` (a perceptron, 1 <= N <= 6; an int N means the same), or an MLP
        ``"N-H-1"``, ``"N-H1-H2-1"`` with ``activation`` ``"step"`` or ``"sign"``, or the
        infinite-width limit ``"N-inf-1"``, ``"N-inf-inf-1"``, ... for ``N <= 3``, any
        activation (:mod:`boolnet.exact.limit`).
    activation : str, optional
        Hidden units of an MLP (``"step"`` or ``"sign"``; for the limit any activation,
        default ``"relu"``). Not for perceptrons.
    prior : Prior or {"gaussian", "uniform"}, optional
        Default ``Prior()``: gaussian, fan-in scaling, sigma_w = sigma_b = 1.
    encoding : {"01", "pm1"}
    bias : bool
    orbits : bool
        Perceptrons only: one row per symmetry orbit with ``orbit_size``.
    progress : bool or None
        Progress bars on stderr.
        Default None: shown where someone is watching (a notebook, or stderr a terminal); False
        silences it (:mod:`boolnet.progress`).
    checkpoint : path, optional
        Perceptrons only: save the volumes of the symmetry orbits done there every
        ``checkpoint_interval`` seconds, on Ctrl-C or SIGTERM and at the end; rerun with the
        same options to resume (same table, bit for bit). Checked before any work.
    checkpoint_interval : float
        Seconds between checkpoints (default 30).
    backend : {"local", "dask"}
        Perceptrons only: ``"dask"`` computes the symmetry orbits as tasks of consecutive orbits
        on Dask workers (docs/scale.md): the same table, bit for bit, and the same checkpoint.
    scheduler : str, optional
        With ``backend="dask"``: a running scheduler (``"tcp://host:8786"``); default: a
        ``LocalCluster`` of worker processes here.
    workers : int, optional
        With ``backend="dask"``: the ``LocalCluster``'s workers (default: one per core), or
        workers to wait for on the scheduler.

    Returns
    -------
    pandas.DataFrame
        A volume table (:mod:`boolnet.table.schema`): exact rationals (``probability_exact``)
        under a rational uniform box, else probabilities with error bounds <= 1e-10
        (``probability_low``, ``probability_high``); metadata in ``df.attrs["boolnet"]``.

    Raises
    ------
    boolnet.errors.Interrupted
        Perceptrons: on Ctrl-C or SIGTERM, between chunks of orbits, carrying the table of the
        orbits done so far (after saving the checkpoint, if any).

    Examples
    --------
    >>> import boolnet as bn
    >>> t = bn.exact_table("2-1", prior=bn.Prior("uniform", fan_in_scaling=False))
    >>> dict(zip(t.function, t.probability_exact))["0001"]          # AND fills 1/48 of the cube
    '1/48'
    """
    from boolnet.checks import check_checkpoint_interval
    from boolnet.exact import exact_table as perceptron_table
    from boolnet.checks import check_backend_options
    from boolnet.exact.enumeration import MAX_EXACT_N
    from boolnet.exact.engine import check_exact_size
    from boolnet.exact.selfdual import MAX_SELF_DUAL_N
    from boolnet.functions import check_encoding
    from boolnet.io import check_output_path

    # The checkpoint's folder is checked at the front door, before any work.
    checkpoint = check_output_path(checkpoint, suffixes=None, param="checkpoint")
    checkpoint_interval = check_checkpoint_interval(checkpoint_interval)
    parsed = _parse_arch(arch)
    activation = _check_activation(activation, optional=True)
    prior = as_prior(prior)
    encoding = check_encoding(encoding)
    bias = check_bool(bias, "bias")
    orbits = check_bool(orbits, "orbits")
    progress = check_progress(progress)
    backend, scheduler, workers = check_backend_options(backend, scheduler, workers)
    if backend == "dask" and (parsed.is_limit or parsed.hidden):
        what = "the infinite-width limit" if parsed.is_limit else "an MLP"
        raise BoolnetError(f"backend='dask' spreads the symmetry orbits of perceptrons; {parsed} is {what}, computed "
                           "in this process in one piece: drop the Dask options", param="backend")
    if parsed.is_limit:
        from boolnet.exact.limit import limit_table
        from boolnet.nngp.process import LimitNetwork

        for name, value in (("orbits", orbits), ("checkpoint", checkpoint)):
            if value:
                raise BoolnetError(f"{name} is for perceptrons; the infinite-width limit {parsed} is computed in "
                                   "seconds in one piece: drop it", param=name)
        return limit_table(LimitNetwork(parsed, "relu" if activation is None else activation, encoding, bias, prior),
                           progress=progress)
    if not parsed.hidden and parsed.n > MAX_SELF_DUAL_N:
        raise BoolnetError(f"arch {parsed}: exact perceptron volumes are computed for n <= {MAX_EXACT_N} (and n = "
                           f"{MAX_SELF_DUAL_N} with -1/+1 inputs and the bias at the weights' scale); estimate this one "
                           "with sample_table or estimate_table", param="arch")
    if not parsed.hidden:
        check_exact_size(parsed.n, encoding, bias, prior, orbits, param="arch", prefix=f"arch {parsed}: ")
    if not parsed.hidden:
        if activation is not None:
            raise BoolnetError(f"activation is for the hidden units of MLPs; {parsed} is a perceptron: drop it",
                               param="activation")
        return perceptron_table(parsed.n, prior, encoding, bias, progress=progress, orbits_only=orbits,
                                checkpoint=checkpoint, checkpoint_interval=checkpoint_interval, backend=backend,
                                scheduler=scheduler, workers=workers)
    engine = _exact_mlp_engine()
    if engine is None or activation not in ("step", "sign"):
        raise BoolnetError(f"exact volumes of MLPs need step or sign hidden units (activation='step'); {parsed} "
                           f"with activation {activation!r} can be sampled with sample_table", param="activation")
    if orbits:
        raise BoolnetError("orbits=True is for perceptrons only", param="orbits")
    if checkpoint is not None:
        raise BoolnetError(f"checkpoint is for perceptrons only; {parsed} is computed in one piece: drop it",
                           param="checkpoint")
    return engine(parsed, activation=activation, prior=prior, encoding=encoding, bias=bias, progress=progress)


@dataclass(frozen=True)
class Volume:
    """One function's probability under a prior, with its bounds.

    ``probability_exact`` is the exact rational (uniform prior with a rational box),
    else None; ``probability_low <= probability <= probability_high`` always.
    """

    function: str
    probability: float
    probability_low: float
    probability_high: float
    probability_exact: Fraction | None
    method: str

    def __str__(self) -> str:
        """One line: the function, its probability (exact where known) and its bounds.

        Examples
        --------
        >>> import boolnet as bn
        >>> print(bn.probability("0001", prior="cube"))
        P(0001) = 1/48 = 0.0208333 (exact)
        """
        if self.probability_exact is not None:
            return f"P({self.function}) = {self.probability_exact} = {self.probability:.6g} ({self.method})"
        return (f"P({self.function}) = {self.probability:.6g} in [{self.probability_low:.6g}, "
                f"{self.probability_high:.6g}] ({self.method})")

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(str(self))}</pre>"


def probability(function: str, *, prior=None, encoding: str = "01", bias: bool = True) -> Volume:
    """The exact probability that a random perceptron computes ``function``.

    Parameters
    ----------
    function : str
        A truth table (``"0001"`` is AND of two inputs); its length 2**n gives n <= 6.
    prior : Prior or {"gaussian", "uniform"}, optional
    encoding : {"01", "pm1"}
    bias : bool

    Returns
    -------
    Volume
        Zero for functions no perceptron computes (XOR).

    Examples
    --------
    >>> import boolnet as bn
    >>> cube = bn.Prior("uniform", fan_in_scaling=False)
    >>> bn.probability("0001", prior=cube).probability_exact, bn.probability("0110", prior=cube).probability
    (Fraction(1, 48), 0.0)
    >>> v = bn.probability("0001")                  # gaussian: a solid angle with a proven bound
    >>> v.probability_high - v.probability_low < 1e-10
    True
    """
    from boolnet.exact.regions import region
    from boolnet.exact.volumes import probability as region_probability
    from boolnet.functions import bits_from_string, check_encoding, n_from_length

    bias = check_bool(bias, "bias")
    bits = bits_from_string(function, param="function")
    n = n_from_length(len(bits), param="function")
    if n > 6:
        raise BoolnetError(f"function has {len(bits)} characters (n = {n}); exact probabilities of one function "
                           "are computed for n <= 6 (at most 64 characters)", param="function")
    check_encoding(encoding)
    prior = as_prior(prior)
    reg = region(function, encoding, bias)
    if not reg.feasible:
        return Volume(function, 0.0, 0.0, 0.0, Fraction(0), "exact")
    p, p_exact, err = region_probability(reg, prior)
    method = "exact" if p_exact is not None else "quadrature"
    return Volume(function, p, max(0.0, p - err), min(1.0, p + err), p_exact, method)


def volume_table(arch="3-1", *, method: str | None = None, activation: str = "relu", prior=None,
                 encoding: str = "01", bias: bool = True, measures=None, samples=1_000_000, seed: int = 0,
                 threads: int | None = None, checkpoint=None, progress: bool | None = None):
    """The main job: every function's volume joined with its complexity measures.

    The same table as ``boolnet table`` with the same options.

    Parameters
    ----------
    arch : str
        ``"N-1"`` (perceptron) or ``"N-H1-...-1"`` (MLP), 1 <= N <= 7.
    method : {"exact", "sample"}, optional
        Default: exact for perceptrons with n <= 5 (and step/sign MLPs where the exact
        MLP engine is installed), sampled otherwise.
    activation : {"relu", "tanh", "step", "sign", "linear"}
        Hidden units of an MLP.
    prior : Prior or {"gaussian", "uniform"}, optional
    encoding : {"01", "pm1"}
    bias : bool
    measures : list of str, str or dict, optional
        Measure names (``["lz", "csr"]`` or ``"lz,csr"``), or a dict name -> callable for
        custom measures; default every measure valid for n (above n = 5 without the slow
        per-function solvers).
    samples, seed, threads, checkpoint
        Sampling options (see :func:`boolnet.sample_table`); not allowed with exact volumes.
    progress : bool or None
        Progress bars on stderr.
        Default None: shown where someone is watching (a notebook, or stderr a terminal); False
        silences it (:mod:`boolnet.progress`).

    Returns
    -------
    pandas.DataFrame
        A volume table (:mod:`boolnet.table.schema`) with one column per measure; metadata,
        including ``volume_method`` and timings, in ``df.attrs["boolnet"]``.

    Examples
    --------
    >>> import boolnet as bn
    >>> df = bn.volume_table("2-1", prior="uniform", measures=["lz", "ones"])
    >>> df.attrs["boolnet"]["volume_method"], len(df)       # XOR and XNOR have no volume
    ('quadrature', 14)
    >>> int(df.set_index("function").loc["0001", "ones"])           # AND has one 1 in its truth table
    1
    """
    from boolnet.complexity import add_measures, check_measure_names, default_measure_names
    from boolnet.complexity.registry import resolve_measures
    from boolnet.functions import check_encoding
    from boolnet.table.schema import attach, metadata_of

    started = time.perf_counter()
    arch = _parse_arch(arch)
    encoding = check_encoding(encoding)
    prior = as_prior(prior)
    bias = check_bool(bias, "bias")
    progress = check_progress(progress)
    # The sampling options are checked even when the volumes are exact: a bad value is a mistake either way.
    check_samples(samples)
    check_seed(seed)
    check_threads(threads)
    if checkpoint is not None:
        check_path(checkpoint, "checkpoint")
    chosen = choose_method(arch, method, activation)
    n = arch.n
    custom = dict(measures) if isinstance(measures, dict) else None
    if custom is not None:
        resolve_measures(custom, n)  # a bad entry fails here, before the long work
    else:
        # Fail on a bad name before the long work; by default leave out the per-function solvers
        # (sympy, exact DNF) that would dominate the run above n = 5.
        names = check_measure_names(measures if measures is not None else default_measure_names(n), n)
    if chosen == "exact":
        if checkpoint is not None:
            raise BoolnetError("checkpoint is for sampled volumes; exact volumes are not checkpointed: drop it "
                               "or use method='sample'", param="checkpoint")
        df = exact_table(arch, activation=activation if arch.hidden else None, prior=prior, encoding=encoding,
                         bias=bias, progress=progress)
    else:
        from boolnet.sampling import sample_table

        df = sample_table(arch, activation=activation, prior=prior, encoding=encoding, bias=bias,
                          samples=samples, seed=seed, threads=threads, checkpoint=checkpoint, progress=progress)
    meta = metadata_of(df)
    volume_seconds = time.perf_counter() - started
    measured = time.perf_counter()
    if custom is not None:
        df = add_measures(df, custom, n=n, progress=progress)
        names = list(custom)
    else:
        df = add_measures(df, names, n=n, progress=progress)
    meta.update({
        "command": "table",
        "volume_command": meta.get("command"),
        "architecture": str(arch),
        "n": n,
        "measures": names,
        "volume_seconds": round(volume_seconds, 3),
        "measures_seconds": round(time.perf_counter() - measured, 3),
        "seconds": round(time.perf_counter() - started, 3),
    })
    return attach(df, meta)


def regions_table(n: int, *, encoding: str = "01", bias: bool = True, latex: bool = False):
    """Every function's perceptron region: feasibility and its irredundant half-spaces.

    Parameters
    ----------
    n : int
        1 <= n <= 5 (n <= 4: every function; n = 5: the feasible ones).
    encoding : {"01", "pm1"}
    bias : bool
    latex : bool
        Inequalities in LaTeX instead of text.

    Returns
    -------
    pandas.DataFrame
        ``function, feasible, full_dimensional, facets, inequalities``.

    Examples
    --------
    >>> import boolnet as bn
    >>> t = bn.regions_table(2)
    >>> t.loc[t.function == "0001", "inequalities"].item()      # AND
    'w2 + b <= 0; w1 + b <= 0; w1 + w2 + b > 0'
    """
    from boolnet.exact import regions_table as engine

    return engine(n, encoding, check_bool(bias, "bias"), latex=check_bool(latex, "latex"))
