package org.minerva;

/** An index out of range (error kind {@code INDEX}). */
public class MinervaIndexException extends MinervaException {
    private static final long serialVersionUID = 1L;

    public MinervaIndexException(String message) {
        super(message, INDEX);
    }
}
