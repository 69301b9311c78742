// Whole-image transfers. Every copy goes through an oci::Bundle: the exact
// manifest, index and config bytes of the source (never re-serialized, so
// digests survive the copy: formats.md A1) plus each layer as a file. Local
// outputs are written by oci::WriteImage; registries get blobs first, then
// manifests, then the index (formats.md C4), so an interrupted push leaves
// only blobs behind, and its rerun skips them after one HEAD each.
#include "registry/transfer.h"

#include <unistd.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "base/file_util.h"
#include "base/sha256.h"
#include "oci/media_types.h"
#include "oci/output.h"

namespace registry {
namespace {

bool IsIndexType(const std::string& t) {
  return t == oci::kMediaTypeIndex || t == oci::kDockerManifestList;
}

// The registry side of oci::ImageSource.
class RegistrySource : public oci::ImageSource {
 public:
  RegistrySource(std::unique_ptr<Repository> repo, oci::ImageRef ref)
      : repo_(std::move(repo)), ref_(std::move(ref)) {}

  base::Result<oci::Descriptor> Top() override {
    base::Result<Manifest> m = repo_->FetchManifest(ref_.digest.empty() ? ref_.tag : ref_.digest);
    if (!m) return base::Fail(m.error());
    Remember(*m);
    return oci::Descriptor{
        m->media_type, m->digest, static_cast<int64_t>(m->bytes.size()), {}, std::nullopt};
  }

  // Manifests come from the manifest endpoint (an index's children), other
  // small blobs (configs) from the blob endpoint.
  base::Result<std::string> ReadBlob(const std::string& digest) override {
    {
      std::lock_guard lock(mu_);
      auto it = manifests_.find(digest);
      if (it != manifests_.end()) return it->second;
    }
    base::StringSink sink;
    // A config: held in memory, so never more than a manifest may be.
    const base::Limits& limits = repo_->session().options().limits;
    base::CappedSink capped(
        &sink, limits.manifest_bytes,
        base::LimitError(limits, "manifest-bytes", fmt::format("blob '{}'", digest)));
    base::Result<void> r = repo_->FetchBlob(digest, -1, capped);
    if (r) return std::move(sink.str());
    base::Result<Manifest> m = repo_->FetchManifest(digest);
    if (!m) return base::Fail(r.error());
    Remember(*m);
    return m->bytes;
  }

  base::Result<void> CopyBlob(const std::string& digest, base::Sink& out) override {
    return repo_->FetchBlob(digest, -1, out);
  }

  Repository& repo() { return *repo_; }

 private:
  void Remember(const Manifest& m) {
    std::lock_guard lock(mu_);
    manifests_[m.digest] = m.bytes;
  }

