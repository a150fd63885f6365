package dev.bulwark.vault;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.pattern.CompositeConverter;

/**
 * {@code %redact(...)} in a logback pattern: the enclosed output (message, exception) with
 * common credential formats masked, and the values a running gateway resolved (registered by
 * {@link LogRedaction}). The last line of defence for logs — secrets are never passed to a
 * logger in the first place ({@link Secret} does not print).
 */
public final class RedactingConverter extends CompositeConverter<ILoggingEvent> {
  @Override
  protected String transform(ILoggingEvent event, String in) {
    return LogRedaction.scrub(getContext(), in);
  }
}
