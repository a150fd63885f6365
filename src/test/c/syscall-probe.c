/*
 * Tries syscalls the enclave's seccomp filter must refuse and prints, per syscall, "OK" or
 * the errno name. Compiled by EnclaveEscapeIT with gcc; runs as an enclave's command.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static void report(const char *name, long rc) {
  printf("%s=%s\n", name, rc >= 0 ? "OK" : strerrorname_np(errno));
}

int main(void) {
  report("ptrace", ptrace(PTRACE_TRACEME, 0, 0, 0));
  report("keyctl", syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
  report("socket_inet", socket(AF_INET, SOCK_STREAM, 0));
  report("socket_inet6", socket(AF_INET6, SOCK_DGRAM, 0));
  report("socket_netlink", socket(AF_NETLINK, SOCK_RAW, 0));
  report("socket_unix", socket(AF_UNIX, SOCK_STREAM, 0));
  report("unshare_user", unshare(CLONE_NEWUSER));
  report("io_uring_setup", syscall(SYS_io_uring_setup, 1, NULL));
  return 0;
}
