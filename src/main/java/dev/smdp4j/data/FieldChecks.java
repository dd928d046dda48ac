package dev.smdp4j.data;

import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;

/** Validation of field arrays read from files, with messages that name the array and the problem. */
public final class FieldChecks {
    private FieldChecks() {
    }

    /** {@code a} must be {@code [count, n, n]} (count &lt; 0: any) and finite. */
    public static void requireFields(HostArray a, String what, int count, int n) {
        int[] s = a.shape();
        boolean ok = s.length == 3 && (count < 0 || s[0] == count) && (n < 0 || (s[1] == n && s[2] == n)) && s[1] == s[2];
        if (!ok) {
            throw new InvalidInputException(what + ": expected shape [" + (count < 0 ? "n" : count) + ", "
                    + (n < 0 ? "N" : n) + ", " + (n < 0 ? "N" : n) + "], got " + a.shapeString());
        }
        requireFinite(a, what);
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
