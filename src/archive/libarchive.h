// Private to archive/: includes libarchive's headers under a different name.
//
// libarchive calls its handle `struct archive`, which would collide with this
// module's namespace `archive` in any file that sees both. The macro renames
// the type, for the headers below and for our code, to `libarchive_handle`;
// C linkage does not encode parameter types, so the functions link as usual.
#pragma once

#include <locale.h>

#define archive libarchive_handle
#include <archive.h>
#include <archive_entry.h>
#undef archive

namespace archive {

// Switches this thread to the C locale while it lives. libarchive converts
// names through the current locale's charset (nl_langinfo), and a UTF-8
// locale would write non-ASCII names differently than the C locale does.
class ScopedCLocale {
 public:
  ScopedCLocale() {
    static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", locale_t{});
    if (c_locale != locale_t{}) old_ = uselocale(c_locale);
  }
  ~ScopedCLocale() {
    if (old_ != locale_t{}) uselocale(old_);
  }
  ScopedCLocale(const ScopedCLocale&) = delete;
  ScopedCLocale& operator=(const ScopedCLocale&) = delete;

 private:
  locale_t old_{};
};

}  // namespace archive
