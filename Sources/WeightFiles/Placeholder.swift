// Placeholder until the first real file of WeightFiles lands; delete it then.
