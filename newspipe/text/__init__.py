"""Plain functions on Arabic text: cleaning what is written out, and the normalised form."""
