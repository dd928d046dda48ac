package dev.smdp4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.Scalars;

/**
 * The spectral convolution of a Fourier neural operator (Li et al. 2021, "Fourier Neural Operator
 * for Parametric Partial Differential Equations", layer {@code SpectralConv2d} of FNO-2d): a global
 * convolution on the periodic {@code N x N} grid parametrised directly by its Fourier coefficients
 * on the lowest modes.
 *
 * <p>For an input {@code [B, C_in, N, N]} it takes the real 2-D FFT (an {@code rfft} along the last
 * axis, then an {@code fft} along the second-to-last, as {@code FourierMultiplier}), keeps the modes
 * of rows {@code 0 .. modes-1} and {@code N-modes .. N-1} (wavenumbers {@code 0 .. modes-1} and
 * {@code -modes .. -1}) and columns {@code 0 .. modes-1} of the half spectrum, mixes the channels on
 * every kept mode {@code k} with its own complex matrix,
 * {@code out[b, o, k] = sum_i in[b, i, k] W[i, o, k]}, sets every other mode to zero, and transforms
 * back to a real {@code [B, C_out, N, N]} field. As with PyTorch's {@code irfft}, the inverse
 * transform supplies the conjugate partners of the columns {@code 1 .. modes-1} and takes the real
 * part of column 0, so the output is
 * {@code N^-2 sum_{kept (u, v)} c_v Re(out[u, v] exp(2 pi i (u r + v c) / N))} with {@code c_0 = 1}
 * and {@code c_v = 2} otherwise.
 *
 * <p>The weights depend on wavenumbers, not on grid points, so the same layer applies at any
 * resolution {@code N >= 2 * modes} and, on band-limited fields, gives the same function sampled
 * on the finer grid (the forward and inverse FFT normalisations cancel).
 *
 * <p>Parameters: the complex weights are stored as two real float arrays, {@code weight_real} and
 * {@code weight_imag}, each {@code [C_in, C_out, 2 * modes, modes]}; index {@code j < modes} of the
 * third axis is FFT row {@code j}, index {@code j >= modes} is FFT row {@code N - 2 * modes + j}
 * (wavenumber {@code j - 2 * modes}). Checkpoints and the optimizer thus only see real arrays; the
 * complex product is computed in real arithmetic from the real and imaginary parts of the spectrum
 * ({@link NDArray#real()}, PyTorch's {@code view_as_real}); the result is made complex again as
 * {@code re + i * im}, by type promotion in a product with the complex constant {@code i}
 * ({@link NDArray#complex()}, the inverse of {@code real()}, runs libtorch's
 * {@code view_as_complex_copy}, which has no autograd, and {@code toType(COMPLEX64)} detaches).
 * Both parts are initialised as in Li et al., {@code uniform[0, 1) / (C_in * C_out)}, drawn from the
 * engine's generator (so {@code Engine.setRandomSeed} fixes them). There is no bias (in an FNO layer
 * the parallel pointwise convolution carries it).
 *
 * <p>When few modes are kept ({@link #byMatrices}), the same function is computed by real matrix
 * products with the DFT restricted to the kept modes ({@link ModeBasis}) instead of FFTs of the
 * whole grid.
 *
 * <p>Float32 only (DJL has no complex128 type). Differentiable through DJL autograd.
 */
public final class SpectralConv2d extends AbstractBlock {
    private final int inChannels;
    private final int outChannels;
    private final int modes;
    private final Parameter weightReal;
    private final Parameter weightImag;
    /** Where {@link #constant} keeps its arrays: a sub-manager of the parameters' manager, made by {@link #initialize}. */
    private NDManager constants;

    private final java.util.Map<String, NDArray> constantCache = new java.util.HashMap<>();
    /** The last grid's high-pass mask (a pure function of N and modes; a benign race at worst recomputes it). */
    private volatile float[] highPassMask;

