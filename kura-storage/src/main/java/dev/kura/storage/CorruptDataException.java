package dev.kura.storage;

import java.io.IOException;

/** A block failed its checksum (bitrot, torn write) or a data file is malformed. */
public class CorruptDataException extends IOException {
    public CorruptDataException(String message) {
        super(message);
    }
}
