"""Names of boolnet's own complexity measures, in table order (no numerical imports: the CLI reads this).

A test checks that this list is the registry's (:data:`boolnet.complexity.MEASURES`).
"""

BUILTIN_NAMES = (
    "lz", "ones", "entropy", "bool_complexity", "dnf_terms", "dnf_literals", "formula_length", "csr",
    "sensitivity_avg", "sensitivity_max", "block_sensitivity", "certificate", "dt_depth", "fourier_degree",
    "spectral_entropy", "fourier_l1", "gf2_degree", "relevant_vars", "threshold", "npn_class",
)
