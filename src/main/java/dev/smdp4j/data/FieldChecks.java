package dev.smdp4j.data;

import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;

/** Validation of field arrays read from files, with messages that name the array and the problem. */
public final class FieldChecks {
    private FieldChecks() {}

    /** {@code a} must be {@code [count, n, n]} (count &lt; 0: any) and finite. */
    public static void requireFields(HostArray a, String what, int count, int n) {
        int[] s = a.shape();
        boolean ok =
                s.length == 3 && (count < 0 || s[0] == count) && (n < 0 || (s[1] == n && s[2] == n)) && s[1] == s[2];
        if (!ok) {
            throw new InvalidInputException(what + ": expected shape [" + (count < 0 ? "n" : count) + ", "
                    + (n < 0 ? "N" : n) + ", " + (n < 0 ? "N" : n) + "], got " + a.shapeString());
        }
        requireFinite(a, what);
    }

    /**
     * {@code a} must be {@code [count, ...state]} (count &lt; 0: any) and finite; returns it with
     * that shape. States of one value may also come as {@code [count]} (the npz convention of 1-D
     * problems); they are returned as {@code [count, 1]}.
     */
    public static HostArray requireStates(HostArray a, String what, int count, int[] state) {
        HostArray shaped = a;
        if (state.length == 1 && state[0] == 1 && a.rank() == 1) {
            shaped = a.reshape(a.dim(0), 1);
        }
        int[] s = shaped.shape();
        boolean ok = s.length == state.length + 1
                && (count < 0 || s[0] == count)
                && java.util.Arrays.equals(java.util.Arrays.copyOfRange(s, 1, s.length), state);
        if (!ok) {
            StringBuilder expected = new StringBuilder("[").append(count < 0 ? "n" : String.valueOf(count));
            for (int d : state) {
                expected.append(", ").append(d);
            }
            expected.append(']');
            if (state.length == 1 && state[0] == 1) {
                expected.append(" or [")
                        .append(count < 0 ? "n" : String.valueOf(count))
                        .append(']');
            }
            throw new InvalidInputException(what + ": expected shape " + expected + ", got " + a.shapeString());
        }
        requireFinite(shaped, what);
        return shaped;
    }

    /** Every element of {@code a} is finite. */
    public static void requireFinite(HostArray a, String what) {
        int bad = a.firstNonFinite();
        if (bad >= 0) {
            throw new InvalidInputException(what + ": non-finite value " + a.data()[bad] + " at flat index " + bad
                    + " (field " + (a.strideOfFirstAxis() == 0 ? 0 : bad / a.strideOfFirstAxis()) + ")");
        }
    }
}
