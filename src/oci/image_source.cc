// Image sources. A layout directory is read in place. Archives are scanned
// once with libarchive, keeping the small JSON members (index.json,
// manifest.json, and blobs under 4 MiB — manifests are capped at 4 MiB by
// registries) in memory; layer blobs are skipped. Every blob handed out is
// checked against its digest, since an archive is untrusted input.
#include "oci/image_source.h"

#include <archive.h>
#include <archive_entry.h>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "base/sha256.h"
#include "oci/media_types.h"

namespace oci {

namespace {

constexpr int64_t kMaxSmallBlob = 4 << 20;

// Picks the index entry a tag names, or the only one.
base::Result<Descriptor> ChooseFromIndex(const std::string& index_text, const ImageRef& ref) {
  nlohmann::json index = nlohmann::json::parse(index_text, nullptr, false);
  if (index.is_discarded() || !index.is_object() || !index.contains("manifests") ||
      !index["manifests"].is_array())
    return base::Fail("'{}': index.json is not a valid image index", ref.path);
  std::vector<Descriptor> all;
  std::vector<std::string> tags;
  for (const nlohmann::json& m : index["manifests"]) {
    base::Result<Descriptor> d = DescriptorFromJson(m);
    if (!d) return base::Fail(d.error().Context("'{}': index.json", ref.path));
    std::string name =
        d->annotations.count(kAnnotationRefName) ? d->annotations[kAnnotationRefName] : "";
    if (!name.empty()) tags.push_back(name);
    if (!ref.tag.empty() && name == ref.tag) return *d;
    all.push_back(*d);
  }
  std::string list;
  for (const std::string& t : tags) list += (list.empty() ? "" : ", ") + t;
  if (!ref.tag.empty())
    return base::Fail("'{}': no image tagged '{}' (tags: {})", ref.path, ref.tag,
                      list.empty() ? "none" : list);
  if (all.size() == 1) return all[0];
  if (all.empty()) return base::Fail("'{}': the layout holds no image", ref.path);
  return base::Fail("'{}' holds {} images; name one with :TAG (tags: {})", ref.path, all.size(),
                    list);
}

base::Result<std::string> Verified(std::string bytes, const std::string& digest,
                                   const std::string& where) {
  if (base::Sha256Digest(bytes) != digest)
    return base::Fail("'{}': blob '{}' does not match its digest", where, digest);
  return bytes;
}

// Copies `in` to `out` through a hash and checks the digest at the end.
base::Result<void> CopyVerified(FILE* in, const std::string& name, const std::string& digest,
                                base::Sink& out) {
  base::HashingSink hashing(&out);
  std::vector<uint8_t> buf(1 << 20);
  for (;;) {
    size_t n = fread(buf.data(), 1, buf.size(), in);
    if (n > 0) DISTILL_TRY(hashing.Write(std::span<const uint8_t>(buf.data(), n)));
    if (n < buf.size()) break;
  }
  if (ferror(in)) return base::Fail("reading '{}': {}", name, base::ErrnoText());
  if (hashing.Digest() != digest)
    return base::Fail("'{}': blob '{}' does not match its digest", name, digest);
  return {};
}

class LayoutSource : public ImageSource {
 public:
  explicit LayoutSource(ImageRef ref) : ref_(std::move(ref)) {}
  base::Result<Descriptor> Top() override {
    base::Result<std::string> index = base::ReadFile(ref_.path + "/index.json");
    if (!index) return base::Fail("'{}' is not an OCI image layout (no index.json)", ref_.path);
    return ChooseFromIndex(*index, ref_);
  }
  base::Result<std::string> ReadBlob(const std::string& digest) override {
    if (!base::IsSha256Digest(digest)) return base::Fail("invalid digest '{}'", digest);
    base::Result<std::string> b = base::ReadFile(ref_.path + "/blobs/sha256/" + digest.substr(7));
    if (!b) return base::Fail(b.error());
    return Verified(std::move(*b), digest, ref_.path);
  }
  base::Result<void> CopyBlob(const std::string& digest, base::Sink& out) override {
    if (!base::IsSha256Digest(digest)) return base::Fail("invalid digest '{}'", digest);
    base::Result<base::UniqueFile> f = base::OpenRead(BlobFile(digest));
    if (!f) return base::Fail(f.error());
    return CopyVerified(f->get(), ref_.path, digest, out);
  }
  std::string BlobFile(const std::string& digest) override {
    if (!base::IsSha256Digest(digest)) return "";
    return ref_.path + "/blobs/sha256/" + digest.substr(7);
  }

