package dev.bulwark.inspect;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Prints the figures of docs/INSPECTION.md as markdown: recall on dev injections at the
 * model's fixed threshold, per surface and per technique; false positives on benign dev and
 * on hard benign texts; scan time per 4 KB.
 *
 * <pre>java -cp ... dev.bulwark.inspect.InspectionEvaluation [datasets-dir] [model]</pre>
 */
public final class InspectionEvaluation {
  public static void main(String[] args) throws IOException {
    Path data = Path.of(args.length > 0 ? args[0] : "../shared/datasets");
    Path modelFile = Path.of(args.length > 1 ? args[1] : "src/main/resources/dev/bulwark/inspect/ngram-model.bin.gz");
    NgramModel model;
    try (InputStream in = Files.newInputStream(modelFile)) {
      model = NgramModel.read(in);
    }
    TextInspector inspector = new TextInspector(new Canonicalizer(), new Rules(Set.of()), model);
    TextInspector rulesOnly = new TextInspector(new Canonicalizer(), new Rules(Set.of()), model.withThresholds(new double[] {1 - 1e-12, 1 - 1e-12, 1 - 1e-12}));
    InspectionData d = new InspectionData(data);
    System.out.printf("model thresholds: response %.4f, description %.4f; %d bytes%n%n", model.threshold(Surface.RESPONSE),
        model.threshold(Surface.DESCRIPTION), Files.size(modelFile));

    System.out.println("| surface | dev injections | recall (classifier) | recall (rules) | recall (combined) | benign dev | FPR (classifier) | FPR (combined) |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (Surface s : List.of(Surface.RESPONSE, Surface.DESCRIPTION)) {
      List<InspectionData.Example> pos = select(d.examples, e -> e.dev() && e.injection() && e.surface() == s);
      List<InspectionData.Example> neg = select(d.examples, e -> e.dev() && !e.injection() && e.surface() == s);
      System.out.printf("| %s | %d | %s | %s | %s | %d | %s | %s |%n", s.name().toLowerCase(), pos.size(),
          pct(rate(pos, e -> classifierHit(inspector, e))), pct(rate(pos, e -> rulesOnly.inspectText(s, e.text()).detected())),
          pct(rate(pos, e -> inspector.inspectText(s, e.text()).detected())), neg.size(),
          pct(rate(neg, e -> classifierHit(inspector, e))), pct(rate(neg, e -> inspector.inspectText(s, e.text()).detected())));
    }

    // The sets of the first slice alone (without our generated texts), comparable with its figures.
    List<InspectionData.Example> oldPos = select(d.examples, e -> e.dev() && e.injection() && e.surface() == Surface.RESPONSE
        && !e.technique().startsWith("generated"));
    List<InspectionData.Example> oldNeg = select(d.examples, e -> e.dev() && !e.injection() && e.surface() == Surface.RESPONSE
        && !e.technique().startsWith("generated"));
    System.out.printf("| response, first-slice sets only | %d | %s | %s | %s | %d | %s | %s |%n", oldPos.size(),
        pct(rate(oldPos, e -> classifierHit(inspector, e))), pct(rate(oldPos, e -> rulesOnly.inspectText(e.surface(), e.text()).detected())),
        pct(rate(oldPos, e -> inspector.inspectText(e.surface(), e.text()).detected())), oldNeg.size(),
        pct(rate(oldNeg, e -> classifierHit(inspector, e))), pct(rate(oldNeg, e -> inspector.inspectText(e.surface(), e.text()).detected())));

    System.out.println();
    System.out.println("| benign dev, by source | n | flagged (combined) |");
    System.out.println("|---|---|---|");
    Map<String, List<InspectionData.Example>> benignBySource = new TreeMap<>();
    for (InspectionData.Example e : d.examples) {
      if (e.dev() && !e.injection()) benignBySource.computeIfAbsent(e.surface().name().toLowerCase() + ": " + e.technique(), k -> new ArrayList<>()).add(e);
    }
    benignBySource.forEach((k, list) -> System.out.printf("| %s | %d | %s |%n", k, list.size(),
        pct(rate(list, e -> inspector.inspectText(e.surface(), e.text()).detected()))));

    System.out.println();
    System.out.println("| technique (dev) | n | recall (combined) | recall (classifier) |");
    System.out.println("|---|---|---|---|");
    Map<String, List<InspectionData.Example>> byTechnique = new TreeMap<>();
    for (InspectionData.Example e : d.examples) {
      if (e.dev() && e.injection()) byTechnique.computeIfAbsent(e.technique(), k -> new ArrayList<>()).add(e);
    }
    List<InspectionData.Example> base = byTechnique.getOrDefault("injecagent-base", List.of());
    for (InspectionData.Example e : base) {
      for (Map.Entry<String, String> o : InspectionData.obfuscations(e).entrySet()) {
        byTechnique.computeIfAbsent("obfuscated: " + o.getKey(), k -> new ArrayList<>())
            .add(new InspectionData.Example(e.surface(), o.getValue(), true, o.getKey(), true, -1, -1));
      }
    }
    byTechnique.forEach((technique, list) -> System.out.printf("| %s | %d | %s | %s |%n", technique, list.size(),
        pct(rate(list, e -> inspector.inspectText(e.surface(), e.text()).detected())),
        pct(rate(list, e -> classifierHit(inspector, e)))));

    System.out.println();
    System.out.println("| hard benign set | n | flagged (combined) | flagged (classifier) |");
    System.out.println("|---|---|---|---|");
    Map<String, List<InspectionData.Example>> hard = new TreeMap<>();
    hard.put("notinject: all", d.hardBenign);
    d.hardBenign.forEach(e -> hard.computeIfAbsent(e.technique(), k -> new ArrayList<>()).add(e));
    hard.put("bipia emails (test split)", select(d.examples, e -> e.technique().equals("bipia-email") && e.dev()));
    hard.forEach((name, list) -> System.out.printf("| %s | %d | %s | %s |%n", name, list.size(),
        pct(rate(list, e -> inspector.inspectText(Surface.RESPONSE, e.text()).detected())),
        pct(rate(list, e -> classifierHit(inspector, e)))));
    new TreeMap<>(HardBenignExamples.BY_KIND).forEach((kind, texts) -> System.out.printf("| own: %s | %d | %s | %s |%n", kind, texts.size(),
        pct(fraction(texts, t -> inspector.inspectText(Surface.RESPONSE, t).detected())),
        pct(fraction(texts, t -> classifierHit(inspector, Surface.RESPONSE, t)))));

    System.out.println();
    System.out.println("| language | injections | recall (combined) | recall (rules) | recall (classifier) | benign | flagged (combined) |");
    System.out.println("|---|---|---|---|---|---|---|");
    new TreeMap<>(MultilingualExamples.BY_LANGUAGE).forEach((lang, l) -> System.out.printf("| %s | %d | %s | %s | %s | %d | %s |%n", lang,
        l.injections().size(), pct(fraction(l.injections(), t -> inspector.inspectText(Surface.RESPONSE, t).detected())),
        pct(fraction(l.injections(), t -> rulesOnly.inspectText(Surface.RESPONSE, t).detected())),
        pct(fraction(l.injections(), t -> classifierHit(inspector, Surface.RESPONSE, t))), l.benign().size(),
        pct(fraction(l.benign(), t -> inspector.inspectText(Surface.RESPONSE, t).detected()))));

    System.out.println();
    System.out.println("| tool definitions (own set) | split | n | detected (combined) | detected (rules) |");
    System.out.println("|---|---|---|---|---|");
    Map<String, List<ToolDefinitionExamples.Definition>> defs = new TreeMap<>();
    for (ToolDefinitionExamples.Definition def : ToolDefinitionExamples.ALL) {
      String split = InspectionData.dev("tooldef:" + def.name()) ? "dev" : "rest";
      defs.computeIfAbsent(def.technique() + " | " + split, k -> new ArrayList<>()).add(def);
      defs.computeIfAbsent((def.poisoned() ? "all poisoned" : "all benign") + " | all", k -> new ArrayList<>()).add(def);
    }
    defs.forEach((k, list) -> System.out.printf("| %s | %d | %s | %s |%n", k, list.size(),
        pct(fraction(list, def -> definition(inspector, def).detected())),
        pct(fraction(list, def -> definition(rulesOnly, def).detected()))));
    for (ToolDefinitionExamples.Definition def : ToolDefinitionExamples.ALL) {
      if (definition(inspector, def).detected() != def.poisoned()) System.err.println("DEF " + (def.poisoned() ? "missed " : "FP ") + def.name());
    }
    for (InspectionData.Example e : select(d.examples, e -> e.dev() && !e.injection())) {
      var v = inspector.inspectText(e.surface(), e.text());
      if (v.detected()) System.err.println("FP dev " + v.findings().get(0) + " " + e.text().replace('\n', ' '));
    }
    for (InspectionData.Example e : d.hardBenign) {
      var v = inspector.inspectText(Surface.RESPONSE, e.text());
      if (v.detected()) System.err.println("FP " + v.findings().get(0).kind() + " " + e.text().replace('\n', ' '));
    }

    timing(inspector, d);
  }

