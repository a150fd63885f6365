package dev.bulwark.inspect;

import dev.bulwark.inspect.Finding.Kind;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * High-precision patterns for the injection families of THREATS.md, run on canonical text.
 * Scores: 0.9 for forms that have no benign reading in tool data (chat-template tokens,
 * "ignore previous instructions", a templated exfiltration URL), 0.6 for strong phrasing,
 * 0.3 for hints that only annotate. Each family is one list so a reviewer sees all of it.
 */
final class Rules {
  /**
   * {@code hints}: literals of which at least one must occur (in lower case, in the text with a
   * line break in front) before the pattern runs. They must be a necessary condition of the
   * pattern, and should be its rarest part: a hint found in every email runs its pattern on
   * every email.
   */
  record Rule(Kind kind, double score, Pattern pattern, Set<Surface> surfaces, List<String> hints) {}

  static final Set<Surface> ALL = Set.of(Surface.values());
  private static final Set<Surface> ARGS = Set.of(Surface.ARGUMENTS);

  // Patterns run on lower-cased text and are written in lower case: a case-insensitive
  // Unicode regex costs several times more per character, and the scan budget is ~1 ms/4 KB.
  static Rule rule(Kind kind, double score, String hints, String regex) {
    return rule(ALL, kind, score, hints, regex);
  }

  private static Rule rule(Set<Surface> surfaces, Kind kind, double score, String hints, String regex) {
    return new Rule(kind, score, Pattern.compile(regex), surfaces, List.of(hints.split("\\|")));
  }

  /** Data (responses, arguments) has no business addressing the assistant; a tool description does so by design. */
  private static final Set<Surface> DATA = Set.of(Surface.RESPONSE, Surface.ARGUMENTS);

