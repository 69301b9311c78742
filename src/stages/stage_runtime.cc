// The OCI runtime seam of build stages. A bundle is a directory holding
// config.json (opencontainers/runtime-spec config.md) whose root.path points
// at the stage's root directory; `runc run --bundle DIR ID` (crun takes the
// same arguments) creates the container, runs the process in the
// foreground, and exits with its status once it has removed the container.
//
// The configuration follows what `runc spec` generates and what Docker gives
// a RUN step, with two build-specific choices: no network namespace is
// shared unless the stage asks for it (`network: true`), and the capability
// set is Docker's default minus CAP_NET_RAW (dpkg and maintainer scripts
// need chown, setuid/setgid, mknod, setfcap and chroot; nothing needs raw
// sockets). seccomp is not configured; the container is a build sandbox for
// the user's own commands, not a security boundary against them.
#include "stages/stage_runtime.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "base/strings.h"
#include "workspace/context.h"

namespace build {

namespace {

constexpr const char* kCapabilities[] = {
    "CAP_CHOWN",      "CAP_DAC_OVERRIDE", "CAP_FOWNER",           "CAP_FSETID",
    "CAP_KILL",       "CAP_SETGID",       "CAP_SETUID",           "CAP_SETPCAP",
    "CAP_MKNOD",      "CAP_SETFCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_AUDIT_WRITE"};

nlohmann::json Mount(const std::string& dst, const std::string& type, const std::string& src,
                     std::vector<std::string> options) {
  return {{"destination", dst}, {"type", type}, {"source", src}, {"options", options}};
}

nlohmann::json Mounts(const ContainerSpec& spec) {
  nlohmann::json m = nlohmann::json::array();
  m.push_back(Mount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}));
  m.push_back(
      Mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}));
  m.push_back(Mount("/dev/pts", "devpts", "devpts",
                    {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}));
  m.push_back(
      Mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}));
  m.push_back(Mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}));
  // A sysfs of its own needs its own network namespace; with the host's,
  // bind the host's read-only (as runc's rootless spec does).
  if (spec.network)
    m.push_back(Mount("/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"}));
  else
    m.push_back(Mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}));
  for (const BindMount& b : spec.binds) {
    std::vector<std::string> opts = {"rbind", "nosuid", "nodev"};
    if (b.readonly) opts.push_back("ro");
    m.push_back(Mount(b.destination, "none", b.source, opts));
  }
  return m;
}

