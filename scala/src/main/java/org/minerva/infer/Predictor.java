package org.minerva.infer;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.minerva.capi.LibMinerva;

/**
 * Inference on an exported model, safe to call from many threads at once.
 *
 * <p>A model is the pair MXNet 1.x and Minerva export: {@code prefix-symbol.json} and
 * {@code prefix-NNNN.params} (from {@code HybridBlock.export} or {@code Module.save_checkpoint});
 * parameter names may carry MXNet's {@code arg:}/{@code aux:} prefixes or none (Gluon's
 * {@code save_parameters}). The inputs and their shapes, batch included, are declared at load.
 *
 * <p>Threads: one Predictor holds ONE set of weights and one compiled graph (a CachedOp, whose
 * invoke is thread-safe with per-call workspaces); every {@code predict} copies its inputs into
 * fresh arrays, runs the graph with the shared weights as inputs, and copies the outputs out, so
 * concurrent calls never share mutable state and throughput grows with threads. Each call runs
 * in predict mode (training and autograd recording off on the calling thread, restored after).
 *
 * <p>Memory: the native weights are freed by {@link #close()} (idempotent; later calls throw
 * {@link IllegalStateException}) or, as a safety net, by a {@link Cleaner} once the Predictor is
 * unreachable. {@code close()} waits for calls in flight.
 *
 * <p>Errors: a bad file or model throws the {@link org.minerva.MinervaException} subclass of the
 * core's error kind (e.g. {@link org.minerva.MinervaIOException} naming the file); an input of the
 * wrong length or name throws {@link IllegalArgumentException} naming the sizes.
 *
 * <pre>{@code
 * try (Predictor p = Predictor.load("lenet-symbol.json", "lenet-0000.params", "data",
 *                                   new int[] {1, 1, 28, 28})) {
 *     float[] scores = p.predict(pixels);   // row-major, 1*1*28*28 values
 *     int[] shape = p.outputShape();        // {1, 10}
 * }
 * }</pre>
 */
