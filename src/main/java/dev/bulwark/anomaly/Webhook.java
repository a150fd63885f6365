package dev.bulwark.anomaly;

import dev.bulwark.config.AnomalyConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends alerts (and approval requests and decisions) to a receiver the customer runs. Each POST carries
 * {@code Bulwark-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">}: the
 * receiver recomputes it with the shared secret and rejects stale timestamps, so a forged
 * or replayed alert is refused. Delivery is retried with backoff; a receiver that stays
 * down loses nothing recorded — every alert is in the audit trail and the review queue.
 */
public final class Webhook {
  private static final Logger LOG = LoggerFactory.getLogger(Webhook.class);
  public static final String HEADER = "Bulwark-Signature";
  private static final int ATTEMPTS = 4;

  private final URI url;
  private final byte[] key;
  private final HttpClient http;
  private final Clock clock;
  private final Duration firstBackoff;

  public Webhook(AnomalyConfig.Webhook config, Clock clock, Duration firstBackoff) {
    this.url = config.url();
    this.key = config.secret().reveal(dev.bulwark.vault.SecretAccess.plaintext()).getBytes(StandardCharsets.UTF_8);
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER).build();
    this.clock = clock;
    this.firstBackoff = firstBackoff;
  }

  /** The signature header's value for a body sent at {@code epochSeconds}. */
  public static String signature(byte[] key, long epochSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update((epochSeconds + ".").getBytes(StandardCharsets.US_ASCII));
      return "t=" + epochSeconds + ",v1=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** Posts until a 2xx answer or the attempts run out; true if delivered. Blocks: call off the call path. */
  public boolean deliver(byte[] body) {
    Duration backoff = firstBackoff;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
          .header("Content-Type", "application/json")
          .header(HEADER, signature(key, clock.instant().getEpochSecond(), body))
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
      try {
        int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status / 100 == 2) {
          return true;
        }
        LOG.warn("alert webhook {} answered {} (attempt {} of {})", url, status, attempt, ATTEMPTS);
      } catch (java.io.IOException e) {
        LOG.warn("alert webhook {} unreachable: {} (attempt {} of {})", url, e.getMessage(), attempt, ATTEMPTS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      if (attempt < ATTEMPTS) {
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
        backoff = backoff.multipliedBy(2);
      }
    }
    LOG.error("alert webhook {} not delivered after {} attempts; the alert stays in the audit trail and the review "
        + "queue", url, ATTEMPTS);
    return false;
  }
}
