package dev.bulwark.store;

/** The databases the store runs on; the few statements that differ ask which one it is. */
public enum Dialect {
  SQLITE,
  POSTGRESQL;

  static Dialect of(String url) {
    if (url.startsWith("jdbc:sqlite:")) {
      return SQLITE;
    }
    if (url.startsWith("jdbc:postgresql://")) {
      return POSTGRESQL;
    }
    throw new IllegalArgumentException("not a store URL (jdbc:sqlite: or jdbc:postgresql://)");
  }

  /** Appended to a SELECT that reads rows the transaction will update. */
  public String lockRows() {
    return this == POSTGRESQL ? " FOR UPDATE" : "";  // SQLite: BEGIN IMMEDIATE locked the whole database
  }
}
