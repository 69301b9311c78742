// The limits table and its parser (base/limits.h).
#include "base/limits.h"

#include <fmt/ranges.h>

#include <charconv>
#include <utility>

#include "base/strings.h"

namespace base {

const std::vector<LimitInfo>& LimitTable() {
  static const std::vector<LimitInfo> table = {
      {"entry-bytes", "one archive entry's apparent size", "bytes", &Limits::entry_bytes},
      {"layer-bytes", "one layer or archive, unpacked", "bytes", &Limits::layer_bytes},
      {"image-bytes", "all of a registry base image's layers, unpacked", "bytes",
       &Limits::image_bytes},
      {"layer-entries", "entries in one layer or archive", "count", &Limits::layer_entries},
      {"manifest-bytes", "a manifest, index or image config", "bytes", &Limits::manifest_bytes},
      {"token-bytes", "a registry token response", "bytes", &Limits::token_bytes},
      {"error-body-bytes", "an error response's body", "bytes", &Limits::error_body_bytes},
      {"index-bytes", "a Release, Packages or Contents file", "bytes", &Limits::index_bytes},
      {"value-bytes", "any single value held in memory", "bytes", &Limits::value_bytes},
      {"connect-seconds", "connecting and the first byte of a response", "seconds",
       &Limits::connect_seconds},
      {"request-seconds", "one request, start to end", "seconds", &Limits::request_seconds},
      {"operation-seconds", "one operation, all its retries included", "seconds",
       &Limits::operation_seconds},
      {"expansion-bytes", "one Dockerfile word after variable expansion", "bytes",
       &Limits::expansion_bytes},
      {"expansion-depth", "nested ${...} in a Dockerfile word", "count", &Limits::expansion_depth},
      {"dockerfile-lines", "physical lines of a Dockerfile", "count", &Limits::dockerfile_lines},
      {"line-bytes", "one joined line of a Dockerfile", "bytes", &Limits::line_bytes},
  };
  return table;
}

namespace {

const LimitInfo* Find(std::string_view name) {
  for (const LimitInfo& i : LimitTable())
    if (i.name == name) return &i;
  return nullptr;
}

// The multiplier of a unit suffix, 0 when it is not one `unit` takes.
uint64_t Multiplier(std::string_view unit, std::string_view suffix) {
  if (suffix.empty()) return 1;
  if (unit == "bytes") {
    struct S {
      std::string_view s;
      uint64_t m;
    };
    for (S s : {S{"B", 1}, S{"KB", 1000}, S{"MB", 1000'000}, S{"GB", 1000'000'000},
                S{"TB", 1000'000'000'000}, S{"KiB", 1ull << 10}, S{"MiB", 1ull << 20},
                S{"GiB", 1ull << 30}, S{"TiB", 1ull << 40}})
      if (suffix == s.s) return s.m;
  }
  if (unit == "seconds") {
    if (suffix == "s") return 1;
    if (suffix == "m") return 60;
    if (suffix == "h") return 3600;
  }
  return 0;
}

}  // namespace

Result<void> SetLimit(Limits& limits, std::string_view name, std::string_view value) {
  const LimitInfo* info = Find(name);
  if (!info) {
    std::vector<std::string> names;
    for (const LimitInfo& i : LimitTable()) names.emplace_back(i.name);
    return Fail("unknown limit '{}' (limits: {})", name, fmt::join(names, ", "));
  }
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  std::string_view suffix = Trim(value.substr(static_cast<size_t>(end - value.data())));
  uint64_t m = ec == std::errc() ? Multiplier(info->unit, suffix) : 0;
  if (m == 0 || n == 0 || n > UINT64_MAX / m)
    return Fail("invalid value '{}' for limit '{}' (a positive number of {})", value, name,
                info->unit);
  limits.*(info->field) = n * m;
  return {};
}

std::string FormatLimit(const LimitInfo& info, uint64_t value) {
  if (info.unit == "bytes") {
    // Exact, in the largest binary unit that divides it ("32 GiB").
    for (auto [shift, name] : {std::pair{40, "TiB"}, {30, "GiB"}, {20, "MiB"}, {10, "KiB"}})
      if (value >= (uint64_t{1} << shift) && value % (uint64_t{1} << shift) == 0)
        return fmt::format("{} {}", value >> shift, name);
    return fmt::format("{} bytes", value);
  }
  if (info.unit == "seconds") return fmt::format("{} s", value);
  return fmt::format("{}", value);
}

Error LimitError(const Limits& limits, std::string_view name, std::string_view what) {
  const LimitInfo* info = Find(name);
  std::string value = info ? FormatLimit(*info, limits.*(info->field)) : "?";
  return Error("{} exceeds the limit {} ({}); raise it with --limit {}=...", what, name, value,
               name);
}

}  // namespace base
