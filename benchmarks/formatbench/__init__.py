"""benchmarks/formats.py and benchmarks/ls_roundtrip.py: fairlabel and Label Studio sides."""
