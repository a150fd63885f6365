package dev.bulwark.config;

import java.nio.file.Path;

/** Where the audit trail is written; null means {@code <data_dir>/audit.jsonl}. */
public record AuditConfig(Path file) {}
