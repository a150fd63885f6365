package dev.bulwark.inspect;

import dev.bulwark.inspect.Finding.Kind;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The instruction-override, assistant-addressing, secrecy and role-marker families of
 * {@link Rules} in Spanish, German, French, Portuguese, Italian, Russian, Chinese and
 * Japanese (T6d). Phrasings are our own lists of how each language says "ignore the previous
 * instructions", "note to the AI assistant", "don't tell the user" and "Assistant:"; they
 * are not translations of any data set. Like the English rules they run on lower-cased
 * canonical text (NFKC has folded full-width colons and letters), every gap is bounded, and
 * a rule only runs when one of its literal hints occurs.
 *
 * <p>Java's {@code \b} is ASCII-only, so before words that may start with a non-ASCII
 * letter the patterns use {@code (?<!\p{L})}; CJK has no word boundaries and needs none.
 */
final class MultilingualRules {
  private MultilingualRules() {}

  private static final String NO_LETTER = "(?<!\\p{L})";

  static final List<Rules.Rule> RULES = List.of(
      // "ignore (all) previous instructions": an override verb, then within a short span a
      // word for instructions and a qualifier (previous / above / all / your). The verb alone
      // ("ignora el ruido", "ignoriere die Warnung") is ordinary language. The hints are the
      // language's own words for instructions (French: its qualifiers, since "instructions"
      // is also English), so an English "ignore" does not run four Romance patterns.
      override("instrucciones|indicaciones|órdenes|ordenes|reglas|directrices",
          "(?:ignor[ae]\\p{L}*|olvid[ae]\\p{L}*|descart[ae]\\p{L}*|omit[ae]\\p{L}*)[^.\\n]{0,40}?(?:anteriores|previas|precedentes|de arriba|todas las|tus|sus)[^.\\n]{0,20}?(?:instrucciones|indicaciones|[óo]rdenes|reglas|directrices)"
              + "|(?:ignor[ae]\\p{L}*|olvid[ae]\\p{L}*|descart[ae]\\p{L}*)[^.\\n]{0,30}?(?:instrucciones|indicaciones|[óo]rdenes|reglas)\\s+(?:anteriores|previas|precedentes|originales)"),
      override("anweisungen|instruktionen|befehle|regeln|vorgaben",
          "(?:ignorier\\p{L}*|vergiss|vergessen\\s+sie|missacht\\p{L}*)[^.\\n]{0,40}?(?:vorherig|vorig|bisherig|obig|früher|alle|deine|ihre)\\p{L}*[^.\\n]{0,20}?(?:anweisungen|instruktionen|befehle|regeln|vorgaben)"),
      override("précédentes|precedentes|antérieures|anterieures|ci-dessus|d'origine|toutes",
          "(?:ignor\\p{L}*|oubli\\p{L}*|ne\\s+tiens\\s+pas\\s+compte\\s+d)[^.\\n]{0,40}?(?:instructions|consignes|directives|règles|regles)\\s+(?:précédentes|precedentes|antérieures|anterieures|ci-dessus|d'origine)"
              + "|(?:ignor\\p{L}*|oubli\\p{L}*)\\s+(?:toutes\\s+)?(?:les|tes|vos)\\s+(?:instructions|consignes|directives)\\s+(?:précédentes|precedentes|antérieures|anterieures|ci-dessus)"
              + "|(?:ignor\\p{L}*|oubli\\p{L}*)\\s+toutes\\s+(?:les|tes|vos)\\s+(?:instructions|consignes|directives)"),
      override("instruções|instrucoes|orientações|orientacoes|regras|ordens",
          "(?:ignor[ae]\\p{L}*|esque[çc]a\\p{L}*|esquece\\p{L}*|desconsider[ae]\\p{L}*)[^.\\n]{0,40}?(?:instruções|instrucoes|orientações|orientacoes|regras|ordens)\\s+(?:anteriores|prévias|previas|acima|originais)"
              + "|(?:ignor[ae]\\p{L}*|esque[çc]a\\p{L}*|desconsider[ae]\\p{L}*)\\s+(?:todas\\s+)?(?:as|suas)\\s+(?:instruções|instrucoes|orientações|regras)\\s+(?:anteriores|prévias|acima)"),
      override("istruzioni|indicazioni|regole|direttive",
          "(?:ignor[ai]\\p{L}*|dimentic\\p{L}*|trascur\\p{L}*)[^.\\n]{0,40}?(?:istruzioni|indicazioni|regole|direttive)\\s+(?:precedenti|di prima|sopra|originali)"
              + "|(?:ignor[ai]\\p{L}*|dimentic\\p{L}*)\\s+(?:tutte\\s+)?(?:le|le tue|le sue)\\s+(?:istruzioni|indicazioni|regole)\\s+(?:precedenti|sopra)"),
      override("инструкци|указани|правил|команд|распоряжени",
          NO_LETTER + "(?:проигнорир\\p{L}*|игнорир\\p{L}*|игнорь\\p{L}*|забудь\\p{L}*|не\\s+обращай\\p{L}*\\s+внимания\\s+на)[^.\\n]{0,40}?(?:предыдущ|прежн|все|вышеуказанн|ранее\\s+данн|свои|твои)\\p{L}*[^.\\n]{0,20}?(?:инструкци|указани|правил|команд|распоряжени)"),
      override("忽略|无视|無視|忽视|忘记|忘掉|不要理会|不要遵守",
          "(?<!不要|别|別|不)(?:忽略|无视|無視|忽视|忽視|忘记|忘記|忘掉|不要理会|不要遵守)[^。\\n]{0,10}?(?:之前|以前|先前|上面|上述|前面|所有|全部|原来|原來)[^。\\n]{0,8}?(?:指令|指示|说明|說明|规则|規則|提示|命令|要求)"),
      override("無視|忘れ",
          "(?:以前|前|上記|これまで|先ほど|先程|すべて|全て|元)の?[^。\\n]{0,10}?(?:指示|命令|指令|ルール|プロンプト|設定)[^。\\n]{0,4}?(?:を|は)?\\s*(?:すべて|全て)?\\s*(?:無視|忘れて|忘れろ|忘れなさい)"),
      // "note to the AI assistant", "dear assistant": data addressing the model that reads it
      address("asistente|agente|modelo| ia ",
          NO_LETTER + "(?:nota|mensaje|aviso|instrucci[óo]n|atenci[óo]n)\\s+(?:importante\\s+)?(?:para|al|a)\\s+(?:el\\s+|la\\s+)?(?:asistente|agente|modelo|ia)(?!\\p{L})"
              + "|" + NO_LETTER + "(?:querido|estimado|hola)\\s+(?:asistente|agente)(?:\\s+de\\s+ia)?(?!\\p{L})"),
      address("assistent|agent|modell| ki | ki:| ki,| ki.|ki-",
          NO_LETTER + "(?:hinweis|nachricht|notiz|anweisung|achtung)\\s+(?:an|für)\\s+(?:den\\s+|die\\s+|das\\s+)?(?:ki|ki-assistent\\p{L}*|assistent\\p{L}*|agent\\p{L}*|sprachmodell|modell)(?!\\p{L})"
              + "|" + NO_LETTER + "(?:lieber|liebe|hallo|hey)\\s+(?:ki|ki-assistent|assistent|agent)(?!\\p{L})"),
      address("assistant|agent|l'ia|l’ia| ia |modèle",
          NO_LETTER + "(?:note|message|remarque|instruction|avis)\\s+(?:importante?\\s+)?(?:pour|à|a)\\s+(?:l['’]\\s*|le\\s+|la\\s+)?(?:ia|assistant|agent|modèle|modele)(?!\\p{L})"
              + "|" + NO_LETTER + "(?:cher|chère|bonjour|salut)\\s+(?:l['’]\\s*)?(?:assistant|agent)(?!\\p{L})"),
      address("assistente|agente|modello| ia |l'ia|l’ia",
          NO_LETTER + "(?:nota|messaggio|avviso|istruzione)\\s+(?:importante\\s+)?(?:per\\s+(?:l['’]\\s*)?|all['’]\\s*|al\\s+)(?:assistente|agente|ia|modello)(?!\\p{L})"
              + "|" + NO_LETTER + "(?:caro|cara|ciao)\\s+(?:assistente|agente)(?!\\p{L})"),
      address("assistente|agente|modelo| ia ",
          NO_LETTER + "(?:nota|mensagem|aviso|instru[çc][ãa]o|aten[çc][ãa]o)\\s+(?:importante\\s+)?(?:para\\s+(?:o\\s+|a\\s+)?|ao\\s+|à\\s+)(?:assistente|agente|modelo|ia)(?!\\p{L})"
              + "|" + NO_LETTER + "(?:caro|prezado|olá|ola|oi)\\s+(?:assistente|agente)(?!\\p{L})"),
      address("ассистент|помощник|агент| ии|ии-|модел",
          NO_LETTER + "(?:заметка|сообщение|примечание|указание|инструкция|внимание)\\s+(?:для|к)\\s+(?:ии[-\\s]?)?(?:ии|ai|ассистент\\p{L}*|помощник\\p{L}*|агент\\p{L}*|модел\\p{L}*)(?!\\p{L})"
              + "|" + NO_LETTER + "(?:дорогой|уважаемый|привет|эй)\\s*,?\\s+(?:ии[-\\s]?)?(?:ассистент|помощник|агент)(?!\\p{L})"),
      address("助手|助理|智能体|模型",
          "(?:给|給|致)\\s*(?:ai|人工智能)?\\s*(?:助手|助理|智能体|模型)(?:的)?\\s*(?:提示|说明|說明|消息|注意|指示|指令|留言|备注|備註)"
              + "|(?:亲爱的|親愛的)\\s*(?:ai)?\\s*(?:助手|助理)"),
      address("アシスタント|エージェント|モデル",
          "(?:ai)?\\s*(?:アシスタント|エージェント|モデル)(?:へ|に)の?\\s*(?:注意|メッセージ|指示|お知らせ|連絡|メモ)"
              + "|(?:親愛なる|こんにちは)\\s*(?:ai)?\\s*(?:アシスタント|エージェント)"),
      // "don't tell the user", in each language: secrecy from the person the agent works for
      secrecy("usuario|usuaria",
          NO_LETTER + "(?:no\\s+(?:se\\s+lo\\s+|le\\s+)?(?:digas|diga|menciones|mencione|informes|informe|muestres|muestre)|sin\\s+(?:decírselo|decirle|avisar|informar)\\s+(?:a|al))\\s+(?:nada\\s+)?(?:al|a la)?\\s*usuari[oa]"),
      secrecy("benutzer|nutzer|anwender",
          NO_LETTER + "(?:sag\\p{L}*|erwähn\\p{L}*|teil\\p{L}*|zeig\\p{L}*|informier\\p{L}*)\\s+(?:es\\s+|das\\s+|dies\\s+)?(?:dem|der)\\s+(?:benutzer|nutzer|anwender)\\p{L}*\\s+(?:davon\\s+)?nicht"
              + "|ohne\\s+(?:den|die)\\s+(?:benutzer|nutzer|anwender)\\p{L}*\\s+(?:zu\\s+)?(?:informieren|fragen|benachrichtigen)"),
      secrecy("utilisat",
          NO_LETTER + "ne\\s+(?:le\\s+|rien\\s+)?(?:dis|dites|mentionne|mentionnez|montre|montrez|signale|signalez)\\s+(?:pas\\s+|rien\\s+)?(?:rien\\s+)?(?:à|a)\\s+l['’]\\s*utilisat\\p{L}*"
              + "|sans\\s+(?:le\\s+dire|prévenir|prevenir|informer)\\s+(?:à\\s+)?l['’]\\s*utilisat\\p{L}*"),
      secrecy("usuário|usuario|utilizador",
          NO_LETTER + "(?:não|nao)\\s+(?:conte|diga|mencione|mostre|informe)\\s+(?:nada\\s+|isso\\s+)?(?:ao|à|para\\s+o)\\s+(?:usu[áa]rio|utilizador)"
              + "|sem\\s+(?:avisar|informar|contar\\s+ao)\\s+(?:o\\s+)?(?:usu[áa]rio|utilizador)"),
      secrecy("utente",
          NO_LETTER + "non\\s+(?:dirlo|dire|dirgli|menzionare|mostrare|informare)\\s+(?:niente\\s+|nulla\\s+)?(?:all['’]\\s*|l['’]\\s*)utente"
              + "|senza\\s+(?:dirlo|avvisare|informare)\\s+(?:all['’]\\s*|l['’]\\s*)utente"),
      secrecy("пользовател",
          NO_LETTER + "не\\s+(?:говори|говорите|сообщай|сообщайте|рассказывай|рассказывайте|показывай|показывайте|упоминай)\\s+(?:об\\s+этом\\s+|это\\s+|ничего\\s+)?пользовател\\p{L}*"
              + "|без\\s+ведома\\s+пользовател\\p{L}*"),
      secrecy("用户|用戶|使用者",
          "(?:不要|别|別|不得|切勿)\\s*(?:告诉|告訴|通知|提醒|提及|透露给|透露給|让|讓)\\s*(?:用户|用戶|使用者)"),
      secrecy("ユーザー|利用者",
          "(?:ユーザー|利用者)(?:に|へ)(?:は)?[^。\\n]{0,6}?(?:伝えない|言わない|知らせない|見せない|教えない|伝えず|言わず|知らせず)"),
      // fake role / turn markers: "Assistant:" in the language of the text, at a line or sentence start
      new Rules.Rule(Kind.ROLE_MARKER, 0.6, Pattern.compile(
          "(?:^|\\n|[.!?|]\\s)[ \\t]*(?:asistente|assistent|assistente|ассистент|помощник|助手|助理|アシスタント)\\s*:\\s*\\S"),
          Rules.ALL, List.of("asistente", "assistent", "ассистент", "помощник", "助手", "助理", "アシスタント")),
      new Rules.Rule(Kind.ROLE_MARKER, 0.3, Pattern.compile(
          "(?m)^[ \\t]*(?:sistema|système|systeme|система|系统|系統|システム)\\s*:\\s*\\S"),
          Rules.ALL, List.of("sistema", "syst", "система", "系统", "系統", "システム")),
      // "new instructions:", as a heading inside data
      new Rules.Rule(Kind.ASSISTANT_DIRECTIVE, 0.6, Pattern.compile(
          NO_LETTER + "(?:nuevas\\s+instrucciones|neue\\s+anweisungen|nouvelles\\s+instructions|novas\\s+instruções|novas\\s+instrucoes|nuove\\s+istruzioni|новые\\s+инструкции|新的?指令|新しい指示)\\s*:"),
          Rules.ALL, List.of("nuevas", "neue", "nouvelles", "novas", "nuove", "новые", "新")));

  private static Rules.Rule override(String hints, String regex) {
    return Rules.rule(Kind.ASSISTANT_DIRECTIVE, 0.9, hints, regex);
  }

  private static Rules.Rule address(String hints, String regex) {
    return Rules.rule(Kind.ASSISTANT_DIRECTIVE, 0.6, hints, regex);
  }

  private static Rules.Rule secrecy(String hints, String regex) {
    return Rules.rule(Kind.ASSISTANT_DIRECTIVE, 0.6, hints, regex);
  }
}
