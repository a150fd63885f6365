package dev.bulwark.config;

/** The configuration is unusable; the message names the file and the path of the bad value. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
