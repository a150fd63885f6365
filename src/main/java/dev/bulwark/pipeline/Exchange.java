package dev.bulwark.pipeline;

import dev.bulwark.identity.Authenticator.Authentication;
import dev.bulwark.identity.Caller;
import dev.bulwark.mcp.JsonRpc;
import dev.bulwark.mcp.ProtocolVersion;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One client request on its way through the pipeline. What arrived is immutable; what the
 * stages learn (caller, target, decision) is written once each, by the stage that owns it,
 * and read by the stages after it and by Audit on the way out.
 */
public final class Exchange {
  private final String id;
  private final JsonRpc.Request request;
  private final Inbound inbound;
  private volatile ClientChannel channel;
  private final CompletableFuture<Void> cancelled;
  private final long startNanos;
  private Caller caller;
  private Target target;
  private Decision decision;
  private String policyRevision;
  private dev.bulwark.vault.Credentials credentials = dev.bulwark.vault.Credentials.NONE;
  private Approval approval;
  private PipelineObserver.Trace trace = PipelineObserver.Trace.NONE;
  private final java.util.List<Inspected> inspected = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final java.util.List<String> holds = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile AuditedArguments auditedArguments;

  /**
   * What the transport saw besides the message itself. {@code traceParent} and {@code
   * traceState} are the client's W3C trace context headers, unchecked (null if absent): a
   * tracer parses them, nothing else reads them.
   */
  public record Inbound(Authentication authentication, String sessionId, ProtocolVersion protocolVersion,
      String transport, String remoteAddress, int requestBytes, String traceParent, String traceState) {
    public Inbound {
      Objects.requireNonNull(authentication, "authentication");
      Objects.requireNonNull(protocolVersion, "protocolVersion");
      Objects.requireNonNull(transport, "transport");
    }

    public Inbound(Authentication authentication, String sessionId, ProtocolVersion protocolVersion,
        String transport, String remoteAddress, int requestBytes) {
      this(authentication, sessionId, protocolVersion, transport, remoteAddress, requestBytes, null, null);
    }
  }

  public Exchange(String id, JsonRpc.Request request, Inbound inbound, ClientChannel channel,
      CompletableFuture<Void> cancelled, long startNanos) {
    this.id = Objects.requireNonNull(id);
    this.request = Objects.requireNonNull(request);
    this.inbound = Objects.requireNonNull(inbound);
    this.channel = Objects.requireNonNull(channel);
    this.cancelled = Objects.requireNonNull(cancelled);
    this.startNanos = startNanos;
  }

  public String id() {
    return id;
  }

  public JsonRpc.Request request() {
    return request;
  }

  public Inbound inbound() {
    return inbound;
  }

  public ClientChannel channel() {
    return channel;
  }

  /**
   * From here on the call talks back to its client through {@code wrapped} (a stage that must
   * see what the upstream sends the client during the call, e.g. to scrub credentials).
   */
  public void channel(ClientChannel wrapped) {
    this.channel = Objects.requireNonNull(wrapped);
  }

  /** Completes when the client cancelled the request or went away. */
  public CompletableFuture<Void> cancelled() {
    return cancelled;
  }

  public long startNanos() {
    return startNanos;
  }

  /** How this exchange is traced; {@link PipelineObserver.Trace#NONE} unless a tracer watches it. */
  public PipelineObserver.Trace trace() {
    return trace;
  }

  /** Set by {@link Pipeline#run} before the first stage. */
  void trace(PipelineObserver.Trace value) {
    trace = Objects.requireNonNull(value);
  }

  public Optional<Caller> caller() {
    return Optional.ofNullable(caller);
  }

  /** The caller; only valid after Authenticate. */
  public Caller requireCaller() {
    if (caller == null) {
      throw new IllegalStateException("no caller: Authenticate must run first");
    }
    return caller;
  }

  public void caller(Caller value) {
    if (caller != null) {
      throw new IllegalStateException("caller already set");
    }
    caller = Objects.requireNonNull(value);
  }

  public Optional<Target> target() {
    return Optional.ofNullable(target);
  }

