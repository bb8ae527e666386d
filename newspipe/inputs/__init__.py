"""Reading input files into documents: finding the files, decoding them, one document per record.

Every input gives documents or rejects, never an exception: a file that cannot be read becomes a
document carrying its reject (``INPUT_REJECT``), which the first stage turns into a reject record.
"""

from newspipe.inputs.read import InputFile, InputOptions, iter_documents, iter_inputs, read_input

__all__ = ["InputFile", "InputOptions", "iter_documents", "iter_inputs", "read_input"]
