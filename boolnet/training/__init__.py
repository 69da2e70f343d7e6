"""SGD against Bayes: train tiny networks to zero training error, and compare with the posterior.

:func:`train_table` trains many networks (hand-written numba kernels, float64) and counts
the functions they end on; :func:`posterior_table` conditions any volume table on a training
set (the Bayesian posterior ``P_B(f | S)``); :func:`compare_tables` compares two tables.
"""

from boolnet.training.posterior import errors_on_test_inputs, posterior_table
from boolnet.training.compare import compare_tables
from boolnet.training.train import loss_and_gradient, train_table, training_set, training_trajectory

__all__ = ["train_table", "training_set", "training_trajectory", "loss_and_gradient", "posterior_table",
           "errors_on_test_inputs", "compare_tables"]
