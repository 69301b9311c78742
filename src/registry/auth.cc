// Authentication helpers for the distribution API (formats.md C6). The
// WWW-Authenticate grammar is RFC 7235 §4.1: a list of challenges, each a
// scheme followed by comma-separated auth-params `name=token` or
// `name="quoted string"` (backslash escapes). A comma also separates two
// challenges, so a param list ends where a token is followed by a space and
// not by '=' (the next scheme). Registries send one challenge in practice,
// but proxies in front of them add their own.
#include "registry/auth.h"

#include <openssl/evp.h>

#include <cctype>
#include <nlohmann/json.hpp>

namespace registry {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsTokenChar(char c) {
  return isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A cursor over a header value.
struct Scanner {
  std::string_view s;
  size_t pos = 0;

  void SkipSpaceAndCommas() {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == ',')) ++pos;
  }
  void SkipSpace() {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t')) ++pos;
  }
  std::string_view Token() {
    size_t start = pos;
    while (pos < s.size() && IsTokenChar(s[pos])) ++pos;
    return s.substr(start, pos - start);
  }
  bool Done() const { return pos >= s.size(); }
  char Peek() const { return pos < s.size() ? s[pos] : '\0'; }
};

base::Result<std::string> QuotedString(Scanner& sc) {
  ++sc.pos;  // opening quote
  std::string out;
  while (!sc.Done() && sc.Peek() != '"') {
    if (sc.Peek() == '\\') ++sc.pos;
    if (sc.Done()) break;
    out += sc.s[sc.pos++];
  }
  if (sc.Done()) return base::Fail("unterminated quoted string at {}", sc.pos);
  ++sc.pos;  // closing quote
  return out;
}

// True when the token at the cursor is a param name (followed by '=').
bool AtParam(Scanner sc) {
  sc.SkipSpaceAndCommas();
  if (sc.Token().empty()) return false;
  sc.SkipSpace();
  return sc.Peek() == '=';
}

base::Result<void> ParseParams(Scanner& sc, Challenge& c) {
  while (AtParam(sc)) {
    sc.SkipSpaceAndCommas();
    std::string name = Lower(sc.Token());
    sc.SkipSpace();
    ++sc.pos;  // '='
    sc.SkipSpace();
    if (sc.Peek() == '"') {
      base::Result<std::string> v = QuotedString(sc);
      if (!v) return base::Fail(v.error());
      c.params[name] = *v;
    } else {
      c.params[name] = std::string(sc.Token());
    }
    sc.SkipSpace();
  }
  return {};
}

}  // namespace

base::Result<std::vector<Challenge>> ParseWwwAuthenticate(std::string_view header) {
  std::vector<Challenge> out;
  Scanner sc{header};
  for (sc.SkipSpaceAndCommas(); !sc.Done(); sc.SkipSpaceAndCommas()) {
    std::string_view scheme = sc.Token();
    if (scheme.empty()) return base::Fail("invalid authentication challenge at {}", sc.pos);
    Challenge c;
    c.scheme = Lower(scheme);
    base::Result<void> params = ParseParams(sc, c);
    if (!params) return base::Fail(params.error().Context("invalid authentication challenge"));
    out.push_back(std::move(c));
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

base::Result<std::string> Base64Decode(std::string_view text) {
  std::string in(text);
  while (!in.empty() && isspace(static_cast<unsigned char>(in.back()))) in.pop_back();
  if (in.size() % 4 != 0) return base::Fail("invalid base64");
  std::string out(in.size() / 4 * 3 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0) return base::Fail("invalid base64");
  // EVP_DecodeBlock counts the padding as zero bytes.
  size_t len = static_cast<size_t>(n);
  for (size_t i = in.size(); i > 0 && in[i - 1] == '=' && len > 0; --i) --len;
  out.resize(len);
  return out;
}

std::string BasicAuthorization(const Credential& c) {
  return "Basic " + Base64Encode(c.username + ":" + c.password);
}

base::Result<Token> ParseTokenResponse(std::string_view body,
                                       std::chrono::steady_clock::time_point now) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return base::Fail("token response is not JSON");
  Token t;
  for (const char* key : {"token", "access_token"})
    if (j.contains(key) && j[key].is_string() && !j[key].get<std::string>().empty())
      t.value = j[key].get<std::string>();
  if (t.value.empty()) return base::Fail("token response holds no token");
  int64_t expires_in = 60;
  if (j.contains("expires_in") && j["expires_in"].is_number_integer())
    expires_in = std::max<int64_t>(j["expires_in"].get<int64_t>(), 0);
  // Renew a little early (10 s, or a quarter of a short lifetime) so that a
  // request never leaves with a token about to lapse.
  int64_t margin = std::min<int64_t>(10, expires_in / 4);
  t.expires = now + std::chrono::seconds(expires_in - margin);
  return t;
}

std::string UrlEncode(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '~')
      out += c;
    else
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
  }
  return out;
}

}  // namespace registry
