package dev.bulwark.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An upstream MCP server. Exactly one transport: {@code stdio} (a command), {@code npm} (a
 * package installed ahead of time, resolved to its entry point) or {@code http} (a remote
 * Streamable HTTP endpoint). Its tools and prompts are exposed as {@code <prefix>__<name>}
 * and its resource URIs as {@code <prefix>+<uri>}; an empty prefix exposes names as they are.
 */
public record UpstreamConfig(String name, String prefix, Stdio stdio, Npm npm, Http http, Restart restart,
    Registration registry, Isolation isolation, Limits limits, InspectionConfig.Override inspection) {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

  public UpstreamConfig {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("name must match " + NAME.pattern());
    }
    prefix = prefix == null ? name : prefix;
    if (!prefix.isEmpty() && !NAME.matcher(prefix).matches()) {
      throw new IllegalArgumentException("prefix must be empty or match " + NAME.pattern());
    }
    int transports = (stdio == null ? 0 : 1) + (npm == null ? 0 : 1) + (http == null ? 0 : 1);
    if (transports != 1) {
      throw new IllegalArgumentException("exactly one of stdio, npm or http is required");
    }
    restart = restart == null ? new Restart(null, null) : restart;
    limits = limits == null ? new Limits(null) : limits;
    registry = registry == null ? Registration.unregistered() : registry;
    if (http != null && isolation != null) {
      throw new IllegalArgumentException("isolation applies to stdio and npm servers only");
    }
    // Fail closed: a local server runs in an enclave unless its config says otherwise.
    isolation = isolation == null && http == null ? Isolation.enclave() : isolation;
    if (stdio != null && !stdio.files().isEmpty() && isolation.mode() != Isolation.Mode.ENCLAVE) {
      throw new IllegalArgumentException("stdio.files: secret files are bound into an enclave; isolation: none has "
          + "no place for them");
    }
    java.util.List<String> refs = secretReferences(stdio, http);
    if (!registry.credentials().isEmpty()) {
      for (String ref : refs) {
        if (!registry.credentials().contains(ref)) {
          throw new IllegalArgumentException("secret://" + ref + " is not among registry.credentials");
        }
      }
    }
  }

  /** The vault secrets this server's headers, environment or secret files name ({@code secret://name}), in order. */
  public java.util.List<String> secretReferences() {
    return secretReferences(stdio, http);
  }

  // Variables the dynamic loader and libc read (glibc's "unsecure" list): a secret variable
  // travels in the environment of the programs that start an enclave, which must not read it.
  private static final Pattern LOADER_VARIABLE = Pattern.compile(
      "LD_.*|GCONV_PATH|GETCONF_DIR|HOSTALIASES|LOCALDOMAIN|LOCPATH|MALLOC_.*|NIS_PATH|NLSPATH|RESOLV_HOST_CONF|"
      + "RES_OPTIONS|TMPDIR|TZDIR|GLIBC_TUNABLES|HOME|PATH");

  private static java.util.List<String> secretReferences(Stdio stdio, Http http) {
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    Map<String, String> values = stdio != null ? stdio.env() : http != null ? http.headers() : Map.of();
    new java.util.TreeMap<>(values).forEach((k, v) -> {
      if (stdio != null && dev.bulwark.vault.SecretRefs.has(v) && LOADER_VARIABLE.matcher(k).matches()) {
        throw new IllegalArgumentException("env " + k + ": a secret cannot go in a variable the loader, libc or the "
            + "enclave itself uses");
      }
      try {
        names.addAll(dev.bulwark.vault.SecretRefs.names(v));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException((stdio != null ? "env " : "header ") + k + ": " + e.getMessage());
      }
    });
    if (stdio != null) {
      new java.util.TreeMap<>(stdio.files()).forEach((k, v) -> {
        try {
          names.addAll(dev.bulwark.vault.SecretRefs.names(v));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("files " + k + ": " + e.getMessage());
        }
      });
    }
    return java.util.List.copyOf(names);
  }

  public UpstreamConfig(String name, String prefix, Stdio stdio, Npm npm, Http http, Restart restart) {
    this(name, prefix, stdio, npm, http, restart, null, null);
  }

  public UpstreamConfig(String name, String prefix, Stdio stdio, Npm npm, Http http, Restart restart,
      Registration registry, Isolation isolation) {
    this(name, prefix, stdio, npm, http, restart, registry, isolation, null, null);
  }

  /**
   * What one answer of this server may be: {@code max_response_bytes} bounds a result's JSON;
   * a larger one is refused with an error, never truncated. The default, 16 MiB, is what the
   * upstream readers accept for one message anyway (a stdio line is bounded by four times
   * {@code limits.max_request_bytes}, an HTTP message or event by 16 MiB): a server's limit
   * tightens that.
   */
  public record Limits(Long maxResponseBytes) {
    public static final long DEFAULT_MAX_RESPONSE_BYTES = 16L * 1024 * 1024;

    public Limits {
      maxResponseBytes = maxResponseBytes == null ? DEFAULT_MAX_RESPONSE_BYTES : maxResponseBytes;
      if (maxResponseBytes <= 0) {
        throw new IllegalArgumentException("limits.max_response_bytes must be positive");
      }
    }
  }

  public UpstreamConfig(String name, String prefix, Stdio stdio, Npm npm, Http http, Restart restart,
      Registration registry) {
    this(name, prefix, stdio, npm, http, restart, registry, null);
  }

  /** This server with the given isolation. */
  public UpstreamConfig withIsolation(Isolation isolation) {
    return new UpstreamConfig(name, prefix, stdio, npm, http, restart, registry, isolation, limits, inspection);
  }

  /**
   * What the registry knows about a server beyond how to reach it: who owns it and why it is
   * here, the class of data it handles, where it may connect (enforced by the egress proxy),
   * which vault secrets it may use, when it must next be reviewed, how each tool is
   * classified, whether new tools that only read may be accepted without review, and what
   * happens to a tool whose definition looks poisoned ({@code poisoned}, default quarantine).
   */
  public record Registration(String owner, String purpose, DataClass dataClass, List<String> egress,
      List<String> credentials, java.time.LocalDate reviewBy, Map<String, ToolClass> tools,
      Boolean autoAcceptReadTools, FirstConnect firstConnect, Poisoned poisoned) {
    public Registration {
      poisoned = poisoned == null ? Poisoned.QUARANTINE : poisoned;
      dataClass = dataClass == null ? DataClass.CONFIDENTIAL : dataClass;
      egress = egress == null ? List.of() : List.copyOf(egress);
      credentials = credentials == null ? List.of() : List.copyOf(credentials);
      tools = tools == null ? Map.of() : Map.copyOf(tools);
      autoAcceptReadTools = autoAcceptReadTools != null && autoAcceptReadTools;
      firstConnect = firstConnect == null ? FirstConnect.PIN : firstConnect;
    }

    /** Poisoned definitions quarantined (the default). */
    public Registration(String owner, String purpose, DataClass dataClass, List<String> egress,
        List<String> credentials, java.time.LocalDate reviewBy, Map<String, ToolClass> tools,
        Boolean autoAcceptReadTools, FirstConnect firstConnect) {
      this(owner, purpose, dataClass, egress, credentials, reviewBy, tools, autoAcceptReadTools, firstConnect, null);
    }

    static Registration unregistered() {
      return new Registration(null, null, null, null, null, null, null, null, null, null);
    }
  }

  /**
   * What happens to a tool whose definition the description inspector finds poisoned (T1–T3):
   * {@code quarantine} hides and refuses it until an administrator approves that exact
   * definition, even at first connection and for read tools that would be auto-accepted;
   * {@code report} only raises {@code registry.poisoned} and pins it as any other tool.
   * A definition a person approved is never overruled.
   */
  public enum Poisoned { QUARANTINE, REPORT }

  /** Data classification of a server; unknown counts as confidential. */
  public enum DataClass { PUBLIC, INTERNAL, CONFIDENTIAL, RESTRICTED }

  /**
   * What happens to the tools a server shows the first time it is connected: {@code pin}
   * trusts them (registering the server was the review) and pins them; {@code review}
   * holds every one until approved.
   */
  public enum FirstConnect { PIN, REVIEW }

  /**
   * The classification of tools whose name matches the key (a glob): capability tiers
   * (read, write, destructive, external) and flow labels (reads-private, reads-untrusted,
   * sends-external). Set here, it replaces what Bulwark would propose.
   */
  public record ToolClass(List<String> tiers, List<String> labels) {
    private static final java.util.Set<String> TIERS = java.util.Set.of("read", "write", "destructive", "external");
    private static final java.util.Set<String> LABELS = java.util.Set.of("reads-private", "reads-untrusted",
        "sends-external");

    public ToolClass {
      tiers = tiers == null ? List.of() : List.copyOf(tiers);
      labels = labels == null ? List.of() : List.copyOf(labels);
      if (tiers.isEmpty()) {
        throw new IllegalArgumentException("tiers must name at least one of " + new java.util.TreeSet<>(TIERS));
      }
      for (String t : tiers) {
        if (!TIERS.contains(t)) {
          throw new IllegalArgumentException("unknown tier '" + t + "' (one of " + new java.util.TreeSet<>(TIERS) + ")");
        }
      }
      for (String l : labels) {
        if (!LABELS.contains(l)) {
          throw new IllegalArgumentException("unknown label '" + l + "' (one of " + new java.util.TreeSet<>(LABELS) + ")");
        }
      }
    }
  }

  public record Stdio(String command, List<String> args, Map<String, String> env, String cwd,
      Map<String, String> files) {
    public Stdio {
      if (command == null || command.isBlank()) {
        throw new IllegalArgumentException("command is required");
      }
      args = args == null ? List.of() : List.copyOf(args);
      env = env == null ? Map.of() : Map.copyOf(env);
      files = files == null ? Map.of() : Map.copyOf(files);
      for (Map.Entry<String, String> f : files.entrySet()) {
        String name = f.getKey() == null || !f.getKey().startsWith("/run/secrets/") ? null
            : f.getKey().substring("/run/secrets/".length());
        if (name == null || !name.matches("[A-Za-z0-9_][A-Za-z0-9._-]{0,99}")) {
          throw new IllegalArgumentException("files: " + f.getKey() + ": a secret file must be /run/secrets/NAME (NAME "
              + "of A-Z, a-z, 0-9, '.', '_', '-', not starting with '.' or '-')");
        }
        if (!dev.bulwark.vault.SecretRefs.has(f.getValue())) {
          throw new IllegalArgumentException("files: " + f.getKey() + ": the content must name a vault secret "
              + "(secret://NAME); files are for secrets only");
        }
      }
    }

    public Stdio(String command, List<String> args, Map<String, String> env, String cwd) {
      this(command, args, env, cwd, null);
    }
  }

  /** An npm package installed in {@code <data_dir>/npm} (or {@code prefix}), run with node. */
  public record Npm(String packageName, String bin, List<String> args, String installDir) {
    public Npm {
      if (packageName == null || packageName.isBlank()) {
        throw new IllegalArgumentException("package_name is required");
      }
      args = args == null ? List.of() : List.copyOf(args);
    }
  }

  /**
   * A remote server. {@code identity} says how the gateway identifies each call to it; by
   * default no identity is sent (and an inbound token is never forwarded).
   */
  public record Http(String url, Map<String, String> headers, Identity identity) {
    public Http {
      if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
        throw new IllegalArgumentException("url must be an http or https URL");
      }
      headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public Http(String url, Map<String, String> headers) {
      this(url, headers, null);
    }
  }

  /** How calls to a remote server carry who they are for: exactly one of the ways. */
  public record Identity(Mint mint, Exchange exchange) {
    public Identity {
      if ((mint == null) == (exchange == null)) {
        throw new IllegalArgumentException("identity needs exactly one of mint, exchange");
      }
    }

    public Identity(Mint mint) {
      this(mint, null);
    }
  }

  /**
   * An RFC 8693 token exchange at the server's own authorization server: Bulwark mints a
   * subject token for the caller (audience {@code subject_audience}, default the token
   * endpoint; subject the user, {@code act} the agent chain), authenticates as
   * {@code client_id} / {@code client_secret}, and sends the token it gets back. The server
   * never sees a Bulwark token or the agent's credential.
   */
  public record Exchange(String tokenEndpoint, String clientId, dev.bulwark.vault.Secret clientSecret,
      String audience, String scope, String subjectAudience) {
    public Exchange {
      if (tokenEndpoint == null || !(tokenEndpoint.startsWith("https://") || tokenEndpoint.startsWith("http://"))) {
        throw new IllegalArgumentException("token_endpoint must be an http or https URL");
      }
      if (clientId == null || clientId.isBlank() || clientSecret == null) {
        throw new IllegalArgumentException("client_id and client_secret are required");
      }
    }
  }

  /**
   * A JWT minted by Bulwark for each call: audience this server ({@code audience}, default its
   * URL), subject the user, {@code act} the agent chain, living {@code lifetime} (at most 5m),
   * signed with the keys published at {@code /.well-known/jwks.json}.
   */
  public record Mint(String audience, Duration lifetime) {
    public Mint {
      lifetime = lifetime == null ? Duration.ofMinutes(5) : lifetime;
      if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new IllegalArgumentException("lifetime must be positive and at most 5m");
      }
    }
  }

  /** Restart backoff after a crash: starts at {@code initialBackoff}, doubles up to {@code maxBackoff}. */
  public record Restart(Duration initialBackoff, Duration maxBackoff) {
    public Restart {
      initialBackoff = initialBackoff == null ? Duration.ofMillis(200) : initialBackoff;
      maxBackoff = maxBackoff == null ? Duration.ofSeconds(30) : maxBackoff;
      if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException("need 0 <= initial_backoff <= max_backoff");
      }
    }
  }
}
