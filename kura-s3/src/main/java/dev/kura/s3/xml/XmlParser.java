package dev.kura.s3.xml;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Parses S3 request bodies safely: no DTDs, no external entities, a size limit on the body, a
 * depth limit and an element-count limit. Any failure is {@code MalformedXML}; a body over the
 * limit is {@code MaxMessageLengthExceeded} (never a 500, never unbounded memory).
 */
public final class XmlParser {
    private static final XMLInputFactory FACTORY = newFactory();
    private static final int MAX_DEPTH = 16;

    private XmlParser() {
    }

    private static XMLInputFactory newFactory() {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        return f;
    }

    /**
     * Reads at most {@code maxBytes} from the body and parses it.
     *
     * @throws S3Exception MalformedXML, MaxMessageLengthExceeded or MissingRequestBodyError
     */
    public static XmlElement parse(InputStream body, int maxBytes, int maxElements) throws IOException {
        byte[] bytes = body.readNBytes(maxBytes + 1);
        if (bytes.length > maxBytes) {
            throw new S3Exception(S3ErrorCode.MaxMessageLengthExceeded);
        }
        return parse(bytes, maxElements);
    }

    public static XmlElement parse(byte[] bytes, int maxElements) {
        if (bytes.length == 0) {
            throw new S3Exception(S3ErrorCode.MissingRequestBodyError);
        }
        try {
            XMLStreamReader r = FACTORY.createXMLStreamReader(new java.io.ByteArrayInputStream(bytes));
            try {
                return read(r, maxElements);
            } finally {
                r.close();
            }
        } catch (XMLStreamException | RuntimeException e) {
            if (e instanceof S3Exception s3) {
                throw s3;
            }
            throw new S3Exception(S3ErrorCode.MalformedXML);
        }
    }

    private record Frame(String name, StringBuilder text, List<XmlElement> children) {
    }

    private static XmlElement read(XMLStreamReader r, int maxElements) throws XMLStreamException {
        Deque<Frame> stack = new ArrayDeque<>();
        int elements = 0;
        XmlElement root = null;
        while (r.hasNext()) {
            int ev = r.next();
            switch (ev) {
                case XMLStreamConstants.DTD, XMLStreamConstants.ENTITY_REFERENCE ->
                        throw new S3Exception(S3ErrorCode.MalformedXML);
                case XMLStreamConstants.START_ELEMENT -> {
                    if (++elements > maxElements || stack.size() >= MAX_DEPTH || root != null) {
                        throw new S3Exception(S3ErrorCode.MalformedXML);
                    }
                    stack.push(new Frame(r.getLocalName(), new StringBuilder(), new ArrayList<>()));
                }
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                    if (!stack.isEmpty()) {
                        stack.peek().text.append(r.getText());
                    } else if (!r.isWhiteSpace()) {
                        throw new S3Exception(S3ErrorCode.MalformedXML);
                    }
                }
                case XMLStreamConstants.END_ELEMENT -> {
                    Frame f = stack.pop();
                    XmlElement e = new XmlElement(f.name, f.text.toString(), List.copyOf(f.children));
                    if (stack.isEmpty()) {
                        root = e;
                    } else {
                        stack.peek().children.add(e);
                    }
                }
                default -> {
                }
            }
        }
        if (root == null) {
            throw new S3Exception(S3ErrorCode.MalformedXML);
        }
        return root;
    }
}
