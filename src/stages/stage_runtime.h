// Running a command in an OCI runtime (runc or crun from the host): distill
// writes the bundle's config.json (runtime-spec 1.0) and calls
// `<runtime> run --bundle DIR ID`; it does not reimplement a runtime.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace build {

// A host directory bind-mounted into the container.
struct BindMount {
  std::string source;       // absolute host path
  std::string destination;  // absolute container path
  bool readonly = true;
};

// One process in one container: what config.json says.
struct ContainerSpec {
  std::string rootfs;             // absolute host path of the root directory
  std::vector<std::string> args;  // argv; args[0] is looked up in the container's PATH
  std::vector<std::string> env;   // "K=V"
  std::string cwd = "/";
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string hostname = "distill";
  // false: a network namespace of its own with only loopback; true: the
  // host's network (the caller provides /etc/resolv.conf through `binds`).
  bool network = false;
  std::vector<BindMount> binds;
  uint64_t nofile = 1048576;  // RLIMIT_NOFILE, soft and hard
};

// The config.json text for `spec` (runtime-spec 1.0.2): namespaces pid, ipc,
// uts, mount and (without network) network; /proc, /dev, /dev/pts, /dev/shm,
// /dev/mqueue and a read-only /sys mounted as runc's own default spec does;
// Docker's default capability set minus CAP_NET_RAW; no new privileges;
// runc's default masked and read-only /proc paths.
std::string ContainerConfigJson(const ContainerSpec& spec);

// The runtime binary to use: $DISTILL_RUNTIME when set (a path, or a name
// looked up in $PATH), else the first of runc and crun in $PATH. Both values
// are passed in so tests can set them. Errors:
//   no OCI runtime found: build stages need runc or crun in PATH (or DISTILL_RUNTIME naming one)
//   DISTILL_RUNTIME names 'x', which is not an executable in PATH
base::Result<std::string> FindRuntime(const char* override_env, const char* path_env);

// Kills and deletes the containers of `runtime` that distill started
// ("distill-PID-...") for builds whose process is gone; a reaper normally
// does that when a build dies, this catches what it could not (the
// machine's reaper killed too).
void ReapOrphanContainers(const std::string& runtime);

// Runs the bundle in `bundle_dir` (whose config.json the caller wrote) as
// container `id`, stdin from /dev/null, stdout and stderr merged and handed
// to `on_line` line by line (without the '\n'). A reaper process watches
// distill: if distill dies before the container ends, the container is
// killed and deleted. Returns the process's exit
// status (128+N when killed by signal N, as a shell reports it). Errors are
// about starting the runtime, never about the command's status.
base::Result<int> RunContainer(const std::string& runtime, const std::string& bundle_dir,
                               const std::string& id,
                               const std::function<void(std::string_view)>& on_line);

}  // namespace build
