"""One house: every error of the library names the Python parameter at fault, in one line, without flags.

One test per family: the raises of the source (all carry ``param``), register_measure,
each public front door swept with bad arguments, the blame of messages that used to
point at the wrong thing, and the architecture parsed once per call.
"""

from __future__ import annotations

import ast
import math
import pathlib

import numpy as np
import pandas as pd
import pytest

import boolnet as bn
import boolnet.network as network
from boolnet.errors import BoolnetError

ROOT = pathlib.Path(bn.__file__).parent
#: Owned by other work: the training package, the figures, the exact MLP engine and the numba kernels.
OUT_OF_SCOPE = ("training/", "plots/", "exact/mlp.py")


def _in_scope(path: pathlib.Path) -> bool:
    rel = path.relative_to(ROOT).as_posix()
    return not (rel.startswith(OUT_OF_SCOPE) or path.name.endswith("_kernels.py")
                or path.name in ("_simd.py", "_rng.py"))


def _error_calls():
    for path in sorted(ROOT.rglob("*.py")):
        if not _in_scope(path):
            continue
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call):
                func = node.func
                name = getattr(func, "id", None) or getattr(func, "attr", None)
                if name in ("BoolnetError", "UsageError"):
                    yield path.relative_to(ROOT).as_posix(), node, ast.get_source_segment(source, node)


def test_every_raise_names_its_parameter_and_library_messages_name_no_command_line():
    missing = [f"{where}:{node.lineno}" for where, node, _ in _error_calls()
               if not any(k.arg == "param" for k in node.keywords)]
    assert missing == []
    # Only the command line (boolnet/cli.py, boolnet/commands/) may speak of flags and commands.
    library = [(where, node, text) for where, node, text in _error_calls()
               if not where.startswith("commands/") and where != "cli.py"]
    assert len(library) > 100
    cli_words = [f"{where}:{node.lineno}" for where, node, text in library
                 if "`boolnet" in text or "(boolnet " in text or '"--' in text or " --" in text]
    assert cli_words == []


def _unregister(name):
    if name in bn.complexity.MEASURES:
        bn.complexity.unregister_measure(name)


def _string_measure(table):
    return table.count("1")


@pytest.mark.parametrize("kwargs, param", [
    (dict(max_n=-1), "max_n"),
    (dict(max_n=0), "max_n"),
    (dict(max_n=2.5), "max_n"),
    (dict(max_n="many"), "max_n"),
    (dict(max_n=True), "max_n"),
    (dict(max_n=math.nan), "max_n"),
    (dict(rows_per_call=0), "rows_per_call"),
    (dict(rows_per_call=-5), "rows_per_call"),
    (dict(rows_per_call=None), "rows_per_call"),
    (dict(rows_per_call=1.5), "rows_per_call"),
    (dict(rows_per_call=10**30), "rows_per_call"),
    (dict(rows_per_call=False), "rows_per_call"),
    (dict(on="bits"), "on"),
    (dict(on=None), "on"),
    (dict(definition=3), "definition"),
    (dict(reference=None), "reference"),
    (dict(replace="yes"), "replace"),
    (dict(replace=1), "replace"),
    (dict(name="two words"), "name"),
    (dict(name=""), "name"),
    (dict(name=7), "name"),
    (dict(name="probability"), "name"),
    (dict(name="lz"), "name"),
])
def test_register_measure_checks_every_parameter(kwargs, param):
    with pytest.raises(BoolnetError) as info:
        bn.register_measure(**{"name": "messages_probe", **kwargs})(_string_measure)
    assert info.value.param == param, str(info.value)
    assert "--" not in str(info.value) and "\n" not in str(info.value)
    assert "messages_probe" not in bn.complexity.MEASURES  # refused before anything was registered


def test_register_measure_refuses_what_cannot_be_a_measure():
    with pytest.raises(BoolnetError) as info:  # used without parentheses: the function arrives as the name
        bn.register_measure(_string_measure)
    assert info.value.param == "name" and "@register_measure()" in str(info.value)
    with pytest.raises(BoolnetError) as info:
        bn.register_measure("messages_probe")(None)
    assert info.value.param == "function"
    with pytest.raises(BoolnetError) as info:
        bn.register_measure()(lambda table: 1)
    assert info.value.param == "name"
    assert "messages_probe" not in bn.complexity.MEASURES
    # A valid registration still works, and its checked options are stored as ints.
    kernel = bn.register_measure("messages_probe", max_n="3", rows_per_call=2.0)(_string_measure)
    try:
        assert kernel.measure.max_n == 3 and kernel.measure.rows_per_call == 2
        assert bn.measure("0111", kernel) == 3.0
        with pytest.raises(BoolnetError) as info:
            bn.measure("0" * 16, "messages_probe")
        assert info.value.param == "name"
    finally:
        _unregister("messages_probe")


