// Cached resolutions (issue 3: warm resolution under 0.3 s).
//
// A resolution is a pure function of the Packages indexes it reads, the
// order and pins of their sources, the architecture, the request list and
// ignore_depends. Every Packages index is named by the SHA256 its verified
// Release lists, so the key hashes those names rather than the text: a warm
// run learns the key from the Releases it fetches and verifies anyway, and
// on a hit reads one small JSON entry instead of ~50 MB of index text. When
// the archive publishes a new index its hash changes, the key changes and
// the next run resolves afresh; nothing expires by time.
//
// The entry holds everything later passes read from a resolved package
// (name, version, architecture, Filename, URL, SHA256, size, suite, the
// control stanza for /var/lib/dpkg/status.d, the `-d explain` chain) and the
// Breaks/Conflicts problems; the lock file's Release list comes from the
// current run. Entries live in the store (cache::Store::PutEntry): written
// atomically with a checksum, so a torn or damaged file is a miss and is
// replaced, never an error. The format version is part of the key; bump
// kFormat whenever the resolver may choose differently for the same inputs
// or the entry's fields change.
#include "resolve/resolution_cache.h"

#include <nlohmann/json.hpp>

#include "base/sha256.h"

namespace build {
namespace {

using nlohmann::json;

constexpr int kFormat = 1;
constexpr std::string_view kKind = "resolutions";

json SourceJson(const debian::RepositoryIndex& repo) {
  json indexes = json::array();
  for (const debian::PackagesIndex& i : repo.indexes)
    indexes.push_back({{"component", i.component},
                       {"architecture", i.architecture},
                       {"path", i.path},
                       {"sha256", i.sha256}});
  return {{"uri", repo.source.uri},
          {"suite", repo.source.suite},
          {"components", repo.source.components},
          {"pin", repo.release.pin},
          {"indexes", indexes}};
}

json PackageJson(const ResolvedPackage& p) {
  return {{"name", p.name},
          {"version", p.version},
          {"architecture", p.architecture},
          {"filename", p.filename},
          {"sha256", p.sha256},
          {"size", p.size},
          {"suite", p.suite},
          {"url", p.url},
          {"stanza", p.stanza},
          {"why", p.why}};
}

// json's accessors throw on a missing key or a type mismatch; the caller
// turns that into one error. The checks here are for what json would accept
// but a resolution must not hold.
ResolvedPackage ParsePackage(const json& o) {
  ResolvedPackage p;
  p.name = o.at("name").get<std::string>();
  p.version = o.at("version").get<std::string>();
  p.architecture = o.at("architecture").get<std::string>();
  p.filename = o.at("filename").get<std::string>();
  p.sha256 = o.at("sha256").get<std::string>();
  if (!o.at("size").is_number_unsigned()) throw std::invalid_argument("'size' must be a number");
  p.size = o.at("size").get<uint64_t>();
  p.suite = o.at("suite").get<std::string>();
  p.url = o.at("url").get<std::string>();
  p.stanza = o.at("stanza").get<std::string>();
  p.why = o.at("why").get<std::vector<std::string>>();
  if (p.name.empty() || !cache::IsSha256Hex(p.sha256) || p.why.empty())
    throw std::invalid_argument(fmt::format("package '{}' is incomplete", p.name));
  return p;
}

}  // namespace

std::string ResolutionKey(const ResolutionInputs& inputs) {
  json sources = json::array();
  for (const debian::RepositoryIndex& repo : inputs.repos) sources.push_back(SourceJson(repo));
  json key = {{"format", kFormat},
              {"architecture", inputs.architecture},
              {"requests", inputs.requests},
              {"ignoreDepends", inputs.ignore_depends},
              {"sources", sources}};
  return base::Sha256Hex("distill-resolution\n" + key.dump());
}

std::string ResolutionToJson(const PackageSet& set) {
  json packages = json::array();
  for (const ResolvedPackage& p : set.packages) packages.push_back(PackageJson(p));
  json j = {{"format", kFormat},
            {"architecture", set.architecture},
            {"requests", set.requests},
            {"packages", packages},
            {"problems", set.problems}};
  return j.dump() + "\n";
}

base::Result<PackageSet> ResolutionFromJson(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return base::Fail("invalid cached resolution: not a JSON object");
  try {
    if (j.at("format") != kFormat)
      return base::Fail("invalid cached resolution: format {}, want {}", j.at("format").dump(),
                        kFormat);
    PackageSet set;
    set.architecture = j.at("architecture").get<std::string>();
    set.requests = j.at("requests").get<std::vector<std::string>>();
    for (const json& p : j.at("packages")) set.packages.push_back(ParsePackage(p));
    set.problems = j.at("problems").get<std::vector<std::string>>();
    return set;
  } catch (const std::exception& e) {
    return base::Fail("invalid cached resolution: {}", e.what());
  }
}

std::optional<PackageSet> LookupResolution(const cache::Store& store,
                                           const ResolutionInputs& inputs) {
  std::optional<std::string> text = store.GetEntry(kKind, ResolutionKey(inputs));
  if (!text) return std::nullopt;
  base::Result<PackageSet> set = ResolutionFromJson(*text);
  // The key covers these already; a mismatch means a damaged or foreign
  // entry, which is a miss like any other.
  if (!set || set->architecture != inputs.architecture || set->requests != inputs.requests)
    return std::nullopt;
  return std::move(*set);
}

base::Result<void> StoreResolution(const cache::Store& store, const ResolutionInputs& inputs,
                                   const PackageSet& set) {
  return store.PutEntry(kKind, ResolutionKey(inputs), ResolutionToJson(set));
}

}  // namespace build
