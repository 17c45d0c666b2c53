// Placeholder until the first real file of ClassicML lands; delete it then.
