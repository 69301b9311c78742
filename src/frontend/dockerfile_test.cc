#include "frontend/dockerfile.h"

#include <gtest/gtest.h>

#include "frontend/dockerfile_lower.h"
#include "frontend/dockerfile_words.h"

namespace build {

namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;
using Strings = std::vector<std::string>;

std::string ParseError(const std::string& text) {
  base::Result<Dockerfile> df = ParseDockerfile(text, "Dockerfile");
  return df ? "parsed" : df.error().message();
}

base::Result<Spec> Lower(const std::string& text, DockerfileOptions o = {}) {
  base::Result<Dockerfile> df = ParseDockerfile(text, "Dockerfile");
  if (!df) return base::Fail(df.error());
  if (o.platform.empty()) o.platform = "linux/amd64";
  return LowerDockerfile(*df, o);
}

std::string LowerError(const std::string& text, DockerfileOptions o = {}) {
  base::Result<Spec> s = Lower(text, std::move(o));
  return s ? "lowered" : s.error().message();
}

VarLookup Vars(Pairs pairs) {
  return [pairs](const std::string& name) -> std::optional<std::string> {
    for (const auto& [k, v] : pairs)
      if (k == name) return v;
    return std::nullopt;
  };
}

std::string Expand(const std::string& word) {
  base::Result<std::string> r = ExpandWord(word, Vars({{"A", "x"}, {"E", ""}}), '\\');
  return r ? *r : "error: " + r.error().message();
}

}  // namespace

TEST(DockerfileParseTest, ContinuationsCommentsFlagsAndForms) {
  base::Result<Dockerfile> df = ParseDockerfile(R"(# leading comment
from scratch AS Base
run echo a \
  # a comment inside the continuation

  && echo b
COPY --chown=1:2 --link  a b
CMD ["x", "y"]
ENTRYPOINT [not json
)",
                                                "Dockerfile");
  ASSERT_TRUE(df) << df.error().message();
  ASSERT_EQ(df->instructions.size(), 5u);
  EXPECT_EQ(df->instructions[0].keyword, "FROM");
  EXPECT_EQ(df->instructions[0].rest, "scratch AS Base");
  EXPECT_EQ(df->instructions[0].line, 2);
  EXPECT_EQ(df->instructions[1].keyword, "RUN");
  EXPECT_EQ(df->instructions[1].rest, "echo a   && echo b");
  EXPECT_EQ(df->instructions[1].line, 3);
  EXPECT_EQ(df->instructions[2].flags, (Pairs{{"chown", "1:2"}, {"link", ""}}));
  EXPECT_EQ(df->instructions[2].rest, "a b");
  EXPECT_EQ(df->instructions[2].line, 7);
  EXPECT_TRUE(df->instructions[3].json);
  EXPECT_EQ(df->instructions[3].argv, (Strings{"x", "y"}));
  EXPECT_FALSE(df->instructions[4].json);
  EXPECT_EQ(df->instructions[4].rest, "[not json");
}

TEST(DockerfileParseTest, EscapeDirective) {
  base::Result<Dockerfile> df = ParseDockerfile(
      "# escape=`\n# syntax=docker/dockerfile:1\nFROM scratch\nRUN a `\n  b\n", "Dockerfile");
  ASSERT_TRUE(df) << df.error().message();
  EXPECT_EQ(df->escape, '`');
  EXPECT_EQ(df->instructions[1].rest, "a   b");
  // After the first instruction, a directive is only a comment.
  df = ParseDockerfile("FROM scratch\n# escape=`\nRUN a \\\n b\n", "Dockerfile");
  ASSERT_TRUE(df);
  EXPECT_EQ(df->escape, '\\');
  EXPECT_EQ(df->instructions[1].rest, "a  b");
  EXPECT_EQ(ParseError("# escape=x\nFROM scratch\n"),
            "Dockerfile:1: invalid escape character 'x' (expected \\ or `)");
}

