// Pulling a registry base (image-spec manifest.md, image-index.md,
// config.md, layer.md; distribution-spec pull, formats.md C2).
//
// Everything lands in the content-addressed cache (cache/store.h) and is
// verified on the way in: manifests and the config by digest, layers by
// digest while they stream, and each layer's uncompressed stream against its
// DiffID from the config, since the DiffIDs are what the built image's
// config will list. What a pull learned is kept so the next build needs at
// most one request: the tag's digest (<cache>/refs/<sha256 of name:tag>.json,
// read instead of the registry under --offline) and each layer's entry
// record (base_layer.h), so a warm build reads no layer at all.
//
// The view applies the layers in order as a container engine does
// (layer.md "Applying Changesets"): `.wh.NAME` removes NAME from the layers
// below, `.wh..wh..opq` empties its directory of what the layers below put
// there; both only affect lower layers, so they are applied before the
// layer's own entries. The built image keeps the base's blobs as they are;
// only a Docker layer media type is renamed to its OCI twin (same bytes, as
// `skopeo copy --format oci` does), since the image written is OCI.
#include "compose/registry_base.h"

#include <atomic>
#include <nlohmann/json.hpp>
#include <optional>

#include "base/file_util.h"
#include "base/sha256.h"
#include "base/strings.h"
#include "compose/base_layer.h"
#include "debian/deb822.h"
#include "oci/descriptor.h"
#include "oci/media_types.h"
#include "registry/transfer.h"

