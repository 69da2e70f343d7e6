"""Rare-event estimates of P(f) and of the evidence P(S), far below what a sampler sees.

:func:`estimate_table` estimates the prior probability of chosen functions by
generalised adaptive multilevel splitting (the method, score, moves and interval:
:mod:`boolnet.estimate.splitting`; docs/estimate.md); :func:`evidence` estimates
``P(S)`` for a training set, and ``estimate_table(..., target=T, train=S)`` gives the
posterior ``P_B(f | S)``; :func:`pac_bayes_bound` turns an evidence into the
PAC-Bayes bound of Valle-Pérez et al. (2018); :func:`posterior_errors` reads the
test error of the posterior restricted to ``S`` off the evidence's final particles. Names are imported on first use.
"""

from __future__ import annotations

from boolnet._lazy import lazy_exports

_EXPORTS = {
    "estimate_table": "boolnet.estimate.estimator",
    "evidence": "boolnet.estimate.estimator",
    "pac_bayes_bound": "boolnet.estimate.estimator",
    "provably_zero": "boolnet.estimate.estimator",
    "posterior_errors": "boolnet.estimate.posterior",
}

__all__ = list(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