TEST(DockerfileParseTest, ErrorsNameTheLine) {
  EXPECT_EQ(ParseError("FROM scratch\n\nCOPPY a /b\n"),
            "Dockerfile:3: unknown instruction 'COPPY' (did you mean 'COPY'?)");
  base::Result<Dockerfile> df = ParseDockerfile("FROM scratch\nCOPPY a /b\n", "Dockerfile");
  EXPECT_EQ(df.error().detail(), "COPPY a /b");
  EXPECT_EQ(ParseError("FROM scratch\nHEALTHCHECK CMD true\n"),
            "Dockerfile:2: HEALTHCHECK is not supported (OCI image configs have no health check)");
  EXPECT_EQ(ParseError("FROM scratch\nONBUILD RUN x\n"),
            "Dockerfile:2: ONBUILD is not supported (it acts only in images built FROM this one)");
  EXPECT_EQ(ParseError("FROM scratch\nRUN <<EOF\necho\nEOF\n"),
            "Dockerfile:2: heredocs in RUN are not supported");
  EXPECT_EQ(ParseError("FROM scratch\nRUN echo $((1<<2)) <<< x\n"), "parsed");
  EXPECT_EQ(ParseError("FROM scratch\nSHELL /bin/bash -c\n"),
            "Dockerfile:2: SHELL needs the JSON form, e.g. SHELL [\"/bin/sh\", \"-c\"]");
  EXPECT_EQ(ParseError("FROM\n"), "Dockerfile:1: FROM needs at least one argument");
  EXPECT_EQ(ParseError("# only a comment\n"),
            "Dockerfile: no instructions (a Dockerfile needs at least a FROM)");
}

TEST(DockerfileParseTest, RecognisedByNameOrContent) {
  EXPECT_TRUE(IsDockerfile("Dockerfile", ""));
  EXPECT_TRUE(IsDockerfile("x/Containerfile", ""));
  EXPECT_TRUE(IsDockerfile("app.Dockerfile", ""));
  EXPECT_TRUE(IsDockerfile("Dockerfile.prod", ""));
  EXPECT_FALSE(IsDockerfile("Dockerfile.yaml", "FROM scratch\n"));
  EXPECT_TRUE(IsDockerfile("build.txt", "# hello\n\nFROM scratch\n"));
  EXPECT_TRUE(IsDockerfile("build.txt", "arg X=1\nFROM scratch\n"));
  EXPECT_TRUE(IsDockerfile("build.txt", "# syntax=docker/dockerfile:1\n"));
  EXPECT_FALSE(IsDockerfile("distill.yaml", "base: scratch\n"));
  EXPECT_FALSE(IsDockerfile("spec", "# FROM scratch\nbase: scratch\n"));
}

TEST(DockerfileWordsTest, Substitution) {
  EXPECT_EQ(Expand("$A/${A}"), "x/x");
  EXPECT_EQ(Expand("${U:-def}|${E:-d}|${E-d}|${A:-d}"), "def|d||x");
  EXPECT_EQ(Expand("${A:+alt}|${U:+alt}|${E+set}|${E:+set}"), "alt||set|");
  EXPECT_EQ(Expand("${U:-${A}y}"), "xy");
  EXPECT_EQ(Expand("'$A' \"$A b\" \\$A"), "$A x b $A");
  EXPECT_EQ(Expand("a$ $1 $"), "a$ $1 $");
  EXPECT_EQ(Expand("${U:?needs U}"), "error: U: needs U");
  EXPECT_EQ(Expand("${A"), "error: missing '}' in '${A'");
  EXPECT_EQ(Expand("${A#x}"),
            "error: unsupported substitution '${A#x}' (distill has ${VAR:-word}, ${VAR:+word} "
            "and ${VAR:?message})");
  EXPECT_EQ(Expand("\"open"), "error: unterminated double quote in '\"open'");
}

