/*
 * Writes the seccomp BPF program every Bulwark enclave runs under (bwrap --seccomp FD).
 * Built from source with libseccomp by scripts/seccomp.sh; the output is not committed.
 *
 * Guarantee: inside an enclave these syscalls fail with EPERM (clone3 with ENOSYS, so libc
 * falls back to clone, whose namespace flags are then refused): process inspection
 * (ptrace, process_vm_*), mounts and namespaces (mount, umount2, pivot_root, unshare,
 * setns, clone with CLONE_NEW*), the kernel keyring, bpf, perf_event_open, userfaultfd,
 * module loading, kexec, io_uring (it can perform socket and file operations this filter
 * would not see), open_by_handle_at (escapes bind mounts), and socket() for every address
 * family but AF_UNIX — or, built with --inet for servers with egress, but AF_UNIX, AF_INET
 * and AF_INET6, which the enclave needs to reach the egress forwarder on its own loopback
 * (its network namespace has nothing else); netlink, packet and the rest stay refused.
 * Syscalls of a foreign architecture (i386/x32 entry points) kill the process, so the
 * rules cannot be bypassed through another syscall table.
 *
 * usage: seccomp-filter [--inet] OUTPUT.bpf
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *const denied[] = {
  "ptrace", "process_vm_readv", "process_vm_writev",
  "mount", "umount", "umount2", "pivot_root", "unshare", "setns", "fsopen", "fsmount", "fsconfig",
  "fspick", "move_mount", "open_tree", "mount_setattr",
  "keyctl", "add_key", "request_key",
  "bpf", "perf_event_open", "userfaultfd",
  "init_module", "finit_module", "delete_module",
  "kexec_load", "kexec_file_load",
  "io_uring_setup", "io_uring_enter", "io_uring_register",
  "open_by_handle_at", "name_to_handle_at",
  "reboot", "swapon", "swapoff", "acct", "quotactl", "lookup_dcookie", "iopl", "ioperm",
  "syslog", "personality",
};

static int deny(scmp_filter_ctx ctx, const char *name) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) {
    return 0; /* not a syscall on this architecture: nothing to deny */
  }
  return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
}

/*
 * socket(): refused for every family but AF_UNIX, and with inet also AF_INET and AF_INET6.
 * Rules are alternatives (any match refuses), so "not one of three" is written as the
 * ranges around them: below AF_UNIX, between AF_INET and AF_INET6, above AF_INET6. The
 * full 64-bit argument is compared: a domain with high bits set is refused.
 */
static int restrict_sockets(scmp_filter_ctx ctx, int inet) {
  if (!inet) {
    return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_NE, AF_UNIX));
  }
  int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_LT, AF_UNIX));
  for (int family = AF_INET + 1; rc == 0 && family < AF_INET6; family++) {
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, family));
  }
  if (rc == 0) {
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_GT, AF_INET6));
  }
  return rc;
}

int main(int argc, char **argv) {
  int inet = argc == 3 && strcmp(argv[1], "--inet") == 0;
  if (argc != 2 && !inet) {
    fprintf(stderr, "usage: %s [--inet] OUTPUT.bpf\n", argv[0]);
    return 2;
  }
  const char *output = argv[argc - 1];
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == NULL) {
    fprintf(stderr, "seccomp_init failed\n");
    return 1;
  }
  int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  for (size_t i = 0; rc == 0 && i < sizeof denied / sizeof denied[0]; i++) {
    rc = deny(ctx, denied[i]);
  }
  /* One rule per namespace flag: rules are alternatives, so any flag set is refused. */
  static const unsigned long namespaces[] = {CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
      CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWTIME};
  for (size_t i = 0; rc == 0 && i < sizeof namespaces / sizeof namespaces[0]; i++) {
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
        SCMP_A0(SCMP_CMP_MASKED_EQ, namespaces[i], namespaces[i]));
  }
  if (rc == 0) {
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
  }
  if (rc == 0) {
    rc = restrict_sockets(ctx, inet);
  }
  if (rc != 0) {
    fprintf(stderr, "building the filter failed: %s\n", strerror(-rc));
    seccomp_release(ctx);
    return 1;
  }
  int fd = open(output, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    perror(output);
    seccomp_release(ctx);
    return 1;
  }
  rc = seccomp_export_bpf(ctx, fd);
  seccomp_release(ctx);
  if (close(fd) != 0 || rc != 0) {
    fprintf(stderr, "writing %s failed\n", output);
    return 1;
  }
  return 0;
}
