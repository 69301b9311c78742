// Test double: real .deb bytes made in memory (an ar archive of
// debian-binary, control.tar.gz and data.tar.gz), for tests that unpack,
// compose or build from packages without a real mirror.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "archive/compress.h"
#include "base/sink.h"

namespace debian::test {

// One tar entry as a test writes it: typeflag '0' file, '1' hardlink,
// '2' symlink, '3' char device, '5' directory. `data` is a file's content or
// a link's target. Written as raw ustar headers, so that names a TarWriter
// refuses ("../../etc/passwd") can be made too.
struct TarItem {
  std::string name;
  char type = '0';
  std::string data = "";
  int mode = 0644;
};

inline void Octal(char* field, size_t width, uint64_t value) {
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1),
                static_cast<unsigned long long>(value));
}

inline std::string RawTar(const std::vector<TarItem>& entries) {
  std::string out;
  for (const TarItem& e : entries) {
    char h[512] = {};
    std::snprintf(h, 100, "%s", e.name.c_str());
    Octal(h + 100, 8, e.mode);
    Octal(h + 108, 8, 0);
    Octal(h + 116, 8, 0);
    bool has_data = e.type == '0';
    Octal(h + 124, 12, has_data ? e.data.size() : 0);
    Octal(h + 136, 12, 1700000000);
    h[156] = e.type;
    if (!has_data) std::snprintf(h + 157, 100, "%s", e.data.c_str());
    std::memcpy(h + 257, "ustar  ", 8);  // GNU magic, as dpkg-deb writes
    std::memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    std::snprintf(h + 148, 8, "%06o", sum);
    out.append(h, 512);
    if (has_data) out += e.data + std::string((512 - e.data.size() % 512) % 512, '\0');
  }
  return out + std::string(1024, '\0');
}

inline std::string GzipBytes(const std::string& bytes) {
  base::StringSink out;
  std::unique_ptr<base::Sink> z = archive::NewCompressor(archive::Compression::kGzip, &out, 1);
  EXPECT_TRUE(z->Write(bytes));
  EXPECT_TRUE(z->Close());
  return out.str();
}

inline std::string Ar(const std::vector<std::pair<std::string, std::string>>& members) {
  std::string out = "!<arch>\n";
  for (const auto& [name, data] : members) {
    char header[61];
    std::snprintf(header, sizeof header, "%-16s%-12d%-6d%-6d%-8s%-10zu`\n", name.c_str(), 0, 0, 0,
                  "100644", data.size());
    out += std::string(header, 60) + data;
    if (data.size() % 2) out += '\n';
  }
  return out;
}

// A .deb whose control file is `control` and whose data.tar.gz holds `data`.
inline std::string MakeDeb(const std::string& control, const std::vector<TarItem>& data) {
  std::string control_tar = GzipBytes(RawTar({{"./", '5', "", 0755}, {"./control", '0', control}}));
  return Ar({{"debian-binary", "2.0\n"},
             {"control.tar.gz", control_tar},
             {"data.tar.gz", GzipBytes(RawTar(data))}});
}

}  // namespace debian::test
