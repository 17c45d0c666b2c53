import Tensors

// Swift children run as `leukemia` does (see OpenMPSpinning); the PyTorch children it starts keep
// libgomp's default, as a user's script would.
OpenMPSpinning.applyToThisProcess()
TrainingBenchmark.main()
