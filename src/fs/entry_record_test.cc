#include "fs/entry_record.h"

#include <gtest/gtest.h>

#include <random>

namespace fs {
namespace {

const char kBlob[] = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

RecordEntry NodeEntry(std::string path, Node node, std::string blob = "") {
  RecordEntry e;
  e.path = std::move(path);
  e.node = std::move(node);
  e.blob = std::move(blob);
  return e;
}

// Every recorded field of every kind of entry, bytes that are not UTF-8
// included: a NUL and bytes >= 0x80 in an xattr value, a Latin-1 path, a
// link target that is a lone continuation byte.
EntryRecord Sample() {
  EntryRecord r;
  r.kind = "base-layer";
  r.fields = {{"digest", "sha256:abc"}, {"control", std::string("Maintainer: Jos\xe9\n")}};
  Node file = Node::File(Content::Disk("/ignored"), 5, 04755);
  file.uid = 4294967295u;
  file.gid = 65532;
  file.mtime = -1;
  file.xattrs = {{"security.capability", std::string("\x01\x00\x00\x02\x80\xff\x00", 7)},
                 {"user.caf\xe9", ""}};
  r.entries.push_back(NodeEntry("", Node::Dir(0755)));
  r.entries.push_back(NodeEntry(std::string("usr/bin/caf\xe9\x00x", 14), file, kBlob));
  r.entries.push_back(NodeEntry("usr/bin/link", Node::Symlink("\x80")));
  Node hard;
  hard.type = NodeType::kHardlink;
  hard.link = "usr/bin/x";
  r.entries.push_back(NodeEntry("usr/bin/hard", hard));
  Node dev;
  dev.type = NodeType::kCharDev;
  dev.dev_major = 1, dev.dev_minor = 3;
  r.entries.push_back(NodeEntry("dev/null", dev));
  Node fifo;
  fifo.type = NodeType::kFifo;
  r.entries.push_back(NodeEntry("run/fifo", fifo));
  r.entries.push_back({RecordEntry::Kind::kWhiteout, "etc/old", {}, ""});
  r.entries.push_back({RecordEntry::Kind::kOpaque, "var/cache", {}, ""});
  return r;
}

void ExpectSame(const RecordEntry& a, const RecordEntry& b) {
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.path, b.path);
  EXPECT_EQ(a.blob, b.blob);
  if (a.kind != RecordEntry::Kind::kNode) return;
  EXPECT_EQ(a.node.type, b.node.type) << a.path;
  EXPECT_EQ(a.node.mode, b.node.mode) << a.path;
  EXPECT_EQ(a.node.uid, b.node.uid) << a.path;
  EXPECT_EQ(a.node.gid, b.node.gid) << a.path;
  EXPECT_EQ(a.node.mtime, b.node.mtime) << a.path;
  EXPECT_EQ(a.node.type == NodeType::kFile ? a.node.size : 0, b.node.size) << a.path;
  EXPECT_EQ(a.node.link, b.node.link) << a.path;
  EXPECT_EQ(a.node.dev_major, b.node.dev_major) << a.path;
  EXPECT_EQ(a.node.dev_minor, b.node.dev_minor) << a.path;
  EXPECT_EQ(a.node.xattrs, b.node.xattrs) << a.path;
}

TEST(EntryRecordTest, RoundTripsEveryFieldAndAnyBytes) {
  EntryRecord r = Sample();
  std::string bytes = EncodeEntryRecord(r);
  base::Result<EntryRecord> back = DecodeEntryRecord(bytes, "base-layer", "rec.json");
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->kind, "base-layer");
  EXPECT_EQ(back->fields, r.fields);
  ASSERT_EQ(back->entries.size(), r.entries.size());
  for (size_t i = 0; i < r.entries.size(); ++i) ExpectSame(r.entries[i], back->entries[i]);
  // Content is a reference the caller resolves, never a recorded path.
  EXPECT_EQ(back->entries[1].node.content.path, "");
}

