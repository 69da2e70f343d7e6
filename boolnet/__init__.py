"""boolnet: how much of a tiny neural network's parameter space computes each Boolean function.

The front door for Python (every name below returns plain values or a pandas
DataFrame whose metadata is in ``df.attrs["boolnet"]``)::

    import boolnet as bn
    df = bn.volume_table("4-1")                      # the main job, as `boolnet table --arch 4-1`
    bn.probability("0001", prior=bn.Prior("uniform", fan_in_scaling=False))   # AND: 1/48 of the cube

Volumes: :func:`volume_table`, :func:`exact_table`, :func:`sample_table`,
:func:`enumerate_table`, :func:`merge_tables`, :func:`probability`, :func:`expand_orbit`,
:func:`regions_table`, :func:`truth_tables`. Complexity: :func:`add_measures`,
:func:`measure`, :func:`register_measure`. Fits: :func:`levin_fit`,
:func:`rank_measures`, :func:`probability_by_complexity`. SGD against Bayes:
:func:`train_table`, :func:`training_set`, :func:`posterior_table`,
:func:`compare_tables`. Rare events: :func:`estimate_table`, :func:`evidence`,
:func:`pac_bayes_bound`, :func:`posterior_errors`. The infinite-width limit (architectures
``"7-inf-inf-1"`` everywhere above): :func:`nngp_kernel`. Pictures: :func:`sphere_figure`, :func:`cube_figure`,
:func:`sphere_html`, :func:`width_sweep_figure`. Files: :func:`read_table`,
:func:`write_table`. Options: :class:`Prior`. Errors: :class:`BoolnetError`,
:class:`Interrupted`.

Names are imported on first use, so ``import boolnet`` (and ``boolnet --help``)
loads no numerical library.
"""

from importlib.metadata import PackageNotFoundError, version

from boolnet._lazy import lazy_exports

try:
    __version__ = version("boolnet")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

#: Public name -> module that defines it.
_API = {
    "volume_table": "boolnet.pipeline",
    "exact_table": "boolnet.pipeline",
    "probability": "boolnet.pipeline",
    "regions_table": "boolnet.pipeline",
    "expand_orbit": "boolnet.exact",
    "Volume": "boolnet.pipeline",
    "sample_table": "boolnet.sampling",
    "enumerate_table": "boolnet.sampling",
    "write_sampled": "boolnet.sampling",
    "truth_tables": "boolnet.sampling",
    "parse_arch": "boolnet.network",
    "add_measures": "boolnet.complexity",
    "measure": "boolnet.complexity",
    "register_measure": "boolnet.complexity",
    "levin_fit": "boolnet.levin",
    "LevinReport": "boolnet.levin",
    "levin_figure": "boolnet.plots",
    "rank_measures": "boolnet.levin",
    "probability_by_complexity": "boolnet.levin",
    "train_table": "boolnet.training",
    "training_set": "boolnet.training",
    "posterior_table": "boolnet.training",
    "compare_tables": "boolnet.training",
    "merge_tables": "boolnet.sampling",
    "estimate_table": "boolnet.estimate",
    "evidence": "boolnet.estimate",
    "pac_bayes_bound": "boolnet.estimate",
    "nngp_kernel": "boolnet.nngp",
    "posterior_errors": "boolnet.estimate",
    "write_merged": "boolnet.sampling",
    "sphere_figure": "boolnet.plots.regions",
    "cube_figure": "boolnet.plots.regions",
    "sphere_html": "boolnet.plots.regions",
    "width_sweep_figure": "boolnet.plots.mlp",
    "read_table": "boolnet.io",
    "write_table": "boolnet.io",
    "write_counts": "boolnet.io",
    "as_prior": "boolnet.checks",
    "Prior": "boolnet.priors",
    "BoolnetError": "boolnet.errors",
    "BoolnetWarning": "boolnet.errors",
    "Interrupted": "boolnet.errors",
}

__all__ = ["__version__", *_API]


__getattr__, __dir__ = lazy_exports(__name__, _API, globals())
