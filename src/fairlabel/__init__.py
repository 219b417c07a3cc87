"""fairlabel: a self-hostable platform for producing AI training data on fair, visible terms."""

__version__ = "0.1.0"
