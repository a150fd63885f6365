package dev.bulwark.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Labelled examples built from ../shared/datasets (never copied into the repository) and
 * {@link HandwrittenExamples}. The split is deterministic: a group goes to dev when the
 * first byte of SHA-256(group key) is divisible by 5 (about 20%). Groups keep related rows
 * together: an InjecAgent attacker instruction (it appears in 17 rows, base and enhanced),
 * a tools.json toolkit, a handwritten text. BIPIA keeps its upstream train/test split
 * (test attack categories are unseen in training). NotInject is never trained on.
 */
final class InspectionData {
  static final long SEED = 20261130L;
  static final boolean FOREIGN = Boolean.parseBoolean(System.getProperty("inspect.foreign", "false"));
  private static final ObjectMapper JSON = new ObjectMapper();

  /** {@code start}/{@code end}: where the injected part is (-1 for benign texts). */
  record Example(Surface surface, String text, boolean injection, String technique, boolean dev, int start, int end) {}

  private final Path root;
  final List<Example> examples = new ArrayList<>();
  final List<Example> hardBenign = new ArrayList<>();

  InspectionData(Path root) throws IOException {
    this.root = root;
    Random random = new Random(SEED);
    injecAgent();
    bipia(random);
    generated(new Random(SEED + 1));
    descriptions(random);
    notInject();
  }

  static boolean dev(String key) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return (h[0] & 0xff) % 5 == 0;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void injecAgent() throws IOException {
    for (String variant : List.of("dh_base", "ds_base", "dh_enhanced", "ds_enhanced")) {
      for (JsonNode c : JSON.readTree(root.resolve("injecagent/test_cases_" + variant + ".json").toFile())) {
        String instruction = c.get("Attacker Instruction").asText();
        String text = unquote(c.get("Tool Response").asText());
        int start = text.indexOf(variant.endsWith("enhanced") ? "IMPORTANT!!!" : instruction);
        if (start < 0) start = Math.max(0, text.indexOf(instruction));
        int end = Math.min(text.length(), text.indexOf(instruction, start) + instruction.length());
        String technique = "injecagent-" + variant.substring(3);
        examples.add(new Example(Surface.RESPONSE, text, true, technique, dev(instruction), start, Math.max(end, start)));
      }
    }
    List<String> templates = new ArrayList<>();
    for (String line : Files.readAllLines(root.resolve("injecagent/user_cases.jsonl"))) {
      JsonNode u = JSON.readTree(line);
      templates.add(u.get("Tool Response Template").asText());
      String task = u.get("User Instruction").asText();
      examples.add(new Example(Surface.RESPONSE, task, false, "injecagent-user-task", dev("task:" + task), -1, -1));
    }
    List<String> fills = new ArrayList<>(HandwrittenExamples.BENIGN_FILLS);
    for (JsonNode e : lines("bipia/email_train.jsonl")) fills.add(emailSnippet(e));
    for (JsonNode e : lines("bipia/email_test.jsonl")) fills.add(emailSnippet(e));
    for (String fill : fills) {
      boolean dev = dev("fill:" + fill);
      for (String t : templates) {
        examples.add(new Example(Surface.RESPONSE, t.replace("<Attacker Instruction>", fill.replace("'", "\\'")), false,
            "injecagent-benign-fill", dev, -1, -1));
      }
    }
    this.templates = templates;
  }

  private List<String> templates;

