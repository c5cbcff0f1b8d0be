package io.traverse.config;

import io.traverse.net.Cidr;
import io.traverse.net.IpAddresses;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Turns {@link YamlNode}s into typed values, collecting every problem with its full key and origin instead
 * of stopping at the first. Type and syntax checks happen here; range and consistency checks are the
 * records' compact constructors, run through {@link #construct}.
 *
 * <p>When something fails the binder substitutes the default (or drops a list element) and carries on,
 * so later problems are still found. To avoid follow-on noise from such substitutes, a problem reported by
 * a constructor is dropped when its key is the same as, inside, or contains a key that already failed.
 */
final class Binder {
    /** Converts one node at a path; returns null after reporting a problem. */
    @FunctionalInterface
    interface Converter<T> {
        T convert(String path, YamlNode node);
    }

    private final List<ConfigProblem> problems;
    private final List<String> failed = new ArrayList<>();
    private final Map<String, String> origins = new HashMap<>();
    private final Set<String> asked = new LinkedHashSet<>();
    private final Path fileBase;
    private final Path overrideBase;

    /**
     * @param fileBase     directory relative paths in the file are resolved against
     * @param overrideBase directory relative paths in overrides are resolved against
     */
    Binder(List<ConfigProblem> problems, Path fileBase, Path overrideBase) {
        this.problems = problems;
        this.fileBase = fileBase;
        this.overrideBase = overrideBase;
        for (ConfigProblem p : problems) {
            failed.add(p.key());
        }
    }

    // ---- problems ----

    void report(String path, YamlNode where, String message) {
        reportAt(path, where == null ? originOf(path) : where.origin(), message);
    }

    void reportAt(String path, String origin, String message) {
        problems.add(new ConfigProblem(path, message, origin));
        failed.add(path);
    }

    /** Records that the schema asked for {@code path} (lets tests check docs and sample cover the schema). */
    void noteAsked(String path) {
        asked.add(path);
    }

    /** Every key path the schema asked for, in order. */
    Set<String> askedKeys() {
        return asked;
    }

    void noteOrigin(String path, String origin) {
        origins.put(path, origin);
    }

    /** Marks a path as failed without a problem of its own (its problems were reported elsewhere). */
    void markFailed(String path) {
        failed.add(path);
    }

    private String originOf(String path) {
        for (String p = path; !p.isEmpty(); p = parent(p)) {
            String o = origins.get(p);
            if (o != null) {
                return o;
            }
        }
        return null;
    }

    private static String parent(String path) {
        int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
        return cut < 0 ? "" : path.substring(0, cut);
    }

