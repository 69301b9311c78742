// Release signature verification (formats.md D1; RFC 4880 §7 "Cleartext
// Signature Framework"; apt's SplitClearSignedFile rules).
//
// A clearsigned InRelease is parsed strictly before any cryptography: the
// first line must be the "BEGIN PGP SIGNED MESSAGE" header, armor headers may
// only be "Hash:", message lines starting with '-' must be dash-escaped
// ("- "), and nothing but blank lines may follow the signature block. This
// closes the classic hole where a verifier checks one part of a file and a
// parser reads another (apt CVE-2013-1051 style): we hand librnp exactly the
// lines we parsed, and return the text we extracted from those same lines.
// librnp checks the signatures; one good signature by a key in the keyring
// suffices, since Debian signs with several keys (archive + release keys) and
// an old keyring knows only some of them.
#include "debian/signature.h"

#include <fcntl.h>
#include <rnp/rnp.h>
#include <rnp/rnp_err.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <vector>

#include "base/file_util.h"
#include "base/sha256.h"
#include "base/strings.h"

namespace debian {
namespace {

template <auto Destroy>
struct RnpDeleter {
  template <typename T>
  void operator()(T* p) const {
    Destroy(p);
  }
};
using Ffi = std::unique_ptr<rnp_ffi_st, RnpDeleter<rnp_ffi_destroy>>;
using Input = std::unique_ptr<rnp_input_st, RnpDeleter<rnp_input_destroy>>;
using Output = std::unique_ptr<rnp_output_st, RnpDeleter<rnp_output_destroy>>;
using VerifyOp = std::unique_ptr<rnp_op_verify_st, RnpDeleter<rnp_op_verify_destroy>>;

constexpr std::string_view kBeginMessage = "-----BEGIN PGP SIGNED MESSAGE-----";
constexpr std::string_view kBeginSignature = "-----BEGIN PGP SIGNATURE-----";
constexpr std::string_view kEndSignature = "-----END PGP SIGNATURE-----";
constexpr std::string_view kBeginKey = "-----BEGIN PGP PUBLIC KEY BLOCK-----";

// librnp 0.16 as Debian builds it prints diagnostics such as
// "[signed_validate_signature() ...] signer's key not found" straight to
// stderr through its internal RNP_LOG; neither rnp_ffi_set_log_fd (used by
// only a few FFI paths) nor RNP_LOG_CONSOLE turns that off. Our errors are
// one line, so fd 2 points at /dev/null while librnp parses keys or checks
// signatures. The redirect is process-wide: a mutex keeps the quiet spans
// from nesting, and distill verifies Releases on one thread before any
// download or progress output starts, so no other output is lost.
class QuietStderr {
 public:
  QuietStderr() : lock_(Mutex()) {
    fflush(stderr);
    saved_ = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved_ >= 0 && null >= 0) dup2(null, STDERR_FILENO);
    if (null >= 0) close(null);
  }
  ~QuietStderr() {
    if (saved_ < 0) return;
    dup2(saved_, STDERR_FILENO);
    close(saved_);
  }
  QuietStderr(const QuietStderr&) = delete;
  QuietStderr& operator=(const QuietStderr&) = delete;

 private:
  static std::mutex& Mutex() {
    static std::mutex mu;
    return mu;
  }
  std::lock_guard<std::mutex> lock_;
  int saved_ = -1;
};

// A memory input over `bytes`, which must outlive it (no copy).
Input MemoryInput(std::string_view bytes) {
  rnp_input_t in = nullptr;
  rnp_input_from_memory(&in, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), false);
  return Input(in);
}

size_t PublicKeyCount(rnp_ffi_t ffi) {
  size_t n = 0;
  rnp_get_public_key_count(ffi, &n);
  return n;
}

base::Result<void> ImportKeys(rnp_ffi_t ffi, std::string_view bytes, std::string_view name) {
  size_t before = PublicKeyCount(ffi);
  Input in = MemoryInput(bytes);
  QuietStderr quiet;
  if (!in || rnp_load_keys(ffi, RNP_KEYSTORE_GPG, in.get(), RNP_LOAD_SAVE_PUBLIC_KEYS) != 0)
    return base::Fail("'{}': not an OpenPGP keyring", name);
  if (PublicKeyCount(ffi) == before) return base::Fail("'{}': no OpenPGP public keys", name);
  return {};
}

