package io.traverse.config;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads one YAML mapping at a known path, remembering which keys the schema asked for so that
 * {@link #finish()} can report every other key as unknown.
 */
final class MapReader {
    private final Binder binder;
    private final String path;
    private final YamlNode.Mapping map;
    private final Set<String> known = new LinkedHashSet<>();

    /** @param map the mapping, or {@code null} for an absent or unusable one (reads as empty) */
    MapReader(Binder binder, String path, YamlNode.Mapping map) {
        this.binder = binder;
        this.path = path;
        this.map = map;
    }

    /** Full path of {@code key} in this mapping. */
    String path(String key) {
        return Keys.join(path, key);
    }

    /** True if the key is present (declares it as known). */
    boolean has(String key) {
        known.add(key);
        binder.noteAsked(path(key));
        return map != null && map.get(key) != null;
    }

    /** The value of a schema key, or {@code null} if absent. */
    YamlNode get(String key) {
        known.add(key);
        binder.noteAsked(path(key));
        if (map == null) {
            return null;
        }
        YamlNode.Mapping.Entry e = map.get(key);
        if (e == null) {
            return null;
        }
        binder.noteOrigin(path(key), e.keyOrigin());
        return e.value();
    }

    /** Reports every key that the schema did not ask for. Call after all {@link #get} calls. */
    void finish() {
        if (map == null) {
            return;
        }
        for (Map.Entry<String, YamlNode.Mapping.Entry> e : map.entries().entrySet()) {
            if (!known.contains(e.getKey())) {
                binder.reportAt(path(e.getKey()), e.getValue().keyOrigin(), "unknown key" + suggestion(e.getKey()));
            }
        }
    }

    private String suggestion(String unknown) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(unknown, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        if (best != null && bestDistance <= Math.max(2, best.length() / 3)) {
            return "; did you mean " + best + "?";
        }
        return known.isEmpty() ? "" : "; expected one of " + String.join(", ", known);
    }

    /** Levenshtein distance, case-insensitive. */
    private static int distance(String a, String b) {
        a = a.toLowerCase(java.util.Locale.ROOT);
        b = b.toLowerCase(java.util.Locale.ROOT);
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
