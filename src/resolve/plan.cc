// PlanPackages walks the chain as the compose pass will: each element's
// requests join the ones before it, and the element that completes the
// image's list is the one the lock speaks for.
#include "resolve/plan.h"

#include <algorithm>

namespace build {

namespace {

void AppendNew(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const std::string& x : from)
    if (std::find(to.begin(), to.end(), x) == to.end()) to.push_back(x);
}

bool IsDebug(Variant v) { return v == Variant::kDebug || v == Variant::kDebugNonroot; }

}  // namespace

std::vector<std::string> AlonePackages(const Chain& chain, size_t element) {
  const Spec& spec = chain.specs.at(element);
  std::vector<std::string> out;
  if (spec.cacerts || spec.java_cacerts) out.push_back("ca-certificates");
  if (!spec.locale.empty()) out.push_back("libc-bin");
  if (element == 0 && IsDebug(chain.variant)) out.push_back("busybox-static");
  return out;
}

Spec ResolutionSpec(const Chain& chain, const Spec& spec, std::vector<std::string> requests,
                    std::vector<std::string> ignore_depends) {
  Spec s = spec;
  s.path = chain.specs.back().path;
  s.packages = std::move(requests);
  s.ignore_depends = std::move(ignore_depends);
  return s;
}

Spec ImageSpec(const Chain& chain) {
  Spec image = chain.specs.back();
  image.packages.clear();
  image.ignore_depends.clear();
  for (const Spec& s : chain.specs) {
    AppendNew(image.packages, s.packages);
    AppendNew(image.ignore_depends, s.ignore_depends);
  }
  return image;
}

base::Result<PackagePlan> PlanPackages(Resolver& r, const Chain& chain, const std::string& arch) {
  PackagePlan plan;
  plan.arch = arch;
  size_t with_packages = 0, seen = 0;
  for (const Spec& s : chain.specs) with_packages += s.packages.empty() ? 0 : 1;
  std::vector<std::string> requests, ignore;
  for (size_t i = 0; i < chain.specs.size(); ++i) {
    const Spec& spec = chain.specs[i];
    plan.layers.emplace_back();
    if (!spec.packages.empty()) {
      AppendNew(requests, spec.packages);
      AppendNew(ignore, spec.ignore_depends);
      bool image = ++seen == with_packages;
      base::Result<std::shared_ptr<const PackageSet>> set =
          ResolvePackages(r, ResolutionSpec(chain, spec, requests, ignore), requests, arch, image);
      if (!set) return base::Fail(set.error());
      plan.layers.back() = *set;
    }
    for (const std::string& name : AlonePackages(chain, i)) {
      // Fetched alone, without its closure: only its files are read.
      base::Result<std::shared_ptr<const PackageSet>> set =
          ResolvePackages(r, ResolutionSpec(chain, spec, {name}, {"*"}), {name}, arch);
      if (!set) return base::Fail(set.error());
      plan.alone[{i, name}] = (*set)->packages.at(0);
    }
  }
  return plan;
}

}  // namespace build
