package dev.bulwark.inspect;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Trains the bundled n-gram model reproducibly: same data, same seed, same bytes.
 *
 * <pre>java -cp ... dev.bulwark.inspect.InspectionTrainer [datasets-dir] [model-out]</pre>
 *
 * Examples are cut into the scanner's own windows: benign windows (and benign sentences
 * alone) are negatives, windows covering most of an injected span (and the span alone) are positives, windows that only
 * graze it are skipped. Logistic regression by SGD with a fixed seed and class weights; the
 * threshold is then fixed on benign dev texts so at most 1% of them (per surface) score
 * above it. Dev injections are never used here.
 */
public final class InspectionTrainer {
  // Overridable (-Dinspect.bits=…) only to compare settings; the bundled model uses the defaults.
  static final int BITS = Integer.getInteger("inspect.bits", 17);
  static final int WINDOW = Integer.getInteger("inspect.window", 256);
  static final int STEP = WINDOW / 2;
  static final int EPOCHS = Integer.getInteger("inspect.epochs", 12);
  static final boolean SPAN_ALONE = Boolean.parseBoolean(System.getProperty("inspect.spanAlone", "false"));

  private record Instance(NgramFeatures.Sparse x, boolean y) {}

  public static void main(String[] args) throws IOException {
    Path data = Path.of(args.length > 0 ? args[0] : "../shared/datasets");
    Path out = Path.of(args.length > 1 ? args[1] : "src/main/resources/dev/bulwark/inspect/ngram-model.bin.gz");
    InspectionData d = new InspectionData(data);
    NgramModel model = train(d);
    Files.createDirectories(out.getParent());
    try (OutputStream o = Files.newOutputStream(out)) {
      model.write(o);
    }
    System.out.printf("model %s: %d bytes%n", out, Files.size(out));
  }

  static NgramModel train(InspectionData d) {
    Canonicalizer canonicalizer = new Canonicalizer();
    NgramModel shape = new NgramModel(BITS, WINDOW, STEP, new double[] {0.5, 0.5, 0.5}, 0, new float[1 << BITS]);
    NgramFeatures f = shape.features();
    List<Instance> instances = new ArrayList<>();
    for (InspectionData.Example e : d.examples) {
      if (e.dev()) continue;
      String text = e.text();
      if (e.injection()) {
        if (SPAN_ALONE) instances.add(new Instance(f.extract(text.substring(e.start(), e.end())), true));
      } else {
        // Benign sentences on their own balance the injected spans on their own above;
        // without them the model learns "short text" as a sign of injection.
        for (String sentence : text.split("(?<=[.!?|])\\s+|\\n+")) {
          if (sentence.length() >= 20 && sentence.length() < text.length()) {
            instances.add(new Instance(f.extract(sentence), false));
          }
        }
      }
      int start = 0;
      for (String w : shape.windows(text)) {
        int end = start + w.length();
        if (!e.injection()) {
          instances.add(new Instance(f.extract(w), false));
        } else {
          int overlap = Math.max(0, Math.min(end, e.end()) - Math.max(start, e.start()));
          int span = Math.max(1, e.end() - e.start());
          if (overlap == 0) instances.add(new Instance(f.extract(w), false));
          else if (overlap * 10 >= Math.min(span, w.length()) * 6) instances.add(new Instance(f.extract(w), true));
        }
        start += STEP;
      }
    }
    long positives = instances.stream().filter(Instance::y).count();
    double wPos = instances.size() / (2.0 * positives);
    double wNeg = instances.size() / (2.0 * (instances.size() - positives));
    System.out.printf("training on %d windows (%d positive)%n", instances.size(), positives);

    float[] w = new float[1 << BITS];
    double bias = 0;
    Random random = new Random(InspectionData.SEED);
    double lambda = 1e-6;
    long t = 0;
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
      Collections.shuffle(instances, random);
      for (Instance in : instances) {
        double eta = 0.5 / (1 + 1e-5 * t++);
        double z = bias;
        int[] idx = in.x().index();
        float[] val = in.x().value();
        for (int i = 0; i < idx.length; i++) z += w[idx[i]] * val[i];
        double p = 1 / (1 + Math.exp(-z));
        double g = (p - (in.y() ? 1 : 0)) * (in.y() ? wPos : wNeg);
        for (int i = 0; i < idx.length; i++) {
          w[idx[i]] -= (float) (eta * (g * val[i] + lambda * w[idx[i]]));
        }
        bias -= eta * g;
      }
    }
    NgramModel model = new NgramModel(BITS, WINDOW, STEP, new double[] {0.5, 0.5, 0.5}, bias, w);
    double[] thresholds = new double[Surface.values().length];
    for (Surface s : Surface.values()) {
      List<Double> scores = new ArrayList<>();
      for (InspectionData.Example e : d.examples) {
        if (e.dev() && !e.injection() && e.surface() == s) {
          scores.add(model.score(canonicalizer.canonicalize(e.text()).text()));
        }
      }
      if (s == Surface.ARGUMENTS) continue;
      scores.sort(Collections.reverseOrder());
      int allowed = (int) Math.floor(scores.size() * 0.01);
      double t1 = Math.nextUp(scores.get(allowed));
      System.out.printf("%s: %d benign dev texts, 1%% FPR threshold %.4f%n", s, scores.size(), t1);
      thresholds[s.ordinal()] = t1;
    }
    thresholds[Surface.ARGUMENTS.ordinal()] = thresholds[Surface.RESPONSE.ordinal()];
    return model.withThresholds(thresholds);
  }

  private InspectionTrainer() {}
}
