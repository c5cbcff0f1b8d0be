package io.traverse.stun.codec;

import static io.traverse.stun.codec.Values.error;
import static io.traverse.stun.codec.Values.requireLength;
import static io.traverse.stun.codec.Values.requireMinLength;

import io.netty.buffer.ByteBuf;
import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.AdditionalAddressFamily;
import io.traverse.stun.attr.AddressAttribute;
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
import io.traverse.stun.attr.Fingerprint;
import io.traverse.stun.attr.Icmp;
import io.traverse.stun.attr.Lifetime;
import io.traverse.stun.attr.MappedAddress;
import io.traverse.stun.attr.MessageIntegrity;
import io.traverse.stun.attr.MessageIntegritySha256;
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
import io.traverse.stun.attr.TextLimits;
import io.traverse.stun.attr.UnknownAttribute;
import io.traverse.stun.attr.UnknownAttributes;
import io.traverse.stun.attr.UserHash;
import io.traverse.stun.attr.Username;
import io.traverse.stun.attr.XorMappedAddress;
import io.traverse.stun.attr.XorPeerAddress;
import io.traverse.stun.attr.XorRelayedAddress;
import io.traverse.stun.codec.StunParseException.Reason;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The table of attribute value codecs: for each known type, how its value is read and written. Decoders
 * see the value's absolute index and unpadded length inside a buffer that is known to hold it; encoders
 * write the unpadded value (the caller writes the attribute header and padding).
 */
final class AttributeCodecs {

    /** Reads one value. */
    @FunctionalInterface
    interface Decoder {
        StunAttribute decode(ByteBuf b, int index, int length, TransactionId tid) throws StunParseException;
    }

    /** Writes one value. */
    @FunctionalInterface
    interface Encoder<T extends StunAttribute> {
        void encode(T attribute, ByteBuf out, TransactionId tid);
    }

    private static final Decoder[] LOW = new Decoder[0x100];
    private static final Decoder[] HIGH = new Decoder[0x100];
    private static final Map<Class<?>, Encoder<?>> ENCODERS = new HashMap<>();

