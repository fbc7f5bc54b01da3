package org.m3vit.serve;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;
import org.m3vit.errors.InvalidInputException;

/**
 * The load generator's guard: it only ever sends traffic to this machine. A URL passes if its host is
 * {@code localhost}, an IPv4 literal in 127.0.0.0/8, or the IPv6 loopback {@code ::1}. Host names other
 * than localhost are refused without being resolved, since a name's address can change.
 */
public final class LoopbackAddress {

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    private LoopbackAddress() {}

    /** The URL if it is plain HTTP to a loopback host; otherwise an error naming the host. */
    public static URI require(URI url) {
        if (url == null || !"http".equals(url.getScheme()) || url.getHost() == null) {
            throw InvalidInputException.field(
                    "url", "expected http://127.0.0.1:PORT (plain HTTP to a loopback" + " address), got " + url);
        }
        if (!isLoopback(url.getHost())) {
            throw InvalidInputException.field(
                    "url",
                    "host '" + url.getHost() + "' is not a loopback address; the"
                            + " load test only targets this machine (127.0.0.0/8, localhost or ::1)");
        }
        return url;
    }

    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) {
            return true;
        }
        var m = IPV4.matcher(h);
        if (!m.matches()) {
            return false;
        }
        for (int i = 1; i <= 4; i++) {
            if (Integer.parseInt(m.group(i)) > 255) {
                return false;
            }
        }
        return Integer.parseInt(m.group(1)) == 127;
    }
}
