import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * STUN/TURN load generator for scripts/bench.sh, JDK only (run as {@code java scripts/bench/StunLoad.java}).
 *
 * <pre>
 * binding HOST PORT SOCKETS IN_FLIGHT SECONDS [WARMUP_SECONDS]
 *     Binding requests (RFC 8489) from SOCKETS sockets, each keeping IN_FLIGHT outstanding; prints
 *     "binding <responses/s> <responses> <seconds>". A request unanswered for 1 s is sent again (counted lost).
 * allocate HOST PORT SECRET SECONDS [WARMUP_SECONDS]
 *     Serial allocations, each from a new socket, as a browser does them: Allocate without credentials (401 with a
 *     nonce), Allocate with TURN REST credentials (RFC 8656 §7.2, long-term key, MESSAGE-INTEGRITY), then
 *     Refresh with LIFETIME 0 to delete it; prints "allocate <allocations/s> <allocations> <seconds> <allocations
 *     including the warm-up> errors <failed cycles> <request:outcome=count,...>" (outcome: the error code, or
 *     timeout after 1 s without an answer).
 * hold HOST PORT SECRET COUNT SECONDS
 *     COUNT allocations as above, each from its own socket, kept idle: prints "held <allocations> <errors>" once
 *     they exist, waits SECONDS, then deletes them (Refresh LIFETIME 0) and prints "released <allocations>". For
 *     measuring the server's memory per idle allocation (scripts/bench/footprint.sh).
 * </pre>
 *
 * <p>{@code -Dstunload.from=ADDRESS} binds the allocate and hold sockets to that local address (default: the server's
 * address). scripts/bench.sh uses 127.0.0.2: the relay loads before it leave allocations of uclient's clients on
 * 127.0.0.1 (uclient does not delete them), and a new socket that the kernel gives the port of one of them gets
 * 437 Allocation Mismatch instead of an allocation (RFC 8656 §7.2): hundreds of failed cycles per run, more
 * against coturn than against Traverse, which measured the leftovers, not the servers.
 *
 * <p>{@code -Dstunload.spin=true}: an allocating client polls its non-blocking socket for each response instead of
 * sleeping in {@code poll} until it arrives. A serial allocation is three round trips, and on a virtual machine
 * putting the generator's thread to sleep and waking it costs tens of microseconds per response, the same for
 * every server: it set the pace and compressed the servers' difference (against one server, 5 s runs: 3,101 and
 * 4,151/s sleeping, 6,031 and 5,746/s polling; coturn 4.17.1 3,087 and 2,829 against 2,915 and 3,009/s). The poll
 * takes one core for the generator; the server's loop serving the client runs on the other. scripts/bench.sh
 * uses it for the allocation rate.
 *
 * <p>WARMUP_SECONDS (default 0) of the same load run first and are not counted: this generator is a JVM too, and in
 * its first seconds its own JIT compiler, not the server, sets the pace (allocate, 5 s runs back to back against
 * one server: 1,003, 1,851, 2,407/s against Traverse; 1,087, 1,955, 2,067/s against coturn).
 */
public final class StunLoad {
    private static final int COOKIE = 0x2112A442;
    /** The local address of allocating sockets; null: the server's address. */
    private static final String FROM = System.getProperty("stunload.from");

    /**
     * With {@code -Dstunload.spin=true} an allocating client waits for each response by polling its non-blocking socket
     * instead of sleeping in the kernel (see the class comment).
     */
    private static final boolean SPIN = Boolean.getBoolean("stunload.spin");

