// Placeholder until the first real file of Tensors lands; delete it then.
