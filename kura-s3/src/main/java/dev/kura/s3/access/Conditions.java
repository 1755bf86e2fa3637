package dev.kura.s3.access;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The IAM condition operators: String*, Numeric*, Date*, Bool, IpAddress/NotIpAddress, Arn*, Null,
 * each with an optional {@code IfExists} suffix and {@code ForAnyValue:}/{@code ForAllValues:} set
 * qualifiers. A key missing from the request makes a condition false, except for the negated
 * operators (true), {@code IfExists} (true) and {@code Null}.
 */
final class Conditions {
    private static final Set<String> BASE = Set.of("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
            "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike", "NumericEquals", "NumericNotEquals",
            "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals",
            "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals", "Bool",
            "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null");

    /** Keys whose condition narrows who the statement applies to (a policy with one is not public). */
    private static final Set<String> LIMITING = Set.of("aws:sourceip", "aws:sourcevpc", "aws:sourcevpce",
            "aws:sourcearn", "aws:sourceaccount", "aws:sourceowner", "aws:principalaccount", "aws:principalarn",
            "aws:principalorgid", "aws:userid", "aws:username", "s3:dataaccesspointaccount", "s3:dataaccesspointarn");

    private Conditions() {
    }

    static boolean isOperator(String op) {
        return BASE.contains(base(op));
    }

    private static String base(String op) {
        String o = op;
        if (o.startsWith("ForAnyValue:")) {
            o = o.substring("ForAnyValue:".length());
        } else if (o.startsWith("ForAllValues:")) {
            o = o.substring("ForAllValues:".length());
        }
        if (o.endsWith("IfExists") && !o.equals("Null")) {
            o = o.substring(0, o.length() - "IfExists".length());
        }
        return o;
    }

    static boolean limitsPrincipals(Policy.Condition c) {
        String key = c.key().toLowerCase(Locale.ROOT);
        if (!LIMITING.contains(key)) {
            return false;
        }
        if (key.equals("aws:sourceip")) {
            // 0.0.0.0/0 or ::/0 limits nothing
            return c.values().stream().noneMatch(v -> v.endsWith("/0"));
        }
        return !c.values().contains("*");
    }

    static boolean holds(Policy.Condition c, RequestContext context) {
        String op = c.operator();
        boolean forAll = op.startsWith("ForAllValues:");
        boolean forAny = op.startsWith("ForAnyValue:");
        boolean ifExists = op.endsWith("IfExists");
        String base = base(op);
        List<String> actual = context.get(c.key());
        if (base.equals("Null")) {
            boolean wantMissing = c.values().stream().anyMatch(v -> v.equalsIgnoreCase("true"));
            return (actual == null) == wantMissing;
        }
        boolean negated = base.contains("Not");
        if (actual == null || (actual.isEmpty() && !forAll)) {
            return forAll || ifExists || negated;
        }
        if (forAll) {
            return actual.stream().allMatch(a -> c.values().stream().anyMatch(v -> test(base, a, v)));
        }
        if (forAny) {
            return actual.stream().anyMatch(a -> c.values().stream().anyMatch(v -> test(base, a, v)));
        }
        String a = actual.getFirst();
        if (negated) {
            String positive = base.replace("Not", ""); // StringNotLike -> StringLike, NotIpAddress -> IpAddress
            return c.values().stream().noneMatch(v -> test(positive, a, v));
        }
        return c.values().stream().anyMatch(v -> test(base, a, v));
    }

    /** One positive comparison of an actual value with a policy value. */
    private static boolean test(String op, String actual, String expected) {
        try {
            return switch (op) {
                case "StringEquals", "BinaryEquals", "ArnEquals" -> actual.equals(expected);
                case "StringEqualsIgnoreCase" -> actual.equalsIgnoreCase(expected);
                case "StringLike", "ArnLike" -> Wildcards.matches(expected, actual);
                case "NumericEquals" -> num(actual).compareTo(num(expected)) == 0;
                case "NumericLessThan" -> num(actual).compareTo(num(expected)) < 0;
                case "NumericLessThanEquals" -> num(actual).compareTo(num(expected)) <= 0;
                case "NumericGreaterThan" -> num(actual).compareTo(num(expected)) > 0;
                case "NumericGreaterThanEquals" -> num(actual).compareTo(num(expected)) >= 0;
                case "DateEquals" -> date(actual).equals(date(expected));
                case "DateLessThan" -> date(actual).isBefore(date(expected));
                case "DateLessThanEquals" -> !date(actual).isAfter(date(expected));
                case "DateGreaterThan" -> date(actual).isAfter(date(expected));
                case "DateGreaterThanEquals" -> !date(actual).isBefore(date(expected));
                case "Bool" -> actual.equalsIgnoreCase(expected);
                case "IpAddress" -> inCidr(actual, expected);
                default -> false;
            };
        } catch (RuntimeException e) {
            return false; // a value that does not parse as the operator's type does not match
        }
    }

    private static BigDecimal num(String s) {
        return new BigDecimal(s.trim());
    }

    private static Instant date(String s) {
        String t = s.trim();
        if (t.chars().allMatch(Character::isDigit)) {
            return Instant.ofEpochSecond(Long.parseLong(t));
        }
        return OffsetDateTime.parse(t.endsWith("Z") || t.contains("+") ? t : t + "Z").toInstant();
    }

    static boolean inCidr(String ip, String cidr) {
        try {
            int slash = cidr.indexOf('/');
            byte[] net = InetAddress.ofLiteral(slash < 0 ? cidr : cidr.substring(0, slash)).getAddress();
            byte[] addr = InetAddress.ofLiteral(ip).getAddress();
            if (net.length != addr.length) {
                return false;
            }
            int bits = slash < 0 ? net.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
            for (int i = 0; i < net.length && bits > 0; i++, bits -= 8) {
                int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
                if ((net[i] & mask) != (addr[i] & mask)) {
                    return false;
                }
            }
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
