package io.traverse.config;

/** Netty transport implementation ({@code server.io}); written in lower case in the file. */
public enum IoMode {
    /** Native epoll when available (Linux), otherwise NIO. */
    AUTO,
    /** Native epoll; fails at start when it is not available. */
    EPOLL,
    /** Java NIO everywhere. */
    NIO
}
