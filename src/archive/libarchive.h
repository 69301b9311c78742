// Private to archive/: includes libarchive's headers under a different name.
//
// libarchive calls its handle `struct archive`, which would collide with this
// module's namespace `archive` in any file that sees both. The macro renames
// the type, for the headers below and for our code, to `libarchive_handle`;
// C linkage does not encode parameter types, so the functions link as usual.
#pragma once

#define archive libarchive_handle
#include <archive.h>
#include <archive_entry.h>
#undef archive
