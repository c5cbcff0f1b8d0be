package io.traverse.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.epoll.Epoll;
import io.netty.util.concurrent.FastThreadLocal;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.net.Ip128;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty's own batched datagram system calls, {@code sendmmsg}, {@code recvmsg} and {@code recvmmsg}, without a Netty
 * channel. Netty's epoll transport implements them in its native library for its datagram channel; the Java side
 * ({@code Native.sendmmsg0}, {@code Native.recvmsg0}, {@code Native.recvmmsg0} and the
 * {@code NativeDatagramPacketArray} that describes the messages) is package-private. Traverse runs on the class path, where that package is open to it, and reaches
 * these calls through method handles found once at class initialisation: no per-call reflection, no copy of
 * Netty's native code.
 *
 * <p>What they buy over the public calls: {@code Socket.recvFromAddress} builds the sender's address object in JNI
 * (an up-call into Java per datagram), {@code recvmsg0} only fills the fields of a reused packet descriptor, and
 * the sender's bits are compared with the peer seen last before any object is made.
 * {@code sendmmsg0} sends many datagrams to different clients from one socket in one system call without Netty's
 * channel pipeline, outbound buffer, promise or {@code DatagramPacket} per datagram.
 *
 * <p>If the Netty on the class path does not have these members (another version), {@link #AVAILABLE} is false with
 * the cause logged once, and callers use the public calls: slower, never wrong. {@code NativeDatagramsTest} fails
 * then, so an upgrade of Netty that removes them is noticed.
 */
final class NativeDatagrams {
    private static final Logger LOG = LoggerFactory.getLogger(NativeDatagrams.class);
    /** {@code -EAGAIN} as Netty's native calls return it (11 on Linux x86-64 and aarch64). */
    static final int EAGAIN = -11;

    static final boolean AVAILABLE;
    private static final MethodHandle NEW_ARRAY; // () Object
    private static final MethodHandle ADD; // (Object array, ByteBuf, int index, int len, int segment, InetSocketAddress)
    private static final MethodHandle PACKETS; // (Object array) Object[]
    private static final MethodHandle CLEAR; // (Object array) void
    private static final MethodHandle RELEASE; // (Object array) void
    private static final MethodHandle SENDMMSG; // (int fd, boolean ipv6, Object[] packets, int offset, int len) int
    private static final MethodHandle RECVMSG; // (int fd, boolean ipv6, Object packet) int
    private static final MethodHandle RECVMMSG; // (int fd, boolean ipv6, Object[] packets, int offset, int len) int
    private static final MethodHandle COUNT; // (Object packet) int: the bytes received
    private static final MethodHandle SENDER_ADDR; // (Object packet) byte[]
    private static final MethodHandle SENDER_ADDR_LEN; // (Object packet) int
    private static final MethodHandle SENDER_PORT; // (Object packet) int
    private static final MethodHandle SENDER_SCOPE_ID; // (Object packet) int
    private static final MethodHandle RECIPIENT_ADDR; // (Object packet) byte[]
    private static final MethodHandle SET_RECIPIENT_ADDR_LEN; // (Object packet, int) void
    private static final MethodHandle SET_RECIPIENT_PORT; // (Object packet, int) void
    private static final MethodHandle SET_RECIPIENT_SCOPE_ID; // (Object packet, int) void

    static {
        MethodHandle newArray = null, add = null, packets = null, clear = null, release = null, sendmmsg = null,
                recvmsg = null, recvmmsg = null, count = null, senderAddr = null, senderAddrLen = null, senderPort = null, senderScopeId = null,
                recipientAddr = null, setRecipientAddrLen = null, setRecipientPort = null, setRecipientScopeId = null;
        boolean available = false;
        try {
            Epoll.ensureAvailability();
            Class<?> nativeClass = Class.forName("io.netty.channel.epoll.Native");
            Class<?> arrayClass = Class.forName("io.netty.channel.epoll.NativeDatagramPacketArray");
            Class<?> packetClass = Class.forName("io.netty.channel.epoll.NativeDatagramPacketArray$NativeDatagramPacket");
            Class<?> packetArrayType = packetClass.arrayType();
            MethodHandles.Lookup natives = MethodHandles.privateLookupIn(nativeClass, MethodHandles.lookup());
            MethodHandles.Lookup arrays = MethodHandles.privateLookupIn(arrayClass, MethodHandles.lookup());
            MethodHandles.Lookup packetLookup = MethodHandles.privateLookupIn(packetClass, MethodHandles.lookup());
            newArray = arrays.findConstructor(arrayClass, MethodType.methodType(void.class))
                    .asType(MethodType.methodType(Object.class));
            add = arrays.findVirtual(arrayClass, "add0", MethodType.methodType(boolean.class, ByteBuf.class,
                    int.class, int.class, int.class, InetSocketAddress.class))
                    .asType(MethodType.methodType(boolean.class, Object.class, ByteBuf.class, int.class, int.class,
                            int.class, InetSocketAddress.class));
            packets = arrays.findVirtual(arrayClass, "packets", MethodType.methodType(packetArrayType))
                    .asType(MethodType.methodType(Object[].class, Object.class));
            clear = arrays.findVirtual(arrayClass, "clear", MethodType.methodType(void.class))
                    .asType(MethodType.methodType(void.class, Object.class));
            release = arrays.findVirtual(arrayClass, "release", MethodType.methodType(void.class))
                    .asType(MethodType.methodType(void.class, Object.class));
            sendmmsg = natives.findStatic(nativeClass, "sendmmsg0", MethodType.methodType(int.class, int.class,
                    boolean.class, packetArrayType, int.class, int.class))
                    .asType(MethodType.methodType(int.class, int.class, boolean.class, Object[].class, int.class,
                            int.class));
            recvmsg = natives.findStatic(nativeClass, "recvmsg0", MethodType.methodType(int.class, int.class,
                    boolean.class, packetClass))
                    .asType(MethodType.methodType(int.class, int.class, boolean.class, Object.class));
            recvmmsg = natives.findStatic(nativeClass, "recvmmsg0", MethodType.methodType(int.class, int.class,
                    boolean.class, packetArrayType, int.class, int.class))
                    .asType(MethodType.methodType(int.class, int.class, boolean.class, Object[].class, int.class,
                            int.class));
            count = packetLookup.findGetter(packetClass, "count", int.class)
                    .asType(MethodType.methodType(int.class, Object.class));
            senderAddr = packetLookup.findGetter(packetClass, "senderAddr", byte[].class)
                    .asType(MethodType.methodType(byte[].class, Object.class));
            senderAddrLen = packetLookup.findGetter(packetClass, "senderAddrLen", int.class)
                    .asType(MethodType.methodType(int.class, Object.class));
            senderPort = packetLookup.findGetter(packetClass, "senderPort", int.class)
                    .asType(MethodType.methodType(int.class, Object.class));
            senderScopeId = packetLookup.findGetter(packetClass, "senderScopeId", int.class)
                    .asType(MethodType.methodType(int.class, Object.class));
            recipientAddr = packetLookup.findGetter(packetClass, "recipientAddr", byte[].class)
                    .asType(MethodType.methodType(byte[].class, Object.class));
            setRecipientAddrLen = packetLookup.findSetter(packetClass, "recipientAddrLen", int.class)
                    .asType(MethodType.methodType(void.class, Object.class, int.class));
            setRecipientPort = packetLookup.findSetter(packetClass, "recipientPort", int.class)
                    .asType(MethodType.methodType(void.class, Object.class, int.class));
            setRecipientScopeId = packetLookup.findSetter(packetClass, "recipientScopeId", int.class)
                    .asType(MethodType.methodType(void.class, Object.class, int.class));
            // One round trip through every handle: a mismatch shows here, not on the first packet.
            Object probe = newArray.invokeExact();
            Object[] probePackets = (Object[]) packets.invokeExact(probe);
            int unused = (int) senderPort.invokeExact(probePackets[0]);
            clear.invokeExact(probe);
            release.invokeExact(probe);
            available = true;
        } catch (Throwable e) {
            LOG.info("Netty's batched datagram calls are not reachable ({}); using the public per-datagram calls",
                    e.toString());
        }
        AVAILABLE = available;
        NEW_ARRAY = newArray;
        ADD = add;
        PACKETS = packets;
        CLEAR = clear;
        RELEASE = release;
        SENDMMSG = sendmmsg;
        RECVMSG = recvmsg;
        RECVMMSG = recvmmsg;
        COUNT = count;
        SENDER_ADDR = senderAddr;
        SENDER_ADDR_LEN = senderAddrLen;
        SENDER_PORT = senderPort;
        SENDER_SCOPE_ID = senderScopeId;
        RECIPIENT_ADDR = recipientAddr;
        SET_RECIPIENT_ADDR_LEN = setRecipientAddrLen;
        SET_RECIPIENT_PORT = setRecipientPort;
        SET_RECIPIENT_SCOPE_ID = setRecipientScopeId;
    }

    private NativeDatagrams() {
    }

    /** One {@link PacketArray} per thread (an event loop), released when the thread ends. */
    static FastThreadLocal<PacketArray> perThread() {
        return new FastThreadLocal<>() {
            @Override
            protected PacketArray initialValue() {
                return new PacketArray();
            }

            @Override
            protected void onRemoval(PacketArray packets) {
                packets.release();
            }
        };
    }

    /**
     * Up to 1024 datagram descriptors and their iovecs in native memory (about 100 KB of heap and 16 KB native):
     * one per event loop and use. Not thread-safe. {@link #release()} frees the native memory.
     */
    static final class PacketArray {
        private final Object array;
        private final Object[] packets;
        private int count;

        PacketArray() {
            if (!AVAILABLE) {
                throw new IllegalStateException("Netty's batched datagram calls are not available");
            }
            try {
                array = NEW_ARRAY.invokeExact();
                packets = (Object[]) PACKETS.invokeExact(array);
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        /** Datagrams added since the last {@link #clear()}. */
        int count() {
            return count;
        }

        /**
         * Adds a datagram of {@code length} bytes at {@code index} of {@code buf} (native memory) to {@code recipient},
         * or with {@code recipient} null, room to receive one. The buffer must stay alive until the call that uses
         * it returns. False when the array is full, and for an empty datagram, which Netty's descriptors cannot
         * carry (send that one with {@code sendto}).
         */
        boolean add(ByteBuf buf, int index, int length, InetSocketAddress recipient) {
            if (length == 0) {
                return false;
            }
            InetAddress address = recipient == null ? null : recipient.getAddress();
            try {
                if (address instanceof Inet4Address v4) {
                    // Netty's own init copies the address out of a new array per datagram; the bits go in directly.
                    if (!(boolean) ADD.invokeExact(array, buf, index, length, 0, (InetSocketAddress) null)) {
                        return false;
                    }
                    Object packet = packets[count];
                    byte[] raw = (byte[]) RECIPIENT_ADDR.invokeExact(packet);
                    int bits = Ip128.v4(v4);
                    Arrays.fill(raw, 0, 10, (byte) 0); // ::ffff:a.b.c.d, the form the native code reads IPv4 from
                    raw[10] = (byte) 0xff;
                    raw[11] = (byte) 0xff;
                    raw[12] = (byte) (bits >>> 24);
                    raw[13] = (byte) (bits >>> 16);
                    raw[14] = (byte) (bits >>> 8);
                    raw[15] = (byte) bits;
                    SET_RECIPIENT_ADDR_LEN.invokeExact(packet, 16);
                    SET_RECIPIENT_SCOPE_ID.invokeExact(packet, 0);
                    SET_RECIPIENT_PORT.invokeExact(packet, recipient.getPort());
                } else if (!(boolean) ADD.invokeExact(array, buf, index, length, 0, recipient)) {
                    return false;
                }
                count++;
                return true;
            } catch (Throwable e) {
                throw rethrow(e);
            }
        }

        void clear() {
            count = 0;
            try {
                CLEAR.invokeExact(array);
            } catch (Throwable e) {
                throw rethrow(e);
            }
        }

        void release() {
            try {
                RELEASE.invokeExact(array);
            } catch (Throwable e) {
                throw rethrow(e);
            }
        }

        /**
         * {@code sendmmsg} of datagrams {@code offset} to {@link #count()} on socket {@code fd}: how many left (the
         * first ones), or a negative errno ({@link #EAGAIN}: the send buffer is full) when the first could not.
         */
        int sendmmsg(int fd, boolean ipv6, int offset) {
            try {
                return (int) SENDMMSG.invokeExact(fd, ipv6, packets, offset, count - offset);
            } catch (Throwable e) {
                throw rethrow(e);
            }
        }

        /**
         * Sends every datagram added with as few {@code sendmmsg} calls as the kernel allows and counts what it
         * refused: EAGAIN (a full send buffer) drops what is left as {@code whenFull}, as the network would, since
         * UDP is not queued in user space; an error of one datagram (EPERM from a firewall, ENETUNREACH, EMSGSIZE
         * with DONT-FRAGMENT) drops that one as {@link DropReason#RELAY_SOCKET_ERROR}, logged at debug with
         * {@code socket}: one recipient says nothing about the others. The array is left as it was (not cleared).
         */
        void sendAll(int fd, boolean ipv6, TraverseMetrics metrics, DropReason whenFull, Object socket) {
            int sent = 0;
            while (sent < count) {
                int result = sendmmsg(fd, ipv6, sent);
                if (result > 0) {
                    sent += result;
                } else if (result == EAGAIN || result == 0) {
                    for (; sent < count; sent++) {
                        metrics.dropped(whenFull);
                    }
                } else {
                    metrics.dropped(DropReason.RELAY_SOCKET_ERROR);
                    LOG.debug("{}: send failed: errno {}", socket, -result);
                    sent++;
                }
            }
        }

        /**
         * {@code recvmsg} into the first datagram's room (added with a null recipient): the bytes received, or a
         * negative errno ({@link #EAGAIN}: nothing to read). The sender is then {@link #senderHi}, {@link #senderLo},
         * {@link #senderPort} without an object, or {@link #sender()}.
         */
        int recvmsg(int fd, boolean ipv6) {
            try {
                return (int) RECVMSG.invokeExact(fd, ipv6, packets[0]);
            } catch (Throwable e) {
                throw rethrow(e);
            }
        }

        /**
         * {@code recvmmsg} into the rooms of datagrams 0 to {@link #count()} (added with a null recipient): how many
         * arrived, or a negative errno ({@link #EAGAIN}: nothing to read). Datagram {@code i}'s length is then
         * {@link #received(int)}, its sender {@link #senderHi(int)}, {@link #senderLo(int)}, {@link #senderPort(int)}
         * or {@link #sender(int)}.
         */
        int recvmmsg(int fd, boolean ipv6) {
            try {
                return (int) RECVMMSG.invokeExact(fd, ipv6, packets, 0, count);
            } catch (Throwable e) {
                throw rethrow(e);
            }
        }

        /** The bytes datagram {@code i} received (after {@link #recvmmsg}). */
        int received(int i) {
            try {
                return (int) COUNT.invokeExact(packets[i]);
            } catch (Throwable e) {
                throw rethrow(e);
            }
        }

        /** The port of the first datagram's sender (after {@link #recvmsg}). */
        int senderPort() {
            return senderPort(0);
        }

        /** The port of datagram {@code i}'s sender. */
        int senderPort(int i) {
            try {
                return (int) SENDER_PORT.invokeExact(packets[i]);
            } catch (Throwable e) {
                throw rethrow(e);
            }
        }

        /** The high 64 bits of the first datagram's sender in {@link Ip128}'s form (IPv4 mapped). */
        long senderHi() {
            return senderHi(0);
        }

        /** The high 64 bits of datagram {@code i}'s sender in {@link Ip128}'s form (IPv4 mapped). */
        long senderHi(int i) {
            try {
                Object packet = packets[i];
                return (int) SENDER_ADDR_LEN.invokeExact(packet) == 16
                        ? Ip128.toLong((byte[]) SENDER_ADDR.invokeExact(packet), 0) : 0;
            } catch (Throwable e) {
                throw rethrow(e);
            }
        }

        /** The low 64 bits of the first datagram's sender in {@link Ip128}'s form (IPv4 mapped). */
        long senderLo() {
            return senderLo(0);
        }

        /** The low 64 bits of datagram {@code i}'s sender in {@link Ip128}'s form (IPv4 mapped). */
        long senderLo(int i) {
            try {
                Object packet = packets[i];
                byte[] address = (byte[]) SENDER_ADDR.invokeExact(packet);
                return (int) SENDER_ADDR_LEN.invokeExact(packet) == 16 ? Ip128.toLong(address, 8)
                        : Ip128.mappedLo(Ip128.toInt(address, 0));
            } catch (Throwable e) {
                throw rethrow(e);
            }
        }

        /** The first datagram's sender, a new object. */
        InetSocketAddress sender() {
            return sender(0);
        }

        /** Datagram {@code i}'s sender, a new object. */
        InetSocketAddress sender(int i) {
            try {
                Object packet = packets[i];
                int length = (int) SENDER_ADDR_LEN.invokeExact(packet);
                byte[] raw = (byte[]) SENDER_ADDR.invokeExact(packet);
                int port = (int) SENDER_PORT.invokeExact(packet);
                int scope = (int) SENDER_SCOPE_ID.invokeExact(packet);
                InetAddress address = length == 16
                        ? Inet6Address.getByAddress(null, Arrays.copyOf(raw, 16), scope)
                        : InetAddress.getByAddress(Arrays.copyOf(raw, 4));
                return new InetSocketAddress(address, port);
            } catch (Throwable e) {
                throw rethrow(e);
            }
        }
    }

    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error error) {
            throw error;
        }
        throw new IllegalStateException(e);
    }
}