// An executable regular file at `path`.
bool IsExecutable(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

std::string LookPath(const std::string& name, const char* path_env) {
  if (name.find('/') != std::string::npos) return IsExecutable(name) ? name : "";
  for (const std::string& dir : base::Split(path_env ? path_env : "", ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (IsExecutable(candidate)) return candidate;
  }
  return "";
}

}  // namespace

std::string ContainerConfigJson(const ContainerSpec& spec) {
  std::vector<std::string> caps(std::begin(kCapabilities), std::end(kCapabilities));
  nlohmann::json namespaces = nlohmann::json::array();
  for (const char* ns : {"pid", "ipc", "uts", "mount"}) namespaces.push_back({{"type", ns}});
  if (!spec.network) namespaces.push_back({{"type", "network"}});
  nlohmann::json j = {
      {"ociVersion", "1.0.2"},
      {"process",
       {{"terminal", false},
        {"user", {{"uid", spec.uid}, {"gid", spec.gid}}},
        {"args", spec.args},
        {"env", spec.env},
        {"cwd", spec.cwd},
        {"capabilities",
         {{"bounding", caps}, {"effective", caps}, {"permitted", caps}, {"ambient", caps}}},
        {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", spec.nofile}, {"soft", spec.nofile}}}},
        {"noNewPrivileges", true}}},
      {"root", {{"path", spec.rootfs}, {"readonly", false}}},
      {"hostname", spec.hostname},
      {"mounts", Mounts(spec)},
      {"linux",
       {{"namespaces", namespaces},
        {"resources", {{"devices", {{{"allow", false}, {"access", "rwm"}}}}}},
        {"maskedPaths",
         {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
          "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
          "/proc/scsi"}},
        {"readonlyPaths",
         {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}}}}};
  return j.dump(2) + "\n";
}

base::Result<std::string> FindRuntime(const char* override_env, const char* path_env) {
  if (override_env && *override_env) {
    std::string found = LookPath(override_env, path_env);
    if (found.empty())
      return base::Fail("DISTILL_RUNTIME names '{}', which is not an executable{}", override_env,
                        std::string(override_env).find('/') == std::string::npos ? " in PATH" : "");
    return found;
  }
  for (const char* name : {"runc", "crun"}) {
    std::string found = LookPath(name, path_env);
    if (!found.empty()) return found;
  }
  return base::Fail(
      "no OCI runtime found: build stages need runc or crun in PATH (or DISTILL_RUNTIME naming "
      "one)");
}

namespace {

base::Result<int> RunRuntime(const std::string& runtime, const std::string& bundle_dir,
                             const std::string& id,
                             const std::function<void(std::string_view)>& on_line);

// The reaper's script: it reads its stdin, a pipe whose write end only
// distill holds. "done" means the container ended; end of file without it
// means distill died (SIGKILL included), and the container is killed and
// deleted so that nothing of the build keeps running.
constexpr char kReaperScript[] =
    "read -r x; [ \"$x\" = done ] && exit 0; "
    "\"$1\" kill \"$2\" KILL >/dev/null 2>&1; "
    "for i in 1 2 3 4 5 6 7 8 9 10; do "
    "\"$1\" delete --force \"$2\" >/dev/null 2>&1 && exit 0; sleep 1; done";

// Starts the reaper of container `id` in a session of its own (so the
// terminal's Ctrl-C, which stops distill, does not stop it too). Returns the
// write end of its pipe, or -1 when it could not be started (the container
// then runs without one, as before).
int StartReaper(const std::string& runtime, const std::string& id, pid_t* reaper) {
  int guard[2];
  if (pipe2(guard, O_CLOEXEC) != 0) return -1;
  pid_t pid = fork();
  if (pid < 0) {
    close(guard[0]);
    close(guard[1]);
    return -1;
  }
  if (pid == 0) {
    // The child: only async-signal-safe calls until exec.
    setsid();
    dup2(guard[0], STDIN_FILENO);
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
      dup2(null, STDOUT_FILENO);
      dup2(null, STDERR_FILENO);
    }
    execl("/bin/sh", "sh", "-c", kReaperScript, "distill-reaper", runtime.c_str(), id.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(guard[0]);
  *reaper = pid;
  return guard[1];
}

void StopReaper(int guard, pid_t reaper) {
  if (guard < 0) return;
  (void)!write(guard, "done\n", 5);
  close(guard);
  int status;
  while (waitpid(reaper, &status, 0) < 0 && errno == EINTR) {
  }
}

// Runs `argv` with stdin and stderr on /dev/null; its stdout, or "" when
// it could not run or failed.
std::string Output(const std::vector<std::string>& argv) {
  std::vector<const char*> args;
  for (const std::string& a : argv) args.push_back(a.c_str());
  args.push_back(nullptr);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return "";
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
      dup2(null, STDIN_FILENO);
      dup2(null, STDERR_FILENO);
    }
    dup2(fds[1], STDOUT_FILENO);
    execv(args[0], const_cast<char* const*>(args.data()));
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; pid > 0 && (n = read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || out.size() > (1 << 20)) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? out : "";
}

}  // namespace

void ReapOrphanContainers(const std::string& runtime) {
  std::string ids = Output({runtime, "list", "-q"});
  for (const std::string& line : base::Split(ids, '\n')) {
    std::string_view id = base::Trim(line);
    if (!id.starts_with("distill-") || !OwnerIsGone(id)) continue;
    std::string name(id);
    Output({runtime, "kill", name, "KILL"});
    Output({runtime, "delete", "--force", name});
  }
}

base::Result<int> RunContainer(const std::string& runtime, const std::string& bundle_dir,
                               const std::string& id,
                               const std::function<void(std::string_view)>& on_line) {
  pid_t reaper = -1;
  int guard = StartReaper(runtime, id, &reaper);
  base::Result<int> status = RunRuntime(runtime, bundle_dir, id, on_line);
  StopReaper(guard, reaper);
  return status;
}

namespace {

base::Result<int> RunRuntime(const std::string& runtime, const std::string& bundle_dir,
                             const std::string& id,
                             const std::function<void(std::string_view)>& on_line) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return base::Fail("pipe: {}", base::ErrnoText());
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return base::Fail("fork: {}", base::ErrnoText());
  }
  if (pid == 0) {
    // The child: only async-signal-safe calls until exec.
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, STDIN_FILENO);
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    const char* argv[] = {runtime.c_str(),    "run",      "--bundle",
                          bundle_dir.c_str(), id.c_str(), nullptr};
    execv(runtime.c_str(), const_cast<char* const*>(argv));
    const char msg[] = "distill: cannot execute the OCI runtime\n";
    (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
    _exit(127);
  }
  close(fds[1]);
  std::string pending;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buf, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1)
      on_line(std::string_view(pending).substr(start, nl - start));
    pending.erase(0, start);
  }
  if (!pending.empty()) on_line(pending);
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return base::Fail("waiting for '{}': {}", runtime, base::ErrnoText());
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

}  // namespace

}  // namespace build