    /**
     * @param inChannels input channels {@code C_in >= 1}
     * @param outChannels output channels {@code C_out >= 1}
     * @param modes modes kept per axis, {@code >= 1}; the grid must then have {@code N >= 2 * modes}
     */
    public SpectralConv2d(int inChannels, int outChannels, int modes) {
        if (inChannels < 1 || outChannels < 1 || modes < 1 || modes > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("need inChannels, outChannels and modes >= 1; got inChannels "
                    + inChannels + ", outChannels " + outChannels + ", modes " + modes);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.modes = modes;
        Shape shape = new Shape(inChannels, outChannels, 2L * modes, modes);
        Initializer init = liInitializer(1.0f / ((float) inChannels * outChannels));
        this.weightReal = addParameter(Parameter.builder()
                .setName("weight_real")
                .setType(Parameter.Type.WEIGHT)
                .optShape(shape)
                .optInitializer(init)
                .build());
        this.weightImag = addParameter(Parameter.builder()
                .setName("weight_imag")
                .setType(Parameter.Type.WEIGHT)
                .optShape(shape)
                .optInitializer(init)
                .build());
    }

    /** {@code scale * uniform[0, 1)}, Li et al.'s initialisation of both parts of the weights. */
    private static Initializer liInitializer(float scale) {
        return (manager, shape, dataType) -> manager.randomUniform(0f, scale, shape, dataType);
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    public int modes() {
        return modes;
    }

    /** The parameter holding the real parts of the weights, {@code [C_in, C_out, 2 * modes, modes]}. */
    public Parameter weightReal() {
        return weightReal;
    }

    /** The parameter holding the imaginary parts of the weights, {@code [C_in, C_out, 2 * modes, modes]}. */
    public Parameter weightImag() {
        return weightImag;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        int n = checkInput(x.getShape());
        if (x.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException(
                    "spectral convolution needs float32 input (DJL has no complex128), got " + x.getDataType());
        }
        NDArray wr = store.getValue(weightReal, x.getDevice(), training);
        NDArray wi = store.getValue(weightImag, x.getDevice(), training);
        return new NDList(byMatrices(n, modes) ? forwardByMatrices(x, wr, wi, n) : forwardByFft(x, wr, wi, n));
    }

    /**
     * Whether a grid of {@code n} cells per axis with {@code modes} kept modes per axis is transformed
     * by matrix products ({@link ModeBasis}) rather than FFTs: when the kept modes' real and
     * imaginary parts, {@code 4 modes^2}, number at most an eighth of the grid's cells. Both give the
     * same function up to float32 round-off (tested); on the default score network (4 modes, 32 x 32)
     * the products take far fewer engine calls than the FFTs and the complex bookkeeping around them
     * (docs/BENCHMARKS.md, "Network speed against eager PyTorch").
     */
    static boolean byMatrices(int n, int modes) {
        return 4L * modes * modes * 8 <= (long) n * n;
    }

    /** The layer through FFTs of the whole grid. */
    NDArray forwardByFft(NDArray x, NDArray weightRe, NDArray weightIm, int n) {
        long batch = x.getShape().get(0);
        int m = modes;
        NDManager nd = x.getManager();
        NDArray wr = modesFirst(weightRe, inChannels, outChannels, nd);
        NDArray wi = modesFirst(weightIm, inChannels, outChannels, nd);
        // Real 2-D FFT and the kept modes, [B, C_in, 2m, m] complex, then real and imaginary parts.
        NDArray spectrum = x.rfft(n, -1).fft(n, -2);
        NDArray kept = NDArrays.concat(
                new NDList(
                        spectrum.get(new NDIndex(":, :, :" + m + ", :" + m)),
                        spectrum.get(new NDIndex(":, :, " + (n - m) + ":, :" + m))),
                2);
        NDArray parts = kept.real(); // [B, C_in, 2m, m, 2]: view_as_real (a copy in DJL), differentiable
        NDArray ar = modesFirst(parts.get(new NDIndex("..., 0")), batch, inChannels, nd);
        NDArray ai = modesFirst(parts.get(new NDIndex("..., 1")), batch, inChannels, nd);

        // Complex channel mixing per mode as real batched matrix products [K, B, C_in] x [K, C_in, C_out].
        NDArray re = ar.matMul(wr).sub(ai.matMul(wi));
        NDArray im = ar.matMul(wi).add(ai.matMul(wr));

        // Back to a complex half spectrum [B, C_out, N, N/2 + 1], zero outside the kept modes, as
        // re + i * im by type promotion. (NDArray.complex(), libtorch's view_as_complex_copy, has no
        // autograd, and DJL's toType(COMPLEX64) detaches from the graph.)
        return inverse(zeroFill(re, batch, n), zeroFill(im, batch, n), n);
    }

    /**
     * The layer through {@link ModeBasis} matrices: the kept modes' real and imaginary parts of
     * every channel by one product, the complex channel mixing as one real batched product per mode
     * with the block matrix {@code [[W_re, W_im], [-W_im, W_re]]}, and the output fields by one more
     * product.
     */
    NDArray forwardByMatrices(NDArray x, NDArray weightRe, NDArray weightIm, int n) {
        long batch = x.getShape().get(0);
        long k = 2L * modes * modes;
        NDManager nd = x.getManager();
        NDArray spectrum = x.reshape(batch * inChannels, (long) n * n)
                .matMul(constant(
                        "kept-analysis", n, () -> ModeBasis.kept(n, modes).analysis(), new Shape((long) n * n, 2 * k)))
                .reshape(batch, inChannels, 2, k)
                .transpose(3, 0, 2, 1)
                .reshape(k, batch, 2L * inChannels);
        NDArray wr = modesFirst(weightRe, inChannels, outChannels, nd); // [K, C_in, C_out]
        NDArray wi = modesFirst(weightIm, inChannels, outChannels, nd);
        NDArray w = NDArrays.concat(
                new NDList(NDArrays.concat(new NDList(wr, wi), 2), NDArrays.concat(new NDList(wi.neg(), wr), 2)),
                1); // [K, 2 C_in, 2 C_out]
        return spectrum.matMul(w) // [K, B, 2 C_out]: real parts, then imaginary parts
                .reshape(k, batch, 2, outChannels)
                .transpose(1, 3, 2, 0)
                .reshape(batch * outChannels, 2 * k)
                .matMul(constant(
                        "kept-synthesis",
                        n,
                        () -> ModeBasis.kept(n, modes).synthesis(),
                        new Shape(2 * k, (long) n * n)))
                .reshape(batch, outChannels, n, n);
    }

    /**
     * An engine copy of a constant of this layer, made once per grid size in a sub-manager of the
     * manager the layer was initialised in (so freed with its parameters); an
     * {@link IllegalStateException} before {@link #initialize}.
     */
    private NDArray constant(String kind, int n, java.util.function.Supplier<float[]> data, Shape shape) {
        synchronized (constantCache) {
            if (constants == null) {
                throw new IllegalStateException("spectral convolution used before initialize()");
            }
            String key = kind + ":" + n;
            NDArray c = constantCache.get(key);
            if (c == null || c.isReleased()) {
                c = EngineArrays.of(constants, data.get(), shape);
                constantCache.put(key, c);
            }
            return c;
        }
    }

    @Override
    public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
        super.initialize(manager, dataType, inputShapes);
        synchronized (constantCache) {
            if (constants == null || !constants.isOpen()) {
                constants = manager.newSubManager();
                constantCache.clear();
            }
        }
    }

    /**
     * {@code x} {@code [B, C, N, N]} with its content on this layer's kept modes removed (the kept
     * block of its half spectrum set to zero), differentiable: what is left is what this layer cannot
     * produce. In column 0 the row of wavenumber {@code +modes} is removed too, the conjugate partner of
     * the kept row {@code -modes}: the removed set is then closed under conjugation, so the operation
     * is an orthogonal projection (idempotent) on real fields.
     */
    public NDArray highPass(NDArray x) {
        int n = (int) x.getShape().get(3);
        int m = modes;
        if (n < 2 * m || x.getShape().get(2) != n) {
            throw new IllegalArgumentException(
                    "high-pass of " + m + " modes needs an N x N grid with N >= " + 2 * m + ", got " + x.getShape());
        }
        return byMatrices(n, m) ? highPassByMatrices(x, n) : highPassByFft(x, n);
    }

    /** {@link #highPass} through FFTs of the whole grid. */
    NDArray highPassByFft(NDArray x, int n) {
        NDArray parts = x.rfft(n, -1).fft(n, -2).real(); // [B, C, N, N/2 + 1, 2]
        NDArray keep = EngineArrays.of(x.getManager(), highPassMask(n), new Shape(n, n / 2 + 1));
        return inverse(
                parts.get(new NDIndex("..., 0")).mul(keep),
                parts.get(new NDIndex("..., 1")).mul(keep),
                n);
    }

    /** {@link #highPass} as {@code x} minus its projection on the removed modes, by {@link ModeBasis} products. */
    NDArray highPassByMatrices(NDArray x, int n) {
        Shape shape = x.getShape();
        long k2 = 2L * ModeBasis.keptAndPartnerSize(n, modes);
        long cells = (long) n * n;
        NDArray flat = x.reshape(-1, cells);
        NDArray low = flat.matMul(constant(
                        "removed-analysis",
                        n,
                        () -> ModeBasis.keptAndPartner(n, modes).analysis(),
                        new Shape(cells, k2)))
                .matMul(constant(
                        "removed-synthesis",
                        n,
                        () -> ModeBasis.keptAndPartner(n, modes).synthesis(),
                        new Shape(k2, cells)));
        return flat.sub(low).reshape(shape);
    }

    /** The high-pass's 0/1 mask on the {@code N x (N/2 + 1)} half spectrum, computed once per grid size. */
    private float[] highPassMask(int n) {
        float[] cached = highPassMask;
        if (cached != null && cached.length == n * (n / 2 + 1)) {
            return cached;
        }
        int m = modes;
        float[] mask = new float[n * (n / 2 + 1)];
        java.util.Arrays.fill(mask, 1f);
        for (int r = 0; r < n; r++) {
            if (r < m || r >= n - m) {
                for (int c = 0; c < m; c++) {
                    mask[r * (n / 2 + 1) + c] = 0f;
                }
            }
        }
        mask[m * (n / 2 + 1)] = 0f; // (+m, 0), partner of the kept (-m, 0)
        highPassMask = mask;
        return mask;
    }

    /**
     * Real fields {@code [..., N, N]} from the real and imaginary parts of their half spectrum
     * {@code [..., N, N/2 + 1]}, differentiable: the complex spectrum is {@code re + i * im} by type
     * promotion in a product with the constant {@code i}.
     */
    static NDArray inverse(NDArray re, NDArray im, int n) {
        NDArray unit = EngineArrays.of(im.getManager(), new float[] {0f, 1f}).complex(); // i, a constant
        // The trailing mul(1) hands irfft's backward a dense gradient (it fails on a strided one).
        return Scalars.mul(im.mul(unit).add(re).ifft(n, -2).irfft(n, -1), 1);
    }

    /**
     * The mixed modes {@code [K, B, C_out]} placed into a real {@code [B, C_out, N, N/2 + 1]} array
     * of zeros: block rows {@code 0 .. m-1} to FFT rows {@code 0 .. m-1}, block rows
     * {@code m .. 2m-1} to FFT rows {@code N-m .. N-1}, columns {@code 0 .. m-1}.
     */
    private NDArray zeroFill(NDArray mixed, long batch, int n) {
        int m = modes;
        NDArray block = mixed.transpose(1, 2, 0).reshape(batch, outChannels, 2L * m, m);
        NDManager nd = mixed.getManager();
        NDList rows = new NDList(block.get(new NDIndex(":, :, :" + m)));
        if (n > 2 * m) {
            rows.add(nd.zeros(new Shape(batch, outChannels, n - 2L * m, m), block.getDataType(), block.getDevice()));
        }
        rows.add(block.get(new NDIndex(":, :, " + m + ":")));
        return NDArrays.concat(
                new NDList(
                        NDArrays.concat(rows, 2),
                        nd.zeros(
                                new Shape(batch, outChannels, n, n / 2 + 1 - m),
                                block.getDataType(),
                                block.getDevice())),
                3);
    }

    /**
     * {@code [first, second, rows, cols]} to {@code [rows * cols, first, second]} in {@code target}:
     * the modes become the batch axis. For a weight, the results would otherwise belong to the
     * parameters' long-lived manager (DJL: an op's result goes to its left operand's manager) and
     * leak on every pass.
     */
    private static NDArray modesFirst(NDArray a, long first, long second, NDManager target) {
        NDArray flat = a.reshape(first, second, -1);
        flat.attach(target);
        return flat.transpose(2, 0, 1);
    }

    /** Validates {@code [B, C_in, N, N]} with {@code N >= 2 * modes}; returns {@code N}. */
    private int checkInput(Shape in) {
        if (in.dimension() != 4 || in.get(1) != inChannels || in.get(2) != in.get(3)) {
            throw new IllegalArgumentException("spectral convolution expects [B, " + inChannels + ", N, N], got " + in);
        }
        long n = in.get(2);
        if (n < 2L * modes) {
            throw new IllegalArgumentException("spectral convolution with " + modes + " modes needs a grid of at least "
                    + 2 * modes + " x " + 2 * modes + " (modes <= N / 2), got " + n + " x " + n);
        }
        return (int) n;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        checkInput(in);
        return new Shape[] {new Shape(in.get(0), outChannels, in.get(2), in.get(3))};
    }
}