  private static Verdict definition(TextInspector inspector, ToolDefinitionExamples.Definition def) {
    try {
      return inspector.inspectDefinition(def.name(), def.description(),
          def.schema() == null ? null : new com.fasterxml.jackson.databind.ObjectMapper().readTree(def.schema()));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static boolean classifierHit(TextInspector inspector, Surface s, String text) {
    return inspector.inspectText(s, text).findings().stream()
        .anyMatch(f -> f.kind() == Finding.Kind.CLASSIFIER && f.score() >= Inspection.DETECTED);
  }

  private static <T> double fraction(List<T> list, Predicate<T> p) {
    return list.isEmpty() ? 0 : (double) list.stream().filter(p).count() / list.size();
  }

  private static boolean classifierHit(TextInspector inspector, InspectionData.Example e) {
    return inspector.inspectText(e.surface(), e.text()).findings().stream()
        .anyMatch(f -> f.kind() == Finding.Kind.CLASSIFIER && f.score() >= Inspection.DETECTED);
  }

  private static void timing(TextInspector inspector, InspectionData d) {
    List<String> benign = new ArrayList<>();
    d.examples.stream().filter(e -> e.technique().equals("bipia-email")).forEach(e -> benign.add(e.text()));
    List<String> injections = select(d.examples, e -> e.injection() && e.surface() == Surface.RESPONSE)
        .stream().map(InspectionData.Example::text).toList();
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      StringBuilder b = new StringBuilder();
      int k = i;
      while (b.length() < 4096) b.append(benign.get(k++ % benign.size())).append("\n\n");
      if (i % 2 == 1) b.insert(2048, injections.get(i % injections.size()));
      texts.add(b.substring(0, 4096));
    }
    for (int r = 0; r < 10; r++) texts.forEach(t -> inspector.inspectText(Surface.RESPONSE, t));
    long[] nanos = new long[texts.size() * 10];
    int n = 0;
    for (int r = 0; r < 10; r++) {
      for (String t : texts) {
        long s = System.nanoTime();
        inspector.inspectText(Surface.RESPONSE, t);
        nanos[n++] = System.nanoTime() - s;
      }
    }
    Arrays.sort(nanos);
    System.out.printf("%nscan time per 4 KB response (%d scans, one thread): p50 %.3f ms, p99 %.3f ms, max %.3f ms%n",
        n, nanos[n / 2] / 1e6, nanos[(int) (n * 0.99)] / 1e6, nanos[n - 1] / 1e6);
  }

  private static List<InspectionData.Example> select(List<InspectionData.Example> all, Predicate<InspectionData.Example> p) {
    return all.stream().filter(p).toList();
  }

  private static double rate(List<InspectionData.Example> list, Predicate<InspectionData.Example> p) {
    return list.isEmpty() ? 0 : (double) list.stream().filter(p).count() / list.size();
  }

  private static String pct(double r) {
    return String.format("%.1f%%", 100 * r);
  }

  private InspectionEvaluation() {}
}
