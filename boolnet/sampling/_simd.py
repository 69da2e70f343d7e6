"""A register-blocked micro-kernel for dense layers, written as LLVM vector IR.

Why LLVM IR: the hidden-layer product of a 7-40-40-1 network (40 x 40 weights
on 128 inputs, 204,800 multiply-adds) is most of the time spent per sample.
Written as numba loops over arrays, each partial sum goes to memory and back
after every term, because LLVM cannot prove the output and input rows do not
overlap; the loop then runs at the speed of loads and stores. Here a block of
``R`` output units by ``V`` vectors of inputs is kept in ``R * V`` vector
registers while all the terms are added, and written once at the end
(measured in ``docs/sampling.md``).

Every partial sum is computed in a fixed order: the bias first (0 without
biases), then one term per source unit in the order given, each added by an
IEEE fused multiply-add ``fma(x, w, acc)`` (one rounding). ``llvm.fma`` is
exactly specified, so the results are the same on every machine: with FMA
hardware it is one instruction (faster than a separate multiply and add), elsewhere
a correctly rounded library call.
The other helpers are the vector forms of loops LLVM leaves scalar.

Developers: numba's on-disk cache (``cache=True``) of the kernels that call
these intrinsics is keyed on the calling module's source, not on this file;
after editing this file, delete ``boolnet/sampling/__pycache__/*.nbi`` and
``*.nbc`` (an installed release is unaffected: installing rewrites both files).
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

_I64 = ir.IntType(64)
_I32 = ir.IntType(32)
_I8P = ir.IntType(8).as_pointer()


def _host_vector_bytes() -> int:
    """64 where numba compiles for a CPU with AVX-512, else 32 (AVX2; LLVM splits wider vectors on smaller machines).

    The width changes no value: each output of the dense micro-kernel is the same chain of fused
    multiply-adds whatever the number of lanes; only how many outputs one instruction computes.
    On a CPU with two 512-bit FMA units, 16 float32 lanes do nearly twice the multiply-adds of 8.
    """
    from numba.core import config

    if config.CPU_NAME or config.CPU_FEATURES:  # a portable target asked for (NUMBA_CPU_NAME/FEATURES)
        return 32
    try:
        from llvmlite import binding

        return 64 if binding.get_host_cpu_features().get("avx512f", False) else 32
    except Exception:  # noqa: BLE001 - features unknown: the width every x86-64 CPU of the last decade runs well
        return 32


#: Bytes of the vectors of the dense micro-kernel (see _host_vector_bytes).
VECTOR_BYTES = _host_vector_bytes()


def _splat(builder, value, lanes):
    """A vector with ``value`` in every lane."""
    vec = ir.VectorType(value.type, lanes)
    one = builder.insert_element(ir.Constant(vec, ir.Undefined), value, ir.Constant(_I32, 0))
    return builder.shuffle_vector(one, ir.Constant(vec, ir.Undefined),
                                  ir.Constant(ir.VectorType(_I32, lanes), [0] * lanes))


def _fma_function(builder, typ):
    """``llvm.fma`` for a float/double scalar or vector type (one rounding of ``a * b + c``)."""
    if isinstance(typ, ir.VectorType):
        name = f"llvm.fma.v{typ.count}{'f32' if isinstance(typ.element, ir.FloatType) else 'f64'}"
    else:
        name = f"llvm.fma.{'f32' if isinstance(typ, ir.FloatType) else 'f64'}"
    return cgutils.get_or_insert_function(builder.module, ir.FunctionType(typ, [typ, typ, typ]), name)


@intrinsic
def fma(typingctx, a, b, c):
    """``a * b + c`` with one rounding (IEEE fused multiply-add; all three of one float type).

    The same operation as the micro-kernel's, for the scalar loops, so that
    every path of a layer adds its terms identically.
    """
    sig = a(a, b, c)

    def codegen(context, builder, signature, args):
        return builder.call(_fma_function(builder, context.get_value_type(signature.args[0])), list(args))

    return sig, codegen


def block_inputs(itemsize: int, vectors: int = 2) -> int:
    """Inputs per block of :func:`make_dense_block` for values of ``itemsize`` bytes."""
    return vectors * (VECTOR_BYTES // itemsize)


def make_dense_block(outputs: int, vectors: int = 2):
    """An intrinsic computing one ``outputs`` x ``vectors * lanes`` block of a dense layer.

    The intrinsic is called from numba code as
    ``block(src, theta, w_off, b_off, width, live, row, count, j, col, dst)`` and sets,
    for ``r < outputs`` and the ``L = vectors * lanes`` inputs ``col .. col + L - 1``::

        dst[j + r, i] = b[j + r] + sum over t < count of src[k_t, i] * W[k_t, j + r]

    with ``k_t = live[row, 1 + t]``, the sum added left to right, each term by
    a fused multiply-add (see :func:`fma`),
    ``W[k, u] = theta[w_off + k * width + u]`` and ``b[u] = theta[b_off + u]``
    (0 when ``b_off < 0``). ``src`` and ``dst`` are C-contiguous 2-D arrays of
    float32 or float64 (``lanes = VECTOR_BYTES / itemsize``: 16 or 8 float32 lanes, 8 or 4
    float64); ``live`` is a 2-D int64 array.
    """

    @intrinsic
    def dense_block(typingctx, src, theta, w_off, b_off, width, live, row, count, j, col, dst):
        sig = types.void(src, theta, w_off, b_off, width, live, row, count, j, col, dst)

        def codegen(context, builder, signature, args):
            src_v, theta_v, w_off_v, b_off_v, width_v, live_v, row_v, count_v, j_v, col_v, dst_v = args
            dtype = signature.args[0].dtype
            scalar = context.get_value_type(dtype)
            itemsize = context.get_abi_sizeof(scalar)
            lanes = VECTOR_BYTES // itemsize
            vec = ir.VectorType(scalar, lanes)
            vec_ptr = vec.as_pointer()
            src_a = context.make_array(signature.args[0])(context, builder, src_v)
            theta_a = context.make_array(signature.args[1])(context, builder, theta_v)
            live_a = context.make_array(signature.args[5])(context, builder, live_v)
            dst_a = context.make_array(signature.args[10])(context, builder, dst_v)
            src_stride = builder.extract_value(src_a.strides, 0)
            dst_stride = builder.extract_value(dst_a.strides, 0)
            live_stride = builder.extract_value(live_a.strides, 0)
            src_base = builder.bitcast(src_a.data, _I8P)
            dst_base = builder.bitcast(dst_a.data, _I8P)
            live_row = builder.bitcast(
                builder.gep(builder.bitcast(live_a.data, _I8P), [builder.mul(row_v, live_stride)]),
                _I64.as_pointer())
            col_bytes = builder.mul(col_v, ir.Constant(_I64, itemsize))
            zero = ir.Constant(scalar, 0.0)
            has_bias = builder.icmp_signed(">=", b_off_v, ir.Constant(_I64, 0))
            # Accumulators (allocas that LLVM keeps in registers), starting at the biases.
            accs = []
            for r in range(outputs):
                unit = builder.add(j_v, ir.Constant(_I64, r))
                bias_index = builder.select(has_bias, builder.add(b_off_v, unit), ir.Constant(_I64, 0))
                bias = builder.select(has_bias, builder.load(builder.gep(theta_a.data, [bias_index])), zero)
                start = _splat(builder, bias, lanes)
                slots = []
                for _ in range(vectors):
                    slot = cgutils.alloca_once(builder, vec)
                    builder.store(start, slot)
                    slots.append(slot)
                accs.append(slots)
            fused = _fma_function(builder, vec)
            with cgutils.for_range(builder, count_v) as loop:
                k = builder.load(builder.gep(live_row, [builder.add(loop.index, ir.Constant(_I64, 1))]))
                src_row = builder.gep(src_base, [builder.add(builder.mul(k, src_stride), col_bytes)])
                xs = [builder.load(builder.bitcast(builder.gep(src_row, [ir.Constant(_I64, VECTOR_BYTES * q)]),
                                                   vec_ptr), align=itemsize)
                      for q in range(vectors)]
                w_index = builder.add(w_off_v, builder.add(builder.mul(k, width_v), j_v))
                for r in range(outputs):
                    w = builder.load(builder.gep(theta_a.data, [builder.add(w_index, ir.Constant(_I64, r))]))
                    ws = _splat(builder, w, lanes)
                    for q in range(vectors):
                        builder.store(builder.call(fused, [xs[q], ws, builder.load(accs[r][q])]), accs[r][q])
            for r in range(outputs):
                unit = builder.add(j_v, ir.Constant(_I64, r))
                dst_row = builder.gep(dst_base, [builder.add(builder.mul(unit, dst_stride), col_bytes)])
                for q in range(vectors):
                    p = builder.bitcast(builder.gep(dst_row, [ir.Constant(_I64, VECTOR_BYTES * q)]), vec_ptr)
                    builder.store(builder.load(accs[r][q]), p, align=itemsize)
            return context.get_dummy_value()

        return sig, codegen

    return dense_block


#: Four output units per block (8 accumulators of 8 float32), and one for the remainder.
dense_block4 = make_dense_block(4)
dense_block1 = make_dense_block(1)


@intrinsic
def prefetch_row(typingctx, table, row):
    """Ask the CPU to start loading ``table[row, 0]`` into the cache (``llvm.prefetch``; no effect on values).

    Used when adding many entries to a hash table far larger than the cache:
    asking for the slots of the next few entries while the current one is
    added lets the memory accesses overlap instead of waiting for one at a time.
    """
    sig = types.void(table, row)

    def codegen(context, builder, signature, args):
        table_v, row_v = args
        arr = context.make_array(signature.args[0])(context, builder, table_v)
        stride = builder.extract_value(arr.strides, 0)
        address = builder.gep(builder.bitcast(arr.data, _I8P), [builder.mul(row_v, stride)])
        fn = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [_I8P, _I32, _I32, _I32]), "llvm.prefetch.p0")
        # rw = 1 (the slot is about to be written), locality = 3 (keep in all cache levels), data cache.
        builder.call(fn, [address, ir.Constant(_I32, 1), ir.Constant(_I32, 3), ir.Constant(_I32, 1)])
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def mask16_greater(typingctx, values, start, threshold):
    """Bit ``i`` (i < 16) set iff ``values[start + i] > threshold``, as uint64: a vector compare and a movemask.

    The comparisons are the same ordered ``>`` as in Python (false for NaN);
    written as one 16-lane compare because LLVM does not turn the equivalent
    loop of shifts and ors into one.
    """
    sig = types.uint64(values, start, threshold)

    def codegen(context, builder, signature, args):
        values_v, start_v, threshold_v = args
        arr = context.make_array(signature.args[0])(context, builder, values_v)
        scalar = context.get_value_type(signature.args[0].dtype)
        vec = ir.VectorType(scalar, 16)
        ptr = builder.bitcast(builder.gep(arr.data, [start_v]), vec.as_pointer())
        loaded = builder.load(ptr, align=context.get_abi_sizeof(scalar))
        t = context.cast(builder, threshold_v, signature.args[2], signature.args[0].dtype)
        bits = builder.fcmp_ordered(">", loaded, _splat(builder, t, 16))
        return builder.zext(builder.bitcast(bits, ir.IntType(16)), _I64)

    return sig, codegen


@intrinsic
def outer_sum_row(typingctx, dst, row, high, count, low):
    """``dst[row, 16 * h + l] = high[h] + low[l]`` for ``h < count``, ``l < 16``: 16-lane vector adds and stores.

    The first layer's pre-activations on all inputs, from the subset sums of the
    high and the low input bits (the sums are the same single roundings as a
    scalar loop; written as vectors because LLVM keeps the loop scalar).
    """
    sig = types.void(dst, row, high, count, low)

    def codegen(context, builder, signature, args):
        dst_v, row_v, high_v, count_v, low_v = args
        scalar = context.get_value_type(signature.args[0].dtype)
        itemsize = context.get_abi_sizeof(scalar)
        vec = ir.VectorType(scalar, 16)
        dst_a = context.make_array(signature.args[0])(context, builder, dst_v)
        high_a = context.make_array(signature.args[2])(context, builder, high_v)
        low_a = context.make_array(signature.args[4])(context, builder, low_v)
        lows = builder.load(builder.bitcast(low_a.data, vec.as_pointer()), align=itemsize)
        stride = builder.extract_value(dst_a.strides, 0)
        base = builder.gep(builder.bitcast(dst_a.data, _I8P), [builder.mul(row_v, stride)])
        with cgutils.for_range(builder, count_v) as loop:
            h = builder.load(builder.gep(high_a.data, [loop.index]))
            out = builder.gep(base, [builder.mul(loop.index, ir.Constant(_I64, 16 * itemsize))])
            builder.store(builder.fadd(_splat(builder, h, 16), lows), builder.bitcast(out, vec.as_pointer()),
                          align=itemsize)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def subset_sums16(typingctx, out, start, w0, w1, w2, w3):
    """``out[l] = start + w3 [bit 3 of l] + w2 [bit 2] + w1 [bit 1] + w0 [bit 0]``, added left to right.

    The 16 subset sums of four weights, as 16-lane vectors: lane ``l`` adds
    ``w_p`` times bit ``p`` of ``l``, from ``p = 3`` down to 0. Adding
    ``0 * w`` (a zero) leaves a sum unchanged, so every lane gets exactly the
    sum of the recurrence ``out[l] = out[l & (l - 1)] + w_lowbit(l)``, whose
    last term is the lowest set bit's weight.
    """
    sig = types.void(out, start, w0, w1, w2, w3)

    def codegen(context, builder, signature, args):
        out_v, start_v, *weights = args
        dtype = signature.args[0].dtype
        scalar = context.get_value_type(dtype)
        vec = ir.VectorType(scalar, 16)
        out_a = context.make_array(signature.args[0])(context, builder, out_v)
        total = _splat(builder, context.cast(builder, start_v, signature.args[1], dtype), 16)
        for p in (3, 2, 1, 0):
            w = _splat(builder, context.cast(builder, weights[p], signature.args[2 + p], dtype), 16)
            bits = ir.Constant(vec, [float((lane >> p) & 1) for lane in range(16)])
            total = builder.fadd(total, builder.fmul(bits, w))
        builder.store(total, builder.bitcast(out_a.data, vec.as_pointer()), align=context.get_abi_sizeof(scalar))
        return context.get_dummy_value()

    return sig, codegen


# ---------------------------------------------------------------------------------------------------------------
# Transcendental functions from exactly specified operations (IEEE add, subtract, multiply, divide, square root,
# comparisons, integer and bit operations): the same bits on every machine, whatever its libm. Each is written
# for a vector of float32 lanes; polynomials are Cephes' single-precision ones (S. L. Moshier), evaluated by
# Horner's rule with separate multiplies and adds (LLVM contracts nothing without fast-math flags).
# ---------------------------------------------------------------------------------------------------------------

_F32 = ir.FloatType()
_LOG_P = (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
          -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)
_SIN_P = (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)
_COS_P = (2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2)
_EXP_P = (1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1)
_TANH_P = (-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1)


class _V:
    """Tiny helper emitting float32/int32 vector IR of ``lanes`` lanes."""

    def __init__(self, builder, lanes):
        self.b = builder
        self.lanes = lanes
        self.f = ir.VectorType(_F32, lanes)
        self.i = ir.VectorType(_I32, lanes)

    def fc(self, value):
        return ir.Constant(self.f, [float(_f32(value))] * self.lanes)

    def ic(self, value):
        return ir.Constant(self.i, [int(value)] * self.lanes)

    def horner(self, coeffs, x):
        p = self.fc(coeffs[0])
        for c in coeffs[1:]:
            p = self.b.fadd(self.b.fmul(p, x), self.fc(c))
        return p

    def as_int(self, x):
        return self.b.bitcast(x, self.i)

    def as_float(self, x):
        return self.b.bitcast(x, self.f)

    def log(self, x):
        """Natural log of normal positive finite ``x`` (Cephes logf; within 2 ulps here, tested)."""
        b = self.b
        bits = self.as_int(x)
        e = b.sub(b.lshr(bits, self.ic(23)), self.ic(126))
        m = self.as_float(b.or_(b.and_(bits, self.ic(0x007FFFFF)), self.ic(0x3F000000)))  # [0.5, 1)
        small = b.fcmp_ordered("<", m, self.fc(0.707106781186547524))
        e = b.sub(e, b.zext(small, self.i))
        f = b.select(small, b.fsub(b.fadd(m, m), self.fc(1.0)), b.fsub(m, self.fc(1.0)))
        z = b.fmul(f, f)
        y = b.fmul(b.fmul(self.horner(_LOG_P, f), f), z)
        fe = b.sitofp(e, self.f)
        y = b.fadd(y, b.fmul(fe, self.fc(-2.12194440e-4)))
        y = b.fadd(y, b.fmul(z, self.fc(-0.5)))
        r = b.fadd(f, y)
        return b.fadd(r, b.fmul(fe, self.fc(0.693359375)))

    def exp_pos(self, x):
        """exp(x) for 0 <= x <= 88 (Cephes expf: x = n ln 2 + r, |r| <= ln(2)/2; 2**n by exponent bits)."""
        b = self.b
        n = b.fptosi(b.fadd(b.fmul(x, self.fc(1.44269504088896341)), self.fc(0.5)), self.i)
        fn = b.sitofp(n, self.f)
        r = b.fsub(b.fsub(x, b.fmul(fn, self.fc(0.693359375))), b.fmul(fn, self.fc(-2.12194440e-4)))
        z = b.fmul(r, r)
        y = b.fadd(b.fadd(b.fmul(self.horner(_EXP_P, r), z), r), self.fc(1.0))
        return self.as_float(b.add(self.as_int(y), b.shl(n, self.ic(23))))

    def tanh(self, x):
        """tanh(x): odd polynomial for |x| < 0.625, else 1 - 2 / (exp(2|x|) + 1), the sign of x copied."""
        b = self.b
        sign = b.and_(self.as_int(x), self.ic(-0x80000000))
        a = self.as_float(b.and_(self.as_int(x), self.ic(0x7FFFFFFF)))
        z = b.fmul(a, a)
        small = b.fadd(b.fmul(b.fmul(self.horner(_TANH_P, z), z), a), a)
        a2 = b.fadd(a, a)
        big_arg = b.select(b.fcmp_ordered("<", a2, self.fc(20.0)), a2, self.fc(20.0))  # tanh(10) = 1 in float32
        e = self.exp_pos(big_arg)
        big = b.fsub(self.fc(1.0), b.fdiv(self.fc(2.0), b.fadd(e, self.fc(1.0))))
        t = b.select(b.fcmp_ordered("<", a, self.fc(0.625)), small, big)
        t = b.select(b.fcmp_unordered("uno", x, x), x, t)  # NaN stays NaN
        return self.as_float(b.or_(self.as_int(t), sign))

    def sincos_quarter(self, a):
        """(sin a, cos a) for |a| <= pi/4 (Cephes sinf/cosf polynomials)."""
        b = self.b
        z = b.fmul(a, a)
        s = b.fadd(b.fmul(b.fmul(self.horner(_SIN_P, z), z), a), a)
        c = b.fmul(b.fmul(self.horner(_COS_P, z), z), z)
        c = b.fadd(b.fsub(c, b.fmul(z, self.fc(0.5))), self.fc(1.0))
        return s, c


def _f32(value):
    import numpy as np

    return np.float32(value)


#: Pairs of normals per call of :func:`normal_pairs`: one vector of float32 lanes (16 with AVX-512, see
#: VECTOR_BYTES). Each pair is computed from its own two words by the same operations whatever the width,
#: so the width changes no value (tested against a generic x86-64 build: tests/test_sampling.py).
NORMAL_LANES = VECTOR_BYTES // 4


@intrinsic
def normal_pairs(typingctx, words, q0, out, p0, valid):
    """Box-Muller: ``L = NORMAL_LANES`` pairs of standard normals from the words ``words[2 q0 : 2 q0 + 2 L]`` (uint32).

    Pair ``q`` uses ``lo = words[2q]``, ``hi = words[2q + 1]`` and writes ``out[p0 + 2(q - q0)]`` and the
    next element (only the first ``valid`` of the ``2 L`` outputs are written). With ``j = hi >> 8`` (24 bits),
    ``c = (hi >> 7) & 1`` and the 39 bits ``k = (hi & 127) * 2**32 + lo``:

    * ``v = (k + 1/2) 2**-40`` in (0, 1/2); ``U = v`` if ``c = 0``, else ``U = 1 - v`` (its logarithm
      computed from ``w = fl(1 - v)`` plus the exact rounding error ``-v - (w - 1)``, so that small radii
      keep full precision); ``R = sqrt(-2 log U)``;
    * ``A = (q pi/2) + (pi/2)(f - 1/2)`` with ``q = j >> 22`` and ``f = ((j mod 2**22) + 1/2) 2**-22``
      (an angle uniform on the circle); ``(R cos A, R sin A)`` from polynomials on [-pi/4, pi/4] and
      quarter turns.

    Largest radius: sqrt(2 * 41 ln 2) = 7.54 (the stream's tail beyond it has probability 2**-41 per pair).
    """
    sig = types.void(words, q0, out, p0, valid)

    def codegen(context, builder, signature, args):
        words_v, q0_v, out_v, p0_v, valid_v = args
        lanes = NORMAL_LANES
        v = _V(builder, lanes)
        b = builder
        words_a = context.make_array(signature.args[0])(context, builder, words_v)
        out_a = context.make_array(signature.args[2])(context, builder, out_v)
        w16t = ir.VectorType(_I32, 2 * lanes)
        wptr = b.bitcast(b.gep(words_a.data, [b.mul(q0_v, ir.Constant(_I64, 2))]), w16t.as_pointer())
        w16 = b.load(wptr, align=4)
        undef = ir.Constant(w16t, ir.Undefined)
        lo = b.shuffle_vector(w16, undef, ir.Constant(ir.VectorType(_I32, lanes), list(range(0, 2 * lanes, 2))))
        hi = b.shuffle_vector(w16, undef, ir.Constant(ir.VectorType(_I32, lanes), list(range(1, 2 * lanes, 2))))
        # Radius.
        kh = b.or_(b.shl(b.and_(hi, v.ic(127)), v.ic(16)), b.lshr(lo, v.ic(16)))  # 23 bits
        kl = b.and_(lo, v.ic(0xFFFF))
        frac = b.fmul(b.fadd(b.sitofp(kl, v.f), v.fc(0.5)), v.fc(2.0**-16))
        vv = b.fmul(b.fadd(b.sitofp(kh, v.f), frac), v.fc(2.0**-24))
        w = b.fsub(v.fc(1.0), vv)
        err = b.fsub(b.fsub(v.fc(0.0), vv), b.fsub(w, v.fc(1.0)))
        upper = b.icmp_unsigned("!=", b.and_(hi, v.ic(128)), v.ic(0))
        lg = v.log(b.select(upper, w, vv))
        lg = b.fadd(lg, b.select(upper, b.fdiv(err, w), v.fc(0.0)))
        sqrt = cgutils.get_or_insert_function(b.module, ir.FunctionType(v.f, [v.f]), f"llvm.sqrt.v{lanes}f32")
        radius = b.call(sqrt, [b.fmul(lg, v.fc(-2.0))])
        # Angle.
        jl = b.and_(b.lshr(hi, v.ic(8)), v.ic(0x3FFFFF))
        f = b.fsub(b.fmul(b.fadd(b.sitofp(jl, v.f), v.fc(0.5)), v.fc(2.0**-22)), v.fc(0.5))
        s, c = v.sincos_quarter(b.fmul(f, v.fc(1.5707963267948966)))
        q = b.lshr(hi, v.ic(30))
        swap = b.icmp_unsigned("!=", b.and_(q, v.ic(1)), v.ic(0))
        first = b.select(swap, s, c)
        second = b.select(swap, c, s)
        sign1 = b.shl(b.and_(b.xor(q, b.lshr(q, v.ic(1))), v.ic(1)), v.ic(31))
        sign2 = b.shl(b.lshr(q, v.ic(1)), v.ic(31))
        z1 = v.as_float(b.xor(v.as_int(b.fmul(radius, first)), sign1))
        z2 = v.as_float(b.xor(v.as_int(b.fmul(radius, second)), sign2))
        both = b.shuffle_vector(z1, z2, ir.Constant(ir.VectorType(_I32, 2 * lanes),
                                                    [x for i in range(lanes) for x in (i, lanes + i)]))
        base = b.gep(out_a.data, [p0_v])
        full = b.icmp_signed(">=", valid_v, ir.Constant(_I64, 2 * lanes))
        with b.if_else(full) as (then, otherwise):
            with then:
                b.store(both, b.bitcast(base, ir.VectorType(_F32, 2 * lanes).as_pointer()), align=4)
            with otherwise:
                for i in range(2 * lanes):
                    with b.if_then(b.icmp_signed(">", valid_v, ir.Constant(_I64, i))):
                        b.store(b.extract_element(both, ir.Constant(_I32, i)), b.gep(base, [ir.Constant(_I64, i)]))
        return context.get_dummy_value()

    return sig, codegen


#: float32 values per call of :func:`tanh16`.
TANH_LANES = 16


@intrinsic
def tanh16(typingctx, values, start, valid):
    """``values[start + i] = tanh(values[start + i])`` for ``i < min(valid, 16)`` (float32, in place).

    tanh from exactly specified operations (see :meth:`_V.tanh`), so every machine gives the same bits;
    its largest error against a float64 reference is stated and tested in ``tests/test_sampling_simd.py``.
    """
    sig = types.void(values, start, valid)

    def codegen(context, builder, signature, args):
        values_v, start_v, valid_v = args
        b = builder
        lanes = TANH_LANES
        v = _V(builder, lanes)
        arr = context.make_array(signature.args[0])(context, builder, values_v)
        base = b.gep(arr.data, [start_v])
        vptr = b.bitcast(base, v.f.as_pointer())
        full = b.icmp_signed(">=", valid_v, ir.Constant(_I64, lanes))
        with b.if_else(full) as (then, otherwise):
            with then:
                b.store(v.tanh(b.load(vptr, align=4)), vptr, align=4)
            with otherwise:
                x = ir.Constant(v.f, [0.0] * lanes)
                # Gather the valid lanes (others 0), compute, scatter back.
                slot = cgutils.alloca_once_value(b, x)
                for i in range(lanes):
                    with b.if_then(b.icmp_signed(">", valid_v, ir.Constant(_I64, i))):
                        cur = b.load(slot)
                        el = b.load(b.gep(base, [ir.Constant(_I64, i)]))
                        b.store(b.insert_element(cur, el, ir.Constant(_I32, i)), slot)
                t = v.tanh(b.load(slot))
                for i in range(lanes):
                    with b.if_then(b.icmp_signed(">", valid_v, ir.Constant(_I64, i))):
                        b.store(b.extract_element(t, ir.Constant(_I32, i)), b.gep(base, [ir.Constant(_I64, i)]))
        return context.get_dummy_value()

    return sig, codegen
