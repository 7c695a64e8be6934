"""The lab: scoring the detector against the synthetic athlete's truth.

Used by the tests and the benchmarks, never by the appliance: nothing in ``nhc_scale`` imports
it (tests/test_import_graph.py checks), and it is not part of the installed package.
"""
