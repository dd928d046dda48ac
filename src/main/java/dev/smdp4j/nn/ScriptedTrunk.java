package dev.smdp4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The convolutional trunk of a {@link ScoreNet} (lift, residual blocks, projection) as one
 * TorchScript method, for passes without gradient recording (sampling, evaluation).
 *
 * <p>Why: at batch 1 a forward pass written with DJL operations makes about 100 engine calls,
 * and the periodic paddings alone (two splits and two concatenations each, with the views they
 * make) cost about a quarter of a sampling step. The script runs the same operations inside the
 * engine, and keeps the activations channels-last, so that libtorch's convolution need not reorder
 * them into oneDNN's blocked layout and back at every call (both measured in docs/BENCHMARKS.md;
 * see {@link #source}).
 *
 * <p>The script is written here, from the configuration, as TorchScript source with a
 * parameter-free module object, packed into an archive in memory and compiled by the engine
 * ({@code JniUtils.loadModule}); nothing is read from or written to disk, and no Python is
 * involved. The weights are not part of it: every call passes the parameter arrays as they are
 * at that moment, so the script can never disagree with the Java network about its weights.
 *
 * <p>Only for configurations that need no input-channel padding (the workaround for libtorch's
 * convolution NaNs, docs/RELIABILITY.md): input channels at most 16 or a multiple of 16, and a
 * width that is a multiple of 16. The projection's single output channel is padded to 16 inside
 * the script, as {@link CircularConv} pads it. Everything else takes the Java path. The system property {@value #DISABLE} set to {@code true} turns the script off.
 */
final class ScriptedTrunk {
    /** System property that turns the scripted trunk off (the Java operations are used throughout). */
    static final String DISABLE = "smdp4j.eager";

    private static final String CLASS = "ScoreNetTrunk";

    private final PtSymbolBlock module;

    private ScriptedTrunk(PtSymbolBlock module) {
        this.module = module;
    }

    /**
     * Whether a trunk of {@code config} on {@code inChannels} input channels can be scripted: no
     * convolution of it needs channel padding ({@link CircularConv}), except the projection's
     * output channels, which the script pads itself.
     */
    static boolean supports(ScoreNetConfig config, int inChannels) {
        return !Boolean.getBoolean(DISABLE)
                && CircularConv.inputChannelPad(inChannels) == 0
                && CircularConv.outputChannelPad(config.width()) == 0;
    }

    /**
     * Compiles the trunk of {@code config}; the compiled module belongs to {@code manager} and is
     * freed with it.
     */
    static ScriptedTrunk compile(NDManager manager, ScoreNetConfig config) {
        byte[] archive = archive(source(config));
        try (InputStream in = new ByteArrayInputStream(archive)) {
            return new ScriptedTrunk(JniUtils.loadModule((PtNDManager) manager, in, true, false));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code [out, h]}: the projection's output {@code [B, 1, N, N]} and, when the configuration has
     * a spectral branch (the only reader of it), the last hidden layer {@code [B, width, N, N]}
     * (otherwise an empty array), in {@code x}'s manager, from the input and the parameter arrays in
     * the trunk's order (lift weight and bias, each block convolution's, the projection's).
     */
    NDList forward(NDArray x, List<NDArray> parameters) {
        IValue[] inputs = new IValue[parameters.size() + 1];
        inputs[0] = IValue.from((PtNDArray) x);
        for (int i = 0; i < parameters.size(); i++) {
            inputs[i + 1] = IValue.from((PtNDArray) parameters.get(i));
        }
        try (IValue result = IValueUtils.forward(module, inputs)) {
            return result.toNDList((PtNDManager) x.getManager());
        } finally {
            for (IValue v : inputs) {
                v.close();
            }
        }
    }

    /**
     * The TorchScript source of the trunk. The activations are kept channels-last (NHWC) from the
     * lift to the projection: libtorch's oneDNN convolution then runs its NHWC kernel directly on
     * them, where on NCHW arrays it reorders every input into its blocked layout and every output
     * back (about a third of a convolution's time at batch 32, docs/BENCHMARKS.md). {@code pad}
     * pads periodically into a fresh channels-last array: the interior and the left and right
     * borders copied from the input, then the top and bottom borders (corners included) from the
     * array's own rows, so every cell is written once (libtorch's own circular padding is slow on
     * channels-last arrays). {@code conv} convolves (a single small field gets a zero field
     * appended, as {@link CircularConv#batchable} does, to keep libtorch off its NNPACK path).
     * {@code forward} is {@link ScoreNet}'s trunk; it returns the projection and, when the
     * configuration has a spectral branch, the last hidden layer, both as contiguous (NCHW) arrays.
     */
    static String source(ScoreNetConfig config) {
        String self = "self: __torch__.smdp4j." + CLASS;
        String act = config.activation().equals("gelu") ? "torch.gelu(%s)" : "torch.leaky_relu(%s, 0.01)";
        int half = (config.kernel() - 1) / 2;
        int convs = 2 * config.blocks();
        int last = convs + 1;
        int extra =
                CircularConv.outputChannelPad(1); // the projection's one output channel padded, as CircularConv does
        int channelsLast = 2; // c10::MemoryFormat::ChannelsLast, as serialised TorchScript spells it
        StringBuilder s = new StringBuilder();
        s.append("class " + CLASS + "(Module):\n");
        s.append("  __parameters__ = []\n  __buffers__ = []\n  training : bool\n");
        s.append("  def pad(" + self + ", x: Tensor, p: int) -> Tensor:\n");
        s.append("    r = torch.size(x, 2)\n");
        s.append("    c = torch.size(x, 3)\n");
        s.append("    if torch.gt(p, r) or torch.gt(p, c):\n"); // wraps more than once: libtorch's padding says so
        s.append("      return torch.pad(x, [p, p, p, p], \"circular\")\n");
        s.append("    y = torch.empty([torch.size(x, 0), torch.size(x, 1), r + 2 * p, c + 2 * p], "
                + "dtype=ops.prim.dtype(x), layout=None, device=ops.prim.device(x), pin_memory=None, memory_format="
                + channelsLast + ")\n");
        s.append("    rows = torch.slice(y, 2, p, p + r)\n");
        s.append("    _0 = torch.copy_(torch.slice(rows, 3, p, p + c), x)\n");
        s.append("    _1 = torch.copy_(torch.slice(rows, 3, 0, p), torch.slice(x, 3, c - p))\n");
        s.append("    _2 = torch.copy_(torch.slice(rows, 3, p + c), torch.slice(x, 3, 0, p))\n");
        s.append("    _3 = torch.copy_(torch.slice(y, 2, 0, p), torch.slice(y, 2, r, r + p))\n");
        s.append("    _4 = torch.copy_(torch.slice(y, 2, p + r), torch.slice(y, 2, p, 2 * p))\n");
        s.append("    return y\n");
        s.append("  def conv(" + self + ", y: Tensor, w: Tensor, b: Tensor, d: int) -> Tensor:\n");
        s.append("    if torch.eq(torch.size(y, 0), 1) and torch.le(torch.numel(y), " + CircularConv.SMALL_INPUT
                + "):\n");
        s.append("      z = torch.conv2d(torch.cat([y, torch.zeros_like(y)], 0), w, b, [1, 1], [0, 0], [d, d])\n");
        s.append("      return torch.slice(z, 0, 0, 1)\n");
        s.append("    return torch.conv2d(y, w, b, [1, 1], [0, 0], [d, d])\n");
        s.append("  def forward(" + self + ", x: Tensor");
        for (int i = 0; i <= last; i++) {
            s.append(String.format(", w%d: Tensor, b%d: Tensor", i, i));
        }
        s.append(") -> Tuple[Tensor, Tensor]:\n");
        s.append(String.format("    h = self.conv(self.pad(x, %d), w0, b0, 1)\n", half));
        for (int j = 0; j < convs; j += 2) {
            for (int k = 0; k < 2; k++) {
                int d = config.dilation(j + k);
                String in = String.format(act, k == 0 ? "h" : "r");
                s.append(String.format(
                        "    r = self.conv(self.pad(%s, %d), w%d, b%d, %d)\n", in, d * half, j + k + 1, j + k + 1, d));
            }
            s.append("    h = torch.add(h, r)\n");
        }
        s.append(String.format("    wp = torch.constant_pad_nd(w%d, [0, 0, 0, 0, 0, 0, 0, %d], 0.)\n", last, extra));
        s.append(String.format("    bp = torch.constant_pad_nd(b%d, [0, %d], 0.)\n", last, extra));
        s.append(String.format(
                "    out = torch.contiguous(torch.slice(self.conv(self.pad(%s, %d), wp, bp, 1), 1, 0, 1))\n",
                String.format(act, "h"), half));
        s.append(
                config.spectralModes() > 0
                        ? "    return (out, torch.contiguous(h))\n"
                        : "    return (out, torch.slice(out, 0, 0, 0))\n"); // h feeds only the spectral branch
        return s.toString();
    }

    /**
     * {@code x} padded periodically by {@code p} cells on each side, by the script's {@code pad}
     * (a channels-last array; for tests, which check it against {@link Periodic#pad}).
     */
    NDArray pad(NDArray x, int p) {
        try (IValue in = IValue.from((PtNDArray) x);
                IValue width = IValue.from((long) p);
                IValue result = IValueUtils.runMethod(module, "pad", in, width)) {
            return result.toTensor((PtNDManager) x.getManager());
        }
    }

    /**
     * A TorchScript archive holding {@code source} as the module's class and a module object
     * without attributes but {@code training = False}: the files {@code torch.jit.save} writes for
     * such a module (the object pickled with protocol 2, an empty constants table, format version 3).
     */
    static byte[] archive(String source) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            put(zip, "trunk/data.pkl", modulePickle());
            put(zip, "trunk/code/__torch__/smdp4j.py", source.getBytes(StandardCharsets.UTF_8));
            put(zip, "trunk/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // PROTO 2, EMPTY_TUPLE, STOP
            put(zip, "trunk/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** {@code __torch__.smdp4j.ScoreNetTrunk} with {@code {"training": False}}, as pickle protocol 2. */
    private static byte[] modulePickle() {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80); // PROTO 2
        p.write(2);
        p.writeBytes(("c__torch__.smdp4j\n" + CLASS + "\n").getBytes(StandardCharsets.US_ASCII)); // GLOBAL
        p.write(')'); // EMPTY_TUPLE
        p.write(0x81); // NEWOBJ
        p.write('}'); // EMPTY_DICT
        p.write('('); // MARK
        byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
        p.write('X'); // BINUNICODE, 4-byte little-endian length
        p.write(key.length);
        p.write(0);
        p.write(0);
        p.write(0);
        p.writeBytes(key);
        p.write(0x89); // NEWFALSE
        p.write('u'); // SETITEMS
        p.write('b'); // BUILD
        p.write('.'); // STOP
        return p.toByteArray();
    }

    private static void put(ZipOutputStream zip, String name, byte[] content) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(content);
        zip.closeEntry();
    }
}
