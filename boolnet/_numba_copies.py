"""One kernel source compiled several ways: a renamed copy of a function with some globals rebound.

numba reads a global as a compile-time constant, so rebinding a flag such as
``_PERCEPTRON = True`` in a copy lets numba drop the branches the copy never takes
before compiling them: each copy compiles only its own path. Used by the orthant
kernels (one loop per quadrature level) and the sampler's worker (one for
perceptrons, one for MLPs).
"""

from __future__ import annotations

import types


def renamed(func, name, doc, **bindings):
    """A copy of the plain Python function ``func`` named ``name``, some of its globals rebound.

    numba names its cache files after the function's qualified name and keys their entries by
    argument types and bytecode, not by compile options or globals: each compile of one source
    needs its own name, or the compiles would share (and overwrite) one cache entry.

    Examples
    --------
    >>> def scaled(x):
    ...     return x * FACTOR
    >>> FACTOR = 2
    >>> triple = renamed(scaled, "triple", "Three times x.", FACTOR=3)
    >>> triple(5), triple.__name__, scaled(5)
    (15, 'triple', 10)
    """
    glb = func.__globals__
    if bindings:
        glb = dict(glb)
        glb.update(bindings)
    copy = types.FunctionType(func.__code__, glb, name, func.__defaults__, func.__closure__)
    copy.__qualname__ = name
    copy.__doc__ = doc
    return copy
