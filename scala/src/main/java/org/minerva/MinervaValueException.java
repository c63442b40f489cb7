package org.minerva;

/** An argument has a valid type but a bad value, such as a negative size or mismatched shapes (error kind {@code VALUE}). */
public class MinervaValueException extends MinervaException {
    private static final long serialVersionUID = 1L;

    public MinervaValueException(String message) {
        super(message, VALUE);
    }
}
