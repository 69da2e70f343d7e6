"""Half-space regions of perceptron parameter space, exactly.

A perceptron computes f(x) = [w . x + b > 0]. With the augmented input
``a_x = (x, 1)`` (or ``a_x = x`` without a bias) and parameters
``theta = (w_1, ..., w_n, b)``, the set of parameters computing f is

    { theta : a_x . theta > 0 for f(x) = 1,  a_x . theta <= 0 for f(x) = 0 },

a polyhedral cone cut out by 2**n half-spaces. Written uniformly as
``g_x . theta >= 0`` with ``g_x = +a_x`` (f(x) = 1, strict) or ``g_x = -a_x``
(f(x) = 0), its irredundant half-spaces (facets) are computed exactly by
Normaliz (integer data, exact arithmetic), and sympy renders them as
inequalities in ``w1..wn, b``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import sympy

from boolnet.functions import bits_from_string, check_encoding, inputs, n_from_length, string_from_bits


@lru_cache(maxsize=None)
def augmented_inputs(n: int, encoding: str = "01", bias: bool = True) -> np.ndarray:
    """Row x is ``a_x``: the input in ``encoding`` followed by 1 for the bias.

    Examples
    --------
    >>> augmented_inputs(2).tolist()
    [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]
    >>> augmented_inputs(1, "pm1", bias=False).tolist()
    [[-1], [1]]
    """
    check_encoding(encoding)
    x = inputs(n, encoding, dtype=np.int64)
    if bias:
        x = np.hstack([x, np.ones((1 << n, 1), dtype=np.int64)])
    x.setflags(write=False)
    return x


def parameter_symbols(n: int, bias: bool = True) -> list[sympy.Symbol]:
    """sympy symbols ``w1..wn`` (and ``b``) in parameter order."""
    names = [f"w{k}" for k in range(1, n + 1)] + (["b"] if bias else [])
    return list(sympy.symbols(names, real=True)) if names else []


def constraint_rows(bits: np.ndarray, n: int, encoding: str = "01", bias: bool = True) -> np.ndarray:
    """``g_x = (2 f(x) - 1) a_x``: the region of f is ``{theta : g_x . theta >= 0}`` (strict where f = 1)."""
    a = augmented_inputs(n, encoding, bias)
    signs = 2 * np.asarray(bits, dtype=np.int64) - 1
    return a * signs[:, None]


def _primitive(v) -> tuple[int, ...]:
    v = [int(t) for t in v]
    g = np.gcd.reduce(np.abs(v)) if any(v) else 1
    return tuple(t // int(g) for t in v)


@dataclass
class Region:
    """The parameter region of one function.

    Attributes
    ----------
    function : str
        Truth table.
    feasible : bool
        Some parameter vector computes the function.
    full_dimensional : bool
        The region has positive volume (always true for feasible functions with a bias).
    facet_inputs : list of tuple of int
        One entry per irredundant half-space: the inputs whose hyperplane ``a_x . theta = 0`` it lies on
        (one input, except without a bias in pm1, where ``a_x = -a_{~x}`` share a hyperplane).
    facet_normals : list of tuple of int
        Primitive integer inward normals of the facets (``normal . theta >= 0``, strict where marked).
    facet_strict : list of bool
    equations : list of tuple of int
        Linear equations the region satisfies (lower-dimensional regions only).
    rays : list of tuple of int
        Extreme rays of the closed region (full-dimensional regions).
    """

    function: str
    n: int
    encoding: str
    bias: bool
    feasible: bool
    full_dimensional: bool
    facet_inputs: list = field(default_factory=list)
    facet_normals: list = field(default_factory=list)
    facet_strict: list = field(default_factory=list)
    equations: list = field(default_factory=list)
    rays: list = field(default_factory=list)

    @property
    def facets(self) -> int:
        """Number of irredundant half-spaces."""
        return len(self.facet_normals)

    def inequalities(self) -> list:
        """The facets (and equations) as sympy relations in ``w1..wn, b``."""
        syms = parameter_symbols(self.n, self.bias)
        rels = []
        for normal, strict in zip(self.facet_normals, self.facet_strict):
            expr = sum(int(c) * s for c, s in zip(normal, syms))
            if strict:
                rels.append(sympy.StrictGreaterThan(expr, 0))
            else:  # the input's own pre-activation is <= 0, as the output rule reads
                rels.append(sympy.LessThan(-expr, 0))
        for eq in self.equations:
            rels.append(sympy.Eq(sum(int(c) * s for c, s in zip(eq, syms)), 0))
        return rels

    def inequalities_text(self, latex: bool = False) -> str:
        """Facets (then equations) joined by ``; ``, terms in parameter order; ``infeasible`` if empty.

        Each facet is written as the sign condition on one input's pre-activation, e.g. ``w1 + b <= 0``.
        """
        if not self.feasible:
            return "infeasible"
        names = [str(s) for s in parameter_symbols(self.n, self.bias)]
        if latex:
            names = [sympy.latex(s) for s in parameter_symbols(self.n, self.bias)]
        parts = []
        for rel in self.inequalities():
            expr = rel.lhs - rel.rhs
            coeffs = [int(expr.coeff(s)) for s in parameter_symbols(self.n, self.bias)]
            op = {sympy.StrictGreaterThan: ">", sympy.LessThan: "<=", sympy.Equality: "="}[type(rel)]
            if latex:
                op = {">": ">", "<=": r"\leq", "=": "="}[op]
            parts.append(f"{_linear_text(coeffs, names)} {op} 0")
        if not parts:
            return "all parameters"
        return (", " if latex else "; ").join(parts)


def _linear_text(coeffs, names) -> str:
    """``2*w1 - w2 + b`` style text of a linear form, terms in parameter order."""
    out = ""
    for c, name in zip(coeffs, names):
        if c == 0:
            continue
        mag = "" if abs(c) == 1 else f"{abs(c)}*"
        if not out:
            out = ("-" if c < 0 else "") + mag + name
        else:
            out += (" - " if c < 0 else " + ") + mag + name
    return out or "0"


def region(table, encoding: str = "01", bias: bool = True) -> Region:
    """The exact half-space region of a function.

    Parameters
    ----------
    table : str or array of 0/1
        Truth table (character i is f(input i)).
    encoding : {"01", "pm1"}
    bias : bool

    Returns
    -------
    Region

    Examples
    --------
    >>> r = region("0001")                      # AND: three facets
    >>> r.feasible, r.facets
    (True, 3)
    >>> print(r.inequalities_text())
    w2 + b <= 0; w1 + b <= 0; w1 + w2 + b > 0
    >>> print(region("0001").inequalities_text(latex=True))
    w_{2} + b \\leq 0, w_{1} + b \\leq 0, w_{1} + w_{2} + b > 0
    >>> region("0110").feasible                 # XOR
    False
    """
    from boolnet.exact._normaliz import Cone

    if isinstance(table, str):
        bits = bits_from_string(table)
    else:
        bits = np.asarray(table, dtype=np.uint8)
    n = n_from_length(len(bits))
    name = string_from_bits(bits)
    a = augmented_inputs(n, encoding, bias)
    d = a.shape[1]
    zero_rows = ~a.any(axis=1)
    if np.any(bits[zero_rows] == 1):  # pre-activation is identically 0 there, so the output is 0
        return Region(name, n, encoding, bias, feasible=False, full_dimensional=False)
    if d == 0:
        return Region(name, n, encoding, bias, feasible=True, full_dimensional=False)
    g = constraint_rows(bits, n, encoding, bias)[~zero_rows]
    strict = bits[~zero_rows] == 1
    cone = Cone(inequalities=g.tolist())
    cone.Compute("SupportHyperplanes", "ExtremeRays")  # one Normaliz run for all we read below
    equations = [_primitive(e) for e in cone.Equations()]
    if equations:
        # Lower-dimensional: feasible iff no strict row vanishes on the whole cone, i.e. lies in the
        # row space of the equations (exact rank test in integers).
        eq = sympy.Matrix(equations)
        rank = eq.rank()
        for row in g[strict]:
            if sympy.Matrix.vstack(eq, sympy.Matrix([row.tolist()])).rank() == rank:
                return Region(name, n, encoding, bias, feasible=False, full_dimensional=False)
    normals = [_primitive(h) for h in cone.SupportHyperplanes()]
    prim_rows = [_primitive(r) for r in g]
    facet_inputs, facet_strict = [], []
    input_ids = np.flatnonzero(~zero_rows)
    for h in normals:
        on = tuple(int(input_ids[k]) for k, r in enumerate(prim_rows) if r == h)
        facet_inputs.append(on)
        facet_strict.append(any(bits[i] == 1 for i in on))
    order = sorted(range(len(normals)), key=lambda k: facet_inputs[k] or (1 << 30,))
    normals = [normals[k] for k in order]
    facet_inputs = [facet_inputs[k] for k in order]
    facet_strict = [facet_strict[k] for k in order]
    rays = [] if equations else [tuple(int(t) for t in r) for r in cone.ExtremeRays()]
    return Region(
        name, n, encoding, bias, feasible=True, full_dimensional=not equations,
        facet_inputs=facet_inputs, facet_normals=normals, facet_strict=facet_strict,
        equations=equations, rays=rays,
    )
