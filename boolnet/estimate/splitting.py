"""Generalised adaptive multilevel splitting (AMS) over a network's parameter prior: the estimator's engine.

Why this method
---------------
``P(f)`` is the prior mass of the set ``A = {theta: the network computes f}``. Plain
sampling needs about ``1/P(f)`` draws to see ``f`` once; splitting reaches ``A``
through a chain of nested sets ``{score > L_1} ⊃ {score > L_2} ⊃ ... ⊃ A`` and
multiplies the conditional fractions. Of the splitting schemes we use *adaptive
multilevel splitting* in its *generalised* form (Cérou & Guyader 2007; Bréhier,
Gazeau, Goudenège, Lelièvre & Rousset 2016, "Unbiasedness of some generalized adaptive
multilevel splitting algorithms", Ann. Appl. Probab.):

* the levels are chosen from the population itself (the ``q``-th smallest score), so
  no level schedule has to be tuned per function;
* every particle whose score is ``<= L`` is killed (not just ``q`` of them), which keeps
  the estimator *unbiased* when scores are tied - they are, for step/sign hidden units
  and for structural ties at ``z = 0`` - and the level factor is ``1 - K/N`` with ``K``
  the number actually killed (all ``N`` killed: the replica's estimate is 0);
* the unbiased replica estimates of independent runs give a confidence interval from
  their spread, with no asymptotic variance formula to trust (see
  :func:`combine_replicas`). Subset simulation with a fixed fraction ``p0 = 0.1`` kept per
  level is biased for a finite population, and noisier for the same work: its relative
  variance is about ``3.9 ln(1/P) / N`` for ``0.43 N T ln(1/P)`` evaluations (``T`` moves
  per particle and level), against ``1.44 ln(1/P) / N`` for ``0.72 N T ln(1/P)`` here with
  half the population killed per level, so about 1.7 times the variance per evaluation.

The score
---------
For target ``f`` and output pre-activations ``z_i`` on the inputs considered (all
``2**n``, or the training set ``S`` for the evidence), the margins are ``m_i = z_i``
where ``f_i = 1`` and ``-z_i`` where ``f_i = 0``. Input ``i`` disagrees when
``z_i <= 0`` with ``f_i = 1`` or ``z_i > 0`` with ``f_i = 0`` (the output rule "1 iff
z > 0"). With ``V`` the number of disagreeing inputs and
``t = sum_i max(-m_i, 0) / ||z||_2`` (scale-invariant),
``score = -(V + t / (1 + t))``. So ``score <= 0``, ``score = 0`` exactly when the
network computes ``f`` (on the inputs considered), ``-1 < score`` iff ``V = 0`` and
the integer part counts disagreements: the levels are "agrees on at least k inputs",
refined by the continuous margin so that they are rarely tied.

The moves
---------
Killed particles are replaced by copies of uniformly chosen survivors, each then moved
``moves`` times by a Metropolis kernel that leaves the prior invariant, restricted to
``{score > L}`` (a proposal is accepted iff its score is above the level):

* Gaussian prior: preconditioned Crank-Nicolson, ``theta' = sqrt(1 - beta^2) theta +
  beta sigma xi`` with ``xi ~ N(0, I)`` and ``sigma`` the per-parameter prior scales
  (:meth:`boolnet.network.NetworkSpec.parameter_scales`, per-layer sigmas included);
  it is reversible for the prior, so the acceptance rule needs only the level.
* Uniform prior: a random walk ``theta + beta a xi`` (``a`` the half-widths) reflected
  into the box: a symmetric proposal on the box, reversible for the uniform law.

Each layer's parameters (weights and biases) are moved as one block, ``moves`` times per
level, with its own ``beta``, adapted per replica between levels towards an acceptance
rate of 0.3 (one block, all parameters, for a perceptron). Networks with hidden layers
then get ``unit_moves`` proposals per hidden layer that redraw one random hidden unit
(its incoming weights and bias and its outgoing weights) afresh from the prior, accepted
iff the score stays above the level: an independence Metropolis move for the prior
restricted to the level set, and the one that lets populations cross the plateaus of
wide networks (on 7-40-40-1 it raised the replica estimates of a deep-tail target from
1e-21 - 1e-25 to 1e-18.6 - 1e-19.6, and shrank their spread from 4 orders of magnitude to 1).
Piecewise-constant scores (step/sign units) do not block the moves: acceptance only asks
``score > L``, and the output layer always varies the score continuously.

Limits: the estimate is only as good as the moves' mixing. On wide networks (7-40-40-1)
and targets far out in the tail, the population can collapse onto a thin sliver of
``{score > L}``, where ``beta`` shrinks and the levels creep within one agreement count:
replicas then differ by many orders of magnitude and the interval says so (docs/estimate.md).

Stalls: a replica whose best agreement count has not improved for ``patience`` levels,
or whose running product fell below ``floor``, stops; its estimate is 0 and the
product reached, an estimate of ``P(score > L) >= P(f)``, is kept as an upper bound.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from boolnet.network import NetworkSpec

#: Acceptance rate the step size of the moves is adapted to.
TARGET_ACCEPTANCE = 0.3
#: Smallest and largest step size (beta = 1 is an independent draw from the prior for pCN).
BETA_RANGE = (1e-4, 1.0)


#: Hidden-layer width from which networks are evaluated by the numba kernel rather than NumPy.
KERNEL_WIDTH = 16


class Forward:
    """Output pre-activations of a batch of networks on given inputs, in float64 (vectorised NumPy)."""

    def __init__(self, spec: NetworkSpec, rows: np.ndarray):
        self.spec = spec
        n = spec.arch.n
        shifts = np.arange(n - 1, -1, -1, dtype=np.int64)
        bits = ((np.asarray(rows, dtype=np.int64)[:, None] >> shifts[None, :]) & 1).astype(np.float64)
        self.X = 2.0 * bits - 1.0 if spec.pm1 else bits  # (I, n)
        self.act = spec.activation

    def _activate(self, a: np.ndarray) -> np.ndarray:
        act = self.act
        if act == "relu":
            return np.maximum(a, 0.0, out=a)
        if act == "tanh":
            return np.tanh(a, out=a)
        if act == "step":
            return (a > 0).astype(np.float64)
        if act == "sign":
            return np.sign(a)
        return a  # linear

    def __call__(self, theta: np.ndarray) -> np.ndarray:
        """``z`` of shape ``(M, I)`` for parameter vectors ``theta`` of shape ``(M, P)``.

        Networks with a hidden layer of :data:`KERNEL_WIDTH` units or more go through the numba kernel
        (one thread per network, fixed order: the same values for any thread count); smaller ones through
        NumPy, whose batched products of tiny matrices cost less than a kernel launch. The choice depends on the
        architecture only.
        """
        M = theta.shape[0]
        if self.spec.arch.hidden and max(self.spec.arch.hidden) >= KERNEL_WIDTH:
            from boolnet.estimate._splitting_kernels import preactivations

            out = np.empty((M, self.X.shape[0]))
            spec = self.spec
            preactivations(np.ascontiguousarray(theta, dtype=np.float64), self.X, spec.widths, spec.w_off,
                           spec.b_off, spec.act, out)
            return out
        layers = self.spec.split(theta)
        h = None
        last = len(layers) - 1
        for layer, (W, b) in enumerate(layers):
            fan_in, width = W.shape[1], W.shape[2]
            if layer == 0:  # one GEMM: X (I, n) @ W (n, M * width)
                a = (self.X @ np.ascontiguousarray(W.transpose(1, 0, 2)).reshape(fan_in, M * width))
                a = a.reshape(-1, M, width).transpose(1, 0, 2)
            elif width == 1:
                a = np.einsum("mik,mk->mi", h, W[:, :, 0])[:, :, None]
            else:
                a = np.matmul(h, W)
            if b is not None:
                a = a + b[:, None, :]
            if layer == last:
                return np.ascontiguousarray(a[:, :, 0])
            h = self._activate(np.ascontiguousarray(a))
        raise AssertionError("unreachable")  # pragma: no cover


def scores(z: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(score, V)`` of networks with pre-activations ``z`` (M, I) for target bits ``target`` (I,) (module doc)."""
    one = target.astype(bool)
    wrong = np.where(one, z <= 0, z > 0)
    V = wrong.sum(axis=1)
    neg = np.where(one, np.minimum(z, 0.0), np.minimum(-z, 0.0)).sum(axis=1)  # <= 0
    norm = np.sqrt(np.einsum("mi,mi->m", z, z))
    t = np.divide(-neg, norm, out=np.zeros_like(norm), where=norm > 0)
    return -(V + t / (1.0 + t)), V


