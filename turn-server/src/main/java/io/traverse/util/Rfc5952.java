package io.traverse.util;

/** RFC 5952 text form of an IPv6 address: lower case, leading zeros dropped, the longest zero run as "::". */
public final class Rfc5952 {
    private Rfc5952() {}

    /** Formats eight 16-bit groups. */
    public static String format(int[] groups) {
        int bestStart = -1;
        int bestLen = 1; // RFC 5952 §4.2.2: a single 16-bit 0 field is not shortened
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }
}
