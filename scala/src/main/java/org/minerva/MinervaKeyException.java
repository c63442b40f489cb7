package org.minerva;

/** An unknown name, such as an operator parameter or a missing argument (error kind {@code KEY}). */
public class MinervaKeyException extends MinervaException {
    private static final long serialVersionUID = 1L;

    public MinervaKeyException(String message) {
        super(message, KEY);
    }
}
