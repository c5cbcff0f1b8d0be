package io.traverse.server;

import io.traverse.metrics.TraverseMetrics;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.ErrorCodeAttribute;
import io.traverse.stun.attr.Software;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.Integrity;
import io.traverse.stun.codec.StunEncoder;

/**
 * Writes responses: SOFTWARE when configured, and then only on integrity-protected responses (never on a Binding
 * response, a 401, 420 or 400 sent before authentication: those answer possibly spoofed requests and must stay
 * small, see docs/security.md), the integrity the request was authenticated with, and FINGERPRINT when the
 * request carried one (RFC 8489 §7.3).
 */
final class StunResponder implements Responder {
    private final TraverseMetrics metrics;
    private final Software software;

    StunResponder(TraverseMetrics metrics, String software) {
        this.metrics = metrics;
        this.software = software == null || software.isEmpty() ? null : new Software(software);
    }

    @Override
    public byte[] encode(DecodedMessage request, StunMessage.Builder response, Integrity integrity) {
        StunMessage draft = response.build();
        int code = draft.attribute(ErrorCodeAttribute.class).map(ErrorCodeAttribute::code).orElse(200);
        if (software != null && integrity.kind() != Integrity.Kind.NONE) {
            response.add(software);
        }
        byte[] encoded = StunEncoder.encode(response.build(), integrity, request.hasFingerprint());
        metrics.request(request.message().type().method().name(), code);
        return encoded;
    }
}