// True when librnp accepted at least one signature of a finished operation.
bool HasGoodSignature(rnp_op_verify_t op) {
  size_t count = 0;
  if (rnp_op_verify_get_signature_count(op, &count) != 0) return false;
  for (size_t i = 0; i < count; ++i) {
    rnp_op_verify_signature_t sig = nullptr;
    if (rnp_op_verify_get_signature_at(op, i, &sig) == 0 &&
        rnp_op_verify_signature_get_status(sig) == RNP_SUCCESS)
      return true;
  }
  return false;
}

base::Result<void> Execute(rnp_op_verify_t op, const Keyring& keyring, std::string_view name) {
  // execute() fails when no signature is good, but we also check each one:
  // success alone could mean "no signatures at all" for some inputs.
  {
    QuietStderr quiet;
    rnp_op_verify_execute(op);
  }
  if (!HasGoodSignature(op))
    return base::Fail("'{}': no valid signature by a key in '{}'", name, keyring.name());
  return {};
}

struct Clearsigned {
  std::string text;       // the signed text, unescaped
  std::string canonical;  // the armor lines we accepted, for librnp
};

std::vector<std::string_view> Lines(std::string_view in) {
  std::vector<std::string_view> out;
  while (!in.empty()) {
    size_t eol = in.find('\n');
    std::string_view line = in.substr(0, eol);
    in = eol == std::string_view::npos ? std::string_view() : in.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
  }
  return out;
}

base::Result<Clearsigned> SplitClearsigned(std::string_view in, std::string_view name) {
  std::vector<std::string_view> lines = Lines(in);
  size_t i = 0;
  if (lines.empty() || lines[i++] != kBeginMessage)
    return base::Fail("'{}': not a clearsigned message", name);
  for (; i < lines.size() && !lines[i].empty(); ++i)
    if (!base::StartsWith(lines[i], "Hash:"))
      return base::Fail("'{}': line {}: unexpected armor header '{}'", name, i + 1, lines[i]);
  Clearsigned out;
  for (size_t first = ++i; i < lines.size() && lines[i] != kBeginSignature; ++i) {
    std::string_view line = lines[i];
    // The line break before the signature belongs to the armor, not the
    // text (RFC 4880 §7.1), so lines are joined, not terminated.
    if (i > first) out.text += '\n';
    if (base::StartsWith(line, "- ")) {
      line.remove_prefix(2);
    } else if (base::StartsWith(line, "-")) {
      return base::Fail("'{}': line {}: dash line not escaped", name, i + 1);
    }
    out.text.append(line);
  }
  size_t end = i;
  while (end < lines.size() && lines[end] != kEndSignature) ++end;
  if (end >= lines.size()) return base::Fail("'{}': no signature block", name);
  for (size_t j = end + 1; j < lines.size(); ++j)
    if (!base::Trim(lines[j]).empty())
      return base::Fail("'{}': line {}: data after the signature", name, j + 1);
  for (size_t j = 0; j <= end; ++j) {
    out.canonical.append(lines[j]);
    out.canonical += '\n';
  }
  return out;
}

// The forms Keyring::Load accepts: inline armored text, or file paths
// separated by ',' or whitespace (apt's Signed-By).
bool IsInlineKey(std::string_view source) {
  return source.find(kBeginKey) != std::string_view::npos;
}

// KeyringDigest's two forms: inline text, and a list of files' contents.
std::string InlineDigest(std::string_view text) {
  return base::Sha256Hex(fmt::format("inline\n{}", text));
}
void AddFileDigest(base::Sha256& all, std::string_view bytes) {
  all.Update(base::Sha256Hex(bytes) + "\n");
}

std::vector<std::string> KeyringPaths(std::string_view source) {
  std::string paths(source);
  for (char& c : paths)
    if (c == ',' || c == '\t' || c == '\n') c = ' ';
  std::vector<std::string> out;
  for (const std::string& path : base::Split(paths, ' '))
    if (!path.empty()) out.push_back(path);
  return out;
}

}  // namespace

struct Keyring::Impl {
  Ffi ffi;
};

