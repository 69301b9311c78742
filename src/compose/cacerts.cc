// The CA bundle (issue 4, item 4; distroless.md 1.2 item 9). Debian's
// update-ca-certificates concatenates the certificates that
// /etc/ca-certificates.conf enables, which by default is every file the
// package ships under /usr/share/ca-certificates; rules_distroless's cacerts
// rule does the same from the data.tar, in sorted order, and so does this.
// A file without a final newline gets one, as update-ca-certificates adds,
// so two PEM blocks never share a line.
//
// Mode: distroless writes the bundle 0555. It is data, never executed, and
// readers need only r, so distill writes 0644 like Debian does; non-root
// users read it either way.
#include "compose/cacerts.h"

#include <cstdio>

#include "base/file_util.h"
#include "base/strings.h"

namespace build {

using base::Fail;
using base::Result;

Result<std::string> ReadNodeContent(const fs::Node& node) {
  if (node.content.kind == fs::Content::Kind::kInline)
    return node.content.bytes ? *node.content.bytes : std::string();
  const std::string& path = node.content.path;
  Result<base::UniqueFile> f = base::OpenRead(path);
  if (!f) return Fail(f.error());
  std::string out(node.size, '\0');
  if (fseeko(f->get(), static_cast<off_t>(node.content.offset), SEEK_SET) != 0 ||
      fread(out.data(), 1, out.size(), f->get()) != out.size())
    return Fail("reading '{}': {}", path,
                feof(f->get()) ? "unexpected end of file" : base::ErrnoText());
  return out;
}

Result<std::string> CaBundle(const fs::Tree& ca_certificates) {
  const std::string prefix = "usr/share/ca-certificates/";
  std::string bundle;
  for (auto it = ca_certificates.entries().lower_bound(prefix);
       it != ca_certificates.entries().end() && base::StartsWith(it->first, prefix); ++it) {
    if (it->second.type != fs::NodeType::kFile) continue;
    Result<std::string> pem = ReadNodeContent(it->second);
    if (!pem) return Fail(pem.error().Context("reading '/{}'", it->first));
    bundle += *pem;
    if (!bundle.empty() && bundle.back() != '\n') bundle += '\n';
  }
  if (bundle.empty()) return Fail("'/usr/share/ca-certificates' holds no certificates");
  return bundle;
}

Result<void> AddCaBundle(fs::Tree& tree, std::string bundle) {
  for (const char* dir : {"etc", "etc/ssl", "etc/ssl/certs"})
    if (tree.Find(dir) == nullptr) DISTILL_TRY(tree.Add(dir, fs::Node::Dir(0755)));
  uint64_t size = bundle.size();
  return tree.Add(kCaBundlePath, fs::Node::File(fs::Content::Inline(std::move(bundle)), size));
}

}  // namespace build