    static {
        // RFC 8489 §14.1, §14.2, §14.15; RFC 8656 §18.3, §18.5; RFC 5780 §7.3, §7.4
        address(AttributeType.MAPPED_ADDRESS, MappedAddress.class, false, MappedAddress::new);
        address(AttributeType.XOR_MAPPED_ADDRESS, XorMappedAddress.class, true, XorMappedAddress::new);
        address(AttributeType.XOR_PEER_ADDRESS, XorPeerAddress.class, true, XorPeerAddress::new);
        address(AttributeType.XOR_RELAYED_ADDRESS, XorRelayedAddress.class, true, XorRelayedAddress::new);
        address(AttributeType.ALTERNATE_SERVER, AlternateServer.class, false, AlternateServer::new);
        address(AttributeType.RESPONSE_ORIGIN, ResponseOrigin.class, false, ResponseOrigin::new);
        address(AttributeType.OTHER_ADDRESS, OtherAddress.class, false, OtherAddress::new);

        // RFC 8489 §14.3, §14.9, §14.10, §14.14, §14.16
        text(AttributeType.USERNAME, Username.class, -1, TextLimits.USERNAME_MAX_BYTES, Username::new, Username::value);
        text(AttributeType.REALM, Realm.class, TextLimits.MAX_CHARS, TextLimits.MAX_BYTES, Realm::new, Realm::value);
        text(AttributeType.NONCE, Nonce.class, TextLimits.MAX_CHARS, TextLimits.MAX_BYTES, Nonce::new, Nonce::value);
        text(AttributeType.SOFTWARE, Software.class, TextLimits.MAX_CHARS, TextLimits.MAX_BYTES,
                Software::new, Software::value);
        text(AttributeType.ALTERNATE_DOMAIN, AlternateDomain.class, -1, TextLimits.DOMAIN_MAX_BYTES,
                AlternateDomain::new, AlternateDomain::value);

        // RFC 8489 §14.4, §14.5, §14.6, §14.7
        register(AttributeType.USERHASH, UserHash.class, (b, i, len, tid) -> {
            requireLength(AttributeType.USERHASH, len, UserHash.LENGTH);
            return new UserHash(bytes(b, i, len));
        }, (a, out, tid) -> out.writeBytes(a.hash()));
        register(AttributeType.MESSAGE_INTEGRITY, MessageIntegrity.class, (b, i, len, tid) -> {
            requireLength(AttributeType.MESSAGE_INTEGRITY, len, MessageIntegrity.LENGTH);
            return new MessageIntegrity(bytes(b, i, len));
        }, (a, out, tid) -> out.writeBytes(a.hmac()));
        register(AttributeType.MESSAGE_INTEGRITY_SHA256, MessageIntegritySha256.class, (b, i, len, tid) -> {
            if (!MessageIntegritySha256.isValidLength(len)) {
                throw error(Reason.BAD_ATTRIBUTE_LENGTH, AttributeType.MESSAGE_INTEGRITY_SHA256,
                        "length " + len + ", expected 16..32 in steps of 4");
            }
            return new MessageIntegritySha256(bytes(b, i, len));
        }, (a, out, tid) -> out.writeBytes(a.hmac()));
        register(AttributeType.FINGERPRINT, Fingerprint.class, (b, i, len, tid) -> {
            requireLength(AttributeType.FINGERPRINT, len, 4);
            return new Fingerprint(b.getInt(i));
        }, (a, out, tid) -> out.writeInt(a.value()));

        // RFC 8489 §14.8, §14.9 (UNKNOWN-ATTRIBUTES), §14.11, §14.12
        register(AttributeType.ERROR_CODE, ErrorCodeAttribute.class, (b, i, len, tid) -> {
            requireMinLength(AttributeType.ERROR_CODE, len, 4);
            int code = Values.readErrorCode(AttributeType.ERROR_CODE, b, i);
            return new ErrorCodeAttribute(code, Values.readReason(AttributeType.ERROR_CODE, b, i + 4, len - 4));
        }, (a, out, tid) -> {
            out.writeShort(0);
            Values.writeClassNumber(a.code(), out);
            Values.writeText(a.reason(), out);
        });
        register(AttributeType.UNKNOWN_ATTRIBUTES, UnknownAttributes.class, (b, i, len, tid) -> {
            if (len % 2 != 0) {
                throw error(Reason.BAD_ATTRIBUTE_LENGTH, AttributeType.UNKNOWN_ATTRIBUTES, "odd length " + len);
            }
            List<Integer> types = new ArrayList<>(len / 2);
            for (int k = 0; k < len; k += 2) {
                types.add(b.getUnsignedShort(i + k));
            }
            return new UnknownAttributes(types);
        }, (a, out, tid) -> {
            for (int t : a.types()) {
                out.writeShort(t);
            }
        });
        register(AttributeType.PASSWORD_ALGORITHMS, PasswordAlgorithms.class, (b, i, len, tid) -> {
            List<PasswordAlgorithm> list = new ArrayList<>(2);
            int pos = 0;
            while (pos < len) {
                int consumed = readPasswordAlgorithm(AttributeType.PASSWORD_ALGORITHMS, b, i + pos, len - pos, list);
                pos += consumed;
            }
            return new PasswordAlgorithms(list);
        }, (a, out, tid) -> {
            for (PasswordAlgorithm p : a.algorithms()) {
                writePasswordAlgorithm(p, out);
            }
        });
        register(AttributeType.PASSWORD_ALGORITHM, PasswordAlgorithm.class, (b, i, len, tid) -> {
            List<PasswordAlgorithm> one = new ArrayList<>(1);
            int consumed = readPasswordAlgorithm(AttributeType.PASSWORD_ALGORITHM, b, i, len, one);
            if (consumed != len) {
                throw error(Reason.BAD_ATTRIBUTE_LENGTH, AttributeType.PASSWORD_ALGORITHM,
                        "length " + len + " holds more than one algorithm");
            }
            return one.get(0);
        }, (a, out, tid) -> writePasswordAlgorithm(a, out));

        // RFC 8656 §18.1, §18.2, §18.4, §18.6–§18.13
        register(AttributeType.CHANNEL_NUMBER, ChannelNumber.class, (b, i, len, tid) -> {
            requireLength(AttributeType.CHANNEL_NUMBER, len, 4);
            return new ChannelNumber(b.getUnsignedShort(i));
        }, (a, out, tid) -> {
            out.writeShort(a.number());
            out.writeShort(0);
        });
        register(AttributeType.LIFETIME, Lifetime.class, (b, i, len, tid) -> {
            requireLength(AttributeType.LIFETIME, len, 4);
            return new Lifetime(b.getUnsignedInt(i));
        }, (a, out, tid) -> out.writeInt((int) a.seconds()));
        register(AttributeType.DATA, Data.class, (b, i, len, tid) -> new Data(bytes(b, i, len)),
                (a, out, tid) -> out.writeBytes(a.asReadOnlyBuffer()));
        register(AttributeType.REQUESTED_ADDRESS_FAMILY, RequestedAddressFamily.class, (b, i, len, tid) -> {
            requireLength(AttributeType.REQUESTED_ADDRESS_FAMILY, len, 4);
            return new RequestedAddressFamily(b.getUnsignedByte(i));
        }, (a, out, tid) -> writeByteAndZeros(a.family(), out));
        register(AttributeType.ADDITIONAL_ADDRESS_FAMILY, AdditionalAddressFamily.class, (b, i, len, tid) -> {
            requireLength(AttributeType.ADDITIONAL_ADDRESS_FAMILY, len, 4);
            return new AdditionalAddressFamily(b.getUnsignedByte(i));
        }, (a, out, tid) -> writeByteAndZeros(a.family(), out));
        register(AttributeType.EVEN_PORT, EvenPort.class, (b, i, len, tid) -> {
            requireLength(AttributeType.EVEN_PORT, len, 1);
            return new EvenPort((b.getUnsignedByte(i) & 0x80) != 0);
        }, (a, out, tid) -> out.writeByte(a.reserveNext() ? 0x80 : 0));
        register(AttributeType.REQUESTED_TRANSPORT, RequestedTransport.class, (b, i, len, tid) -> {
            requireLength(AttributeType.REQUESTED_TRANSPORT, len, 4);
            return new RequestedTransport(b.getUnsignedByte(i));
        }, (a, out, tid) -> writeByteAndZeros(a.protocol(), out));
        register(AttributeType.DONT_FRAGMENT, DontFragment.class, (b, i, len, tid) -> {
            requireLength(AttributeType.DONT_FRAGMENT, len, 0);
            return new DontFragment();
        }, (a, out, tid) -> { });
        register(AttributeType.RESERVATION_TOKEN, ReservationToken.class, (b, i, len, tid) -> {
            requireLength(AttributeType.RESERVATION_TOKEN, len, 8);
            return new ReservationToken(b.getLong(i));
        }, (a, out, tid) -> out.writeLong(a.token()));
        register(AttributeType.ADDRESS_ERROR_CODE, AddressErrorCode.class, (b, i, len, tid) -> {
            requireMinLength(AttributeType.ADDRESS_ERROR_CODE, len, 4);
            int code = Values.readErrorCode(AttributeType.ADDRESS_ERROR_CODE, b, i);
            String reason = Values.readReason(AttributeType.ADDRESS_ERROR_CODE, b, i + 4, len - 4);
            return new AddressErrorCode(b.getUnsignedByte(i), code, reason);
        }, (a, out, tid) -> {
            out.writeByte(a.family());
            out.writeByte(0);
            Values.writeClassNumber(a.code(), out);
            Values.writeText(a.reason(), out);
        });
        register(AttributeType.ICMP, Icmp.class, (b, i, len, tid) -> {
            requireLength(AttributeType.ICMP, len, 8);
            return new Icmp(b.getUnsignedByte(i + 2), b.getUnsignedByte(i + 3), b.getInt(i + 4));
        }, (a, out, tid) -> {
            out.writeShort(0);
            out.writeByte(a.icmpType());
            out.writeByte(a.icmpCode());
            out.writeInt(a.errorData());
        });

        // RFC 6062 §6.2.1
        register(AttributeType.CONNECTION_ID, ConnectionId.class, (b, i, len, tid) -> {
            requireLength(AttributeType.CONNECTION_ID, len, 4);
            return new ConnectionId(b.getInt(i));
        }, (a, out, tid) -> out.writeInt(a.id()));

        // RFC 5780 §7.2, §7.5, §7.6
        register(AttributeType.CHANGE_REQUEST, ChangeRequest.class, (b, i, len, tid) -> {
            requireLength(AttributeType.CHANGE_REQUEST, len, 4);
            int flags = b.getInt(i);
            return new ChangeRequest((flags & ChangeRequest.CHANGE_IP) != 0, (flags & ChangeRequest.CHANGE_PORT) != 0);
        }, (a, out, tid) -> out.writeInt((a.changeIp() ? ChangeRequest.CHANGE_IP : 0)
                | (a.changePort() ? ChangeRequest.CHANGE_PORT : 0)));
        register(AttributeType.RESPONSE_PORT, ResponsePort.class, (b, i, len, tid) -> {
            requireLength(AttributeType.RESPONSE_PORT, len, 4);
            return new ResponsePort(b.getUnsignedShort(i));
        }, (a, out, tid) -> {
            out.writeShort(a.port());
            out.writeShort(0);
        });
        register(AttributeType.PADDING, Padding.class, (b, i, len, tid) -> new Padding(len),
                (a, out, tid) -> out.writeZero(a.length()));

        // Everything else round-trips as raw bytes.
        ENCODERS.put(UnknownAttribute.class, (Encoder<UnknownAttribute>) (a, out, tid) ->
                out.writeBytes(a.asReadOnlyBuffer()));
    }

