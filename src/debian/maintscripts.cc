// What distill does instead of running maintainer scripts (issue 4, item 4;
// Debian Policy 6). A distroless image is assembled from data.tar contents
// and never runs dpkg, so whatever a preinst or postinst would have created
// is missing unless it is emulated here or is known not to matter. The table
// is deliberately small; anything not in it is reported, never skipped:
//
//   any package       prerm, postrm: run on removal and upgrade only, which
//                     never happen to an image. config: asks debconf
//                     questions whose answers only feed postinst. triggers:
//                     a declaration, not a script; "interest" means this
//                     package's own postinst runs (reviewed below), and
//                     "activate" runs another package's (reviewed there).
//                     A script with nothing but a shebang, "set -e",
//                     "exit 0", comments and #DEBHELPER# does nothing.
//   ca-certificates   postinst runs update-ca-certificates → kCaBundle.
//   ca-certificates-java  postinst builds the JKS trust store → kJavaTrustStore.
//   openjdk-N-jre-headless, openjdk-N-jdk-headless
//                     postinst: update-alternatives for the tools in the
//                     JVM's bin/ and jexec → kAlternatives. It also makes
//                     /etc/.java/.systemPrefs, which Java creates or does
//                     without (system preferences) at run time.
//   libc6             preinst/postinst: upgrade checks, service restarts and
//                     an ld.so.cache; glibc searches the default library
//                     directories without a cache (formats.md G3).
//   libc-bin          postinst: ldconfig (as libc6) and /etc/nsswitch.conf,
//                     which build/rootfs writes as distroless does.
//   base-files        postinst: /etc/profile, /root/.profile, /etc/motd,
//                     /var/mail and the like: shell and login files that a
//                     distroless image does not have either.
//   tzdata            postinst: /etc/localtime and /etc/timezone; without
//                     them the time zone is UTC, as in distroless.
//   python3*, libpython3*  postinst: byte-compiles the standard library;
//                     without .pyc files start-up compiles in memory.
// and, for one script each (a new script of these packages is still
// reported):
//   netbase           postinst: on a first install writes /etc/hosts
//                     (localhost lines) and /etc/networks when absent.
//                     Container runtimes mount their own /etc/hosts over
//                     the image's (podman, docker, Kubernetes), and
//                     /etc/networks only serves getnetbyname(3); distroless
//                     ships neither.
//   libgssapi-krb5-2  postinst: copies /usr/etc/gss/mech on an upgrade from
//                     before 1.12.1 only.
//   node-undici       preinst, postinst: dpkg-maintscript-helper
//                     dir_to_symlink, which acts on upgrades from before
//                     5.28.2 only; the data.tar already has the symlink.
//   libreadline8t64   preinst: dpkg-divert of the /lib paths the t64 and
//                     merged-/usr moves left behind, so that an upgrade on a
//                     live system cannot lose the library; an image is
//                     assembled once, with no older package to lose it to.
#include "debian/maintscripts.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

#include "base/strings.h"

