package dev.kura.s3.auth;

import java.util.Optional;

/** Looks up the secret access key of an access key id; empty when the id is unknown. */
@FunctionalInterface
public interface CredentialStore {
    Optional<String> secretKey(String accessKeyId);
}