 private:
  ImageRef ref_;
};

// An oci-archive or docker-archive, its small members held in memory.
class ArchiveSource : public ImageSource {
 public:
  static base::Result<std::unique_ptr<ArchiveSource>> Load(const ImageRef& ref) {
    auto src = std::unique_ptr<ArchiveSource>(new ArchiveSource(ref));
    DISTILL_TRY(src->Scan());
    return src;
  }
  base::Result<Descriptor> Top() override;
  base::Result<void> CopyBlob(const std::string& digest, base::Sink& out) override;
  base::Result<std::string> ReadBlob(const std::string& digest) override {
    auto it = files_.find("blobs/sha256/" + digest.substr(7));
    if (it == files_.end()) {
      for (auto& [path, bytes] : files_)  // old docker-archive: config named <hex>.json
        if (path == digest.substr(7) + ".json") return Verified(bytes, digest, ref_.path);
      return base::Fail("'{}': blob '{}' is missing", ref_.path, digest);
    }
    return Verified(it->second, digest, ref_.path);
  }

 private:
  explicit ArchiveSource(ImageRef ref) : ref_(std::move(ref)) {}
  base::Result<void> Scan();
  base::Result<Descriptor> FromDockerManifest();

  ImageRef ref_;
  std::map<std::string, std::string> files_;
  std::string synthesized_manifest_;
};

base::Result<void> ArchiveSource::Scan() {
  struct archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  if (archive_read_open_filename(a, ref_.path.c_str(), 1 << 16) != ARCHIVE_OK) {
    std::string why = archive_error_string(a) ? archive_error_string(a) : "cannot open";
    archive_read_free(a);
    return base::Fail("'{}': {}", ref_.path, why);
  }
  struct archive_entry* e;
  int r;
  while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
    std::string path = archive_entry_pathname(e);
    if (path.rfind("./", 0) == 0) path = path.substr(2);
    if (archive_entry_filetype(e) != AE_IFREG || archive_entry_size(e) > kMaxSmallBlob) continue;
    std::string bytes(static_cast<size_t>(archive_entry_size(e)), '\0');
    la_ssize_t n = archive_read_data(a, bytes.data(), bytes.size());
    if (n < 0 || static_cast<size_t>(n) != bytes.size()) {
      archive_read_free(a);
      return base::Fail("'{}': truncated member '{}'", ref_.path, path);
    }
    files_[path] = std::move(bytes);
  }
  std::string why = r == ARCHIVE_EOF          ? ""
                    : archive_error_string(a) ? archive_error_string(a)
                                              : "read error";
  archive_read_free(a);
  if (!why.empty()) return base::Fail("'{}': {}", ref_.path, why);
  return {};
}

// Small blobs are in memory; others are found by reading the archive again,
// each call with its own libarchive handle.
base::Result<void> ArchiveSource::CopyBlob(const std::string& digest, base::Sink& out) {
  if (!base::IsSha256Digest(digest)) return base::Fail("invalid digest '{}'", digest);
  base::Result<std::string> small = ReadBlob(digest);
  if (small) return out.Write(*small);
  std::string want = "blobs/sha256/" + digest.substr(7);
  struct archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  std::unique_ptr<struct archive, int (*)(struct archive*)> owner(a, archive_read_free);
  if (archive_read_open_filename(a, ref_.path.c_str(), 1 << 16) != ARCHIVE_OK)
    return base::Fail("'{}': cannot open", ref_.path);
  struct archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    std::string path = archive_entry_pathname(e);
    if (path.rfind("./", 0) == 0) path = path.substr(2);
    if (path != want) continue;
    base::HashingSink hashing(&out);
    std::vector<uint8_t> buf(1 << 20);
    la_ssize_t n;
    while ((n = archive_read_data(a, buf.data(), buf.size())) > 0)
      DISTILL_TRY(hashing.Write(std::span<const uint8_t>(buf.data(), static_cast<size_t>(n))));
    if (n < 0) return base::Fail("'{}': truncated member '{}'", ref_.path, path);
    if (hashing.Digest() != digest)
      return base::Fail("'{}': blob '{}' does not match its digest", ref_.path, digest);
    return {};
  }
  return base::Fail("'{}': blob '{}' is missing", ref_.path, digest);
}

base::Result<Descriptor> ArchiveSource::Top() {
  auto index = files_.find("index.json");
  if (index != files_.end()) {
    ImageRef ref = ref_;
    if (ref_.transport == Transport::kDockerArchive && !ref_.name.empty())
      ref.tag = ref_.name.substr(ref_.name.rfind(':') + 1);
    return ChooseFromIndex(index->second, ref);
  }
  if (files_.count("manifest.json")) return FromDockerManifest();
  return base::Fail("'{}' holds neither index.json nor manifest.json", ref_.path);
}

