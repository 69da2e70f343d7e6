"""Exact probabilities of the infinite-width limit for ``2**n <= 8`` inputs (``2-inf-1``, ``3-inf-1``, ...).

In the limit the output pre-activations on the ``2**n`` inputs are ``N(0, K)`` with the NNGP
kernel ``K`` (:func:`boolnet.nngp.kernel.nngp_kernel`), so ``P(f)`` is the probability of one
sign pattern: an orthant probability of the sign-folded correlation matrix of the free inputs
(:mod:`boolnet.nngp.process`: zero-variance inputs must map to 0, tied inputs must agree or
differ), computed with proven error bounds by the exact orthant engine
(:func:`boolnet.exact.gaussian.orthant_probability`: closed forms up to 3 dimensions,
quadrature with error bounds up to 8). A linear hidden layer makes ``K`` the covariance of a
perceptron's pre-activation, ``c_b + c_w x.x' / n``, of rank ``n + 1``: that limit is the
perceptron with weights of variance ``c_w / n`` and bias variance ``c_b``, computed by the
exact perceptron engine.
"""

from __future__ import annotations

import itertools
import time

import numpy as np

from boolnet import __version__
from boolnet.errors import BoolnetError
from boolnet.exact.gaussian import _orthant_batch
from boolnet.functions import inputs, symmetry_input_maps
from boolnet.nngp.process import LimitNetwork
from boolnet.table.schema import attach, bounds_from_error

#: Largest number of inputs of an exact limit table (``2**n`` dimensions for the orthant engine).
MAX_LIMIT_N = 3
#: Smallest eigenvalue of a free inputs' correlation matrix the orthant engine is given.
MIN_EIGENVALUE = 1e-9


def _linear_as_perceptron(net: LimitNetwork, progress: bool):
    """The linear network's limit as the perceptron it is: ``K = c_b + c_w x.x' / n`` fitted and checked."""
    from boolnet.exact import exact_table as perceptron_table
    from boolnet.priors import Prior

    n = net.arch.n
    X = inputs(n, net.encoding, dtype=np.float64)
    G = X @ X.T / n
    A = np.stack([np.ones(G.size), G.ravel()], axis=1)
    (c_b, c_w), *_ = np.linalg.lstsq(A, net.kernel.ravel(), rcond=None)
    if not np.allclose(c_b + c_w * G, net.kernel, rtol=1e-12, atol=1e-12 * np.abs(net.kernel).max()):
        raise BoolnetError("internal: the linear network's kernel is not c_b + c_w x.x'/n", param="activation")
    prior = Prior("gaussian", float(np.sqrt(c_w)), float(np.sqrt(c_b)) if net.bias else 1, fan_in_scaling=True)
    df = perceptron_table(n, prior, net.encoding, net.bias, progress=progress)
    return df, f"the perceptron with weight variance c_w / n = {c_w / n:.6g} and bias variance c_b = {c_b:.6g}"


def kernel_symmetries(K: np.ndarray, n: int) -> np.ndarray:
    """The signed permutations of the input coordinates that leave ``K`` unchanged, as input maps (rows).

    Candidates are :func:`boolnet.functions.symmetry_input_maps` ``(n, "pm1")`` (row ``g`` maps
    input ``i`` to ``maps[g, i]``), kept when ``K`` is unchanged to 1e-12 relative: then
    ``z(pi x)`` has the law of ``z(x)``, and ``f`` and ``f o pi`` have the same probability.

    Examples
    --------
    >>> len(kernel_symmetries(np.eye(4) + 0.5, 2)), len(kernel_symmetries(np.diag([1.0, 2, 3, 4]), 2))
    (8, 1)
    """
    maps = symmetry_input_maps(n, "pm1")
    scale = np.abs(K).max()
    return maps[[np.allclose(K[np.ix_(m, m)], K, rtol=0, atol=1e-12 * scale) for m in maps]]


