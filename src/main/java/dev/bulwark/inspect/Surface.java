package dev.bulwark.inspect;

/** Where a scanned text comes from; each surface has its own policy. */
public enum Surface {
  /** Untrusted output of a tool call (T6, T7, T8, T10). */
  RESPONSE,
  /** A tool definition: description, parameter descriptions, defaults (T1, T2, T3). */
  DESCRIPTION,
  /** String values of {@code tools/call} arguments (T12, T13, T14). */
  ARGUMENTS
}