def _fold(y: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Reflect ``y`` into the box ``[-a, a]`` (elementwise; any number of reflections)."""
    u = np.mod(y + a, 4.0 * a)
    return np.where(u > 2.0 * a, 4.0 * a - u, u) - a


class Splitter:
    """Runs replicas of generalised AMS for one target on one input set (see the module docstring)."""

    def __init__(self, spec: NetworkSpec, scales: np.ndarray, gaussian: bool, rows: np.ndarray,
                 target_bits: np.ndarray, *, particles: int, moves: int, patience: int, floor: float,
                 unit_moves: int = 0):
        self.forward = Forward(spec, rows)
        self.scales = np.asarray(scales, dtype=np.float64)
        self.gaussian = gaussian
        self.target = np.asarray(target_bits, dtype=np.uint8)
        self.N = particles
        self.q = max(1, particles // 2)
        self.moves = moves
        self.patience = patience
        self.log_floor = math.log(floor)
        self.evaluations = 0
        # One block of moves per layer (its weights and biases), each with its own adapted step.
        starts = [int(w) for w in spec.w_off] + [int(spec.n_parameters)]
        self.groups = list(zip(starts[:-1], starts[1:]))
        # Per hidden layer: the parameter indices of each unit (incoming weights, bias, outgoing weights).
        self.units = []
        widths = spec.arch.widths
        for l in range(len(widths) - 2):
            fan_in, width, nxt = widths[l], widths[l + 1], widths[l + 2]
            rows_ = []
            for j in range(width):
                idx = [int(spec.w_off[l]) + k * width + j for k in range(fan_in)]
                if spec.bias:
                    idx.append(int(spec.b_off[l]) + j)
                idx += [int(spec.w_off[l + 1]) + j * nxt + c for c in range(nxt)]
                rows_.append(idx)
            self.units.append(np.array(rows_, dtype=np.int64))
        self.unit_moves = unit_moves

    def _draw(self, rng, shape) -> np.ndarray:
        if self.gaussian:
            return rng.standard_normal(shape + self.scales.shape) * self.scales
        return rng.uniform(-1.0, 1.0, shape + self.scales.shape) * self.scales

    def _redraw_unit(self, rng, theta: np.ndarray) -> np.ndarray:
        """Independent proposal from the prior for one random hidden unit per network (its incoming weights and
        bias, and its outgoing weights): a Metropolis move for prior x indicator, accepted iff above the level."""
        layer = self.units[int(rng.integers(0, len(self.units)))]
        idx_of_unit = layer  # (width, k): the parameter indices of each unit of this layer
        M = theta.shape[0]
        j = rng.integers(0, idx_of_unit.shape[0], M)
        idx = idx_of_unit[j]  # (M, k)
        y = theta.copy()
        sc = self.scales[idx]
        if self.gaussian:
            fresh = rng.standard_normal(idx.shape) * sc
        else:
            fresh = rng.uniform(-1.0, 1.0, idx.shape) * sc
        np.put_along_axis(y, idx, fresh, axis=1)
        return y

    def _score(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.evaluations += theta.shape[0]
        return scores(self.forward(theta), self.target)

    def _propose(self, rng, theta: np.ndarray, beta: np.ndarray, group: int) -> np.ndarray:
        """A move of the parameters of layer ``group`` (all parameters for a perceptron) with steps ``beta``."""
        lo, hi = self.groups[group]
        y = theta.copy()
        part, scales = theta[:, lo:hi], self.scales[lo:hi]
        xi = rng.standard_normal(part.shape)
        b = beta[:, None]
        if self.gaussian:
            y[:, lo:hi] = np.sqrt(1.0 - b * b) * part + b * scales * xi
        else:
            y[:, lo:hi] = _fold(part + b * scales * xi, scales)
        return y

    def run(self, rng, replicas: int) -> dict:
        """``replicas`` independent runs in lockstep; returns per-replica arrays (see keys).

        ``log_estimate``, ``log_upper``, ``levels``: per replica (R,). ``theta`` (R, N, P) and ``score`` (R, N):
        each replica's population when it stopped; in a replica that reached the target, the particles with
        ``score >= 0`` compute it on the inputs considered and are approximately draws from the prior
        restricted to that set (used by :func:`boolnet.estimate.posterior.posterior_errors`).
        """
        N, R, P = self.N, replicas, self.scales.size
        theta = self._draw(rng, (R * N,))
        s, V = self._score(theta)
        theta = theta.reshape(R, N, P)
        s, V = s.reshape(R, N), V.reshape(R, N)
        logp = np.zeros(R)
        estimate = np.full(R, np.nan)  # log of the replica's estimate; -inf for 0
        upper = np.full(R, np.nan)      # log of the upper bound of a stalled or extinct replica
        levels = np.zeros(R, dtype=np.int64)
        beta = np.full((R, len(self.groups)), 1.0)
        best = V.min(axis=1)
        since = np.zeros(R, dtype=np.int64)
        active = np.ones(R, dtype=bool)
        while active.any():
            act = np.flatnonzero(active)
            L = np.partition(s[act], self.q - 1, axis=1)[:, self.q - 1]
            reached = L >= 0
            for r in act[reached]:  # the q-th smallest score is 0: at least N - q + 1 particles compute f
                estimate[r] = logp[r] + math.log(np.count_nonzero(s[r] >= 0) / N)
                active[r] = False
            act, L = act[~reached], L[~reached]
            if act.size == 0:
                break
            killed = s[act] <= L[:, None]
            K = killed.sum(axis=1)
            rows, parents, level_of = [], [], []
            for j, r in enumerate(act):
                if K[j] == N:  # every particle tied at the level: the generalised AMS estimate is 0
                    estimate[r], upper[r] = -np.inf, logp[r]
                    active[r] = False
                    continue
                logp[r] += math.log1p(-K[j] / N)
                levels[r] += 1
                if logp[r] < self.log_floor or since[r] >= self.patience:
                    estimate[r], upper[r] = -np.inf, logp[r]
                    active[r] = False
                    continue
                dead = np.flatnonzero(killed[j])
                alive = np.flatnonzero(~killed[j])
                rows.append(r * N + dead)
                parents.append(r * N + alive[rng.integers(0, alive.size, dead.size)])
                level_of.append(np.full(dead.size, L[j]))
            if not rows:
                continue
            rows, parents, level = np.concatenate(rows), np.concatenate(parents), np.concatenate(level_of)
            flat_theta, flat_s, flat_V = theta.reshape(R * N, P), s.reshape(-1), V.reshape(-1)
            x, xs, xV = flat_theta[parents].copy(), flat_s[parents].copy(), flat_V[parents].copy()
            owner = rows // N
            moved = np.unique(owner)
            counts = np.bincount(owner, minlength=R)[moved] * self.moves
            for g in range(len(self.groups)):
                accepted = np.zeros(rows.size)
                for _ in range(self.moves):
                    y = self._propose(rng, x, beta[owner, g], g)
                    ys, yV = self._score(y)
                    ok = ys > level
                    x[ok], xs[ok], xV[ok] = y[ok], ys[ok], yV[ok]
                    accepted += ok
                rate = np.bincount(owner, weights=accepted, minlength=R)[moved] / counts
                beta[moved, g] = np.clip(beta[moved, g] * np.exp(2.0 * (rate - TARGET_ACCEPTANCE)), *BETA_RANGE)
            for _ in range(self.unit_moves * len(self.units)):
                y = self._redraw_unit(rng, x)
                ys, yV = self._score(y)
                ok = ys > level
                x[ok], xs[ok], xV[ok] = y[ok], ys[ok], yV[ok]
            flat_theta[rows], flat_s[rows], flat_V[rows] = x, xs, xV
            new_best = V[moved].min(axis=1)
            improved = new_best < best[moved]
            best[moved] = np.minimum(best[moved], new_best)
            since[moved] = np.where(improved, 0, since[moved] + 1)
        # The final populations (R, N, P) and their scores: a replica that reached the target keeps its particles
        # with score >= 0 (those that compute it) untouched from then on; boolnet.estimate.posterior reads them.
        return {"log_estimate": estimate, "log_upper": upper, "levels": levels, "theta": theta, "score": s}


def combine_replicas(log_estimates: np.ndarray, log_uppers: np.ndarray, confidence: float = 0.95) -> dict:
    """Point estimate, interval and relative standard error from independent replica estimates.

    Every replica's estimate ``p_r`` is unbiased, so the point estimate is their mean.
    When all are positive, ``log p_r`` is close to normal (a sum of many level
    factors) and the interval is Cox's for the mean of a log-normal:
    ``ybar + s^2/2 +- t_{R-1} sqrt(s^2/R + s^4 / (2(R-1)))`` on the log scale. When some
    (not all) are 0, the t-interval of the raw estimates (clipped at 0). When all are
    0, the probability is reported as 0 and ``high`` is the mean of the replicas' upper
    bounds (``bound = True``).

    Examples
    --------
    >>> out = combine_replicas(np.log([1e-6, 2e-6, 1.5e-6, 1.2e-6]), np.full(4, np.nan))
    >>> round(out["probability"] * 1e6, 3), out["low"] < 1.425e-6 < out["high"], out["bound"]
    (1.425, True, False)
    """
    y = np.asarray(log_estimates, dtype=np.float64)
    R = y.size
    t = float(stats.t.ppf(0.5 + confidence / 2, R - 1))
    positive = np.isfinite(y)
    if not positive.any():
        ups = np.exp(np.asarray(log_uppers, dtype=np.float64))
        return {"probability": 0.0, "low": 0.0, "high": float(min(1.0, ups.mean())), "rel_error": math.nan,
                "bound": True}
    p = np.where(positive, np.exp(np.where(positive, y, 0.0)), 0.0)
    mean = float(p.mean())
    if positive.all():
        ybar, s2 = float(y.mean()), float(y.var(ddof=1))
        half = t * math.sqrt(s2 / R + s2 * s2 / (2 * (R - 1)))
        centre = ybar + s2 / 2
        low, high = math.exp(min(centre - half, 0.0)), math.exp(min(centre + half, 0.0))  # P <= 1: no overflow
        rel = math.sqrt(math.expm1(min(s2 / R, 700.0))) if s2 > 0 else 0.0
    else:
        se = float(p.std(ddof=1)) / math.sqrt(R)
        low, high = max(0.0, mean - t * se), mean + t * se
        rel = se / mean
    return {"probability": mean, "low": min(low, mean), "high": min(1.0, max(high, mean)), "rel_error": rel,
            "bound": False}
