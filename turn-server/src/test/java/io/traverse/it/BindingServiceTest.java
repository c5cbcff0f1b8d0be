package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.stun.ErrorCode;
import io.traverse.stun.MessageClass;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.ErrorCodeAttribute;
import io.traverse.stun.attr.MappedAddress;
import io.traverse.stun.attr.Software;
import io.traverse.stun.attr.UnknownAttribute;
import io.traverse.stun.attr.UnknownAttributes;
import io.traverse.stun.attr.XorMappedAddress;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.Integrity;
import io.traverse.stun.codec.StunDecoder;
import io.traverse.stun.codec.StunEncoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The real server on loopback answers Binding over UDP and TCP, IPv4 and IPv6 (RFC 8489 §6.3). */
class BindingServiceTest {
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start("server:\n  software: \"Traverse test\"\n", Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Arguments> transports() {
        return Stream.of(
                Arguments.of("udp4"), Arguments.of("udp6"), Arguments.of("tcp4"), Arguments.of("tcp6"));
    }

    private static StunTestClient client(String transport) throws IOException {
        switch (transport) {
            case "udp4": return StunTestClient.udp(server.udp4());
            case "udp6": return StunTestClient.udp(server.udp6());
            case "tcp4": return StunTestClient.tcp(server.tcp4());
            case "tcp6": return StunTestClient.tcp(server.tcp6());
            default: throw new IllegalArgumentException(transport);
        }
    }

    private static StunMessage bindingRequest() {
        return StunMessage.builder(MessageType.request(Method.BINDING), TransactionId.random()).build();
    }

    @ParameterizedTest
    @MethodSource("transports")
    void bindingReportsReflexiveAddress(String transport) throws Exception {
        try (StunTestClient client = client(transport)) {
            StunMessage request = bindingRequest();
            DecodedMessage decoded;
            client.sendRaw(StunEncoder.encode(request));
            byte[] raw = client.receiveRaw();
            decoded = StunDecoder.decode(raw);
            StunMessage response = decoded.message();
            assertEquals(MessageType.successResponse(Method.BINDING), response.type());
            assertEquals(request.transactionId(), response.transactionId());
            InetSocketAddress expected = client.localAddress();
            assertEquals(expected, response.attribute(XorMappedAddress.class).orElseThrow().address());
            // RFC 3489's MAPPED-ADDRESS only bloats the answer to a cookie-carrying request (amplification).
            assertTrue(response.attribute(MappedAddress.class).isEmpty(), "no MAPPED-ADDRESS");
            // SOFTWARE goes only into integrity-protected responses: an unauthenticated answer stays small.
            assertTrue(response.attribute(Software.class).isEmpty(), "no SOFTWARE before authentication");
            assertEquals(20 + 12 + (expected.getAddress() instanceof java.net.Inet6Address ? 12 : 0),
                    raw.length, "Binding response size (docs/security.md)");
            assertFalse(decoded.hasFingerprint(), "no FINGERPRINT unless the request had one");
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void fingerprintEchoedWhenRequestHasOne(String transport) throws Exception {
        try (StunTestClient client = client(transport)) {
            client.sendRaw(StunEncoder.encode(bindingRequest(), Integrity.none(), true));
            DecodedMessage decoded = client.receive();
            assertTrue(decoded.hasFingerprint());
            assertTrue(decoded.fingerprintValid());
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void unknownComprehensionRequiredAttributeGets420(String transport) throws Exception {
        try (StunTestClient client = client(transport)) {
            StunMessage request = StunMessage.builder(MessageType.request(Method.BINDING), TransactionId.random())
                    .add(new UnknownAttribute(0x7F01, new byte[] {1, 2, 3, 4}))
                    .add(new UnknownAttribute(0xC001, new byte[] {5})) // comprehension-optional: ignored
                    .build();
            StunMessage response = client.exchange(StunEncoder.encode(request));
            assertEquals(MessageClass.ERROR_RESPONSE, response.type().messageClass());
            assertEquals(ErrorCode.UNKNOWN_ATTRIBUTE.code(),
                    response.attribute(ErrorCodeAttribute.class).orElseThrow().code());
            assertEquals(List.of(0x7F01), response.attribute(UnknownAttributes.class).orElseThrow().types());
        }
    }

    @Test
    void unknownMethodRequestGets400() throws Exception {
        try (StunTestClient client = client("udp4")) {
            StunMessage request = StunMessage.builder(
                    MessageType.request(Method.valueOf(0x050)), TransactionId.random()).build();
            StunMessage response = client.exchange(StunEncoder.encode(request));
            assertEquals(400, response.attribute(ErrorCodeAttribute.class).orElseThrow().code());
        }
    }

    @Test
    void malformedDatagramsAreDroppedSilentlyAndCounted() throws Exception {
        double before = server.metrics().droppedCount(DropReason.MALFORMED);
        try (StunTestClient client = client("udp4")) {
            byte[] valid = StunEncoder.encode(bindingRequest());
            byte[] badCookie = valid.clone();
            badCookie[4] ^= 0x01;
            byte[] badLength = valid.clone();
            badLength[3] = 8; // claims attributes that are not there
            client.sendRaw(badCookie);
            client.sendRaw(badLength);
            assertThrows(SocketTimeoutException.class, client::receive, "malformed input gets no answer");
            // and the listener is still healthy
            StunMessage ok = client.exchange(StunEncoder.encode(bindingRequest()));
            assertEquals(MessageClass.SUCCESS_RESPONSE, ok.type().messageClass());
        }
        assertTrue(server.metrics().droppedCount(DropReason.MALFORMED) >= before + 1,
                "malformed packets are counted");
    }

    @Test
    void indicationWithUnknownRequiredAttributeIsDropped() throws Exception {
        double before = server.metrics().droppedCount(DropReason.UNKNOWN_REQUIRED_ATTRIBUTE);
        try (StunTestClient client = client("udp4")) {
            StunMessage indication = StunMessage.builder(MessageType.indication(Method.BINDING),
                    TransactionId.random()).add(new UnknownAttribute(0x7F02, new byte[4])).build();
            client.sendRaw(StunEncoder.encode(indication));
            StunMessage ok = client.exchange(StunEncoder.encode(bindingRequest()));
            assertEquals(MessageClass.SUCCESS_RESPONSE, ok.type().messageClass());
        }
        assertEquals(before + 1, server.metrics().droppedCount(DropReason.UNKNOWN_REQUIRED_ATTRIBUTE));
    }

    @Test
    void tcpFramingHandlesSeveralMessagesPerSegmentAndPartialReads() throws Exception {
        try (StunTestClient client = client("tcp4")) {
            StunMessage a = bindingRequest();
            StunMessage b = bindingRequest();
            StunMessage c = bindingRequest();
            byte[] ea = StunEncoder.encode(a);
            byte[] eb = StunEncoder.encode(b);
            byte[] ec = StunEncoder.encode(c);
            byte[] all = new byte[ea.length + eb.length + ec.length];
            System.arraycopy(ea, 0, all, 0, ea.length);
            System.arraycopy(eb, 0, all, ea.length, eb.length);
            System.arraycopy(ec, 0, all, ea.length + eb.length, ec.length);
            // a and b in one write, c split in three writes with pauses
            int split = ea.length + eb.length;
            client.sendRaw(Arrays.copyOfRange(all, 0, split + 3));
            Thread.sleep(50);
            client.sendRaw(Arrays.copyOfRange(all, split + 3, split + 11));
            Thread.sleep(50);
            client.sendRaw(Arrays.copyOfRange(all, split + 11, all.length));
            assertEquals(a.transactionId(), client.receive().message().transactionId());
            assertEquals(b.transactionId(), client.receive().message().transactionId());
            assertEquals(c.transactionId(), client.receive().message().transactionId());
        }
    }

    @Test
    void softwareCanBeTurnedOff() throws Exception {
        try (TestServer quiet = TestServer.start("server:\n  software: \"\"\n", Map.of());
             StunTestClient client = StunTestClient.udp(quiet.udp4())) {
            StunMessage response = client.exchange(StunEncoder.encode(bindingRequest()));
            assertEquals(MessageClass.SUCCESS_RESPONSE, response.type().messageClass());
            assertTrue(response.attribute(Software.class).isEmpty());
        }
    }
}
