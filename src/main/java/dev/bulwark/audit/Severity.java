package dev.bulwark.audit;

/**
 * How urgent an event is for a SIEM, from its outcome ({@code result.status}): refusals and
 * alerts are warnings, errors and interrupted calls errors. Carries the syslog severity
 * (RFC 5424) and the OCSF {@code severity_id} so both exports agree.
 */
public enum Severity {
  INFORMATIONAL(6, 1, "Informational"),
  NOTICE(5, 2, "Low"),
  WARNING(4, 3, "Medium"),
  ERROR(3, 4, "High");

  private final int syslog;
  private final int ocsfId;
  private final String ocsfName;

  Severity(int syslog, int ocsfId, String ocsfName) {
    this.syslog = syslog;
    this.ocsfId = ocsfId;
    this.ocsfName = ocsfName;
  }

  /** The severity of an outcome; an unknown status is a notice, never silently informational. */
  public static Severity of(String status) {
    return switch (status == null ? "" : status) {
      case "ok", "intent", "recorded", "cancelled" -> INFORMATIONAL;
      case "denied", "rate_limited", "unauthenticated", "refused", "alert" -> WARNING;
      case "error", "interrupted" -> ERROR;
      default -> NOTICE;  // tool_error, approval_required, and anything new
    };
  }

  public int syslog() {
    return syslog;
  }

  public int ocsfId() {
    return ocsfId;
  }

  public String ocsfName() {
    return ocsfName;
  }
}
