# java17: java -version; the trust store loads with > 100 entries; the default
# charset is UTF-8; a font can be loaded (headless).
source "$(dirname "$0")/lib.bash"
need podman javac
need_mirror
base_image java17 "$WORK/l" >/dev/null
v=$(prun --entrypoint /usr/bin/java "oci:$WORK/l:java17" --version) || fail "java --version did not run"
[[ $v == "openjdk 17"* ]] || fail "java --version: $v"
mkdir -p "$WORK/src"
cat > "$WORK/src/Check.java" <<'J'
import java.io.FileInputStream;
import java.nio.charset.Charset;
import java.security.KeyStore;
public class Check {
  public static void main(String[] a) throws Exception {
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    try (FileInputStream in = new FileInputStream(System.getProperty("java.home") + "/lib/security/cacerts")) {
      ks.load(in, "changeit".toCharArray());
    }
    System.out.println("certs " + ks.size());
    System.out.println("charset " + Charset.defaultCharset());
    java.awt.Font f = new java.awt.Font("DejaVu Sans", java.awt.Font.PLAIN, 12);
    java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(10, 10, java.awt.image.BufferedImage.TYPE_INT_RGB);
    java.awt.FontMetrics fm = img.getGraphics().getFontMetrics(f);
    System.out.println("font " + f.getFamily() + " " + (fm.stringWidth("distill") > 0));
  }
}
J
javac --release 17 -d "$WORK/src" "$WORK/src/Check.java"
out=$(prun -v "$WORK/src:/check:ro" --entrypoint /usr/bin/java "oci:$WORK/l:java17" -Djava.awt.headless=true -cp /check Check) || fail "Check did not run: $out"
n=$(echo "$out" | sed -n 's/^certs //p')
[ "${n:-0}" -gt 100 ] || fail "trust store: $out"
echo "$out" | grep -qx "charset UTF-8" || fail "charset: $out"
echo "$out" | grep -q "^font .* true$" || fail "font: $out"
ok
