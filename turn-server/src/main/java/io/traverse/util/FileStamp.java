package io.traverse.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * What a file poll compares: modification time, size and file key (inode). An atomic replace (new inode) is seen
 * even when time and size are equal.
 */
public record FileStamp(FileTime modified, long size, Object fileKey) {
    /** A missing or unreadable file. */
    public static final FileStamp MISSING = new FileStamp(FileTime.fromMillis(0), -1, null);

    public static FileStamp of(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new FileStamp(a.lastModifiedTime(), a.size(), a.fileKey());
        } catch (IOException e) {
            return MISSING;
        }
    }
}
