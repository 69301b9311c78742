// The synthesized part of every base (issue 4, item 5), as distroless's
// static image has it (distroless.md 1.2): passwd and group with root,
// nobody and nonroot (65532) and no shadow files; /root, /home and
// /home/nonroot; /tmp with the sticky bit; the classic Debian example
// nsswitch.conf; and /usr/lib/os-release saying "Distroless", which replaces
// base-files' copy (/etc/os-release is base-files' symlink to it).
//
// Differences from distroless, on purpose: os-release's HOME_URL,
// SUPPORT_URL and BUG_REPORT_URL point at Debian, not at the distroless
// project, which does not support images distill builds. The mode of
// os-release is distroless's 0555. Times are 0; layers clamp them anyway.
#include "compose/rootfs.h"

#include <charconv>
#include <set>

#include "base/strings.h"
#include "compose/cacerts.h"

namespace build {

using base::Fail;
using base::Result;

namespace {

constexpr uint32_t kNonroot = 65532;

const char kNsswitch[] =
    "# /etc/nsswitch.conf\n"
    "#\n"
    "# Example configuration of GNU Name Service Switch functionality.\n"
    "# If you have the `glibc-doc-reference' and `info' packages installed, try:\n"
    "# `info libc \"Name Service Switch\"' for information about this file.\n"
    "\n"
    "passwd:         compat\n"
    "group:          compat\n"
    "shadow:         compat\n"
    "gshadow:        files\n"
    "\n"
    "hosts:          files dns\n"
    "networks:       files\n"
    "\n"
    "protocols:      db files\n"
    "services:       db files\n"
    "ethers:         db files\n"
    "rpc:            db files\n"
    "\n"
    "netgroup:       nis\n";

const std::vector<User> kUsers = {
    {"root", 0, 0, "/root", "/sbin/nologin"},
    {"nobody", 65534, 65534, "/nonexistent", "/sbin/nologin"},
    {"nonroot", kNonroot, kNonroot, "/home/nonroot", "/sbin/nologin"}};
const std::vector<Group> kGroups = {
    {"root", 0}, {"nobody", 65534}, {"tty", 5}, {"staff", 50}, {"nonroot", kNonroot}};

struct Suite {
  std::string_view name;
  std::string_view version;
};
constexpr Suite kSuites[] = {
    {"bullseye", "11"}, {"bookworm", "12"}, {"trixie", "13"}, {"forky", "14"}};

bool IsValidField(std::string_view s) { return s.find_first_of(":\n") == std::string_view::npos; }

Result<void> CheckAccounts(const BaseFilesOptions& o) {
  std::set<std::string> users, groups;
  for (const User& u : kUsers) users.insert(u.name);
  for (const Group& g : kGroups) groups.insert(g.name);
  for (const User& u : o.users) {
    if (u.name.empty() || !IsValidField(u.name)) return Fail("invalid account name '{}'", u.name);
    if (!IsValidField(u.home) || !IsValidField(u.shell))
      return Fail("invalid home or shell for account '{}'", u.name);
    if (!users.insert(u.name).second) return Fail("account '{}' is defined twice", u.name);
  }
  for (const Group& g : o.groups) {
    if (g.name.empty() || !IsValidField(g.name)) return Fail("invalid group name '{}'", g.name);
    if (!groups.insert(g.name).second) return Fail("group '{}' is defined twice", g.name);
  }
  return {};
}

Result<void> AddText(fs::Tree& tree, const std::string& path, std::string text, uint32_t mode) {
  uint64_t size = text.size();
  return tree.Add(path, fs::Node::File(fs::Content::Inline(std::move(text)), size, mode));
}

Result<void> AddDirs(fs::Tree& tree, const BaseFilesOptions& o) {
  for (const char* dir : {"etc", "usr", "usr/lib"})
    if (tree.Find(dir) == nullptr) DISTILL_TRY(tree.Add(dir, fs::Node::Dir(0755)));
  DISTILL_TRY(tree.Add("root", fs::Node::Dir(0700)));
  DISTILL_TRY(tree.Add("home", fs::Node::Dir(0755)));
  DISTILL_TRY(tree.Add("home/nonroot", fs::Node::Dir(0700, kNonroot, kNonroot)));
  for (const User& u : o.users) {
    Result<std::string> home = fs::NormalizePath(u.home);
    if (!home) return Fail(home.error().Context("home of account '{}'", u.name));
    if (base::StartsWith(*home, "home/") && home->find('/', 5) == std::string::npos)
      DISTILL_TRY(tree.Add(*home, fs::Node::Dir(0700, u.uid, u.gid)));
  }
  return tree.Add("tmp", fs::Node::Dir(01777));
}

Result<std::vector<std::string>> ReadLines(const fs::Tree& tree, const std::string& path) {
  const fs::Node* node = tree.Find(path);
  if (node == nullptr || node->type != fs::NodeType::kFile) return Fail("/{} is missing", path);
  Result<std::string> text = ReadNodeContent(*node);
  if (!text) return Fail(text.error().Context("reading /{}", path));
  return base::Split(*text, '\n');
}

Result<uint32_t> ParseId(std::string_view s, const std::string& where) {
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty())
    return Fail("{}: malformed id '{}'", where, s);
  return v;
}

// The fields of the line of `path` whose first field is `name`; nullopt when
// no line names it.
Result<std::optional<std::vector<std::string>>> FindLine(const fs::Tree& tree,
                                                         const std::string& path,
                                                         std::string_view name, size_t fields) {
  Result<std::vector<std::string>> lines = ReadLines(tree, path);
  if (!lines) return Fail(lines.error());
  for (size_t i = 0; i < lines->size(); ++i) {
    std::vector<std::string> f = base::Split((*lines)[i], ':');
    if (f.empty() || f[0] != name) continue;
    if (f.size() < fields) return Fail("/{}:{}: malformed line", path, i + 1);
    return std::optional<std::vector<std::string>>(std::move(f));
  }
  return std::optional<std::vector<std::string>>();
}

}  // namespace

