#ifndef CFUZZDRIVER_H
#define CFUZZDRIVER_H
#include <stddef.h>
#include <stdint.h>

// libFuzzer's entry point for programs that keep their own main (llvm.org/docs/LibFuzzer.html,
// "Using LibFuzzer as a library"). SwiftPM gives every executable target its own renamed main,
// so the harnesses call this from main.swift instead of relying on libFuzzer's main.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
