package io.traverse.config;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Applies command-line overrides ({@code relay.port-range.min=50000}) to the parsed file before binding.
 *
 * <p>A key is a dotted path of kebab-case keys; list elements cannot be addressed, a list is replaced as a
 * whole by a comma-separated value ({@code listeners=udp://0.0.0.0:3478,tcp://[::]:3478}). Values are typed
 * like plain YAML scalars, narrowly: {@code null} and {@code ~} are null, {@code true}/{@code false}
 * booleans, a decimal integer without leading zeros an integer, anything else a string. Mappings missing
 * from the file are created. Unknown keys are reported by the binder like unknown keys in the file, with
 * the override named as origin.
 */
final class Overrides {
    private static final Pattern KEY = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*(\\.[a-z0-9]+(-[a-z0-9]+)*)*");
    private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]*)");

    private Overrides() {}

    static void apply(YamlNode.Mapping root, Map<String, String> overrides, List<ConfigProblem> problems) {
        for (Map.Entry<String, String> o : overrides.entrySet()) {
            String key = o.getKey() == null ? "" : o.getKey().trim();
            if (!KEY.matcher(key).matches()) {
                problems.add(new ConfigProblem(key, "invalid override key; expected a dotted path such as"
                        + " relay.port-range.min (list elements cannot be addressed: override the whole list)",
                        "override"));
                continue;
            }
            apply(root, key, o.getValue(), problems);
        }
    }

    private static void apply(YamlNode.Mapping root, String key, String value, List<ConfigProblem> problems) {
        String[] segments = key.split("\\.");
        YamlNode.Mapping current = root;
        for (int i = 0; i < segments.length - 1; i++) {
            YamlNode.Mapping.Entry e = current.get(segments[i]);
            if (e == null || (e.value() instanceof YamlNode.Scalar && ((YamlNode.Scalar) e.value()).isNull())) {
                YamlNode.Mapping created = new YamlNode.Mapping(0, key);
                current.put(segments[i], created, 0);
                current = created;
            } else if (e.value() instanceof YamlNode.Mapping) {
                current = (YamlNode.Mapping) e.value();
            } else {
                String parent = String.join(".", java.util.Arrays.copyOf(segments, i + 1));
                problems.add(new ConfigProblem(key, "cannot be applied: " + parent + " is " + e.value().describe()
                        + " in the file, not a mapping", "override"));
                return;
            }
        }
        current.put(segments[segments.length - 1], scalar(value, key), 0);
    }

    /** Types an override value like a plain YAML scalar (narrowly, see the class comment). */
    static YamlNode.Scalar scalar(String value, String key) {
        if (value == null || value.equals("null") || value.equals("~")) {
            return new YamlNode.Scalar(null, String.valueOf(value), 0, key);
        }
        if (value.equals("true") || value.equals("false")) {
            return new YamlNode.Scalar(Boolean.valueOf(value), value, 0, key);
        }
        if (INTEGER.matcher(value).matches() && value.length() <= 40) {
            return new YamlNode.Scalar(new BigInteger(value), value, 0, key);
        }
        return new YamlNode.Scalar(value, value, 0, key);
    }
}
