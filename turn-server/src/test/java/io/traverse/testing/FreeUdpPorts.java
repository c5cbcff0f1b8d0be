package io.traverse.testing;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Windows of consecutive UDP ports on loopback for tests that give the server a small relay range.
 *
 * <p>A fixed range is not enough: any port-0 bind on the machine (another test's client, a browser, the load
 * generator) may be handed a port of it by the kernel, and a small range that loses one port no longer behaves as
 * the test expects. So the window lies below the kernel's ephemeral range ({@code net.ipv4.ip_local_port_range}),
 * where the kernel never hands out ports by itself, starts at a random place, and every port of it was bindable
 * when it was chosen.
 */
public final class FreeUdpPorts {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** The lowest port a window may use: clear of the well-known and most registered service ports. */
    private static final int LOWEST = 20000;

    private FreeUdpPorts() {}

    /**
     * The first port of {@code count} consecutive ports, each bindable on loopback now; {@code evenStart} asks for an
     * even first port (an EVEN-PORT pair).
     */
    public static int window(int count, boolean evenStart) {
        int highest = ephemeralLow() - count; // the window's first port at most
        if (highest <= LOWEST) {
            throw new IllegalStateException("no room below the ephemeral port range for " + count + " ports");
        }
        for (int attempt = 0; attempt < 50; attempt++) {
            int start = ThreadLocalRandom.current().nextInt(LOWEST, highest);
            if (evenStart) {
                start &= ~1;
            }
            if (allBindable(start, count)) {
                return start;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free UDP ports on loopback below "
                + ephemeralLow());
    }

    /** The first port of {@code count} consecutive ports, each bindable on loopback now. */
    public static int window(int count) {
        return window(count, false);
    }

    private static boolean allBindable(int start, int count) {
        for (int port = start; port < start + count; port++) {
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, port))) {
                if (!socket.isBound()) {
                    return false;
                }
            } catch (BindException taken) {
                return false;
            } catch (IOException e) {
                throw new IllegalStateException("probing UDP port " + port, e);
            }
        }
        return true;
    }

    /** The low end of the kernel's ephemeral range; Linux's default when it cannot be read. */
    static int ephemeralLow() {
        try {
            // readAllLines, not readString: JDK 17's readString trusts the size procfs reports (0) and reads 1 byte.
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }
}
