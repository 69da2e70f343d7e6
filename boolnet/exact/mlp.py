"""Exact probabilities of the functions of step- and sign-activation MLPs.

With step (Heaviside) or sign hidden units every unit is a perceptron of the layer below: a
hidden unit of the first layer computes a threshold function ``h`` of the inputs with the
probability ``P_n(h)`` the exact perceptron engine knows, independently of the other units, and
a unit above a layer of width ``H`` is a perceptron over the layer's *codes* (0/1 words for step
units, -1/+1 words for sign units) computing a threshold function ``g`` of ``H`` inputs with
probability ``P_H(g)``. The network computes ``f(x) = g(h_1(x), ..., h_H(x))``, so

    P(f) = sum over hidden functions h_1..h_H of  prod_j P_n(h_j) * sum_g P_H(g) [g o (h_1..h_H) = f],

a finite sum of products of perceptron volumes. Deeper networks nest the same sum: given the
functions of one layer, the units of the next are independent, each computing ``g o codes`` with
probability ``P_H(g)``.

What makes it fast (details and measurements in docs/exact_mlp.md):

* hidden units are exchangeable: the sum runs over *multisets* of hidden functions with
  multinomial weights, not over ordered tuples (``C(T + H - 1, H)`` instead of ``T**H`` terms);
* only the restriction of ``g`` to the set ``S`` of codes the inputs realise matters (a partial
  Boolean function): the probabilities of the ``g`` are added by restriction once per distinct
  ``S`` (a histogram), and every multiset with that ``S`` reuses it;
* exact rationals stay integers: every perceptron table has a small common denominator
  (48 for n = 2, 768 for n = 3, 46080 for n = 4 on the cube), so each probability is an integer
  numerator over a known denominator, carried modulo a few 31-bit primes inside numba and
  reconstructed by the Chinese remainder theorem;
* the inner loops (multisets, histograms, compositions) are numba kernels
  (:mod:`boolnet.exact._mlp_kernels`).

Ties: ``step(0) = sign(0) = 0`` as in the sampler. They have probability zero except where a
pre-activation is identically 0: without biases, input 0...0 in the ``01`` encoding. Step units
then output 0, a valid code (and every threshold function without a bias maps code 0...0 to 0);
sign units output 0, which no threshold function of -1/+1 codes sees, and every unit above
outputs 0 there too: the engine sets ``f(0...0) = 0`` and leaves that input out of the codes.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np
import pandas as pd

from boolnet.errors import BoolnetError
from boolnet.exact._rational import (
    crt,
    gram_basis,
    nonsingular,
    primes_covering,
    residues,
    row_space_key,
    scale_to_integers,
    solve,
)
from boolnet.functions import string_from_int
from boolnet.priors import Prior
from boolnet.progress import progress_bar
from boolnet.table.schema import attach, bounds_from_error

#: Hidden activations with a finite set of codes (the units are perceptrons of the layer below).
ACTIVATIONS = ("step", "sign")
#: Largest number of inputs (the output distribution is a dense array over 2**(2**n) functions).
MAX_N = 4
#: Largest width of a hidden layer: the unit above needs every threshold function of that many
#: inputs with its probability (94,572 functions of 5 inputs; 15,028,134 of 6).
MAX_WIDTH = 5
#: Largest number of multisets of hidden functions enumerated in one layer (canonical ones, when the
#: input symmetry group is used: about the count divided by the group's order).
MAX_MULTISETS = 60_000_000
#: Reduce one-hidden-layer networks by the input symmetry group (only the multisets smallest in their
#: orbit are composed; the result is symmetrised). Tests switch it off to compare both paths.
USE_INPUT_SYMMETRY = True

_EPS = np.finfo(np.float64).eps


@dataclass(frozen=True)
class _Perceptron:
    """Every threshold function of ``n`` inputs with its probability under one prior."""

    tables: np.ndarray          # uint64 truth tables (bit x is f(input x))
    numerators: tuple | None    # exact: integer numerators over ``denominator``
    denominator: int | None
    value: np.ndarray           # float64 probabilities
    error: np.ndarray           # float64 error bounds

    @property
    def exact(self) -> bool:
        return self.numerators is not None

    def channels(self) -> np.ndarray:
        """(3, T) value, lower and upper bound of every probability."""
        v, e = self.value, self.error
        if self.exact:  # rounding of the exact rational to float
            e = 2 * _EPS * v
        return np.stack([v, np.maximum(v - e, 0.0), v + e])


@lru_cache(maxsize=64)
def _perceptron(n: int, prior: Prior, encoding: str, bias: bool) -> _Perceptron:
    from boolnet.exact.enumeration import threshold_orbits
    from boolnet.exact.volumes import probabilities

    orbits = threshold_orbits(n, encoding, bias)
    results = probabilities([o.representative for o in orbits], prior)
    tables, exact, value, error = [], [], [], []
    for orb, (p, p_exact, err) in zip(orbits, results):
        k = len(orb.members)
        tables.append(np.asarray(orb.members, dtype=np.uint64))
        exact.extend([p_exact] * k)
        value.extend([p] * k)
        error.extend([err] * k)
    tables = np.concatenate(tables)
    if all(e is not None for e in exact):
        den, nums = scale_to_integers(exact)
        nums = tuple(nums)
        if sum(nums) != den:  # the perceptron tables sum to exactly 1
            raise AssertionError(f"perceptron table n={n} does not sum to 1")
        return _Perceptron(tables, nums, den, np.array([float(e) for e in exact]), np.zeros(len(exact)))
    return _Perceptron(tables, None, None, np.array(value, dtype=np.float64), np.array(error, dtype=np.float64))


def _parse(arch, gram_ok=False):
    from boolnet.network import parse_arch

    a = parse_arch(arch)
    widths = tuple(a.widths)
    if widths[0] > MAX_N:
        raise BoolnetError(f"arch {str(arch)!r}: the exact MLP engine takes n <= {MAX_N} inputs (got {widths[0]}); "
                           f"sample larger networks with boolnet.sampling.sample_table", param="arch")
    last_ok = gram_ok and widths[0] <= GRAM_MAX_N and len(widths) > 2 and widths[-2] <= GRAM_MAX_WIDTH
    if any(h > MAX_WIDTH for h in widths[1:-2]) or (len(widths) > 2 and widths[-2] > MAX_WIDTH and not last_ok):
        raise BoolnetError(f"arch {str(arch)!r}: hidden layers of the exact MLP engine have at most {MAX_WIDTH} units "
                           f"(the unit above needs every threshold function of its inputs: 15,028,134 for 6); "
                           f"sample wider networks with boolnet.sampling.sample_table", param="arch")
    return widths


def _multiset_count(T: int, H: int) -> int:
    return math.comb(T + H - 1, H)


def _check_multisets(arch, T: int, H: int, layer: int, group: int = 1) -> int:
    M = _multiset_count(T, H)
    if M // group > MAX_MULTISETS:
        raise BoolnetError(
            f"arch {str(arch)!r}: hidden layer {layer} has {M:,} multisets of {H} units over {T:,} possible hidden "
            f"functions{'' if group == 1 else f' (about {M // group:,} up to the {group} input symmetries)'}, more "
            f"than the engine enumerates ({MAX_MULTISETS:,}); use a narrower layer or sample "
            f"with boolnet.sampling.sample_table", param="arch")
    return M


#: The gaussian prior on n <= GRAM_MAX_N inputs uses the covariance ("Gram") path for the last hidden
#: layer when it is at least GRAM_MIN_WIDTH wide (and allows widths up to GRAM_MAX_WIDTH).
GRAM_MAX_N = 2
GRAM_MIN_WIDTH = 5
GRAM_MAX_WIDTH = 8


def _orthant_recipe(M: list, labels: tuple):
    """How to measure {z_x > 0 where labels[x] = 1, z_x <= 0 elsewhere} for z ~ N(0, M), any rank.

    Only the linear relations among the z_x matter here (not the variances), so a recipe serves
    every covariance with the same relations. Rows of zero variance are identically 0 (label 1
    impossible). Among the rest, a maximal set I of linearly independent Y = D z (D = signs of the
    labels) is chosen exactly; every other Y_i = lam_i . Y_I exactly, so the event is the cone
    {v >= 0, lam_i . v >= 0} in v = Y_I (rows with lam_i >= 0 are redundant; a row with
    lam_i <= 0 leaves a null set), which Normaliz triangulates exactly; each simplicial cone
    {R^T a : a >= 0} has a ~ N(0, adj(R)^T M_II adj(R)) up to scale: an orthant probability.

    Returns None (probability 0), or ``(I, signs_I, adjugates)``: the basis inputs, their signs and
    a list of integer matrices (the identity when no relation cuts the orthant).
    """
    live = []
    for x, lab in enumerate(labels):
        if M[x][x] == 0:
            if lab:
                return None
            continue
        live.append(x)
    sign = {x: (1 if labels[x] else -1) for x in live}
    Y = [[M[a][b] * sign[a] * sign[b] for b in live] for a in live]
    basis = gram_basis(Y)
    r = len(basis)
    inputs = [live[i] for i in basis]
    signs = [sign[x] for x in inputs]
    if r == 0:
        return inputs, signs, []
    M_II = [[Y[a][b] for b in basis] for a in basis]
    rows = []
    for i in range(len(live)):
        if i in basis:
            continue
        lam = solve(M_II, [Y[a][i] for a in basis])
        if all(v >= 0 for v in lam):
            continue                       # implied by v >= 0
        if all(v <= 0 for v in lam):
            return None                    # forces lam . v = 0: a null set
        rows.append(scale_to_integers(lam)[1])
    identity = [[1 if j == k else 0 for j in range(r)] for k in range(r)]
    if not rows:
        return inputs, signs, [np.array(identity, dtype=np.int64)]
    import sympy

    from boolnet.exact._normaliz import Cone

    cone = Cone(inequalities=identity + rows)
    if cone.Rank() < r:
        return None
    simplices, generators = cone.Triangulation()[:2]
    adjs = [np.array(sympy.Matrix([generators[i] for i in simplex[0]]).adjugate().tolist(), dtype=np.int64)
            for simplex in simplices]
    return inputs, signs, adjs


class _Run:
    """One evaluation of the nested sum (see the module docstring)."""

    def __init__(self, arch_text, widths, tables, exact, primes, skip0, progress, prior=None, activation="step",
                 bias=True, use_gram=False, maps=None):
        self.prior, self.activation, self.bias, self.use_gram = prior, activation, bias, use_gram
        self._orthant_memo = {}
        self.maps = maps              # input symmetry maps: compose canonical multisets only (one hidden layer)
        self.arch_text = arch_text
        self.widths = widths
        self.tables = tables          # tables[l]: _Perceptron of the unit above hidden layer l (1-based)
        self.exact = exact
        self.primes = np.array(primes, dtype=np.int64)
        self.skip0 = skip0
        self.N = 1 << widths[0]
        self.n_functions = 1 << self.N
        self.progress = progress
        self.multisets = 0
        self.code_sets = 0
        self.outer_terms = 0
        self._g = {}
        for layer, t in tables.items():
            if t is None:
                continue
            if exact:
                res = residues(t.numerators, primes)
                self._g[layer] = (res, np.zeros((3, 0)))
            else:
                self._g[layer] = (np.zeros((0, len(t.tables)), dtype=np.int64), t.channels())

    def _compose(self, U, U_res, U_flt, IDX, layer, weighted, row_mult=None):
        from boolnet.exact._mlp_kernels import code_set_masks, compose

        S = code_set_masks(U, IDX, self.N, self.skip0)
        order = np.argsort(S, kind="stable").astype(np.int64)
        self.code_sets += int(len(np.unique(S)))
        G = self.tables[layer].tables
        G_res, G_flt = self._g[layer]
        H = IDX.shape[1]
        return compose(U, IDX, order, S, self.N, self.skip0, weighted, math.factorial(H), G, G_res, U_res,
                       self.primes, G_flt if not self.exact else np.zeros((3, len(G))),
                       U_flt if not self.exact else np.zeros((3, len(U))), self.n_functions, self.exact,
                       np.zeros(0, dtype=np.int64) if row_mult is None else row_mult)

    def top(self, U, U_res, U_flt, layer):
        """Dense distribution of the output given iid units of hidden layer ``layer`` (1-based)."""
        from boolnet.exact._mlp_kernels import enumerate_multisets

        H = self.widths[layer]
        L = len(self.widths) - 2
        if layer == L == 1 and self.maps is not None and not self.use_gram:
            return self.symmetric_top(U, U_res, U_flt)
        M = _check_multisets(self.arch_text, len(U), H, layer)
        IDX = enumerate_multisets(len(U), H, M)
        self.multisets += M
        if layer == L:
            if self.use_gram:
                return self.gram(U, U_flt, IDX)
            return self._compose(U, U_res, U_flt, IDX, layer, True)
        # Deeper: for every multiset of this layer, the units of the next layer are iid with the
        # distribution of a unit above this multiset.
        K = len(self.primes)
        acc_res = np.zeros((K if self.exact else 0, self.n_functions), dtype=np.int64)
        acc_flt = np.zeros((0 if self.exact else 3, self.n_functions))
        hit = np.zeros(self.n_functions, dtype=bool)
        weights = self._weights(IDX, U_res, U_flt)
        rows = range(M)
        if self.progress and layer == 1:
            rows = progress_bar(iterable=rows, desc=f"exact {self.arch_text}", unit=" multiset", leave=False)
        for m in rows:
            res, flt, cmp, unit_hit = self._compose(U, U_res, U_flt, IDX[m:m + 1], layer, False)
            support = np.flatnonzero(unit_hit)
            U2 = support.astype(np.uint64)
            if self.exact:
                r2, f2 = res[:, support], np.zeros((3, 0))
            else:
                r2, f2 = np.zeros((0, len(support)), dtype=np.int64), (flt + cmp)[:, support]
            i_res, i_flt, i_cmp, i_hit = self.top(U2, np.ascontiguousarray(r2), np.ascontiguousarray(f2), layer + 1)
            hit |= i_hit
            self.outer_terms += 1
            if self.exact:
                w = weights[:, m][:, None]
                acc_res = (acc_res + (w * i_res) % self.primes[:, None]) % self.primes[:, None]
            else:
                acc_flt += weights[:, m][:, None] * (i_flt + i_cmp)
        return acc_res, acc_flt, np.zeros_like(acc_flt), hit


    def gram(self, U, U_flt, IDX):
        """Gaussian prior, last hidden layer: the output pre-activations z(x) over the inputs are
        jointly Gaussian with covariance K = c_w^2 sum_j c_j c_j^T + c_b^2 (c_j: the codes of unit j),
        which depends on a multiset only through its count matrix; P(f | multiset) is an orthant
        probability of K. Returns the same as :meth:`_compose` (float mode)."""
        from boolnet.exact.gaussian import _orthant_batch

        N, nF = self.N, self.n_functions
        M, H = IDX.shape
        prior = self.prior
        cw2 = Fraction(prior.sigma_w) ** 2 / (H if prior.fan_in_scaling else 1)
        cb2 = Fraction(prior.sigma_b) ** 2 if self.bias else Fraction(0)
        bits = np.array([[(int(u) >> x) & 1 for x in range(N)] for u in U], dtype=np.int64)
        C = bits if self.activation == "step" else 2 * bits - 1
        if self.skip0:
            C[:, 0] = 0
        outer = np.einsum("ta,tb->tab", C, C)
        counts = outer[IDX].sum(axis=1).reshape(M, N * N)
        uniq, inverse = np.unique(counts, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        weights = self._weights(IDX, None, U_flt)                  # (3, M)
        W = np.zeros((3, len(uniq)))
        for k in range(3):
            np.add.at(W[k], inverse, weights[k])
        self.gram_matrices = getattr(self, "gram_matrices", 0) + len(uniq)
        # K = (a * uniq + b) / (cw2.denominator * cb2.denominator): the integer numerator is enough here
        a, b = cw2.numerator * cb2.denominator, cb2.numerator * cw2.denominator
        Kint = a * uniq.reshape(-1, N, N) + b                          # the denominator times K, exact integers
        if self.skip0:
            Kint[:, 0, :] = 0
            Kint[:, :, 0] = 0
        full = nonsingular(Kint)
        half = np.arange(nF // 2)                      # f and not f: the same orthant probability
        signs = 2 * ((half[:, None] >> np.arange(N)[None, :]) & 1) - 1   # +1 where f(x) = 1
        # every term W * p is kept and each sum is rounded once (math.fsum)
        terms = [[[] for _ in range(nF)] for _ in range(3)]
        hit = np.zeros(nF, dtype=bool)
        fi = np.flatnonzero(full)
        if len(fi):
            Kf = Kint[fi].astype(np.float64)
            sd = np.sqrt(np.einsum("kaa->ka", Kf))
            corr = Kf / (sd[:, :, None] * sd[:, None, :])
            stack = corr[:, None, :, :] * signs[None, :, :, None] * signs[None, :, None, :]
            stack = stack.reshape(-1, N, N)
            idx = np.arange(N)
            stack[:, idx, idx] = 1.0
            dcs = np.full(len(stack), 4 * _EPS)
            p, e = _orthant_batch(np.ascontiguousarray(stack), dcs, 1e-13)
            p = p.reshape(len(fi), len(half))
            e = e.reshape(len(fi), len(half))
            for j, f in enumerate(half.tolist()):
                parts = (W[0, fi] * p[:, j], W[1, fi] * np.maximum(p[:, j] - e[:, j], 0.0),
                         W[2, fi] * (p[:, j] + e[:, j]))
                for g in (f, nF - 1 - f):
                    for k in range(3):
                        terms[k][g].append(math.fsum(parts[k]))
                    hit[g] |= bool(np.any(p[:, j] > 0))
        # Singular covariances: the recipe (basis, triangulation) depends only on which hidden
        # functions are present; the covariances of the simplicial cones are batched by dimension.
        batches: dict[int, tuple[list, list]] = {}
        for q in np.flatnonzero(~full):
            key_s = row_space_key(Kint[q])
            Kq = Kint[q]
            for f in range(nF):
                key = (key_s, f)
                if key not in self._orthant_memo:
                    Mq = [[Fraction(int(v)) for v in row] for row in Kq]
                    self._orthant_memo[key] = _orthant_recipe(Mq, tuple((f >> x) & 1 for x in range(N)))
                recipe = self._orthant_memo[key]
                if recipe is None:
                    continue
                inputs, sg, adjs = recipe
                hit[f] = True
                if not adjs:
                    for k in range(3):
                        terms[k][f].append(W[k, q])
                    continue
                sgn = np.array(sg, dtype=np.int64)
                cov_I = Kq[np.ix_(inputs, inputs)] * sgn[:, None] * sgn[None, :]
                for adj in adjs:
                    c = adj.T @ cov_I @ adj
                    stacks, owners = batches.setdefault(len(inputs), ([], []))
                    stacks.append(c)
                    owners.append((q, f))
        for r, (stacks, owners) in batches.items():
            c = np.array(stacks, dtype=np.float64)
            sd = np.sqrt(np.einsum("kaa->ka", c))
            corr = c / (sd[:, :, None] * sd[:, None, :])
            idx = np.arange(r)
            corr[:, idx, idx] = 1.0
            p, e = _orthant_batch(np.ascontiguousarray(corr), np.full(len(c), 4 * _EPS), 1e-13)
            for (q, f), pv, ev in zip(owners, p, e):
                terms[0][f].append(W[0, q] * pv)
                terms[1][f].append(W[1, q] * max(pv - ev, 0.0))
                terms[2][f].append(W[2, q] * (pv + ev))
        acc = np.array([[math.fsum(t) for t in channel] for channel in terms])
        # rounding: the weights merged into one covariance are summed naively, every other sum is
        # exactly rounded (fsum of sums adds one rounding per level)
        self.outer_terms += int(np.bincount(inverse).max()) + 4
        return np.zeros((0, nF), dtype=np.int64), acc, np.zeros_like(acc), hit

    def symmetric_top(self, U, U_res, U_flt):
        """One hidden layer, reduced by the input symmetry group ``self.maps``.

        With A(f) = sum over canonical multisets m of |orbit(m)| W_m d_m(f), the distribution is
        P(f) = (1/|G|) sum over g of A(g.f): returns |G| P (the caller divides).
        """
        from boolnet.exact._mlp_kernels import canonical_multisets

        maps = self.maps
        Gn, N = maps.shape
        T, H = len(U), self.widths[1]
        _check_multisets(self.arch_text, T, H, 1, Gn)
        index = {int(u): t for t, u in enumerate(U.tolist())}
        bits = ((U[:, None] >> np.arange(N, dtype=np.uint64)[None, :]) & np.uint64(1)).astype(np.uint64)
        weights = np.uint64(1) << np.arange(N, dtype=np.uint64)
        P = np.empty((Gn, T), dtype=np.int32)
        for g in range(Gn):
            images = (bits[:, maps[g]] * weights[None, :]).sum(axis=1)
            P[g] = [index[int(v)] for v in images.tolist()]
        reps = np.flatnonzero(P.min(axis=0) == np.arange(T)).astype(np.int32)
        count = canonical_multisets(P, T, H, reps, False, np.zeros((0, H), np.int32), np.zeros(0, np.int64))
        IDX = np.zeros((count, H), dtype=np.int32)
        orbit = np.zeros(count, dtype=np.int64)
        canonical_multisets(P, T, H, reps, True, IDX, orbit)
        self.multisets += count
        self.full_multisets = _multiset_count(T, H)
        res, flt, cmp, hit = self._compose(U, U_res, U_flt, IDX, 1, True, orbit)
        # symmetrise over the group: (g.f)(x) = f(maps[g][x])
        F = self.n_functions
        fbits = ((np.arange(F, dtype=np.int64)[:, None] >> np.arange(N)[None, :]) & 1)
        fweights = np.int64(1) << np.arange(N, dtype=np.int64)
        sym_hit = np.zeros(F, dtype=bool)
        if self.exact:
            out = np.zeros_like(res)
        else:
            tot = flt + cmp
            out = np.zeros_like(tot)
        for g in range(Gn):
            image = (fbits[:, maps[g]] * fweights[None, :]).sum(axis=1)
            sym_hit |= hit[image]
            if self.exact:
                out = (out + res[:, image]) % self.primes[:, None]
            else:
                out += tot[:, image]
        self.outer_terms += Gn
        if self.exact:
            return out, np.zeros((0, F)), np.zeros((0, F)), sym_hit
        return np.zeros((0, F), dtype=np.int64), out, np.zeros_like(out), sym_hit

    def _weights(self, IDX, U_res, U_flt):
        """Multinomial weight times probabilities of every multiset: (K, M) residues or (3, M) floats."""
        M, H = IDX.shape
        counts = [math.factorial(H) // math.prod(math.factorial(list(row).count(v)) for v in set(row.tolist()))
                  for row in IDX]
        if self.exact:
            out = np.empty((len(self.primes), M), dtype=np.int64)
            for k, p in enumerate(self.primes.tolist()):
                for m in range(M):
                    w = counts[m] % p
                    for j in IDX[m].tolist():
                        w = w * int(U_res[k, j]) % p
                    out[k, m] = w
            return out
        out = np.array(counts, dtype=np.float64)[None, :].repeat(3, axis=0)
        for j in range(H):
            out *= U_flt[:, IDX[:, j]]
        return out


@dataclass(frozen=True)
class _Network:
    """The checked arguments of :func:`exact_mlp_table` and what follows from them."""

    widths: tuple
    activation: str
    prior: Prior
    encoding: str
    bias: bool

    @property
    def arch_text(self) -> str:
        return "-".join(str(w) for w in self.widths)

    @property
    def n(self) -> int:
        return self.widths[0]

    @property
    def L(self) -> int:
        """Number of hidden layers."""
        return len(self.widths) - 2

    @property
    def code_encoding(self) -> str:
        """Encoding of the hidden codes, which the units above see as their inputs."""
        return "01" if self.activation == "step" else "pm1"

    @property
    def skip0(self) -> bool:
        """Sign units without biases output 0 on input 0...0, a code no unit above sees (module docstring)."""
        return self.activation == "sign" and self.encoding == "01" and not self.bias and self.L > 0

    @property
    def use_gram(self) -> bool:
        """Whether the last hidden layer goes by the covariance of the output pre-activations."""
        return (self.prior.kind == "gaussian" and self.n <= GRAM_MAX_N and self.L > 0
                and self.widths[self.L] >= GRAM_MIN_WIDTH)


@dataclass
class _Sums:
    """The probabilities of the functions with positive probability, before they become a table.

    Exact: ``numerators`` over ``den``. Otherwise: ``value``, ``low``, ``high`` and the relative
    floating-point allowance ``rel`` added to every error bound.
    """

    functions: np.ndarray
    exact: bool
    den: int | None = None
    numerators: list | None = None
    value: np.ndarray | None = None
    low: np.ndarray | None = None
    high: np.ndarray | None = None
    rel: float = 0.0
    run: _Run | None = None


def _check_arguments(arch, activation, prior, encoding, bias) -> _Network:
    """Refuse bad arguments before any work, and fill in the default prior.

    Every check that can fail runs here, so a bad call costs nothing and names the parameter.
    """
    if activation not in ACTIVATIONS:
        raise BoolnetError(f"activation {activation!r} has no exact engine: use one of {', '.join(ACTIVATIONS)} "
                           f"(sample relu, tanh and linear networks with boolnet.sampling.sample_table)",
                           param="activation")
    if encoding not in ("01", "pm1"):
        raise BoolnetError(f"encoding {encoding!r} is unknown: use '01' or 'pm1'", param="encoding")
    if prior is None:
        prior = Prior()
    if not isinstance(prior, Prior):
        raise BoolnetError("prior must be a boolnet.priors.Prior, e.g. Prior('uniform', fan_in_scaling=False)",
                           param="prior")
    prior.require_scalar("the exact MLP engine")
    if not isinstance(bias, (bool, np.bool_)):
        raise BoolnetError(f"bias must be True or False, got {bias!r}", param="bias")
    widths = _parse(arch, gram_ok=prior.kind == "gaussian")
    return _Network(widths, activation, prior, encoding, bool(bias))


def _first_layer(net: _Network) -> _Perceptron:
    """Every threshold function a first-layer unit computes, with its probability.

    The first-layer units are perceptrons of the network's inputs, independent of each other,
    so one perceptron table serves them all.
    """
    return _perceptron(net.n, net.prior, net.encoding, net.bias)


def _input_symmetries(net: _Network) -> tuple[np.ndarray | None, int]:
    """The input symmetry group, as maps of the inputs, when the run composes canonical multisets only.

    Only one hidden layer is reduced: deeper layers see distributions of functions that are not
    closed under the group, and the covariance path enumerates its own multisets. Returns
    ``(maps, |G|)``, or ``(None, 1)`` when no reduction applies.
    """
    if not (USE_INPUT_SYMMETRY and net.L == 1 and not net.use_gram):
        return None, 1
    from boolnet.functions import symmetry_input_maps

    maps = np.ascontiguousarray(symmetry_input_maps(net.n, net.encoding), dtype=np.int64)
    return maps, len(maps)


def _upper_units(net: _Network) -> dict:
    """Every threshold function of each unit above a hidden layer, with its probability.

    ``{l: _Perceptron}`` for the unit above hidden layer ``l`` (1-based), over that layer's codes;
    the last layer's entry is None on the covariance path, which needs no table (and lifts the
    width limit that the table imposes).
    """
    L = net.L
    if L == 0:
        return {}
    tables = {layer: _perceptron(net.widths[layer], net.prior, net.code_encoding, net.bias) for layer in range(1, L)}
    tables[L] = None if net.use_gram else _perceptron(net.widths[L], net.prior, net.code_encoding, net.bias)
    return tables


def _perceptron_sums(first: _Perceptron, exact: bool) -> _Sums:
    """No hidden layer: the network is the perceptron, and its table is the answer."""
    functions = first.tables.astype(np.int64)
    if exact:
        return _Sums(functions, True, den=first.denominator, numerators=list(first.numerators))
    value, low, high = first.channels()
    return _Sums(functions, False, value=value, low=low, high=high, rel=0.0)


def _common_denominator(net: _Network, first: _Perceptron, tables: dict, group: int) -> int:
    """A denominator of every exact probability of the network (times ``group``).

    Each term of the nested sum is a product of one first-layer probability per first-layer unit,
    one probability per unit of every layer above, and the output's, so the product of their
    tables' denominators with those multiplicities clears them all; the symmetrised sum is ``group``
    times the distribution.
    """
    widths, L = net.widths, net.L
    den = first.denominator ** widths[1]
    for layer in range(2, L + 1):
        den *= tables[layer - 1].denominator ** widths[layer]
    den *= tables[L].denominator
    den *= group
    return den


def _network_sums(net: _Network, first: _Perceptron, tables: dict, exact: bool, maps, group: int,
                  progress: bool) -> _Sums:
    """Evaluate the nested sum over multisets of hidden functions (module docstring).

    Exact mode carries integer numerators modulo enough primes to rebuild every one of them
    (:func:`boolnet.exact._rational.crt`) and checks that they sum to the denominator exactly.
    Float mode carries the value and its lower and upper ends, and adds a floating-point allowance
    for the roundings of products and sums.
    """
    if exact:
        den = _common_denominator(net, first, tables, group)
        primes = primes_covering(den)
    else:
        den, primes = None, []
    run = _Run(net.arch_text, net.widths, tables, exact, primes, net.skip0, progress, prior=net.prior,
               activation=net.activation, bias=net.bias, use_gram=net.use_gram, maps=maps)
    U = first.tables.astype(np.uint64)
    if exact:
        U_res = residues(first.numerators, primes)
        U_flt = np.zeros((3, 0))
    else:
        U_res = np.zeros((0, len(U)), dtype=np.int64)
        U_flt = first.channels()
    acc_res, acc_flt, acc_cmp, hit = run.top(U, U_res, np.ascontiguousarray(U_flt), 1)
    functions = np.flatnonzero(hit)
    if exact:
        numerators = [crt(acc_res[:, f].tolist(), primes) for f in functions]
        if sum(numerators) != den:
            raise AssertionError("exact MLP probabilities do not sum to 1 (CRT range too small?)")
        return _Sums(functions, True, den=den, numerators=numerators, run=run)
    total = (acc_flt + acc_cmp) / group
    value, low, high = total[0, functions], total[1, functions], total[2, functions]
    # floating-point allowance: products of <= H + 2 factors, histogram sums of up to |G|
    # terms, compensated sums, outer sums; relative to the upper bound, with margin 2
    rel = 0.0
    for layer in range(1, net.L + 1):
        rel += ((len(tables[layer].tables) if tables[layer] is not None else 0) + net.widths[layer] + 10) * _EPS
    rel += (run.outer_terms + 4) * _EPS
    rel *= 2.0
    return _Sums(functions, False, value=value, low=low, high=high, rel=rel, run=run)


def _table(sums: _Sums, n: int) -> tuple[pd.DataFrame, np.ndarray | None]:
    """The rows of the table, most probable first (ties by function), and their error bounds.

    Exact rows carry the fraction and equal floats as all three columns (error bounds None).
    Float rows widen ``value -+ error`` to outward-rounded bounds and drop functions whose value
    is 0.
    """
    names = [string_from_int(f, n) for f in sums.functions]
    if sums.exact:
        fracs = [Fraction(k, sums.den) for k in sums.numerators]
        order = sorted(range(len(names)), key=lambda i: (-fracs[i], names[i]))
        p = np.array([float(fracs[i]) for i in order])
        return pd.DataFrame({
            "function": [names[i] for i in order],
            "probability": p,
            "probability_low": p,
            "probability_high": p,
            "probability_exact": [str(fracs[i]) for i in order],
        }), None
    value, low, high = (np.asarray(a, dtype=np.float64) for a in (sums.value, sums.low, sums.high))
    err = np.maximum(high - value, value - low) + sums.rel * high
    keep = value > 0
    idx = np.flatnonzero(keep)
    # equal probabilities (symmetric functions) may differ in the last bits: sort by 12 digits
    order = sorted(idx.tolist(), key=lambda i: (-float(f"{value[i]:.12g}"), names[i]))
    lo, hi = bounds_from_error(value[order], err[order])
    return pd.DataFrame({
        "function": [names[i] for i in order],
        "probability": value[order],
        "probability_low": lo,
        "probability_high": hi,
    }), err[order]


def _metadata(net: _Network, sums: _Sums, df: pd.DataFrame, err: np.ndarray | None, group: int) -> dict:
    """The table's metadata: the setup, the method, the run's counts and the sums' checks."""
    exact, run = sums.exact, sums.run
    meta = {
        "volume_method": "exact" if exact else "quadrature",
        "n": net.n,
        "architecture": net.arch_text,
        "activation": net.activation,
        **net.prior.metadata(),
        "encoding": net.encoding,
        "bias": net.bias,
        "method": ("exact MLP engine: sum over multisets of hidden threshold functions of products of perceptron "
                   "volumes" + (" (exact rationals, multi-modular integer arithmetic)" if exact else
                                " (floats with propagated error bounds)")),
        "functions": int(len(df)),
    }
    if run is not None:
        meta.update({"multisets": int(run.multisets), "code_sets": int(run.code_sets)})
        if run.maps is not None:
            meta["multisets_without_symmetry"] = int(run.full_multisets)
            meta["input_symmetries"] = int(group)
        if net.use_gram:
            meta["method"] += ("; last hidden layer by the covariance of the output pre-activations "
                               "(orthant probabilities of distinct covariance matrices)")
            meta["covariance_matrices"] = int(getattr(run, "gram_matrices", 0))
    if exact:
        meta["probability_sum_exact"] = str(sum(Fraction(k, sums.den) for k in sums.numerators))
        meta["probability_sum"] = float(df["probability"].sum())
    else:
        meta["probability_sum"] = float(df["probability"].sum())
        meta["error_bound_sum"] = float(err.sum())
        meta["error_bound_max"] = float(err.max()) if len(err) else 0.0
    try:
        from boolnet import __version__ as version

        meta["boolnet_version"] = version
    except ImportError:  # pragma: no cover
        pass
    return meta