    private boolean relatedToFailure(String key) {
        for (String f : failed) {
            if (Keys.related(f, key)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs a record constructor; on {@link InvalidConfigException} reports its problems under {@code path}
     * (minus follow-on problems, see the class comment) and returns {@code fallback}.
     */
    <T> T construct(String path, Supplier<T> constructor, T fallback) {
        try {
            return constructor.get();
        } catch (InvalidConfigException e) {
            List<ConfigProblem> fresh = e.problems().stream()
                    .map(p -> p.under(path))
                    .filter(p -> !relatedToFailure(p.key()))
                    .collect(Collectors.toList());
            for (ConfigProblem p : fresh) {
                reportAt(p.key(), originOf(p.key()), p.message());
            }
            failed.add(path);
            return fallback;
        }
    }

    // ---- structure ----

    /** The mapping under {@code key}: absent or null reads as empty; anything else is reported. */
    MapReader section(MapReader parent, String key) {
        return mapping(parent.path(key), parent.get(key));
    }

    MapReader mapping(String path, YamlNode node) {
        if (node instanceof YamlNode.Mapping) {
            return new MapReader(this, path, (YamlNode.Mapping) node);
        }
        if (node != null && !isNullOrInvalid(path, node)) {
            report(path, node, "must be a mapping, got " + node.describe());
        }
        return new MapReader(this, path, null);
    }

    /**
     * A scalar-valued key. Absent: {@code def}. Null: {@code null} if {@code nullable}, else a problem.
     * Unconvertible: a problem and {@code def}.
     */
    <T> T value(MapReader m, String key, T def, boolean nullable, Converter<T> converter) {
        YamlNode n = m.get(key);
        if (n == null) {
            return def;
        }
        String path = m.path(key);
        if (n instanceof YamlNode.Scalar && ((YamlNode.Scalar) n).isInvalid()) {
            failed.add(path);
            return def;
        }
        if (n instanceof YamlNode.Scalar && ((YamlNode.Scalar) n).isNull()) {
            if (nullable) {
                return null;
            }
            report(path, n, "must not be null (remove the key to use the default)");
            return def;
        }
        T v = converter.convert(path, n);
        return v == null ? def : v;
    }

    /** A key without default: absent is reported as required; returns null on any problem. */
    <T> T required(MapReader m, String key, Converter<T> converter) {
        if (!m.has(key)) {
            reportAt(m.path(key), originOf(m.path(key)), "is required");
            return null;
        }
        return value(m, key, null, false, converter);
    }

    /**
     * A list-valued key. Absent: {@code def}. Null: empty. A string set by an override is split at commas.
     * Elements that fail are reported and left out; the list's own checks (emptiness, repeats) are then
     * skipped until the elements are fixed.
     */
    <T> List<T> list(MapReader m, String key, List<T> def, Converter<T> element) {
        YamlNode n = m.get(key);
        if (n == null) {
            return def;
        }
        String path = m.path(key);
        List<YamlNode> items;
        if (n instanceof YamlNode.Sequence) {
            items = ((YamlNode.Sequence) n).items();
        } else if (n instanceof YamlNode.Scalar && ((YamlNode.Scalar) n).isInvalid()) {
            failed.add(path);
            return def;
        } else if (n instanceof YamlNode.Scalar && ((YamlNode.Scalar) n).isNull()) {
            items = List.of();
        } else if (n instanceof YamlNode.Scalar && n.override() != null) {
            items = split((YamlNode.Scalar) n);
        } else {
            report(path, n, "must be a list, got " + n.describe());
            return def;
        }
        List<T> out = new ArrayList<>();
        boolean elementFailed = false;
        for (int i = 0; i < items.size(); i++) {
            String itemPath = Keys.index(path, i);
            YamlNode item = items.get(i);
            if (isNullOrInvalid(itemPath, item)) {
                if (((YamlNode.Scalar) item).isNull()) {
                    report(itemPath, item, "must not be null");
                }
                elementFailed = true;
                continue;
            }
            T v = element.convert(itemPath, item);
            if (v != null) {
                out.add(v);
            } else {
                elementFailed = true;
            }
        }
        if (elementFailed) {
            // The list handed on is shorter; checks of the whole list or by index would mislead.
            failed.add(path);
        }
        return out;
    }

    private static List<YamlNode> split(YamlNode.Scalar s) {
        List<YamlNode> items = new ArrayList<>();
        if (s.text().isBlank()) {
            return items;
        }
        for (String part : s.text().split(",", -1)) {
            items.add(new YamlNode.Scalar(part.trim(), part.trim(), 0, s.override()));
        }
        return items;
    }

    private boolean isNullOrInvalid(String path, YamlNode n) {
        if (n instanceof YamlNode.Scalar) {
            YamlNode.Scalar s = (YamlNode.Scalar) n;
            if (s.isInvalid()) {
                failed.add(path);
                return true;
            }
            return s.isNull();
        }
        return false;
    }

    // ---- converters ----

    /**
     * Any scalar as written (numbers and booleans too: {@code realm: 2024} is the text "2024"). Never
     * echoes the value in a message, so it is also used for secrets.
     */
    String text(String path, YamlNode n) {
        if (n instanceof YamlNode.Scalar) {
            return ((YamlNode.Scalar) n).text();
        }
        report(path, n, "must be a string, got " + n.describe());
        return null;
    }

    /** A non-empty secret; never echoed. */
    String secret(String path, YamlNode n) {
        String s = text(path, n);
        if (s != null && s.isEmpty()) {
            report(path, n, "must not be empty");
            return null;
        }
        return s;
    }

    Integer integer(String path, YamlNode n) {
        if (n instanceof YamlNode.Scalar && ((YamlNode.Scalar) n).value() instanceof BigInteger) {
            if (isOctalLooking(path, (YamlNode.Scalar) n)) {
                return null;
            }
            BigInteger v = (BigInteger) ((YamlNode.Scalar) n).value();
            if (v.bitLength() > 31) {
                report(path, n, "is out of range, got " + v);
                return null;
            }
            return v.intValue();
        }
        report(path, n, "must be an integer, got " + n.describe());
        return null;
    }

    /** A byte size: an integer number of bytes or a string in {@link ByteSizes} syntax ({@code 8m}). */
    Integer byteSize(String path, YamlNode n) {
        if (n instanceof YamlNode.Scalar && ((YamlNode.Scalar) n).value() instanceof BigInteger) {
            return integer(path, n);
        }
        if (n instanceof YamlNode.Scalar && ((YamlNode.Scalar) n).value() instanceof String) {
            try {
                return ByteSizes.parse((String) ((YamlNode.Scalar) n).value());
            } catch (IllegalArgumentException e) {
                report(path, n, e.getMessage());
                return null;
            }
        }
        report(path, n, "must be " + ByteSizes.EXPECTED + ", got " + n.describe());
        return null;
    }

    /** YAML 1.1 reads {@code 010} as octal 8; a configuration should not depend on that. */
    private boolean isOctalLooking(String path, YamlNode.Scalar s) {
        if (s.text().matches("[-+]?0[0-9_]+")) {
            report(path, s, "has a leading zero, which YAML reads as octal; write it without leading zeros, got "
                    + s.text());
            return true;
        }
        return false;
    }

    /** A number such as 0.9 (an integer is accepted too). */
    Double decimal(String path, YamlNode n) {
        if (n instanceof YamlNode.Scalar) {
            Object v = ((YamlNode.Scalar) n).value();
            if (v instanceof Double) {
                return (Double) v;
            }
            if (v instanceof BigInteger) {
                return ((BigInteger) v).doubleValue();
            }
            if (v instanceof String && ((String) v).matches("[0-9]{0,9}\\.[0-9]{1,9}")) {
                return Double.valueOf((String) v); // from a command-line override, which types integers only
            }
        }
        report(path, n, "must be a number, got " + n.describe());
        return null;
    }

    Boolean bool(String path, YamlNode n) {
        if (n instanceof YamlNode.Scalar && ((YamlNode.Scalar) n).value() instanceof Boolean) {
            return (Boolean) ((YamlNode.Scalar) n).value();
        }
        report(path, n, "must be true or false, got " + n.describe());
        return null;
    }

    Duration duration(String path, YamlNode n) {
        if (n instanceof YamlNode.Scalar) {
            Object v = ((YamlNode.Scalar) n).value();
            if (v instanceof BigInteger) {
                if (isOctalLooking(path, (YamlNode.Scalar) n)) {
                    return null;
                }
                BigInteger seconds = (BigInteger) v;
                if (seconds.signum() < 0) {
                    report(path, n, "must not be negative, got " + seconds);
                    return null;
                }
                if (seconds.bitLength() > 40) {
                    report(path, n, "is too large, got " + seconds);
                    return null;
                }
                return Duration.ofSeconds(seconds.longValue());
            }
            if (v instanceof String) {
                try {
                    return Durations.parse((String) v);
                } catch (IllegalArgumentException e) {
                    report(path, n, e.getMessage());
                    return null;
                }
            }
        }
        report(path, n, "must be " + Durations.EXPECTED + ", got " + n.describe());
        return null;
    }

    InetAddress address(String path, YamlNode n) {
        return parsed(path, n, "an IP address literal", IpAddresses::parse);
    }

    Cidr cidr(String path, YamlNode n) {
        return parsed(path, n, "a CIDR prefix such as 10.0.0.0/8", Cidr::parse);
    }

    /** A path; relative paths resolve against the file's directory, or the working directory for overrides. */
    Path path(String path, YamlNode n) {
        if (!(n instanceof YamlNode.Scalar) || !(((YamlNode.Scalar) n).value() instanceof String)) {
            report(path, n, "must be a file path string, got " + n.describe());
            return null;
        }
        String text = ((YamlNode.Scalar) n).text();
        if (text.isEmpty()) {
            report(path, n, "must not be empty (use null for none)");
            return null;
        }
        try {
            Path base = n.override() != null ? overrideBase : fileBase;
            return base.resolve(Path.of(text)).normalize();
        } catch (InvalidPathException e) {
            report(path, n, "is not a valid path: " + e.getMessage());
            return null;
        }
    }

    /** An enum constant written in lower case (any case accepted). */
    <E extends Enum<E>> Converter<E> enumOf(Class<E> type) {
        return (path, n) -> {
            E[] constants = type.getEnumConstants();
            if (n instanceof YamlNode.Scalar && ((YamlNode.Scalar) n).value() instanceof String) {
                String text = ((YamlNode.Scalar) n).text();
                for (E c : constants) {
                    if (c.name().equalsIgnoreCase(text)) {
                        return c;
                    }
                }
            }
            String names = java.util.Arrays.stream(constants)
                    .map(c -> c.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
            report(path, n, "must be one of " + names + "; got " + n.describe());
            return null;
        };
    }

    /** Parses a string scalar with {@code parser}, reporting its {@link IllegalArgumentException}. */
    <T> T parsed(String path, YamlNode n, String expected, java.util.function.Function<String, T> parser) {
        if (!(n instanceof YamlNode.Scalar) || !(((YamlNode.Scalar) n).value() instanceof String)) {
            report(path, n, "must be " + expected + ", got " + n.describe());
            return null;
        }
        try {
            return parser.apply(((YamlNode.Scalar) n).text());
        } catch (IllegalArgumentException e) {
            report(path, n, e.getMessage());
            return null;
        }
    }
}
