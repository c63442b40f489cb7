package org.minerva;

/** A bug in Minerva: an invariant of the core did not hold (error kind {@code INTERNAL}). */
public class MinervaInternalException extends MinervaException {
    private static final long serialVersionUID = 1L;

    public MinervaInternalException(String message) {
        super(message, INTERNAL);
    }
}
