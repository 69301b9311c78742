/* The built-in example: a small static program for a FROM-scratch image. */
#include <stdio.h>

int main(void) {
  puts("Hello from a distill image!");
  return 0;
}
