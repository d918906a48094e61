package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthTokensTest {
    @TempDir
    Path dir;

    private AuthTokens load(String text) throws Exception {
        return AuthTokens.load(Files.writeString(dir.resolve("tokens"), text));
    }

    @Test
    void rolesIncludeTheWeakerOnes() throws Exception {
        AuthTokens tokens = load("# who may do what\n\nread-0123456789abcdef read\n"
                + "write-0123456789abcdef   write\nadmin-0123456789abcdef\tADMIN\n");
        assertThat(tokens.size()).isEqualTo(3);
        assertThat(tokens.roleOf("read-0123456789abcdef")).isEqualTo(AuthTokens.Role.READ);
        assertThat(tokens.roleOfHeader("Bearer write-0123456789abcdef")).isEqualTo(AuthTokens.Role.WRITE);
        assertThat(tokens.roleOfHeader("bearer admin-0123456789abcdef")).isEqualTo(AuthTokens.Role.ADMIN);
        assertThat(tokens.roleOf("read-0123456789abcdeF")).isNull();
        assertThat(tokens.roleOfHeader("read-0123456789abcdef")).as("no Bearer scheme").isNull();
        assertThat(tokens.roleOfHeader(null)).isNull();
        assertThat(AuthTokens.Role.ADMIN.includes(AuthTokens.Role.WRITE)).isTrue();
        assertThat(AuthTokens.Role.WRITE.includes(AuthTokens.Role.READ)).isTrue();
        assertThat(AuthTokens.Role.READ.includes(AuthTokens.Role.WRITE)).isFalse();
        assertThat(tokens.toString()).doesNotContain("0123456789");
    }

    @Test
    void aBadLineNamesTheFileAndLineButNeverTheToken() {
        String secret = "secret-0123456789abcdef";
        for (String[] bad : new String[][] {
                {secret + " root\n", "line 1: unknown role 'root'"},
                {"# ok\n" + secret + "\n", "line 2: expected TOKEN ROLE"},
                {secret + " read\n" + secret + " write\n", "line 2: this token is already listed"},
                {"short read\n", "line 1: a token must be 16 to 4096"}}) {
            assertThatThrownBy(() -> load(bad[0])).as(bad[0]).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("tokens " + bad[1].substring(0, 4))
                    .hasMessageContaining(bad[1]).satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret));
        }
        assertThatThrownBy(() -> AuthTokens.load(dir.resolve("missing"))).hasMessageContaining("missing");
    }
}