  private static final List<Rule> ENGLISH = List.of(
      // T6a fake role and turn markers
      rule(Kind.ROLE_MARKER, 0.9, "<|", "<\\|(?:im_start|im_end|im_sep|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id)\\|>"),
      rule(Kind.ROLE_MARKER, 0.9, "inst]|<<sys|_of_turn>", "\\[/?inst\\]|<</?sys>>|<start_of_turn>|<end_of_turn>"),
      rule(Kind.ROLE_MARKER, 0.9, "<", "</?(?:tool_output|tool_result|tool_response|function_results|function_output|system|system_prompt|instructions?)>"),
      rule(Kind.ROLE_MARKER, 0.6, "##", "(?m)^[ \\t]*#{2,}\\s*(?:instruction|system|new instructions?|response)\\s*:?\\s*$"),
      rule(Kind.ROLE_MARKER, 0.6, "assistant", "(?m)^[ \\t]*assistant\\s*:\\s*\\S"),
      rule(Kind.ROLE_MARKER, 0.3, "system", "(?m)^[ \\t]*system\\s*:\\s*\\S"), // "System: Ubuntu 22.04" is common
      // T6 / T1 instructions aimed at the assistant
      rule(Kind.ASSISTANT_DIRECTIVE, 0.9, "ignore|disregard|forget|override|skip", "\\b(?:ignore|disregard|forget|override|skip)\\b[^.\\n]{0,30}\\b(?:previous|prior|above|earlier|preceding|all|any|your|the)\\b[^.\\n]{0,20}\\b(?:instructions?|prompts?|directives|rules|guidelines|task)\\b"),
      rule(Kind.ASSISTANT_DIRECTIVE, 0.9, "<important>|important!!", "<important>|\\bimportant!{2,}"),
      rule(Kind.ASSISTANT_DIRECTIVE, 0.6, "note|message|attention|instruction|reminder", "\\b(?:note|message|attention|instructions?|reminder)\\s+(?:to|for)\\s+(?:the\\s+)?(?:ai|assistant|agent|llm|language model|model|chatbot|bot)\\b"),
      rule(Kind.ASSISTANT_DIRECTIVE, 0.6, " ai|\tai|\nai|\rai|\u000bai|\fai|\u0085ai|\u2028ai|\u2029ai|assistant|agent|llm|chatbot", "\\b(?:dear|hey|hi|attention)\\s+(?:ai|assistant|agent|llm|chatbot)\\b|(?m)^[ \\t]*(?:ai|assistant|agent)\\s*[:,]\\s*(?:please|you|ignore|do|now)"),
      rule(Kind.ASSISTANT_DIRECTIVE, 0.6, "user|implementation", "\\b(?:do\\s+not|don't|never)\\s+(?:tell|mention|inform|notify|reveal|show|alert)\\s+(?:(?:this|it|anything)\\s+(?:to\\s+)?)?(?:the\\s+)?user\\b|\\bwithout\\s+(?:telling|informing|notifying|asking)\\s+the\\s+user\\b|\\b(?:it'?s|this\\s+is)\\s+(?:just\\s+)?an?\\s+implementation\\s+detail\\b"),
      rule(Kind.ASSISTANT_DIRECTIVE, 0.6, "now|new", "\\byou\\s+(?:are\\s+now|must\\s+now|will\\s+now|have\\s+new)\\b|\\bnew\\s+(?:system\\s+)?instructions?\\s*:"),
      rule(Kind.ASSISTANT_DIRECTIVE, 0.6, "keep|user|quietly|secretly|silently|override|priority",
          "\\bkeep\\s+(?:this|it)\\s+(?:between\\s+us|secret|hidden)\\b|\\bthe\\s+user\\s+(?:must|should)\\s+not\\s+(?:notice|know|see)\\b|\\bnever\\s+show\\s+(?:it|this)\\s+to\\s+the\\s+user\\b|\\b(?:quietly|secretly|silently)\\s+(?:include|send|add|forward|call|copy|append|change)\\b|\\bsystem\\s+override\\b|\\bhigher\\s+priority\\s+than\\s+the\\s+user"),
      rule(Kind.ASSISTANT_DIRECTIVE, 0.6, "mention|reveal|disclose|invisible|hidden",
          "\\b(?:do\\s+not|don't|never)\\s+(?:mention|reveal|disclose)\\s+(?:this|these|it)(?:\\s+(?:step|part|requirement|instruction|field|parameter)s?)?\\s*(?:[.,;!]|$|to\\b)|\\b(?:invisible|hidden)\\s+(?:to|from)\\s+the\\s+user\\b"),
      rule(Kind.ASSISTANT_DIRECTIVE, 0.6, "prompt", "\\byour\\s+(?:full\\s+|entire\\s+|complete\\s+|exact\\s+|hidden\\s+)?system\\s+prompt\\b"),
      rule(Kind.ASSISTANT_DIRECTIVE, 0.3, "otherwise|else|legally",
          "\\b(?:otherwise|or\\s+else)\\s+(?:the\\s+)?(?:tool|it|results?)\\s+(?:will\\s+not|won't|is|are|will)\\s+(?:work|wrong|fail)|\\blegally\\s+required\\b"),
      // T6c "decode and obey": data that hands the reader an encoded text to decode and follow.
      rule(DATA, Kind.ASSISTANT_DIRECTIVE, 0.6, "decode|decipher|unscramble|reverse|decrypt|rot",
          "\\b(?:decode|decipher|unscramble|reverse|decrypt|rot[ -]?13)\\b[^.\\n]{0,60}\\b(?:and|then)\\s+(?:follow|obey|execute|do\\s+(?:it|what|as)|carry\\s+(?:it\\s+)?out|act\\s+on|comply\\s+with|perform)\\b"),
      // Data that greets the model by product name ("to you, GPT-4", "hi ChatGPT"). Names that
      // are also people's names (Claude) are left out.
      rule(Kind.ASSISTANT_DIRECTIVE, 0.6, "gpt|gemini|copilot|model|llm",
          "\\b(?:dear|hey|hi|hello|attention|to\\s+you)\\s*,?\\s+(?:chatgpt|gpt-?\\d(?:\\.\\d)?(?:o|-turbo)?|gemini|copilot|ai\\s+model|language\\s+model|llm)\\b"),
      // Data that speaks about "the user" to whoever reads it, or rewrites the reader's answer:
      // an email or a review addresses its recipient, not the assistant's output.
      rule(DATA, Kind.ASSISTANT_DIRECTIVE, 0.6, "user", "\\b(?:tell|inform|remind|convince|warn|notify|ask)\\s+the\\s+user\\s+(?:that|to|their|this|it)\\b"),
      // Hints are the rare part ("your reply"), so the patterns run only on texts that contain it.
      rule(Kind.ASSISTANT_DIRECTIVE, 0.6, "your repl|your resp|your answer|your output",
          "\\b(?:encode|translate|reverse|invert|shift|modify|alter|enhance|rewrite|format)\\b[^.\\n]{0,30}\\byour\\s+(?:reply|replies|response|answer|output)\\b"
              + "|\\byour\\s+(?:reply|response|answer|output)\\s+(?:only\\s+)?(?:in|into|using)\\s+(?:base\\s?\\d\\d|reverse|emojis?|a\\s+caesar|morse|binary|pig\\s+latin|leetspeak|pirate|all\\s+caps|uppercase)\\b"
              + "|\\b(?:end|begin|start)\\s+your\\s+(?:reply|response|answer)\\s+with\\b"),
      rule(Kind.ASSISTANT_DIRECTIVE, 0.6, "reply in|reply using|reply only|reply with|respond in|respond using|respond only|respond with|answer in|answer using|answer only|answer with|write your",
          "\\b(?:reply|respond|answer|write\\s+your\\s+(?:reply|response|answer))\\s+(?:only\\s+)?(?:in|using|with)\\s+(?:base\\s?\\d\\d|reverse|emojis?|a\\s+caesar|morse|binary|pig\\s+latin|leetspeak|pirate|all\\s+caps|uppercase)\\b"),
      // T7 / T3 tool-call hijack and shadowing
      rule(Kind.TOOL_HIJACK, 0.6, "supersede|other|instead|rather",
          "\\bsupersedes\\s+(?:the\\s+)?[`'\"]?[\\w.-]+[`'\"]?\\s*(?:tool)?|\\bthe\\s+other\\s+(?:tool|one|server)\\s+is\\s+(?:broken|deprecated|unsafe|outdated)|\\b(?:instead\\s+of|rather\\s+than)\\s+(?:the\\s+)?[`'\"]?\\w+[`'\"]?\\s+tool\\b"),
      rule(Kind.TOOL_HIJACK, 0.6, "instead|broken|deprecated",
          "\\b(?:always\\s+)?use\\s+(?:me|this\\s+(?:tool|one))\\s+instead\\b|\\bis\\s+(?:broken|deprecated)\\b[^.\\n]{0,60}\\b(?:use|call)\\s+(?:me|this)\\b"),
      rule(Kind.TOOL_HIJACK, 0.6, "history|message|tool",
          "\\b(?:include|pass|put|send|add|append|attach)\\b[^.\\n]{0,30}\\b(?:conversation|chat)\\s+(?:history|transcript|log)|\\buser'?s\\s+(?:recent|last|previous|prior)\\s+messages?\\b|\\b(?:list|enumerate)\\s+(?:every|all)\\s+(?:the\\s+)?tools?\\b"),
      rule(Kind.TOOL_HIJACK, 0.6, "before|prior", "\\bbefore\\s+(?:using|calling|invoking|running)\\s+(?:this|any|the)\\s+(?:other\\s+)?(?:[`'\"]?[\\w.-]+[`'\"]?\\s+)?tool|\\b(?:before|prior\\s+to)\\s+(?:every|each|any)\\s+(?:call|use|request|invocation|run)\\b"),
      rule(Kind.TOOL_HIJACK, 0.6, "deprecated|broken|unsafe|insecure|outdated",
          "\\b(?:server'?s|other)\\s+[`'\"]?[\\w.-]+[`'\"]?\\s+(?:tool\\s+)?(?:is|are)\\s+(?:broken|deprecated|unsafe|insecure|outdated)\\b"),
      rule(Set.of(Surface.DESCRIPTION), Kind.TOOL_HIJACK, 0.6, "user",
          "\\b(?:if|when|whenever)\\s+the\\s+user\\s+(?:ever\\s+)?(?:asks?|wants?|mentions?|says?|requests?)\\b[^.\\n]{0,80}\\b(?:instead|regardless|secretly|silently|quietly)\\b"
              + "|\\b(?:fetch|collect|gather|include|append|attach|copy|send|add)\\b[^.\\n]{0,30}\\bthe\\s+user'?s\\s+(?:saved\\s+)?(?:contacts|email\\s+address|phone\\s+number|address\\s+book|messages|chat|conversation|location|files|credentials|passwords?)\\b"),
      // T1 implicit triggers and T2 parameter tampering (MCPTox templates 2 and 3): a tool
      // description that tells the model what to say when the user brings something up, or to
      // use other values than the user asked for. A description documents its tool; it has no
      // reason to script the model's answers or to overrule the user's arguments.
      rule(Set.of(Surface.DESCRIPTION), Kind.TOOL_HIJACK, 0.6, "user",
          "\\b(?:if|when|whenever|once)\\s+the\\s+user\\s+(?:ever\\s+)?(?:asks?|wants?|mentions?|says?|requests?|talks?|types?|brings?\\s+up|inquires?)\\b[^.\\n]{0,80}\\b(?:(?:tell|inform|remind|warn|assure|reassure)\\s+(?:them|him|her|the\\s+user)|(?:say|respond|reply|answer|explain|claim|state)\\s+that|recommend|suggest|direct\\s+them|redirect\\s+them|point\\s+them)\\b"),
      rule(Set.of(Surface.DESCRIPTION), Kind.TOOL_HIJACK, 0.6, "regardless|no matter|whatever|irrespective",
          "\\b(?:regardless\\s+of|no\\s+matter|irrespective\\s+of|whatever)\\s+(?:of\\s+)?(?:what|which|whom|who)?\\s*(?:the\\s+)?user\\b"
              + "|\\b(?:regardless\\s+of|no\\s+matter|irrespective\\s+of)\\s+(?:what|which)\\s+(?:[\\w-]+\\s+){0,3}(?:was|is|were|are|has\\s+been)?\\s*(?:requested|asked\\s+for|asked|specified|chosen|entered|typed)\\b"),
      rule(Set.of(Surface.DESCRIPTION), Kind.TOOL_HIJACK, 0.6, "replace|swap|override|change|always",
          "\\b(?:replace|swap|override|change|switch)\\s+(?:the\\s+|any\\s+|every\\s+)?(?:user'?s\\s+|given\\s+|requested\\s+)?(?:recipients?|destination|amounts?|account(?:\\s+numbers?)?|ibans?|tickers?|stock\\s+symbols?|beneficiar(?:y|ies)|payees?|email\\s+address(?:es)?|wallet(?:\\s+address)?)\\s+(?:to|with|by|for)\\b"
              + "|\\balways\\s+(?:recommend|suggest|promote|buy|favou?r|endorse)\\b"),
      rule(Kind.TOOL_HIJACK, 0.6, "when", "\\bwhen(?:ever)?\\s+(?:the\\s+)?(?!(?:it|this|that|one|each)\\s)[`'\"]?[\\w.-]+[`'\"]?\\s+(?:tool\\s+)?is\\s+(?:used|called|invoked)|\\bwhen(?:ever)?\\s+(?:you\\s+)?(?:use|call|invoke)\\s+(?:the\\s+)?[`'\"]?\\w+[`'\"]?\\s+tool\\b"),
      rule(Kind.TOOL_HIJACK, 0.6, "tool|function", "\\b(?:call|invoke|use|run|execute)\\s+(?:the\\s+)?[`'\"]?\\w+[`'\"]?\\s+(?:tool|function)\\s+(?:with|to|and)\\b"),
      rule(Kind.TOOL_HIJACK, 0.3, "always|instead", "\\b(?:always|instead)\\s+(?:use|call|send|add|query)\\b"),
      // T10 credential requests and secret paths
      rule(Kind.CREDENTIAL_REQUEST, 0.6, "password|passcode|passphrase|api|token|pat|secret|credential|mfa|2fa|otp|one|verification|ssh|private|seed|recovery",
          "\\b(?:(?:ask|prompt|request)\\s+(?:the\\s+)?user\\s+(?:for|to)|(?:paste|provide|enter|send|share|give|include|reveal|type|reply\\s+with|tell\\s+me)\\b[^.\\n]{0,30}\\b(?:your|the\\s+user'?s|their|user)\\b)[^.\\n]{0,30}\\b(?:password|passcode|passphrase|api[ _-]?keys?|access\\s+tokens?|auth\\s+tokens?|tokens?|personal\\s+access\\s+token|pat|secret\\s+keys?|credentials|mfa|2fa|otp|one[- ]time\\s+(?:code|password)|verification\\s+code|ssh\\s+keys?|private\\s+keys?|seed\\s+phrase|recovery\\s+phrase)\\b"),
      rule(Set.of(Surface.DESCRIPTION), Kind.CREDENTIAL_REQUEST, 0.6, "seen|read|received|know|access",
          "\\b(?:api\\s+keys?|passwords?|tokens?|secrets?|credentials)\\b[^.\\n]{0,40}\\byou\\s+(?:have\\s+)?(?:seen|read|received|know|have\\s+access\\s+to)\\b"),
      rule(Kind.CREDENTIAL_REQUEST, 0.6, "~/.|id_|.env|mcp.json|/etc/|credentials.json", "~/\\.(?:ssh|aws|npmrc|netrc|docker|kube|gnupg|cursor)|\\bid_(?:rsa|ed25519|ecdsa)\\b|(?:^|[\\s/'\"`])\\.env\\b(?!\\.(?:example|sample|template|dist)\\b)|\\bmcp\\.json\\b|/etc/(?:shadow|passwd)\\b|\\bcredentials\\.json\\b"),
      // T13 memory plants and delayed triggers
      rule(Kind.MEMORY_PLANT, 0.6, "remember|memorize|store|next", "(?:^|[.!?:;|>\\n]\\s*|\\b(?:please|always|also)\\s+)(?:remember|memorize|store)\\b[^.\\n]{0,30}\\b(?:for\\s+(?:all\\s+)?future|from\\s+now\\s+on|in\\s+(?:all\\s+)?future\\s+(?:sessions|conversations|chats))|\\b(?:the\\s+)?next\\s+time\\s+the\\s+user\\s+(?:says|asks|mentions)\\b"),
      rule(Kind.MEMORY_PLANT, 0.3, "now|future", "\\bfrom\\s+now\\s+on\\b|\\bfor\\s+all\\s+future\\s+(?:sessions|requests|conversations)\\b"),
      // T12 shell payloads in arguments
      new Rule(Kind.SHELL_PAYLOAD, 0.9, Pattern.compile("(?:[;&|]|\\$\\(|`)\\s*(?:curl|wget|bash|sh|nc|ncat|python3?|perl|rm\\s+-rf|chmod|base64\\s+-d)\\b"), ARGS,
          List.of(";", "|", "&", "$(", "`")),
      new Rule(Kind.SHELL_PAYLOAD, 0.6, Pattern.compile("\\|\\s*(?:ba)?sh\\b|\\$\\{ifs\\}|\\.\\./\\.\\./"), ARGS,
          List.of("|", "${", "../")));

