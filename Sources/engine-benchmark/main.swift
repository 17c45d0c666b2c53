// Placeholder: the engine benchmark (issue 3) replaces this file.
print("engine-benchmark: not written yet")
