// Placeholder until the first real file of Imaging lands; delete it then.
