package io.traverse.stun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.stun.attr.ErrorCodeAttribute;
import io.traverse.stun.attr.Nonce;
import io.traverse.stun.attr.Realm;
import io.traverse.stun.attr.UnknownAttribute;
import io.traverse.stun.attr.XorPeerAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class StunMessageTest {
    private final TransactionId tid = TransactionId.random();

    @Test
    void lookupsByClassAndType() {
        XorPeerAddress p1 = new XorPeerAddress(new InetSocketAddress("192.0.2.10", 1000));
        XorPeerAddress p2 = new XorPeerAddress(new InetSocketAddress("2001:db8::1", 2000));
        StunMessage m = StunMessage.builder(MessageType.request(Method.CREATE_PERMISSION), tid)
                .add(p1).add(new Realm("r")).add(p2).build();
        assertEquals(p1, m.attribute(XorPeerAddress.class).orElseThrow());
        assertEquals(List.of(p1, p2), m.attributes(XorPeerAddress.class));
        assertTrue(m.has(AttributeType.REALM));
        assertFalse(m.has(AttributeType.NONCE));
        assertTrue(m.attribute(Nonce.class).isEmpty());
        assertEquals(new Realm("r"), m.attribute(AttributeType.REALM).orElseThrow());
        assertThrows(UnsupportedOperationException.class, () -> m.attributes().add(new Realm("x")));
        assertEquals(m, m.toBuilder().build());
    }

    @Test
    void responsesCopyMethodAndTransactionId() {
        StunMessage req = StunMessage.builder(MessageType.request(Method.ALLOCATE), tid).build();
        StunMessage ok = StunMessage.successResponseTo(req).build();
        assertEquals(MessageType.successResponse(Method.ALLOCATE), ok.type());
        assertEquals(tid, ok.transactionId());

        StunMessage err = StunMessage.errorResponseTo(req, ErrorCode.ALLOCATION_QUOTA_REACHED).build();
        assertEquals(MessageType.errorResponse(Method.ALLOCATE), err.type());
        assertEquals(tid, err.transactionId());
        ErrorCodeAttribute ec = err.attribute(ErrorCodeAttribute.class).orElseThrow();
        assertEquals(486, ec.code());
        assertEquals("Allocation Quota Reached", ec.reason());
        assertEquals(ErrorCode.ALLOCATION_QUOTA_REACHED, ec.errorCode());

        StunMessage ind = StunMessage.builder(MessageType.indication(Method.SEND), tid).build();
        assertThrows(IllegalArgumentException.class, () -> StunMessage.successResponseTo(ind));
    }

    @Test
    void unknownComprehensionRequiredListsOnlyRequiredUnknownsOnce() {
        StunMessage m = StunMessage.builder(MessageType.request(Method.BINDING), tid)
                .add(new UnknownAttribute(0x7001, new byte[0]))
                .add(new UnknownAttribute(0x8001 + 0x100, new byte[0]))
                .add(new UnknownAttribute(0x7001, new byte[4]))
                .add(new UnknownAttribute(0x0024, new byte[4]))
                .build();
        assertEquals(List.of(0x7001, 0x0024), m.unknownComprehensionRequired());
    }
}