std::string PasswdText(const std::vector<User>& users) {
  std::string out;
  for (const std::vector<User>* list : {&kUsers, &users})
    for (const User& u : *list)
      out += fmt::format("{}:x:{}:{}:{}:{}:{}\n", u.name, u.uid, u.gid, u.name, u.home, u.shell);
  return out;
}

std::string GroupText(const std::vector<Group>& groups) {
  std::string out;
  for (const std::vector<Group>* list : {&kGroups, &groups})
    for (const Group& g : *list) out += fmt::format("{}:x:{}:\n", g.name, g.gid);
  return out;
}

Result<std::string> OsReleaseText(std::string_view suite) {
  for (const Suite& s : kSuites) {
    if (s.name != suite) continue;
    return fmt::format(
        "PRETTY_NAME=\"Distroless\"\n"
        "NAME=\"Debian GNU/Linux\"\n"
        "ID=\"debian\"\n"
        "VERSION_ID=\"{0}\"\n"
        "VERSION=\"Debian GNU/Linux {0} ({1})\"\n"
        "HOME_URL=\"https://www.debian.org/\"\n"
        "SUPPORT_URL=\"https://www.debian.org/support\"\n"
        "BUG_REPORT_URL=\"https://bugs.debian.org/\"\n",
        s.version, s.name);
  }
  return Fail("unknown debian suite '{}'", suite);
}

Result<void> AddBaseFiles(fs::Tree& tree, const BaseFilesOptions& options) {
  Result<std::string> os_release = OsReleaseText(options.suite);
  if (!os_release) return Fail(os_release.error());
  DISTILL_TRY(CheckAccounts(options));
  DISTILL_TRY(AddDirs(tree, options));
  DISTILL_TRY(AddText(tree, "etc/passwd", PasswdText(options.users), 0644));
  DISTILL_TRY(AddText(tree, "etc/group", GroupText(options.groups), 0644));
  DISTILL_TRY(AddText(tree, "etc/nsswitch.conf", kNsswitch, 0644));
  return AddText(tree, "usr/lib/os-release", std::move(*os_release), 0555);
}

Result<User> LookupUser(const fs::Tree& tree, std::string_view name) {
  auto line = FindLine(tree, "etc/passwd", name, 7);
  if (!line) return Fail(line.error());
  if (!*line) return Fail("no user '{}' in /etc/passwd", name);
  const std::vector<std::string>& f = **line;
  Result<uint32_t> uid = ParseId(f[2], "/etc/passwd: user '" + f[0] + "'");
  Result<uint32_t> gid = ParseId(f[3], "/etc/passwd: user '" + f[0] + "'");
  if (!uid) return Fail(uid.error());
  if (!gid) return Fail(gid.error());
  return User{f[0], *uid, *gid, f[5], f[6]};
}

Result<Group> LookupGroup(const fs::Tree& tree, std::string_view name) {
  auto line = FindLine(tree, "etc/group", name, 3);
  if (!line) return Fail(line.error());
  if (!*line) return Fail("no group '{}' in /etc/group", name);
  Result<uint32_t> gid = ParseId((**line)[2], "/etc/group: group '" + (**line)[0] + "'");
  if (!gid) return Fail(gid.error());
  return Group{(**line)[0], *gid};
}

}  // namespace build
