package io.traverse.config;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed configuration document before binding: mappings, lists and scalars, each remembering where it
 * came from (a line of the file, or a command-line override) so problems can say so.
 */
sealed interface YamlNode permits YamlNode.Mapping, YamlNode.Sequence, YamlNode.Scalar {

    /** 1-based line in the file; 0 for values set by an override. */
    int line();

    /** The override key that set this value, or {@code null} if it came from the file. */
    String override();

    /** Where the value came from: {@code line 12} or {@code override relay.port-range.min}. */
    default String origin() {
        return override() != null ? "override " + override() : "line " + line();
    }

    /** What the value is, for "got ..." in messages: {@code a mapping}, {@code integer 5}, .... */
    String describe();

    /** A mapping; keys in document order. Mutable only while overrides are applied. */
    final class Mapping implements YamlNode {
        /** A value with the line of its key. */
        record Entry(YamlNode value, int keyLine) {
            String keyOrigin() {
                return value.override() != null ? value.origin() : "line " + keyLine;
            }
        }

        private final Map<String, Entry> entries = new LinkedHashMap<>();
        private final int line;
        private final String override;

        Mapping(int line, String override) {
            this.line = line;
            this.override = override;
        }

        Map<String, Entry> entries() {
            return entries;
        }

        Entry get(String key) {
            return entries.get(key);
        }

        void put(String key, YamlNode value, int keyLine) {
            entries.put(key, new Entry(value, keyLine));
        }

        @Override
        public int line() {
            return line;
        }

        @Override
        public String override() {
            return override;
        }

        @Override
        public String describe() {
            return "a mapping";
        }
    }

    /** A list. */
    record Sequence(List<YamlNode> items, int line, String override) implements YamlNode {
        @Override
        public String describe() {
            return "a list";
        }
    }

    /**
     * A scalar. {@code value} is {@code null}, a {@link Boolean}, a {@link BigInteger}, a {@link Double},
     * a {@link String}, or {@link #INVALID} for a value already reported as unusable (an alias, binary);
     * {@code text} is the scalar as written.
     */
    record Scalar(Object value, String text, int line, String override) implements YamlNode {
        /** Marker for a value that has been reported already and must be skipped silently. */
        static final Object INVALID = new Object();

        boolean isNull() {
            return value == null;
        }

        boolean isInvalid() {
            return value == INVALID;
        }

        @Override
        public String describe() {
            if (value == null) {
                return "null";
            }
            if (value instanceof Boolean) {
                return "boolean " + text;
            }
            if (value instanceof BigInteger) {
                return "integer " + text;
            }
            if (value instanceof Double) {
                return "number " + text;
            }
            return "string \"" + text + "\"";
        }
    }
}