TEST(DockerfileWordsTest, WordsAndPairs) {
  base::Result<Strings> w = SplitWords("a \"b c\" 'd e'  f\\ g", '\\');
  ASSERT_TRUE(w);
  EXPECT_EQ(*w, (Strings{"a", "\"b c\"", "'d e'", "f\\ g"}));
  base::Result<Pairs> p = ExpandPairs("K=1 B=\"two words\" C=$A", Vars({{"A", "x"}}), '\\', true);
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, (Pairs{{"K", "1"}, {"B", "two words"}, {"C", "x"}}));
  p = ExpandPairs("K one  two", Vars({}), '\\', true);
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, (Pairs{{"K", "one  two"}}));
  EXPECT_EQ(ExpandPairs("K=1 B", Vars({}), '\\', true).error().message(),
            "'B' is not of the form KEY=VALUE");
}

TEST(DockerfileFromTest, DistrolessDebianAndMappedNames) {
  base::Result<ResolvedBase> r = ResolveFromImage("gcr.io/distroless/static-debian12:nonroot", {});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->base, "static:nonroot");
  EXPECT_EQ(r->suite, "bookworm");
  EXPECT_TRUE(r->shell.empty());
  EXPECT_EQ(r->workdir, "/home/nonroot");
  // Any registry host: the repository path names the image.
  r = ResolveFromImage("127.0.0.1:5000/mirror/distroless/cc-debian13:debug", {});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->base, "cc:debug");
  EXPECT_EQ(r->suite, "trixie");
  EXPECT_EQ(r->shell, (Strings{"/busybox/sh", "-c"}));
  r = ResolveFromImage("gcr.io/distroless/java", {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->base, "java17");
  EXPECT_EQ(r->suite, "");
  r = ResolveFromImage("gcr.io/distroless/java21-debian13", {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->base, "java17");
  EXPECT_EQ(r->suite, "trixie");
  EXPECT_EQ(ResolveFromImage("gcr.io/distroless/java17-debian13", {}).error().message(),
            "FROM 'gcr.io/distroless/java17-debian13': the built-in 'java17' base gives this "
            "runtime only on bookworm; map it with --base-map");
  EXPECT_EQ(ResolveFromImage("gcr.io/distroless/static:11", {}).error().message(),
            "FROM 'gcr.io/distroless/static:11': unknown tag '11' (distroless tags: latest, "
            "nonroot, debug, debug-nonroot)");
  EXPECT_EQ(ResolveFromImage("gcr.io/distroless/pyhton3", {}).error().message(),
            "FROM 'gcr.io/distroless/pyhton3': no built-in base for distroless 'pyhton3' (did you "
            "mean 'python3'?); map it with --base-map");
  for (const char* name : {"debian:bookworm", "debian:bookworm-slim", "debian:12",
                           "library/debian:12.5-slim", "debian:bookworm-20240110"}) {
    r = ResolveFromImage(name, {});
    ASSERT_TRUE(r) << name;
    EXPECT_EQ(r->kind, RootKind::kDebian) << name;
    EXPECT_EQ(r->suite, "bookworm") << name;
    EXPECT_EQ(r->shell, (Strings{"/bin/sh", "-c"}));
  }
  EXPECT_EQ(ResolveFromImage("debian", {})->suite, "");
  // Any other name is a registry image, pulled as it is written.
  r = ResolveFromImage("openjdk:8-jdk-slim", {});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->kind, RootKind::kRegistry);
  EXPECT_EQ(r->base, "docker://openjdk:8-jdk-slim");
  EXPECT_EQ(r->shell, (Strings{"/bin/sh", "-c"}));
  Pairs map = {{"openjdk:8-jdk-slim", "deb:openjdk-17-jdk-headless, make"},
               {"python", "python3:debug"},
               {"myorg/base", "tools/base.yaml"}};
  r = ResolveFromImage("openjdk:8-jdk-slim", map);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->base, "debian");
  EXPECT_EQ(r->packages, (Strings{"openjdk-17-jdk-headless", "make"}));
  r = ResolveFromImage("python:3.11", map);  // the name without its tag
  ASSERT_TRUE(r);
  EXPECT_EQ(r->base, "python3:debug");
  r = ResolveFromImage("myorg/base:1", map);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, RootKind::kSpecFile);
  EXPECT_TRUE(r->base.starts_with("/") && r->base.ends_with("/tools/base.yaml")) << r->base;
  r = ResolveFromImage("x", {{"x", "127.0.0.1:5000/tools:1"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->base, "docker://127.0.0.1:5000/tools:1");
  EXPECT_EQ(ResolveFromImage("x", {{"x", "a b"}}).error().message(),
            "--base-map 'x=a b': FROM 'a b': invalid image reference");
  EXPECT_EQ(ParseBaseMap("openjdk").error().message(),
            "invalid --base-map 'openjdk' (expected REF=TARGET, e.g. "
            "openjdk:8-jdk-slim=deb:openjdk-17-jdk-headless)");
  EXPECT_EQ(ParseBaseMap("a=deb:").error().message(),
            "invalid --base-map 'a=deb:' (deb: needs at least one package)");
}

// The Java Dockerfile of the seed document, with its build stage mapped to a
// Debian root with a JDK.
TEST(DockerfileLowerTest, SeedJava) {
  DockerfileOptions o;
  o.base_map = {{"openjdk:8-jdk-slim", "deb:openjdk-17-jdk-headless"}};
  base::Result<Spec> s = Lower(R"(FROM openjdk:8-jdk-slim AS build-env
ADD . /app/examples
WORKDIR /app
RUN javac examples/*.java
RUN jar cfe main.jar examples.HelloJava examples/*.class

FROM gcr.io/distroless/java
COPY --from=build-env /app /app
WORKDIR /app
CMD ["main.jar"]
)",
                               o);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->path, "Dockerfile");
  EXPECT_EQ(s->base, "java17");
  EXPECT_EQ(s->base_mark.line, 7);
  EXPECT_FALSE(s->has_debian);
  ASSERT_EQ(s->files.size(), 1u);
  EXPECT_EQ(s->files[0].from, "build-env");
  EXPECT_EQ(s->files[0].src, "/app");
  EXPECT_EQ(s->files[0].dst, "/app");
  EXPECT_EQ(s->files[0].mark.line, 8);
  EXPECT_EQ(s->files[0].layer, "");
  EXPECT_FALSE(s->files[0].extract);  // COPY never does
  EXPECT_FALSE(s->files[0].mode);
  EXPECT_EQ(s->files[0].owner, "");
  EXPECT_EQ(*s->config.workdir, "/app");
  EXPECT_EQ(*s->config.cmd, (Strings{"main.jar"}));
  EXPECT_FALSE(s->config.entrypoint);
  EXPECT_FALSE(s->config.user);
  EXPECT_TRUE(s->config.env.empty());
  ASSERT_TRUE(s->has_stages);
  EXPECT_EQ(s->stages_mark.line, 1);
  ASSERT_EQ(s->stages.size(), 1u);
  const StageSpec& b = s->stages[0];
  EXPECT_EQ(b.name, "build-env");
  EXPECT_EQ(b.base, "debian");
  EXPECT_EQ(b.packages, (Strings{"openjdk-17-jdk-headless"}));
  ASSERT_EQ(b.files.size(), 1u);
  EXPECT_EQ(b.files[0].src, ".");
  EXPECT_EQ(b.files[0].from, "");
  EXPECT_EQ(b.files[0].dst, "/app/examples");
  EXPECT_EQ(b.files[0].mark.line, 2);
  EXPECT_TRUE(b.files[0].extract);  // ADD unpacks local archives
  EXPECT_EQ(b.workdir, "/app");
  EXPECT_TRUE(b.env.empty());
  EXPECT_EQ(b.user, "");
  EXPECT_FALSE(b.network);
  ASSERT_EQ(b.run.size(), 2u);
  EXPECT_EQ(b.run[0].shell, "javac examples/*.java");
  EXPECT_TRUE(b.run[0].argv.empty());
  EXPECT_EQ(b.run[0].mark.line, 4);
  EXPECT_EQ(b.run[1].shell, "jar cfe main.jar examples.HelloJava examples/*.class");
  EXPECT_EQ(b.base_mark.line, 1);
}

// The .NET Dockerfile of the seed document, its runtime mapped to the
// example's spec file (the SDK stage to a stand-in: Debian has no .NET SDK).
TEST(DockerfileLowerTest, SeedDotnet) {
  DockerfileOptions o;
  o.base_map = {{"gcr.io/distroless/dotnet", "examples/seed-dotnet/dotnet-runtime.yaml"},
                {"microsoft/dotnet:2.0.0-sdk", "deb:make"}};
  base::Result<Spec> s = Lower(R"(FROM microsoft/dotnet:2.0.0-sdk AS build-env
ADD . /app
WORKDIR /app
RUN dotnet restore -r linux-x64
RUN dotnet publish -c Release -r linux-x64

FROM gcr.io/distroless/dotnet
WORKDIR /app
COPY --from=build-env /app /app/
CMD ["bin/Release/netcoreapp2.0/linux-x64/publish/hello"]
)",
                               o);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_TRUE(s->base.starts_with("/") &&
              s->base.ends_with("/examples/seed-dotnet/dotnet-runtime.yaml"))
      << s->base;
  ASSERT_EQ(s->files.size(), 1u);
  EXPECT_EQ(s->files[0].from, "build-env");
  EXPECT_EQ(s->files[0].src, "/app");
  EXPECT_EQ(s->files[0].dst, "/app/");
  EXPECT_EQ(*s->config.workdir, "/app");
  EXPECT_EQ(*s->config.cmd, (Strings{"bin/Release/netcoreapp2.0/linux-x64/publish/hello"}));
  ASSERT_EQ(s->stages.size(), 1u);
  EXPECT_EQ(s->stages[0].files[0].dst, "/app");
  EXPECT_EQ(s->stages[0].run[1].shell, "dotnet publish -c Release -r linux-x64");
  EXPECT_EQ(LowerError("FROM gcr.io/distroless/dotnet\n"),
            "Dockerfile:1: FROM 'gcr.io/distroless/dotnet': no built-in base for distroless "
            "'dotnet'; map it with --base-map");
}

TEST(DockerfileLowerTest, ArgsEnvAndSubstitution) {
  DockerfileOptions o;
  o.build_args = {{"VARIANT", "nonroot"}, {"APP", "srv"}};
  base::Result<Spec> s = Lower(R"(ARG SUITE=12
ARG VARIANT=latest
FROM gcr.io/distroless/static-debian${SUITE}:${VARIANT}
ARG APP=app
ARG SUITE
ARG NOVALUE
ENV DIR=/opt/$APP LABEL_V="a b" \
    PATH=$PATH:/opt/bin
WORKDIR $DIR
WORKDIR bin
COPY --chmod=755 ${APP} ./
COPY a b ${NOVALUE:-sub}/
LABEL version=$SUITE description="$LABEL_V"
EXPOSE 8080 53/udp 9000-9001
USER ${APP}
STOPSIGNAL SIGINT
VOLUME /data
ENTRYPOINT ["/opt/$APP/bin/srv"]
)",
                               o);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->base, "static:nonroot");
  EXPECT_TRUE(s->has_debian);
  EXPECT_EQ(s->debian.suite, "bookworm");
  EXPECT_EQ(
      s->config.env,
      (Pairs{{"DIR", "/opt/srv"},
             {"LABEL_V", "a b"},
             {"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/bin"}}));
  EXPECT_EQ(*s->config.workdir, "/opt/srv/bin");
  ASSERT_EQ(s->files.size(), 3u);
  EXPECT_EQ(s->files[0].src, "srv");
  EXPECT_EQ(s->files[0].dst, "/opt/srv/bin/");
  EXPECT_EQ(s->files[0].mode, 0755u);
  EXPECT_EQ(s->files[1].src, "a");
  EXPECT_EQ(s->files[1].dst, "/opt/srv/bin/sub/");
  EXPECT_EQ(s->files[1].layer, "Dockerfile:12");
  EXPECT_EQ(s->files[2].src, "b");
  EXPECT_EQ(s->files[2].layer, "Dockerfile:12");
  EXPECT_EQ(s->config.labels,
            (std::map<std::string, std::string>{{"version", "12"}, {"description", "a b"}}));
  EXPECT_EQ(s->config.ports, (Strings{"8080/tcp", "53/udp", "9000/tcp", "9001/tcp"}));
  EXPECT_EQ(*s->config.user, "srv");
  EXPECT_EQ(s->config.stop_signal, "SIGINT");
  EXPECT_EQ(s->config.volumes, (Strings{"/data"}));
  // Exec-form arguments are never substituted (Docker passes them as written).
  EXPECT_EQ(*s->config.entrypoint, (Strings{"/opt/$APP/bin/srv"}));
  EXPECT_FALSE(s->has_stages);
}

TEST(DockerfileLowerTest, RunOrderIsKeptByCuttingStages) {
  base::Result<Spec> s = Lower(R"(FROM debian:bookworm AS b
ARG V=1
RUN echo $V
COPY x /x
RUN cat /x
WORKDIR /w
RUN pwd
RUN ls
FROM b AS unused
FROM gcr.io/distroless/static-debian12
COPY --from=b /x /x
)");
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->base, "static");
  ASSERT_EQ(s->stages.size(), 3u);
  EXPECT_EQ(s->stages[0].name, "b#1");
  EXPECT_EQ(s->stages[0].base, "debian");
  EXPECT_EQ(s->stages[0].env, (Pairs{{"V", "1"}}));
  EXPECT_EQ(s->stages[0].run.size(), 1u);
  EXPECT_EQ(s->stages[0].run[0].shell, "echo $V");
  EXPECT_EQ(s->stages[1].name, "b#2");
  EXPECT_EQ(s->stages[1].base, "b#1");
  EXPECT_EQ(s->stages[1].files.size(), 1u);
  EXPECT_EQ(s->stages[1].workdir, "/");
  EXPECT_EQ(s->stages[2].name, "b");
  EXPECT_EQ(s->stages[2].base, "b#2");
  EXPECT_EQ(s->stages[2].workdir, "/w");
  EXPECT_EQ(s->stages[2].run.size(), 2u);
  EXPECT_EQ(s->stages[2].mark.line, 7);
}

TEST(DockerfileLowerTest, FinalStageWithRun) {
  // A Debian final stage: its root (with the RUN) is one stage copied whole
  // onto scratch, the COPY after it a layer of its own.
  base::Result<Spec> s = Lower("FROM debian:bookworm-slim\nRUN touch /a\nCOPY app /app\n");
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->base, "scratch");
  ASSERT_EQ(s->files.size(), 2u);
  EXPECT_EQ(s->files[0].from, "0#1");  // the part before the COPY
  EXPECT_EQ(s->files[0].src, "/");
  EXPECT_EQ(s->files[0].dst, "/");
  EXPECT_EQ(s->files[1].src, "app");
  EXPECT_EQ(*s->config.cmd, (Strings{"bash"}));
  ASSERT_EQ(s->stages.size(), 1u);
  EXPECT_EQ(s->stages[0].base, "debian");
  EXPECT_TRUE(s->stages[0].files.empty());
  // RUN on a :debug base: a build stage starting from that base, run by
  // busybox's shell; the image keeps the base and takes the stage's root.
  s = Lower("FROM gcr.io/distroless/base-debian12:debug\nRUN mkdir /x\n");
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->base, "base:debug");
  ASSERT_EQ(s->stages.size(), 1u);
  EXPECT_EQ(s->stages[0].base, "base:debug");
  ASSERT_EQ(s->stages[0].run.size(), 1u);
  EXPECT_EQ(s->stages[0].run[0].argv, (Strings{"/busybox/sh", "-c", "mkdir /x"}));
  // Its shell form uses busybox's shell.
  s = Lower("FROM gcr.io/distroless/base-debian12:debug\nENTRYPOINT echo hi\n");
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->base, "base:debug");
  EXPECT_EQ(*s->config.entrypoint, (Strings{"/busybox/sh", "-c", "echo hi"}));
  // A Debian root with no RUN is still a stage (its packages are installed there).
  s = Lower("FROM debian:12\nCOPY app /app\n");
  ASSERT_TRUE(s) << s.error().message();
  ASSERT_EQ(s->stages.size(), 1u);
  EXPECT_EQ(s->stages[0].files.size(), 1u);
  EXPECT_EQ(s->files.size(), 1u);
}

TEST(DockerfileLowerTest, CopyFromStagesAndImages) {
  base::Result<Spec> s = Lower(R"(FROM debian:bookworm AS build
RUN make
FROM scratch AS certs
COPY ca.pem /etc/ssl/ca.pem
FROM gcr.io/distroless/cc-debian12 AS unused
FROM scratch
COPY --from=0 /out/app /app
COPY --from=certs etc/ssl /etc/ssl
)");
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->base, "scratch");
  ASSERT_EQ(s->files.size(), 2u);
  EXPECT_EQ(s->files[0].from, "build");
  EXPECT_EQ(s->files[1].from, "certs");
  EXPECT_EQ(s->files[1].src, "/etc/ssl");
  ASSERT_EQ(s->stages.size(), 2u);
  EXPECT_EQ(s->stages[0].name, "build");
  EXPECT_EQ(s->stages[1].name, "certs");
  EXPECT_EQ(s->stages[1].base, "scratch");
  // An image in COPY --from gets a stage of its own, starting from that
  // image (a built-in base here).
  s = Lower(
      "FROM scratch\nCOPY --from=gcr.io/distroless/static-debian12 /etc/passwd "
      "/etc/passwd\n");
  ASSERT_TRUE(s) << s.error().message();
  ASSERT_EQ(s->stages.size(), 1u);
  EXPECT_EQ(s->stages[0].base, "static");
  s = Lower("FROM gcr.io/distroless/cc-debian12 AS cc\nFROM scratch\nCOPY --from=cc /lib /lib\n");
  ASSERT_TRUE(s) << s.error().message();
  ASSERT_EQ(s->stages.size(), 1u);
  EXPECT_EQ(s->stages[0].base, "cc");
  EXPECT_EQ(s->files[0].from, s->stages[0].name);
}

TEST(DockerfileLowerTest, TargetAndUnreachableStages) {
  const char* text = R"(FROM nowhere/image:1 AS unused
FROM gcr.io/distroless/static-debian12 AS app
COPY a /a
CMD ["/a"]
FROM app AS debug
ENTRYPOINT ["/busybox/sh"]
)";
  base::Result<Spec> s = Lower(text);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->base, "static");
  EXPECT_EQ(s->files.size(), 1u);  // the parent's COPY, as a layer
  EXPECT_FALSE(s->config.cmd);     // ENTRYPOINT drops the inherited CMD
  EXPECT_FALSE(s->has_stages);
  DockerfileOptions o;
  o.target = "APP";
  s = Lower(text, o);
  ASSERT_TRUE(s);
  EXPECT_EQ(*s->config.cmd, (Strings{"/a"}));
  o.target = "ap";
  EXPECT_EQ(LowerError(text, o),
            "Dockerfile: no stage named 'ap' for --target (did you mean 'app'?)");
  o.target = "unused";
  s = Lower(text, o);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->base, "docker://nowhere/image:1");
}

TEST(DockerfileLowerTest, Errors) {
  EXPECT_EQ(LowerError("FROM debian:12 AS build\nFROM scratch\nCOPY --from=buidl /a /a\n"),
            "Dockerfile:3: COPY --from: no stage named 'buidl' (did you mean 'build'?)");
  EXPECT_EQ(LowerError("FROM scratch\nCOPY --from=later /a /a\nFROM scratch AS later\n"),
            "Dockerfile:2: COPY --from='later': that stage is defined after this one");
  EXPECT_EQ(LowerError("FROM scratch\nCOPY --from=1 /a /a\n"),
            "Dockerfile:2: COPY --from=1: no stage 1 before this one");
  EXPECT_EQ(LowerError("FROM gcr.io/distroless/java17-debian12\nCOPY a /a\nRUN x\n"),
            "Dockerfile:3: RUN needs /bin/sh, and base 'java17' has no shell (use a :debug base "
            "or a build stage)");
  EXPECT_EQ(LowerError("FROM scratch\nRUN x\n"),
            "Dockerfile:2: RUN needs /bin/sh, and base 'scratch' has no shell (use a :debug base "
            "or a build stage)");
  EXPECT_EQ(LowerError("FROM gcr.io/distroless/cc\nCMD run --fast\n"),
            "Dockerfile:2: CMD in shell form needs /bin/sh, and base 'cc' has no shell (use the "
            "JSON form: CMD [\"...\"])");
  EXPECT_EQ(LowerError("RUN x\nFROM scratch\n"),
            "Dockerfile:1: RUN before the first FROM (only ARG may come before FROM)");
  EXPECT_EQ(LowerError("FROM scratch\nCOPY a b /dir\n"),
            "Dockerfile:2: COPY with several sources needs a directory destination ending in '/', "
            "got '/dir'");
  EXPECT_EQ(LowerError("FROM scratch\nCOPY --chmod=u+x a /a\n"),
            "Dockerfile:2: invalid --chmod 'u+x' (expected octal such as 755)");
  EXPECT_EQ(LowerError("FROM scratch\nCOPY --form=x a /a\n"),
            "Dockerfile:2: unknown flag '--form' for COPY (did you mean '--from'?)");
  EXPECT_EQ(LowerError("FROM scratch\nADD https://example.org/x.tgz /x\n"),
            "Dockerfile:2: ADD from a URL is not supported ('https://example.org/x.tgz'); "
            "download it in a build stage");
  EXPECT_EQ(LowerError("FROM debian:12 AS a\nFROM debian:trixie\nCOPY --from=a /x /x\n"),
            "Dockerfile:2: this stage is Debian 'trixie' and the one at line 1 is 'bookworm'; an "
            "image is built from one Debian release");
  EXPECT_EQ(LowerError("FROM --platform=linux/arm64 scratch\n"),
            "Dockerfile:1: FROM --platform 'linux/arm64' differs from the platform being built "
            "('linux/amd64'); distill builds every stage for it");
  EXPECT_EQ(LowerError("FROM --platform=$BUILDPLATFORM scratch\nFROM scratch AS a AS b\n"),
            "Dockerfile:2: FROM takes an image and an optional 'AS name'");
  EXPECT_EQ(LowerError("FROM scratch AS 1st\n"),
            "Dockerfile:1: invalid stage name '1st' (a letter, then letters, digits, '-', '_' or "
            "'.')");
  EXPECT_EQ(LowerError("FROM scratch AS a\nFROM scratch AS A\n"),
            "Dockerfile:2: duplicate stage name 'a' (also at line 1)");
  EXPECT_EQ(LowerError("FROM scratch\nEXPOSE 80/http\n"),
            "Dockerfile:2: invalid port '80/http' (expected PORT[/tcp|udp|sctp] or FIRST-LAST)");
  EXPECT_EQ(LowerError("FROM scratch\nRUN --mount=type=cache,target=/c [\"x\"]\n"),
            "Dockerfile:2: RUN --mount is not supported");
  DockerfileOptions o;
  o.several_platforms = true;
  EXPECT_EQ(LowerError("FROM scratch\nARG TARGETARCH\nCOPY bin-$TARGETARCH /app\n", o),
            "Dockerfile: $TARGET* variables take one value per platform; build one --platform at "
            "a time from this Dockerfile");
}

}  // namespace build