TEST(EntryRecordTest, HexOnlyWhereNeeded) {
  std::string bytes = EncodeEntryRecord(Sample());
  // UTF-8 stays readable; the rest, and every xattr value, is hex.
  EXPECT_NE(bytes.find(R"(["digest","sha256:abc"])"), std::string::npos) << bytes;
  EXPECT_NE(bytes.find(R"("p":{"hex":"7573722f62696e2f636166e90078"})"), std::string::npos)
      << bytes;
  EXPECT_NE(bytes.find(R"(["security.capability","0100000280ff00"])"), std::string::npos) << bytes;
  EXPECT_NE(bytes.find(R"("l":{"hex":"80"})"), std::string::npos) << bytes;
  EXPECT_NE(bytes.find(R"({"p":"etc/old","t":"w"})"), std::string::npos) << bytes;
  EXPECT_EQ(bytes.find("\xe9"), std::string::npos);
}

TEST(EntryRecordTest, ValidUtf8IsKeptAsText) {
  EntryRecord r;
  r.kind = "deb";
  // Two-, three- and four-byte sequences, and a NUL (JSON escapes it).
  std::string text = std::string("Jos\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 a\0b", 17);
  r.fields["control"] = text;
  std::string bytes = EncodeEntryRecord(r);
  EXPECT_NE(bytes.find("Jos\xc3\xa9"), std::string::npos) << bytes;
  base::Result<EntryRecord> back = DecodeEntryRecord(bytes, "deb", "x");
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->fields["control"], text);
}

// Random strings, mostly not UTF-8, in every string slot: encoding never
// throws and decoding gives the same bytes.
TEST(EntryRecordTest, RandomBytesRoundTrip) {
  std::mt19937 rng(1);
  auto random = [&](size_t max) {
    std::string s(rng() % max, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 4 == 0 ? 0x80 | rng() % 64 : rng() % 256);
    return s;
  };
  for (int round = 0; round < 200; ++round) {
    EntryRecord r;
    r.kind = "k";
    r.fields[random(8)] = random(40);
    Node n = Node::Symlink(random(20));
    n.xattrs = {{random(10), random(30)}};
    r.entries.push_back(NodeEntry(random(30), n));
    std::string bytes;
    ASSERT_NO_THROW(bytes = EncodeEntryRecord(r));
    base::Result<EntryRecord> back = DecodeEntryRecord(bytes, "k", "x");
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(back->fields, r.fields);
    ASSERT_EQ(back->entries.size(), 1u);
    ExpectSame(r.entries[0], back->entries[0]);
  }
}

std::string DecodeError(const std::string& bytes, const std::string& kind = "deb") {
  base::Result<EntryRecord> r = DecodeEntryRecord(bytes, kind, "/c/unpacked/x.json");
  return r ? "ok" : r.error().message();
}

// A record around one entry.
std::string WithEntry(const std::string& entry) {
  return R"({"format":3,"kind":"deb","fields":[],"entries":[{"p":"","t":"d","m":493,"u":0,"g":0,"mt":0},)" +
         entry + "]}";
}

