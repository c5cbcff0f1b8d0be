package io.traverse.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one YAML document into {@link YamlNode}s with Jackson's streaming parser.
 *
 * <p>Duplicate keys are detected here rather than with Jackson's {@code STRICT_DUPLICATE_DETECTION},
 * which stops at the first one: every duplicate is reported with its full key and both lines, and
 * parsing continues (the first value is kept). Aliases ({@code *name}) and binary values are rejected.
 */
final class YamlReader {
    /** {@code key:} with nothing after it is null (an empty section), {@code key: ''} the empty string. */
    private static final YAMLFactory FACTORY = YAMLFactory.builder()
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
            .build();
    private static final Pattern MARK = Pattern.compile("line (\\d+), column (\\d+)");

    private final List<ConfigProblem> problems;

    private YamlReader(List<ConfigProblem> problems) {
        this.problems = problems;
    }

    /**
     * Parses {@code text}. Problems are appended to {@code problems}; returns {@code null} when the
     * document cannot be used at all (syntax error, not a mapping). An empty document is an empty mapping.
     */
    static YamlNode.Mapping read(String text, List<ConfigProblem> problems) {
        return new YamlReader(problems).read(text);
    }

    private YamlNode.Mapping read(String text) {
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return new YamlNode.Mapping(1, null);
            }
            YamlNode root = value(p, t, "");
            if (p.nextToken() != null) {
                problems.add(new ConfigProblem("", "only one YAML document is allowed", "line " + line(p)));
            }
            if (root instanceof YamlNode.Mapping) {
                return (YamlNode.Mapping) root;
            }
            if (root instanceof YamlNode.Scalar && ((YamlNode.Scalar) root).isNull()) {
                return new YamlNode.Mapping(root.line(), null);
            }
            problems.add(new ConfigProblem("", "the configuration must be a mapping of sections (server:, relay:, ...),"
                    + " got " + root.describe(), root.origin()));
            return null;
        } catch (JsonProcessingException e) {
            problems.add(syntaxProblem(e, text));
            return null;
        } catch (IOException e) {
            problems.add(new ConfigProblem("", "cannot parse YAML: " + e.getMessage()));
            return null;
        }
    }

    private YamlNode value(JsonParser p, JsonToken t, String path) throws IOException {
        int line = line(p);
        switch (t) {
            case START_OBJECT: {
                YamlNode.Mapping m = new YamlNode.Mapping(line, null);
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    String name = p.currentName();
                    int keyLine = line(p);
                    String childPath = Keys.join(path, name);
                    YamlNode child = value(p, p.nextToken(), childPath);
                    YamlNode.Mapping.Entry first = m.get(name);
                    if (first != null) {
                        problems.add(new ConfigProblem(childPath,
                                "duplicate key (first defined on line " + first.keyLine() + ")", "line " + keyLine));
                    } else {
                        m.put(name, child, keyLine);
                    }
                }
                return m;
            }
            case START_ARRAY: {
                List<YamlNode> items = new ArrayList<>();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    items.add(value(p, e, Keys.index(path, items.size())));
                }
                return new YamlNode.Sequence(List.copyOf(items), line, null);
            }
            case VALUE_STRING:
                if (p instanceof YAMLParser && ((YAMLParser) p).isCurrentAlias()) {
                    problems.add(new ConfigProblem(path, "YAML aliases (*" + p.getText() + ") are not supported",
                            "line " + line));
                    return new YamlNode.Scalar(YamlNode.Scalar.INVALID, p.getText(), line, null);
                }
                return new YamlNode.Scalar(p.getText(), p.getText(), line, null);
            case VALUE_NUMBER_INT:
                return new YamlNode.Scalar(p.getBigIntegerValue(), p.getText(), line, null);
            case VALUE_NUMBER_FLOAT:
                return new YamlNode.Scalar(p.getDoubleValue(), p.getText(), line, null);
            case VALUE_TRUE:
            case VALUE_FALSE:
                return new YamlNode.Scalar(t == JsonToken.VALUE_TRUE, p.getText(), line, null);
            case VALUE_NULL:
                return new YamlNode.Scalar(null, p.getText(), line, null);
            default:
                problems.add(new ConfigProblem(path, "unsupported YAML value (" + t + ")", "line " + line));
                return new YamlNode.Scalar(YamlNode.Scalar.INVALID, "", line, null);
        }
    }

    private static int line(JsonParser p) {
        return p.currentTokenLocation().getLineNr();
    }

    /**
     * A syntax error as one line: SnakeYAML's message without its source excerpts, located at its last
     * "line L, column C" mark (where the problem was found).
     */
    private static ConfigProblem syntaxProblem(JsonProcessingException e, String text) {
        String original = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        List<String> parts = new ArrayList<>();
        int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
        String where = line < 0 ? null : "line " + line + ", column " + e.getLocation().getColumnNr();
        for (String raw : original.split("\n")) {
            String s = raw.strip();
            Matcher m = MARK.matcher(s);
            if (s.startsWith("in '") && m.find()) {
                line = Integer.parseInt(m.group(1));
                where = "line " + line + ", column " + m.group(2);
                continue;
            }
            if (s.isEmpty() || raw.startsWith("    ") || s.equals("^")) {
                continue;
            }
            parts.add(s);
        }
        String[] lines = text.split("\n", -1);
        if (line >= 1 && line <= lines.length && lines[line - 1].contains("::")) {
            parts.add("IPv6 addresses must be quoted in YAML, e.g. address: \"::\"");
        }
        return new ConfigProblem("", "invalid YAML: " + String.join("; ", parts), where);
    }
}
