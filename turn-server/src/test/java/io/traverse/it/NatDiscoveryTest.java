package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.stun.AttributeType;
import io.traverse.stun.MessageClass;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.ChangeRequest;
import io.traverse.stun.attr.ErrorCodeAttribute;
import io.traverse.stun.attr.OtherAddress;
import io.traverse.stun.attr.Padding;
import io.traverse.stun.attr.ResponseOrigin;
import io.traverse.stun.attr.ResponsePort;
import io.traverse.stun.attr.UnknownAttributes;
import io.traverse.stun.attr.XorMappedAddress;
import io.traverse.stun.codec.StunDecoder;
import io.traverse.stun.codec.StunEncoder;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RFC 5780 NAT behaviour discovery with two addresses (127.0.0.1 + 127.0.0.2), and with one. */
class NatDiscoveryTest {
    private static final Map<String, String> TWO_ADDRESSES = Map.of(
            "listeners", "udp://127.0.0.1:0",
            "nat-discovery.alternate-address", "127.0.0.2");

    @Test
    void coturnNatDiscoveryReportsMappingAndFiltering() throws Exception {
        try (TestServer server = TestServer.start("", TWO_ADDRESSES)) {
            ExternalTool.Result result = ExternalTool.run(Duration.ofSeconds(60), "turnutils_natdiscovery", "-m", "-f",
                    "-p", Integer.toString(server.udp4().getPort()), "127.0.0.1");
            String out = result.output();
            assertEquals(0, result.exitCode(), out);
            assertTrue(out.contains("NAT with Endpoint Independent Mapping"), out);
            assertTrue(out.contains("NAT with Endpoint Independent Filtering"), out);
            assertTrue(out.contains("Other addr: : 127.0.0.2:"), out);
            assertFalse(out.toLowerCase().contains("error"), out);
        }
    }

    /** The alternate address is the server's own: never a peer (docs/security.md). */
    @Test
    void alternateAddressIsOneOfTheServersOwnAddresses() throws Exception {
        try (TestServer server = TestServer.start("", TWO_ADDRESSES)) {
            assertTrue(server.server().peerPolicy().serverAddresses().contains(InetAddress.getByName("127.0.0.2")),
                    () -> server.server().peerPolicy().serverAddresses().toString());
        }
    }

    @Test
    void changeRequestIsAnsweredFromTheOtherAddressAndPort() throws Exception {
        try (TestServer server = TestServer.start("", TWO_ADDRESSES);
             DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(3000);
            InetSocketAddress primary = server.udp4();
            InetSocketAddress expectedOther = new InetSocketAddress(InetAddress.getByName("127.0.0.2"),
                    primary.getPort() + 1);

            Reply plain = exchange(socket, primary, request().build());
            assertEquals(primary, plain.from());
            assertEquals(primary, plain.message().attribute(ResponseOrigin.class).orElseThrow().address());
            assertEquals(expectedOther, plain.message().attribute(OtherAddress.class).orElseThrow().address());
            assertEquals(socket.getLocalSocketAddress(),
                    plain.message().attribute(XorMappedAddress.class).orElseThrow().address());

            Reply both = exchange(socket, primary, request().add(new ChangeRequest(true, true)).build());
            assertEquals(expectedOther, both.from(), "change IP and port");
            assertEquals(expectedOther, both.message().attribute(ResponseOrigin.class).orElseThrow().address());

            Reply port = exchange(socket, primary, request().add(new ChangeRequest(false, true)).build());
            assertEquals(new InetSocketAddress(primary.getAddress(), primary.getPort() + 1), port.from());
        }
    }

    @Test
    void responsePortAndPadding() throws Exception {
        try (TestServer server = TestServer.start("", TWO_ADDRESSES);
             DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             DatagramSocket other = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            other.setSoTimeout(3000);
            byte[] bytes = StunEncoder.encode(request().add(new ResponsePort(other.getLocalPort()))
                    .add(new Padding(64)).build());
            socket.send(new DatagramPacket(bytes, bytes.length, server.udp4()));
            byte[] buf = new byte[2048];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            other.receive(p);
            StunMessage response = StunDecoder.decode(Arrays.copyOf(buf, p.getLength())).message();
            assertEquals(MessageClass.SUCCESS_RESPONSE, response.type().messageClass());
            assertEquals(64, response.attribute(Padding.class).orElseThrow().length());
            assertEquals(socket.getLocalSocketAddress(),
                    response.attribute(XorMappedAddress.class).orElseThrow().address());
        }
    }

    @Test
    void withOneAddressChangeRequestGets420AndNoOtherAddress() throws Exception {
        try (TestServer server = TestServer.start("", Map.of("listeners", "udp://127.0.0.1:0"));
             DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(3000);
            Reply plain = exchange(socket, server.udp4(), request().build());
            assertTrue(plain.message().attribute(OtherAddress.class).isEmpty());
            Reply change = exchange(socket, server.udp4(), request().add(new ChangeRequest(true, false)).build());
            assertEquals(420, change.message().attribute(ErrorCodeAttribute.class).orElseThrow().code());
            assertEquals(List.of(AttributeType.CHANGE_REQUEST.code()),
                    change.message().attribute(UnknownAttributes.class).orElseThrow().types());
            Reply noChange = exchange(socket, server.udp4(), request().add(new ChangeRequest(false, false)).build());
            assertEquals(MessageClass.SUCCESS_RESPONSE, noChange.message().type().messageClass(),
                    "CHANGE-REQUEST without flags asks for nothing the server cannot do");
        }
    }

    private record Reply(StunMessage message, InetSocketAddress from) {}

    private static StunMessage.Builder request() {
        return StunMessage.builder(MessageType.request(Method.BINDING), TransactionId.random());
    }

    private static Reply exchange(DatagramSocket socket, InetSocketAddress to, StunMessage request) throws Exception {
        byte[] bytes = StunEncoder.encode(request);
        socket.send(new DatagramPacket(bytes, bytes.length, to));
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        return new Reply(StunDecoder.decode(Arrays.copyOf(buf, p.getLength())).message(),
                (InetSocketAddress) p.getSocketAddress());
    }
}
