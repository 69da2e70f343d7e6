"""Sphinx configuration of boolnet's API reference (built from the docstrings).

Build it with ``python -m sphinx -W -b html docs/api docs/api/_build`` (the test suite
does, with warnings as errors, so a broken docstring fails CI).
"""

project = "boolnet"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon"]
napoleon_google_docstring = False
napoleon_numpy_docstring = True
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the NumPy-style "Parameters" sections already give the types
html_theme = "alabaster"
exclude_patterns = ["_build"]
suppress_warnings = ["config.cache"]
