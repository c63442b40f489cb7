package org.minerva.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.minerva.MinervaIOException;

/** The Predictor on the MXNet-exported Gluon MLP of tests/golden/models (expected.json). */
class PredictorTest {
    private static Path models;
    private static float[] input;
    private static float[] expected;
    private static int[] inputShape;
    private static int[] outputShape;
    private static Predictor predictor;

    private static float[] floats(List<?> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Double) values.get(i)).floatValue();
        }
        return out;
    }

    private static int[] ints(List<?> values) {
        return values.stream().mapToInt(v -> ((Double) v).intValue()).toArray();
    }

    @BeforeAll
    static void load() throws Exception {
        String root = System.getProperty("minerva.repo.root", "..");
        models = Paths.get(root, "tests", "golden", "models").toAbsolutePath().normalize();
        Map<?, ?> all = (Map<?, ?>) Json.parse(Files.readString(models.resolve("expected.json")));
        Map<?, ?> mlp = (Map<?, ?>) ((Map<?, ?>) all.get("models")).get("gluon_mlp");
        Map<?, ?> data = (Map<?, ?>) ((Map<?, ?>) mlp.get("inputs")).get("data");
        input = floats((List<?>) data.get("values"));
        inputShape = ints((List<?>) data.get("shape"));
        Map<?, ?> out = (Map<?, ?>) ((List<?>) mlp.get("predict_outputs")).get(0);
        expected = floats((List<?>) out.get("values"));
        outputShape = ints((List<?>) out.get("shape"));
        predictor = Predictor.load(models.resolve("gluon_mlp-symbol.json").toString(),
                models.resolve("gluon_mlp-0000.params").toString(), "data", inputShape);
    }

    @AfterAll
    static void close() {
        predictor.close();
    }

    @Test
    void matchesMXNet() {
        assertArrayEquals(outputShape, predictor.outputShape());
        assertArrayEquals(expected, predictor.predict(input), 1e-5f);
        assertEquals(List.of("data"), predictor.inputNames());
        Map<String, float[]> named = predictor.predict(Map.of("data", input));
        assertEquals(predictor.outputNames(), new ArrayList<>(named.keySet()));
        assertArrayEquals(expected, named.get(predictor.outputNames().get(0)), 1e-5f);
    }

    @Test
    void eightThreadsEqualOneThread() throws Exception {
        float[][] inputs = new float[16][];
        float[][] single = new float[inputs.length][];
        for (int k = 0; k < inputs.length; k++) {
            inputs[k] = new float[input.length];
            for (int i = 0; i < input.length; i++) {
                inputs[k][i] = input[i] * (1 + 0.25f * k) - 0.01f * k;
            }
            single[k] = predictor.predict(inputs[k]);
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                final int seed = t;
                done.add(pool.submit(() -> {
                    int checked = 0;
                    for (int call = 0; call < 250; call++) {
                        int k = (seed * 7 + call) % inputs.length;
                        assertArrayEquals(single[k], predictor.predict(inputs[k]), 0f);
                        checked++;
                    }
                    return checked;
                }));
            }
            int total = 0;
            for (Future<Integer> f : done) {
                total += f.get();
            }
            assertEquals(8 * 250, total);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void missingFileNamesIt() {
        String bad = models.resolve("no-such-model-symbol.json").toString();
        MinervaIOException e = assertThrows(MinervaIOException.class, () -> Predictor.load(bad,
                models.resolve("gluon_mlp-0000.params").toString(), "data", inputShape));
        assertTrue(e.getMessage().contains("no-such-model-symbol.json"), e.getMessage());
        String badParams = models.resolve("no-such.params").toString();
        MinervaIOException e2 = assertThrows(MinervaIOException.class, () -> Predictor.load(
                models.resolve("gluon_mlp-symbol.json").toString(), badParams, "data", inputShape));
        assertTrue(e2.getMessage().contains("no-such.params"), e2.getMessage());
    }

    @Test
    void wrongInputLengthNamesSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> predictor.predict(new float[input.length - 1]));
        String msg = e.getMessage();
        assertTrue(msg.contains(String.valueOf(input.length - 1)) && msg.contains(String.valueOf(input.length)), msg);
        assertThrows(IllegalArgumentException.class, () -> predictor.predict(Map.of("nope", input)));
    }

    @Test
    void useAfterCloseThrows() {
        Predictor p = Predictor.load(models.resolve("gluon_mlp-symbol.json").toString(),
                models.resolve("gluon_mlp-0000.params").toString(), "data", inputShape);
        assertArrayEquals(expected, p.predict(input), 1e-5f);
        p.close();
        p.close();  // idempotent
        assertThrows(IllegalStateException.class, () -> p.predict(input));
        assertThrows(IllegalStateException.class, p::outputShape);
    }
}
