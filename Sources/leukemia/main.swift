import Tensors

// The entry point: oneDNN's OpenMP threads get the toolkit's spin count (one re-execution of
// this program, see `OpenMPSpinning`), then the command line is parsed and run.
OpenMPSpinning.applyToThisProcess()
await Leukemia.main()