TEST(EntryRecordTest, DamagedRecordsAreErrorsNamingTheRecord) {
  const std::string p = "entry record '/c/unpacked/x.json': ";
  EXPECT_EQ(DecodeError(""), p + "not a JSON object");
  EXPECT_EQ(DecodeError("{\"format\":3,"), p + "not a JSON object");
  EXPECT_EQ(DecodeError("[1]"), p + "not a JSON object");
  EXPECT_EQ(DecodeError("{\"p\":\"\xff\"}"), p + "not a JSON object");
  EXPECT_EQ(DecodeError("{}"), p + "no format");
  // The records of distill before this codec: format 1 (base layers, raw
  // xattr values) and 2 (.debs).
  EXPECT_EQ(DecodeError(R"({"format":1,"digest":"sha256:x","entries":[]})"),
            p + "unsupported format '1'");
  EXPECT_EQ(DecodeError(R"({"format":2,"control":"","entries":[]})"), p + "unsupported format '2'");
  EXPECT_EQ(DecodeError(R"({"format":"3"})"), p + "unsupported format '\"3\"'");
  EXPECT_EQ(DecodeError(R"({"format":3})"), p + "no kind");
  EXPECT_EQ(DecodeError(R"({"format":3,"kind":"deb"})", "base-layer"),
            p + "is a 'deb' record, not a 'base-layer' record");
  EXPECT_EQ(DecodeError(R"({"format":3,"kind":"deb"})"), p + "no fields list");
  EXPECT_EQ(DecodeError(R"({"format":3,"kind":"deb","fields":[["a"]]})"), p + "invalid field");
  EXPECT_EQ(DecodeError(R"({"format":3,"kind":"deb","fields":[],"entries":{}})"),
            p + "no entries list");
  EXPECT_EQ(DecodeError(WithEntry("7")), p + "entry 2: not an object");
  EXPECT_EQ(DecodeError(WithEntry(R"({"t":"f"})")), p + "entry 2: invalid path");
  EXPECT_EQ(DecodeError(WithEntry(R"({"p":{"hex":"zz"},"t":"w"})")), p + "entry 2: invalid path");
  EXPECT_EQ(DecodeError(WithEntry(R"({"p":{"hex":"abc"},"t":"w"})")), p + "entry 2: invalid path");
  EXPECT_EQ(DecodeError(WithEntry(R"({"p":"a","t":"z"})")), p + "entry 2: 'a': invalid type");
  EXPECT_EQ(DecodeError(WithEntry(R"({"p":"a","t":"fd"})")), p + "entry 2: 'a': invalid type");
  EXPECT_EQ(DecodeError(WithEntry(R"({"p":"a","t":"d","m":-1,"u":0,"g":0,"mt":0})")),
            p + "entry 2: 'a': invalid mode");
  EXPECT_EQ(DecodeError(WithEntry(R"({"p":"a","t":"d","m":4096,"u":0,"g":0,"mt":0})")),
            p + "entry 2: 'a': invalid mode");
  EXPECT_EQ(DecodeError(WithEntry(R"({"p":"a","t":"d","m":493,"u":4294967296,"g":0,"mt":0})")),
            p + "entry 2: 'a': invalid owner");
  EXPECT_EQ(DecodeError(WithEntry(R"({"p":"a","t":"d","m":493,"u":0,"g":0,"mt":1.5})")),
            p + "entry 2: 'a': invalid mtime");
  EXPECT_EQ(DecodeError(WithEntry(R"({"p":"a","t":"c","m":493,"u":0,"g":0,"mt":0,"dev":[1]})")),
            p + "entry 2: 'a': invalid device numbers");
  EXPECT_EQ(DecodeError(WithEntry(R"({"p":"a","t":"l","m":493,"u":0,"g":0,"mt":0,"l":5})")),
            p + "entry 2: 'a': invalid link");
  EXPECT_EQ(
      DecodeError(WithEntry(R"({"p":"a","t":"d","m":493,"u":0,"g":0,"mt":0,"x":[["n","0g"]]})")),
      p + "entry 2: 'a': invalid xattr");
  EXPECT_EQ(DecodeError(WithEntry(R"({"p":"a","t":"d","m":493,"u":0,"g":0,"mt":0,"x":{}})")),
            p + "entry 2: 'a': invalid xattrs");
  EXPECT_EQ(DecodeError(WithEntry(R"({"p":"a","t":"f","m":420,"u":0,"g":0,"mt":0})")),
            p + "entry 2: 'a': invalid size");
  // A blob names a file in the store: nothing but a digest may reach it.
  EXPECT_EQ(
      DecodeError(WithEntry(R"({"p":"a","t":"f","m":420,"u":0,"g":0,"mt":0,"s":1,"b":"../x"})")),
      p + "entry 2: 'a': invalid blob '../x'");
}

// Every prefix of a good record, and random bytes, decode to an error or a
// record; none crashes or throws.
TEST(EntryRecordTest, TruncatedAndRandomInputNeverThrows) {
  std::string good = EncodeEntryRecord(Sample());
  for (size_t n = 0; n < good.size(); ++n) {
    base::Result<EntryRecord> r;
    ASSERT_NO_THROW(r = DecodeEntryRecord(std::string_view(good).substr(0, n), "base-layer", "x"));
    EXPECT_FALSE(r) << n;
  }
  std::mt19937 rng(2);
  for (int round = 0; round < 500; ++round) {
    std::string bytes = good;
    for (int k = 0; k < 3; ++k) bytes[rng() % bytes.size()] = static_cast<char>(rng() % 256);
    ASSERT_NO_THROW((void)DecodeEntryRecord(bytes, "base-layer", "x"));
  }
}

}  // namespace
}  // namespace fs
