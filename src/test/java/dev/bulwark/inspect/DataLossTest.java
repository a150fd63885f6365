package dev.bulwark.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.mcp.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataLossTest {
  private final DataLoss dataLoss = new DataLoss(t -> dev.bulwark.vault.Redactor.scrubFormats(t));

  private List<Finding.Kind> kinds(String text) {
    return dataLoss.scan(Json.object().put("v", text)).stream().map(Finding::kind).toList();
  }

  @Test
  void findsCredentialFormatsThroughTheVaultsRedactor() {
    assertThat(kinds("token ghp_" + "a".repeat(36))).containsExactly(Finding.Kind.SECRET);
  }

  // Nothing refuses long texts when inspection is disabled or in a client's answer to a server:
  // the secret check must read all of one.
  @Test
  void findsASecretPastTheFirstMegabyteOfAText() {
    String padded = "x".repeat(1 << 20) + " token ghp_" + "a".repeat(36);
    assertThat(kinds(padded)).contains(Finding.Kind.SECRET);
    assertThat(dataLoss.scan(Json.object().put(padded, 1)).stream().map(Finding::kind)).contains(Finding.Kind.SECRET);
  }

  @Test
  void findsIbansOnlyWithValidCheckDigits() {
    assertThat(kinds("pay to DE89 3704 0044 0532 0130 00")).containsExactly(Finding.Kind.PERSONAL_DATA);
    assertThat(kinds("pay to DE88 3704 0044 0532 0130 00")).isEmpty();
    assertThat(kinds("GB82WEST12345698765432")).containsExactly(Finding.Kind.PERSONAL_DATA);
  }

  @Test
  void findsCardNumbersOnlyWhenLuhnHolds() {
    assertThat(kinds("5500-0000-0000-0004")).containsExactly(Finding.Kind.PERSONAL_DATA);
    assertThat(kinds("5500-0000-0000-0005")).isEmpty();
    assertThat(kinds("build 20240101123456")).isEmpty();
  }

  @Test
  void findsSocialSecurityNumbersThatCouldBeIssued() {
    assertThat(kinds("ssn 123-45-6789")).containsExactly(Finding.Kind.PERSONAL_DATA);
    assertThat(kinds("ssn 666-45-6789")).isEmpty();
    assertThat(kinds("ssn 123-00-6789")).isEmpty();
  }

  @Test
  void findsContactDetails() {
    assertThat(kinds("mail bob@example.org or call +49 30 1234567")).containsExactly(Finding.Kind.CONTACT_DETAILS,
        Finding.Kind.CONTACT_DETAILS);
    assertThat(kinds("version 1.2.3 at 10:30")).isEmpty();
  }

  @Test
  void evidenceNeverHoldsTheValue() {
    assertThat(dataLoss.scan(Json.object().put("v", "DE89 3704 0044 0532 0130 00 ghp_" + "a".repeat(36))))
        .allSatisfy(f -> assertThat(f.evidence()).doesNotContain("3704").doesNotContain("aaaa"));
  }

  @Test
  void findsASecretValueTheGatewayResolvedWhateverItsShape() {
    dev.bulwark.vault.KnownSecrets known = new dev.bulwark.vault.KnownSecrets(10);
    DataLoss withKnown = new DataLoss(t -> known.redactor().scrub(t));
    ObjectNode args = Json.object().put("body", "the password is correct-horse-battery");
    assertThat(withKnown.scan(args)).isEmpty();

    known.remember(List.of(dev.bulwark.vault.Secret.of("correct-horse-battery")));

    assertThat(withKnown.scan(args)).singleElement().satisfies(f -> {
      assertThat(f.kind()).isEqualTo(Finding.Kind.SECRET);
      assertThat(f.location()).isEqualTo("/body");
      assertThat(f.evidence()).doesNotContain("horse");
    });
  }
}