def exact_mlp_table(arch, *, activation: str = "step", prior: Prior | None = None, encoding: str = "01",
                    bias: bool = True, progress: bool = False) -> pd.DataFrame:
    """Exact probability of every function a step- or sign-activation MLP computes.

    Parameters
    ----------
    arch : str
        ``"N-H-1"``, ``"N-H1-H2-1"`` (deeper works the same way; ``"N-1"`` is the perceptron).
        ``1 <= N <= 4`` inputs, hidden widths ``1..5`` (gaussian prior with ``N <= 2``: the last
        hidden layer up to 8); the cost grows as ``C(T + H - 1, H)`` with ``T`` the number of
        threshold functions of the layer below (14, 104, 1882 for n = 2, 3, 4), divided by the
        input symmetries for one hidden layer (4-3-1, the largest, takes minutes): timings in
        docs/exact_mlp.md.
    activation : {"step", "sign"}
        Hidden units output 0/1 (step) or -1/+1 (sign); ``step(0) = sign(0) = 0``. The output unit
        is 1 iff its pre-activation is > 0.
    prior : boolnet.priors.Prior, optional
        Default: gaussian, ``sigma_w = sigma_b = 1``, fan-in scaling (each unit scaled by its own
        layer's input count).
    encoding : {"01", "pm1"}
        Encoding of the network's inputs (hidden codes are fixed by the activation).
    bias : bool
        False: no biases in any layer.
    progress : bool
        Progress bar on stderr (deep networks only).

    Returns
    -------
    pandas.DataFrame
        One row per function with positive probability, most probable first (ties by function):
        ``function``, ``probability``, ``probability_low``, ``probability_high`` and, when every
        perceptron volume is an exact rational (uniform prior, rational box),
        ``probability_exact`` (fraction string; they sum to exactly 1). Otherwise the bounds are
        ``probability -+`` a proven error bound propagated from the perceptron bounds.
        Metadata in ``df.attrs["boolnet"]`` (``volume_method`` ``"exact"`` or ``"quadrature"``).

    Raises
    ------
    boolnet.errors.BoolnetError
        Bad ``arch``, ``activation``, ``prior`` or ``encoding``, or a network beyond the limits.

    Examples
    --------
    >>> cube = Prior("uniform", fan_in_scaling=False)
    >>> t = exact_mlp_table("2-2-1", prior=cube)
    >>> len(t)                                      # all 16 functions, XOR and XNOR included
    16
    >>> t.loc[t.function == "0110", "probability_exact"].item()
    '7/9216'
    >>> t.attrs["boolnet"]["probability_sum_exact"]
    '1'
    """
    start = time.perf_counter()
    net = _check_arguments(arch, activation, prior, encoding, bias)
    first = _first_layer(net)
    maps, group = _input_symmetries(net)
    if net.L:  # before the tables of the units above, which can be the expensive part
        _check_multisets(net.arch_text, len(first.tables), net.widths[1], 1, group)
    tables = _upper_units(net)
    exact = first.exact and all(t is not None and t.exact for t in tables.values())
    if net.L:
        sums = _network_sums(net, first, tables, exact, maps, group, progress)
    else:
        sums = _perceptron_sums(first, exact)
    df, err = _table(sums, net.n)
    meta = _metadata(net, sums, df, err, group)
    meta["seconds"] = time.perf_counter() - start
    return attach(df, meta)


__all__ = ["exact_mlp_table", "ACTIVATIONS", "MAX_N", "MAX_WIDTH"]
