package dev.kura.frontend.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.s3.http.RequestHead;
import org.junit.jupiter.api.Test;

/** The tenant a request claims, for fair admission: its access key however it is signed, else anonymous. */
class TenantsTest {
    @Test
    void theAccessKeyOfEverySigningStyleAndOneTenantForAnonymous() {
        assertThat(Tenants.of(RequestHead.builder("GET", "/b/k").header("Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/us-east-1/s3/aws4_request, SignedHeaders=host, "
                        + "Signature=abc").build())).isEqualTo("AKIDEXAMPLE");
        assertThat(Tenants.of(RequestHead.builder("GET", "/b/k").header("Authorization", "AWS AKIDV2:c2lnbmF0dXJl")
                .build())).isEqualTo("AKIDV2");
        assertThat(Tenants.of(RequestHead.builder("GET",
                "/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDQUERY%2F20261207%2Fus-east-1%2Fs3%2Faws4_request"
                        + "&X-Amz-Signature=abc").build())).isEqualTo("AKIDQUERY");
        assertThat(Tenants.of(RequestHead.builder("GET", "/b/k?AWSAccessKeyId=AKIDV2Q&Signature=x&Expires=1")
                .build())).isEqualTo("AKIDV2Q");
        assertThat(Tenants.of(RequestHead.builder("GET", "/b/k").build())).isEqualTo(Tenants.ANONYMOUS);
        assertThat(Tenants.of(RequestHead.builder("GET", "/b/k").header("Authorization", "Bearer x").build()))
                .isEqualTo(Tenants.ANONYMOUS);
        assertThat(Tenants.of(RequestHead.builder("GET", "/b/k").header("Authorization",
                "AWS4-HMAC-SHA256 Credential=" + "K".repeat(1000)).build())).hasSize(128);
    }
}
