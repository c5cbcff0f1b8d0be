package io.traverse.it;

import static io.traverse.it.TurnTestSession.allocateRequest;
import static io.traverse.it.TurnTestSession.request;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.traverse.it.TurnTestSession.Options;
import io.traverse.stun.Method;
import io.traverse.stun.attr.Lifetime;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Allocation quotas (RFC 8656 §7.2): per-user → 486 Allocation Quota Reached, server-wide → 508. */
class TurnQuotaTest {
    private static TurnTestSession session(TestServer server, String user, String password) throws Exception {
        TurnTestSession s = TurnTestSession.open(server.udp4(), false, user, password, Options.modern());
        s.challenge();
        return s;
    }

    @Test
    void perUserQuotaGets486WhileOtherUsersStillAllocate(@TempDir Path dir) throws Exception {
        try (TestServer server = TurnFixture.start(dir, Map.of("relay.max-allocations-per-user", "2"));
             TurnTestSession a1 = session(server, TurnFixture.USER, TurnFixture.PASSWORD);
             TurnTestSession a2 = session(server, TurnFixture.USER, TurnFixture.PASSWORD);
             TurnTestSession a3 = session(server, TurnFixture.USER, TurnFixture.PASSWORD);
             TurnTestSession b1 = session(server, TurnFixture.USER2, TurnFixture.PASSWORD2)) {
            a1.allocate();
            a2.allocate();
            a3.fail(a3.send(allocateRequest()), 486);
            b1.allocate();
            assertEquals(3, server.server().allocations().registered());
            // Deleting one of alice's allocations frees her slot.
            a1.succeed(a1.send(request(Method.REFRESH).add(new Lifetime(0))));
            a3.allocate();
            assertEquals(2, server.server().allocations().activeFor(TurnFixture.USER));
        }
    }

    @Test
    void serverWideLimitGets508(@TempDir Path dir) throws Exception {
        try (TestServer server = TurnFixture.start(dir, Map.of("relay.max-allocations", "2"));
             TurnTestSession a1 = session(server, TurnFixture.USER, TurnFixture.PASSWORD);
             TurnTestSession b1 = session(server, TurnFixture.USER2, TurnFixture.PASSWORD2);
             TurnTestSession a2 = session(server, TurnFixture.USER, TurnFixture.PASSWORD);
             TurnTestSession b2 = session(server, TurnFixture.USER2, TurnFixture.PASSWORD2)) {
            a1.allocate();
            b1.allocate();
            a2.fail(a2.send(allocateRequest()), 508);
            b2.fail(b2.send(allocateRequest()), 508);
            assertEquals(2, server.server().allocations().registered());
            b1.succeed(b1.send(request(Method.REFRESH).add(new Lifetime(0))));
            a2.allocate();
        }
    }
}
