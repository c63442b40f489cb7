import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Executors;

import org.minerva.MinervaException;
import org.minerva.infer.Json;
import org.minerva.infer.Predictor;

/**
 * A prediction endpoint on the JDK's built-in HTTP server, serving a model trained in Python.
 *
 * <pre>
 *   java -cp "$(cat scala/target/classpath.txt):build/jvm_service" PredictService \
 *        build/lenet-symbol.json build/lenet-0002.params 1,1,28,28 [port] [threads]
 *   curl -s -X POST --data '[0.0, 0.1, ...]' http://localhost:8080/predict
 * </pre>
 *
 * POST /predict with a JSON array of floats (the input, row-major, batch as declared) answers a
 * JSON array of the first output's floats; GET /info describes the model. One Predictor serves
 * every request thread at once (shared weights, per-call workspaces).
 */
public final class PredictService {
    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: PredictService <symbol.json> <file.params> <shape, e.g. 1,1,28,28>"
                    + " [port=8080] [threads=8] [input name=data]");
            System.exit(2);
        }
        int[] shape = Arrays.stream(args[2].split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        int port = args.length > 3 ? Integer.parseInt(args[3]) : 8080;
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : 8;
        String inputName = args.length > 5 ? args[5] : "data";
        Predictor predictor = Predictor.load(args[0], args[1], inputName, shape);

        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.setExecutor(Executors.newFixedThreadPool(threads));
        server.createContext("/predict", exchange -> {
            try {
                if (!"POST".equals(exchange.getRequestMethod())) {
                    reply(exchange, 405, "{\"error\": \"POST a JSON array of floats\"}");
                    return;
                }
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                float[] output = predictor.predict(Json.parseFloatArray(body));
                reply(exchange, 200, Json.floatArray(output));
            } catch (IllegalArgumentException | MinervaException e) {
                reply(exchange, 400, "{\"error\": " + quote(e.getMessage()) + "}");
            } catch (RuntimeException e) {
                reply(exchange, 500, "{\"error\": " + quote(String.valueOf(e)) + "}");
            }
        });
        server.createContext("/info", exchange -> reply(exchange, 200,
                "{\"inputs\": " + quote(predictor.inputNames().toString()) + ", \"input_shape\": "
                        + Arrays.toString(shape) + ", \"outputs\": " + quote(predictor.outputNames().toString())
                        + ", \"output_shape\": " + Arrays.toString(predictor.outputShape()) + "}"));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(1);
            predictor.close();
        }));
        server.start();
        System.out.println("serving " + args[0] + " on http://localhost:" + port + "/predict (input "
                + Arrays.toString(shape) + ", output " + Arrays.toString(predictor.outputShape()) + ")");
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : String.valueOf(s).toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