  static final List<Rule> RULES = java.util.stream.Stream.concat(ENGLISH.stream(),
      MultilingualRules.RULES.stream()).toList();

  // T8 exfiltration: URLs whose query carries data, markdown images that fetch on render.
  private static final Pattern MARKDOWN_IMAGE = Pattern.compile("!\\[[^\\]]{0,200}\\]\\(\\s*<?(https?://[^)\\s>]+)");
  private static final Pattern URL = Pattern.compile("https?://[^\\s)\"'<>\\]]+", Pattern.CASE_INSENSITIVE);
  private static final Pattern DATA_VALUE = Pattern.compile("[?&][^=&#]{1,40}=[A-Za-z0-9+/_%-]{40,}");

  // The rules of each surface, in RULES' order: a scan of a short text (an argument, a
  // one-line answer) is mostly this loop, so it runs over an array with no per-rule set
  // lookup or stream.
  private static final java.util.Map<Surface, Rule[]> BY_SURFACE = new java.util.EnumMap<>(Surface.class);

  // Beside each surface's rules, each rule's hints as character sets (two longs per hint).
  private static final java.util.Map<Surface, long[][]> MASKS = new java.util.EnumMap<>(Surface.class);

  static {
    for (Surface surface : Surface.values()) {
      Rule[] rules = RULES.stream().filter(r -> r.surfaces().contains(surface)).toArray(Rule[]::new);
      long[][] masks = new long[rules.length][];
      for (int i = 0; i < rules.length; i++) {
        List<String> hints = rules[i].hints();
        masks[i] = new long[2 * hints.size()];
        for (int h = 0; h < hints.size(); h++) {
          long[] set = charSet(hints.get(h));
          masks[i][2 * h] = set[0];
          masks[i][2 * h + 1] = set[1];
        }
      }
      BY_SURFACE.put(surface, rules);
      MASKS.put(surface, masks);
    }
  }

