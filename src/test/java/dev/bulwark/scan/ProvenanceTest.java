package dev.bulwark.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where an installed npm package comes from, as its lockfiles and package.json record it. */
class ProvenanceTest {
  @TempDir
  Path dir;

  private void write(String path, String json) throws Exception {
    Path p = dir.resolve(path);
    Files.createDirectories(p.getParent());
    Files.writeString(p, json);
  }

  @Test
  void readsTheLockfilesAndThePackageManifest() throws Exception {
    write("node_modules/@acme/srv/package.json", """
        {"name": "@acme/srv", "version": "1.2.3", "license": "MIT", "author": {"name": "Ann", "email": "ann@acme.example"},
         "maintainers": [{"name": "Bob"}], "repository": {"type": "git", "url": "git+https://example/acme.git"}}""");
    write("node_modules/.package-lock.json", """
        {"packages": {"node_modules/@acme/srv": {"version": "1.2.3", "integrity": "sha512-hidden"}}}""");
    write("package-lock.json", """
        {"packages": {"node_modules/@acme/srv": {"version": "1.2.3", "integrity": "sha512-other",
         "resolved": "https://registry.npmjs.org/@acme/srv/-/srv-1.2.3.tgz"}}}""");
    Provenance p = Provenance.ofNpm("@acme/srv", dir, "/x/index.js");
    assertThat(p.version()).isEqualTo("1.2.3");
    assertThat(p.integrity()).isEqualTo("sha512-hidden");  // what was installed comes first
    assertThat(p.resolved()).isEqualTo("https://registry.npmjs.org/@acme/srv/-/srv-1.2.3.tgz");
    assertThat(p.author()).isEqualTo("Ann <ann@acme.example>");
    assertThat(p.maintainers()).containsExactly("Bob");
    assertThat(p.repository()).isEqualTo("git+https://example/acme.git");
    assertThat(p.license()).isEqualTo("MIT");
    assertThat(p.entryPoint()).isEqualTo("/x/index.js");
  }

  @Test
  void aLockfileEntryForAnotherVersionIsNotTakenAndMissingFieldsSayUnknown() throws Exception {
    write("node_modules/srv/package.json", "{\"name\": \"srv\", \"version\": \"2.0.0\"}");
    write("package-lock.json", "{\"packages\": {\"node_modules/srv\": {\"version\": \"1.0.0\", \"integrity\": \"sha512-old\"}}}");
    Provenance p = Provenance.ofNpm("srv", dir, "/x/index.js");
    assertThat(p.integrity()).isEqualTo(Provenance.UNKNOWN);
    assertThat(p.lockfile()).isEqualTo(Provenance.UNKNOWN);
    assertThat(p.author()).isEqualTo(Provenance.UNKNOWN);
    assertThat(Provenance.notAPackage("node s.js").packageName()).isEqualTo(Provenance.UNKNOWN);
  }

  @Test
  void aPackageJsonWithoutAVersionTakesNoLockfileEntry() throws Exception {
    write("node_modules/srv/package.json", "{\"name\": \"srv\"}");
    write("node_modules/.package-lock.json", """
        {"packages": {"node_modules/srv": {"version": "9.9.9", "integrity": "sha512-any",
         "resolved": "https://registry.npmjs.org/srv/-/srv-9.9.9.tgz"}}}""");
    Provenance p = Provenance.ofNpm("srv", dir, "/x/index.js");
    assertThat(p.version()).isEqualTo(Provenance.UNKNOWN);
    assertThat(p.integrity()).isEqualTo(Provenance.UNKNOWN);
    assertThat(p.resolved()).isEqualTo(Provenance.UNKNOWN);
    assertThat(p.lockfile()).isEqualTo(Provenance.UNKNOWN);
  }

  @Test
  void aLockfileEntryForAnotherPackageOfTheSameVersionIsNotTaken() throws Exception {
    write("node_modules/srv/package.json", "{\"name\": \"srv\", \"version\": \"1.0.0\"}");
    write("node_modules/.package-lock.json", """
        {"packages": {"node_modules/srv": {"name": "evil-srv", "version": "1.0.0", "integrity": "sha512-evil"}}}""");
    assertThat(Provenance.ofNpm("srv", dir, "/x/index.js").integrity()).isEqualTo(Provenance.UNKNOWN);
  }

  @Test
  void lockfileFieldsAreLabelledUnverified() {
    assertThat(Provenance.status("sha512-abc")).isEqualTo("recorded in lockfile (unverified)");
    assertThat(Provenance.status(Provenance.UNKNOWN)).isEqualTo(Provenance.UNKNOWN);
  }
}
