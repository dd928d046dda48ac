package dev.smdp4j.nn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import java.util.List;

/** Reading {@link NetworkConfig}s back from their JSON form, and the checks their Jackson creators share. */
final class ConfigValues {
    /** The architectures {@link NetworkConfig}'s JSON form names. */
    static final List<String> ARCHITECTURES = List.of("score-net", "fno", "unet", "mlp", "surrogate-net");

    /** The shared mapper, except that a number written as a string ({@code "4"}) is an error. */
    private static final ObjectMapper STRICT = strict();

    private ConfigValues() {}

    private static ObjectMapper strict() {
        ObjectMapper mapper = Json.mapper().copy();
        mapper.coercionConfigDefaults().setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        return mapper;
    }

    static NetworkConfig read(JsonNode form) {
        if (form == null || !form.isObject()) {
            throw new InvalidInputException("bad network description: "
                    + (form == null || form.isMissingNode() ? "none given" : form + " is not an object"));
        }
        ObjectNode typed = (ObjectNode) form.deepCopy();
        JsonNode kind = typed.get(NetworkConfig.ARCHITECTURE);
        if (kind == null || kind.isNull()) {
            typed.put(NetworkConfig.ARCHITECTURE, "score-net"); // written before there were other architectures
        } else if (!kind.isTextual() || !ARCHITECTURES.contains(kind.textValue())) {
            throw new InvalidInputException("unknown network architecture "
                    + (kind.isTextual() ? "'" + kind.textValue() + "'" : kind.toString()) + "; valid: "
                    + String.join(", ", ARCHITECTURES));
        }
        try {
            return STRICT.treeToValue(typed, NetworkConfig.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new InvalidInputException("bad network description " + form + ": " + reason(e), e);
        }
    }

    /** The innermost message: the creator's own check when there is one, otherwise Jackson's short one. */
    private static String reason(Exception e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t instanceof JsonProcessingException j && !(t instanceof InvalidTypeIdException)) {
            return j.getOriginalMessage().replaceAll("\\s+", " ").trim();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** The whole number {@code value} of field {@code key} (JSON may give it as any number type). */
    static int whole(Number value, String key) {
        double d = number(value, key);
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("'" + key + "' must be an integer, got " + value);
        }
        return (int) d;
    }

    /** {@code value}, which must be given. */
    static double number(Number value, String key) {
        if (value == null) {
            throw new IllegalArgumentException("'" + key + "' must be a number, got null");
        }
        return value.doubleValue();
    }

    /** {@code value}, or {@code absent} if the field was not written (by a version before it existed). */
    static int whole(Number value, String key, int absent) {
        return value == null ? absent : whole(value, key);
    }
}
