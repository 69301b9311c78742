// A Debian binary package (.deb): its members, control data and file tree.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "archive/ar_reader.h"
#include "archive/tar_reader.h"
#include "base/error.h"

namespace archive {

// What control.tar holds that distill uses.
struct DebControl {
  std::string control;  // the deb822 stanza of ./control
  std::string md5sums;  // ./md5sums, "" when absent
  // The maintainer scripts present, in archive order: any of preinst,
  // postinst, prerm, postrm, config, triggers.
  std::vector<std::string> scripts;
  bool operator==(const DebControl&) const = default;
};

// An opened .deb whose members have been located but not read. Members must
// come in deb(5) order: debian-binary (format 2.x), control.tar[.gz|.xz|.zst],
// data.tar[|.gz|.xz|.zst|.bz2]; members named "_*" are skipped, anything else
// before data.tar is an error, anything after it is ignored.
class DebFile {
 public:
  // Opens the file at `path`; errors name it as `name` (default: `path`).
  static base::Result<DebFile> Open(const std::string& path, std::string name = "");
  // The same over .deb bytes held in memory (tests, small packages).
  static base::Result<DebFile> FromBytes(std::string bytes, std::string name);

  const std::string& name() const { return name_; }
  const ArMember& control_member() const { return control_; }
  const ArMember& data_member() const { return data_; }

  // Reads control.tar. An error if it has no ./control file or if a file is
  // unreasonably large; errors are prefixed with the .deb name.
  base::Result<DebControl> ReadControl() const;
  // A reader over data.tar, named after the member ("data.tar.xz"): callers
  // add the package to its errors.
  base::Result<std::unique_ptr<TarReader>> OpenData() const;

 private:
  DebFile() = default;
  base::Result<void> LocateMembers();
  base::Result<std::unique_ptr<TarReader>> OpenMember(const ArMember& m) const;

  std::string name_;
  std::string path_;                    // set when reading a file
  std::shared_ptr<std::string> bytes_;  // set when reading memory; stable across moves
  std::unique_ptr<ByteSource> source_;
  ArMember control_;
  ArMember data_;
};

}  // namespace archive
