print("model-benchmark: not written yet")  // Placeholder: replaced by the inference benchmark.
