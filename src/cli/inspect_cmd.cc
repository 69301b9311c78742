// `distill inspect`: reads an image from any local form and prints what is in
// it: the top digest, each platform's config (user, entrypoint, env...) and
// layers with sizes. --json prints the manifest(s) and config(s) as parsed.
#include "cli/inspect_cmd.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "cli/exit_codes.h"
#include "cli/reporter.h"
#include "oci/image_source.h"
#include "oci/media_types.h"

namespace cli {

void AddInspectFlags(CLI::App& cmd, InspectFlags& f) {
  cmd.add_option("image", f.image, "oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE")
      ->required();
  cmd.add_flag("--json", f.json, "print one JSON object");
}

namespace {

// The string at `key`, or "" when absent or not a string (untrusted JSON).
std::string Str(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

struct Inspected {
  nlohmann::json manifest;
  nlohmann::json config;
  std::string digest;
  std::string platform;
};

base::Result<nlohmann::json> ParseJsonBlob(oci::ImageSource& src, const std::string& digest) {
  base::Result<std::string> bytes = src.ReadBlob(digest);
  if (!bytes) return base::Fail(bytes.error());
  nlohmann::json j = nlohmann::json::parse(*bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return base::Fail("blob '{}' is not JSON", digest);
  return j;
}

base::Result<Inspected> ReadManifest(oci::ImageSource& src, const std::string& digest) {
  Inspected out;
  out.digest = digest;
  base::Result<nlohmann::json> m = ParseJsonBlob(src, digest);
  if (!m) return base::Fail(m.error());
  out.manifest = *m;
  if (!m->contains("config") || !(*m)["config"].contains("digest"))
    return base::Fail("manifest '{}' has no config", digest);
  base::Result<nlohmann::json> c = ParseJsonBlob(src, (*m)["config"]["digest"]);
  if (!c) return base::Fail(c.error());
  out.config = *c;
  out.platform = Str(*c, "os") + "/" + Str(*c, "architecture");
  if (!Str(*c, "variant").empty()) out.platform += "/" + Str(*c, "variant");
  return out;
}

std::string JoinList(const nlohmann::json& arr) {
  if (!arr.is_array()) return "";
  return arr.dump();
}

void PrintText(const Inspected& img) {
  const nlohmann::json cfg = img.config.value("config", nlohmann::json::object());
  fmt::print("Manifest:    {}\n", img.digest);
  fmt::print("Platform:    {}\n", img.platform);
  fmt::print("Created:     {}\n", Str(img.config, "created"));
  fmt::print("User:        {}\n", Str(cfg, "User"));
  fmt::print("WorkingDir:  {}\n", Str(cfg, "WorkingDir"));
  fmt::print("Entrypoint:  {}\n", JoinList(cfg.value("Entrypoint", nlohmann::json())));
  fmt::print("Cmd:         {}\n", JoinList(cfg.value("Cmd", nlohmann::json())));
  for (const auto& e : cfg.value("Env", nlohmann::json::array()))
    fmt::print("Env:         {}\n", e.get<std::string>());
  // items() must not run on a temporary: keep the objects alive here.
  const nlohmann::json ports = cfg.value("ExposedPorts", nlohmann::json::object());
  for (const auto& [port, _] : ports.items()) fmt::print("Port:        {}\n", port);
  const nlohmann::json labels = cfg.value("Labels", nlohmann::json::object());
  for (const auto& [k, v] : labels.items()) fmt::print("Label:       {}={}\n", k, Str(labels, k.c_str()));
  const nlohmann::json layers = img.manifest.value("layers", nlohmann::json::array());
  const nlohmann::json history = img.config.value("history", nlohmann::json::array());
  int64_t total = 0;
  for (const auto& l : layers) total += l.value("size", int64_t{0});
  fmt::print("Layers:      {} ({} compressed)\n", layers.size(), base::HumanBytes(total));
  size_t h = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    while (h < history.size() && history[h].value("empty_layer", false)) ++h;
    std::string by = h < history.size() ? Str(history[h], "created_by") : "";
    ++h;
    fmt::print("  {}  {:>9}  {}\n", Str(layers[i], "digest"),
               base::HumanBytes(layers[i].value("size", int64_t{0})), by);
  }
}

}  // namespace

static int Inspect(const InspectFlags& f);

int RunInspect(const InspectFlags& f) {
  // Image JSON is untrusted: a field of the wrong type makes nlohmann throw,
  // which is reported here as one line rather than crossing into main().
  try {
    return Inspect(f);
  } catch (const nlohmann::json::exception& e) {
    PrintError(fmt::format("inspecting '{}': malformed image JSON: {}", f.image, e.what()));
    return kExitFailure;
  }
}

static int Inspect(const InspectFlags& f) {
  auto fail = [&](const base::Error& e) {
    PrintError(e.Context("inspecting '{}'", f.image).message());
    return kExitFailure;
  };
  base::Result<oci::ImageRef> ref = oci::ParseImageRef(f.image);
  if (!ref) {
    PrintError(ref.error().message());
    return kExitUsage;
  }
  base::Result<std::unique_ptr<oci::ImageSource>> src = oci::ImageSource::Open(*ref);
  if (!src) return fail(src.error());
  base::Result<oci::Descriptor> top = (*src)->Top();
  if (!top) return fail(top.error());
  std::vector<Inspected> images;
  nlohmann::json index;
  if (top->media_type == oci::kMediaTypeIndex || top->media_type == oci::kDockerManifestList) {
    base::Result<nlohmann::json> idx = ParseJsonBlob(**src, top->digest);
    if (!idx) return fail(idx.error());
    index = *idx;
    for (const auto& m : idx->value("manifests", nlohmann::json::array())) {
      base::Result<Inspected> img = ReadManifest(**src, Str(m, "digest"));
      if (!img) return fail(img.error());
      images.push_back(*img);
    }
  } else {
    base::Result<Inspected> img = ReadManifest(**src, top->digest);
    if (!img) return fail(img.error());
    images.push_back(*img);
  }
  if (f.json) {
    nlohmann::json out = {{"reference", f.image}, {"digest", top->digest},
                          {"mediaType", top->media_type}};
    if (!index.is_null()) out["index"] = index;
    nlohmann::json list = nlohmann::json::array();
    for (const Inspected& i : images)
      list.push_back({{"digest", i.digest}, {"platform", i.platform}, {"manifest", i.manifest},
                      {"config", i.config}});
    out["images"] = list;
    fmt::print("{}\n", out.dump(2));
    return kExitOk;
  }
  fmt::print("Image:       {}\nDigest:      {}\nMediaType:   {}\n", f.image, top->digest,
             top->media_type);
  for (const Inspected& i : images) {
    fmt::print("\n");
    PrintText(i);
  }
  return kExitOk;
}

}  // namespace cli
