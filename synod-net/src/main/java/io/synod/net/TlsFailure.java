package io.synod.net;

import io.netty.handler.ssl.NotSslRecordException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import javax.net.ssl.SSLException;

/**
 * Says in a few words why a peer's TLS handshake failed, from the JDK's exception chain, for the one log line a
 * refused connection gets. The JDK's own messages (e.g. "PKIX path building failed: ...") name the mechanism, not
 * what an operator must fix.
 */
final class TlsFailure {
    private TlsFailure() {}

    /** Whether {@code cause} comes from TLS (an {@link SSLException} somewhere in its chain). */
    static boolean isTls(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The reason, e.g. "no client certificate signed by the cluster CA", "certificate not signed by the cluster CA",
     * "certificate does not name 10.0.0.2".
     *
     * @param cause what the TLS handshake failed with (any throwable, null included)
     * @param dialedHost the host this node dialed, or null on an accepted connection
     */
    static String reason(Throwable cause, String dialedHost) {
        StringBuilder messages = new StringBuilder();
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof NotSslRecordException) {
                return "the other side does not speak TLS: compare --tls-* on every node";
            }
            if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
                return "certificate not signed by the cluster CA";
            }
            if (t instanceof ClosedChannelException) {
                return "the other side closed the connection during the TLS handshake (its log says why)";
            }
            if (t.getMessage() != null) {
                messages.append(t.getMessage()).append('\n');
            }
        }
        String text = messages.toString();
        if (text.contains("Empty client certificate chain")) {
            // A JDK client offers only a certificate signed by a CA the server names, so another CA's certificate
            // arrives as none at all.
            return "no client certificate signed by the cluster CA";
        }
        if (text.contains("certificate_required")) {
            return "the other side wants a client certificate signed by its CA and this node has none: compare "
                    + "--tls-ca on every node";
        }
        if (text.contains("No subject alternative") || text.contains("No name matching")) {
            return "certificate does not name " + (dialedHost != null ? dialedHost : "the address dialed");
        }
        if (text.contains("PKIX path") || text.contains("unable to find valid certification path")) {
            return "certificate not signed by the cluster CA";
        }
        int alert = text.indexOf("Received fatal alert: ");
        if (alert >= 0) {
            int end = text.indexOf('\n', alert);
            return "the other side refused the handshake (TLS alert "
                    + text.substring(alert + "Received fatal alert: ".length(), end) + "; its log says why)";
        }
        if (cause == null) {
            return "unknown failure";
        }
        int firstLine = text.indexOf('\n');
        return cause.getClass().getSimpleName() + (firstLine > 0 ? ": " + text.substring(0, firstLine) : "");
    }
}
