package io.traverse.stun;

import io.traverse.stun.attr.ErrorCodeAttribute;
import io.traverse.stun.attr.UnknownAttribute;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable STUN message (RFC 8489 §5, §6): type, transaction ID and an ordered list of attributes.
 * The wire format lives in {@code io.traverse.stun.codec}; a decoded message lists
 * MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT among its attributes, but the encoder
 * computes those three itself and ignores any found here.
 */
public final class StunMessage {
    private final MessageType type;
    private final TransactionId transactionId;
    private final List<StunAttribute> attributes;

    private StunMessage(MessageType type, TransactionId transactionId, List<StunAttribute> attributes) {
        this.type = type;
        this.transactionId = transactionId;
        this.attributes = attributes;
    }

    /** A builder for a message of this type and transaction ID. */
    public static Builder builder(MessageType type, TransactionId transactionId) {
        return new Builder(type, transactionId);
    }

    /**
     * A builder for the success response to {@code request} (RFC 8489 §6.3.1.1): same method and
     * transaction ID, class success response, no attributes yet.
     *
     * @throws IllegalArgumentException if {@code request} is not a request
     */
    public static Builder successResponseTo(StunMessage request) {
        requireRequest(request);
        return new Builder(MessageType.successResponse(request.type.method()), request.transactionId);
    }

    /**
     * A builder for the error response to {@code request} (RFC 8489 §6.3.1.1) carrying ERROR-CODE with
     * the code's default reason phrase as its first attribute.
     *
     * @throws IllegalArgumentException if {@code request} is not a request
     */
    public static Builder errorResponseTo(StunMessage request, ErrorCode code) {
        return errorResponseTo(request, code, code.reason());
    }

    /**
     * A builder for the error response to {@code request} carrying ERROR-CODE with this reason phrase.
     *
     * @throws IllegalArgumentException if {@code request} is not a request or the reason is too long
     */
    public static Builder errorResponseTo(StunMessage request, ErrorCode code, String reason) {
        requireRequest(request);
        return new Builder(MessageType.errorResponse(request.type.method()), request.transactionId)
                .add(new ErrorCodeAttribute(code.code(), reason));
    }

    private static void requireRequest(StunMessage request) {
        Objects.requireNonNull(request, "request");
        if (request.type.messageClass() != MessageClass.REQUEST) {
            throw new IllegalArgumentException("not a request: " + request.type);
        }
    }

    /** The message type (method and class). */
    public MessageType type() {
        return type;
    }

    /** The method, shorthand for {@code type().method()}. */
    public Method method() {
        return type.method();
    }

    /** The class, shorthand for {@code type().messageClass()}. */
    public MessageClass messageClass() {
        return type.messageClass();
    }

    /** The transaction ID. */
    public TransactionId transactionId() {
        return transactionId;
    }

    /** All attributes in wire order; unmodifiable. */
    public List<StunAttribute> attributes() {
        return attributes;
    }

    /** The first attribute of this record class, if any. */
    public <T extends StunAttribute> Optional<T> attribute(Class<T> kind) {
        for (StunAttribute a : attributes) {
            if (kind.isInstance(a)) {
                return Optional.of(kind.cast(a));
            }
        }
        return Optional.empty();
    }

    /** The first attribute of this type (typed or {@link UnknownAttribute}), if any. */
    public Optional<StunAttribute> attribute(AttributeType type) {
        for (StunAttribute a : attributes) {
            if (a.type().equals(type)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** Every attribute of this record class, in wire order. */
    public <T extends StunAttribute> List<T> attributes(Class<T> kind) {
        List<T> out = new ArrayList<>(2);
        for (StunAttribute a : attributes) {
            if (kind.isInstance(a)) {
                out.add(kind.cast(a));
            }
        }
        return List.copyOf(out);
    }

    /** True when an attribute of this type is present. */
    public boolean has(AttributeType type) {
        for (StunAttribute a : attributes) {
            if (a.type().equals(type)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The codes of the comprehension-required attributes this codebase does not understand, in wire
     * order without duplicates: what a server puts into UNKNOWN-ATTRIBUTES of a 420 response
     * (RFC 8489 §6.3.1.1). Empty when there are none.
     */
    public List<Integer> unknownComprehensionRequired() {
        List<Integer> out = new ArrayList<>(0);
        for (StunAttribute a : attributes) {
            if (a instanceof UnknownAttribute u && AttributeType.isComprehensionRequired(u.typeCode())
                    && !out.contains(u.typeCode())) {
                out.add(u.typeCode());
            }
        }
        return List.copyOf(out);
    }

    /** A builder that starts with this message's type, transaction ID and attributes. */
    public Builder toBuilder() {
        return new Builder(type, transactionId).addAll(attributes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StunMessage m
                && m.type.equals(type)
                && m.transactionId.equals(transactionId)
                && m.attributes.equals(attributes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, transactionId, attributes);
    }

    @Override
    public String toString() {
        return "StunMessage[" + type + " " + transactionId + " " + attributes + "]";
    }

    /** Collects attributes in order; {@link #build()} may be called more than once. */
    public static final class Builder {
        private final MessageType type;
        private final TransactionId transactionId;
        private final List<StunAttribute> attributes = new ArrayList<>();

        private Builder(MessageType type, TransactionId transactionId) {
            this.type = Objects.requireNonNull(type, "type");
            this.transactionId = Objects.requireNonNull(transactionId, "transactionId");
        }

        /** Appends one attribute. */
        public Builder add(StunAttribute attribute) {
            attributes.add(Objects.requireNonNull(attribute, "attribute"));
            return this;
        }

        /** Appends these attributes in order. */
        public Builder addAll(Collection<? extends StunAttribute> more) {
            for (StunAttribute a : more) {
                add(a);
            }
            return this;
        }

        /** The immutable message. */
        public StunMessage build() {
            return new StunMessage(type, transactionId, List.copyOf(attributes));
        }
    }
}
