package io.traverse.cli;

import io.traverse.client.TurnErrorException;
import io.traverse.client.TurnProtocolException;
import io.traverse.client.TurnTimeoutException;
import io.traverse.stun.attr.UnknownAttributes;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/** Turns what went wrong in a probe step into one line an operator can act on. */
final class ProbeDiagnosis {
    private ProbeDiagnosis() {}

    static String explain(Exception e) {
        if (e instanceof TurnErrorException t) {
            return t.code() + " " + t.reason() + hint(t);
        }
        if (e instanceof TurnTimeoutException) {
            return "timeout: " + e.getMessage();
        }
        if (e instanceof TurnProtocolException) {
            return "protocol error: " + e.getMessage();
        }
        if (e instanceof PortUnreachableException) {
            return "connection refused: ICMP port unreachable (nothing listens on that UDP port)";
        }
        if (e instanceof ConnectException) {
            return "connection refused" + detail(e);
        }
        if (e instanceof NoRouteToHostException) {
            return "no route to host" + detail(e);
        }
        if (e instanceof SocketTimeoutException) {
            return "timeout: no answer while connecting" + detail(e);
        }
        if (e instanceof UnknownHostException) {
            return "unknown host " + e.getMessage();
        }
        if (e instanceof SSLHandshakeException || e instanceof SSLException) {
            return "TLS error: " + tls(e);
        }
        if (e instanceof EOFException) {
            return "the server closed the connection";
        }
        return e.getClass().getSimpleName() + detail(e);
    }

    private static String detail(Exception e) {
        return e.getMessage() == null ? "" : " (" + e.getMessage() + ")";
    }

    private static String tls(Exception e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof CertPathBuilderException) {
                return "the server's certificate is not trusted (give its CA with --ca-file, or --insecure for a test "
                        + "server)";
            }
            if (c instanceof CertificateException && c.getMessage() != null
                    && (c.getMessage().contains("No subject alternative") || c.getMessage().contains("No name matching"))) {
                return "the server's certificate does not name this host (" + c.getMessage()
                        + "); see --tls-server-name";
            }
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static String hint(TurnErrorException e) {
        switch (e.code()) {
            case 400:
                return ": the server refused the request as malformed (does it implement TURN?)";
            case 401:
                return ": the server rejected the credentials (user, password, realm, or an expired REST credential)";
            case 403:
                return ": the server's peer policy denies this peer";
            case 420:
                return ": the server does not understand "
                        + e.response().flatMap(r -> r.attribute(UnknownAttributes.class))
                                .map(u -> u.types().toString()).orElse("an attribute");
            case 437:
                return ": allocation mismatch (an allocation already exists on this 5-tuple, or none does)";
            case 438:
                return ": the nonce stayed stale after retries";
            case 440:
                return ": the server cannot relay this address family";
            case 441:
                return ": these credentials differ from the ones that created the allocation";
            case 442:
                return ": the server does not relay this transport";
            case 486:
                return ": this user has too many allocations";
            case 508:
                return ": the server is out of relay capacity";
            default:
                return "";
        }
    }
}
