package org.minerva;

/** A file or stream could not be read or written; the message names the file (error kind {@code IO}). */
public class MinervaIOException extends MinervaException {
    private static final long serialVersionUID = 1L;

    public MinervaIOException(String message) {
        super(message, IO);
    }
}
