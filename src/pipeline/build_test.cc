// The pipeline's passes end to end on a fake signed mirror serving real
// .debs: resolve, compose, check, image and outputs, without a network.
#include "pipeline/build.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "base/file_util.h"
#include "base/sha256.h"
#include "compose/compose.h"
#include "debian/test_deb.h"
#include "oci/image_source.h"
#include "resolve/plan.h"
#include "resolve/test_mirror.h"

namespace build {
namespace {

using debian::test::MakeDeb;
using debian::test::TarItem;

constexpr std::string_view kUri = "http://mirror.test/debian";
// BuildTest.DigestIsPinnedColdAndWarm: the image of kAppSpec. The binary
// from before the pipeline split (8c56db9) gives the same digest for the
// same mirror served over HTTP.
constexpr char kPinnedDigest[] =
    "sha256:22361864957d53d2c78f4d07c9b64bbc5d8271625d64dea8f5c9353804ebf092";

struct MirrorDeb {
  std::string name, version, depends;
  std::vector<TarItem> data;
  std::string Bytes() const {
    std::string control = fmt::format("Package: {}\nVersion: {}\nArchitecture: amd64\n{}", name,
                                      version, depends.empty() ? "" : "Depends: " + depends + "\n");
    return MakeDeb(control + "Description: test\n", data);
  }
  std::string Filename() const { return "pool/main/" + name + "_" + version + "_amd64.deb"; }
};

std::vector<MirrorDeb> Debs() {
  return {{"hello",
           "1.0",
           "libhello",
           {{"./", '5', "", 0755},
            {"./usr/", '5', "", 0755},
            {"./usr/bin/", '5', "", 0755},
            {"./usr/bin/hello", '0', "#!/bin/sh\necho hello\n", 0755}}},
          {"libhello",
           "2.0",
           "",
           {{"./", '5', "", 0755},
            {"./usr/", '5', "", 0755},
            {"./usr/lib/", '5', "", 0755},
            {"./usr/lib/libhello.so.2", '0', "not really a library"}}},
          {"extra",
           "3",
           "",
           {{"./", '5', "", 0755},
            {"./usr/", '5', "", 0755},
            {"./usr/share/", '5', "", 0755},
            {"./usr/share/extra.txt", '0', "extra"}}}};
}

void Publish(FakeMirror& mirror, const std::vector<MirrorDeb>& debs) {
  std::string packages;
  for (const MirrorDeb& d : debs) {
    std::string bytes = d.Bytes();
    packages += fmt::format(
        "Package: {}\nVersion: {}\nArchitecture: amd64\n{}Filename: {}\nSize: {}\nSHA256: {}\n\n",
        d.name, d.version, d.depends.empty() ? "" : "Depends: " + d.depends + "\n", d.Filename(),
        bytes.size(), base::Sha256Hex(bytes));
    mirror.files[std::string(kUri) + "/" + d.Filename()] = bytes;
  }
  std::string gz = Gzip(packages);
  std::string release = fmt::format(
      "Origin: Test\nSuite: stable\nCodename: test\nDate: Sat, 11 Jul 2020 10:16:37 UTC\n"
      "Architectures: amd64\nComponents: main\nSHA256:\n {} {} main/binary-amd64/Packages.gz\n",
      base::Sha256Hex(gz), gz.size());
  std::string dists = std::string(kUri) + "/dists/test";
  mirror.files[dists + "/InRelease"] = Signer().Clearsign(release);
  mirror.files[dists + "/main/binary-amd64/Packages.gz"] = gz;
}

class BuildTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("distill-build-test-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Publish(mirror_, Debs());
    ASSERT_TRUE(base::WriteFileAtomic((dir_ / "app.txt").string(), "app\n"));
    ASSERT_TRUE(base::WriteFileAtomic((dir_ / "key.asc").string(), Signer().PublicKeyArmored()));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<TestSession> Context(const std::string& cache = "cache") {
    BuildOptions o;
    o.cache_dir = (dir_ / cache).string();
    o.platforms = {"linux/amd64"};
    auto s = std::make_unique<TestSession>(o, reporter_);
    s->ctx.set_http(&mirror_);
    return s;
  }
  // A spec file in the test directory using the fake mirror.
  Spec Load(const std::string& name, const std::string& body) {
    std::string path = (dir_ / name).string();
    std::string text = fmt::format(
        "debian: {{mirror: '{}', suite: test, components: [main], keyring: key.asc}}\n{}", kUri,
        body);
    EXPECT_TRUE(base::WriteFileAtomic(path, text));
    base::Result<Spec> spec = LoadSpec(path);
    EXPECT_TRUE(spec) << spec.error().message();
    return spec ? *spec : Spec();
  }
  size_t DebRequests() const {
    size_t n = 0;
    for (const std::string& u : mirror_.requests) n += u.find("/pool/") != std::string::npos;
    return n;
  }

  std::filesystem::path dir_;
  FakeMirror mirror_;
  base::NullReporter reporter_;
};

constexpr char kAppSpec[] =
    "packages: [hello]\n"
    "files: [{src: app.txt, dst: /app/app.txt}]\n"
    "config: {workdir: /app}\n";

TEST_F(BuildTest, BuildsPackagesAndFilesIntoLayers) {
  auto s = Context();
  base::Result<oci::Bundle> b = BuildImage(s->ctx, Load("distill.yaml", kAppSpec));
  ASSERT_TRUE(b) << b.error().message();
  ASSERT_EQ(b->images.size(), 1u);
  std::vector<std::string> created;
  for (const oci::Layer& l : b->images[0].layers) created.push_back(l.created_by);
  EXPECT_EQ(created,
            (std::vector<std::string>{"distill package hello 1.0", "distill package libhello 2.0",
                                      "distill files app.txt -> /app/app.txt"}));
  EXPECT_EQ(b->images[0].platform.ToString(), "linux/amd64");
}

// The same inputs give the same image from an empty cache and from a warm
// one, and the digest is this one: the passes' output is pinned, so a
// change of it is a deliberate change of image bytes.
TEST_F(BuildTest, DigestIsPinnedColdAndWarm) {
  Spec spec = Load("distill.yaml", kAppSpec);
  auto cold = Context("cache-a");
  base::Result<oci::Bundle> a = BuildImage(cold->ctx, spec);
  ASSERT_TRUE(a) << a.error().message();
  auto warm = Context("cache-a");
  base::Result<oci::Bundle> b = BuildImage(warm->ctx, spec);
  ASSERT_TRUE(b) << b.error().message();
  auto other = Context("cache-b");
  base::Result<oci::Bundle> c = BuildImage(other->ctx, spec);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(a->top.digest, b->top.digest);
  EXPECT_EQ(a->top.digest, c->top.digest);
  EXPECT_EQ(a->top.digest, kPinnedDigest);
}

TEST_F(BuildTest, ComposeTakesItsPackagesFromThePlan) {
  auto s = Context();
  Spec spec = Load("distill.yaml", kAppSpec);
  base::Result<Chain> chain = LoadChain(spec);
  ASSERT_TRUE(chain) << chain.error().message();
  base::Result<PackagePlan> plan = PlanPackages(s->resolver, *chain, "amd64");
  ASSERT_TRUE(plan) << plan.error().message();
  size_t fetched = DebRequests();
  EXPECT_EQ(fetched, 2u);  // hello and libhello, fetched by the resolve pass
  base::Result<Composed> image =
      ComposeImage(s->ctx, *chain, *plan, nullptr, oci::Platform{"linux", "amd64", ""});
  ASSERT_TRUE(image) << image.error().message();
  EXPECT_EQ(DebRequests(), fetched);  // compose fetched nothing
  EXPECT_EQ(image->packages, (std::vector<std::string>{"hello 1.0", "libhello 2.0"}));
  EXPECT_NE(image->view.Find("usr/bin/hello"), nullptr);
  EXPECT_NE(image->view.Find("app/app.txt"), nullptr);
  EXPECT_NE(image->view.Find("var/lib/dpkg/status.d/libhello"), nullptr);
  EXPECT_EQ(image->run.workdir, "/app");
}

TEST_F(BuildTest, ComposeRefusesAFromWithoutStageResults) {
  auto s = Context();
  Spec spec = Load("distill.yaml", "files: [{from: build, src: /x, dst: /x}]\n");
  base::Result<Chain> chain = LoadChain(spec);
  ASSERT_TRUE(chain);
  PackagePlan plan;
  plan.layers.resize(chain->specs.size());
  base::Result<Composed> image =
      ComposeImage(s->ctx, *chain, plan, nullptr, oci::Platform{"linux", "amd64", ""});
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().message(), "internal: no stage results for 'build'");
}

// `distill lock --dry-run` locks what a build installs: the whole base
// chain's packages, not only the requested spec's.
TEST_F(BuildTest, LockDryRunResolvesTheBaseChain) {
  Load("base.yaml", "packages: [extra]\n");
  Spec spec = Load("distill.yaml", "base: ./base.yaml\npackages: [hello]\n");
  auto s = Context();
  base::Result<std::vector<PlatformPackages>> locked = LockPackages(s->ctx, spec, true);
  ASSERT_TRUE(locked) << locked.error().message();
  ASSERT_EQ(locked->size(), 1u);
  std::vector<std::string> names;
  for (const ResolvedPackage& p : (*locked)[0].set->packages) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"extra", "hello", "libhello"}));
  EXPECT_EQ(DebRequests(), 0u);  // a dry run fetches no .deb
  // The same list a build's lock check holds it to.
  auto b = Context();
  base::Result<std::vector<PlatformPackages>> full = LockPackages(b->ctx, spec, false);
  ASSERT_TRUE(full) << full.error().message();
  EXPECT_EQ((*full)[0].set->requests, (*locked)[0].set->requests);
}

