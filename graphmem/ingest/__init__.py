"""Write path: normalise input, extract, resolve, plan."""
