package dev.bulwark.inspect;

/** Inspects untrusted tool output before an agent sees it. Never throws on hostile input. */
public interface ResponseInspector {
  Verdict inspectResponse(String text);
}