def limit_table(net: LimitNetwork, *, progress: bool = False):
    """Every function of an infinite-width network with ``n <= 3`` inputs, with its probability and error bound.

    Parameters
    ----------
    net : LimitNetwork
        The architecture (all hidden widths ``inf``), activation, encoding, bias and prior.
    progress : bool
        Passed to the perceptron engine (linear activation); the orthant batch takes seconds.

    Returns
    -------
    pandas.DataFrame
        The functions with positive probability, most probable first: ``function,
        probability, probability_low, probability_high`` (the orthant engine's proven
        bounds), metadata in ``df.attrs["boolnet"]`` (``volume_method = "quadrature"``).

    Examples
    --------
    >>> from boolnet.priors import Prior
    >>> df = limit_table(LimitNetwork("1-inf-1", "relu", "01", True, Prior()))
    >>> df.function.tolist(), round(float(df.probability.sum()), 12)
    (['00', '11', '01', '10'], 1.0)
    """
    import pandas as pd

    begin = time.perf_counter()
    n = net.arch.n
    if n > MAX_LIMIT_N:
        raise BoolnetError(f"arch {net.arch}: exact probabilities of the infinite-width limit need 2**n <= 8 "
                           f"inputs (n <= {MAX_LIMIT_N}); sample it with sample_table or estimate single functions "
                           "with estimate_table", param="arch")
    meta = {"command": "exact", "volume_method": "quadrature", "architecture": str(net.arch), "n": n,
            "activation": net.activation, **net.prior.metadata(), "encoding": net.encoding, "bias": net.bias,
            "kernel": "NNGP (infinite-width limit)"}
    net.require_gaussian("the exact table")
    if net.activation == "linear":
        df, what = _linear_as_perceptron(net, progress)
        df = df[["function", "probability", "probability_low", "probability_high"]].reset_index(drop=True)
        meta["method"] = f"a linear network's limit is {what}: exact perceptron engine"
    else:
        red = net.reduction
        sd = np.sqrt(np.diag(red.kernel))
        corr = red.kernel / np.outer(sd, sd)
        if np.linalg.eigvalsh(corr)[0] < MIN_EIGENVALUE:
            raise BoolnetError(f"arch {net.arch} with activation {net.activation!r}: the kernel of the free inputs "
                               "is singular, which the exact orthant engine cannot take; sample_table or "
                               "estimate_table handle it", param="arch")
        maps = kernel_symmetries(net.kernel, n)
        # -z has the law of z, so f and not f have the same probability, unless an input is always 0.
        complement = not red.zero.any()
        functions, orbit_of, stacks = [], {}, []
        for bits in itertools.product((0, 1), repeat=2**n):
            bits = np.array(bits)
            s = red.signs(bits)
            if s is None:
                continue  # no network computes it (a zero input mapped to 1, or tied inputs split)
            f = "".join(map(str, bits))
            functions.append(f)
            if f in orbit_of:
                continue
            for image in maps:  # every image of f under the kernel's symmetries has f's probability
                for g in (bits[image], 1 - bits[image]) if complement else (bits[image],):
                    orbit_of.setdefault("".join(map(str, g)), len(stacks))
            stacks.append(corr * np.outer(s, s))
        corrs = np.ascontiguousarray(np.stack(stacks))
        # The kernel's own rounding (a few ulps per entry, propagated through the layers) joins the
        # engine's input-error allowance, as the perceptron engine does for its generators.
        dcs = np.full(len(corrs), 64 * np.finfo(float).eps * (len(net.arch.hidden) + 1))
        orbit_values, orbit_errors = _orthant_batch(corrs, dcs, 1e-13)
        index = np.array([orbit_of[f] for f in functions])
        values, errors = orbit_values[index], orbit_errors[index]
        low, high = bounds_from_error(values, errors)
        meta["orbits"] = len(stacks)
        meta["symmetries"] = len(maps) * (2 if complement else 1)
        df = pd.DataFrame({"function": functions, "probability": values, "probability_low": low,
                           "probability_high": high})
        df = df.sort_values(["probability", "function"], ascending=[False, True], kind="stable")
        df = df.reset_index(drop=True)
        meta["method"] = ("orthant probabilities of the NNGP kernel's sign patterns (free inputs only) by the exact "
                          "orthant engine: closed forms to 3 dimensions, quadrature with proven bounds to 8")
        meta["error_bound_max"] = float(errors.max())
        meta["error_bound_sum"] = float(errors.sum())
    meta.update({"functions": len(df), "probability_sum": float(df.probability.sum()),
                 "boolnet_version": __version__, "seconds": time.perf_counter() - begin})
    return attach(df, meta)
