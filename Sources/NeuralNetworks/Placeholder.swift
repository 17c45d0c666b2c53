// Placeholder until the first real file of NeuralNetworks lands; delete it then.
