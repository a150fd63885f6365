package dev.bulwark.mcp;

/** JSON-RPC and MCP error codes the gateway emits. */
public final class ErrorCodes {
  public static final int PARSE_ERROR = -32700;
  public static final int INVALID_REQUEST = -32600;
  public static final int METHOD_NOT_FOUND = -32601;
  public static final int INVALID_PARAMS = -32602;
  public static final int INTERNAL_ERROR = -32603;
  /** Implementation-defined server error range: the caller is not authenticated. */
  public static final int UNAUTHENTICATED = -32000;
  /** The caller is authenticated but not allowed to do this. */
  public static final int FORBIDDEN = -32003;
  /** The upstream server is down, timed out or failed. */
  public static final int UPSTREAM_UNAVAILABLE = -32004;
  /** The call is allowed only with a person's approval of exactly these arguments. */
  public static final int APPROVAL_REQUIRED = -32005;
  /** Too many calls: {@code data.retryAfterSeconds} says when to try again. */
  public static final int RATE_LIMITED = -32029;
  /** MCP: the referenced resource does not exist. */
  public static final int RESOURCE_NOT_FOUND = -32002;
  /** The request was cancelled by the client. */
  public static final int REQUEST_CANCELLED = -32800;

  /** Session generation: the session id is unknown, expired or not this agent's. */
  public static final int SESSION_NOT_FOUND = -32001;
  /** 2026-07-28: a routing header (Mcp-Method, Mcp-Name, MCP-Protocol-Version) disagrees with the body. */
  public static final int HEADER_MISMATCH = -32020;
  /** 2026-07-28: the request needs a client capability the client did not declare. */
  public static final int MISSING_CLIENT_CAPABILITY = -32021;
  /** 2026-07-28: the protocol version in the request is not supported. */
  public static final int UNSUPPORTED_PROTOCOL_VERSION = -32022;

  private ErrorCodes() {}
}
