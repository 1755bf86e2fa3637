package dev.kura.s3.access;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A bucket policy: parsed (Jackson) and validated once, with S3's MalformedPolicy errors, then
 * evaluated per request. The grammar: Version, Id, Statement (one or a list) of Sid, Effect,
 * Principal | NotPrincipal, Action | NotAction, Resource | NotResource, Condition.
 */
public record Policy(String json, List<Statement> statements) {
    /** S3's limit on a bucket policy. */
    public static final int MAX_BYTES = 20 * 1024;

    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32)
                .maxStringLength(MAX_BYTES).build());
    }

    public enum Effect { ALLOW, DENY }

    /** Principal or NotPrincipal: {@code any} for "*" / {"AWS": "*"}, else the listed names. */
    public record Principals(boolean any, List<String> names) {
        boolean matches(Principal p) {
            if (any) {
                return true;
            }
            if (p.isAnonymous()) {
                return false;
            }
            for (String n : names) {
                if (n.equals(p.canonicalId()) || n.equals(p.userName()) || arnNames(n, p)) {
                    return true;
                }
            }
            return false;
        }

        private static boolean arnNames(String arn, Principal p) {
            // arn:aws:iam::ACCOUNT:root or arn:aws:iam::ACCOUNT:user/NAME; an account is a user here.
            if (!arn.startsWith("arn:aws:iam::")) {
                return false;
            }
            String rest = arn.substring("arn:aws:iam::".length());
            int colon = rest.indexOf(':');
            if (colon < 0) {
                return false;
            }
            String account = rest.substring(0, colon);
            String resource = rest.substring(colon + 1);
            boolean accountMatches = account.equals(p.canonicalId()) || account.equals(p.userName());
            return accountMatches && (resource.equals("root") || resource.equals("user/" + p.userName()))
                    || (resource.equals("user/" + p.userName()) && account.isEmpty());
        }
    }

    /** One condition: operator (with its IfExists / ForAnyValue / ForAllValues qualifiers), key, values. */
    public record Condition(String operator, String key, List<String> values) {
    }

    public record Statement(String sid, Effect effect, Principals principal, boolean notPrincipal, List<String> actions,
                            boolean notAction, List<String> resources, boolean notResource, List<Condition> conditions) {
        boolean matches(Principal p, String action, String resource, RequestContext context) {
            if (principal.matches(p) == notPrincipal) {
                return false;
            }
            boolean actionListed = actions.stream().anyMatch(a -> Wildcards.matches(a.toLowerCase(Locale.ROOT),
                    action.toLowerCase(Locale.ROOT)));
            if (actionListed == notAction) {
                return false;
            }
            boolean resourceListed = resources.stream().anyMatch(r -> Wildcards.matches(r, resource));
            if (resourceListed == notResource) {
                return false;
            }
            for (Condition c : conditions) {
                if (!Conditions.holds(c, context)) {
                    return false;
                }
            }
            return true;
        }

        /** Public as Block Public Access defines it: allows a wildcard principal without a limiting condition. */
        boolean isPublic() {
            if (effect != Effect.ALLOW || !principal.any()) {
                return false;
            }
            return conditions.stream().noneMatch(c -> Conditions.limitsPrincipals(c));
        }
    }

    /**
     * Parses and validates a policy for {@code bucket}.
     *
     * @throws S3Exception MalformedPolicy with S3's message for anything invalid
     */
    public static Policy parse(byte[] bytes, String bucket) {
        if (bytes.length > MAX_BYTES) {
            throw malformed("Policy exceeds the maximum allowed document size.");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.isBlank() || text.strip().charAt(0) != '{') {
            throw malformed("Policies must be valid JSON and the first byte must be '{'");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (Exception e) {
            throw malformed("Policies must be valid JSON and the first byte must be '{'");
        }
        if (root == null || !root.isObject()) {
            throw malformed("Policies must be valid JSON and the first byte must be '{'");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!Set.of("Version", "Id", "Statement").contains(f)) {
                throw malformed("Unknown field " + f);
            }
        }
        JsonNode version = root.get("Version");
        if (version != null && !(version.isTextual() && (version.asText().equals("2012-10-17")
                || version.asText().equals("2008-10-17")))) {
            throw malformed("The policy must contain a valid version string");
        }
        JsonNode st = root.get("Statement");
        if (st == null || (!st.isArray() && !st.isObject()) || (st.isArray() && st.isEmpty())) {
            throw malformed("Missing required field Statement");
        }
        List<Statement> statements = new ArrayList<>();
        for (JsonNode s : st.isArray() ? st : List.of(st)) {
            statements.add(statement(s, bucket));
        }
        return new Policy(text, statements);
    }

    private static Statement statement(JsonNode s, String bucket) {
        if (!s.isObject()) {
            throw malformed("Statement is not an object");
        }
        for (Iterator<String> it = s.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!Set.of("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource",
                    "Condition").contains(f)) {
                throw malformed("Unknown field " + f);
            }
        }
        String sid = s.hasNonNull("Sid") ? s.get("Sid").asText() : null;
        JsonNode effectNode = s.get("Effect");
        Effect effect;
        if (effectNode == null || !effectNode.isTextual()) {
            throw malformed("Missing required field Effect");
        } else if (effectNode.asText().equals("Allow")) {
            effect = Effect.ALLOW;
        } else if (effectNode.asText().equals("Deny")) {
            effect = Effect.DENY;
        } else {
            throw malformed("Invalid effect: " + effectNode.asText());
        }
        if (s.has("Principal") == s.has("NotPrincipal")) {
            throw malformed(s.has("Principal") ? "Statement has both Principal and NotPrincipal" : "Missing required field Principal");
        }
        boolean notPrincipal = s.has("NotPrincipal");
        if (notPrincipal && effect == Effect.ALLOW) {
            // IAM: "NotPrincipal is not supported with Effect Allow"
            throw malformed("Invalid principal in policy: NotPrincipal may only be used with Effect Deny");
        }
        Principals principal = principals(s.get(notPrincipal ? "NotPrincipal" : "Principal"));
        if (s.has("Action") == s.has("NotAction")) {
            throw malformed(s.has("Action") ? "Statement has both Action and NotAction" : "Missing required field Action");
        }
        boolean notAction = s.has("NotAction");
        List<String> actions = strings(s.get(notAction ? "NotAction" : "Action"), "Action");
        for (String a : actions) {
            if (!a.equals("*") && !a.toLowerCase(Locale.ROOT).startsWith("s3:")) {
                throw malformed("Policy has invalid action");
            }
        }
        if (s.has("Resource") == s.has("NotResource")) {
            throw malformed(s.has("Resource") ? "Statement has both Resource and NotResource" : "Missing required field Resource");
        }
        boolean notResource = s.has("NotResource");
        List<String> resources = strings(s.get(notResource ? "NotResource" : "Resource"), "Resource");
        for (String r : resources) {
            if (!r.equals("*") && !resourceInBucket(r, bucket)) {
                throw malformed("Policy has invalid resource");
            }
        }
        List<Condition> conditions = new ArrayList<>();
        JsonNode cond = s.get("Condition");
        if (cond != null) {
            if (!cond.isObject()) {
                throw malformed("Condition is not an object");
            }
            for (Map.Entry<String, JsonNode> op : cond.properties()) {
                if (!Conditions.isOperator(op.getKey())) {
                    throw malformed("Invalid Condition type : " + op.getKey());
                }
                if (!op.getValue().isObject()) {
                    throw malformed("Condition " + op.getKey() + " is not an object");
                }
                for (Map.Entry<String, JsonNode> kv : op.getValue().properties()) {
                    conditions.add(new Condition(op.getKey(), kv.getKey(), scalarStrings(kv.getValue())));
                }
            }
        }
        return new Statement(sid, effect, principal, notPrincipal, actions, notAction, resources, notResource, conditions);
    }

    private static boolean resourceInBucket(String arn, String bucket) {
        String prefix = "arn:aws:s3:::";
        if (!arn.startsWith(prefix)) {
            return false;
        }
        String rest = arn.substring(prefix.length());
        int slash = rest.indexOf('/');
        String b = slash < 0 ? rest : rest.substring(0, slash);
        return Wildcards.matches(b, bucket);
    }

    private static Principals principals(JsonNode node) {
        if (node.isTextual()) {
            if (node.asText().equals("*")) {
                return new Principals(true, List.of());
            }
            throw malformed("Invalid principal in policy");
        }
        if (!node.isObject() || node.isEmpty()) {
            throw malformed("Invalid principal in policy");
        }
        List<String> names = new ArrayList<>();
        boolean any = false;
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            switch (e.getKey()) {
                case "AWS", "CanonicalUser" -> {
                    for (String n : strings(e.getValue(), "Principal")) {
                        if (n.equals("*")) {
                            any = true;
                        } else {
                            names.add(n);
                        }
                    }
                }
                case "Service", "Federated" -> names.addAll(strings(e.getValue(), "Principal"));
                default -> throw malformed("Invalid principal in policy");
            }
        }
        return new Principals(any, names);
    }

    private static List<String> strings(JsonNode node, String field) {
        List<String> out = new ArrayList<>();
        if (node.isTextual()) {
            out.add(node.asText());
        } else if (node.isArray() && !node.isEmpty()) {
            for (JsonNode n : node) {
                if (!n.isTextual()) {
                    throw malformed(field + " must be a string or a list of strings");
                }
                out.add(n.asText());
            }
        } else {
            throw malformed(field + " must be a string or a list of strings");
        }
        return out;
    }

    private static List<String> scalarStrings(JsonNode node) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : node.isArray() ? node : List.of(node)) {
            if (!n.isValueNode() || n.isNull()) {
                throw malformed("Condition values must be strings, numbers or booleans");
            }
            out.add(n.asText());
        }
        return out;
    }

    static S3Exception malformed(String message) {
        return new S3Exception(S3ErrorCode.MalformedPolicy, message);
    }

    /** The first statement of {@code effect} that applies, or null. */
    public Statement firstMatch(Effect effect, Principal p, String action, String resource, RequestContext context) {
        for (Statement s : statements) {
            if (s.effect() == effect && s.matches(p, action, resource, context)) {
                return s;
            }
        }
        return null;
    }

    /** Whether any statement grants access to the public (GetBucketPolicyStatus, Block Public Access). */
    public boolean isPublic() {
        return statements.stream().anyMatch(Statement::isPublic);
    }
}
