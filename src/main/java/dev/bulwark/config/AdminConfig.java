package dev.bulwark.config;

/**
 * The admin API ({@code /admin/...}): enabled only with the salted hash of an admin key
 * ({@code bulwark keys new}); requests present the key as {@code Authorization: Bearer}.
 */
public record AdminConfig(String keyHash) {
  public AdminConfig {
    if (keyHash == null || keyHash.isBlank()) {
      throw new IllegalArgumentException("key_hash is required");
    }
  }
}
