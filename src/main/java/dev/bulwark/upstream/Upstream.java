package dev.bulwark.upstream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.JsonRpc;
import java.util.concurrent.CompletableFuture;

/**
 * A connection to one upstream MCP server. Messages pass as raw JSON trees: nothing the
 * server sends is dropped or rewritten, except the ids and progress tokens the connection
 * itself must multiplex (and restores before anything reaches a client).
 */
public interface Upstream extends AutoCloseable {
  String name();

  /** Connects and performs the MCP handshake; throws if the server cannot be brought up. */
  void start() throws UpstreamException;

  /** After a failed {@link #start}: keep trying in the background, with backoff. */
  void retryLater();

  /**
   * Sends one request. The future completes with the server's response (a JSON-RPC error
   * is a normal completion), or exceptionally with {@link UpstreamException} when the
   * server is down, crashed, timed out, or the call was cancelled.
   */
  CompletableFuture<JsonRpc.Response> call(String method, ObjectNode params, CallContext context);


  /** The server's {@code initialize} result (capabilities, serverInfo, instructions); empty if never up. */
  ObjectNode initializeResult();

  boolean isUp();

  /**
   * Whether every session's calls reach the same server state (one process, or a remote
   * server). False for per-session and per-call isolation, where subscriptions belong to the
   * session's own process.
   */
  default boolean sharedAcrossSessions() {
    return true;
  }

  /** Whether the server keeps state between calls at all (false: a fresh process per call). */
  default boolean keepsState() {
    return true;
  }

  /** The client session {@code sessionKey} ended: what served only it can go. */
  default void sessionEnded(String sessionKey) {}

  /** Callers {@code stopped} matches were stopped (kill switch, revocation): what served only them goes. */
  default void endCallers(java.util.function.Predicate<dev.bulwark.identity.Caller> stopped) {}

  @Override
  void close();
}
