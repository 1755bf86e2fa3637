package dev.kura.s3.cors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.xml.XmlParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CorsConfigurationTest {
    /** The rules of ceph/s3-tests' test_cors_origin_response. */
    static final CorsConfiguration S3TESTS = parse("""
            <CORSConfiguration>
              <CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*suffix</AllowedOrigin></CORSRule>
              <CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>start*end</AllowedOrigin></CORSRule>
              <CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>prefix*</AllowedOrigin></CORSRule>
              <CORSRule><AllowedMethod>PUT</AllowedMethod><AllowedOrigin>*.put</AllowedOrigin></CORSRule>
            </CORSConfiguration>""");

    static CorsConfiguration parse(String xml) {
        return CorsConfiguration.parse(XmlParser.parse(xml.getBytes(StandardCharsets.UTF_8), 10_000));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "foo.suffix, GET, foo.suffix",
            "foo.bar, GET, ''",
            "foo.suffix.get, GET, ''",
            "startend, GET, startend",
            "start1end, GET, start1end",
            "start12end, GET, start12end",
            "0start12end, GET, ''",
            "prefix, GET, prefix",
            "prefix.suffix, GET, prefix.suffix",
            "bla.prefix, GET, ''",
            "foo.put, GET, ''",
            "foo.put, PUT, foo.put",
            "foo.suffix, PUT, ''",
            "foo.suffix, DELETE, ''"})
    void actualRequestsMatchAsS3Does(String origin, String method, String allowOrigin) {
        Map<String, String> h = CorsResponses.actual(Optional.of(S3TESTS), origin, method);
        assertThat(h.getOrDefault("Access-Control-Allow-Origin", "")).isEqualTo(allowOrigin);
        if (!allowOrigin.isEmpty()) {
            assertThat(h).containsEntry("Access-Control-Allow-Methods", method).containsKey("Vary");
        }
    }

    @Test
    void preflightChecksOriginMethodAndEveryRequestedHeader() {
        CorsConfiguration c = parse("""
                <CORSConfiguration><CORSRule><ID>r1</ID><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>
                <AllowedMethod>PUT</AllowedMethod><AllowedHeader>x-amz-*</AllowedHeader><AllowedHeader>Content-Type</AllowedHeader>
                <ExposeHeader>ETag</ExposeHeader><ExposeHeader>x-amz-meta-a</ExposeHeader><MaxAgeSeconds>300</MaxAgeSeconds>
                </CORSRule></CORSConfiguration>""");
        Map<String, String> h = CorsResponses.preflight(Optional.of(c), "https://a.example", "PUT",
                "content-type, X-Amz-Date", true);
        assertThat(h).containsEntry("Access-Control-Allow-Origin", "*")
                .containsEntry("Access-Control-Allow-Methods", "GET, PUT")
                .containsEntry("Access-Control-Allow-Headers", "content-type, x-amz-date")
                .containsEntry("Access-Control-Expose-Headers", "ETag, x-amz-meta-a")
                .containsEntry("Access-Control-Max-Age", "300")
                .doesNotContainKey("Access-Control-Allow-Credentials");
        assertCode(() -> CorsResponses.preflight(Optional.of(c), "o", "PUT", "x-other", true), S3ErrorCode.AccessForbidden);
        assertCode(() -> CorsResponses.preflight(Optional.of(c), "o", "DELETE", null, false), S3ErrorCode.AccessForbidden);
    }

    @Test
    void preflightWithoutOriginOrMethodIsBadRequestEvenWithoutConfiguration() {
        assertCode(() -> CorsResponses.preflight(Optional.empty(), null, "GET", null, true), S3ErrorCode.BadRequest);
        assertCode(() -> CorsResponses.preflight(Optional.of(S3TESTS), "foo.suffix", null, null, false), S3ErrorCode.BadRequest);
        assertCode(() -> CorsResponses.preflight(Optional.of(S3TESTS), "foo.suffix", "PATCH", null, false), S3ErrorCode.BadRequest);
        assertCode(() -> CorsResponses.preflight(Optional.empty(), "o", "GET", null, false), S3ErrorCode.AccessForbidden);
    }

    @Test
    void specificOriginsAllowCredentials() {
        Map<String, String> h = CorsResponses.preflight(Optional.of(S3TESTS), "startend", "GET", null, false);
        assertThat(h).containsEntry("Access-Control-Allow-Origin", "startend")
                .containsEntry("Access-Control-Allow-Credentials", "true").doesNotContainKey("Access-Control-Allow-Headers");
    }

    @Test
    void normalizedDocumentRoundTrips() {
        CorsConfiguration c = parse("""
                <CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule><ID>x</ID>
                <AllowedOrigin>https://*.example</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod><MaxAgeSeconds>0</MaxAgeSeconds>
                </CORSRule></CORSConfiguration>""");
        CorsConfiguration again = CorsConfiguration.parse(XmlParser.parse(c.toXml().toBytes(), 10_000));
        assertThat(again).isEqualTo(c);
        assertThat(again.rules().getFirst().maxAgeSeconds()).isZero();
    }

    @Test
    void invalidConfigurationsGetS3sErrors() {
        assertCode(() -> parse("<CORSConfiguration/>"), S3ErrorCode.MalformedXML);
        assertCode(() -> parse("<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>"),
                S3ErrorCode.MalformedXML);
        assertCode(() -> parse("<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>"),
                S3ErrorCode.MalformedXML);
        assertThatThrownBy(() -> parse("<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>"
                + "<AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>"))
                .hasMessage("Found unsupported HTTP method in CORS config. Unsupported method is PATCH");
        assertThatThrownBy(() -> parse("<CORSConfiguration><CORSRule><AllowedOrigin>*a*</AllowedOrigin>"
                + "<AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>"))
                .hasMessage("AllowedOrigin \"*a*\" can not have more than one wildcard.");
        assertCode(() -> parse("<CORSConfiguration><CORSRule><AllowedOrigin>a</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"
                + "<AllowedHeader>*-*</AllowedHeader></CORSRule></CORSConfiguration>"), S3ErrorCode.InvalidRequest);
        assertCode(() -> parse("<CORSConfiguration><CORSRule><AllowedOrigin>a</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"
                + "<ExposeHeader>*</ExposeHeader></CORSRule></CORSConfiguration>"), S3ErrorCode.InvalidRequest);
        String rule = "<CORSRule><AllowedOrigin>a</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>";
        assertThat(parse("<CORSConfiguration>" + rule.repeat(100) + "</CORSConfiguration>").rules()).hasSize(100);
        assertCode(() -> parse("<CORSConfiguration>" + rule.repeat(101) + "</CORSConfiguration>"), S3ErrorCode.MalformedXML);
    }

    @Test
    void wildcardMatchesAnyRunIncludingNone() {
        assertThat(CorsConfiguration.wildcardMatch("a*b", "ab", false)).isTrue();
        assertThat(CorsConfiguration.wildcardMatch("a*b", "aXYb", false)).isTrue();
        assertThat(CorsConfiguration.wildcardMatch("a*ab", "ab", false)).isFalse();
        assertThat(CorsConfiguration.wildcardMatch("X-Amz-*", "x-amz-date", true)).isTrue();
        assertThat(CorsConfiguration.wildcardMatch("Foo", "foo", false)).isFalse();
        assertThat(CorsResponses.headerList(" A, ,b ")).isEqualTo(List.of("a", "b"));
    }

    private static void assertCode(Runnable r, S3ErrorCode code) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