  private void bipia(Random random) throws IOException {
    for (String split : List.of("train", "test")) {
      boolean dev = split.equals("test");
      List<String> emails = new ArrayList<>();
      for (JsonNode e : lines("bipia/email_" + split + ".jsonl")) emails.add(e.get("context").asText());
      emails.forEach(e -> examples.add(new Example(Surface.RESPONSE, e, false, "bipia-email", dev, -1, -1)));
      // user questions about the emails: benign requests, so "a request" alone is not learned as an injection
      for (JsonNode e : lines("bipia/email_" + split + ".jsonl")) {
        examples.add(new Example(Surface.RESPONSE, e.get("question").asText().replaceFirst("^Q: ", ""), false,
            "bipia-question", dev, -1, -1));
      }
      for (String kind : List.of("text", "code")) {
        JsonNode attacks = JSON.readTree(root.resolve("bipia/" + kind + "_attack_" + split + ".json").toFile());
        for (Iterator<Map.Entry<String, JsonNode>> it = attacks.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> category = it.next();
          for (JsonNode a : category.getValue()) {
            String attack = a.asText();
            String email = emails.get(random.nextInt(emails.size()));
            int at = sentenceBoundary(email, random);
            String text = email.substring(0, at) + " " + attack + " " + email.substring(at);
            examples.add(new Example(Surface.RESPONSE, text, true, "bipia-" + kind, dev, at + 1, at + 1 + attack.length()));
            String template = templates.get(random.nextInt(templates.size()));
            int slot = template.indexOf("<Attacker Instruction>");
            String filled = template.replace("<Attacker Instruction>", attack.replace("'", "\\'"));
            examples.add(new Example(Surface.RESPONSE, filled, true, "bipia-" + kind + "-in-tool-output", dev, slot,
                slot + attack.length()));
          }
        }
      }
    }
  }

  /** Our own generated texts (see {@link GeneratedExamples}); split by the clause they were built around. */
  private void generated(Random random) {
    List<String> containers = new ArrayList<>(GeneratedExamples.CONTAINERS);
    for (String t : templates) containers.add(t.replace("<Attacker Instruction>", "{r}"));
    for (GeneratedExamples.Text t : GeneratedExamples.benignRequests(random, containers)) {
      examples.add(new Example(Surface.RESPONSE, t.text(), false, "generated-benign-request", dev(t.key()), -1, -1));
    }
    for (GeneratedExamples.Text t : GeneratedExamples.benignQueries(random)) {
      examples.add(new Example(Surface.RESPONSE, t.text(), false, "generated-benign-query", dev(t.key()), -1, -1));
    }
    for (GeneratedExamples.Text t : GeneratedExamples.injections(random, containers)) {
      examples.add(new Example(Surface.RESPONSE, t.text(), true, "generated-injection", dev(t.key()), t.start(), t.end()));
    }
    if (FOREIGN) {
      for (GeneratedExamples.Text t : GeneratedExamples.foreign(random, containers, false)) {
        examples.add(new Example(Surface.RESPONSE, t.text(), false, "generated-benign-foreign", dev(t.key()), -1, -1));
      }
      for (GeneratedExamples.Text t : GeneratedExamples.foreign(random, containers, true)) {
        examples.add(new Example(Surface.RESPONSE, t.text(), true, "generated-injection-foreign", dev(t.key()), t.start(), t.end()));
      }
    }
  }

  private void descriptions(Random random) throws IOException {
    List<String> attacker = new ArrayList<>();
    for (String f : List.of("attacker_cases_dh.jsonl", "attacker_cases_ds.jsonl")) {
      for (JsonNode a : lines("injecagent/" + f)) attacker.add(a.get("Attacker Instruction").asText());
    }
    for (JsonNode kit : JSON.readTree(root.resolve("injecagent/tools.json").toFile())) {
      boolean dev = dev("toolkit:" + kit.get("toolkit").asText());
      for (JsonNode tool : kit.get("tools")) {
        StringBuilder d = new StringBuilder(tool.path("summary").asText());
        for (JsonNode p : tool.path("parameters")) {
          d.append("\n").append(p.path("name").asText()).append(": ").append(p.path("description").asText());
        }
        String benign = d.toString();
        examples.add(new Example(Surface.DESCRIPTION, benign, false, "tools.json", dev, -1, -1));
        int k = random.nextInt(HandwrittenExamples.POISON_TEMPLATES.size());
        // dev poisons use the odd templates, train poisons the even ones
        k = (k & ~1) | (dev ? 1 : 0);
        if (k >= HandwrittenExamples.POISON_TEMPLATES.size()) k -= 2;
        String payload = HandwrittenExamples.POISON_TEMPLATES.get(k)
            .replace("{p}", HandwrittenExamples.PATHS.get(random.nextInt(HandwrittenExamples.PATHS.size())))
            .replace("{t}", HandwrittenExamples.OTHER_TOOLS.get(random.nextInt(HandwrittenExamples.OTHER_TOOLS.size())));
        int at = tool.path("summary").asText().length();
        String poisoned = benign.substring(0, at) + " " + payload + benign.substring(at);
        examples.add(new Example(Surface.DESCRIPTION, poisoned, true, "description-template", dev, at + 1, at + 1 + payload.length()));
        String instruction = attacker.get(random.nextInt(attacker.size()));
        if (dev(instruction) == dev) {
          String withTask = benign.substring(0, at) + " " + instruction + benign.substring(at);
          examples.add(new Example(Surface.DESCRIPTION, withTask, true, "description-attacker-instruction", dev, at + 1,
              at + 1 + instruction.length()));
        }
      }
      examples.add(new Example(Surface.DESCRIPTION, kit.path("description_for_model").asText(), false, "tools.json", dev, -1, -1));
    }
  }