    /**
     * A new socket for one client, bound to an ephemeral port of {@link #FROM} (or the server's address) and
     * connected to the server: non-blocking with {@link #SPIN}, otherwise blocking with a 1 s receive timeout.
     */
    private static DatagramChannel clientSocket(InetSocketAddress server) throws Exception {
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.bind(new InetSocketAddress(FROM != null ? java.net.InetAddress.getByName(FROM) : server.getAddress(), 0));
            ch.connect(server);
            if (SPIN) {
                ch.configureBlocking(false);
            } else {
                ch.socket().setSoTimeout(1000);
            }
            return ch;
        } catch (Exception e) {
            ch.close();
            throw e;
        }
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress server = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        switch (args[0]) {
            case "binding":
                binding(server, Integer.parseInt(args[3]), Integer.parseInt(args[4]), Double.parseDouble(args[5]),
                        warmup(args, 6));
                break;
            case "allocate":
                allocate(server, args[3], Double.parseDouble(args[4]), warmup(args, 5));
                break;
            case "hold":
                hold(server, args[3], Integer.parseInt(args[4]), Double.parseDouble(args[5]));
                break;
            default:
                throw new IllegalArgumentException("binding or allocate");
        }
    }

    /** The optional WARMUP_SECONDS argument at {@code index}, in nanoseconds (0 when absent). */
    private static long warmup(String[] args, int index) {
        return args.length > index ? (long) (Double.parseDouble(args[index]) * 1e9) : 0;
    }

    private static void binding(InetSocketAddress server, int sockets, int inFlight, double seconds, long warmup)
            throws Exception {
        Selector selector = Selector.open();
        ByteBuffer request = ByteBuffer.allocate(20);
        ByteBuffer in = ByteBuffer.allocate(2048);
        long[] lastReply = new long[sockets];
        DatagramChannel[] channels = new DatagramChannel[sockets];
        for (int i = 0; i < sockets; i++) {
            channels[i] = DatagramChannel.open();
            channels[i].bind(new InetSocketAddress(server.getAddress(), 0));
            channels[i].connect(server);
            channels[i].configureBlocking(false);
            channels[i].register(selector, SelectionKey.OP_READ, i);
            for (int k = 0; k < inFlight; k++) {
                sendBinding(channels[i], request);
            }
            lastReply[i] = System.nanoTime();
        }
        long start = System.nanoTime() + warmup;
        long end = start + (long) (seconds * 1e9);
        long responses = 0;
        long resent = 0;
        boolean counting = warmup == 0;
        while (System.nanoTime() < end) {
            if (!counting && System.nanoTime() >= start) {
                counting = true;
                responses = 0;
                resent = 0;
            }
            selector.select(100);
            for (SelectionKey key : selector.selectedKeys()) {
                DatagramChannel ch = (DatagramChannel) key.channel();
                int i = (Integer) key.attachment();
                while (true) {
                    in.clear();
                    if (ch.receive(in) == null) {
                        break;
                    }
                    responses++;
                    lastReply[i] = System.nanoTime();
                    sendBinding(ch, request);
                }
            }
            selector.selectedKeys().clear();
            long now = System.nanoTime();
            for (int i = 0; i < sockets; i++) {
                if (now - lastReply[i] > 1_000_000_000L) { // the window was lost: refill it
                    for (int k = 0; k < inFlight; k++) {
                        sendBinding(channels[i], request);
                    }
                    resent += inFlight;
                    lastReply[i] = now;
                }
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf("binding %.0f %d %.2f resent %d%n", responses / elapsed, responses, elapsed, resent);
    }

    private static void sendBinding(DatagramChannel ch, ByteBuffer b) throws Exception {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        b.clear();
        b.putShort((short) 0x0001).putShort((short) 0).putInt(COOKIE).putLong(r.nextLong()).putInt(r.nextInt());
        b.flip();
        ch.write(b);
    }

    /** A TURN REST username valid for a day and its password (the HMAC of the name under the shared secret). */
    private static String[] restCredentials(String secret) throws Exception {
        String username = (System.currentTimeMillis() / 1000 + 86400) + ":bench";
        Mac hmac = Mac.getInstance("HmacSHA1");
        hmac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return new String[] {username,
            Base64.getEncoder().encodeToString(hmac.doFinal(username.getBytes(StandardCharsets.UTF_8)))};
    }

    /** An authenticated allocation on {@code ch}: its long-term key and realm/nonce, or null after an error. */
    private static Object[] allocateOn(DatagramChannel ch, String username, String password) throws Exception {
        // 1. Allocate without credentials: 401 with REALM and NONCE.
        byte[][] realmNonce = new byte[2][];
        Msg r1 = exchange(ch, new Msg(0x0003).requestedTransport());
        if (r1 == null || r1.type != 0x0113) {
            return failed("first Allocate", r1);
        }
        realmNonce[0] = r1.attr(0x0014);
        realmNonce[1] = r1.attr(0x0015);
        byte[] key = MessageDigest.getInstance("MD5").digest((username + ":"
                + new String(realmNonce[0], StandardCharsets.UTF_8) + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
        // 2. Allocate with credentials.
        Msg r2 = exchange(ch, new Msg(0x0003).requestedTransport().auth(username, realmNonce, key));
        if (r2 == null || r2.type != 0x0103) {
            return failed("Allocate", r2);
        }
        return new Object[] {realmNonce, key};
    }

    /** Refresh with LIFETIME 0 deletes the allocation (RFC 8656 §8); false when no success response came. */
    private static boolean delete(DatagramChannel ch, String username, Object[] auth) throws Exception {
        Msg r = exchange(ch, new Msg(0x0004).lifetime(0).auth(username, (byte[][]) auth[0], (byte[]) auth[1]));
        if (r != null && r.type == 0x0104) {
            return true;
        }
        failed("Refresh", r);
        return false;
    }

    /** Failed exchanges by request and outcome ("Allocate 437", "Refresh timeout"), printed with the totals. */
    private static final java.util.Map<String, Integer> FAILURES = new java.util.TreeMap<>();

    /** Counts a failed exchange: no answer within 1 s, or the error code of the answer. Returns null. */
    private static Object[] failed(String request, Msg response) {
        String outcome;
        if (response == null) {
            outcome = "timeout";
        } else {
            byte[] error = response.attr(0x0009);
            outcome = error.length >= 4 ? Integer.toString((error[2] & 0x7) * 100 + (error[3] & 0xff))
                    : String.format("type 0x%04x", response.type);
        }
        FAILURES.merge(request + " " + outcome, 1, Integer::sum);
        return null;
    }

    private static void hold(InetSocketAddress server, String secret, int count, double seconds) throws Exception {
        String[] credentials = restCredentials(secret);
        java.util.List<DatagramChannel> sockets = new java.util.ArrayList<>();
        java.util.List<Object[]> auths = new java.util.ArrayList<>();
        int errors = 0;
        try {
            while (sockets.size() < count && errors < count) {
                DatagramChannel ch = clientSocket(server);
                Object[] auth = allocateOn(ch, credentials[0], credentials[1]);
                if (auth == null) {
                    ch.close();
                    errors++;
                    continue;
                }
                sockets.add(ch);
                auths.add(auth);
            }
            System.out.printf("held %d errors %d%n", sockets.size(), errors);
            System.out.flush();
            Thread.sleep((long) (seconds * 1000));
            int released = 0;
            for (int i = 0; i < sockets.size(); i++) {
                if (delete(sockets.get(i), credentials[0], auths.get(i))) {
                    released++;
                }
            }
            System.out.printf("released %d%n", released);
        } finally {
            for (DatagramChannel ch : sockets) {
                ch.close();
            }
        }
    }

    private static void allocate(InetSocketAddress server, String secret, double seconds, long warmup)
            throws Exception {
        String[] credentials = restCredentials(secret);
        String username = credentials[0];
        long start = System.nanoTime() + warmup;
        long end = start + (long) (seconds * 1e9);
        long done = 0;
        long all = 0;
        long errors = 0;
        boolean counting = warmup == 0;
        while (System.nanoTime() < end) {
            if (!counting && System.nanoTime() >= start) {
                counting = true;
                done = 0;
                errors = 0;
                FAILURES.clear();
            }
            // A new socket (5-tuple) per allocation, as each browser's candidate has its own.
            try (DatagramChannel ch = clientSocket(server)) {
                Object[] auth = allocateOn(ch, username, credentials[1]);
                if (auth == null || !delete(ch, username, auth)) {
                    errors++;
                    continue;
                }
                done++;
                all++;
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf("allocate %.0f %d %.2f %d errors %d %s%n", done / elapsed, done, elapsed, all, errors,
                FAILURES.entrySet().stream().map(e -> e.getKey().replace(' ', ':') + "=" + e.getValue())
                        .collect(java.util.stream.Collectors.joining(",")));
    }

    /** Sends {@code request} and waits up to 1 s for its response (null when none came). */
    private static Msg exchange(DatagramChannel ch, Msg request) throws Exception {
        byte[] out = request.encode();
        byte[] in = new byte[2048];
        long deadline = System.nanoTime() + 1_000_000_000L;
        if (!ch.isBlocking()) {
            ch.write(ByteBuffer.wrap(out));
        } else {
            ch.socket().send(new DatagramPacket(out, out.length));
        }
        while (true) {
            int length;
            if (!ch.isBlocking()) {
                length = ch.read(ByteBuffer.wrap(in));
                if (length <= 0) {
                    if (System.nanoTime() - deadline > 0) {
                        return null;
                    }
                    Thread.onSpinWait();
                    continue;
                }
            } else {
                DatagramPacket p = new DatagramPacket(in, in.length);
                try {
                    ch.socket().receive(p);
                } catch (SocketTimeoutException e) {
                    return null;
                }
                length = p.getLength();
            }
            ByteBuffer b = ByteBuffer.wrap(in, 0, length);
            if (length >= 20 && b.getInt(8) == request.tid0 && b.getLong(12) == request.tid1) {
                return Msg.decode(in, length);
            }
        }
    }

    /** A STUN message being built or decoded (only what this tool needs). */
    private static final class Msg {
        final int type;
        final int tid0;
        final long tid1;
        private final ByteBuffer attrs = ByteBuffer.allocate(1024);
        private byte[] raw;
        private int rawLength;
        private byte[] key;

        Msg(int type) {
            this(type, ThreadLocalRandom.current().nextInt(), ThreadLocalRandom.current().nextLong());
        }

        private Msg(int type, int tid0, long tid1) {
            this.type = type;
            this.tid0 = tid0;
            this.tid1 = tid1;
        }

        Msg requestedTransport() {
            return attr(0x0019, new byte[] {17, 0, 0, 0});
        }

        Msg lifetime(int seconds) {
            return attr(0x000D, ByteBuffer.allocate(4).putInt(seconds).array());
        }

        Msg auth(String username, byte[][] realmNonce, byte[] key) {
            attr(0x0006, username.getBytes(StandardCharsets.UTF_8));
            attr(0x0014, realmNonce[0]);
            attr(0x0015, realmNonce[1]);
            this.key = key;
            return this;
        }

        Msg attr(int t, byte[] v) {
            attrs.putShort((short) t).putShort((short) v.length).put(v);
            while (attrs.position() % 4 != 0) {
                attrs.put((byte) 0);
            }
            return this;
        }

        byte[] encode() throws Exception {
            int body = attrs.position() + (key != null ? 24 : 0);
            ByteBuffer b = ByteBuffer.allocate(20 + body);
            b.putShort((short) type).putShort((short) body).putInt(COOKIE).putInt(tid0).putLong(tid1);
            b.put(attrs.array(), 0, attrs.position());
            if (key != null) { // RFC 8489 §14.5: HMAC-SHA1 over the message up to MESSAGE-INTEGRITY
                Mac mac = Mac.getInstance("HmacSHA1");
                mac.init(new SecretKeySpec(key, "HmacSHA1"));
                mac.update(b.array(), 0, b.position());
                b.putShort((short) 0x0008).putShort((short) 20).put(mac.doFinal());
            }
            return b.array();
        }

        static Msg decode(byte[] bytes, int n) {
            ByteBuffer b = ByteBuffer.wrap(bytes, 0, n);
            Msg m = new Msg(b.getShort(0) & 0xffff, b.getInt(8), b.getLong(12));
            m.raw = bytes;
            m.rawLength = n;
            return m;
        }

        byte[] attr(int wanted) {
            int i = 20;
            while (i + 4 <= rawLength) {
                int t = ((raw[i] & 0xff) << 8) | (raw[i + 1] & 0xff);
                int len = ((raw[i + 2] & 0xff) << 8) | (raw[i + 3] & 0xff);
                if (t == wanted) {
                    byte[] v = new byte[len];
                    System.arraycopy(raw, i + 4, v, 0, len);
                    return v;
                }
                i += 4 + ((len + 3) & ~3);
            }
            return new byte[0];
        }
    }
}