  /**
   * Whether any hint occurs in the text, skipping each hint that has a character the text lacks: {@code masks}
   * holds each hint's {@link #charSet} (two longs per hint), {@code lo}/{@code hi} the text's.
   * Most of the texts a gateway scans are short, and a short text lacks most hints' letters:
   * two AND operations instead of a substring search per hint.
   */
  static boolean anyIn(String haystack, List<String> hints, long[] masks, long lo, long hi) {
    for (int i = 0; i < hints.size(); i++) {
      if ((masks[2 * i] & ~lo) == 0 && (masks[2 * i + 1] & ~hi) == 0 && haystack.contains(hints.get(i))) return true;
    }
    return false;
  }

  /**
   * The characters of {@code s} as a 128-bit set, {@code c & 127} for each: if a hint occurs in a
   * text, every bit of the hint's set is in the text's. Characters share bits (folding keeps the
   * set small), which only makes the test pass more often, never fail wrongly.
   */
  static long[] charSet(String s) {
    long lo = 0;
    long hi = 0;
    for (int i = 0; i < s.length(); i++) {
      int b = s.charAt(i) & 127;
      if (b < 64) lo |= 1L << b;
      else hi |= 1L << b;  // shifts use the low six bits: b - 64
    }
    return new long[] {lo, hi};
  }

