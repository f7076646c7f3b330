"""Everything the user sees in the terminal. The only package that imports Rich.

Rich respects NO_COLOR and switches colours off when output is not a terminal. Text from a
config, a file name or a submission is never read as Rich markup or emoji codes: the consoles
have markup and emoji off, and styling is done with Text objects. Tables keep every number
whole in a narrow terminal: numeric columns do not wrap and are as wide as their widest value,
text columns wrap, and a table wider than the terminal is printed whole rather than cut.

`screen` holds the consoles and the tables and words every view is built from; `messages` the
one-line messages and the progress bar; `funding`, `findings` (validate) and `followup`
(generate) the views of each command.
"""
