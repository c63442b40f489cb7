package org.minerva;

/** An argument or a data type of the wrong kind, such as an unsupported dtype for an operator (error kind {@code TYPE}). */
public class MinervaTypeException extends MinervaException {
    private static final long serialVersionUID = 1L;

    public MinervaTypeException(String message) {
        super(message, TYPE);
    }
}
