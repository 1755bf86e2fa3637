package dev.kura.s3.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class XmlTest {
    private static XmlElement parse(String s) {
        return XmlParser.parse(s.getBytes(StandardCharsets.UTF_8), 100);
    }

    private static void assertCode(Runnable r, S3ErrorCode code) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    @Test
    void parsesS3Bodies() {
        XmlElement d = parse("<?xml version=\"1.0\"?><Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<Quiet>true</Quiet><Object><Key>a&amp;b</Key></Object><Object><Key><![CDATA[<c>]]></Key>"
                + "<VersionId>v</VersionId></Object></Delete>");
        assertThat(d.name()).isEqualTo("Delete");
        assertThat(d.childText("Quiet")).isEqualTo("true");
        assertThat(d.children("Object")).extracting(o -> o.childText("Key")).containsExactly("a&b", "<c>");
        assertThat(d.children("Object").get(1).childText("VersionId")).isEqualTo("v");
    }

    @Test
    void refusesDtdsAndEntities() {
        assertCode(() -> parse("<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><d>&x;</d>"),
                S3ErrorCode.MalformedXML);
        assertCode(() -> parse("<!DOCTYPE d [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><d>&b;</d>"),
                S3ErrorCode.MalformedXML);
    }

    @Test
    void refusesMalformedAndOversize() {
        assertCode(() -> parse("<a><b></a>"), S3ErrorCode.MalformedXML);
        assertCode(() -> parse("not xml"), S3ErrorCode.MalformedXML);
        assertCode(() -> parse("<a/><b/>"), S3ErrorCode.MalformedXML);
        assertCode(() -> XmlParser.parse(new byte[0], 10), S3ErrorCode.MissingRequestBodyError);
        assertCode(() -> parse("<a>" + "<b/>".repeat(200) + "</a>"), S3ErrorCode.MalformedXML);
        assertCode(() -> parse("<a>".repeat(40) + "</a>".repeat(40)), S3ErrorCode.MalformedXML);
        assertCode(() -> {
            try {
                XmlParser.parse(new ByteArrayInputStream(new byte[2000]), 1000, 10);
            } catch (java.io.IOException e) {
                throw new RuntimeException(e);
            }
        }, S3ErrorCode.MaxMessageLengthExceeded);
    }

    @Test
    void writesNamespacedEscapedDocuments() {
        String xml = new String(XmlWriter.document("ListBucketResult").element("Name", "a<b>&\"'")
                .start("Contents").element("Key", "ctl\u0001").element("Size", 5).end()
                .element("When", Instant.parse("2024-01-02T03:04:05Z")).element("Absent", (String) null)
                .toBytes(), StandardCharsets.UTF_8);
        assertThat(xml).startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">")
                .contains("<Name>a&lt;b&gt;&amp;&quot;&apos;</Name>")
                .contains("<Contents><Key>ctl&#x1;</Key><Size>5</Size></Contents>")
                .contains("<When>2024-01-02T03:04:05.000Z</When>")
                .doesNotContain("Absent")
                .endsWith("</ListBucketResult>");
    }

    @Test
    void isoMillisAlwaysHasThreeDigits() {
        assertThat(XmlWriter.isoMillis(Instant.parse("2024-01-02T03:04:05.100Z"))).isEqualTo("2024-01-02T03:04:05.100Z");
        assertThat(XmlWriter.isoMillis(Instant.parse("2024-01-02T03:04:05.123456Z"))).isEqualTo("2024-01-02T03:04:05.123Z");
    }
}
