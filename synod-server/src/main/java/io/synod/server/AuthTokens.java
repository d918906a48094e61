package io.synod.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The bearer tokens of {@code --auth-tokens-file}, each with a {@link Role}. Immutable; {@link #load} reads a file.
 *
 * <p>File format: one {@code TOKEN ROLE} per line (separated by spaces or tabs), ROLE one of {@code read},
 * {@code write}, {@code admin}; blank lines and lines starting with {@code #} are ignored. A token is 16 to 4,096
 * printable ASCII characters without spaces.
 *
 * <p>Only SHA-256 digests of the tokens are kept. {@link #roleOf} compares the digest of the presented token with
 * every entry's, without stopping at a match, so the time it takes does not tell how much of a token was right or
 * which entry matched. No method returns, logs or prints a token.
 */
final class AuthTokens {
    /** What a token may do; each role includes the ones before it. */
    enum Role {
        /** GET: keys, listings, status, log entries, metrics, the dashboard. */
        READ,
        /** PUT and DELETE as well. */
        WRITE,
        /** Everything, including admin endpoints (there are none yet). */
        ADMIN;

        boolean includes(Role needed) {
            return compareTo(needed) >= 0;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private record Entry(byte[] digest, Role role) {}

    private final List<Entry> entries;

    private AuthTokens(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Reads a tokens file.
     *
     * @throws IllegalArgumentException naming the file and line of the first bad line (never quoting the token), or
     *     if the file cannot be read
     */
    static AuthTokens load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --auth-tokens-file " + file + ": " + e.getMessage(), e);
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + " line " + (i + 1) + ": ";
            String[] fields = line.split("[ \t]+");
            if (fields.length != 2) {
                throw new IllegalArgumentException(where + "expected TOKEN ROLE, found " + fields.length
                        + " field(s)");
            }
            String token = fields[0];
            if (token.length() < 16 || token.length() > 4_096 || !token.chars().allMatch(c -> c > 32 && c < 127)) {
                throw new IllegalArgumentException(where + "a token must be 16 to 4096 printable ASCII characters");
            }
            Role role;
            try {
                role = Role.valueOf(fields[1].toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException unknown) {
                throw new IllegalArgumentException(where + "unknown role '" + fields[1]
                        + "'; the roles are read, write and admin");
            }
            byte[] digest = digest(token);
            for (Entry entry : entries) {
                if (MessageDigest.isEqual(entry.digest(), digest)) {
                    throw new IllegalArgumentException(where + "this token is already listed above");
                }
            }
            entries.add(new Entry(digest, role));
        }
        return new AuthTokens(entries);
    }

    /** How many tokens the file listed. */
    int size() {
        return entries.size();
    }

    /** The role of {@code token}, or null if it is not listed. Takes the same time whichever entry matches. */
    Role roleOf(String token) {
        byte[] digest = digest(token);
        Role found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.digest(), digest)) {
                found = entry.role();
            }
        }
        return found;
    }

    /**
     * The role of a request's {@code Authorization} header value, or null if it carries no listed bearer token.
     */
    Role roleOfHeader(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return roleOf(authorization.substring(7).strip());
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every JDK has SHA-256", impossible);
        }
    }

    @Override
    public String toString() {
        return entries.size() + " token(s)";
    }
}
