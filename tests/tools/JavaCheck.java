// What the java bases must do (tests/e2e/base_java17.sh, base_trixie_java21.sh):
// load the trust store, default to UTF-8, load a font headless, and say the
// runtime version.
import java.io.FileInputStream;
import java.nio.charset.Charset;
import java.security.KeyStore;
public class JavaCheck {
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
    System.out.println("runtime " + Runtime.version().feature());
  }
}
