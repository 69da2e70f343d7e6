"""The infinite-width limit as an architecture: parsing, the kernel's reduction, the Gaussian-process sampler
and the exact n <= 3 tables, each checked against an independent answer."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import boolnet as bn
from boolnet.errors import BoolnetError
from boolnet.network import NetworkSpec, parse_arch
from boolnet.nngp.process import LimitNetwork, reduce_kernel
from boolnet.priors import Prior


def test_inf_widths_parse_and_finite_engines_refuse_them():
    a = parse_arch("7-inf-inf-1")
    assert a.is_limit and str(a) == "7-inf-inf-1" and a.n == 7 and len(a.hidden) == 2
    assert parse_arch("7-infx3-1").compact() == "7-infx3-1"
    assert not parse_arch("7-40-40-1").is_limit and not parse_arch("7-1").is_limit
    for bad in ("7-inf-40-1", "inf-1", "7-inf", "7-in-1"):
        with pytest.raises(BoolnetError) as e:
            parse_arch(bad)
        assert e.value.param == "arch"
    with pytest.raises(BoolnetError, match="infinite-width limit"):
        NetworkSpec("3-inf-1", "relu", "01", True)
    with pytest.raises(BoolnetError, match="no parameter vector"):
        parse_arch("3-inf-1").n_parameters()


def test_reduction_of_a_kernel_with_zero_and_tied_inputs():
    # z = (0, a, -a, b, a): input 0 is identically 0, inputs 1, 2 and 4 are tied to input 1.
    F = np.array([[0.0, 1.0, -1.0, 0.3, 1.0], [0.0, 0.0, 0.0, 2.0, 0.0]])
    K = F.T @ F
    r = reduce_kernel(K)
    assert r.zero.tolist() == [True, False, False, False, False]
    assert r.free.tolist() == [1, 3]
    assert r.representative.tolist() == [-1, 1, 1, 3, 1] and r.sign.tolist() == [0, 1, -1, 1, 1]
    assert r.signs(np.array([0, 1, 0, 1, 1])).tolist() == [1, 1]
    assert r.signs(np.array([1, 1, 0, 1, 1])) is None      # input 0 cannot be 1
    assert r.signs(np.array([0, 1, 1, 1, 1])) is None      # inputs 1 and 2 cannot agree
    assert r.signs(np.array([0, 1, 0, 1, 0])) is None      # inputs 1 and 4 cannot differ
    G = r.factor()
    assert np.allclose(G.T @ G, K, atol=1e-12)
    assert (G[:, 0] == 0).all() and (G[:, 2] == -G[:, 1]).all() and (G[:, 4] == G[:, 1]).all()


def _chi_square_p(sampled, exact, samples):
    """p-value of the sampled counts against the exact probabilities (cells with expected count >= 5 pooled)."""
    p = dict(zip(exact.function, exact.probability))
    counts = dict(zip(sampled.function, sampled["count"]))
    assert set(counts) <= set(p), "the sampler produced a function of probability 0"
    expected = np.array([p[f] * samples for f in p])
    observed = np.array([counts.get(f, 0) for f in p])
    big = expected >= 5
    e = np.append(expected[big], expected[~big].sum())
    o = np.append(observed[big], observed[~big].sum())
    if e[-1] == 0:
        e, o = e[:-1], o[:-1]
    statistic = ((o - e) ** 2 / e).sum()
    return stats.chi2.sf(statistic, len(e) - 1)


@pytest.mark.parametrize("arch, activation, encoding, bias", [
    ("2-inf-1", "relu", "01", True), ("2-inf-1", "relu", "pm1", True), ("2-inf-1", "relu", "01", False),
    ("2-inf-inf-1", "tanh", "pm1", False),       # odd: z(not x) = -z(x), tied inputs
    ("2-inf-1", "linear", "01", True),           # rank 3: the exact side is the perceptron engine
    ("2-inf-inf-1", "step", "01", True),
])
def test_gaussian_process_sampler_against_the_exact_2_inputs_limit(arch, activation, encoding, bias):
    exact = bn.exact_table(arch, activation=activation, encoding=encoding, bias=bias)
    assert abs(exact.probability.sum() - 1) < 1e-9
    samples = 200_000
    sampled = bn.sample_table(arch, activation=activation, encoding=encoding, bias=bias, samples=samples, seed=3,
                              progress=False)
    assert _chi_square_p(sampled, exact, samples) > 1e-3
    if not bias and encoding == "01":  # input 0 feeds 0 to every unit: its output is 0 (ties give 0)
        assert all(f[0] == "0" for f in exact.function) and all(f[0] == "0" for f in sampled.function)


def test_gaussian_process_sampler_against_the_exact_3_inputs_limit():
    exact = bn.exact_table("3-inf-1", activation="relu", encoding="pm1")
    samples = 400_000
    sampled = bn.sample_table("3-inf-1", activation="relu", encoding="pm1", samples=samples, seed=5, progress=False)
    assert _chi_square_p(sampled, exact, samples) > 1e-3


def test_the_limit_table_is_the_wide_network_table():
    # Width 2048 is within O(1/width) of the limit: far below the sampling error of 1e5 samples.
    exact = bn.exact_table("2-inf-1", activation="relu")
    wide = bn.sample_table("2-2048-1", activation="relu", samples=100_000, seed=11, progress=False)
    p = dict(zip(exact.function, exact.probability))
    frequent = wide[wide["count"] >= 200]
    assert len(frequent) >= 12
    inside = [lo <= p[f] <= hi for f, lo, hi in zip(frequent.function, frequent.probability_low,
                                                    frequent.probability_high)]
    assert np.mean(inside) >= 0.8   # 95% Wilson intervals, ~14 functions


def test_gaussian_process_tables_depend_on_the_seed_only():
    one = bn.sample_table("7-inf-inf-1", samples=40_000, seed=2, threads=1, progress=False)
    two = bn.sample_table("7-inf-inf-1", samples=40_000, seed=2, threads=2, progress=False)
    assert one.function.tolist() == two.function.tolist() and one["count"].tolist() == two["count"]. tolist()
    assert one.attrs["boolnet"]["kernel_rank"] == 128


def test_conditioned_gaussian_process_sampler_gives_the_evidence():
    exact = bn.exact_table("2-inf-1", activation="relu")
    train = [0, 3]
    target = "0110"
    evidence = exact[[f[0] == "0" and f[3] == "0" for f in exact.function]].probability.sum()
    post = bn.sample_table("2-inf-1", samples=100_000, seed=4, fit=target, train=train, progress=False)
    meta = post.attrs["boolnet"]
    assert meta["evidence_low"] <= evidence <= meta["evidence_high"]
    assert all(f[0] == "0" and f[3] == "0" for f in post.function)


def test_limit_refusals_are_clear():
    with pytest.raises(BoolnetError, match="n <= 3") as e:
        bn.exact_table("4-inf-1")
    assert e.value.param == "arch"
    with pytest.raises(BoolnetError, match="Dask options"):
        bn.sample_table("2-inf-1", samples=10, backend="dask")
    with pytest.raises(BoolnetError, match="drop it"):
        bn.exact_table("2-inf-1", orbits=True)
    with pytest.raises(BoolnetError):
        LimitNetwork("2-2-1", "relu", "01", True, Prior())


@pytest.fixture(scope="module")
def exact_3_inputs_pm1():
    return bn.exact_table("3-inf-1", activation="relu", encoding="pm1")


def test_tilting_estimates_cover_the_exact_limit(exact_3_inputs_pm1):
    # Every function of the 3-input limit (8-dimensional orthants; exact to 1e-12 by the orthant engine).
    exact = exact_3_inputs_pm1
    df = bn.estimate_table("3-inf-1", exact.function.tolist(), encoding="pm1", seed=7, progress=False)
    assert df.attrs["boolnet"]["volume_method"] == "minimax_tilting"
    p = exact.probability.to_numpy()
    covered = (df.probability_low.to_numpy() <= p) & (p <= df.probability_high.to_numpy())
    assert len(df) >= 100 and covered.mean() >= 0.88
    assert abs(np.mean(np.log(df.probability.to_numpy() / p))) < 0.05


def test_the_limits_evidence_against_the_exact_sum(exact_3_inputs_pm1):
    exact = exact_3_inputs_pm1
    rng = np.random.default_rng(0)
    hits = 0
    for _ in range(10):
        target = "".join(rng.choice(list("01"), 8))
        train = sorted(rng.choice(8, 4, replace=False).tolist())
        fits = [all(f[i] == target[i] for i in train) for f in exact.function]
        truth = exact.probability[fits].sum()
        e = bn.evidence("3-inf-1", target, train, encoding="pm1", seed=1, progress=False)
        hits += e["evidence_low"] <= truth <= e["evidence_high"]
    assert hits >= 8


def test_ep_is_an_approximation_without_an_interval():
    df = bn.estimate_table("2-inf-1", ["0001", "0110"], method="ep", progress=False)
    exact = dict(zip(*bn.exact_table("2-inf-1")[["function", "probability"]].to_numpy().T))
    assert (df.status == "approximation").all() and df.probability_low.isna().all()
    assert np.allclose(df.probability, [exact[f] for f in df.function], rtol=0.5)   # close, not exact
    with pytest.raises(BoolnetError, match="infinite-width limit") as e:
        bn.estimate_table("2-2-1", ["0001"], method="ep")
    assert e.value.param == "method"


def test_the_limits_impossible_functions_are_exactly_zero():
    # 0/1 inputs without biases: input 0 always gives 0; pm1 without biases, odd tanh: z(not x) = -z(x).
    df = bn.estimate_table("2-inf-1", ["1000", "0001"], bias=False, progress=False)
    assert df.status.tolist() == ["provably_zero", "estimated"] and df.probability.iloc[0] == 0
    df = bn.estimate_table("2-inf-1", ["0011", "0101", "0110"], activation="tanh", encoding="pm1", bias=False,
                           progress=False)
    # 0011 and 0101 satisfy f(not x) = not f(x); 0110 does not.
    assert df.status.tolist() == ["estimated", "estimated", "provably_zero"]


def test_an_interrupted_gaussian_process_run_resumes_to_the_same_table(tmp_path):
    from boolnet.errors import Interrupted
    from boolnet.sampling._rng import BLOCK_SIZE

    options = dict(activation="tanh", samples=6 * BLOCK_SIZE + 7, seed=9, progress=False)
    reference = bn.sample_table("5-inf-inf-1", **options)
    path = tmp_path / "gp.ckpt"
    with pytest.raises(Interrupted) as info:
        bn.sample_table("5-inf-inf-1", threads=2, checkpoint=path, checkpoint_interval=1e-9,
                        _stop_after=2 * BLOCK_SIZE, **options)
    assert path.exists() and 2 * BLOCK_SIZE <= info.value.done < options["samples"]
    resumed = bn.sample_table("5-inf-inf-1", threads=1, checkpoint=path, **options)
    assert resumed.attrs["boolnet"]["resumed_from"] == info.value.done
    assert resumed.function.tolist() == reference.function.tolist()
    assert resumed["count"].tolist() == reference["count"].tolist()
    with pytest.raises(BoolnetError, match="options"):  # the same checkpoint under other options is refused
        bn.sample_table("5-inf-inf-1", activation="relu", samples=options["samples"], seed=9, checkpoint=path,
                        progress=False)


def test_uniform_prior_with_biases_keeps_its_uniform_output_bias():
    # z = b + G with the output bias b uniform: the GP sampler draws b; the wide finite network agrees with it.
    limit = bn.sample_table("2-inf-1", prior="uniform", samples=400_000, seed=3, progress=False)
    wide = bn.sample_table("2-2048-1", prior="uniform", samples=100_000, seed=5, progress=False)
    p_limit = dict(zip(limit.function, limit.probability))
    sd = {f: np.sqrt(p * (1 - p) / 400_000) for f, p in p_limit.items()}
    z = [(p - p_limit[f]) / np.hypot(np.sqrt(p * (1 - p) / 100_000), sd[f])
         for f, p in zip(wide.function, wide.probability) if p_limit.get(f, 0) > 1e-3]
    assert len(z) >= 14 and np.max(np.abs(z)) < 4.5
    assert abs(p_limit["0000"] - 0.437) < 0.005
    with pytest.raises(BoolnetError, match="uniform") as e:
        bn.exact_table("2-inf-1", prior="uniform")
    assert e.value.param == "prior"
    with pytest.raises(BoolnetError, match="uniform"):
        bn.estimate_table("2-inf-1", ["0001"], prior="uniform")
    no_bias = bn.exact_table("2-inf-1", prior="uniform", bias=False)        # Gaussian output: exact is fine
    sampled = bn.sample_table("2-inf-1", prior="uniform", bias=False, samples=200_000, seed=1, progress=False)
    assert _chi_square_p(sampled, no_bias, 200_000) > 1e-3
