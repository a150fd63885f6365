package dev.bulwark.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.config.UpstreamConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class NamespaceTest {
  private final Namespace namespace = new Namespace(List.of(
      upstream("filesystem", "fs"),
      upstream("github", null),
      upstream("docs", "")));

  @Test
  void exposesToolNamesAsPrefixDoubleUnderscoreName() {
    assertThat(namespace.exposeName("filesystem", "read_file")).isEqualTo("fs__read_file");
    assertThat(namespace.exposeName("github", "create_issue")).isEqualTo("github__create_issue");
  }

  @Test
  void resolvesAPrefixedNameToItsServer() {
    assertThat(namespace.resolveName("fs__read_file")).contains(new Namespace.Local("filesystem", "read_file"));
    assertThat(namespace.resolveName("github__create_issue"))
        .contains(new Namespace.Local("github", "create_issue"));
  }

  @Test
  void splitsAtTheFirstSeparatorOnly() {
    assertThat(namespace.resolveName("fs__a__b")).contains(new Namespace.Local("filesystem", "a__b"));
    assertThat(namespace.exposeName("filesystem", "a__b")).isEqualTo("fs__a__b");
  }

  @Test
  void exposesResourceUrisWithThePrefixInTheScheme() {
    assertThat(namespace.exposeUri("filesystem", "file:///etc/hosts")).isEqualTo("fs+file:///etc/hosts");
    assertThat(namespace.resolveUri("fs+file:///etc/hosts"))
        .contains(new Namespace.Local("filesystem", "file:///etc/hosts"));
  }

  @Test
  void keepsAPlusInsideTheUpstreamScheme() {
    assertThat(namespace.resolveUri("fs+git+ssh://host/repo"))
        .contains(new Namespace.Local("filesystem", "git+ssh://host/repo"));
  }

  @Test
  void givesTheEmptyPrefixServerItsNamesUnchanged() {
    assertThat(namespace.exposeName("docs", "search")).isEqualTo("search");
    assertThat(namespace.exposeUri("docs", "docs://intro")).isEqualTo("docs://intro");
    assertThat(namespace.resolveName("search")).contains(new Namespace.Local("docs", "search"));
    assertThat(namespace.resolveUri("docs://intro")).contains(new Namespace.Local("docs", "docs://intro"));
  }

  @Test
  void sendsAnUnknownPrefixToTheEmptyPrefixServer() {
    assertThat(namespace.resolveName("nope__x")).contains(new Namespace.Local("docs", "nope__x"));
    assertThat(namespace.resolveUri("nope+file:///x")).contains(new Namespace.Local("docs", "nope+file:///x"));
  }

  @Test
  void resolvesNothingWithoutAnEmptyPrefixServer() {
    Namespace prefixedOnly = new Namespace(List.of(upstream("filesystem", "fs")));

    assertThat(prefixedOnly.resolveName("read_file")).isEmpty();
    assertThat(prefixedOnly.resolveName("other__read_file")).isEmpty();
    assertThat(prefixedOnly.resolveUri("file:///etc/hosts")).isEmpty();
  }

  @Test
  void hidesAnUnprefixedItemWhoseNameReadsAsAnotherServers() {
    // docs has a tool literally named "fs__read_file": shown as-is it would route to filesystem.
    assertThat(namespace.nameRoutesBack("docs", "fs__read_file")).isFalse();
    assertThat(namespace.nameRoutesBack("docs", "search")).isTrue();
    assertThat(namespace.nameRoutesBack("docs", "unknown__thing")).isTrue();
  }

  @Test
  void hidesAnUnprefixedResourceWhoseUriReadsAsAnotherServers() {
    assertThat(namespace.uriRoutesBack("docs", "fs+file:///etc/shadow")).isFalse();
    assertThat(namespace.uriRoutesBack("docs", "file:///intro")).isTrue();
  }

  @Test
  void letsEveryPrefixedItemRouteBack() {
    assertThat(namespace.nameRoutesBack("filesystem", "read_file")).isTrue();
    assertThat(namespace.nameRoutesBack("filesystem", "github__x")).isTrue();
    assertThat(namespace.uriRoutesBack("filesystem", "github+x://y")).isTrue();
  }

  private static UpstreamConfig upstream(String name, String prefix) {
    return new UpstreamConfig(name, prefix, new UpstreamConfig.Stdio("server", null, null, null), null, null, null);
  }
}
