// Serializing images: config, manifest and index JSON. nlohmann::json keeps
// object keys sorted, and nothing host-specific goes in, so the same inputs
// give the same bytes and digests on any machine (formats.md A8 step 6).
// History has one non-empty entry per layer: Docker's store rejects a config
// with more non-empty history entries than diff_ids (formats.md A4).
#include "oci/image.h"

#include <ctime>
#include <set>

#include <nlohmann/json.hpp>

#include "base/sha256.h"
#include "oci/media_types.h"

namespace oci {

std::string FormatRfc3339(int64_t seconds) {
  time_t t = static_cast<time_t>(seconds);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

static nlohmann::json RunConfigJson(const RunConfig& run) {
  nlohmann::json c = nlohmann::json::object();
  if (!run.user.empty()) c["User"] = run.user;
  if (!run.workdir.empty()) c["WorkingDir"] = run.workdir;
  if (!run.env.empty()) c["Env"] = run.env;
  if (!run.entrypoint.empty()) c["Entrypoint"] = run.entrypoint;
  if (!run.cmd.empty()) c["Cmd"] = run.cmd;
  if (!run.labels.empty()) c["Labels"] = run.labels;
  if (!run.stop_signal.empty()) c["StopSignal"] = run.stop_signal;
  if (!run.ports.empty()) {
    nlohmann::json ports = nlohmann::json::object();
    for (const std::string& p : run.ports) ports[p] = nlohmann::json::object();
    c["ExposedPorts"] = ports;
  }
  if (!run.volumes.empty()) {
    nlohmann::json vols = nlohmann::json::object();
    for (const std::string& v : run.volumes) vols[v] = nlohmann::json::object();
    c["Volumes"] = vols;
  }
  return c;
}

std::string SerializeConfig(const Platform& platform, const RunConfig& run,
                            const std::vector<Layer>& layers, int64_t created) {
  std::string when = FormatRfc3339(created);
  nlohmann::json diff_ids = nlohmann::json::array();
  nlohmann::json history = nlohmann::json::array();
  for (const Layer& l : layers) {
    diff_ids.push_back(l.diff_id);
    history.push_back({{"created", when}, {"created_by", l.created_by}});
  }
  nlohmann::json j = {
      {"architecture", platform.architecture},
      {"os", platform.os},
      {"created", when},
      {"config", RunConfigJson(run)},
      {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}},
      {"history", history},
  };
  if (!platform.variant.empty()) j["variant"] = platform.variant;
  return j.dump();
}

ImageManifest MakeImageManifest(const Platform& platform, const RunConfig& run,
                                std::vector<Layer> layers, int64_t created,
                                const std::map<std::string, std::string>& annotations) {
  ImageManifest m;
  m.platform = platform;
  m.config_bytes = SerializeConfig(platform, run, layers, created);
  m.config = {kMediaTypeConfig, base::Sha256Digest(m.config_bytes),
              static_cast<int64_t>(m.config_bytes.size()), {}, std::nullopt};
  nlohmann::json layer_json = nlohmann::json::array();
  for (const Layer& l : layers) layer_json.push_back(ToJson(l.descriptor));
  nlohmann::json j = {{"schemaVersion", 2},
                      {"mediaType", kMediaTypeManifest},
                      {"config", ToJson(m.config)},
                      {"layers", layer_json}};
  if (!annotations.empty()) j["annotations"] = annotations;
  m.manifest_bytes = j.dump();
  m.manifest = {kMediaTypeManifest, base::Sha256Digest(m.manifest_bytes),
                static_cast<int64_t>(m.manifest_bytes.size()), {}, platform};
  m.layers = std::move(layers);
  return m;
}

Bundle MakeBundle(std::vector<ImageManifest> images) {
  Bundle b;
  if (images.size() == 1) {
    b.top = images[0].manifest;
    b.top.platform.reset();
  } else {
    nlohmann::json manifests = nlohmann::json::array();
    for (const ImageManifest& m : images) manifests.push_back(ToJson(m.manifest));
    nlohmann::json j = {
        {"schemaVersion", 2}, {"mediaType", kMediaTypeIndex}, {"manifests", manifests}};
    b.index_bytes = j.dump();
    b.top = {kMediaTypeIndex, base::Sha256Digest(b.index_bytes),
             static_cast<int64_t>(b.index_bytes.size()), {}, std::nullopt};
  }
  b.images = std::move(images);
  return b;
}

std::vector<Blob> Bundle::Blobs() const {
  std::vector<Blob> out;
  std::set<std::string> seen;
  auto add_bytes = [&](const std::string& digest, const std::string& bytes) {
    if (seen.insert(digest).second)
      out.push_back({digest, static_cast<int64_t>(bytes.size()),
                     std::make_shared<const std::string>(bytes), ""});
  };
  for (const ImageManifest& m : images) {
    for (const Layer& l : m.layers)
      if (seen.insert(l.descriptor.digest).second)
        out.push_back({l.descriptor.digest, l.descriptor.size, nullptr, l.path});
    add_bytes(m.config.digest, m.config_bytes);
    add_bytes(m.manifest.digest, m.manifest_bytes);
  }
  if (!index_bytes.empty()) add_bytes(top.digest, index_bytes);
  return out;
}

int64_t Bundle::TotalSize() const {
  int64_t total = 0;
  for (const Blob& b : Blobs()) total += b.size;
  return total;
}

}  // namespace oci
