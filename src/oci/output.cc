// Image outputs. A layout directory gets its blobs first (each atomically:
// hardlinked or copied to a temp name, then renamed), then oci-layout, then
// index.json last, so a reader never sees an index pointing at a missing
// blob. Archives are tar streams written with archive::TarWriter: sorted
// names, mtime 0, root-owned, so the same image gives the same archive bytes.
#include "oci/output.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "archive/tar_writer.h"
#include "base/file_util.h"
#include "base/sink.h"
#include "oci/media_types.h"

namespace oci {

namespace {

constexpr char kLayoutBytes[] = "{\"imageLayoutVersion\":\"1.0.0\"}";

// Copies (or hardlinks, when on the same filesystem) `src` to `dst` atomically.
base::Result<void> PlaceFile(const std::string& src, const std::string& dst) {
  std::string tmp = dst + ".tmp-" + std::to_string(getpid());
  unlink(tmp.c_str());
  if (link(src.c_str(), tmp.c_str()) == 0) {
    if (rename(tmp.c_str(), dst.c_str()) == 0) return {};
    unlink(tmp.c_str());
    return base::Fail("renaming into '{}': {}", dst, base::ErrnoText());
  }
  base::Result<base::UniqueFile> in = base::OpenRead(src);
  if (!in) return base::Fail(in.error());
  base::Result<base::AtomicFile> out = base::AtomicFile::Create(dst);
  if (!out) return base::Fail(out.error());
  std::vector<char> buf(1 << 20);
  for (;;) {
    size_t n = fread(buf.data(), 1, buf.size(), in->get());
    DISTILL_TRY(out->Write(std::string_view(buf.data(), n)));
    if (n < buf.size()) break;
  }
  if (ferror(in->get())) return base::Fail("reading '{}': {}", src, base::ErrnoText());
  return out->Commit();
}

base::Result<void> PlaceBlob(const std::string& dir, const Blob& blob) {
  std::string dst = dir + "/blobs/sha256/" + blob.digest.substr(7);
  if (base::PathExists(dst)) return {};  // content-addressed: same name, same bytes
  if (blob.bytes) return base::WriteFileAtomic(dst, *blob.bytes);
  return PlaceFile(blob.path, dst);
}

// index.json of an existing layout, minus the entry that `tag` replaces.
base::Result<nlohmann::json> KeptManifests(const std::string& dir, const std::string& tag) {
  nlohmann::json kept = nlohmann::json::array();
  std::string path = dir + "/index.json";
  if (!base::PathExists(path)) return kept;
  base::Result<std::string> text = base::ReadFile(path);
  if (!text) return base::Fail(text.error());
  nlohmann::json index = nlohmann::json::parse(*text, nullptr, false);
  if (index.is_discarded() || !index.is_object() || !index.contains("manifests") ||
      !index["manifests"].is_array())
    return base::Fail("'{}' is not a valid image index", path);
  for (const nlohmann::json& m : index["manifests"]) {
    std::string name;
    if (m.contains("annotations") && m["annotations"].is_object())
      name = m["annotations"].value(kAnnotationRefName, "");
    if (name != tag || tag.empty()) kept.push_back(m);
  }
  return kept;
}

std::string IndexJson(nlohmann::json manifests) {
  nlohmann::json j = {
      {"schemaVersion", 2}, {"mediaType", kMediaTypeIndex}, {"manifests", std::move(manifests)}};
  return j.dump();
}

Descriptor TaggedTop(const Bundle& bundle, const std::string& tag) {
  Descriptor top = bundle.top;
  if (!tag.empty()) top.annotations[kAnnotationRefName] = tag;
  return top;
}

// A tar archive being written to a temporary file beside its final name.
class ArchiveWriter {
 public:
  static base::Result<std::unique_ptr<ArchiveWriter>> Create(const std::string& file) {
    base::Result<base::AtomicFile> f = base::AtomicFile::Create(file);
    if (!f) return base::Fail(f.error());
    auto w = std::unique_ptr<ArchiveWriter>(new ArchiveWriter(std::move(*f)));
    base::Result<std::unique_ptr<archive::TarWriter>> tar = archive::TarWriter::Create(&w->sink_);
    if (!tar) return base::Fail(tar.error());
    w->tar_ = std::move(*tar);
    return w;
  }
  base::Result<void> Dir(const std::string& path) {
    archive::TarEntry e;
    e.path = path;
    e.type = archive::EntryType::kDir;
    e.mode = 0755;
    return tar_->Add(e);
  }
  base::Result<void> Bytes(const std::string& path, std::string_view bytes) {
    archive::TarEntry e;
    e.path = path;
    e.type = archive::EntryType::kFile;
    e.mode = 0644;
    e.size = bytes.size();
    DISTILL_TRY(tar_->Add(e));
    return tar_->WriteData(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  }
  base::Result<void> BlobEntry(const Blob& blob) {
    std::string path = "blobs/sha256/" + blob.digest.substr(7);
    if (blob.bytes) return Bytes(path, *blob.bytes);
    archive::TarEntry e;
    e.path = path;
    e.type = archive::EntryType::kFile;
    e.mode = 0644;
    e.size = static_cast<uint64_t>(blob.size);
    DISTILL_TRY(tar_->Add(e));
    base::Result<base::UniqueFile> in = base::OpenRead(blob.path);
    if (!in) return base::Fail(in.error());
    std::vector<uint8_t> buf(1 << 20);
    uint64_t left = e.size;
    while (left > 0) {
      size_t n = fread(buf.data(), 1, std::min<uint64_t>(left, buf.size()), in->get());
      if (n == 0) return base::Fail("reading '{}': short read", blob.path);
      DISTILL_TRY(tar_->WriteData(std::span<const uint8_t>(buf.data(), n)));
      left -= n;
    }
    return {};
  }
  base::Result<void> Commit() {
    DISTILL_TRY(tar_->Finish());
    return file_.Commit();
  }

 private:
  explicit ArchiveWriter(base::AtomicFile f)
      : file_(std::move(f)), sink_(file_.file(), file_.path()) {}
  base::AtomicFile file_;
  base::FileSink sink_;
  std::unique_ptr<archive::TarWriter> tar_;
};

// The layout part shared by both archive forms: blobs/, then the given
// top-level JSON files, in sorted order.
base::Result<void> WriteArchive(const std::string& file, const Bundle& bundle,
                                const std::map<std::string, std::string>& top_files) {
  base::Result<std::unique_ptr<ArchiveWriter>> w = ArchiveWriter::Create(file);
  if (!w) return base::Fail(w.error());
  DISTILL_TRY((*w)->Dir("blobs"));
  DISTILL_TRY((*w)->Dir("blobs/sha256"));
  std::vector<Blob> blobs = bundle.Blobs();
  std::sort(blobs.begin(), blobs.end(),
            [](const Blob& a, const Blob& b) { return a.digest < b.digest; });
  for (const Blob& b : blobs) DISTILL_TRY((*w)->BlobEntry(b));
  for (const auto& [name, bytes] : top_files) DISTILL_TRY((*w)->Bytes(name, bytes));
  return (*w)->Commit();
}

}  // namespace

// True when `dir` holds anything at all.
static bool NonEmptyDir(const std::string& dir) {
  std::error_code ec;
  return std::filesystem::directory_iterator(dir, ec) != std::filesystem::directory_iterator();
}

static base::Result<void> FillLayout(const std::string& dir, const std::string& tag,
                                     const Bundle& bundle) {
  base::Result<nlohmann::json> kept = KeptManifests(dir, tag);
  if (!kept) return base::Fail(kept.error());
  DISTILL_TRY(base::MakeDirs(dir + "/blobs/sha256"));
  for (const Blob& b : bundle.Blobs()) DISTILL_TRY(PlaceBlob(dir, b));
  if (!base::PathExists(dir + "/oci-layout"))
    DISTILL_TRY(base::WriteFileAtomic(dir + "/oci-layout", kLayoutBytes));
  kept->push_back(ToJson(TaggedTop(bundle, tag)));
  return base::WriteFileAtomic(dir + "/index.json", IndexJson(std::move(*kept)));
}

base::Result<void> WriteOciLayout(const std::string& dir, const std::string& tag,
                                  const Bundle& bundle) {
  bool existed = base::PathExists(dir);
  if (existed && !base::IsDirectory(dir))
    return base::Fail("'{}' exists and is not a directory", dir);
  if (existed && NonEmptyDir(dir) && !base::PathExists(dir + "/oci-layout"))
    return base::Fail("'{}' exists and is not an OCI image layout", dir);
  base::Result<void> r = FillLayout(dir, tag, bundle);
  if (!r && !existed) {
    // A layout we started is removed whole; an existing one keeps its old
    // index.json, which never points at anything missing.
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  return r;
}

base::Result<void> WriteOciArchive(const std::string& file, const std::string& tag,
                                   const Bundle& bundle) {
  nlohmann::json manifests = nlohmann::json::array({ToJson(TaggedTop(bundle, tag))});
  return WriteArchive(file, bundle,
                      {{"index.json", IndexJson(manifests)}, {"oci-layout", kLayoutBytes}});
}

std::string FullyQualifiedName(const std::string& name_tag) {
  size_t slash = name_tag.find('/');
  std::string first = slash == std::string::npos ? "" : name_tag.substr(0, slash);
  if (!first.empty() && (first.find('.') != std::string::npos ||
                         first.find(':') != std::string::npos || first == "localhost"))
    return name_tag;
  if (slash == std::string::npos) return "docker.io/library/" + name_tag;
  return "docker.io/" + name_tag;
}

base::Result<void> WriteDockerArchive(const std::string& file, const std::string& name_tag,
                                      const Bundle& bundle) {
  if (bundle.images.size() != 1)
    return base::Fail("'{}': a docker-archive holds one platform, the build made {}", file,
                      bundle.images.size());
  const ImageManifest& image = bundle.images[0];
  Descriptor top = bundle.top;
  nlohmann::json repo_tags = nlohmann::json::array();
  if (!name_tag.empty()) {
    top.annotations[kAnnotationContainerdName] = FullyQualifiedName(name_tag);
    top.annotations[kAnnotationRefName] = name_tag.substr(name_tag.rfind(':') + 1);
    repo_tags.push_back(name_tag);
  }
  nlohmann::json layers = nlohmann::json::array();
  for (const Layer& l : image.layers) layers.push_back("blobs/sha256/" + l.descriptor.digest.substr(7));
  nlohmann::json manifest = nlohmann::json::array({{{"Config", "blobs/sha256/" + image.config.digest.substr(7)},
                                                    {"RepoTags", repo_tags},
                                                    {"Layers", layers}}});
  std::map<std::string, std::string> files = {
      {"index.json", IndexJson(nlohmann::json::array({ToJson(top)}))},
      {"manifest.json", manifest.dump()},
      {"oci-layout", kLayoutBytes},
  };
  if (!name_tag.empty() && !image.layers.empty()) {
    size_t colon = name_tag.rfind(':');
    nlohmann::json repos = {{name_tag.substr(0, colon),
                             {{name_tag.substr(colon + 1),
                               image.layers.back().descriptor.digest.substr(7)}}}};
    files["repositories"] = repos.dump();
  }
  return WriteArchive(file, bundle, files);
}

base::Result<void> WriteImage(const ImageRef& dest, const Bundle& bundle) {
  base::Result<void> r;
  switch (dest.transport) {
    case Transport::kOci:
      r = WriteOciLayout(dest.path, dest.tag, bundle);
      break;
    case Transport::kOciArchive:
      r = WriteOciArchive(dest.path, dest.tag, bundle);
      break;
    case Transport::kDockerArchive:
      r = WriteDockerArchive(dest.path, dest.name, bundle);
      break;
    case Transport::kDocker:
      return base::Fail("writing '{}': registry output is not supported yet", dest.text);
  }
  if (!r) return base::Fail(r.error().Context("writing '{}'", dest.text));
  return r;
}

}  // namespace oci