TABLE = pd.DataFrame({"function": ["00", "11", "01", "10"], "probability": [0.375, 0.375, 0.125, 0.125],
                      "lz": [1.0, 1.0, 2.0, 2.0]})

#: (front door, its valid keyword arguments, the parameter to spoil, bad values).
DOORS = [
    (bn.volume_table, dict(arch="2-1", prior="cube", measures=["ones"]), [
        ("arch", [None, [2, 1], 2.5, "9-1", "2-x-1", True]),
        ("method", ["fast", 3]),
        ("activation", ["gelu", None, 3]),
        ("prior", ["laplace", 3]),
        ("encoding", ["+-1", None]),
        ("bias", ["no", None, 1]),
        ("measures", [3, math.nan, True, [3], [], "nonsense", {"k": 3}, {}]),
        ("samples", [0, -1, "many", math.inf, None, True, 10**30]),
        ("seed", [-1, 1.5, "x", None, 2**200]),
        ("threads", [0, "x", 10**6, False]),
        ("checkpoint", [3, "c.npz"]),  # a path, and only for sampled volumes
        ("progress", ["yes", 2]),
    ]),
    (bn.exact_table, dict(arch="2-1", prior="cube"), [
        ("arch", [None, 7.0, "7-1", "0-1"]),
        ("activation", ["step", "gelu"]),  # a perceptron has no hidden units; gelu is no activation
        ("encoding", ["binary"]),
        ("orbits", ["yes"]),
        ("progress", [1]),
    ]),
    (bn.probability, dict(function="0001", prior="cube"), [
        ("function", [None, 1, "", "000", "0021", "0" * 128, ["0", "1"]]),
        ("prior", ["flat"]),
        ("encoding", [None]),
        ("bias", ["true"]),
    ]),
    (bn.regions_table, dict(n=2), [
        ("n", [None, 0, 6, 2.5, "two", True]),
        ("encoding", [1]),
        ("latex", ["no"]),
    ]),
    (bn.add_measures, dict(df=TABLE[["function", "probability"]], measures=["lz"]), [
        ("df", [None, [["01"]], TABLE[["probability"]], pd.DataFrame({"function": ["01", "0001"]}),
                pd.DataFrame({"function": ["0x"]}), pd.DataFrame({"function": [1, 2]}),
                pd.DataFrame({"function": ["000"]}), pd.DataFrame({"function": ["01", None]})]),
        ("measures", [3, [None], "nonsense", {"k": 3}, {}]),
        ("n", [3, -1, "x", 1.5, True]),
        ("progress", ["yes"]),
    ]),
    (bn.measure, dict(function="0001", name="lz"), [
        ("function", [None, 8, "", "012", "0" * 2**21]),
        ("name", [None, 3, "nonsense", ["lz"]]),
    ]),
    (bn.levin_fit, dict(df=TABLE, measure="lz"), [
        ("df", [None, "table.csv", TABLE.drop(columns="probability"),
                TABLE.assign(probability=["a", "b", "c", "d"]), TABLE.assign(probability=1.5)]),
        ("measure", [None, 3, ["lz"], "", "probability", "nonsense"]),
        ("tau", [None, "x", 0, 1, 1.5, math.nan, True]),
        ("min_count", [0, -1, "x", 1.5, None, True]),
        ("within", [3, ["ones"], "nonsense"]),
        ("progress", ["yes"]),
    ]),
    (bn.rank_measures, dict(df=TABLE), [
        ("df", [None, 3]),
        ("measures", [3, True, [3], "nonsense", ["lz", "nonsense"], []]),
        ("tau", ["x", 2]),
        ("min_count", [0, "x"]),
        ("within", [3]),
    ]),
    (bn.probability_by_complexity, dict(df=TABLE, measure="lz"), [
        ("df", [None, TABLE.drop(columns="probability")]),
        ("measure", [None, 3, ["lz"], "nonsense"]),
    ]),
    (bn.enumerate_table, dict(arch="2-1", grid="-1:1"), [
        ("arch", [None, "9-1"]),
        ("grid", [None, 5, "1:0", "-1:1:0", "a:b", "-10:10:0.0001"]),
        ("activation", ["gelu"]),
        ("encoding", ["x"]),
        ("bias", ["no"]),
        ("threads", [0, b"01", "x"]),
        ("progress", ["yes", 2]),
    ]),
    (bn.write_table, dict(df=TABLE), [
        ("df", [None, [1, 2]]),
        ("path", [3, 1.5, True, [], b"t.csv", "t.txt", "no/such/folder/t.csv"]),
        ("metadata", [[("n", 1)], "n=1"]),
    ]),
    (bn.read_table, dict(), [
        ("path", [None, 3, "no/such/table.csv", "table.txt"]),
    ]),
]
CASES = [pytest.param(door, base, param, bad, id=f"{door.__name__}-{param}={bad!r:.30}")
         for door, base, params in DOORS for param, values in params for bad in values]


