package io.traverse.config;

/** Helpers for full configuration key paths such as {@code relay.addresses[1].bind}. */
final class Keys {
    private Keys() {}

    /** Joins a parent path and a child key or {@code [i]} index. */
    static String join(String parent, String child) {
        if (parent.isEmpty()) {
            return child;
        }
        if (child.isEmpty()) {
            return parent;
        }
        return child.startsWith("[") ? parent + child : parent + "." + child;
    }

    /** The path of element {@code index} of the list at {@code parent}. */
    static String index(String parent, int index) {
        return parent + "[" + index + "]";
    }

    /** True if {@code a} and {@code b} are the same key or one lies inside the other. */
    static boolean related(String a, String b) {
        if (a.isEmpty() || b.isEmpty()) {
            return false;
        }
        return a.equals(b) || isInside(a, b) || isInside(b, a);
    }

    /** True if {@code inner} is strictly inside {@code outer}, e.g. {@code relay.port-range.min} in {@code relay}. */
    private static boolean isInside(String inner, String outer) {
        if (inner.length() <= outer.length() || !inner.startsWith(outer)) {
            return false;
        }
        char next = inner.charAt(outer.length());
        return next == '.' || next == '[';
    }
}