// A docker-archive without an OCI index: synthesize a manifest from
// manifest.json, with layer digests taken from the config's diff_ids
// (the layers are stored uncompressed in this form).
base::Result<Descriptor> ArchiveSource::FromDockerManifest() {
  nlohmann::json m = nlohmann::json::parse(files_["manifest.json"], nullptr, false);
  if (m.is_discarded() || !m.is_array() || m.empty() || !m[0].contains("Config"))
    return base::Fail("'{}': manifest.json is not valid", ref_.path);
  std::string config_path = m[0]["Config"].get<std::string>();
  auto cfg = files_.find(config_path);
  if (cfg == files_.end())
    return base::Fail("'{}': config '{}' is missing", ref_.path, config_path);
  std::string config_digest = base::Sha256Digest(cfg->second);
  files_["blobs/sha256/" + config_digest.substr(7)] = cfg->second;
  nlohmann::json config = nlohmann::json::parse(cfg->second, nullptr, false);
  nlohmann::json layers = nlohmann::json::array();
  if (config.is_object() && config.contains("rootfs"))
    for (const auto& d : config["rootfs"].value("diff_ids", nlohmann::json::array()))
      layers.push_back({{"mediaType", kDockerLayerGzip}, {"digest", d}, {"size", 0}});
  nlohmann::json manifest = {
      {"schemaVersion", 2},
      {"mediaType", kDockerManifest},
      {"config",
       {{"mediaType", kDockerConfig}, {"digest", config_digest}, {"size", cfg->second.size()}}},
      {"layers", layers}};
  std::string bytes = manifest.dump();
  std::string digest = base::Sha256Digest(bytes);
  files_["blobs/sha256/" + digest.substr(7)] = bytes;
  return Descriptor{kDockerManifest, digest, static_cast<int64_t>(bytes.size()), {}, std::nullopt};
}

}  // namespace

base::Result<Uncompressed> HashUncompressed(const std::string& path, const base::Limits& limits) {
  // The entries' data plus their headers: at most three 512-byte blocks
  // each for the usual PAX/long-name forms.
  uint64_t max_bytes = limits.layer_bytes + limits.layer_entries * 1536;
  // libarchive's "raw" format hands out the filtered (decompressed) stream
  // as one entry, whatever the filter found by magic bytes.
  std::unique_ptr<struct archive, int (*)(struct archive*)> a(archive_read_new(),
                                                              archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_raw(a.get());
  auto why = [&] {
    return std::string(archive_error_string(a.get()) ? archive_error_string(a.get())
                                                     : "read error");
  };
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK)
    return base::Fail("'{}': {}", path, why());
  struct archive_entry* e;
  if (archive_read_next_header(a.get(), &e) != ARCHIVE_OK)
    return base::Fail("'{}': {}", path, why());
  base::HashingSink hashing(nullptr);
  std::vector<uint8_t> buf(1 << 20);
  la_ssize_t n;
  while ((n = archive_read_data(a.get(), buf.data(), buf.size())) > 0) {
    DISTILL_TRY(hashing.Write(std::span<const uint8_t>(buf.data(), static_cast<size_t>(n))));
    if (hashing.size() > max_bytes)
      return base::Fail(
          base::LimitError(limits, "layer-bytes", "the uncompressed stream").Context("'{}'", path));
  }
  if (n < 0) return base::Fail("'{}': {}", path, why());
  uint64_t size = hashing.size();
  return Uncompressed{hashing.Digest(), size};
}

base::Result<void> ImageSource::CopyBlob(const std::string& digest, base::Sink& out) {
  base::Result<std::string> bytes = ReadBlob(digest);
  if (!bytes) return base::Fail(bytes.error());
  return out.Write(*bytes);
}

std::string ImageSource::BlobFile(const std::string&) { return ""; }

base::Result<std::unique_ptr<ImageSource>> ImageSource::Open(const ImageRef& ref) {
  switch (ref.transport) {
    case Transport::kOci:
      if (!base::IsDirectory(ref.path)) return base::Fail("'{}': no such directory", ref.path);
      return std::unique_ptr<ImageSource>(new LayoutSource(ref));
    case Transport::kOciArchive:
    case Transport::kDockerArchive: {
      base::Result<std::unique_ptr<ArchiveSource>> s = ArchiveSource::Load(ref);
      if (!s) return base::Fail(s.error());
      return std::unique_ptr<ImageSource>(std::move(*s));
    }
    case Transport::kDocker:
      break;
  }
  return base::Fail("'{}': registry images are not supported yet", ref.text);
}

}  // namespace oci
