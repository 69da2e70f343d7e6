"""boolnet.priors: scalar priors as before, per-layer sigma lists for the sampler, and their refusals."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from boolnet.cli import main
from boolnet.errors import BoolnetError
from boolnet.network import NetworkSpec
from boolnet.priors import Prior, format_sigmas, parse_sigmas
from boolnet.sampling import sample_table
from boolnet.sampling import jobs



def test_scalar_prior_unchanged():
    p = Prior("gaussian", 1, 1)
    assert p == Prior() and not p.per_layer
    assert p.sigma_w == Fraction(1) and p.metadata()["sigma_w"] == "1"
    assert Prior(sigma_w="0.1").sigma_w == Fraction(1, 10)
    assert Prior().weight_scale(4) == 0.5 and Prior().bias_scale() == 1.0
    assert Prior("uniform", 1, 1, fan_in_scaling=False).weight_scale_exact(4) == 1


@pytest.mark.parametrize("text,expected", [
    ("1,2", (1, 2)), ("1/64x3,1", (Fraction(1, 64),) * 3 + (1,)), ("0.5X2", (Fraction(1, 2),) * 2),
    ([1, "2", Fraction(1, 3)], (1, 2, Fraction(1, 3))), ("3", 3)])
def test_parse_sigmas(text, expected):
    got = parse_sigmas(text, "sigma_b")
    assert got == (tuple(Fraction(e) for e in expected) if isinstance(expected, tuple) else Fraction(expected))
    assert parse_sigmas(format_sigmas(got), "sigma_b") == got


@pytest.mark.parametrize("text,fragment", [("1,-2", "must be > 0"), ("1x0", "K must be"), ("1xa", "K must be"),
                                           ("1,,2", "positive number"), ([], "list of them"),
                                           ("1x65", "K must be")])
def test_bad_sigma_lists(text, fragment):
    with pytest.raises(BoolnetError, match=fragment) as info:
        Prior(sigma_b=text)
    assert info.value.param == "sigma_b"


def test_per_layer_scales_follow_the_layout():
    prior = Prior(sigma_w="2,3,5", sigma_b="1/64x2,1")
    spec = NetworkSpec("3-4x2-1", "tanh", "01", True)
    scales = spec.parameter_scales(prior).astype(np.float64)
    for layer, (W, b) in enumerate(spec.split(scales)):
        fan_in = spec.arch.widths[layer]
        assert np.allclose(W, [2, 3, 5][layer] / np.sqrt(fan_in), rtol=1e-7)
        assert np.allclose(b, [1 / 64, 1 / 64, 1][layer], rtol=1e-7)
    with pytest.raises(BoolnetError, match="3 values; this network has 2 layers") as info:
        NetworkSpec("3-4-1", "relu", "01", True).parameter_scales(prior)
    assert info.value.param == "sigma_w"


def test_exact_engines_refuse_lists():
    prior = Prior(sigma_b="1,2")
    with pytest.raises(BoolnetError, match="per-layer sigmas are supported by the sampler") as info:
        prior.weight_scale_exact(3)
    assert info.value.param == "sigma_b"
    with pytest.raises(BoolnetError, match="per-layer"):
        prior.bias_scale()


def test_sampler_records_lists_and_refuses_a_checkpoint_of_others(tmp_path, capsys):
    path = tmp_path / "run.ckpt"
    df = sample_table("3-2x2-1", prior=Prior(sigma_b="1/8x2,1"), samples=5000, seed=1, checkpoint=path)
    assert df.attrs["boolnet"]["sigma_b"] == "1/8,1/8,1" and df.attrs["boolnet"]["architecture"] == "3-2-2-1"
    with pytest.raises(BoolnetError, match=r"sigma_b: '1/8,1/8,1' there, '1/4,1/8,1' here"):
        sample_table("3-2-2-1", prior=Prior(sigma_b="1/4,1/8,1"), samples=5000, seed=1, checkpoint=path)
    # The command line takes lists for sample only.
    assert main(["exact", "--arch", "3-1", "--sigma-w", "1,2"]) == 2
    assert "--sigma-w 1,2: per-layer sigmas are supported by the sampler" in capsys.readouterr().err


def test_old_stream_checkpoint_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "run.ckpt"
    monkeypatch.setattr(jobs, "RNG_NAME", "xoshiro256**/block4096/ziggurat128-float32 v1")
    sample_table("3-1", samples=5000, seed=1, checkpoint=path)
    monkeypatch.undo()
    with pytest.raises(BoolnetError, match=r"rng: 'xoshiro256\*\*/block4096/ziggurat128-float32 v1' there, "
                                            r"'xoshiro256\*\*/block4096/boxmuller40-float32 v2' here"):
        sample_table("3-1", samples=5000, seed=1, checkpoint=path)
