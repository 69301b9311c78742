// The files distroless synthesizes rather than takes from a package:
// accounts, home directories, /tmp, nsswitch.conf and os-release.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "fs/tree.h"

namespace build {

// An /etc/passwd line: "name:x:uid:gid:name:home:shell".
struct User {
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string home = "/nonexistent";
  std::string shell = "/sbin/nologin";
  bool operator==(const User&) const = default;
};

// An /etc/group line: "name:x:gid:".
struct Group {
  std::string name;
  uint32_t gid = 0;
  bool operator==(const Group&) const = default;
};

struct BaseFilesOptions {
  std::string suite = "bookworm";  // the Debian suite: its version goes in os-release
  // Accounts beyond root, nobody and nonroot, appended in this order.
  std::vector<User> users{};
  std::vector<Group> groups{};
};

// The text of /etc/passwd and /etc/group: distroless's lines, exactly
// (distroless.md 1.2 items 3 and 5), then `users` / `groups`.
std::string PasswdText(const std::vector<User>& users);
std::string GroupText(const std::vector<Group>& groups);
// The text of /usr/lib/os-release for `suite` ("bookworm" → VERSION_ID="12");
// an error for a suite it does not know: "unknown debian suite 'sid'".
base::Result<std::string> OsReleaseText(std::string_view suite);

// Adds to `tree`: /etc/passwd and /etc/group (0644), /etc/nsswitch.conf
// (0644), /usr/lib/os-release (0555), /root (0700), /home (0755),
// /home/nonroot (65532:65532, 0700), a 0700 home owned by each extra user
// whose home is under /home, and /tmp (1777). Errors: an unknown suite, or an
// account that repeats a name or has a ':' or a newline in a field:
// "invalid account name 'a:b'", "account 'root' is defined twice".
base::Result<void> AddBaseFiles(fs::Tree& tree, const BaseFilesOptions& options);

// The user or group `name` as /etc/passwd or /etc/group in `tree` says.
// Errors: "no user 'x' in /etc/passwd", "/etc/passwd is missing",
// "/etc/passwd:3: malformed line", "/etc/passwd: user 'x': malformed id 'a'".
base::Result<User> LookupUser(const fs::Tree& tree, std::string_view name);
base::Result<Group> LookupGroup(const fs::Tree& tree, std::string_view name);

}  // namespace build
