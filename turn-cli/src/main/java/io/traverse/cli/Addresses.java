package io.traverse.cli;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.stream.Collectors;

/** Transport addresses as operators write them: {@code 192.0.2.1:3478}, {@code [2001:db8::1]:3478}. */
final class Addresses {
    private Addresses() {}

    static String format(InetSocketAddress a) {
        if (a == null) {
            return "-";
        }
        if (a.isUnresolved()) {
            return a.getHostString() + ":" + a.getPort();
        }
        String host = a.getAddress().getHostAddress();
        int scope = host.indexOf('%');
        if (scope >= 0) {
            host = host.substring(0, scope);
        }
        if (a.getAddress() instanceof Inet6Address) {
            host = "[" + compress(host) + "]";
        }
        return host + ":" + a.getPort();
    }

    /** The IP of a transport address, IPv6 compressed and without brackets. */
    static String ip(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        int scope = host.indexOf('%');
        if (scope >= 0) {
            host = host.substring(0, scope);
        }
        return a.getAddress() instanceof Inet6Address ? compress(host) : host;
    }

    static String format(List<InetSocketAddress> list) {
        return list.stream().map(Addresses::format).collect(Collectors.joining(", "));
    }

    /** The JDK prints 2001:db8:0:0:0:0:0:1; RFC 5952 wants 2001:db8::1 (longest run of zero groups as ::). */
    static String compress(String full) {
        String[] groups = full.split(":", -1);
        if (groups.length != 8) {
            return full;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i].equals("0")) {
                int j = i;
                while (j < 8 && groups[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLength) {
                    bestStart = i;
                    bestLength = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return full;
        }
        String left = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        String right = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLength, 8));
        return left + "::" + right;
    }
}