    private AttributeCodecs() {
    }

    /** The decoder for this type code, or null when the code has no record (→ {@link UnknownAttribute}). */
    static Decoder decoder(int code) {
        if (code < 0x100) {
            return LOW[code];
        }
        if (code >= 0x8000 && code < 0x8100) {
            return HIGH[code - 0x8000];
        }
        return null;
    }

    /**
     * Writes the unpadded value of {@code attribute}.
     *
     * @throws IllegalArgumentException for an attribute class the codec does not know
     */
    @SuppressWarnings("unchecked")
    static void encodeValue(StunAttribute attribute, ByteBuf out, TransactionId tid) {
        Encoder<StunAttribute> encoder = (Encoder<StunAttribute>) ENCODERS.get(attribute.getClass());
        if (encoder == null) {
            throw new IllegalArgumentException("no encoder for " + attribute.getClass().getName()
                    + "; use UnknownAttribute for raw values");
        }
        encoder.encode(attribute, out, tid);
    }

    /** The attribute record classes the codec knows (for tests). */
    static Set<Class<?>> encodableClasses() {
        return Collections.unmodifiableSet(ENCODERS.keySet());
    }

    private static <T extends StunAttribute> void register(AttributeType type, Class<T> kind, Decoder decoder,
            Encoder<T> encoder) {
        int code = type.code();
        if (code < 0x100) {
            LOW[code] = decoder;
        } else {
            HIGH[code - 0x8000] = decoder;
        }
        ENCODERS.put(kind, encoder);
    }

