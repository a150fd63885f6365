package dev.bulwark.upstream;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sessions that ended, so a call still on its way (held for approval, say) cannot give them a
 * new process. Session ids are random and never reused; the memory is bounded, the oldest
 * forgotten first.
 */
final class EndedSessions {
  private static final int MAX = 65_536;
  private final Map<String, Boolean> ended = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > MAX;
    }
  };

  synchronized void add(String session) {
    ended.put(session, Boolean.TRUE);
  }

  synchronized boolean contains(String session) {
    return ended.containsKey(session);
  }
}
