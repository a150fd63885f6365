package dev.bulwark.pipeline;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.identity.Authenticator.Authentication;
import dev.bulwark.identity.Caller;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.mcp.ProtocolVersion;
import java.util.concurrent.CompletableFuture;

/** Builds exchanges for stage tests: a fixed request, no client channel, a fixed start time. */
public final class TestExchanges {
  private TestExchanges() {}

  /** An exchange from an agent that authenticated as {@code agentId}; the caller is not yet set. */
  public static Exchange authenticatedAs(String agentId, String method, ObjectNode params) {
    return exchange(new Authentication.Authenticated(new Caller(agentId)), method, params);
  }

  /** An exchange whose credentials were refused. */
  public static Exchange refused(String reason, String method, ObjectNode params) {
    return exchange(new Authentication.Refused(reason), method, params);
  }

  public static Exchange exchange(Authentication authentication, String method, ObjectNode params) {
    JsonRpc.Request request = new JsonRpc.Request(IntNode.valueOf(1), method, params);
    Exchange.Inbound inbound = new Exchange.Inbound(authentication, "session-1", ProtocolVersion.V2025_06_18,
        "http", "127.0.0.1", 42);
    return new Exchange("exchange-1", request, inbound, ClientChannel.NONE, new CompletableFuture<>(), 0L);
  }
}