TEST_F(BuildTest, FailedCheckWritesNoOutput) {
  Spec spec = Load("distill.yaml", "packages: [hello]\nconfig: {entrypoint: [/usr/bin/hello]}\n");
  auto s = Context();
  BuildRequest req;
  req.file = spec.path;
  base::Result<oci::ImageRef> out = oci::ParseImageRef("oci:" + (dir_ / "out").string());
  ASSERT_TRUE(out);
  req.outputs = {*out};
  base::Result<BuildResult> r = Build(s->ctx, req);
  ASSERT_FALSE(r);
  // At the spec line that set the command, so no "building" context.
  EXPECT_EQ(r.error().position_file(), spec.path);
  EXPECT_NE(r.error().message().find("needs interpreter '/bin/sh'"), std::string::npos)
      << r.error().message();
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out"));
}

TEST_F(BuildTest, ErrorsElsewhereNameTheBuiltFile) {
  Spec spec = Load("distill.yaml", "packages: [nosuchpackage]\n");
  auto s = Context();
  BuildRequest req;
  req.file = spec.path;
  base::Result<BuildResult> r = Build(s->ctx, req);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message().starts_with("building '" + spec.path + "': "))
      << r.error().message();
}

TEST_F(BuildTest, WritesEveryOutputWithTheBuiltDigest) {
  Spec spec = Load("distill.yaml", kAppSpec);
  auto s = Context();
  BuildRequest req;
  req.file = spec.path;
  for (std::string d :
       {"oci:" + (dir_ / "layout").string() + ":v1", "oci-archive:" + (dir_ / "img.tar").string(),
        "docker-archive:" + (dir_ / "docker.tar").string() + ":app:v1"}) {
    base::Result<oci::ImageRef> ref = oci::ParseImageRef(d);
    ASSERT_TRUE(ref) << ref.error().message();
    req.outputs.push_back(*ref);
  }
  base::Result<BuildResult> r = Build(s->ctx, req);
  ASSERT_TRUE(r) << r.error().message();
  for (const oci::ImageRef& ref : req.outputs) {
    base::Result<std::unique_ptr<oci::ImageSource>> src = oci::ImageSource::Open(ref);
    ASSERT_TRUE(src) << ref.text << ": " << src.error().message();
    base::Result<oci::Descriptor> top = (*src)->Top();
    ASSERT_TRUE(top) << ref.text << ": " << top.error().message();
    EXPECT_EQ(top->digest, r->bundle.top.digest) << ref.text;
    for (const oci::Layer& l : r->bundle.images[0].layers) {
      base::StringSink blob;
      ASSERT_TRUE((*src)->CopyBlob(l.descriptor.digest, blob)) << ref.text;
      EXPECT_EQ(blob.str().size(), static_cast<size_t>(l.descriptor.size));
    }
  }
}

}  // namespace
}  // namespace build
