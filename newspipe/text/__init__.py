"""Plain functions on Arabic text: cleaning what is written out, and the normalised form.

- :func:`newspipe.text.clean.clean_text`: the ``text`` every reader sees (letters as written);
- :func:`newspipe.text.normalize.normalise`: the form hashed and compared (profile ``ar-norm-1``);
- :mod:`newspipe.text.residue`: the page-residue lines cleaning removes;
- :mod:`newspipe.text.chars`: the character tables both use.
"""
