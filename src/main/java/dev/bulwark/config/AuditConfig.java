package dev.bulwark.config;

import java.nio.file.Path;

/**
 * The audit trail lives in the store ({@link StoreConfig}). {@code file}, when set, also
 * receives a JSON-lines copy of every event after the store has it (a chain of its own,
 * verifiable with {@code bulwark audit verify FILE}); null means no copy.
 */
public record AuditConfig(Path file) {}
