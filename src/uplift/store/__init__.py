"""The workspace: what is loaded, where each row came from, and the key that masks prescribers."""
