package dev.bulwark.egress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Resolves a host name to its addresses, as the egress proxy sees DNS (tests give their own). */
@FunctionalInterface
public interface Resolver {
  List<InetAddress> resolve(String host) throws UnknownHostException;

  /** The JVM's resolver (the system's, through InetAddress). */
  static Resolver system() {
    return host -> List.of(InetAddress.getAllByName(host));
  }
}
