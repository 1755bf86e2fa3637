package dev.kura.storage;

import java.io.IOException;

/**
 * A write was refused or cut short because a drive is (nearly) full. Whatever the write had put
 * on the drive is already removed when this is thrown. The reserve that triggers it keeps room for
 * the index and for deletes, so freeing space makes the drive writable again without a restart.
 */
public final class StorageFullException extends IOException {
    public StorageFullException(String message) {
        super(message);
    }

    /** True for this exception and for the operating system's "no space left on device" (ENOSPC, EDQUOT). */
    public static boolean isFull(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof StorageFullException) {
                return true;
            }
            String m = c.getMessage();
            if (c instanceof IOException && m != null
                    && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }
}
