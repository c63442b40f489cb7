package org.minerva;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Loads Minerva's native libraries ({@code libminerva.so.1}, then the JNI shim
 * {@code libminerva_jni.so}) with no JVM flags.
 *
 * <p>Where they come from, first match wins:
 * <ol>
 *   <li>the directory named by the system property {@code minerva.library.path} or, failing that,
 *       the environment variable {@code MINERVA_LIBRARY_PATH} (for development: point it at a
 *       CMake build directory holding both libraries; a path to {@code libminerva.so} itself, as
 *       Python's package takes, means its directory);</li>
 *   <li>the jar: the build copies the libraries under {@code native/linux-x86_64/}; they are
 *       extracted once per process into a fresh temporary directory (deleted at exit) and loaded
 *       from there. The shim's rpath is {@code $ORIGIN}, so it finds the core beside it.</li>
 * </ol>
 * Loading is idempotent and thread-safe. {@link org.minerva.capi.LibMinerva} calls it in its
 * static initializer, so users never need to.
 */
public final class NativeLoader {
    /** The libraries, in load order (the core before the shim that links it). */
    private static final String[] LIBRARIES = {"libminerva.so.1", "libminerva_jni.so"};

    private static boolean loaded;
    private static Path loadedFrom;

    private NativeLoader() {}

    /** The jar's resource folder for this platform, e.g. {@code native/linux-x86_64}. */
    public static String platformFolder() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osName = os.contains("linux") ? "linux" : os.contains("mac") ? "darwin" : os.replace(' ', '_');
        String archName = (arch.equals("amd64") || arch.equals("x86_64")) ? "x86_64"
                : (arch.equals("aarch64") || arch.equals("arm64")) ? "aarch64" : arch;
        return "native/" + osName + "-" + archName;
    }

    /** Loads the libraries once per process; later calls return at once. */
    public static synchronized void load() {
        if (loaded) {
            return;
        }
        String override = System.getProperty("minerva.library.path");
        if (override == null || override.isEmpty()) {
            override = System.getenv("MINERVA_LIBRARY_PATH");
        }
        Path dir;
        if (override != null && !override.isEmpty()) {
            dir = Paths.get(override).toAbsolutePath();
            if (Files.isRegularFile(dir)) {
                dir = dir.getParent();  // Python's MINERVA_LIBRARY_PATH names the library file itself
            }
            for (String lib : LIBRARIES) {
                if (!Files.isRegularFile(dir.resolve(lib))) {
                    throw new UnsatisfiedLinkError("Minerva: " + lib + " not found in " + dir
                            + " (named by minerva.library.path / MINERVA_LIBRARY_PATH)");
                }
            }
        } else {
            dir = extractFromJar();
        }
        for (String lib : LIBRARIES) {
            System.load(dir.resolve(lib).toString());
        }
        loadedFrom = dir;
        loaded = true;
    }

    /** The directory the libraries were loaded from, or null before {@link #load()}. */
    public static synchronized Path loadedFrom() {
        return loadedFrom;
    }

    private static Path extractFromJar() {
        String folder = platformFolder();
        ClassLoader cl = NativeLoader.class.getClassLoader();
        if (cl == null) {
            cl = ClassLoader.getSystemClassLoader();
        }
        try {
            Path dir = Files.createTempDirectory("minerva-native-");
            List<Path> written = new ArrayList<>();
            for (String lib : LIBRARIES) {
                try (InputStream in = cl.getResourceAsStream(folder + "/" + lib)) {
                    if (in == null) {
                        throw new UnsatisfiedLinkError("Minerva: the jar has no " + folder + "/" + lib
                                + " (build the C++ library and the JNI shim before `mvn package`,"
                                + " or set MINERVA_LIBRARY_PATH to the CMake build directory)");
                    }
                    Path target = dir.resolve(lib);
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    written.add(target);
                }
            }
            // deleteOnExit runs in reverse registration order: files first, then the folder.
            dir.toFile().deleteOnExit();
            for (Path p : written) {
                p.toFile().deleteOnExit();
            }
            return dir;
        } catch (IOException e) {
            UnsatisfiedLinkError err = new UnsatisfiedLinkError(
                    "Minerva: cannot extract the native libraries to a temporary directory: " + e);
            err.initCause(e);
            throw err;
        }
    }
}