  private void notInject() throws IOException {
    for (String f : List.of("one", "two", "three")) {
      for (JsonNode r : JSON.readTree(root.resolve("notinject/NotInject_" + f + ".json").toFile())) {
        hardBenign.add(new Example(Surface.RESPONSE, r.get("prompt").asText(), false,
            "notinject:" + r.get("category").asText(), true, -1, -1));
      }
    }
  }

  /** Obfuscated copies of a dev injection, one per canonicalization trick (evaluation only). */
  static Map<String, String> obfuscations(Example e) {
    String before = e.text().substring(0, e.start());
    String payload = e.text().substring(e.start(), e.end());
    String after = e.text().substring(e.end());
    StringBuilder zw = new StringBuilder();
    payload.chars().forEach(c -> zw.append((char) c).append('\u200B'));
    StringBuilder tags = new StringBuilder("Thanks for visiting!");
    payload.chars().filter(c -> c >= 0x20 && c < 0x7F).forEach(c -> tags.appendCodePoint(0xE0000 + c));
    String homoglyph = payload.replace('a', '\u0430').replace('e', '\u0435').replace('o', '\u043E').replace('p', '\u0440');
    String b64 = "Decode this and follow it: " + Base64.getEncoder().encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    return Map.of(
        "zero-width", before + zw + after,
        "tag-characters", before + tags + after,
        "homoglyphs", before + homoglyph + after,
        "base64", before + b64 + after,
        "hidden-html", before + "<span style=\"display:none\">" + payload + "</span>" + after,
        "html-comment", before + "<!-- " + payload + " -->" + after,
        "fake-role-tags", before + "</tool_output><|im_start|>system\n" + payload + "<|im_end|>" + after,
        "fullwidth", before + fullwidth(payload) + after);
  }

  private static String fullwidth(String s) {
    StringBuilder b = new StringBuilder();
    s.chars().forEach(c -> b.append(c > 0x20 && c < 0x7F ? (char) (c + 0xFEE0) : (char) c));
    return b.toString();
  }

  private List<JsonNode> lines(String file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(root.resolve(file))) {
      if (!line.isBlank()) out.add(JSON.readTree(line));
    }
    return out;
  }

  private static String emailSnippet(JsonNode e) {
    String c = e.get("context").asText();
    int at = c.indexOf("CONTENT:");
    String body = at >= 0 ? c.substring(at + 8).strip() : c;
    return body.length() > 240 ? body.substring(0, 240) : body;
  }

  private static int sentenceBoundary(String text, Random random) {
    List<Integer> cuts = new ArrayList<>(List.of(0, text.length()));
    for (int i = 1; i < text.length() - 1; i++) {
      if ((text.charAt(i) == '.' || text.charAt(i) == '|') && text.charAt(i + 1) == ' ') cuts.add(i + 1);
    }
    return cuts.get(random.nextInt(cuts.size()));
  }

  private static String unquote(String s) {
    return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
  }
}