  private final Set<String> allowedHosts;

  /** {@code allowedHosts}: hosts links may point to without a finding; empty disables the host check. */
  Rules(Set<String> allowedHosts) {
    this.allowedHosts = Set.copyOf(allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList());
  }

  List<Finding> scan(String text, Surface surface, String location) {
    List<Finding> out = new ArrayList<>();
    String lower = text.toLowerCase(Locale.ROOT);
    // Hints are looked up with a line break in front, so "\nai" also finds "AI:" opening the text.
    String haystack = "\n" + lower;
    long[] chars = charSet(haystack);
    Rule[] rules = BY_SURFACE.get(surface);
    long[][] masks = MASKS.get(surface);
    for (int i = 0; i < rules.length; i++) {
      Rule r = rules[i];
      if (!anyIn(haystack, r.hints(), masks[i], chars[0], chars[1])) continue;
      Matcher m = r.pattern().matcher(lower);
      if (m.find()) {
        out.add(new Finding(r.kind(), location + "@" + m.start(), r.score(), m.group()));
      }
    }
    urls(text, location, out);
    return out;
  }

  private void urls(String text, String location, List<Finding> out) {
    if (!text.contains("://")) return;
    Matcher img = MARKDOWN_IMAGE.matcher(text);
    while (img.find()) {
      String url = img.group(1);
      if (url.indexOf('?') >= 0) {
        out.add(new Finding(Kind.EXFILTRATION_URL, location + "@" + img.start(), 0.9, url));
      } else if (!allowed(url)) {
        out.add(new Finding(Kind.EXFILTRATION_URL, location + "@" + img.start(), 0.3, url));
      }
    }
    Matcher u = URL.matcher(text);
    while (u.find()) {
      String url = u.group();
      if (templated(url)) {
        out.add(new Finding(Kind.EXFILTRATION_URL, location + "@" + u.start(), 0.9, url));
      } else if (DATA_VALUE.matcher(url).find() && !allowed(url)) {
        out.add(new Finding(Kind.EXFILTRATION_URL, location + "@" + u.start(), 0.6, url));
      } else if (!allowedHosts.isEmpty() && !allowed(url)) {
        out.add(new Finding(Kind.EXFILTRATION_URL, location + "@" + u.start(), 0.2, url));
      }
    }
  }

  /** A query that carries a placeholder for the model to fill: {x}, <x>, $x, [x], encoded or not. */
  private static boolean templated(String url) {
    int q = url.indexOf('?');
    if (q < 0) return false;
    String query = url.substring(q + 1).toLowerCase(Locale.ROOT);
    return query.indexOf('=') >= 0 && (query.indexOf('{') >= 0 || query.contains("%7b") || query.indexOf('<') >= 0
        || query.contains("%3c") || query.indexOf('$') >= 0 || query.indexOf('[') >= 0 || query.contains("%5b"));
  }

  private boolean allowed(String url) {
    if (allowedHosts.isEmpty()) return false;
    try {
      String host = URI.create(url.replaceAll("[{}<>\\[\\]|\\\\^`\" ]", "_")).getHost();
      if (host == null) return false;
      host = host.toLowerCase(Locale.ROOT);
      for (String h : allowedHosts) {
        if (host.equals(h) || host.endsWith("." + h)) return true;
      }
      return false;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
