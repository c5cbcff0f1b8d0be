package io.traverse.stun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The open-set value classes and the transaction ID. */
class ValueClassesTest {

    @Test
    void methodValueOfReturnsConstantsAndKeepsUnknownCodes() {
        assertSame(Method.ALLOCATE, Method.valueOf(0x003));
        assertEquals("ALLOCATE", Method.ALLOCATE.name());
        assertTrue(Method.CONNECTION_ATTEMPT.isKnown());
        Method odd = Method.valueOf(0x123);
        assertEquals(0x123, odd.code());
        assertEquals("0x123", odd.name());
        assertFalse(odd.isKnown());
        assertEquals(odd, Method.valueOf(0x123));
        assertEquals(odd.hashCode(), Method.valueOf(0x123).hashCode());
        assertNotEquals(odd, Method.BINDING);
        assertThrows(IllegalArgumentException.class, () -> Method.valueOf(0x1000));
        assertThrows(IllegalArgumentException.class, () -> Method.valueOf(-1));
    }

    @Test
    void attributeTypeComprehensionRange() {
        assertTrue(AttributeType.USERNAME.isComprehensionRequired());
        assertTrue(AttributeType.valueOf(0x7FFF).isComprehensionRequired());
        assertFalse(AttributeType.valueOf(0x8000).isComprehensionRequired());
        assertFalse(AttributeType.SOFTWARE.isComprehensionRequired());
        assertSame(AttributeType.XOR_PEER_ADDRESS, AttributeType.valueOf(0x0012));
        assertEquals("XOR-PEER-ADDRESS", AttributeType.XOR_PEER_ADDRESS.name());
        assertEquals("0x7777", AttributeType.valueOf(0x7777).name());
        assertEquals(AttributeType.valueOf(0x7777), AttributeType.valueOf(0x7777));
        assertThrows(IllegalArgumentException.class, () -> AttributeType.valueOf(0x10000));
    }

    @Test
    void attributeTypeConstantsMatchTheIanaRegistry() {
        // Codes from the IANA "STUN Attributes" registry for every attribute the brief lists.
        int[][] expected = {
            {0x0001, 0}, {0x0003, 0}, {0x0006, 0}, {0x0008, 0}, {0x0009, 0}, {0x000A, 0}, {0x000C, 0}, {0x000D, 0},
            {0x0012, 0}, {0x0013, 0}, {0x0014, 0}, {0x0015, 0}, {0x0016, 0}, {0x0017, 0}, {0x0018, 0}, {0x0019, 0},
            {0x001A, 0}, {0x001C, 0}, {0x001D, 0}, {0x001E, 0}, {0x0020, 0}, {0x0022, 0}, {0x0026, 0}, {0x0027, 0},
            {0x002A, 0}, {0x8000, 1}, {0x8001, 1}, {0x8002, 1}, {0x8003, 1}, {0x8004, 1}, {0x8022, 1}, {0x8023, 1},
            {0x8028, 1}, {0x802B, 1}, {0x802C, 1},
        };
        for (int[] e : expected) {
            AttributeType t = AttributeType.valueOf(e[0]);
            assertFalse(t.name().startsWith("0x"), "no constant for " + Integer.toHexString(e[0]));
            assertEquals(e[1] == 0, t.isComprehensionRequired());
        }
        assertEquals("MESSAGE-INTEGRITY-SHA256", AttributeType.valueOf(0x001C).name());
        assertEquals("CONNECTION-ID", AttributeType.valueOf(0x002A).name());
        assertEquals("ICMP", AttributeType.valueOf(0x8004).name());
        Set<Integer> codes = new HashSet<>();
        for (AttributeType t : AttributeType.knownTypes()) {
            assertTrue(codes.add(t.code()), "duplicate code " + t);
        }
    }

    @Test
    void errorCodes() {
        assertSame(ErrorCode.STALE_NONCE, ErrorCode.valueOf(438));
        assertEquals("Stale Nonce", ErrorCode.STALE_NONCE.reason());
        assertEquals(508, ErrorCode.INSUFFICIENT_CAPACITY.code());
        assertEquals(447, ErrorCode.CONNECTION_TIMEOUT_OR_FAILURE.code());
        ErrorCode odd = ErrorCode.valueOf(499);
        assertEquals(499, odd.code());
        assertEquals(odd, ErrorCode.valueOf(499));
        assertThrows(IllegalArgumentException.class, () -> ErrorCode.valueOf(299));
        assertThrows(IllegalArgumentException.class, () -> ErrorCode.valueOf(700));
    }

    @Test
    void transactionIdCopiesAndComparesByContent() {
        byte[] b = new byte[12];
        b[0] = 0x7f;
        b[11] = (byte) 0xab;
        TransactionId id = TransactionId.of(b);
        b[0] = 0;
        assertEquals(0x7f, id.byteAt(0));
        byte[] out = id.toBytes();
        out[11] = 0;
        assertEquals((byte) 0xab, id.byteAt(11));
        assertNotSame(id.toBytes(), id.toBytes());
        assertEquals("7f00000000000000000000ab", id.toString());
        assertEquals(id, TransactionId.of(id.toBytes()));
        assertEquals(id.hashCode(), TransactionId.of(id.toBytes()).hashCode());
        assertThrows(IllegalArgumentException.class, () -> TransactionId.of(new byte[11]));
        assertThrows(IllegalArgumentException.class, () -> TransactionId.of(null));
    }

    @Test
    void randomTransactionIdsDiffer() {
        Set<TransactionId> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(TransactionId.random());
        }
        assertEquals(1000, ids.size());
    }
}
