package dev.bulwark.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EgressPolicyTest {
  // A fake DNS: names the test controls, and a record of every name looked up.
  private final List<String> lookedUp = new ArrayList<>();
  private final Map<String, List<String>> dns = Map.ofEntries(
      Map.entry("api.example.com", List.of("93.184.216.34")),
      Map.entry("deep.cdn.example.com", List.of("93.184.216.35")),
      Map.entry("example.com", List.of("93.184.216.36")),
      Map.entry("internal.example.com", List.of("10.0.0.7")),
      Map.entry("rebind.example.com", List.of("127.0.0.1")),
      Map.entry("mixed.example.com", List.of("192.168.1.1", "93.184.216.37")),
      Map.entry("mapped.example.com", List.of("::ffff:127.0.0.1")),
      Map.entry("linklocal.example.com", List.of("169.254.169.254")),
      Map.entry("ula.example.com", List.of("fd12:3456::1")),
      Map.entry("cgnat.example.com", List.of("100.64.0.1")),
      Map.entry("teredo.example.com", List.of("2001:0:4136:e378:8000:63bf:3fff:fdd2")),
      Map.entry("nat64local.example.com", List.of("64:ff9b:1::a00:1")),
      Map.entry("relay.example.com", List.of("192.88.99.1")));
  private final Resolver resolver = host -> {
    lookedUp.add(host);
    List<String> a = dns.get(host);
    if (a == null) {
      throw new UnknownHostException(host);
    }
    List<InetAddress> out = new ArrayList<>();
    for (String s : a) {
      out.add(InetAddress.getByName(s));
    }
    return out;
  };

  private EgressPolicy policy(String... server) {
    return EgressPolicy.of(List.of(server), Optional.empty(), resolver);
  }

  private static String reason(Decision d) {
    return (d instanceof Decision.Allowed ? "allowed " : "refused ") + d.reason();
  }

  @Test
  void anEmptyServerListAllowsNothing() {
    EgressPolicy p = policy();
    assertThat(p.allowsNothing()).isTrue();
    assertThat(reason(p.decide("api.example.com", 443))).isEqualTo("refused no-egress");
    assertThat(lookedUp).isEmpty();
  }

  @Test
  void everyAgentOfADelegationChainNarrowsTheServersList() {
    EgressPolicy p = EgressPolicy.narrowed(List.of("api.example.com", "example.com"),
        List.of(List.of("api.example.com", "example.com"), List.of("example.com")), resolver);
    assertThat(reason(p.decide("example.com", 443))).startsWith("allowed allow:example.com");
    // The delegate's own list would allow it; the delegator's does not: refused, and not looked up.
    assertThat(reason(p.decide("api.example.com", 443))).isEqualTo("refused agent-not-allowlisted");
    assertThat(lookedUp).containsExactly("example.com");
    assertThat(EgressPolicy.narrowed(List.of("example.com"), List.of(List.of()), resolver).allowsNothing()).isTrue();
  }

  @Test
  void teredoLocalNat64TheRelayAnycastAndThisHostsOwnAddressesAreSpecial() throws Exception {
    EgressPolicy p = policy("*.example.com");
    for (String name : List.of("teredo.example.com", "nat64local.example.com", "relay.example.com")) {
      assertThat(reason(p.decide(name, 443))).as(name).startsWith("refused private-address:");
    }
    var own = java.net.NetworkInterface.networkInterfaces().flatMap(java.net.NetworkInterface::inetAddresses)
        .filter(a -> !a.isLoopbackAddress()).findFirst();
    own.ifPresent(a -> assertThat(Addresses.special(a)).as(a.toString()).isTrue());
  }

  @Test
  void aNameWithCharactersAResolverWouldReadOtherwiseIsRefusedUnresolved() {
    EgressPolicy p = policy("*.example.com");
    assertThat(reason(p.decide("x\\.example.com", 443))).isEqualTo("refused bad-destination");
    assertThat(reason(p.decide("a b.example.com", 443))).isEqualTo("refused bad-destination");
    assertThat(lookedUp).isEmpty();
  }

  @Test
  void anEntryWithoutAPortAllows443And80Only() {
    EgressPolicy p = policy("api.example.com");
    assertThat(p.decide("api.example.com", 443)).isInstanceOf(Decision.Allowed.class);
    assertThat(p.decide("api.example.com", 80)).isInstanceOf(Decision.Allowed.class);
    assertThat(reason(p.decide("api.example.com", 22))).isEqualTo("refused not-allowlisted");
    EgressPolicy ported = policy("api.example.com:8443");
    assertThat(ported.decide("api.example.com", 8443)).isInstanceOf(Decision.Allowed.class);
    assertThat(ported.decide("api.example.com", 443)).isInstanceOf(Decision.Refused.class);
  }

  @Test
  void aWildcardMatchesSubdomainsOnlyAndCaseAndTrailingDotDoNotMatter() {
    EgressPolicy p = policy("*.example.com");
    assertThat(p.decide("API.Example.COM.", 443)).isInstanceOf(Decision.Allowed.class);
    assertThat(p.decide("deep.cdn.example.com", 443)).isInstanceOf(Decision.Allowed.class);
    assertThat(reason(p.decide("example.com", 443))).isEqualTo("refused not-allowlisted");
    assertThat(reason(p.decide("evilexample.com", 443))).isEqualTo("refused not-allowlisted");
    assertThat(reason(p.decide("example.com.evil.net", 443))).isEqualTo("refused not-allowlisted");
  }

  @Test
  void theAllowedDecisionCarriesTheCheckedAddressAndTheEntry() throws Exception {
    Decision d = policy("api.example.com:443").decide("api.example.com", 443);
    assertThat(d).isEqualTo(new Decision.Allowed(InetAddress.getByName("93.184.216.34"), "allow:api.example.com:443"));
  }

  @Test
  void aRefusedNameIsNeverLookedUp() {
    EgressPolicy p = policy("api.example.com");
    p.decide("secret-data.attacker.example.net", 443);
    p.decide("api.example.com", 9999);
    assertThat(lookedUp).isEmpty();
  }

  @Test
  void aNameNeverUnlocksAPrivateOrLoopbackAddress() {
    EgressPolicy p = policy("*.example.com");
    assertThat(reason(p.decide("internal.example.com", 443))).isEqualTo("refused private-address:10.0.0.7");
    assertThat(reason(p.decide("rebind.example.com", 443))).isEqualTo("refused private-address:127.0.0.1");
    assertThat(reason(p.decide("mapped.example.com", 443))).isEqualTo("refused private-address:127.0.0.1");
    assertThat(reason(p.decide("linklocal.example.com", 443))).startsWith("refused private-address:169.254.169.254");
    assertThat(reason(p.decide("ula.example.com", 443))).startsWith("refused private-address:fd12:3456");
    assertThat(reason(p.decide("cgnat.example.com", 443))).startsWith("refused private-address:100.64.0.1");
  }

  @Test
  void aNameWithAPublicAndAPrivateAnswerGoesToThePublicOne() throws Exception {
    Decision d = policy("mixed.example.com").decide("mixed.example.com", 443);
    assertThat(d).isInstanceOf(Decision.Allowed.class);
    assertThat(((Decision.Allowed) d).address()).isEqualTo(InetAddress.getByName("93.184.216.37"));
  }

  @Test
  void aPrivateAddressIsReachableOnlyWhenAnEntryNamesTheAddress() throws Exception {
    EgressPolicy p = policy("internal.example.com", "10.0.0.0/8:443");
    Decision d = p.decide("internal.example.com", 443);
    assertThat(reason(d)).isEqualTo("allowed allow:10.0.0.0/8:443");
    assertThat(reason(p.decide("internal.example.com", 80))).isEqualTo("refused private-address:10.0.0.7");
    assertThat(reason(policy("127.0.0.1:8080").decide("127.0.0.1", 8080))).isEqualTo("allowed allow:127.0.0.1:8080");
    assertThat(reason(policy("127.0.0.1:8080").decide("127.0.0.1", 8081))).isEqualTo("refused private-address:127.0.0.1");
    assertThat(reason(policy("[::1]:8080").decide("[::1]", 8080))).isEqualTo("allowed allow:[::1]:8080");
  }

  @Test
  void literalLoopbackLinkLocalMappedAndUnspecifiedAddressesAreRefusedWithoutAnEntry() {
    EgressPolicy p = policy("*.example.com", "93.184.216.0/24");
    for (String literal : List.of("127.0.0.1", "0.0.0.0", "169.254.169.254", "10.1.2.3", "172.16.0.1", "192.168.0.1",
        "100.100.100.100", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:7f00:1::1")) {
      assertThat(p.decide(literal, 443)).as(literal).isInstanceOf(Decision.Refused.class);
      assertThat(p.decide(literal, 443).reason()).as(literal).startsWith("private-address:");
    }
    assertThat(p.decide("93.184.216.34", 443)).isInstanceOf(Decision.Allowed.class);
    assertThat(reason(p.decide("8.8.8.8", 443))).isEqualTo("refused not-allowlisted");
  }

  @Test
  void oddNumericFormsAreResolvedAndJudgedByTheirAddress() {
    // "127.1" is no strict literal: it goes to the resolver (here: unknown), never past the check.
    EgressPolicy p = policy("*.example.com");
    assertThat(p.decide("127.1", 443)).isInstanceOf(Decision.Refused.class);
    assertThat(p.decide("2130706433", 443)).isInstanceOf(Decision.Refused.class);
  }

  @Test
  void theAgentListNarrowsTheServerListAndNeverWidensIt() {
    EgressPolicy both = EgressPolicy.of(List.of("*.example.com"), Optional.of(List.of("api.example.com:443")), resolver);
    assertThat(reason(both.decide("api.example.com", 443)))
        .isEqualTo("allowed allow:*.example.com;agent:api.example.com:443");
    assertThat(reason(both.decide("deep.cdn.example.com", 443))).isEqualTo("refused agent-not-allowlisted");
    assertThat(reason(both.decide("api.example.com", 80))).isEqualTo("refused agent-not-allowlisted");
    EgressPolicy wider = EgressPolicy.of(List.of("api.example.com"), Optional.of(List.of("*.example.com", "evil.net")),
        resolver);
    assertThat(reason(wider.decide("evil.net", 443))).isEqualTo("refused not-allowlisted");
    EgressPolicy none = EgressPolicy.of(List.of("api.example.com"), Optional.of(List.of()), resolver);
    assertThat(none.allowsNothing()).isTrue();
    assertThat(none.decide("api.example.com", 443)).isInstanceOf(Decision.Refused.class);
    // A private address needs the address in the agent's list too.
    EgressPolicy priv = EgressPolicy.of(List.of("127.0.0.1:8080"), Optional.of(List.of("*.example.com")), resolver);
    assertThat(reason(priv.decide("127.0.0.1", 8080))).isEqualTo("refused private-address:127.0.0.1");
  }

  @Test
  void unresolvableAndMalformedDestinationsAreRefused() {
    EgressPolicy p = policy("*.example.com");
    assertThat(reason(p.decide("nowhere.example.com", 443))).isEqualTo("refused dns-failed");
    assertThat(reason(p.decide("api.example.com", 0))).isEqualTo("refused bad-destination");
    assertThat(reason(p.decide("api.example.com", 70000))).isEqualTo("refused bad-destination");
    assertThat(reason(p.decide("", 443))).isEqualTo("refused bad-destination");
    assertThat(reason(p.decide("user@api.example.com", 443))).isEqualTo("refused bad-destination");
  }

  @Test
  void malformedEntriesFailWhenThePolicyIsBuilt() {
    for (String bad : List.of("", "exa mple.com", "api.example.com:0", "api.example.com:x", "*.", "10.0.0.0/33",
        "foo/8", "[::1", "[::1]x", "*example.com", "a.*.example.com")) {
      assertThatThrownBy(() -> EgressPolicy.validate(List.of(bad))).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    EgressPolicy.validate(List.of("api.example.com", "*.example.com:8443", "203.0.113.7", "10.0.0.0/8:5432",
        "[2001:db8::1]:443", "[fd00::/8]", "::1"));
  }
}