  public void target(Target value) {
    if (target != null) {
      throw new IllegalStateException("target already set");
    }
    target = Objects.requireNonNull(value);
  }

  public Optional<Decision> decision() {
    return Optional.ofNullable(decision);
  }

  public void decision(Decision value) {
    if (decision != null) {
      throw new IllegalStateException("decision already set");
    }
    decision = Objects.requireNonNull(value);
  }

  /**
   * The secrets resolved for this call by the credentials stage, for dispatch only (empty
   * before it, and for servers that need none). Never printed, never audited.
   */
  public dev.bulwark.vault.Credentials credentials() {
    return credentials;
  }

  public void credentials(dev.bulwark.vault.Credentials value) {
    if (!credentials.isEmpty()) {
      throw new IllegalStateException("credentials already set");
    }
    credentials = Objects.requireNonNull(value);
  }

  /** The revision of the rules that decided this exchange, once decided. */
  public Optional<String> policyRevision() {
    return Optional.ofNullable(policyRevision);
  }

  public void policyRevision(String value) {
    policyRevision = Objects.requireNonNull(value);
  }

  /**
   * The approval request this call was held under ({@code consumed}: it was granted and this
   * call used it up, so it may run); absent when no approval was involved.
   */
  public record Approval(String id, boolean consumed) {
    public Approval {
      Objects.requireNonNull(id, "id");
    }
  }

  public Optional<Approval> approval() {
    return Optional.ofNullable(approval);
  }

  /** Set once by the approval gate; a consumed approval cannot be replaced. */
  public void approval(Approval value) {
    if (approval != null && approval.consumed()) {
      throw new IllegalStateException("approval already consumed");
    }
    approval = Objects.requireNonNull(value);
  }

  /**
   * What an inspection stage saw in this exchange: the {@code surface} it inspected
   * (arguments, response), the action it {@code applied} (prefixed {@code report:} when
   * inspection only reports) and the findings. Audit records them with the final event.
   */
  public record Inspected(String surface, String applied, java.util.List<dev.bulwark.inspect.Finding> findings) {
    public Inspected {
      Objects.requireNonNull(surface, "surface");
      Objects.requireNonNull(applied, "applied");
      findings = java.util.List.copyOf(findings);
    }
  }

  /** Adds what an inspection stage saw; stages only add, never remove. */
  public void inspected(Inspected value) {
    inspected.add(Objects.requireNonNull(value));
  }

  public java.util.List<Inspected> inspected() {
    return java.util.List.copyOf(inspected);
  }

  /**
   * Holds the call for a person's approval under {@code gate}, whatever policy decides (a
   * stage before Authorize found something a person must see); Authorize adds the gate to
   * its decision, so the approval stays bound to exactly these arguments.
   */
  public void holdFor(String gate) {
    if (decision != null) {
      throw new IllegalStateException("already decided: a hold must come before Authorize");
    }
    holds.add(Objects.requireNonNull(gate));
  }

  public java.util.List<String> holds() {
    return java.util.List.copyOf(holds);
  }

  /**
   * The request's arguments as an audit event records them: {@code sanitized} is what
   * {@code by} made of {@code from} (the arguments node itself, compared by identity). Kept by
   * the first event built for the exchange (its intent), so that its outcome, made by the same
   * sanitizer from the same node, reuses it instead of sanitizing again. Sound because the
   * request is immutable and its arguments are never modified in place: what is sent upstream
   * is a copy around them. {@code by} is only compared by identity, so it is typed
   * {@code Object}, and this package does not import the audit package, which imports it.
   */
  public record AuditedArguments(Object by, com.fasterxml.jackson.databind.JsonNode from,
      com.fasterxml.jackson.databind.JsonNode sanitized) {
    public AuditedArguments {
      Objects.requireNonNull(by, "by");
    }
  }

  public Optional<AuditedArguments> auditedArguments() {
    return Optional.ofNullable(auditedArguments);
  }

  /** Replaces what was kept: a cache, which a reader uses only if {@code by} and {@code from} are its own. */
  public void auditedArguments(AuditedArguments value) {
    auditedArguments = Objects.requireNonNull(value);
  }
}
