package dev.kura.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.common.crypto.KeyWrapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterKeyTest {
    private static final byte[] AAD = "object 42".getBytes(StandardCharsets.UTF_8);

    private static byte[] key(int fill) {
        byte[] k = new byte[32];
        java.util.Arrays.fill(k, (byte) fill);
        return k;
    }

    @Test
    void wrapsAndUnwrapsBoundToItsContext() {
        MasterKey mk = MasterKey.of(List.of(key(1)));
        byte[] secret = key(9);
        byte[] wrapped = mk.wrap(secret, AAD);
        assertThat(wrapped).hasSize(1 + 4 + 12 + 32 + 16);
        assertThat(mk.unwrap(wrapped, AAD)).isEqualTo(secret);
        assertThatThrownBy(() -> mk.unwrap(wrapped, "object 43".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(KeyWrapper.WrongKeyException.class);
        byte[] altered = wrapped.clone();
        altered[20] ^= 1;
        assertThatThrownBy(() -> mk.unwrap(altered, AAD)).isInstanceOf(KeyWrapper.WrongKeyException.class);
        assertThat(mk.wrap(secret, AAD)).isNotEqualTo(wrapped); // a fresh nonce every time
    }

    @Test
    void rotationKeepsOldKeysForUnwrapping() {
        MasterKey old = MasterKey.of(List.of(key(1)));
        byte[] sealedByOld = old.wrap(key(7), AAD);
        MasterKey rotated = MasterKey.of(List.of(key(1), key(2)));
        assertThat(rotated.unwrap(sealedByOld, AAD)).isEqualTo(key(7));
        byte[] sealedByNew = rotated.wrap(key(8), AAD);
        assertThat(rotated.activeKeyId()).isNotEqualTo(old.activeKeyId());
        assertThatThrownBy(() -> old.unwrap(sealedByNew, AAD)).isInstanceOf(KeyWrapper.WrongKeyException.class)
                .hasMessageContaining(rotated.activeKeyId());
    }

    @Test
    void fromTheEnvironment() throws Exception {
        String env = Base64.getEncoder().encodeToString(key(1)) + "," + Base64.getEncoder().encodeToString(key(2));
        MasterKey mk = MasterKey.resolve(env, Path.of("/nonexistent/never-read"), new PrintStream(new ByteArrayOutputStream()));
        assertThat(mk.size()).isEqualTo(2);
        assertThat(mk.activeKeyId()).isEqualTo(MasterKey.of(List.of(key(2))).activeKeyId());
        assertThatThrownBy(() -> MasterKey.resolve("c2hvcnQ=", Path.of("x"), System.out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
    }

    @Test
    void generatedOnFirstStartNextToTheDataDirectoryPrivateAndNeverPrinted(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("kura-data");
        Path file = MasterKey.defaultFile(data);
        assertThat(file).isEqualTo(dir.resolve("kura-data.master-key"));
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        MasterKey first = MasterKey.resolve(null, file, new PrintStream(terminal));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        String keyLine = Files.readAllLines(file).stream().filter(l -> !l.startsWith("#")).findFirst().orElseThrow();
        assertThat(terminal.toString()).contains(file.toString()).doesNotContain(keyLine);
        assertThat(first.toString()).doesNotContain(keyLine);
        MasterKey again = MasterKey.resolve("", file, new PrintStream(terminal));
        assertThat(again.unwrap(first.wrap(key(3), AAD), AAD)).isEqualTo(key(3));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> MasterKey.resolve(null, file, System.out)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("chmod 600");
    }
}
