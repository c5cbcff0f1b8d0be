package io.traverse.auth;

/**
 * Names in coturn's user databases ({@code turndb/schema.sql}, {@code turndb/schema.userdb.redis} of coturn 4.x),
 * so a coturn deployment points Traverse at its database unchanged.
 *
 * <ul>
 *   <li>SQL: {@code turnusers_lt (realm, name, hmackey)} with the key as hex, {@code turn_secret (realm, value)};
 *   <li>Redis: the key in hex at {@code turn/realm/<realm>/user/<name>/key}, the REST secrets as members of the
 *       set {@code turn/realm/<realm>/secret}.
 * </ul>
 */
final class CoturnSchema {
    static final String SQL_USER = "SELECT hmackey FROM turnusers_lt WHERE realm = ? AND name = ?";
    static final String SQL_SECRETS = "SELECT value FROM turn_secret WHERE realm = ?";
    static final String SQL_PUT = "INSERT INTO turnusers_lt (realm, name, hmackey) VALUES (?, ?, ?)"
            + " ON CONFLICT (realm, name) DO UPDATE SET hmackey = EXCLUDED.hmackey";
    static final String SQL_ADD = "INSERT INTO turnusers_lt (realm, name, hmackey) VALUES (?, ?, ?)"
            + " ON CONFLICT (realm, name) DO NOTHING";
    static final String SQL_DELETE = "DELETE FROM turnusers_lt WHERE realm = ? AND name = ?";
    static final String SQL_LIST = "SELECT realm, name, hmackey FROM turnusers_lt ORDER BY realm, name";
    static final String SQL_LIST_REALM = "SELECT realm, name, hmackey FROM turnusers_lt WHERE realm = ?"
            + " ORDER BY realm, name";

    private static final String REALM_PREFIX = "turn/realm/";
    private static final String USER = "/user/";
    private static final String KEY_SUFFIX = "/key";

    private CoturnSchema() {}

    /** {@code turn/realm/<realm>/user/<name>/key}. */
    static String redisUserKey(String username, String realm) {
        return REALM_PREFIX + realm + USER + username + KEY_SUFFIX;
    }

    /** {@code turn/realm/<realm>/secret}, a set. */
    static String redisSecretsKey(String realm) {
        return REALM_PREFIX + realm + "/secret";
    }

    /** The SCAN pattern of every user key of {@code realm}, or of all realms when null. */
    static String redisUserPattern(String realm) {
        return REALM_PREFIX + (realm == null ? "*" : escapeGlob(realm)) + USER + "*" + KEY_SUFFIX;
    }

    /** {realm, name} of a user key, or null when {@code key} is not one. */
    static String[] parseRedisUserKey(String key) {
        if (!key.startsWith(REALM_PREFIX) || !key.endsWith(KEY_SUFFIX)) {
            return null;
        }
        int user = key.indexOf(USER, REALM_PREFIX.length());
        if (user < 0 || user + USER.length() > key.length() - KEY_SUFFIX.length()) {
            return null;
        }
        return new String[] {key.substring(REALM_PREFIX.length(), user),
            key.substring(user + USER.length(), key.length() - KEY_SUFFIX.length())};
    }

    private static String escapeGlob(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }
}
