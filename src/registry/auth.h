// Registry authentication pieces that need no network: parsing challenges
// (RFC 7235 WWW-Authenticate), credentials, Basic headers, and the Docker
// token service's response (formats.md C6).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace registry {

// One challenge of a WWW-Authenticate header: the scheme lowercased
// ("basic", "bearer") and its auth-params, names lowercased, values unquoted.
struct Challenge {
  std::string scheme;
  std::map<std::string, std::string> params;
  bool operator==(const Challenge&) const = default;
};

// Parses every challenge of a header value, e.g.
//   Bearer realm="https://auth/token",service="reg",scope="repository:a:pull"
// Errors name the offending position; a malformed header never crashes.
base::Result<std::vector<Challenge>> ParseWwwAuthenticate(std::string_view header);

// What a user gave to log in to one registry. At most one of the forms is
// used: a registry token is sent as is, an identity token is an OAuth2
// refresh token, else username/password. All empty means anonymous.
struct Credential {
  std::string username;
  std::string password;
  std::string identity_token;
  std::string registry_token;
  // Where it came from ("DISTILL_REGISTRY_USER", a config file path), for
  // messages; never the secret itself.
  std::string origin;

  bool Anonymous() const {
    return username.empty() && identity_token.empty() && registry_token.empty();
  }
};

// Standard base64 (RFC 4648 §4), with padding.
std::string Base64Encode(std::string_view bytes);
// Decodes standard base64; errors do not repeat the input (it may be secret).
base::Result<std::string> Base64Decode(std::string_view text);

// "Basic base64(user:password)".
std::string BasicAuthorization(const Credential& c);

// A bearer token and when it stops being usable.
struct Token {
  std::string value;
  std::chrono::steady_clock::time_point expires;
};

// Parses a token service response (`token` or `access_token`, `expires_in`
// defaulting to 60 s). The token counts as expired 10 s early (a quarter of
// its lifetime when that is shorter).
base::Result<Token> ParseTokenResponse(std::string_view body,
                                       std::chrono::steady_clock::time_point now);

// Percent-encodes a query value (RFC 3986 unreserved characters pass).
std::string UrlEncode(std::string_view s);

}  // namespace registry
