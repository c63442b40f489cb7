package org.minerva;

/**
 * A failure reported by the Minerva core: the C ABI's error kind ({@code MVErrorKind}) and the
 * core's message (from {@code MVGetLastError}, which names the function, the argument, what was
 * expected and what was given).
 *
 * <p>The JNI shim throws the subclass that matches the kind from inside the native method, so
 * Java callers can catch, say, {@link MinervaIOException} for a missing file. Kinds:
 * 1 value, 2 type, 3 index, 4 key, 5 not found, 6 I/O, 7 memory, 8 unsupported,
 * 9 invalid handle, 10 internal.
 */
public class MinervaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The ABI error kind of a failure (the values of {@code MVErrorKind}). */
    public static final int VALUE = 1, TYPE = 2, INDEX = 3, KEY = 4, NOT_FOUND = 5, IO = 6,
            MEMORY = 7, UNSUPPORTED = 8, INVALID_HANDLE = 9, INTERNAL = 10;

    private final int kind;

    public MinervaException(int kind, String message) {
        super(message);
        this.kind = kind;
    }

    /** For subclasses constructed by the JNI shim with the message alone. */
    protected MinervaException(String message, int kind) {
        this(kind, message);
    }

    /** The {@code MVErrorKind} value: 1 ({@link #VALUE}) to 10 ({@link #INTERNAL}). */
    public int kind() {
        return kind;
    }

    /** The exception of the subclass matching {@code kind}, for code that maps kinds itself. */
    public static MinervaException of(int kind, String message) {
        switch (kind) {
            case VALUE: return new MinervaValueException(message);
            case TYPE: return new MinervaTypeException(message);
            case INDEX: return new MinervaIndexException(message);
            case KEY: return new MinervaKeyException(message);
            case NOT_FOUND: return new MinervaNotFoundException(message);
            case IO: return new MinervaIOException(message);
            case MEMORY: return new MinervaMemoryException(message);
            case UNSUPPORTED: return new MinervaUnsupportedException(message);
            case INVALID_HANDLE: return new MinervaInvalidHandleException(message);
            case INTERNAL: return new MinervaInternalException(message);
            default: return new MinervaException(kind, message);
        }
    }
}