namespace debian {

namespace {

// Scripts that only matter when a package is removed, upgraded or asked
// questions, and the trigger declarations.
constexpr std::array<std::string_view, 4> kNeverMatter = {"prerm", "postrm", "config", "triggers"};

// Packages whose preinst and postinst are known not to matter in an image.
bool IsHarmlessPackage(const std::string& p) {
  static const std::array<std::string_view, 4> kNames = {"libc6", "libc-bin", "base-files",
                                                         "tzdata"};
  if (std::find(kNames.begin(), kNames.end(), p) != kNames.end()) return true;
  return base::StartsWith(p, "python3") || base::StartsWith(p, "libpython3");
}

// Single scripts known not to matter (the table above).
bool IsHarmlessScript(std::string_view package, std::string_view script) {
  struct Entry {
    std::string_view package, script;
  };
  static constexpr Entry kScripts[] = {{"netbase", "postinst"},
                                       {"libgssapi-krb5-2", "postinst"},
                                       {"node-undici", "preinst"},
                                       {"node-undici", "postinst"},
                                       {"libreadline8t64", "preinst"}};
  for (const Entry& e : kScripts)
    if (e.package == package && e.script == script) return true;
  return false;
}

// "jre" of "openjdk-17-jre-headless", "jdk" of "openjdk-21-jdk-headless".
std::string OpenJdkKind(std::string_view package) {
  constexpr std::string_view kPrefix = "openjdk-", kSuffix = "-headless";
  if (!base::StartsWith(package, kPrefix) || !base::EndsWith(package, kSuffix)) return "";
  std::string_view middle =
      package.substr(kPrefix.size(), package.size() - kPrefix.size() - kSuffix.size());
  size_t digits = middle.find_first_not_of("0123456789");
  if (digits == 0 || digits == std::string_view::npos) return "";
  std::string_view kind = middle.substr(digits);
  return kind == "-jre" || kind == "-jdk" ? std::string(kind.substr(1)) : "";
}

// True for a script that does nothing: only comments, blank lines, a
// shebang, "set -e", "exit 0" and debhelper's empty #DEBHELPER# marker.
bool DoesNothing(std::string_view text) {
  for (const std::string& raw : base::Split(text, '\n')) {
    std::string_view line = base::Trim(raw);
    if (line.empty() || line[0] == '#' || line == "set -e" || line == "exit 0") continue;
    return false;
  }
  return true;
}

// The emulation standing in for `script` of `package`, if any.
std::optional<Emulation> EmulationFor(const std::string& package, const std::string& script) {
  if (script != "postinst") return std::nullopt;
  if (package == "ca-certificates") return Emulation::kCaBundle;
  if (package == "ca-certificates-java") return Emulation::kJavaTrustStore;
  if (!OpenJdkKind(package).empty()) return Emulation::kAlternatives;
  return std::nullopt;
}

}  // namespace

ScriptReview ReviewMaintainerScripts(const std::string& package,
                                     const std::map<std::string, std::string>& scripts) {
  ScriptReview review;
  for (const auto& [script, text] : scripts) {
    if (std::find(kNeverMatter.begin(), kNeverMatter.end(), script) != kNeverMatter.end()) continue;
    if (std::optional<Emulation> e = EmulationFor(package, script)) {
      review.emulations.push_back(*e);
      continue;
    }
    if (IsHarmlessPackage(package) || IsHarmlessScript(package, script) || DoesNothing(text))
      continue;
    review.warnings.push_back(fmt::format(
        "'{}': {} is not emulated; its effects are missing from the image", package, script));
  }
  return review;
}

base::Result<std::vector<std::string>> AddAlternatives(const std::string& package, fs::Tree& tree) {
  std::string kind = OpenJdkKind(package);
  std::vector<std::string> added;
  if (kind.empty()) return added;
  // The JVM directory is the package's usr/lib/jvm/java-N-openjdk-<arch>;
  // other entries there are symlinks (.java-N-openjdk-<arch>.jinfo is a file).
  std::vector<std::pair<std::string, std::string>> links;  // link → target
  for (const auto& [path, node] : tree.entries()) {
    if (!base::StartsWith(path, "usr/lib/jvm/java-") || node.type != fs::NodeType::kFile) continue;
    std::vector<std::string> parts = base::Split(path, '/');
    if (parts.size() != 6) continue;  // usr/lib/jvm/<jvm>/<dir>/<name>
    std::string tail = parts[4] + "/" + parts[5];
    if (parts[4] == "bin" || (kind == "jre" && tail == "lib/jexec"))
      links.emplace_back("usr/bin/" + parts[5], "../lib/jvm/" + parts[3] + "/" + tail);
  }
  for (const auto& [link, target] : links) {
    if (tree.Find(link)) continue;  // the package ships it: keep that
    DISTILL_TRY(tree.Add(link, fs::Node::Symlink(target)));
    added.push_back(link);
  }
  return added;
}

}  // namespace debian