Keyring::Keyring(std::unique_ptr<Impl> impl, std::string name, std::string digest)
    : impl_(std::move(impl)), name_(std::move(name)), digest_(std::move(digest)) {}
Keyring::Keyring(Keyring&&) noexcept = default;
Keyring& Keyring::operator=(Keyring&&) noexcept = default;
Keyring::~Keyring() = default;

static std::unique_ptr<Keyring::Impl> NewImpl() {
  rnp_ffi_t ffi = nullptr;
  if (rnp_ffi_create(&ffi, RNP_KEYSTORE_GPG, RNP_KEYSTORE_GPG) != 0) return nullptr;
  return std::make_unique<Keyring::Impl>(Keyring::Impl{Ffi(ffi)});
}

base::Result<Keyring> Keyring::FromBytes(std::string_view bytes, std::string name) {
  std::unique_ptr<Impl> impl = NewImpl();
  if (!impl) return base::Fail("'{}': cannot initialize librnp", name);
  DISTILL_TRY(ImportKeys(impl->ffi.get(), bytes, name));
  return Keyring(std::move(impl), std::move(name), InlineDigest(bytes));
}

base::Result<Keyring> Keyring::Load(std::string_view source) {
  source = base::Trim(source);
  if (IsInlineKey(source)) return FromBytes(source, "inline key");
  std::unique_ptr<Impl> impl = NewImpl();
  if (!impl) return base::Fail("'{}': cannot initialize librnp", source);
  base::Sha256 digest;
  digest.Update("files\n");
  for (const std::string& path : KeyringPaths(source)) {
    base::Result<std::string> bytes = base::ReadFile(path);
    if (!bytes) return base::Fail(bytes.error().Context("reading keyring"));
    DISTILL_TRY(ImportKeys(impl->ffi.get(), *bytes, path));
    AddFileDigest(digest, *bytes);
  }
  if (PublicKeyCount(impl->ffi.get()) == 0)
    return base::Fail("'{}': no OpenPGP public keys", source);
  return Keyring(std::move(impl), std::string(source), digest.FinishHex());
}

base::Result<std::string> KeyringDigest(std::string_view source) {
  source = base::Trim(source);
  if (IsInlineKey(source)) return InlineDigest(source);
  base::Sha256 all;
  all.Update("files\n");
  for (const std::string& path : KeyringPaths(source)) {
    base::Result<std::string> bytes = base::ReadFile(path);
    if (!bytes) return base::Fail(bytes.error().Context("reading keyring"));
    AddFileDigest(all, *bytes);
  }
  return all.FinishHex();
}

base::Result<std::string> ClearsignedText(std::string_view inrelease, std::string_view name) {
  base::Result<Clearsigned> parts = SplitClearsigned(inrelease, name);
  if (!parts) return base::Fail(parts.error());
  return std::move(parts->text);
}

base::Result<std::string> VerifyClearsigned(std::string_view inrelease, const Keyring& keyring,
                                            std::string_view name) {
  base::Result<Clearsigned> parts = SplitClearsigned(inrelease, name);
  if (!parts) return base::Fail(parts.error());
  Input in = MemoryInput(parts->canonical);
  rnp_output_t out_raw = nullptr;
  rnp_output_to_null(&out_raw);
  Output out(out_raw);
  rnp_op_verify_t op_raw = nullptr;
  if (!in || !out || rnp_op_verify_create(&op_raw, keyring.impl().ffi.get(), in.get(), out.get()))
    return base::Fail("'{}': cannot start signature verification", name);
  VerifyOp op(op_raw);
  DISTILL_TRY(Execute(op.get(), keyring, name));
  return std::move(parts->text);
}

base::Result<void> VerifyDetached(std::string_view data, std::string_view signature,
                                  const Keyring& keyring, std::string_view name) {
  Input in = MemoryInput(data);
  Input sig = MemoryInput(signature);
  rnp_op_verify_t op_raw = nullptr;
  if (!in || !sig ||
      rnp_op_verify_detached_create(&op_raw, keyring.impl().ffi.get(), in.get(), sig.get()))
    return base::Fail("'{}': cannot start signature verification", name);
  VerifyOp op(op_raw);
  return Execute(op.get(), keyring, name);
}

}  // namespace debian
