// Blob and manifest operations (distribution-spec v1.1.1, formats.md C2-C4).
//
// Push order is the caller's (blobs, then manifests, then an index); here each
// blob goes up as: HEAD to skip what exists; POST .../uploads/ (with
// ?mount=&from= when another repository may hold it: 201 means mounted, 202
// opens an ordinary upload session); then either PUT <location>&digest= with
// the whole blob, or PATCH chunks with inclusive "start-end" Content-Range
// (no "bytes " prefix) each answered with a new Location, closed by an empty
// PUT ?digest=. POST and PATCH are not idempotent, so a failed attempt is
// never resent piecemeal: the whole blob starts over with a fresh session,
// after the same backoff the HTTP retries use.
#include "registry/repository.h"

#include <nlohmann/json.hpp>

#include "base/sha256.h"
#include "oci/media_types.h"

namespace registry {

const char kManifestAccept[] =
    "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
    "application/vnd.docker.distribution.manifest.v2+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json";

namespace {

http::Request Req(std::string method, std::string url) {
  http::Request r;
  r.method = std::move(method);
  r.url = std::move(url);
  return r;
}

}  // namespace

std::string WithQuery(const std::string& location, const std::string& param) {
  return location + (location.find('?') == std::string::npos ? "?" : "&") + param;
}

Repository::Repository(Session& session, std::string name, bool push, std::string mount_from)
    : session_(session), name_(std::move(name)), mount_from_(std::move(mount_from)) {
  scope_ = "repository:" + name_ + (push ? ":pull,push" : ":pull");
  if (!mount_from_.empty() && mount_from_ != name_)
    scope_ += " repository:" + mount_from_ + ":pull";
  else
    mount_from_.clear();
}

base::Error Repository::Failed(const Reply& r, bool& retryable) const {
  retryable = http::IsRetryableStatus(r.status()) || r.status() == 404 || r.status() == 416;
  if (r.status() == 401 || r.status() == 403) return session_.Unauthorized(r);
  return base::Error("'{}': {}", session_.host(), ReplyErrorText(r));
}

base::Result<bool> Repository::HasBlob(const std::string& digest) {
  base::Result<Reply> r = session_.Send(Req("HEAD", "/v2/" + name_ + "/blobs/" + digest), scope_);
  if (!r) return base::Fail(r.error());
  if (r->status() == 200) return true;
  if (r->status() == 404) return false;
  bool unused;
  return base::Fail(Failed(*r, unused));
}

// POST .../uploads/: returns the upload Location, or sets `mounted`.
base::Result<std::string> Repository::StartUpload(const oci::Blob& blob, bool& mounted,
                                                  bool& retryable) {
  std::string url = "/v2/" + name_ + "/blobs/uploads/";
  if (!mount_from_.empty())
    url += "?mount=" + UrlEncode(blob.digest) + "&from=" + UrlEncode(mount_from_);
  http::Request req = Req("POST", url);
  req.headers.emplace_back("Content-Length", "0");
  base::Result<Reply> r = session_.Send(req, scope_, false);
  if (!r) return base::Fail(r.error());
  mounted = r->status() == 201;
  if (mounted) return std::string();
  if (r->status() != 202) return base::Fail(Failed(*r, retryable));
  if (r->Header("location").empty())
    return base::Fail("'{}': upload started without a location", session_.host());
  return session_.Url(r->Header("location"));
}

// PATCH chunks of the blob's file; returns the Location to close with PUT.
base::Result<std::string> Repository::SendChunks(const oci::Blob& blob, std::string location,
                                                 bool& retryable) {
  uint64_t chunk = session_.options().chunk_size;
  uint64_t size = static_cast<uint64_t>(blob.size);
  for (uint64_t off = 0; off < size; off += chunk) {
    uint64_t len = std::min(chunk, size - off);
    http::Request req = Req("PATCH", location);
    req.headers.emplace_back("Content-Type", "application/octet-stream");
    req.headers.emplace_back("Content-Range", fmt::format("{}-{}", off, off + len - 1));
    req.body_file = http::Request::FileRange{blob.path, off, len};
    base::Result<Reply> r = session_.Send(req, scope_, false);
    if (!r) return base::Fail(r.error());
    if (r->status() != 202) return base::Fail(Failed(*r, retryable));
    if (!r->Header("location").empty()) location = session_.Url(r->Header("location"));
  }
  return location;
}

base::Result<BlobOutcome> Repository::UploadOnce(const oci::Blob& blob, bool& retryable) {
  retryable = true;  // transport errors
  bool mounted = false;
  base::Result<std::string> location = StartUpload(blob, mounted, retryable);
  if (!location) return base::Fail(location.error());
  if (mounted) return BlobOutcome::kMounted;
  bool chunked = !blob.bytes && static_cast<uint64_t>(blob.size) > session_.options().chunk_size;
  if (chunked) {
    location = SendChunks(blob, *location, retryable);
    if (!location) return base::Fail(location.error());
  }
  http::Request put = Req("PUT", WithQuery(*location, "digest=" + UrlEncode(blob.digest)));
  put.headers.emplace_back("Content-Type", "application/octet-stream");
  if (chunked)
    put.headers.emplace_back("Content-Length", "0");
  else if (blob.bytes)
    put.body = *blob.bytes;
  else
    put.body_file = http::Request::FileRange{blob.path, 0, static_cast<uint64_t>(blob.size)};
  // Not retried alone: a PUT that died midway leaves a session holding part
  // of the bytes.
  base::Result<Reply> r = session_.Send(put, scope_, false);
  if (!r) return base::Fail(r.error());
  if (r->status() != 201 && r->status() != 204) return base::Fail(Failed(*r, retryable));
  return BlobOutcome::kUploaded;
}

base::Result<BlobOutcome> Repository::PushBlob(const oci::Blob& blob) {
  int attempts = std::max(session_.options().retry.max_attempts, 1);
  for (int attempt = 1;; ++attempt) {
    base::Result<bool> has = HasBlob(blob.digest);
    if (has && *has) return BlobOutcome::kExisted;
    bool retryable = true;
    base::Result<BlobOutcome> r = has ? UploadOnce(blob, retryable) : base::Fail(has.error());
    if (r || !retryable || attempt >= attempts)
      return r ? r : base::Fail(r.error().Context("pushing blob '{}'", blob.digest));
    session_.Backoff(attempt);
  }
}

base::Result<void> Repository::FetchBlob(const std::string& digest, int64_t size, base::Sink& out) {
  base::HashingSink hashing(&out);
  // Never more than the declared size, enforced while the body streams.
  base::CappedSink capped(
      &hashing, size >= 0 ? static_cast<uint64_t>(size) : UINT64_MAX,
      base::Error("blob '{}' is larger than its declared size ({} bytes)", digest, size));
  base::Result<http::Response> r =
      session_.Stream(Req("GET", "/v2/" + name_ + "/blobs/" + digest), scope_, &capped);
  if (!r) return base::Fail(r.error());
  if (r->status != 200) {
    bool unused;
    Reply reply{*r, ""};
    if (r->status == 404) return base::Fail("'{}': blob '{}' not found", session_.host(), digest);
    return base::Fail(Failed(reply, unused).Context("blob '{}'", digest));
  }
  if (hashing.Digest() != digest || (size >= 0 && hashing.size() != static_cast<uint64_t>(size)))
    return base::Fail("blob '{}' does not match its digest", digest);
  return {};
}

base::Result<Manifest> Repository::FetchManifest(const std::string& reference) {
  http::Request req = Req("GET", "/v2/" + name_ + "/manifests/" + reference);
  req.headers.emplace_back("Accept", kManifestAccept);
  base::Result<Reply> r = session_.Send(req, scope_, true, "manifest-bytes");
  if (!r) return base::Fail(r.error());
  if (r->status() == 404)
    return base::Fail("manifest '{}' not found in '{}/{}'", reference, session_.host(), name_);
  bool unused;
  if (r->status() != 200) return base::Fail(Failed(*r, unused));
  Manifest m{r->body, r->Header("content-type"), base::Sha256Digest(r->body)};
  std::string served = r->Header("docker-content-digest");
  bool by_digest = reference.starts_with("sha256:");
  if ((by_digest && m.digest != reference) || (!served.empty() && served != m.digest))
    return base::Fail("manifest '{}' does not match its digest", reference);
  // The body's own mediaType wins over a Content-Type some registries
  // default to application/json.
  nlohmann::json j = nlohmann::json::parse(m.bytes, nullptr, false);
  if (j.is_object() && j.contains("mediaType") && j["mediaType"].is_string())
    m.media_type = j["mediaType"];
  return m;
}

base::Result<std::string> Repository::PutManifest(const std::string& reference,
                                                  const std::string& bytes,
                                                  const std::string& media_type) {
  http::Request req = Req("PUT", "/v2/" + name_ + "/manifests/" + reference);
  req.headers.emplace_back("Content-Type", media_type);
  req.body = bytes;
  base::Result<Reply> r = session_.Send(req, scope_);
  if (!r) return base::Fail(r.error());
  bool unused;
  if (r->status() != 201 && r->status() != 200) return base::Fail(Failed(*r, unused));
  std::string digest = base::Sha256Digest(bytes);
  std::string served = r->Header("docker-content-digest");
  if (!served.empty() && served != digest)
    return base::Fail("'{}' stored manifest '{}' as '{}'", session_.host(), digest, served);
  return digest;
}

}  // namespace registry
