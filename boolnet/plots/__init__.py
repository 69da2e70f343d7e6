"""boolnet's figures (matplotlib, and plotly for the interactive page).

* :mod:`boolnet.plots.levin`: the Levin plane, the Zipf plot and P(K) of a volume table
  (:func:`levin_figure`, the PNG of ``boolnet levin --plot``).
* :mod:`boolnet.plots.compare`: two distributions over functions side by side, axes labelled
  from the tables' metadata (:func:`plot_comparison`, the figure of ``boolnet compare --plot``).
* :mod:`boolnet.plots.mlp`: XOR and the constants against hidden width for exact MLPs
  (:func:`width_sweep_figure`).
* :mod:`boolnet.plots.pac_bayes`: the PAC-Bayes bound beside the posterior's and SGD's test
  errors (:func:`pac_bayes_figure`, the figure of ``docs/experiments/pac_bayes.py``).
* :mod:`boolnet.plots.regions`: the n = 2 perceptron's parameter sphere and cube coloured by
  function, and an interactive page (:func:`sphere_figure`, :func:`cube_figure`,
  :func:`sphere_html`).

Names are imported on first use, and no module here sets matplotlib's backend when imported:
the backend is chosen when a figure is first drawn (:func:`boolnet.plots._figure.pyplot`).
"""

from boolnet._lazy import lazy_exports

_LEVIN = ("check_plot_path", "plot_levin", "plot_zipf", "plot_pk", "levin_figure")
_COMPARE = ("plot_comparison", "comparison_figure", "comparison_label")
_MLP = ("width_sweep_figure", "width_sweep_data")
_PAC_BAYES = ("pac_bayes_figure",)
_REGIONS = ("NAMES_2", "COLOURS_2", "SHORT_2", "CUBE_SLICES", "SPHERE_VIEWS", "scales", "prior_text",
            "truth_codes", "string_of_code", "exact_shares", "fibonacci_sphere", "sphere_area_shares",
            "cube_monte_carlo_shares", "sphere_view_pixels", "sphere_figure", "slice_pixels", "cube_figure",
            "sphere_figure_plotly", "sphere_html")

#: Public name -> module that defines it.
_API = {**{name: "boolnet.plots.levin" for name in _LEVIN},
        **{name: "boolnet.plots.compare" for name in _COMPARE},
        **{name: "boolnet.plots.mlp" for name in _MLP},
        **{name: "boolnet.plots.pac_bayes" for name in _PAC_BAYES},
        **{name: "boolnet.plots.regions" for name in _REGIONS}}

__all__ = list(_API)

__getattr__, __dir__ = lazy_exports(__name__, _API, globals())
