// Lowering COPY and ADD: each source a `files:` entry (one layer per
// instruction), its destination made absolute against the stage's WORKDIR,
// --chown, --chmod and --exclude carried over, and --from resolved to an
// earlier stage or to an image, which gets a stage of its own.
#include "base/strings.h"
#include "frontend/dockerfile_lowerer.h"

namespace build::lowering {

base::Result<void> Lowerer::Copy(Stage& s, const DockerInstruction& ins) {
  bool add = ins.keyword == "ADD";
  DISTILL_TRY(
      CheckFlags(ins, add ? std::vector<std::string>{"chown", "chmod", "link"}
                          : std::vector<std::string>{"from", "chown", "chmod", "link", "exclude"}));
  VarLookup vars = StageVars(s);
  std::vector<std::string> words;
  for (const std::string& w : ins.argv) {
    base::Result<std::string> e = ExpandWord(w, vars, df_.escape, opts_.limits);
    if (!e) return At(ins.line, e);
    words.push_back(*e);
  }
  if (!ins.json) {
    base::Result<std::vector<std::string>> e =
        ExpandWords(ins.rest, vars, df_.escape, opts_.limits);
    if (!e) return At(ins.line, e);
    words = *e;
  }
  if (words.size() < 2)
    return Fail(ins.line, fmt::format("{} needs a source and a destination", ins.keyword));
  // Paths become C strings when copied: a NUL would cut "app\0" to "app"
  // at best, and "\0" to the whole context copied into itself.
  for (const std::string& w : words)
    if (w.find('\0') != std::string::npos)
      return Fail(ins.line, fmt::format("{} path '{}' contains a NUL byte", ins.keyword,
                                        w.substr(0, w.find('\0')) + "\\0..."));
  std::string dest = words.back();
  words.pop_back();
  if (words.size() > 1 && !base::EndsWith(dest, "/"))
    return Fail(ins.line, fmt::format("{} with several sources needs a directory destination "
                                      "ending in '/', got '{}'",
                                      ins.keyword, dest));
  FileSpec f;
  f.mark = f.src_mark = f.dst_mark = {ins.line, 1};
  f.dst = AbsPath(s.workdir, dest, true);
  if (words.size() > 1) f.layer = fmt::format("{}:{}", df_.path, ins.line);
  for (const auto& [name, raw] : ins.flags) {
    if (name == "link") continue;  // every layer is independent already
    base::Result<std::string> v = ExpandWord(raw, vars, df_.escape, opts_.limits);
    if (!v) return At(ins.line, v);
    if (name == "chown") f.owner = *v;
    if (name == "exclude") f.exclude.push_back(*v);
    if (name == "chmod") {
      if (v->empty() || v->size() > 4 || v->find_first_not_of("01234567") != std::string::npos)
        return Fail(ins.line, fmt::format("invalid --chmod '{}' (expected octal such as 755)", *v));
      f.mode = static_cast<uint32_t>(std::stoul(*v, nullptr, 8));
    }
    if (name == "from") {
      base::Result<std::string> stage = StageRef(s, *v, ins.line);
      if (!stage) return base::Fail(stage.error());
      f.from = *stage;
      s.deps.push_back(*stage);
    }
  }
  Part& part = FilesPart(s, ins.line);
  for (const std::string& src : words) {
    if (add && (base::StartsWith(src, "http://") || base::StartsWith(src, "https://") ||
                base::StartsWith(src, "git@")))
      return Fail(ins.line, fmt::format("ADD from a URL is not supported ('{}'); download it in a "
                                        "build stage",
                                        src));
    FileSpec one = f;
    one.extract = add;
    if (f.from.empty()) {
      // Context paths are relative to the context even when written absolute.
      size_t start = src.find_first_not_of('/');
      one.src = start == std::string::npos ? "." : src.substr(start);
    } else {
      one.src = src[0] == '/' ? src : "/" + src;
    }
    part.files.push_back(std::move(one));
  }
  return {};
}

// COPY --from=X: an earlier stage by name or index, or an image (which gets
// a stage of its own). A bare word that is neither is a misspelt stage.
base::Result<std::string> Lowerer::StageRef(const Stage& s, const std::string& ref, int line) {
  std::string lower = Lower(ref);
  std::vector<std::string> earlier;
  bool numeric = !ref.empty() && ref.find_first_not_of("0123456789") == std::string::npos;
  for (const Stage& other : stages_) {
    if (other.index >= s.index) break;
    if (other.name == lower || (numeric && std::to_string(other.index) == ref)) return other.name;
    if (other.name != std::to_string(other.index)) earlier.push_back(other.name);
  }
  if (lower == s.name)
    return Fail(line, fmt::format("COPY --from='{}' names the stage it is in", ref));
  if (numeric)
    return Fail(line, fmt::format("COPY --from={}: no stage {} before this one", ref, ref));
  if (all_names_.contains(lower))
    return Fail(line, fmt::format("COPY --from='{}': that stage is defined after this one", ref));
  bool mapped = false;
  for (const auto& [from, to] : opts_.base_map) mapped |= from == ref;
  if (!mapped && ref.find_first_of("/:.@") == std::string::npos) {
    std::string close = base::ClosestMatch(lower, earlier);
    return Fail(line,
                fmt::format("COPY --from: no stage named '{}'{}", ref,
                            close.empty() ? "" : fmt::format(" (did you mean '{}'?)", close)));
  }
  for (const Stage& img : images_)
    if (img.parent == ref) return img.name;
  Stage img;
  img.name = fmt::format("image#{}", images_.size() + 1);
  img.parent = ref;  // for images, the reference as written
  img.line = line;
  img.root = ResolveFromImage(ref, opts_.base_map);
  OpenPart(img, line);
  images_.push_back(std::move(img));
  return images_.back().name;
}

}  // namespace build::lowering