    private static <T extends AddressAttribute> void address(AttributeType type, Class<T> kind, boolean xor,
            Function<InetSocketAddress, T> make) {
        register(type, kind,
                (b, i, len, tid) -> make.apply(Values.readAddress(type, b, i, len, tid, xor)),
                (a, out, tid) -> Values.writeAddress(a.address(), out, tid, xor));
    }

    private static <T extends StunAttribute> void text(AttributeType type, Class<T> kind, int maxChars, int maxBytes,
            Function<String, T> make, Function<T, String> value) {
        register(type, kind,
                (b, i, len, tid) -> make.apply(Values.readText(type, b, i, len, maxChars, maxBytes)),
                (a, out, tid) -> Values.writeText(value.apply(a), out));
    }

    private static byte[] bytes(ByteBuf b, int i, int len) {
        byte[] out = new byte[len];
        b.getBytes(i, out);
        return out;
    }

    private static void writeByteAndZeros(int value, ByteBuf out) {
        out.writeByte(value);
        out.writeByte(0);
        out.writeShort(0);
    }

    /**
     * Reads one algorithm entry (RFC 8489 §14.11, §14.12) from {@code avail} bytes, adds it to {@code out}
     * and returns the bytes consumed: 4 + parameters padded to 4, or everything left when the padding of
     * the last entry is cut short by the end of the value.
     */
    private static int readPasswordAlgorithm(AttributeType type, ByteBuf b, int i, int avail,
            List<PasswordAlgorithm> out) throws StunParseException {
        requireMinLength(type, avail, 4);
        int algorithm = b.getUnsignedShort(i);
        int paramLength = b.getUnsignedShort(i + 2);
        if (4 + paramLength > avail) {
            throw error(Reason.BAD_ATTRIBUTE_LENGTH, type,
                    "parameters of " + paramLength + " bytes overrun the value (" + (avail - 4) + " left)");
        }
        out.add(new PasswordAlgorithm(algorithm, bytes(b, i + 4, paramLength)));
        return Math.min(avail, 4 + StunWire.pad4(paramLength));
    }

    private static void writePasswordAlgorithm(PasswordAlgorithm p, ByteBuf out) {
        out.writeShort(p.algorithm());
        out.writeShort(p.parametersLength());
        out.writeBytes(p.parameters());
        out.writeZero(StunWire.pad4(p.parametersLength()) - p.parametersLength());
    }
}