namespace build {
namespace {

using nlohmann::json;

constexpr uint64_t kMaxSmallBlob = 4 << 20;  // manifests and configs

bool IsIndex(const std::string& media_type) {
  return media_type == oci::kMediaTypeIndex || media_type == oci::kDockerManifestList;
}

// The layer media types whose blobs are plain (compressed) tars.
std::optional<std::string> OciLayerType(const std::string& t) {
  if (t == oci::kMediaTypeLayer || t == oci::kMediaTypeLayerGzip || t == oci::kMediaTypeLayerZstd)
    return t;
  if (t == oci::kDockerLayerGzip) return std::string(oci::kMediaTypeLayerGzip);
  if (t == "application/vnd.docker.image.rootfs.diff.tar") return std::string(oci::kMediaTypeLayer);
  return std::nullopt;
}

// A string member, "" when absent or not a string (json::value() would throw).
std::string Str(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : "";
}

base::Result<json> ParseObject(const std::string& bytes, const std::string& what) {
  json j = json::parse(bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return base::Fail("{} is not a JSON object", what);
  return j;
}

// The pull of one reference for one platform.
class Puller {
 public:
  Puller(BuildContext& ctx, const oci::ImageRef& ref, const cache::Store& store)
      : ctx_(ctx), ref_(ref), store_(store) {}

  base::Result<BaseImage> Run(const oci::Platform& platform);

 private:
  base::Result<registry::Repository*> Repo();
  base::Result<std::string> ResolveTop(std::string& bytes);
  base::Result<std::string> Manifest(const std::string& digest);
  base::Result<std::string> SmallBlob(const std::string& digest, int64_t size);
  base::Result<std::string> ChooseManifest(const std::string& index, const std::string& digest,
                                           const oci::Platform& platform);
  base::Result<json> ImageManifest(const oci::Platform& platform, BaseImage& out);
  base::Result<std::vector<oci::Layer>> Layers(const json& manifest, const std::string& md,
                                               const json& cfg, const std::string& config_digest);
  base::Result<void> FetchLayers(const std::vector<oci::Layer>& layers);
  base::Result<void> BuildView(BaseImage& out);
  std::string TagFile() const;
  base::Error Offline(const std::string& what) const {
    return base::Error("{} is not in the cache (--offline)", what);
  }

  BuildContext& ctx_;
  const oci::ImageRef& ref_;
  const cache::Store& store_;
  std::unique_ptr<registry::Repository> repo_;
  std::atomic<int> fetched_{0};
};

base::Result<registry::Repository*> Puller::Repo() {
  if (!repo_) {
    base::Result<std::unique_ptr<registry::Repository>> r =
        ctx_.registry_client().Open(ref_, false);
    if (!r) return base::Fail(r.error());
    repo_ = std::move(*r);
  }
  return repo_.get();
}

std::string Puller::TagFile() const {
  return store_.root() + "/refs/" + base::Sha256Hex(ref_.name + ":" + ref_.tag) + ".json";
}

// The digest the reference names and the bytes of that manifest or index.
base::Result<std::string> Puller::ResolveTop(std::string& bytes) {
  if (!ref_.digest.empty()) {
    base::Result<std::string> m = Manifest(ref_.digest);
    if (!m) return base::Fail(m.error());
    bytes = std::move(*m);
    return ref_.digest;
  }
  if (ctx_.options().offline) {
    base::Result<std::string> text = base::ReadFile(TagFile());
    json j = text ? json::parse(*text, nullptr, false) : json();
    std::string digest = j.is_object() ? Str(j, "digest") : "";
    if (!base::IsSha256Digest(digest)) return base::Fail(Offline("the tag's digest"));
    base::Result<std::string> m = Manifest(digest);
    if (!m) return base::Fail(m.error());
    bytes = std::move(*m);
    return digest;
  }
  // One request tells whether the tag moved; the bytes are verified by the
  // repository against Docker-Content-Digest.
  base::Result<registry::Repository*> repo = Repo();
  if (!repo) return base::Fail(repo.error());
  base::Result<registry::Manifest> m = (*repo)->FetchManifest(ref_.tag);
  if (!m) return base::Fail(m.error());
  std::string hex = m->digest.substr(7);
  if (!store_.Has(hex)) {
    base::Result<cache::BlobWriter> w = store_.Insert(hex, m->bytes.size());
    if (!w) return base::Fail(w.error());
    DISTILL_TRY(w->Write(m->bytes));
    DISTILL_TRY(w->Commit());
  }
  json record = {{"reference", ref_.name + ":" + ref_.tag}, {"digest", m->digest}};
  DISTILL_TRY(base::MakeDirs(store_.root() + "/refs"));
  // Only "digest" is read back; the reference is for people, and a name
  // that is not UTF-8 (nothing checks a docker:// name's bytes) must not
  // make dump() throw.
  DISTILL_TRY(base::WriteFileAtomic(TagFile(),
                                    record.dump(-1, ' ', false, json::error_handler_t::replace)));
  bytes = std::move(m->bytes);
  return m->digest;
}

// A manifest by digest: the cache's copy, else the registry's, verified.
base::Result<std::string> Puller::Manifest(const std::string& digest) {
  std::string hex = digest.substr(7);
  if (store_.Has(hex)) return base::ReadFile(store_.Path(hex));
  if (ctx_.options().offline) return base::Fail(Offline(fmt::format("manifest '{}'", digest)));
  base::Result<registry::Repository*> repo = Repo();
  if (!repo) return base::Fail(repo.error());
  base::Result<registry::Manifest> m = (*repo)->FetchManifest(digest);
  if (!m) return base::Fail(m.error());
  base::Result<cache::BlobWriter> w = store_.Insert(hex, m->bytes.size());
  if (!w) return base::Fail(w.error());
  DISTILL_TRY(w->Write(m->bytes));
  DISTILL_TRY(w->Commit());
  ++fetched_;
  return std::move(m->bytes);
}

// A config blob: cached, else fetched into the cache, verified either way
// on its way in.
base::Result<std::string> Puller::SmallBlob(const std::string& digest, int64_t size) {
  std::string hex = digest.substr(7);
  if (!store_.Has(hex)) {
    if (ctx_.options().offline) return base::Fail(Offline(fmt::format("blob '{}'", digest)));
    if (size < 0 || static_cast<uint64_t>(size) > kMaxSmallBlob)
      return base::Fail("config '{}' is larger than 4 MiB", digest);
    base::Result<registry::Repository*> repo = Repo();
    if (!repo) return base::Fail(repo.error());
    base::Result<cache::BlobWriter> w = store_.Insert(hex, static_cast<uint64_t>(size));
    if (!w) return base::Fail(w.error());
    DISTILL_TRY((*repo)->FetchBlob(digest, size, *w));
    DISTILL_TRY(w->Commit());
    ++fetched_;
  }
  return base::ReadFile(store_.Path(hex));
}

bool PlatformMatches(const oci::Platform& have, const oci::Platform& want) {
  if (have.os != want.os || have.architecture != want.architecture) return false;
  if (have.variant == want.variant || want.variant.empty()) return true;
  // arm64 images usually carry no variant; "v8" is the only one there is.
  return want.architecture == "arm64" && (have.variant.empty() || have.variant == "v8") &&
         want.variant == "v8";
}

base::Result<std::string> Puller::ChooseManifest(const std::string& index,
                                                 const std::string& digest,
                                                 const oci::Platform& platform) {
  base::Result<json> j = ParseObject(index, fmt::format("index '{}'", digest));
  if (!j) return base::Fail(j.error());
  std::vector<std::string> seen;
  for (const json& m : j->value("manifests", json::array())) {
    base::Result<oci::Descriptor> d = oci::DescriptorFromJson(m);
    if (!d) return base::Fail(d.error().Context("index '{}'", digest));
    if (!d->platform) continue;
    seen.push_back(d->platform->ToString());
    if (PlatformMatches(*d->platform, platform) && !IsIndex(d->media_type)) return d->digest;
  }
  std::string list;
  for (const std::string& s : seen) list += (list.empty() ? "" : ", ") + s;
  return base::Fail("no image for platform '{}' (the index has {})", platform.ToString(),
                    list.empty() ? "no platforms" : list);
}

base::Result<void> Puller::FetchLayers(const std::vector<oci::Layer>& layers) {
  std::vector<const oci::Layer*> missing;
  for (const oci::Layer& l : layers)
    if (!store_.Has(l.descriptor.digest.substr(7))) missing.push_back(&l);
  if (missing.empty()) return {};
  if (ctx_.options().offline)
    return base::Fail(Offline(fmt::format("blob '{}'", missing[0]->descriptor.digest)));
  base::Result<registry::Repository*> repo = Repo();
  if (!repo) return base::Fail(repo.error());
  ctx_.reporter().Status(fmt::format("pulling {} layers of {}", missing.size(), ref_.text));
  return registry::ParallelFor(
      missing.size(), ctx_.options().registry.jobs, [&](size_t i) -> base::Result<void> {
        const oci::Descriptor& d = missing[i]->descriptor;
        base::Result<cache::BlobWriter> w =
            store_.Insert(d.digest.substr(7), static_cast<uint64_t>(d.size));
        if (!w) return base::Fail(w.error());
        // FetchBlob checks digest and size before the writer commits; on a
        // mismatch the writer is dropped and nothing enters the cache.
        DISTILL_TRY((*repo)->FetchBlob(d.digest, d.size, *w));
        DISTILL_TRY(w->Commit());
        ++fetched_;
        return {};
      });
}

std::vector<std::string> Strings(const json& j) {
  std::vector<std::string> out;
  if (j.is_array())
    for (const json& s : j)
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

std::vector<std::string> Keys(const json& j) {
  std::vector<std::string> out;
  if (j.is_object())
    for (auto it = j.begin(); it != j.end(); ++it) out.push_back(it.key());
  return out;
}

// The config's run settings (config.md "config"), as Docker's FROM takes them.
oci::RunConfig RunConfigFrom(const json& config) {
  oci::RunConfig run;
  json c =
      config.contains("config") && config["config"].is_object() ? config["config"] : json::object();
  auto str = [&](const char* key) {
    return c.contains(key) && c[key].is_string() ? c[key].get<std::string>() : std::string();
  };
  run.user = str("User");
  run.workdir = str("WorkingDir");
  run.stop_signal = str("StopSignal");
  run.env = Strings(c.value("Env", json()));
  run.entrypoint = Strings(c.value("Entrypoint", json()));
  run.cmd = Strings(c.value("Cmd", json()));
  run.ports = Keys(c.value("ExposedPorts", json()));
  run.volumes = Keys(c.value("Volumes", json()));
  if (c.contains("Labels") && c["Labels"].is_object())
    for (auto it = c["Labels"].begin(); it != c["Labels"].end(); ++it)
      if (it.value().is_string()) run.labels[it.key()] = it.value().get<std::string>();
  return run;
}

// The image manifest for `platform`: the top manifest, or the one the top
// index lists for the platform.
base::Result<json> Puller::ImageManifest(const oci::Platform& platform, BaseImage& out) {
  std::string bytes;
  base::Result<std::string> top = ResolveTop(bytes);
  if (!top) return base::Fail(top.error());
  out.digest = out.manifest_digest = *top;
  base::Result<json> j = ParseObject(bytes, fmt::format("manifest '{}'", *top));
  if (!j) return j;
  std::string media_type = Str(*j, "mediaType");
  if (!IsIndex(media_type) && !(media_type.empty() && j->contains("manifests"))) return j;
  base::Result<std::string> chosen = ChooseManifest(bytes, *top, platform);
  if (!chosen) return base::Fail(chosen.error());
  base::Result<std::string> m = Manifest(*chosen);
  if (!m) return base::Fail(m.error());
  out.manifest_digest = *chosen;
  return ParseObject(*m, fmt::format("manifest '{}'", *chosen));
}

// The layers manifest `md` lists, with their DiffIDs and history lines from
// the config `config_digest`.
base::Result<std::vector<oci::Layer>> Puller::Layers(const json& manifest, const std::string& md,
                                                     const json& cfg,
                                                     const std::string& config_digest) {
  std::vector<std::string> diff_ids;
  if (cfg.contains("rootfs") && cfg["rootfs"].is_object())
    diff_ids = Strings(cfg["rootfs"].value("diff_ids", json()));
  std::vector<std::string> history;
  for (const json& h : cfg.value("history", json::array()))
    if (h.is_object() && !(h.contains("empty_layer") && h["empty_layer"] == true))
      history.push_back(Str(h, "created_by"));
  const json& layers = manifest["layers"];
  if (diff_ids.size() != layers.size())
    return base::Fail("config '{}' lists {} DiffIDs for {} layers", config_digest, diff_ids.size(),
                      layers.size());
  std::vector<oci::Layer> out;
  for (size_t i = 0; i < layers.size(); ++i) {
    base::Result<oci::Descriptor> d = oci::DescriptorFromJson(layers[i]);
    if (!d) return base::Fail(d.error().Context("manifest '{}'", md));
    std::optional<std::string> type = OciLayerType(d->media_type);
    if (!type)
      return base::Fail("layer '{}' has media type '{}', which is not a tar layer", d->digest,
                        d->media_type);
    if (!base::IsSha256Digest(diff_ids[i]))
      return base::Fail("config '{}': invalid DiffID '{}'", config_digest, diff_ids[i]);
    oci::Layer l;
    l.descriptor = oci::Descriptor{*type, d->digest, d->size, {}, std::nullopt};
    l.diff_id = diff_ids[i];
    l.created_by = i < history.size() ? history[i] : "";
    l.path = store_.Path(d->digest.substr(7));
    out.push_back(std::move(l));
  }
  return out;
}

// The merged view of `out.layers`: read in parallel (each a decompression,
// or a record), applied in order.
base::Result<void> Puller::BuildView(BaseImage& out) {
  std::vector<LayerRecord> records(out.layers.size());
  const base::Limits& limits = ctx_.options().limits;
  std::atomic<uint64_t> image_used = 0;
  DISTILL_TRY(registry::ParallelFor(
      out.layers.size(), ctx_.options().threads, [&](size_t i) -> base::Result<void> {
        base::Result<LayerRecord> e = LayerEntries(store_, out.layers[i], limits, &image_used);
        if (!e) return base::Fail(e.error());
        records[i] = std::move(*e);
        return {};
      }));
  for (size_t i = 0; i < records.size(); ++i) {
    base::Result<void> r = ApplyLayer(out.view, records[i].entries);
    if (!r) return base::Fail(r.error().Context("layer '{}'", out.layers[i].descriptor.digest));
    out.layers[i].uncompressed_size = records[i].uncompressed_size;
  }
  return {};
}

base::Result<BaseImage> Puller::Run(const oci::Platform& platform) {
  BaseImage out;
  base::Result<json> j = ImageManifest(platform, out);
  if (!j) return base::Fail(j.error());
  const std::string& md = out.manifest_digest;
  if (!j->contains("config") || !(*j)["layers"].is_array())
    return base::Fail("manifest '{}' is not an image manifest (no config or layers)", md);
  base::Result<oci::Descriptor> config = oci::DescriptorFromJson((*j)["config"]);
  if (!config) return base::Fail(config.error().Context("manifest '{}'", md));
  base::Result<std::string> config_bytes = SmallBlob(config->digest, config->size);
  if (!config_bytes) return base::Fail(config_bytes.error());
  base::Result<json> cfg = ParseObject(*config_bytes, fmt::format("config '{}'", config->digest));
  if (!cfg) return base::Fail(cfg.error());
  oci::Platform have{Str(*cfg, "os"), Str(*cfg, "architecture"), Str(*cfg, "variant")};
  if (!PlatformMatches(have, platform))
    return base::Fail("the image is for '{}', not '{}'", have.ToString(), platform.ToString());
  base::Result<std::vector<oci::Layer>> layers = Layers(*j, md, *cfg, config->digest);
  if (!layers) return base::Fail(layers.error());
  out.layers = std::move(*layers);
  DISTILL_TRY(FetchLayers(out.layers));
  DISTILL_TRY(BuildView(out));
  out.run = RunConfigFrom(*cfg);
  out.packages = InstalledPackages(out.view);
  out.blobs_fetched = fetched_;
  return out;
}

// The bytes of a regular file of the view, up to 16 MiB.
std::optional<std::string> ReadViewFile(const fs::Node& n) {
  if (n.type != fs::NodeType::kFile || n.size > (16u << 20)) return std::nullopt;
  if (n.content.kind == fs::Content::Kind::kInline)
    return n.content.bytes ? *n.content.bytes : std::string();
  base::Result<std::string> all = base::ReadFile(n.content.path);
  if (!all || all->size() < n.content.offset + n.size) return std::nullopt;
  return all->substr(n.content.offset, n.size);
}

void AddStanzas(const std::string& text, bool need_installed,
                std::map<std::string, std::string>& out) {
  base::Result<std::vector<debian::Stanza>> stanzas = debian::ParseDeb822(text, "status");
  if (!stanzas) return;
  for (const debian::Stanza& s : *stanzas) {
    if (s.Get("Package").empty() || s.Get("Version").empty()) continue;
    if (need_installed && !base::EndsWith(s.Get("Status"), " installed")) continue;
    out[std::string(s.Get("Package"))] = std::string(s.Get("Version"));
  }
}

}  // namespace

std::map<std::string, std::string> InstalledPackages(const fs::Tree& view) {
  std::map<std::string, std::string> out;
  if (const fs::Node* status = view.Find("var/lib/dpkg/status"))
    if (std::optional<std::string> text = ReadViewFile(*status)) AddStanzas(*text, true, out);
  const std::string dir = "var/lib/dpkg/status.d/";
  for (auto it = view.entries().lower_bound(dir);
       it != view.entries().end() && base::StartsWith(it->first, dir); ++it) {
    if (it->first.find('/', dir.size()) != std::string::npos) continue;
    if (base::EndsWith(it->first, ".md5sums")) continue;
    if (std::optional<std::string> text = ReadViewFile(it->second)) AddStanzas(*text, false, out);
  }
  return out;
}

base::Result<BaseImage> PullBaseImage(BuildContext& ctx, const oci::ImageRef& ref,
                                      const oci::Platform& platform) {
  base::Result<const cache::Store*> store = ctx.store();
  if (!store) return base::Fail(store.error());
  base::Result<BaseImage> image = Puller(ctx, ref, **store).Run(platform);
  if (!image) return base::Fail(image.error().Context("pulling base '{}'", ref.text));
  return image;
}

}  // namespace build
