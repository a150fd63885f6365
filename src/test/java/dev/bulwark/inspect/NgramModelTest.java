package dev.bulwark.inspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class NgramModelTest {
  @Test
  void bundledModelIsSmallAndHasAThresholdPerSurface() throws Exception {
    try (InputStream in = NgramModel.class.getResourceAsStream(NgramModel.RESOURCE)) {
      assertTrue(in.readAllBytes().length < 2 * 1024 * 1024);
    }
    NgramModel m = NgramModel.bundled();
    for (Surface s : Surface.values()) {
      assertTrue(m.threshold(s) > 0 && m.threshold(s) < 1);
      assertEquals(0.5, m.calibrated(m.threshold(s), s), 1e-9);
    }
  }

  @Test
  void roundTripsThroughItsFileFormat() throws Exception {
    float[] w = new float[1 << 10];
    w[7] = 1.5f;
    NgramModel m = new NgramModel(10, 128, 64, new double[] {0.4, 0.6, 0.4}, -0.25, w);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    m.write(out);
    NgramModel back = NgramModel.read(new ByteArrayInputStream(out.toByteArray()));
    assertEquals(0.6, back.threshold(Surface.DESCRIPTION));
    String text = "some text that is long enough to be cut into a few windows ".repeat(10);
    assertEquals(m.score(text), back.score(text), 1e-12);
  }

  @Test
  void windowsCoverTheWholeTextWithOverlap() {
    NgramModel m = new NgramModel(10, 128, 64, new double[] {0.5, 0.5, 0.5}, 0, new float[1 << 10]);
    String text = "x".repeat(1000);
    var windows = m.windows(text);
    assertEquals(15, windows.size());
    assertTrue(windows.stream().allMatch(w -> w.length() <= 128));
    assertArrayEquals(new int[] {1}, new int[] {m.windows("short").size()});
  }
}
