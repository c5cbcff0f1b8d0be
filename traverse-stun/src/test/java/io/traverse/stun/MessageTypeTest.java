package io.traverse.stun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 8489 §5 bit interleaving of method and class. */
class MessageTypeTest {
    static final List<Method> METHODS = List.of(Method.BINDING, Method.ALLOCATE, Method.REFRESH, Method.SEND,
            Method.DATA, Method.CREATE_PERMISSION, Method.CHANNEL_BIND, Method.CONNECT, Method.CONNECTION_BIND,
            Method.CONNECTION_ATTEMPT);

    static Stream<Arguments> knownWireValues() {
        // Values as seen in RFC 5769 / RFC 8656 traffic (and Wireshark's decoder).
        return Stream.of(
                Arguments.of(MessageType.request(Method.BINDING), 0x0001),
                Arguments.of(MessageType.indication(Method.BINDING), 0x0011),
                Arguments.of(MessageType.successResponse(Method.BINDING), 0x0101),
                Arguments.of(MessageType.errorResponse(Method.BINDING), 0x0111),
                Arguments.of(MessageType.request(Method.ALLOCATE), 0x0003),
                Arguments.of(MessageType.successResponse(Method.ALLOCATE), 0x0103),
                Arguments.of(MessageType.errorResponse(Method.ALLOCATE), 0x0113),
                Arguments.of(MessageType.request(Method.REFRESH), 0x0004),
                Arguments.of(MessageType.indication(Method.SEND), 0x0016),
                Arguments.of(MessageType.indication(Method.DATA), 0x0017),
                Arguments.of(MessageType.request(Method.CREATE_PERMISSION), 0x0008),
                Arguments.of(MessageType.successResponse(Method.CHANNEL_BIND), 0x0109),
                Arguments.of(MessageType.request(Method.CONNECT), 0x000A),
                Arguments.of(MessageType.errorResponse(Method.CONNECTION_BIND), 0x011B),
                Arguments.of(MessageType.indication(Method.CONNECTION_ATTEMPT), 0x001C),
                // all 12 method bits and both class bits set
                Arguments.of(new MessageType(Method.valueOf(0xFFF), MessageClass.ERROR_RESPONSE), 0x3FFF),
                Arguments.of(new MessageType(Method.valueOf(0x080), MessageClass.REQUEST), 0x0200));
    }

    @ParameterizedTest
    @MethodSource("knownWireValues")
    void knownValues(MessageType type, int wire) {
        assertEquals(wire, type.toWire());
        assertEquals(type, MessageType.fromWire(wire));
    }

    @Test
    void everyRegisteredMethodTimesEveryClassRoundTrips() {
        for (Method m : METHODS) {
            for (MessageClass c : MessageClass.values()) {
                MessageType t = new MessageType(m, c);
                MessageType back = MessageType.fromWire(t.toWire());
                assertEquals(t, back);
                assertEquals(m.name(), back.method().name());
            }
        }
    }

    @Test
    void all4096MethodsTimesFourClassesAreABijectionOnto14Bits() {
        Set<Integer> seen = new HashSet<>();
        for (int code = 0; code <= Method.MAX_CODE; code++) {
            for (MessageClass c : MessageClass.values()) {
                int wire = new MessageType(Method.valueOf(code), c).toWire();
                assertEquals(0, wire & 0xC000);
                seen.add(wire);
                assertEquals(new MessageType(Method.valueOf(code), c), MessageType.fromWire(wire));
            }
        }
        assertEquals(0x4000, seen.size());
    }

    @Test
    void topBitsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> MessageType.fromWire(0x4001));
        assertThrows(IllegalArgumentException.class, () -> MessageType.fromWire(0x8001));
        assertThrows(IllegalArgumentException.class, () -> MessageType.fromWire(-1));
    }
}
