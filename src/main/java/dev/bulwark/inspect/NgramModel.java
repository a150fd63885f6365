package dev.bulwark.inspect;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Logistic regression over {@link NgramFeatures}, trained by {@code InspectionTrainer}
 * (src/test/java) and shipped as a resource. A text is scored by its most suspicious window,
 * so an injection spliced into a long benign document is not diluted by it. One threshold
 * per surface was fixed on that surface's benign development data (at most 1% of it above)
 * when the model was trained; arguments, with no benign set of their own, use the response one.
 */
final class NgramModel {
  static final String RESOURCE = "/dev/bulwark/inspect/ngram-model.bin.gz";
  private static final int MAGIC = 0x42574E47; // "BWNG"
  private static final int VERSION = 3; // 3: sentence-initial word features

  private final NgramFeatures features;
  private final int bits;
  private final int window;
  private final int step;
  private final double[] thresholds;
  private final double bias;
  private final float[] weights;

  NgramModel(int bits, int window, int step, double[] thresholds, double bias, float[] weights) {
    if (weights.length != 1 << bits) throw new IllegalArgumentException("weights do not match bits");
    if (window < 64 || step < 16 || step > window) throw new IllegalArgumentException("bad window/step");
    this.features = new NgramFeatures(bits);
    this.bits = bits;
    this.window = window;
    this.step = step;
    if (thresholds.length != Surface.values().length) throw new IllegalArgumentException("one threshold per surface");
    this.thresholds = thresholds.clone();
    this.bias = bias;
    this.weights = weights;
  }

  /** The model bundled with Bulwark; a missing or corrupt resource is a build error. */
  static NgramModel bundled() {
    try (InputStream in = NgramModel.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException("missing resource " + RESOURCE);
      return read(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static NgramModel read(InputStream raw) throws IOException {
    DataInputStream in = new DataInputStream(new GZIPInputStream(raw));
    if (in.readInt() != MAGIC || in.readInt() != VERSION) throw new IOException("not an n-gram model");
    int bits = in.readInt();
    int window = in.readInt();
    int step = in.readInt();
    double[] thresholds = new double[Surface.values().length];
    for (int i = 0; i < thresholds.length; i++) thresholds[i] = in.readDouble();
    double bias = in.readDouble();
    float[] w = new float[1 << bits];
    for (int i = 0; i < w.length; i++) w[i] = in.readFloat();
    return new NgramModel(bits, window, step, thresholds, bias, w);
  }

  void write(OutputStream raw) throws IOException {
    GZIPOutputStream gz = new GZIPOutputStream(raw);
    DataOutputStream out = new DataOutputStream(gz);
    out.writeInt(MAGIC);
    out.writeInt(VERSION);
    out.writeInt(bits);
    out.writeInt(window);
    out.writeInt(step);
    for (double t : thresholds) out.writeDouble(t);
    out.writeDouble(bias);
    for (float f : weights) out.writeFloat(f);
    out.flush();
    gz.finish();
  }

  NgramModel withThresholds(double[] t) {
    return new NgramModel(bits, window, step, t, bias, weights);
  }

  double threshold(Surface surface) {
    return thresholds[surface.ordinal()];
  }

  NgramFeatures features() {
    return features;
  }

  /** Probability that the most suspicious window of {@code text} is an injection. */
  double score(String text) {
    double best = 0;
    for (String w : windows(text)) best = Math.max(best, probability(features.extract(w)));
    return best;
  }

  double probability(NgramFeatures.Sparse x) {
    double z = bias;
    int[] idx = x.index();
    float[] val = x.value();
    for (int i = 0; i < idx.length; i++) z += weights[idx[i]] * val[i];
    return 1 / (1 + Math.exp(-z));
  }

  List<String> windows(String text) {
    List<String> out = new ArrayList<>();
    if (text.length() <= window) {
      out.add(text);
      return out;
    }
    for (int start = 0; ; start += step) {
      int end = Math.min(text.length(), start + window);
      out.add(text.substring(start, end));
      if (end == text.length()) return out;
    }
  }

  /** Maps a probability onto the shared finding scale: the threshold lands on 0.5. */
  double calibrated(double p, Surface surface) {
    double threshold = thresholds[surface.ordinal()];
    if (p >= threshold) return Math.min(1, 0.5 + 0.5 * (p - threshold) / Math.max(1e-9, 1 - threshold));
    return 0.5 * p / Math.max(1e-9, threshold);
  }
}
