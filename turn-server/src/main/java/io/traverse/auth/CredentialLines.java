package io.traverse.auth;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Splits a credential file into UTF-8 lines, reporting invalid UTF-8 with its line number. */
final class CredentialLines {
    private CredentialLines() {}

    /**
     * Lines of {@code content} without their terminators ({@code \n} or {@code \r\n}); a leading
     * UTF-8 byte order mark is dropped.
     */
    static List<String> split(Path source, byte[] content) throws CredentialFileException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        List<String> lines = new ArrayList<>();
        int start = 0;
        if (content.length >= 3 && (content[0] & 0xFF) == 0xEF && (content[1] & 0xFF) == 0xBB
                && (content[2] & 0xFF) == 0xBF) {
            start = 3;
        }
        int lineNo = 1;
        while (start < content.length) {
            int end = start;
            while (end < content.length && content[end] != '\n') {
                end++;
            }
            int stop = end > start && content[end - 1] == '\r' ? end - 1 : end;
            try {
                lines.add(decoder.decode(ByteBuffer.wrap(content, start, stop - start)).toString());
            } catch (CharacterCodingException e) {
                throw new CredentialFileException(source, lineNo, "not valid UTF-8");
            }
            start = end + 1;
            lineNo++;
        }
        return lines;
    }
}
