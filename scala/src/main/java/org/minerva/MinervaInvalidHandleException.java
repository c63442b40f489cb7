package org.minerva;

/** A NULL, freed or wrong-kind handle was passed to the core (error kind {@code INVALID_HANDLE}). */
public class MinervaInvalidHandleException extends MinervaException {
    private static final long serialVersionUID = 1L;

    public MinervaInvalidHandleException(String message) {
        super(message, INVALID_HANDLE);
    }
}
