// The Java example of the distroless repository (examples/java), as the
// "Docker Zen" article builds it: compiled, packed into main.jar with
// examples.HelloJava as its Main-Class, and run with `java -jar main.jar`.
package examples;

public class HelloJava {
  public static void main(String[] args) {
    System.out.println("Hello world");
  }
}
