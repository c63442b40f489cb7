package org.minerva;

/** Something looked up by name does not exist, such as an operator (error kind {@code NOT_FOUND}). */
public class MinervaNotFoundException extends MinervaException {
    private static final long serialVersionUID = 1L;

    public MinervaNotFoundException(String message) {
        super(message, NOT_FOUND);
    }
}