public final class Predictor implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final ThreadLocal<ByteBuffer> SCRATCH = new ThreadLocal<>();

    private final NativeState state;
    private final Cleaner.Cleanable cleanable;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;

    private final List<String> inputNames;
    private final Map<String, Integer> inputIndex = new HashMap<>();
    private final long[][] inputShapes;  // per declared input
    private final long[] inputSizes;
    private final int[] inputSlots;      // position of each declared input among the graph's inputs
    private final long[] template;       // graph inputs: weights and constants, 0 at the data slots
    private final List<String> outputNames;
    private final long[][] outputShapes;
    private final long[] outputSizes;

    /** The native handles, freed once by close() or the Cleaner; never references the Predictor. */
    private static final class NativeState implements Runnable {
        long symbol;
        long cachedOp;
        final List<Long> arrays = new ArrayList<>();

        @Override
        public synchronized void run() {
            if (symbol == 0 && cachedOp == 0 && arrays.isEmpty()) {
                return;  // nothing was allocated (the library may not even have loaded)
            }
            LibMinerva.MVCachedOpFree(cachedOp);
            cachedOp = 0;
            LibMinerva.MVSymbolFree(symbol);
            symbol = 0;
            for (long h : arrays) {
                LibMinerva.MVNDArrayFree(h);
            }
            arrays.clear();
        }
    }

    /**
     * Loads a model with one input.
     *
     * @param symbolJson path of the {@code -symbol.json} file
     * @param params path of the {@code .params} file
     * @param inputName the data input's name (usually {@code "data"})
     * @param inputShape its shape, batch first, e.g. {@code {1, 1, 28, 28}}
     */
    public static Predictor load(String symbolJson, String params, String inputName, int[] inputShape) {
        if (inputName == null || inputShape == null) {
            throw new IllegalArgumentException("Predictor.load: inputName and inputShape must not be null");
        }
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put(inputName, inputShape);
        return load(symbolJson, params, shapes);
    }

    /**
     * Loads a model with several inputs, declared with their shapes in the order of the map's
     * iteration (use a {@link LinkedHashMap}). Every other graph input must be in the parameter
     * file (else {@link IllegalArgumentException} naming the missing ones), except a loss layer's
     * label (a name ending in "label", e.g. {@code softmax_label}), which is fed zeros.
     */
    public static Predictor load(String symbolJson, String params, Map<String, int[]> inputShapes) {
        if (symbolJson == null || params == null || inputShapes == null || inputShapes.isEmpty()) {
            throw new IllegalArgumentException("Predictor.load: symbolJson, params and at least one input are required");
        }
        return new Predictor(symbolJson, params, inputShapes);
    }

    private Predictor(String symbolJson, String params, Map<String, int[]> declared) {
        NativeState st = new NativeState();
        try {
            st.symbol = LibMinerva.MVSymbolCreateFromFile(symbolJson);
            Map<String, Long> weights = loadParams(params, st);

            inputNames = Collections.unmodifiableList(new ArrayList<>(declared.keySet()));
            int n = inputNames.size();
            inputShapes = new long[n][];
            inputSizes = new long[n];
            String[] keys = new String[n];
            int[] ndims = new int[n];
            List<Long> dims = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = inputNames.get(i);
                int[] shape = declared.get(name);
                if (shape == null || shape.length == 0) {
                    throw new IllegalArgumentException("Predictor.load: input '" + name + "' needs a non-empty shape");
                }
                inputIndex.put(name, i);
                inputShapes[i] = new long[shape.length];
                long size = 1;
                for (int d = 0; d < shape.length; d++) {
                    if (shape[d] <= 0) {
                        throw new IllegalArgumentException("Predictor.load: input '" + name + "' has shape "
                                + Arrays.toString(shape) + "; every dimension must be > 0");
                    }
                    inputShapes[i][d] = shape[d];
                    size *= shape[d];
                    dims.add((long) shape[d]);
                }
                inputSizes[i] = size;
                keys[i] = name;
                ndims[i] = shape.length;
            }
            long[] flatDims = dims.stream().mapToLong(Long::longValue).toArray();
            Map<?, ?> inferred = (Map<?, ?>) Json.parse(
                    LibMinerva.MVSymbolInferShape(st.symbol, keys, ndims, flatDims, 1));
            Map<String, long[]> shapeOf = new HashMap<>();
            collect(shapeOf, LibMinerva.MVSymbolListArguments(st.symbol), inferred.get("arg_shapes"));
            collect(shapeOf, LibMinerva.MVSymbolListAuxiliaryStates(st.symbol), inferred.get("aux_shapes"));

            String[] graphInputs = LibMinerva.MVSymbolListInputs(st.symbol);
            List<String> missing = new ArrayList<>();
            template = new long[graphInputs.length];
            inputSlots = new int[n];
            Arrays.fill(inputSlots, -1);
            for (int s = 0; s < graphInputs.length; s++) {
                String name = graphInputs[s];
                Integer di = inputIndex.get(name);
                if (di != null) {
                    inputSlots[di] = s;
                } else if (weights.containsKey(name)) {
                    long h = weights.get(name);
                    checkWeightShape(name, h, shapeOf.get(name));
                    template[s] = h;
                } else if (!isLabel(name)) {
                    missing.add(name);  // reported below, all at once
                } else {
                    long[] shape = shapeOf.get(name);
                    if (shape == null || shape.length == 0) {
                        throw new IllegalArgumentException("Predictor.load: graph input '" + name + "' is neither a"
                                + " declared input " + inputNames + " nor in " + params
                                + ", and its shape cannot be inferred");
                    }
                    long h = LibMinerva.MVNDArrayCreate(shape, LibMinerva.MV_DTYPE_FLOAT32, LibMinerva.MV_DEV_CPU, 0);
                    st.arrays.add(h);
                    template[s] = h;  // zeros, e.g. a SoftmaxOutput label
                }
            }
            if (!missing.isEmpty()) {
                // Zero weights would give plausible-looking, all-zero predictions: refuse, as Gluon's
                // SymbolBlock.imports (load_parameters, allow_missing=False) and Module.set_params do.
                List<String> present = new ArrayList<>(weights.keySet());
                Collections.sort(present);
                throw new IllegalArgumentException("Predictor.load: " + params + " lacks the parameter"
                        + (missing.size() == 1 ? " " : "s ") + missing + " of " + symbolJson + "; the file holds "
                        + (present.isEmpty() ? "no parameters" : present.toString())
                        + " (declared inputs: " + inputNames + ")");
            }
            for (int i = 0; i < n; i++) {
                if (inputSlots[i] < 0) {
                    throw new IllegalArgumentException("Predictor.load: '" + inputNames.get(i)
                            + "' is not an input of the graph; its inputs are " + Arrays.toString(graphInputs));
                }
            }
            outputNames = Collections.unmodifiableList(Arrays.asList(LibMinerva.MVSymbolListOutputs(st.symbol)));
            List<?> outs = (List<?>) inferred.get("out_shapes");
            outputShapes = new long[outputNames.size()][];
            outputSizes = new long[outputNames.size()];
            for (int o = 0; o < outputShapes.length; o++) {
                outputShapes[o] = toShape(outs.get(o));
                long size = 1;
                for (long d : outputShapes[o]) {
                    size *= d;
                }
                outputSizes[o] = size;
            }
            st.cachedOp = LibMinerva.MVCachedOpCreate(st.symbol, new String[0], new String[0]);
        } catch (RuntimeException | Error e) {
            st.run();
            throw e;
        }
        state = st;
        cleanable = CLEANER.register(this, st);
    }

    /** A loss layer's label (MXNet's {@code softmax_label}: a name ending in "label", the rule
     *  MXNet-R's mx.simple.bind applies): inference never reads it, so it is fed zeros. */
    private static boolean isLabel(String name) {
        return name.endsWith("label");
    }

    private static Map<String, Long> loadParams(String params, NativeState st) {
        Object[] loaded = LibMinerva.MVNDArrayLoad(params);
        long[] arrays = (long[]) loaded[0];
        String[] names = (String[]) loaded[1];
        for (long h : arrays) {
            st.arrays.add(h);  // owned from here on, freed with the Predictor
        }
        if (names.length != arrays.length) {
            throw new IllegalArgumentException("Predictor.load: " + params + " holds " + arrays.length
                    + " arrays without names; a model's parameters must be named");
        }
        Map<String, Long> byName = new HashMap<>();
        for (int i = 0; i < names.length; i++) {
            String name = names[i];
            if (name.startsWith("arg:") || name.startsWith("aux:")) {
                name = name.substring(4);
            }
            byName.put(name, arrays[i]);
        }
        return byName;
    }

    private static void collect(Map<String, long[]> into, String[] names, Object shapes) {
        List<?> list = (List<?>) shapes;
        for (int i = 0; i < names.length && list != null && i < list.size(); i++) {
            into.put(names[i], toShape(list.get(i)));
        }
    }

    private static long[] toShape(Object json) {
        List<?> dims = (List<?>) json;
        long[] out = new long[dims.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Double) dims.get(i)).longValue();
        }
        return out;
    }

    private static void checkWeightShape(String name, long handle, long[] expected) {
        long[] actual = LibMinerva.MVNDArrayGetShape(handle);
        if (expected != null && expected.length > 0 && !Arrays.equals(actual, expected)) {
            throw new IllegalArgumentException("Predictor.load: parameter '" + name + "' has shape "
                    + Arrays.toString(actual) + " but the graph with the declared inputs needs "
                    + Arrays.toString(expected));
        }
    }

    /**
     * Runs the model on one input (the model must have exactly one declared input) and returns
     * its first output, both row-major.
     *
     * @param input {@code product(inputShape)} values, batch as declared
     * @return the first output's values ({@code product(outputShape())} of them)
     */
    public float[] predict(float[] input) {
        if (inputNames.size() != 1) {
            throw new IllegalArgumentException("Predictor.predict(float[]): the model has " + inputNames.size()
                    + " inputs " + inputNames + "; use predict(Map)");
        }
        return run(new float[][] {input})[0];
    }

    /**
     * Runs the model on named inputs and returns every output.
     *
     * @param inputs one row-major array per declared input, by name (all of them, no others)
     * @return the outputs in the graph's order, keyed by the symbol's output names
     *     ({@link #outputNames()}: MXNet's {@code <node>_output}, e.g. {@code softmax_output},
     *     or {@code <node>_output<i>} for a node's i-th of several outputs)
     */
    public Map<String, float[]> predict(Map<String, float[]> inputs) {
        if (inputs == null) {
            throw new IllegalArgumentException("Predictor.predict: inputs must not be null");
        }
        float[][] ordered = new float[inputNames.size()][];
        for (Map.Entry<String, float[]> e : inputs.entrySet()) {
            Integer i = inputIndex.get(e.getKey());
            if (i == null) {
                throw new IllegalArgumentException("Predictor.predict: '" + e.getKey()
                        + "' is not a declared input; the inputs are " + inputNames);
            }
            ordered[i] = e.getValue();
        }
        for (int i = 0; i < ordered.length; i++) {
            if (ordered[i] == null) {
                throw new IllegalArgumentException("Predictor.predict: input '" + inputNames.get(i) + "' is missing");
            }
        }
        float[][] outs = run(ordered);
        Map<String, float[]> result = new LinkedHashMap<>();
        for (int o = 0; o < outs.length; o++) {
            result.put(outputNames.get(o), outs[o]);
        }
        return result;
    }

    private float[][] run(float[][] values) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null || values[i].length != inputSizes[i]) {
                throw new IllegalArgumentException("Predictor.predict: input '" + inputNames.get(i) + "' has "
                        + (values[i] == null ? "no" : String.valueOf(values[i].length)) + " values but its shape "
                        + Arrays.toString(inputShapes[i]) + " needs " + inputSizes[i]);
            }
        }
        ReentrantReadWriteLock.ReadLock read = lock.readLock();
        read.lock();
        try {
            ensureOpen();
            int prevTraining = LibMinerva.MVAutogradSetIsTraining(0);
            int prevRecording = LibMinerva.MVAutogradSetIsRecording(0);
            long[] created = new long[values.length];
            try {
                long[] args = template.clone();
                for (int i = 0; i < values.length; i++) {
                    created[i] = LibMinerva.MVNDArrayCreate(inputShapes[i], LibMinerva.MV_DTYPE_FLOAT32,
                            LibMinerva.MV_DEV_CPU, 0);
                    ByteBuffer buf = scratch(values[i].length * 4L);
                    buf.asFloatBuffer().put(values[i]);
                    LibMinerva.MVNDArraySyncCopyFromCPU(created[i], buf);
                    args[inputSlots[i]] = created[i];
                }
                long[] outs = LibMinerva.MVCachedOpInvoke(state.cachedOp, args);
                try {
                    float[][] result = new float[outputShapes.length][];
                    for (int o = 0; o < result.length && o < outs.length; o++) {
                        result[o] = new float[(int) outputSizes[o]];
                        ByteBuffer buf = scratch(outputSizes[o] * 4L);
                        LibMinerva.MVNDArraySyncCopyToCPU(outs[o], buf);
                        buf.asFloatBuffer().get(result[o]);
                    }
                    return result;
                } finally {
                    for (long h : outs) {
                        LibMinerva.MVNDArrayFree(h);
                    }
                }
            } finally {
                for (long h : created) {
                    LibMinerva.MVNDArrayFree(h);
                }
                if (prevRecording != 0) {
                    LibMinerva.MVAutogradSetIsRecording(prevRecording);
                }
                if (prevTraining != 0) {
                    LibMinerva.MVAutogradSetIsTraining(prevTraining);
                }
            }
        } finally {
            read.unlock();
        }
    }

    /** This thread's direct buffer, at least nbytes, positioned at 0 with limit nbytes. */
    private static ByteBuffer scratch(long nbytes) {
        if (nbytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Predictor: an array of " + nbytes + " bytes is too large for one call");
        }
        ByteBuffer buf = SCRATCH.get();
        if (buf == null || buf.capacity() < nbytes) {
            buf = ByteBuffer.allocateDirect((int) Math.max(nbytes, 4096)).order(ByteOrder.nativeOrder());
            SCRATCH.set(buf);
        }
        buf.clear().limit((int) nbytes);
        return buf;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("Predictor is closed");
        }
    }

    /** The first output's shape, batch first. */
    public int[] outputShape() {
        return outputShape(outputNames.get(0));
    }

    /** The shape of the output named {@code name} (one of {@link #outputNames()}). */
    public int[] outputShape(String name) {
        ensureOpen();
        int o = outputNames.indexOf(name);
        if (o < 0) {
            throw new IllegalArgumentException("Predictor: no output '" + name + "'; the outputs are " + outputNames);
        }
        return Arrays.stream(outputShapes[o]).mapToInt(d -> (int) d).toArray();
    }

    /** The declared input's shape. */
    public int[] inputShape(String name) {
        ensureOpen();
        Integer i = inputIndex.get(name);
        if (i == null) {
            throw new IllegalArgumentException("Predictor: no input '" + name + "'; the inputs are " + inputNames);
        }
        return Arrays.stream(inputShapes[i]).mapToInt(d -> (int) d).toArray();
    }

    /** The declared inputs, in declaration order. */
    public List<String> inputNames() {
        return inputNames;
    }

    /** The model's outputs, in the graph's order (the keys of {@link #predict(Map)}'s result). */
    public List<String> outputNames() {
        return outputNames;
    }

    /** Frees the native weights and graph; waits for calls in flight. Idempotent. */
    @Override
    public void close() {
        ReentrantReadWriteLock.WriteLock write = lock.writeLock();
        write.lock();
        try {
            if (!closed) {
                closed = true;
                cleanable.clean();
            }
        } finally {
            write.unlock();
        }
    }
}