@pytest.mark.parametrize("door, base, param, bad", CASES)
def test_front_doors_name_the_parameter_of_a_bad_argument(door, base, param, bad, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative paths of the cases land in a fresh folder
    with pytest.raises(BoolnetError) as info:
        door(**{**base, param: bad})
    message = str(info.value)
    assert info.value.param == param, message
    assert "--" not in message and "\n" not in message, message


def test_messages_blame_what_is_at_fault():
    # An exact table with one usable row: counts play no part, so min_count is not to blame (nor a 'table').
    with pytest.raises(BoolnetError) as info:
        bn.levin_fit(TABLE.iloc[:1], "lz")
    assert info.value.param == "df" and "min_count" not in str(info.value)
    # A sampled table short of counts: there lowering min_count is the remedy.
    counted = TABLE.assign(count=[3, 3, 1, 1])
    counted.attrs["boolnet"] = {"volume_method": "sampled"}
    with pytest.raises(BoolnetError) as info:
        bn.levin_fit(counted, "lz")
    assert info.value.param == "min_count" and "lower min_count" in str(info.value)
    # Text in the probability column is not a number, not a value "outside [0, 1]".
    with pytest.raises(BoolnetError, match="not a number") as info:
        bn.levin_fit(TABLE.assign(probability=["a", 0.5, 0.25, 0.25]), "lz")
    # rank_measures blames its list, measure() its name, probability() the truth table it was given.
    with pytest.raises(BoolnetError) as info:
        bn.rank_measures(TABLE, ["lz", "nonsense"])
    assert info.value.param == "measures"
    with pytest.raises(BoolnetError, match="valid names") as info:
        bn.measure("0001", "nonsense")
    assert info.value.param == "name"
    with pytest.raises(BoolnetError, match="n <= 6") as info:
        bn.probability("0" * 128)
    assert info.value.param == "function"


def test_gaussian_engine_names_its_parameters():
    from boolnet.exact.gaussian import orthant_probability, simplicial_cone_measures

    for corr in (np.ones((2, 3)), np.array([[1.0, 2.0], [0.0, 1.0]]), np.array([[1.0, np.nan], [np.nan, 1.0]]),
                 np.ones((2, 2))):
        with pytest.raises(BoolnetError) as info:
            orthant_probability(corr)
        assert info.value.param == "corr", str(info.value)
    with pytest.raises(BoolnetError) as info:
        orthant_probability(np.eye(2), tol="nan")
    assert info.value.param == "tol"
    cases = [(np.eye(2), np.ones(2), "generators"), (np.zeros((1, 2, 2)), np.ones(2), "generators"),
             (np.eye(2)[None], np.ones(3), "scales"), (np.eye(2)[None], -np.ones(2), "scales")]
    for generators, scales, param in cases:
        with pytest.raises(BoolnetError) as info:
            simplicial_cone_measures(generators, scales)
        assert info.value.param == param, str(info.value)


def test_the_architecture_is_parsed_once_per_call(monkeypatch):
    texts = []
    parse = network.parse_arch

    def counting(arch):
        if not isinstance(arch, network.Architecture):
            texts.append(arch)
        return parse(arch)

    monkeypatch.setattr(network, "parse_arch", counting)
    arch = parse("2-2-1")
    assert network.parse_arch(arch) is arch  # an Architecture is taken as it is
    df = bn.volume_table("2-2-1", activation="step", prior="cube", measures=["ones"])
    assert texts == ["2-2-1"]
    assert df.attrs["boolnet"]["architecture"] == "2-2-1" and df.attrs["boolnet"]["volume_method"] == "exact"
    texts.clear()
    sampled = bn.volume_table("2-2-1", method="sample", samples=2000, seed=3, measures=["ones"])
    assert texts == ["2-2-1"] and int(sampled["count"].sum()) == 2000
    texts.clear()
    # Handed an Architecture, the engines parse no text at all, and give the table the text gives.
    same = bn.volume_table(arch, activation="step", prior="cube", measures=["ones"])
    assert texts == []
    pd.testing.assert_frame_equal(same, df, check_like=False)
