package dev.smdp4j.io;

import static dev.smdp4j.io.NpyHeader.bad;
import static dev.smdp4j.io.NpyHeader.printable;

import dev.smdp4j.io.NpyHeader.Dtype;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A strict reader of the dictionary in a {@code .npy} header, in the form numpy writes it:
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}. It accepts the three keys
 * in any order, each once; a quoted dtype string; {@code True} or {@code False}; and a tuple of
 * non-negative integers ({@code ()}, {@code (5,)}, {@code (2, 3)}, a trailing comma and Python 2's
 * {@code L} suffix allowed), with white space between tokens and either kind of quote. Anything
 * else, Python literal or not, is rejected with a one-line message; the text is never evaluated.
 */
final class NpyHeaderParser {
    /** Values quoted in messages are cut to this many characters. */
    private static final int MAX_QUOTED = 60;
    /** The dictionary's keys, in the order numpy writes them. */
    private static final List<String> KEYS = List.of("descr", "fortran_order", "shape");

    private final String text;
    private final String name;
    private int pos;
    private Dtype dtype;
    private Boolean fortranOrder;
    private int[] shape;

    NpyHeaderParser(String text, String name) {
        this.text = text;
        this.name = name;
    }

    NpyHeader header() {
        space();
        if (peek() != '{') {
            throw bad(name, "the .npy header is not a dictionary but " + rawValue());
        }
        pos++;
        space();
        while (peek() != '}') {
            entry();
            if (!separator()) {
                break;
            }
        }
        expect('}');
        space();
        if (pos < text.length()) {
            throw error("unexpected " + describeNext() + " after the dictionary");
        }
        List<Object> values = Arrays.asList(dtype, fortranOrder, shape);
        for (int i = 0; i < KEYS.size(); i++) {
            if (values.get(i) == null) {
                throw bad(name, "the .npy header has no '" + KEYS.get(i) + "' key");
            }
        }
        return new NpyHeader(dtype, fortranOrder, shape, NpyHeader.elementCount(shape, name));
    }

    /** One {@code 'key': value} pair. */
    private void entry() {
        int keyAt = pos;
        if (peek() != '\'' && peek() != '"') {
            throw error("dictionary keys must be strings");
        }
        String key = string();
        if (!KEYS.contains(key)) {
            throw bad(name, "unexpected key '" + printable(key) + "' in the .npy header");
        }
        boolean seen = switch (key) {
            case "descr" -> dtype != null;
            case "fortran_order" -> fortranOrder != null;
            default -> shape != null;
        };
        if (seen) {
            pos = keyAt;
            throw error("duplicate key '" + key + "'");
        }
        space();
        expect(':');
        space();
        switch (key) {
            case "descr" -> dtype = descr();
            case "fortran_order" -> fortranOrder = fortranOrderValue();
            default -> shape = shapeValue();
        }
    }

    private Dtype descr() {
        if (peek() == '\'' || peek() == '"') {
            return Dtype.parse(string(), name);
        }
        throw Dtype.unsupported(rawValue(), name); // e.g. the list of a structured dtype
    }

    private boolean fortranOrderValue() {
        int start = pos;
        while (pos < text.length() && Character.isLetter(text.charAt(pos))) {
            pos++;
        }
        String word = text.substring(start, pos);
        if (word.equals("True") || word.equals("False")) {
            return word.equals("True");
        }
        pos = start;
        throw bad(name, "'fortran_order' must be True or False, found " + rawValue());
    }

    private int[] shapeValue() {
        int start = pos;
        List<Long> dims = tuple();
        if (dims == null) {
            pos = start;
            throw bad(name, "'shape' must be a tuple of integers, found " + rawValue());
        }
        String repr = printable(text.substring(start, pos));
        int[] shape = new int[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            long dim = dims.get(i);
            if (dim < 0) {
                throw bad(name, "negative dimension " + dim + " in shape " + repr);
            }
            if (dim > NpyHeader.MAX_ELEMENTS) {
                throw bad(name, "dimension " + dim + " in shape " + repr + " is too large");
            }
            shape[i] = (int) dim;
        }
        return shape;
    }