  std::unique_ptr<Repository> repo_;
  oci::ImageRef ref_;
  std::mutex mu_;
  std::map<std::string, std::string> manifests_;
};

base::Result<nlohmann::json> ParseJson(const std::string& bytes, const std::string& digest) {
  nlohmann::json j = nlohmann::json::parse(bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return base::Fail("blob '{}' is not a JSON object", digest);
  return j;
}

// One manifest and its config; layers get their descriptors (paths later).
base::Result<oci::ImageManifest> LoadManifest(oci::ImageSource& src, const oci::Descriptor& d) {
  oci::ImageManifest m;
  m.manifest = d;
  base::Result<std::string> bytes = src.ReadBlob(d.digest);
  if (!bytes) return base::Fail(bytes.error());
  m.manifest_bytes = std::move(*bytes);
  base::Result<nlohmann::json> j = ParseJson(m.manifest_bytes, d.digest);
  if (!j) return base::Fail(j.error());
  if (m.manifest.media_type.empty()) m.manifest.media_type = j->value("mediaType", "");
  if (!j->contains("config") || !(*j)["layers"].is_array())
    return base::Fail("manifest '{}' has no config or layers", d.digest);
  base::Result<oci::Descriptor> config = oci::DescriptorFromJson((*j)["config"]);
  if (!config) return base::Fail(config.error().Context("manifest '{}'", d.digest));
  m.config = *config;
  base::Result<std::string> config_bytes = src.ReadBlob(config->digest);
  if (!config_bytes) return base::Fail(config_bytes.error());
  m.config_bytes = std::move(*config_bytes);
  for (const nlohmann::json& l : (*j)["layers"]) {
    base::Result<oci::Descriptor> ld = oci::DescriptorFromJson(l);
    if (!ld) return base::Fail(ld.error().Context("manifest '{}'", d.digest));
    m.layers.push_back(oci::Layer{*ld, "", "", "", 0});
  }
  return m;
}

// Where layer `l` is read from: the source's own file, or a verified copy.
base::Result<void> PlaceLayer(oci::ImageSource& src, oci::Layer& l, const std::string& tmpdir,
                              bool verify_files, int attempts) {
  std::string file = src.BlobFile(l.descriptor.digest);
  if (!file.empty() && base::PathExists(file)) {
    l.path = file;
    if (!verify_files) return {};
    base::Result<std::string> hex = base::Sha256FileHex(file);
    if (!hex) return base::Fail(hex.error());
    if ("sha256:" + *hex != l.descriptor.digest)
      return base::Fail("blob '{}' does not match its digest", l.descriptor.digest);
    return {};
  }
  l.path = tmpdir + "/" + l.descriptor.digest.substr(7);
  for (int attempt = 1;; ++attempt) {
    base::Result<base::AtomicFile> f = base::AtomicFile::Create(l.path);
    if (!f) return base::Fail(f.error());
    base::FileSink file_sink(f->file(), l.path);
    // A blob is bounded by its declared size, enforced as it streams.
    base::CappedSink sink(
        &file_sink, l.descriptor.size >= 0 ? static_cast<uint64_t>(l.descriptor.size) : UINT64_MAX,
        base::Error("blob '{}' does not match its declared size ({} bytes)", l.descriptor.digest,
                    l.descriptor.size));
    base::Result<void> r = src.CopyBlob(l.descriptor.digest, sink);
    if (r) return f->Commit();
    // A wrong digest or a missing blob will not change on a second try.
    const std::string& why = r.error().message();
    bool permanent = why.find("does not match") != std::string::npos ||
                     why.find("not found") != std::string::npos;
    if (permanent || attempt >= attempts) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
  }
}

// A temporary directory removed with everything in it.
class TempDir {
 public:
  static base::Result<TempDir> Create() {
    const char* base = getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/distill-copy-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr)
      return base::Fail("creating '{}': {}", tmpl, base::ErrnoText());
    return TempDir(tmpl);
  }
  TempDir(TempDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  explicit TempDir(std::string p) : path_(std::move(p)) {}
  std::string path_;
};

}  // namespace

base::Result<void> ParallelFor(size_t n, int jobs,
                               const std::function<base::Result<void>(size_t)>& fn) {
  std::vector<std::optional<base::Error>> errors(n);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto worker = [&] {
    for (size_t i; !failed && (i = next++) < n;) {
      base::Result<void> r = fn(i);
      if (!r) errors[i] = r.error(), failed = true;
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < std::min<int>(jobs, static_cast<int>(n)); ++t) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  for (auto& e : errors)
    if (e) return base::Fail(*e);
  return {};
}

base::Result<std::unique_ptr<oci::ImageSource>> OpenRegistrySource(Client& client,
                                                                   const oci::ImageRef& ref) {
  base::Result<std::unique_ptr<Repository>> repo = client.Open(ref, false);
  if (!repo) return base::Fail(repo.error());
  return std::unique_ptr<oci::ImageSource>(new RegistrySource(std::move(*repo), ref));
}

base::Result<std::unique_ptr<oci::ImageSource>> OpenSource(Client& client,
                                                           const oci::ImageRef& ref) {
  if (ref.transport == oci::Transport::kDocker) return OpenRegistrySource(client, ref);
  return oci::ImageSource::Open(ref);
}

base::Result<oci::Bundle> LoadBundle(oci::ImageSource& source, const std::string& tmpdir, int jobs,
                                     bool verify_files) {
  base::Result<oci::Descriptor> top = source.Top();
  if (!top) return base::Fail(top.error());
  oci::Bundle b;
  b.top = *top;
  b.top.annotations.clear();  // the source's tag is no part of the image
  b.top.platform.reset();
  std::vector<oci::Descriptor> children{b.top};
  if (IsIndexType(top->media_type)) {
    base::Result<std::string> bytes = source.ReadBlob(top->digest);
    if (!bytes) return base::Fail(bytes.error());
    b.index_bytes = std::move(*bytes);
    base::Result<nlohmann::json> j = ParseJson(b.index_bytes, top->digest);
    if (!j) return base::Fail(j.error());
    children.clear();
    for (const nlohmann::json& m : j->value("manifests", nlohmann::json::array())) {
      base::Result<oci::Descriptor> d = oci::DescriptorFromJson(m);
      if (!d) return base::Fail(d.error().Context("index '{}'", top->digest));
      if (IsIndexType(d->media_type))
        return base::Fail("index '{}' holds another index, which is not supported", top->digest);
      children.push_back(*d);
    }
  }
  for (const oci::Descriptor& d : children) {
    base::Result<oci::ImageManifest> m = LoadManifest(source, d);
    if (!m) return base::Fail(m.error());
    b.images.push_back(std::move(*m));
  }
  std::vector<oci::Layer*> layers;
  std::set<std::string> seen;
  for (oci::ImageManifest& m : b.images)
    for (oci::Layer& l : m.layers)
      if (seen.insert(l.descriptor.digest).second) layers.push_back(&l);
  DISTILL_TRY(ParallelFor(layers.size(), jobs, [&](size_t i) {
    return PlaceLayer(source, *layers[i], tmpdir, verify_files, 4);
  }));
  // Layers shared between platforms point at the one copy.
  std::map<std::string, std::string> paths;
  for (oci::Layer* l : layers) paths[l->descriptor.digest] = l->path;
  for (oci::ImageManifest& m : b.images)
    for (oci::Layer& l : m.layers) l.path = paths[l.descriptor.digest];
  return b;
}

base::Result<std::string> Push(Repository& repo, const oci::Bundle& bundle,
                               const std::string& reference, PushStats* stats) {
  std::set<std::string> manifests;
  for (const oci::ImageManifest& m : bundle.images) manifests.insert(m.manifest.digest);
  manifests.insert(bundle.top.digest);
  std::vector<oci::Blob> blobs;
  for (oci::Blob& b : bundle.Blobs())
    if (!manifests.contains(b.digest)) blobs.push_back(std::move(b));
  const Options& o = repo.session().options();
  if (o.reporter) o.reporter->Status(fmt::format("pushing {} blobs", blobs.size()));
  DISTILL_TRY(ParallelFor(blobs.size(), o.jobs, [&](size_t i) -> base::Result<void> {
    base::Result<BlobOutcome> r = repo.PushBlob(blobs[i]);
    if (!r) return base::Fail(r.error());
    if (stats)
      (*r == BlobOutcome::kExisted   ? stats->existed
       : *r == BlobOutcome::kMounted ? stats->mounted
                                     : stats->uploaded)++;
    return {};
  }));
  std::string ref = reference.empty() ? bundle.top.digest : reference;
  if (bundle.index_bytes.empty())
    return repo.PutManifest(ref, bundle.images.at(0).manifest_bytes, bundle.top.media_type);
  for (const oci::ImageManifest& m : bundle.images) {
    base::Result<std::string> d =
        repo.PutManifest(m.manifest.digest, m.manifest_bytes, m.manifest.media_type);
    if (!d) return base::Fail(d.error());
  }
  return repo.PutManifest(ref, bundle.index_bytes, bundle.top.media_type);
}

base::Result<std::string> PushTo(Client& client, const oci::ImageRef& dest,
                                 const oci::Bundle& bundle, PushStats* stats) {
  if (!dest.digest.empty() && dest.digest != bundle.top.digest)
    return base::Fail("pushing '{}': the image's digest is '{}'", dest.text, bundle.top.digest);
  base::Result<std::unique_ptr<Repository>> repo = client.Open(dest, true);
  base::Result<std::string> d = repo ? Push(**repo, bundle, dest.tag, stats)
                                     : base::Result<std::string>(base::Fail(repo.error()));
  if (!d) return base::Fail(d.error().Context("pushing '{}'", dest.text));
  return d;
}

base::Result<std::string> Copy(Client& client, const oci::ImageRef& src, const oci::ImageRef& dst,
                               PushStats* stats) {
  base::Result<TempDir> tmp = TempDir::Create();
  if (!tmp) return base::Fail(tmp.error());
  base::Result<std::unique_ptr<oci::ImageSource>> source = OpenSource(client, src);
  if (!source) return base::Fail(source.error().Context("reading '{}'", src.text));
  bool to_registry = dst.transport == oci::Transport::kDocker;
  base::Result<oci::Bundle> bundle =
      LoadBundle(**source, tmp->path(), client.options().jobs, !to_registry);
  if (!bundle) return base::Fail(bundle.error().Context("reading '{}'", src.text));
  if (!to_registry) {
    DISTILL_TRY(oci::WriteImage(dst, *bundle));
    return bundle->top.digest;
  }
  // Within one registry, blobs of the source repository are mounted.
  std::string mount_from;
  RepoName from = SplitRepoName(src.name), to = SplitRepoName(dst.name);
  if (src.transport == oci::Transport::kDocker && from.host == to.host)
    mount_from = from.repository;
  if (!dst.digest.empty() && dst.digest != bundle->top.digest)
    return base::Fail("pushing '{}': the image's digest is '{}'", dst.text, bundle->top.digest);
  base::Result<std::unique_ptr<Repository>> repo = client.Open(dst, true, mount_from);
  base::Result<std::string> d = repo ? Push(**repo, *bundle, dst.tag, stats)
                                     : base::Result<std::string>(base::Fail(repo.error()));
  if (!d) return base::Fail(d.error().Context("pushing '{}'", dst.text));
  return d;
}

}  // namespace registry
