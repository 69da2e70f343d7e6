"""The parameter priors shared by every command.

``gaussian`` (default): weights ~ N(0, (sigma_w * s)**2), biases ~ N(0, sigma_b**2).
``uniform``: weights ~ U[-sigma_w * s, sigma_w * s], biases ~ U[-sigma_b, sigma_b].
``s = 1 / sqrt(fan_in)`` by default (the literature's convention), or 1 with
``fan_in_scaling=False`` (``--no-fan-in-scaling``). All parameters independent.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from fractions import Fraction

from boolnet.errors import BoolnetError

PRIORS = ("gaussian", "uniform")


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
    try:
        frac = Fraction(str(value).strip())
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
    kind : {"gaussian", "uniform"}
    sigma_w, sigma_b : Fraction or number or str
        Scales of weights and biases (standard deviation, or half-width of the
        uniform interval). Stored exactly.
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
        if self.kind not in PRIORS:
            raise BoolnetError(f"prior {self.kind!r} is unknown: use one of {', '.join(PRIORS)}", param="prior")
        object.__setattr__(self, "sigma_w", parse_sigma(self.sigma_w, "sigma_w"))
        object.__setattr__(self, "sigma_b", parse_sigma(self.sigma_b, "sigma_b"))

    def weight_scale(self, fan_in: int) -> float:
        """Scale (std or half-width) of each weight of a unit with ``fan_in`` inputs."""
        s = 1.0 / math.sqrt(fan_in) if self.fan_in_scaling else 1.0
        return float(self.sigma_w) * s

    def bias_scale(self) -> float:
        """Scale (std or half-width) of each bias."""
        return float(self.sigma_b)

    def weight_scale_exact(self, fan_in: int) -> Fraction | None:
        """The weight scale as an exact Fraction, or None when it is irrational."""
        if not self.fan_in_scaling:
            return self.sigma_w
        root = _exact_sqrt(Fraction(fan_in))
        return None if root is None else self.sigma_w / root

    def metadata(self) -> dict:
        """The prior's options as plain values, for a table's metadata."""
        d = asdict(self)
        d["prior"] = d.pop("kind")
        d["sigma_w"] = str(self.sigma_w)
        d["sigma_b"] = str(self.sigma_b)
        return d
