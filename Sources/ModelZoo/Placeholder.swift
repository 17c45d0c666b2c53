// Placeholder until the first architecture lands; delete it then.