    /** A tuple of integers, or null if the value is anything else; {@code (2)} is an integer, not a tuple. */
    private List<Long> tuple() {
        if (peek() != '(') {
            return null;
        }
        pos++;
        space();
        List<Long> dims = new ArrayList<>();
        boolean comma = false;
        while (peek() != ')') {
            char c = peek();
            if (c != '-' && c != '+' && !isDigit(c)) {
                return null;
            }
            dims.add(integer());
            space();
            if (peek() == ',') {
                pos++;
                comma = true;
                space();
            } else if (peek() != ')') {
                return null;
            }
        }
        pos++;
        return dims.size() == 1 && !comma ? null : dims;
    }

    private long integer() {
        int start = pos;
        boolean negative = text.charAt(pos) == '-';
        if (text.charAt(pos) == '-' || text.charAt(pos) == '+') {
            pos++;
        }
        int digitsStart = pos;
        while (pos < text.length() && isDigit(text.charAt(pos))) {
            pos++;
        }
        String digits = text.substring(digitsStart, pos);
        if (digits.isEmpty()) {
            throw error("expected digits but found " + describeNext());
        }
        if (digits.length() > 1 && digits.charAt(0) == '0') {
            pos = start;
            throw error("leading zeros are not allowed in integers"); // as in Python 3
        }
        if (pos < text.length() && (text.charAt(pos) == 'L' || text.charAt(pos) == 'l')) {
            pos++; // Python 2 long suffix, written by old numpy versions
        }
        try {
            long magnitude = Long.parseLong(digits);
            return negative ? -magnitude : magnitude;
        } catch (NumberFormatException e) {
            pos = start;
            throw error("integer " + digits + " is too large");
        }
    }

    /** A quoted string without escapes, as numpy writes keys and dtypes. */
    private String string() {
        char quote = text.charAt(pos++);
        int start = pos;
        while (true) {
            if (pos >= text.length() || text.charAt(pos) == '\n') {
                throw error("unterminated string");
            }
            char c = text.charAt(pos);
            if (c == '\\') {
                throw error("unsupported escape sequence in string");
            }
            pos++;
            if (c == quote) {
                return text.substring(start, pos - 1);
            }
        }
    }

    /** After an entry: consumes an optional comma and spaces; false if the dictionary must end here. */
    private boolean separator() {
        space();
        if (pos < text.length() && text.charAt(pos) == ',') {
            pos++;
            space();
            return true;
        }
        if (pos < text.length() && text.charAt(pos) == '}') {
            return false;
        }
        throw error("expected ',' or '}' but found " + describeNext());
    }

    /**
     * The text of the value at the current position, for messages: up to the next ',' or '}'
     * outside brackets and quotes, made printable and cut short.
     */
    private String rawValue() {
        int end = pos;
        int depth = 0;
        char quote = 0;
        for (; end < text.length(); end++) {
            char c = text.charAt(end);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (depth > 0 && (c == ')' || c == ']' || c == '}')) {
                depth--;
            } else if (depth == 0 && (c == ',' || c == '}')) {
                break;
            }
        }
        String raw = printable(text.substring(pos, end).strip());
        return raw.length() <= MAX_QUOTED ? raw : raw.substring(0, MAX_QUOTED) + "...";
    }

    private char peek() {
        if (pos >= text.length()) {
            throw error("unexpected end of header");
        }
        return text.charAt(pos);
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("expected '" + c + "' but found " + describeNext());
        }
        pos++;
    }

    private void space() {
        while (pos < text.length() && " \t\n\r\f".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private String describeNext() {
        if (pos >= text.length()) {
            return "the end of the header";
        }
        char c = text.charAt(pos);
        return c == '\'' ? "\"'\"" : "'" + printable(String.valueOf(c)) + "'";
    }

    private InvalidInputException error(String problem) {
        return bad(name, "malformed .npy header at character " + pos + ": " + problem);
    }
}
