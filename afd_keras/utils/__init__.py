"""General helpers every layer may use: error messages, errors, checksums,
and a description of the machine. They import nothing else of afd_keras."""
