"""The parameter priors shared by every command.

``gaussian`` (default): weights ~ N(0, (sigma_w * s)**2), biases ~ N(0, sigma_b**2).
``uniform``: weights ~ U[-sigma_w * s, sigma_w * s], biases ~ U[-sigma_b, sigma_b].
``s = 1 / sqrt(fan_in)`` by default (the literature's convention), or 1 with
``fan_in_scaling=False`` (``--no-fan-in-scaling``). All parameters independent.

Per-layer scales (the sampler only): ``sigma_w`` and ``sigma_b`` may each be a list
with one value per layer with parameters (the hidden layers, then the output unit),
given as a sequence or as text ``"1,2,0.5"``; ``VALUExK`` repeats a value ``K`` times
(``"1/64x10,1"``: ten hidden layers with 1/64, then the output with 1). This expresses
the published samplers' bias conventions, e.g. the "inbuilt Occam's razor" code's
hidden biases of std ``sigma_b * sigma_w / 64`` and output bias ``sigma_b * sigma_w``
on ``7-64x10-1``: ``Prior(sigma_w=1, sigma_b="1/64x10,1")``. The exact engines need one
value per prior and refuse lists (:meth:`Prior.require_scalar`).
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from fractions import Fraction

from boolnet.errors import BoolnetError

PRIORS = ("gaussian", "uniform")
#: Names a prior can be given by: the kinds, and "cube" (uniform on [-sigma, sigma] without fan-in scaling).
PRIOR_NAMES = PRIORS + ("cube",)


#: Sigmas are refused outside this range: beyond it float32 parameters overflow or underflow to zero.
SIGMA_RANGE = (Fraction(1, 10**30), Fraction(10**30))


def parse_sigma(value, name: str) -> Fraction:
    """Read a sigma given as text or number into an exact positive Fraction.

    ``"0.1"`` becomes exactly 1/10, so a uniform box given in decimals stays rational.

    Examples
    --------
    >>> parse_sigma("0.1", "sigma_w")
    Fraction(1, 10)
    >>> parse_sigma("1e400", "sigma_w")
    Traceback (most recent call last):
    ...
    boolnet.errors.BoolnetError: sigma_w 1e400 is out of range: use a value between 1e-30 and 1e+30
    """
    text = str(value).strip()
    exponent = re.search(r"[eE]([+-]?\d+)$", text)
    if len(text) > 64 or (exponent and abs(int(exponent.group(1))) > 400):  # Fraction would build 10**exponent
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise BoolnetError(f"{name} {shown} is out of range: use a value between {float(SIGMA_RANGE[0]):g} and "
                           f"{float(SIGMA_RANGE[1]):g}", param=name)
    try:
        frac = Fraction(text)
    except (ValueError, ZeroDivisionError, OverflowError):
        raise BoolnetError(f"{name} must be a positive number, got {value!r}", param=name) from None
    if frac <= 0:
        hint = "; to drop the biases use bias=False" if name == "sigma_b" else ""
        raise BoolnetError(f"{name} must be > 0, got {value}{hint}", param=name)
    low, high = SIGMA_RANGE
    if not low <= frac <= high:
        raise BoolnetError(f"{name} {value} is out of range: use a value between {float(low):g} and "
                           f"{float(high):g}", param=name)
    return frac


def parse_sigmas(value, name: str):
    """A sigma (:func:`parse_sigma`) or, for a list, a tuple of per-layer sigmas.

    A list is a sequence of values or text with commas and/or ``VALUExK`` repeats.

    Examples
    --------
    >>> parse_sigmas("2", "sigma_b")
    Fraction(2, 1)
    >>> parse_sigmas("1/64x2,1", "sigma_b")
    (Fraction(1, 64), Fraction(1, 64), Fraction(1, 1))
    >>> parse_sigmas([1, "0.5"], "sigma_w")
    (Fraction(1, 1), Fraction(1, 2))
    """
    if isinstance(value, (list, tuple)):
        items = list(value)
    elif isinstance(value, str) and ("," in value or "x" in value.lower()):
        items = []
        for part in value.split(","):
            number, sep, repeat = part.strip().lower().partition("x")
            if sep:
                try:
                    k = int(repeat)
                except ValueError:
                    k = 0
                if k < 1 or k > 64:
                    raise BoolnetError(f"{name} {value!r}: in VALUExK, K must be a whole number from 1 to 64, got "
                                       f"{repeat!r}", param=name)
                items += [number] * k
            else:
                items.append(number)
    else:
        return parse_sigma(value, name)
    if not items:
        raise BoolnetError(f"{name} must be a positive number or a list of them, got {value!r}", param=name)
    return tuple(parse_sigma(item, name) for item in items)


def format_sigmas(value) -> str:
    """Text of a sigma or of per-layer sigmas (repeats of 3 or more written ``VALUExK``); read back by
    :func:`parse_sigmas`.

    Examples
    --------
    >>> format_sigmas((Fraction(1, 64),) * 10 + (Fraction(1),))
    '1/64x10,1'
    """
    if not isinstance(value, tuple):
        return str(value)
    parts, i = [], 0
    while i < len(value):
        j = i
        while j < len(value) and value[j] == value[i]:
            j += 1
        parts += [f"{value[i]}x{j - i}"] if j - i >= 3 else [str(value[i])] * (j - i)
        i = j
    return ",".join(parts)


def _exact_sqrt(q: Fraction) -> Fraction | None:
    num, den = math.isqrt(q.numerator), math.isqrt(q.denominator)
    if num * num == q.numerator and den * den == q.denominator:
        return Fraction(num, den)
    return None


@dataclass(frozen=True)
class Prior:
    """A product prior over the parameters of a network.

    Parameters
    ----------
    kind : {"gaussian", "uniform", "cube"}
        ``"cube"`` is the uniform prior without fan-in scaling (every parameter on
        ``[-sigma, sigma]``; with the default sigmas the cube ``[-1, 1]^d`` of the exact
        rational volumes); it is stored as ``kind="uniform", fan_in_scaling=False``.
    sigma_w, sigma_b : Fraction or number or str, or a per-layer list
        Scales of weights and biases (standard deviation, or half-width of the
        uniform interval). Stored exactly. A list (or text such as ``"1/64x10,1"``,
        see the module) gives one value per layer with parameters, stored as a
        tuple of Fractions; only the sampler accepts lists.
    fan_in_scaling : bool
        Multiply the weight scale by ``1 / sqrt(fan_in)``.

    Raises
    ------
    BoolnetError
        An unknown kind, or a sigma that is not a number in [1e-30, 1e30].

    Examples
    --------
    >>> p = Prior("uniform", 1, 1, fan_in_scaling=False)
    >>> p.weight_scale_exact(4), p.weight_scale(4)
    (Fraction(1, 1), 1.0)
    >>> Prior().weight_scale(4)
    0.5
    """

    kind: str = "gaussian"
    sigma_w: Fraction = Fraction(1)
    sigma_b: Fraction = Fraction(1)
    fan_in_scaling: bool = True

    def __post_init__(self):
        if self.kind == "cube":
            object.__setattr__(self, "kind", "uniform")
            object.__setattr__(self, "fan_in_scaling", False)
        if self.kind not in PRIORS:
            raise BoolnetError(f"prior {self.kind!r} is unknown: use one of {', '.join(PRIOR_NAMES)}", param="prior")
        if type(self.fan_in_scaling).__name__ == "bool_":
            object.__setattr__(self, "fan_in_scaling", bool(self.fan_in_scaling))
        if not isinstance(self.fan_in_scaling, bool):
            raise BoolnetError(f"fan_in_scaling must be True or False, got {self.fan_in_scaling!r}",
                               param="fan_in_scaling")
        object.__setattr__(self, "sigma_w", parse_sigmas(self.sigma_w, "sigma_w"))
        object.__setattr__(self, "sigma_b", parse_sigmas(self.sigma_b, "sigma_b"))

    @property
    def per_layer(self) -> bool:
        """True when ``sigma_w`` or ``sigma_b`` is a per-layer tuple."""
        return isinstance(self.sigma_w, tuple) or isinstance(self.sigma_b, tuple)

    def require_scalar(self, what: str = "this engine") -> None:
        """Raise a BoolnetError if the prior has per-layer sigmas (which ``what`` cannot use)."""
        for name in ("sigma_w", "sigma_b"):
            if isinstance(getattr(self, name), tuple):
                raise BoolnetError(f"{name} {format_sigmas(getattr(self, name))}: per-layer sigmas are supported by "
                                   f"the sampler, the estimator and the infinite-width limit (N-inf-...-1), not by "
                                   f"{what}; give one value", param=name)

    def check_layers(self, n_layers: int) -> None:
        """Raise a BoolnetError unless every per-layer list has ``n_layers`` values (hidden layers + output)."""
        for name in ("sigma_w", "sigma_b"):
            value = getattr(self, name)
            if isinstance(value, tuple) and len(value) != n_layers:
                raise BoolnetError(f"{name} {format_sigmas(value)} has {len(value)} values; this network has "
                                   f"{n_layers} layers with parameters (the hidden layers, then the output unit): "
                                   "give one value per layer, or one value for all", param=name)

    def _layer_sigma(self, name: str, layer) -> Fraction:
        value = getattr(self, name)
        if not isinstance(value, tuple):
            return value
        if layer is None:
            self.require_scalar("a computation without layers")
        return value[layer]

    def weight_scale(self, fan_in: int, layer: int | None = None) -> float:
        """Scale (std or half-width) of each weight of a unit with ``fan_in`` inputs (of layer ``layer``, 0-based,
        for per-layer sigmas)."""
        s = 1.0 / math.sqrt(fan_in) if self.fan_in_scaling else 1.0
        return float(self._layer_sigma("sigma_w", layer)) * s

    def bias_scale(self, layer: int | None = None) -> float:
        """Scale (std or half-width) of each bias (of layer ``layer``, 0-based, for per-layer sigmas)."""
        return float(self._layer_sigma("sigma_b", layer))

    def weight_scale_exact(self, fan_in: int) -> Fraction | None:
        """The weight scale as an exact Fraction, or None when it is irrational."""
        self.require_scalar("the exact engines")
        if not self.fan_in_scaling:
            return self.sigma_w
        root = _exact_sqrt(Fraction(fan_in))
        return None if root is None else self.sigma_w / root

    def metadata(self) -> dict:
        """The prior's options as plain values, for a table's metadata."""
        d = asdict(self)
        d["prior"] = d.pop("kind")
        d["sigma_w"] = format_sigmas(self.sigma_w)
        d["sigma_b"] = format_sigmas(self.sigma_b)
        return d
