// Placeholder until the first real file of LeukemiaKit lands; delete it then.
