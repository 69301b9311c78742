package examples;

public class HelloJava {
  public static void main(String[] args) {
    System.out.println("Hello world");
  }
}
