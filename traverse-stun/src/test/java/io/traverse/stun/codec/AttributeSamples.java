package io.traverse.stun.codec;

import io.traverse.stun.StunAttribute;
import io.traverse.stun.attr.AdditionalAddressFamily;
import io.traverse.stun.attr.AddressErrorCode;
import io.traverse.stun.attr.AlternateDomain;
import io.traverse.stun.attr.AlternateServer;
import io.traverse.stun.attr.ChangeRequest;
import io.traverse.stun.attr.ChannelNumber;
import io.traverse.stun.attr.ConnectionId;
import io.traverse.stun.attr.Data;
import io.traverse.stun.attr.DontFragment;
import io.traverse.stun.attr.ErrorCodeAttribute;
import io.traverse.stun.attr.EvenPort;
import io.traverse.stun.attr.Icmp;
import io.traverse.stun.attr.Lifetime;
import io.traverse.stun.attr.MappedAddress;
import io.traverse.stun.attr.Nonce;
import io.traverse.stun.attr.OtherAddress;
import io.traverse.stun.attr.Padding;
import io.traverse.stun.attr.PasswordAlgorithm;
import io.traverse.stun.attr.PasswordAlgorithms;
import io.traverse.stun.attr.Realm;
import io.traverse.stun.attr.RequestedAddressFamily;
import io.traverse.stun.attr.RequestedTransport;
import io.traverse.stun.attr.ReservationToken;
import io.traverse.stun.attr.ResponseOrigin;
import io.traverse.stun.attr.ResponsePort;
import io.traverse.stun.attr.Software;
import io.traverse.stun.attr.UnknownAttribute;
import io.traverse.stun.attr.UnknownAttributes;
import io.traverse.stun.attr.UserHash;
import io.traverse.stun.attr.Username;
import io.traverse.stun.attr.XorMappedAddress;
import io.traverse.stun.attr.XorPeerAddress;
import io.traverse.stun.attr.XorRelayedAddress;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One or more sample values of every attribute record the codec knows (MESSAGE-INTEGRITY,
 * MESSAGE-INTEGRITY-SHA256 and FINGERPRINT excepted: the encoder computes those), with IPv4 and IPv6
 * variants of each address attribute and boundary values.
 */
final class AttributeSamples {
    private AttributeSamples() {
    }

    static List<InetSocketAddress> addresses() {
        try {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            mapped[12] = (byte) 192;
            mapped[15] = 7;
            return List.of(
                    new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853),
                    new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0),
                    new InetSocketAddress(InetAddress.getByName("255.255.255.255"), 65535),
                    new InetSocketAddress(InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853),
                    new InetSocketAddress(InetAddress.getByName("::"), 1),
                    new InetSocketAddress(InetAddress.getByName("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 65535),
                    // IPv4-mapped IPv6 must stay IPv6 (family 0x02) across a round trip
                    new InetSocketAddress(Inet6Address.getByAddress(null, mapped, -1), 3478));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static List<StunAttribute> all() {
        List<StunAttribute> out = new ArrayList<>();
        List<Function<InetSocketAddress, StunAttribute>> kinds = List.of(MappedAddress::new, XorMappedAddress::new,
                XorPeerAddress::new, XorRelayedAddress::new, AlternateServer::new, ResponseOrigin::new, OtherAddress::new);
        for (Function<InetSocketAddress, StunAttribute> kind : kinds) {
            for (InetSocketAddress a : addresses()) {
                out.add(kind.apply(a));
            }
        }
        out.add(new Username("evtj:h6vY"));
        out.add(new Username("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9"));
        out.add(new Username(""));
        out.add(new Username("u".repeat(508)));
        byte[] hash = new byte[32];
        for (int i = 0; i < 32; i++) {
            hash[i] = (byte) (i * 7);
        }
        out.add(new UserHash(hash));
        out.add(new ErrorCodeAttribute(300, "Try Alternate"));
        out.add(new ErrorCodeAttribute(699, ""));
        out.add(new ErrorCodeAttribute(401, "\u00e9".repeat(127)));
        out.add(new Realm("example.org"));
        out.add(new Realm("\uD83D\uDE00".repeat(127)));
        out.add(new Nonce("obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA"));
        out.add(new PasswordAlgorithms(List.of(PasswordAlgorithm.sha256(), PasswordAlgorithm.md5())));
        out.add(new PasswordAlgorithms(List.of(new PasswordAlgorithm(9, new byte[] {1, 2, 3}), PasswordAlgorithm.md5())));
        out.add(new PasswordAlgorithms(List.of()));
        out.add(PasswordAlgorithm.md5());
        out.add(new PasswordAlgorithm(0xFFFF, new byte[] {1, 2, 3, 4, 5}));
        out.add(new UnknownAttributes(List.of(0x0024, 0x7FFF, 0x0003)));
        out.add(new UnknownAttributes(List.of(0x0024, 0x7FFF)));
        out.add(new Software("Traverse 0.1"));
        out.add(new AlternateDomain("turn.example.org"));
        out.add(new ChannelNumber(0x4000));
        out.add(new ChannelNumber(0xFFFF));
        out.add(new Lifetime(600));
        out.add(new Lifetime(0xFFFF_FFFFL));
        out.add(new Data(new byte[0]));
        out.add(new Data(new byte[] {1, 2, 3, 4, 5}));
        out.add(new Data(new byte[1200]));
        out.add(new RequestedAddressFamily(RequestedAddressFamily.IPV4));
        out.add(new RequestedAddressFamily(RequestedAddressFamily.IPV6));
        out.add(new EvenPort(true));
        out.add(new EvenPort(false));
        out.add(new RequestedTransport(RequestedTransport.UDP));
        out.add(new RequestedTransport(RequestedTransport.TCP));
        out.add(new DontFragment());
        out.add(new ReservationToken(0x0123_4567_89AB_CDEFL));
        out.add(new ReservationToken(-1L));
        out.add(new AdditionalAddressFamily(2));
        out.add(new AddressErrorCode(2, 440, "Address Family not Supported"));
        out.add(new AddressErrorCode(1, 508, ""));
        out.add(new Icmp(3, 4, 1400));
        out.add(new Icmp(255, 255, -1));
        out.add(new ConnectionId(0x12345678));
        out.add(new ConnectionId(-1));
        out.add(new ChangeRequest(true, false));
        out.add(new ChangeRequest(false, true));
        out.add(new ChangeRequest(true, true));
        out.add(new ChangeRequest(false, false));
        out.add(new Padding(0));
        out.add(new Padding(13));
        out.add(new ResponsePort(3479));
        out.add(new UnknownAttribute(0x0024, new byte[] {0x6e, 0, 1, (byte) 0xff}));
        out.add(new UnknownAttribute(0x7ABC, new byte[] {1, 2, 3}));
        out.add(new UnknownAttribute(0xC001, new byte[0]));
        return out;
    }
}
