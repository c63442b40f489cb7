package org.minerva;

/** An operation this build or device does not support (error kind {@code UNSUPPORTED}). */
public class MinervaUnsupportedException extends MinervaException {
    private static final long serialVersionUID = 1L;

    public MinervaUnsupportedException(String message) {
        super(message, UNSUPPORTED);
    }
}
