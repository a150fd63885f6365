package dev.bulwark.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * Runs a server as a plain child process of the gateway, with only the environment the
 * spec gives. No containment: the process has the gateway's user, files and network.
 */
public final class HostProcessLauncher implements Launcher {
  @Override
  public Launched launch(Spec spec) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(new java.util.ArrayList<>(java.util.List.of(spec.command())));
    pb.command().addAll(spec.args());
    pb.environment().clear();
    pb.environment().putAll(spec.env());
    if (spec.cwd() != null) {
      pb.directory(spec.cwd().toFile());
    }
    Process p = pb.start();
    return new Launched() {
      @Override
      public OutputStream stdin() {
        return p.getOutputStream();
      }

      @Override
      public InputStream stdout() {
        return p.getInputStream();
      }

      @Override
      public InputStream stderr() {
        return p.getErrorStream();
      }

      @Override
      public long pid() {
        return p.pid();
      }

      @Override
      public CompletableFuture<Integer> exit() {
        return p.onExit().thenApply(Process::exitValue);
      }

      @Override
      public void kill() {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
    };
  }
}
