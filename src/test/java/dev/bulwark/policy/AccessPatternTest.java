package dev.bulwark.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.pipeline.Target;
import dev.bulwark.pipeline.Target.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessPatternTest {

  @Test
  void matchesAnExactServerAndName() {
    AccessPattern p = AccessPattern.parse("fs/read_file");

    assertThat(p.matches(tool("fs", "read_file"))).isTrue();
    assertThat(p.matches(tool("fs", "read_files"))).isFalse();
    assertThat(p.matches(tool("fs", "xread_file"))).isFalse();
    assertThat(p.matches(tool("fs2", "read_file"))).isFalse();
  }

  @Test
  void matchesAnyRunOfCharactersForAStar() {
    AccessPattern p = AccessPattern.parse("fs/read_*");

    assertThat(p.matches(tool("fs", "read_"))).isTrue();
    assertThat(p.matches(tool("fs", "read_file"))).isTrue();
    assertThat(p.matches(tool("fs", "read_a/b\nc"))).isTrue();
    assertThat(p.matches(tool("fs", "write_file"))).isFalse();
    assertThat(p.matches(tool("fs", "xread_file"))).isFalse();
  }

  @Test
  void matchesAStarInTheMiddleOrInTheServer() {
    assertThat(AccessPattern.parse("fs/get_*_info").matches(tool("fs", "get_file_info"))).isTrue();
    assertThat(AccessPattern.parse("fs/get_*_info").matches(tool("fs", "get_file_info_x"))).isFalse();
    assertThat(AccessPattern.parse("*/ping").matches(tool("anything", "ping"))).isTrue();
    assertThat(AccessPattern.parse("git*/status").matches(tool("github", "status"))).isTrue();
    assertThat(AccessPattern.parse("git*/status").matches(tool("fs", "status"))).isFalse();
  }

  @Test
  void treatsRegexCharactersLiterally() {
    assertThat(AccessPattern.parse("fs/a.b").matches(tool("fs", "aXb"))).isFalse();
    assertThat(AccessPattern.parse("fs/a.b").matches(tool("fs", "a.b"))).isTrue();
    assertThat(AccessPattern.parse("fs/x+").matches(tool("fs", "xx"))).isFalse();
    assertThat(AccessPattern.parse("fs/[ab]").matches(tool("fs", "a"))).isFalse();
    assertThat(AccessPattern.parse("fs/\\E.*").matches(tool("fs", "anything"))).isFalse();
    assertThat(AccessPattern.parse("fs/read?").matches(tool("fs", "reads"))).isFalse();
  }

  @Test
  void withoutAKindMatchesEveryKind() {
    AccessPattern p = AccessPattern.parse("fs/x");

    assertThat(p.kind()).isNull();
    for (Kind kind : Kind.values()) {
      assertThat(p.matches(new Target.Item(kind, "fs", "x"))).as(kind.name()).isTrue();
    }
  }

  @Test
  void withAStarKindMatchesEveryKind() {
    AccessPattern p = AccessPattern.parse("*:fs/x");

    for (Kind kind : Kind.values()) {
      assertThat(p.matches(new Target.Item(kind, "fs", "x"))).as(kind.name()).isTrue();
    }
  }

  @Test
  void withAKindMatchesOnlyThatKind() {
    assertThat(matchingKinds("tool:fs/x")).containsExactly(Kind.TOOL);
    assertThat(matchingKinds("prompt:fs/x")).containsExactly(Kind.PROMPT);
    assertThat(matchingKinds("resource:fs/x")).containsExactly(Kind.RESOURCE);
  }

  @Test
  void matchesResourcesByUri() {
    AccessPattern p = AccessPattern.parse("resource:docs/file:///srv/*");

    assertThat(p.matches(resource("docs", "file:///srv/a.txt"))).isTrue();
    assertThat(p.matches(resource("docs", "file:///etc/passwd"))).isFalse();
    assertThat(p.matches(tool("docs", "file:///srv/a.txt"))).isFalse();
  }

  @Test
  void readsAUriAfterTheSlashAsTheNameWhenThereIsNoKind() {
    AccessPattern p = AccessPattern.parse("docs/file:///srv/*");

    assertThat(p.kind()).isNull();
    assertThat(p.matches(resource("docs", "file:///srv/a.txt"))).isTrue();
  }

  @Test
  void rejectsMalformedPatterns() {
    for (String bad : List.of("", "fs", "fs/", "/x", "exec:fs/x", "Tool:fs/x", "tool:fs", "tool:/x")) {
      assertThatThrownBy(() -> AccessPattern.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void findsTheFirstMatchingPattern() {
    List<AccessPattern> patterns = List.of(
        AccessPattern.parse("fs/write_*"), AccessPattern.parse("fs/read_*"), AccessPattern.parse("fs/*"));

    assertThat(AccessPattern.firstMatch(patterns, tool("fs", "read_file"))).contains(patterns.get(1));
    assertThat(AccessPattern.firstMatch(patterns, tool("web", "read_file"))).isEmpty();
  }

  private static List<Kind> matchingKinds(String pattern) {
    AccessPattern p = AccessPattern.parse(pattern);
    return java.util.Arrays.stream(Kind.values()).filter(k -> p.matches(new Target.Item(k, "fs", "x"))).toList();
  }

  private static Target.Item tool(String server, String name) {
    return new Target.Item(Kind.TOOL, server, name);
  }

  private static Target.Item resource(String server, String uri) {
    return new Target.Item(Kind.RESOURCE, server, uri);
  }

  @Test
  void matchesGlobsWithSeveralStarsWithoutBacktrackingBlowUp() {
    org.assertj.core.api.Assertions.assertThat(AccessPattern.glob("read_*_*_file", "read_a_b_file")).isTrue();
    org.assertj.core.api.Assertions.assertThat(AccessPattern.glob("read_*_*_file", "read_" + "_".repeat(200_000))).isFalse();
    org.assertj.core.api.Assertions.assertThat(AccessPattern.glob("*", "")).isTrue();
    org.assertj.core.api.Assertions.assertThat(AccessPattern.glob("a*", "")).isFalse();
    org.assertj.core.api.Assertions.assertThat(AccessPattern.glob("*.md", "notes.md.exe")).isFalse();
  }
}
