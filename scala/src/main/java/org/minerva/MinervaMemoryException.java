package org.minerva;

/** An allocation failed (error kind {@code MEMORY}). */
public class MinervaMemoryException extends MinervaException {
    private static final long serialVersionUID = 1L;

    public MinervaMemoryException(String message) {
        super(message, MEMORY);
    }
}
