// ContentsLookup: which Debian packages ship given shared libraries, read
// from a repository's Contents-<arch> index (formats.md D6). It is a Sink so
// the 150+ MB decompressed index streams through it without being held:
// `packages: auto` feeds it the index and asks for the DT_NEEDED names the
// run-check could not resolve (issue 5 item 4).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/sink.h"

namespace analyze {

// Longest index line accepted; longer ones fail the lookup.
inline constexpr uint64_t kMaxContentsLine = 1 << 20;

class ContentsLookup : public base::Sink {
 public:
  // `names` are library file names ("libpq.so.5"); only files directly in
  // the loader's default directories count: lib/<triplet>/, usr/lib/<triplet>/,
  // lib/ and usr/lib/, with `triplet` the multiarch triplet
  // ("x86_64-linux-gnu", see LoaderArchFor).
  ContentsLookup(const std::vector<std::string>& names, std::string triplet);

  // Also asks which packages ship the file at the absolute image path
  // `path` ("/bin/sh"), under either spelling of a merged-/usr alias
  // (bin/sh and usr/bin/sh are one file). Call before the first Write.
  void AddPath(std::string_view path);

  // Takes the next bytes of decompressed index text; lines may be split
  // across calls. Fails only on a line longer than kMaxContentsLine:
  // "contents line 12: longer than 1048576 bytes".
  base::Result<void> Write(std::span<const uint8_t> bytes) override;
  using base::Sink::Write;
  // Processes a last line without a newline. Call once, after the last Write.
  base::Result<void> Close() override;

  // The packages (bare names, sorted) that ship `name` in a multiarch
  // directory or, when none does, in /lib or /usr/lib; empty when none, or
  // when `name` was not asked for.
  std::vector<std::string> PackagesFor(std::string_view name) const;
  // PackagesFor() of every name asked for.
  std::map<std::string, std::vector<std::string>> Results() const;
  // The packages (sorted) that ship a path given to AddPath; empty when none.
  std::vector<std::string> PackagesForPath(std::string_view path) const;

 private:
  struct Match {
    std::set<std::string> multiarch;  // from lib/<triplet>/ and usr/lib/<triplet>/
    std::set<std::string> plain;      // from lib/ and usr/lib/
  };
  base::Result<void> Line(std::string_view line);

  std::string triplet_;
  std::map<std::string, Match, std::less<>> wanted_;
  // AddPath's paths, keyed by their alias-free spelling ("bin/sh").
  std::map<std::string, std::set<std::string>, std::less<>> paths_;
  std::string partial_;  // an incomplete last line carried to the next Write
  uint64_t line_number_ = 0;
};

}  // namespace analyze
