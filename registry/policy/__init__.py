"""The policy engine's doors: the evaluate endpoint, the packs list and `flask evaluate`."""
